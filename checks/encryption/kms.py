"""Encryption with KMS keys: key rotation, and keys the services sending to a queue or topic can use."""

from __future__ import annotations

from cfncheck.analysis.grants import key_refusals, keys_named
from cfncheck.analysis.policy import text_of
from cfncheck.analysis.wiring import service_senders
from cfncheck.api import ABSENT, ERROR, WARNING, Child, as_bool, as_number, check


@check(
    "KMS001",
    "kms-key-rotation-disabled",
    WARNING,
    types=["AWS::KMS::Key"],
    fix="Set `EnableKeyRotation: true` on symmetric keys.",
    tags=("security",),
    children=[
        Child(
            "KMS009",
            "kms-key-rotation-invalid",
            ERROR,
            """Rotation settings KMS rejects, so the stack fails: EnableKeyRotation true on a key KMS
            cannot rotate automatically (asymmetric, HMAC, imported EXTERNAL or custom-key-store
            key material), or a RotationPeriodInDays outside 90-2560.""",
            fix="Remove EnableKeyRotation from asymmetric, HMAC and imported keys; keep RotationPeriodInDays"
            " between 90 and 2560.",
            deploy_failure=True,
            formerly=("KMS001",),
        )
    ],
)
def kms_key_rotation(key, ctx):
    """Symmetric KMS keys should rotate their key material every year (or RotationPeriodInDays).

    AWS default: EnableKeyRotation false. Only symmetric ENCRYPT_DECRYPT keys whose material KMS
    generates (Origin AWS_KMS, the default) support automatic rotation; KMS rejects it on
    asymmetric, HMAC, imported (EXTERNAL) and custom-key-store keys, and RotationPeriodInDays
    must be 90-2560 (both KMS009). Verified in the AWS::KMS::Key reference: KeySpec default SYMMETRIC_DEFAULT,
    KeyUsage default ENCRYPT_DECRYPT, Origin default AWS_KMS.
    """
    names = ("EnableKeyRotation", "KeySpec", "KeyUsage", "Origin", "RotationPeriodInDays")
    for scenario, (rotation, spec, usage, origin, period) in ctx.joint(
        *(ctx.values(key, f"Properties.{n}") for n in names)
    ):
        rotates = as_bool(rotation, False)
        kind = [v for v in (spec, usage, origin) if v is not ABSENT]
        if rotates is None or not all(isinstance(v, str) for v in kind):
            continue
        symmetric = (
            spec in (ABSENT, "SYMMETRIC_DEFAULT")
            and usage in (ABSENT, "ENCRYPT_DECRYPT")
            and origin in (ABSENT, "AWS_KMS")
        )
        if symmetric and not rotates:
            yield ctx.finding(
                key,
                "Properties.EnableKeyRotation",
                "Set EnableKeyRotation to true: the key material of this symmetric key is never rotated.",
                scenario,
            )
        elif not symmetric and rotates:
            kind = ", ".join(
                f"{n} {v}" for n, v in zip(names[1:4], (spec, usage, origin), strict=True) if v is not ABSENT
            )
            yield ctx.finding(
                key,
                "Properties.EnableKeyRotation",
                f"Remove EnableKeyRotation (or set it to false): KMS cannot rotate a key with {kind} automatically;"
                " the stack fails.",
                scenario,
                rule="KMS009",
            )
        days = as_number(period)
        if days is not None and not 90 <= days <= 2560:
            yield ctx.finding(
                key,
                "Properties.RotationPeriodInDays",
                f"Set RotationPeriodInDays between 90 and 2560 (it is {days}); KMS rejects it.",
                scenario,
                rule="KMS009",
            )


AWS_MANAGED_KEYS = {"AWS::SQS::Queue": "alias/aws/sqs", "AWS::SNS::Topic": "alias/aws/sns"}
SENDER_ACTIONS = ("kms:GenerateDataKey", "kms:Decrypt")


@check(
    "KMS004",
    "kms-key-unusable-by-service",
    WARNING,
    types=list(AWS_MANAGED_KEYS),
    fix="Add a key policy statement that allows the sending services' principals kms:GenerateDataKey* and"
    " kms:Decrypt (with an aws:SourceArn or aws:SourceAccount condition), or encrypt with such a key.",
)
def key_unusable_by_senders(resource, ctx):
    """An AWS service that sends to an encrypted queue or topic encrypts each message with its KMS
    key, so the key policy must let the service's principal call kms:GenerateDataKey* and
    kms:Decrypt; otherwise every delivery fails and the messages are lost. The AWS managed keys
    (alias/aws/sqs, alias/aws/sns) cannot grant that at all.

    The senders are those the template shows (S3 notifications, EventBridge rules, SNS
    subscriptions, CloudWatch alarms, CloudTrail, services the queue or topic policy allows). The
    key is followed wherever the run has it: a key or alias of the template, or one imported
    (``Fn::ImportValue``) from another template of the run. A key policy that cannot be read, or a
    statement whose principal or actions are not known, makes the check silent. A log group's or a
    trail's key is not judged here (there, the stack fails)."""
    senders = service_senders(ctx, resource)
    for alt in ctx.values(resource, "Properties.KmsMasterKeyId") if senders else ():
        written = text_of(alt.value)  # ARNs of the managed key are built with the region and account
        if written is not None and written.endswith(AWS_MANAGED_KEYS[resource.type]):
            yield ctx.finding(
                resource,
                "Properties.KmsMasterKeyId",
                f"Use a customer managed key whose key policy allows {', '.join(senders)}: the AWS managed key"
                f" {AWS_MANAGED_KEYS[resource.type]} cannot let them encrypt, so their messages are dropped.",
                alt.scenario,
            )
            continue
        for key in keys_named(ctx.follow(alt.value, alt.scenario)):
            refused = key_refusals(ctx, key, senders, SENDER_ACTIONS)
            if refused:
                what = "; ".join(f"{sender} {' and '.join(actions)}" for sender, actions in refused.items())
                yield ctx.finding(
                    resource,
                    "Properties.KmsMasterKeyId",
                    f"Allow {what} in the key policy of {key.describe()}: without it the messages these services"
                    " send here cannot be encrypted and are dropped.",
                    key.scenario,
                    related=[key.location(ctx, "Properties.KeyPolicy", message="the key policy")],
                )
