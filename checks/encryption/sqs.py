"""Encryption of SQS queues."""

from __future__ import annotations

from cfncheck.api import ABSENT, ERROR, INFO, WARNING, Child, as_bool, check


@check(
    "SQS002",
    "sqs-encryption-disabled",
    WARNING,
    types=["AWS::SQS::Queue"],
    fix="Remove `SqsManagedSseEnabled: false`, or set KmsMasterKeyId.",
    tags=("security",),
    children=[
        Child(
            "SQS015",
            "sqs-sse-sqs-with-kms-key",
            ERROR,
            """SqsManagedSseEnabled true together with KmsMasterKeyId: a queue is encrypted with SQS
            owned keys or with a KMS key, not both, and SQS rejects the queue.""",
            fix="Remove SqsManagedSseEnabled (the KMS key encrypts the queue), or remove KmsMasterKeyId.",
            deploy_failure=True,
            formerly=("SQS002",),
        )
    ],
)
def sqs_encryption_disabled(queue, ctx):
    """A queue that turns SSE-SQS off without a KMS key stores messages in plaintext.

    AWS default: new queues are encrypted with SSE-SQS unless SqsManagedSseEnabled is false, so a
    queue with neither setting passes (SQS003 suggests a customer key). SqsManagedSseEnabled true
    together with KmsMasterKeyId is rejected (the two are mutually exclusive): SQS015.
    """
    for scenario, (sse, key) in ctx.joint(
        ctx.values(queue, "Properties.SqsManagedSseEnabled"), ctx.values(queue, "Properties.KmsMasterKeyId")
    ):
        flag = as_bool(sse)
        if flag is False and key is ABSENT:
            yield ctx.finding(
                queue,
                "Properties.SqsManagedSseEnabled",
                "Remove SqsManagedSseEnabled: false (SSE-SQS is the default), or set KmsMasterKeyId: the queue is"
                " not encrypted.",
                scenario,
            )
        elif flag is True and key is not ABSENT:
            yield ctx.finding(
                queue,
                "Properties.SqsManagedSseEnabled",
                "Remove SqsManagedSseEnabled: it cannot be true together with KmsMasterKeyId.",
                scenario,
                rule="SQS015",
            )


@check(
    "SQS003",
    "sqs-no-customer-managed-key",
    INFO,
    types=["AWS::SQS::Queue"],
    fix="Set KmsMasterKeyId to a customer managed KMS key when key policies or audits are needed.",
    tags=("security",),
)
def sqs_no_customer_key(queue, ctx):
    """Queues encrypted only with SSE-SQS or the AWS managed key cannot restrict who decrypts.

    AWS default: SSE-SQS (SQS owned keys) when neither SqsManagedSseEnabled nor KmsMasterKeyId
    is set. A customer managed key is needed for key policies, cross-account producers or an
    audit of key use; `alias/aws/sqs` is the AWS managed key and cannot be shared either.
    """
    for scenario, (sse, key) in ctx.joint(
        ctx.values(queue, "Properties.SqsManagedSseEnabled"), ctx.values(queue, "Properties.KmsMasterKeyId")
    ):
        if key is ABSENT and as_bool(sse, True) is True:
            yield ctx.finding(
                queue,
                "Properties.KmsMasterKeyId",
                "Set KmsMasterKeyId to a customer managed key where key control is needed: the queue uses SSE-SQS.",
                scenario,
            )
        elif isinstance(key, str) and key.endswith("alias/aws/sqs"):
            yield ctx.finding(
                queue,
                "Properties.KmsMasterKeyId",
                "Replace alias/aws/sqs with a customer managed key where key control is needed.",
                scenario,
            )
