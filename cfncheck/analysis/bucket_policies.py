"""The bucket policies of a bucket, and the statements that guard it.

Statements are read with the shared policy walker (``cfncheck.analysis.policy``); this module
only knows what S3 makes of them.

A bucket policy names its bucket by ``Ref``, by a literal name, or by a name built with
``Fn::Sub``/``Fn::Join``; ``policies_of`` follows all three. When some policy names a bucket
that cannot be known, nobody can say the bucket has no policy: the answer is ``None``.
"""

from __future__ import annotations

from cfncheck.analysis.other_tools import adds_resources
from cfncheck.analysis.policy import (
    RESOURCE,
    Statement,
    condition_values,
    is_public,
    only_secure_transport,
    policy_statements,
    strings,
)
from cfncheck.context import Context
from cfncheck.template import Resource
from cfncheck.values import Reference, Unknown

BUCKET_POLICY = "AWS::S3::BucketPolicy"


def policies_of(ctx: Context, bucket: Resource) -> list[Resource] | None:
    """The in-template bucket policies attached to ``bucket``; None when that cannot be known
    (also when modules add resources the template does not show)."""
    if adds_resources(ctx.template):
        return None
    names = {alt.value for alt in ctx.values(bucket, "Properties.BucketName") if isinstance(alt.value, str)}
    found = []
    for policy in ctx.resources(BUCKET_POLICY):
        for alt in ctx.values(policy, "Properties.Bucket"):
            value = alt.value
            named = ctx.follow(value)
            if named is not None:
                if named.resource is bucket:
                    found.append(policy)
                    break
            elif isinstance(value, str):
                if value in names:
                    found.append(policy)
                    break
            elif isinstance(value, Unknown) and not value.refs:
                return None
    return found


def document_known(ctx: Context, policy: Resource) -> bool:
    """Whether the policy document can be read (a parameter or an import cannot)."""
    return not any(isinstance(alt.value, Unknown) for alt in ctx.values(policy, "Properties.PolicyDocument"))


def bucket_statements(ctx: Context, policy: Resource) -> list[Statement]:
    return list(policy_statements(ctx, policy, (RESOURCE,)))


def _condition_values(statement: Statement, operator: str, key: str) -> list[str]:
    """The known values a statement's Condition tests ``key`` against with ``operator``, lower case."""
    return [
        str(value).lower()
        for value in condition_values(statement, key, operator)
        if not isinstance(value, (Unknown, Reference))
    ]


def refuses_plain_http(statement: Statement) -> bool:
    """A Deny conditioned on ``aws:SecureTransport: false`` or ``s3:TlsVersion < 1.2``."""
    return statement.effect == "Deny" and (
        "false" in _condition_values(statement, "Bool", "aws:SecureTransport")
        or any(_at_most_tls12(v) for v in _condition_values(statement, "NumericLessThan", "s3:TlsVersion"))
    )


def _at_most_tls12(value: str) -> bool:
    try:
        return float(value) >= 1.2
    except ValueError:
        return False


def grants_anonymous_over_tls(statement: Statement) -> bool:
    """An Allow to everyone whose only guard is ``aws:SecureTransport: true``."""
    return statement.allows and is_public(statement.principal) and only_secure_transport(statement)


def applies_to_everyone(statement: Statement) -> bool:
    return is_public(statement.principal)


def actions(statement: Statement) -> list[str]:
    return [action.lower() for action in strings(statement.actions)]


def resource_coverage(resources: tuple | None) -> tuple[bool, bool]:
    """Whether a statement's Resource items cover (the bucket itself, its objects)."""
    bucket = objects = False
    for resource in resources or ():
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


def requires_kms_uploads(statement: Statement) -> bool:
    """A Deny on PutObject unless the request asks for ``aws:kms`` encryption."""
    return (
        statement.effect == "Deny"
        and any(a in ("s3:putobject", "s3:*", "*") for a in actions(statement))
        and "aws:kms" in _condition_values(statement, "StringNotEquals", "s3:x-amz-server-side-encryption")
    )
