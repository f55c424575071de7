"""Encryption at rest and in transit (catalog section 3.7).

A check never flags what AWS already encrypts by default (catalog §1.3): S3 objects (SSE-S3),
SQS queues (SSE-SQS), SNS topics (disk encryption; re-verified, the catalog lists them as
unencrypted), DynamoDB tables, CloudWatch Logs and CloudTrail files are encrypted without any
setting, and get at most an info suggesting a customer-managed key.
"""

from __future__ import annotations

from cfncheck.api import ABSENT, ERROR, Child


def key_without_flag(rule_id: str, name: str, flag: str, what: str, parent: str) -> Child:
    """The deploy failure of a check on an encryption flag: a KMS key given while the flag is off,
    which the service rejects (``what``: the resource, as the documentation names it)."""
    return Child(
        rule_id,
        name,
        ERROR,
        f"""A KmsKeyId given while {flag} is not true: the service rejects creating {what}, so the stack fails.

        The key only applies to an encrypted {what}; set {flag} to true to use it, or remove it.""",
        fix=f"Set `{flag}: true`, or remove KmsKeyId.",
        deploy_failure=True,
        formerly=(parent,),
    )


def flag_off(ctx, resource, path, key, scenario, consequence: str, rule: str):
    """The finding on an encryption flag that is off: AWS rejects a KMS key given without it
    (reported under ``rule``, the check's child made by :func:`key_without_flag`); otherwise
    ``consequence`` says what stays unencrypted. The flag is named as written under Properties,
    or by its own key in a list item (a block-device mapping's Encrypted)."""
    flag = str(path[-1]) if isinstance(path, tuple) else path.removeprefix("Properties.")
    if key is not ABSENT:
        return ctx.finding(
            resource, path, f"Set {flag} to true: a KmsKeyId without it is rejected.", scenario, rule=rule
        )
    return ctx.finding(resource, path, f"Set {flag} to true: {consequence}", scenario)
