"""The bucket policies of a bucket, and the statements that guard it.

A bucket policy names its bucket by ``Ref``, by a literal name, or by a name built with
``Fn::Sub``/``Fn::Join``; ``policies_of`` follows all three. When some policy names a bucket
that cannot be known, nobody can say the bucket has no policy: the answer is ``None``.
"""

from __future__ import annotations

import json

from cfncheck.analysis.properties import as_list, lookup
from cfncheck.context import Context
from cfncheck.template import Resource
from cfncheck.values import ABSENT, Reference, Unknown

BUCKET_POLICY = "AWS::S3::BucketPolicy"


def policies_of(ctx: Context, bucket: Resource) -> list[Resource] | None:
    """The in-template bucket policies attached to ``bucket``; None when that cannot be known."""
    names = {alt.value for alt in ctx.values(bucket, "Properties.BucketName") if isinstance(alt.value, str)}
    found = []
    for policy in ctx.resources(BUCKET_POLICY):
        for alt in ctx.values(policy, "Properties.Bucket"):
            value = alt.value
            if ctx.target(value) is not None:
                if ctx.target(value) is bucket:
                    found.append(policy)
                    break
            elif isinstance(value, str):
                if value in names:
                    found.append(policy)
                    break
            elif isinstance(value, Unknown) and not value.refs:
                return None
    return found


def statements(document) -> list | None:
    """The statements of a resolved policy document (a mapping or a JSON string); None when unknown."""
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            return None
    if not isinstance(document, dict):
        return None
    found = lookup(document, "Statement")
    if isinstance(found, Unknown):
        return None
    return [s for s in as_list(found) if isinstance(s, dict)]


def _is_everyone(principal) -> bool:
    if principal == "*":
        return True
    return isinstance(principal, dict) and "*" in as_list(principal.get("AWS"))


def _condition_value(statement: dict, operator: str, key: str) -> list:
    """The values a statement's Condition tests ``key`` against with ``operator`` (keys are case-insensitive)."""
    condition = statement.get("Condition")
    if not isinstance(condition, dict):
        return []
    for op, tests in condition.items():
        if op == operator and isinstance(tests, dict):
            for name, value in tests.items():
                if isinstance(name, str) and name.lower() == key.lower():
                    return [str(v).lower() for v in as_list(value) if not isinstance(v, (Unknown, Reference))]
    return []


def refuses_plain_http(statement: dict) -> bool:
    """A Deny conditioned on ``aws:SecureTransport: false`` or ``s3:TlsVersion < 1.2``."""
    return statement.get("Effect") == "Deny" and (
        "false" in _condition_value(statement, "Bool", "aws:SecureTransport")
        or any(_at_most_tls12(v) for v in _condition_value(statement, "NumericLessThan", "s3:TlsVersion"))
    )


def _at_most_tls12(value: str) -> bool:
    try:
        return float(value) >= 1.2
    except ValueError:
        return False


def grants_anonymous_over_tls(statement: dict) -> bool:
    """An Allow to everyone whose only guard is ``aws:SecureTransport: true``."""
    return (
        statement.get("Effect") == "Allow"
        and _is_everyone(statement.get("Principal"))
        and "true" in _condition_value(statement, "Bool", "aws:SecureTransport")
    )


def applies_to_everyone(statement: dict) -> bool:
    return _is_everyone(statement.get("Principal"))


def actions(statement: dict) -> list[str]:
    return [a.lower() for a in as_list(statement.get("Action", ABSENT)) if isinstance(a, str)]


def resource_coverage(statement: dict) -> tuple[bool, bool]:
    """Whether the statement's Resource covers (the bucket itself, its objects)."""
    bucket = objects = False
    for resource in as_list(statement.get("Resource", ABSENT)):
        text = resource.text if isinstance(resource, Unknown) else resource
        if isinstance(resource, Reference):
            bucket = True  # !GetAtt Bucket.Arn
        elif isinstance(text, str):
            if text == "*" or text.endswith(":::*"):
                bucket = objects = True
            elif text.endswith("/*"):
                objects = True
            elif "/" not in text.split(":::")[-1]:
                bucket = True
    return bucket, objects


def requires_kms_uploads(statement: dict) -> bool:
    """A Deny on PutObject unless the request asks for ``aws:kms`` encryption."""
    return (
        statement.get("Effect") == "Deny"
        and any(a in ("s3:putobject", "s3:*", "*") for a in actions(statement))
        and "aws:kms" in _condition_value(statement, "StringNotEquals", "s3:x-amz-server-side-encryption")
    )
