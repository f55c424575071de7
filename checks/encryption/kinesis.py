"""Encryption of Kinesis data streams and Firehose delivery streams."""

from __future__ import annotations

from cfncheck.api import ABSENT, ERROR, INFO, WARNING, Child, check, lookup


@check(
    "KIN001",
    "kinesis-stream-unencrypted",
    WARNING,
    types=["AWS::Kinesis::Stream"],
    fix="Set `StreamEncryption: {EncryptionType: KMS, KeyId: alias/aws/kinesis}` (or a customer key).",
    tags=("security",),
    children=[
        Child(
            "KIN009",
            "kinesis-stream-encryption-key-missing",
            ERROR,
            """StreamEncryption with EncryptionType KMS and no KeyId: Kinesis needs the key to encrypt
            with, and rejects the stream.""",
            fix="Add `KeyId` (alias/aws/kinesis, or a customer key) to StreamEncryption.",
            deploy_failure=True,
            formerly=("KIN001",),
        )
    ],
)
def kinesis_stream_unencrypted(stream, ctx):
    """Kinesis data streams should be encrypted at rest.

    AWS default: no StreamEncryption means records are stored unencrypted. EncryptionType KMS
    needs a KeyId (KIN009 without); `alias/aws/kinesis` passes.
    """
    for alt in ctx.values(stream, "Properties.StreamEncryption"):
        if alt.value is ABSENT:
            yield ctx.finding(
                stream,
                "Properties.StreamEncryption",
                "Add StreamEncryption with EncryptionType KMS and KeyId (alias/aws/kinesis or a customer key): the"
                " stream is not encrypted.",
                alt.scenario,
            )
        elif lookup(alt.value, "EncryptionType") == "KMS" and lookup(alt.value, "KeyId") is ABSENT:
            yield ctx.finding(
                stream,
                "Properties.StreamEncryption.EncryptionType",
                "Add StreamEncryption.KeyId: EncryptionType KMS requires a key.",
                alt.scenario,
                rule="KIN009",
            )


@check(
    "KIN002",
    "firehose-unencrypted",
    INFO,
    types=["AWS::KinesisFirehose::DeliveryStream"],
    fix="Set DeliveryStreamEncryptionConfigurationInput (KeyType AWS_OWNED_CMK or CUSTOMER_MANAGED_CMK)"
    " on DirectPut streams.",
    tags=("security",),
    children=[
        Child(
            "KIN010",
            "firehose-encryption-with-kinesis-source",
            ERROR,
            """DeliveryStreamEncryptionConfigurationInput on a delivery stream that reads from a
            Kinesis data stream (DeliveryStreamType KinesisStreamAsSource): Firehose rejects it,
            because the source stream's encryption applies.""",
            fix="Remove DeliveryStreamEncryptionConfigurationInput; encrypt the source stream instead.",
            deploy_failure=True,
            formerly=("KIN002",),
        )
    ],
)
def firehose_unencrypted(stream, ctx):
    """Firehose buffers records before delivery; encrypt the buffer and the destination.

    AWS default: DeliveryStreamType DirectPut; without DeliveryStreamEncryptionConfigurationInput
    the buffered records are not server-side encrypted (info). An S3 destination with
    NoEncryptionConfig still gets the bucket's default SSE-S3 (info). Encryption input on a
    KinesisStreamAsSource stream is rejected: the source stream's encryption applies (KIN010).
    """
    names = ("DeliveryStreamType", "DeliveryStreamEncryptionConfigurationInput")
    for scenario, (kind, encryption) in ctx.joint(*(ctx.values(stream, f"Properties.{n}") for n in names)):
        if kind in (ABSENT, "DirectPut") and encryption is ABSENT:
            yield ctx.finding(
                stream,
                "Properties.DeliveryStreamEncryptionConfigurationInput",
                "Add DeliveryStreamEncryptionConfigurationInput with KeyType AWS_OWNED_CMK or CUSTOMER_MANAGED_CMK"
                " to encrypt buffered records.",
                scenario,
            )
        elif kind == "KinesisStreamAsSource" and encryption is not ABSENT:
            yield ctx.finding(
                stream,
                "Properties.DeliveryStreamEncryptionConfigurationInput",
                "Remove DeliveryStreamEncryptionConfigurationInput: a stream reading from Kinesis uses the source"
                " stream's encryption.",
                scenario,
                rule="KIN010",
            )
    for destination in ("S3DestinationConfiguration", "ExtendedS3DestinationConfiguration"):
        path = ("Properties", destination, "EncryptionConfiguration", "NoEncryptionConfig")
        for alt in ctx.values(stream, path):
            if alt.value == "NoEncryption":
                yield ctx.finding(
                    stream,
                    path,
                    "Set EncryptionConfiguration.KMSEncryptionConfig to encrypt delivered objects with your key"
                    " (only the bucket default applies now).",
                    alt.scenario,
                )
