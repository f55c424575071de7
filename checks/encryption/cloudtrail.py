"""Encryption of CloudTrail log files."""

from __future__ import annotations

from cfncheck.api import ABSENT, INFO, check


@check(
    "TRAIL003",
    "cloudtrail-no-kms-key",
    INFO,
    types=["AWS::CloudTrail::Trail"],
    fix="Set KMSKeyId to a customer managed key whose policy allows cloudtrail.amazonaws.com.",
    tags=("security",),
)
def cloudtrail_no_kms_key(trail, ctx):
    """Trail log files are encrypted with SSE-S3; a KMS key adds an access check on reading them.

    AWS default: SSE-S3 on the log files. CIS-style baselines require KMSKeyId: raise this
    check's severity in configuration where they apply.
    """
    for alt in ctx.values(trail, "Properties.KMSKeyId"):
        if alt.value is ABSENT:
            yield ctx.finding(
                trail,
                "Properties.KMSKeyId",
                "Set KMSKeyId to a customer managed key so that reading the logs also needs kms:Decrypt (files use"
                " SSE-S3 now).",
                alt.scenario,
            )
