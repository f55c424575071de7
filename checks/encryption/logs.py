"""Encryption of CloudWatch Logs log groups."""

from __future__ import annotations

from cfncheck.api import ABSENT, INFO, check


@check(
    "LOGS001",
    "logs-not-kms-encrypted",
    INFO,
    types=["AWS::Logs::LogGroup"],
    fix="Set KmsKeyId to a customer managed key whose policy allows logs.<region>.amazonaws.com.",
    tags=("security",),
)
def logs_not_kms_encrypted(group, ctx):
    """CloudWatch Logs encrypts log groups with a service key; a customer key adds control.

    AWS default: always encrypted at rest with CloudWatch Logs' own key; KmsKeyId absent is info,
    worth acting on for groups that receive CloudTrail, VPC flow or API access logs.
    """
    for alt in ctx.values(group, "Properties.KmsKeyId"):
        if alt.value is ABSENT:
            yield ctx.finding(
                group,
                "Properties.KmsKeyId",
                "Set KmsKeyId to a customer managed key where you need to control or audit who reads these logs"
                " (they are encrypted with a service key).",
                alt.scenario,
            )
