"""Encryption at rest and in transit (catalog section 3.7).

A check never flags what AWS already encrypts by default (catalog §1.3): S3 objects (SSE-S3),
SQS queues (SSE-SQS), SNS topics (disk encryption; re-verified, the catalog lists them as
unencrypted), DynamoDB tables, CloudWatch Logs and CloudTrail files are encrypted without any
setting, and get at most an info suggesting a customer-managed key.
"""

from __future__ import annotations

from cfncheck.api import ABSENT, ERROR


def flag_off(ctx, resource, path, key, scenario, consequence: str):
    """The finding on an encryption flag that is off: AWS rejects a KMS key given without it
    (error); otherwise ``consequence`` says what stays unencrypted. The flag is named as written
    under Properties, or by its own key in a list item (a block-device mapping's Encrypted)."""
    flag = str(path[-1]) if isinstance(path, tuple) else path.removeprefix("Properties.")
    if key is not ABSENT:
        return ctx.finding(
            resource, path, f"Set {flag} to true: a KmsKeyId without it is rejected.", scenario, severity=ERROR
        )
    return ctx.finding(resource, path, f"Set {flag} to true: {consequence}", scenario)
