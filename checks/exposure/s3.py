"""Exposure of S3 buckets: public ACLs, public bucket policies, Block Public Access."""

from __future__ import annotations

from cfncheck.analysis.policy import only_secure_transport, strings
from cfncheck.api import ABSENT, ERROR, INFO, WARNING, Context, Resource, Scenario, as_bool, check

from . import allowing_statements, public_grant

PUBLIC_ACCESS_FLAGS = ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")


@check(
    "S3001",
    "s3-public-acl",
    ERROR,
    types=["AWS::S3::Bucket"],
    fix="Remove AccessControl (or set Private) and grant access with a bucket policy to named principals.",
    tags=("security",),
)
def s3_public_acl(bucket, ctx):
    """A public canned ACL (PublicRead, PublicReadWrite, AuthenticatedRead) opens the bucket's listing to
    everyone, and PublicReadWrite lets anyone write to it.

    Since April 2023 new buckets have ACLs disabled (``ObjectOwnership: BucketOwnerEnforced``) and Block
    Public Access on: a public ACL then makes the stack fail (error). Only where ObjectOwnership allows
    ACLs and BlockPublicAcls is explicitly off does a read ACL deploy — and the bucket is public (warning).
    PublicReadWrite is always an error."""
    for scenario, (acl, ownership, block_config, block_acls) in ctx.joint(
        ctx.values(bucket, "Properties.AccessControl"),
        ctx.values(bucket, "Properties.OwnershipControls.Rules.0.ObjectOwnership"),
        ctx.values(bucket, "Properties.PublicAccessBlockConfiguration"),
        ctx.values(bucket, "Properties.PublicAccessBlockConfiguration.BlockPublicAcls"),
    ):
        if acl not in ("PublicRead", "PublicReadWrite", "AuthenticatedRead"):
            continue
        acls_disabled = ownership is ABSENT or ownership == "BucketOwnerEnforced"
        blocked = block_config is ABSENT or as_bool(block_acls) is True
        if acl == "PublicReadWrite":
            message = "Remove AccessControl PublicReadWrite: it lets anyone write to and delete from the bucket."
            severity = ERROR
        elif acls_disabled or blocked:
            reason = (
                "ACLs are disabled (ObjectOwnership BucketOwnerEnforced, the default)"
                if acls_disabled
                else "BlockPublicAcls is on"
            )
            message = f"Remove AccessControl {acl}: {reason}, so the stack fails; grant access with a bucket policy."
            severity = ERROR
        elif ownership in ("ObjectWriter", "BucketOwnerPreferred") and as_bool(block_acls) is False:
            message = f"Remove AccessControl {acl}: it makes the bucket readable by everyone."
            severity = WARNING
        else:
            continue  # the ownership or block setting is not known
        yield ctx.finding(bucket, "Properties.AccessControl", message, scenario, severity=severity)


def _read_only(action: str) -> bool:
    return action.lower().startswith(("s3:get", "s3:list"))


@check(
    "S3002",
    "s3-bucket-policy-public",
    ERROR,
    types=["AWS::S3::BucketPolicy"],
    fix="Grant named principals (or CloudFront through OAC) instead of '*', or add a condition such as "
    "aws:SourceVpce, aws:SourceArn or aws:PrincipalOrgID.",
    tags=("security",),
)
def s3_bucket_policy_public(policy, ctx):
    """A bucket policy that allows anyone (``Principal: "*"`` or NotPrincipal), with no condition on
    source, network or organization, makes the bucket public.

    Write, delete, ``s3:*``, policy or ACL actions are errors; read-only actions (``s3:Get*``,
    ``s3:List*``) are warnings, and info on a bucket with WebsiteConfiguration (an intentional website).
    A statement whose only condition is ``aws:SecureTransport: true`` is left to S3004."""
    for statement in allowing_statements(policy, ctx):
        key = public_grant(statement)
        if key is None or only_secure_transport(statement):
            continue
        if statement.not_actions is not None:
            writes = ["every action but " + ", ".join(strings(statement.not_actions))]
        elif strings(statement.actions):
            writes = [a for a in strings(statement.actions) if not _read_only(a)]
        else:
            continue
        if writes:
            yield ctx.finding(
                policy,
                statement.at(key),
                f"Anyone can call {', '.join(writes)} on this bucket: grant named principals instead of '*', or "
                "add a condition (aws:SourceVpce, aws:SourceArn, aws:PrincipalOrgID).",
                statement.scenario,
            )
            continue
        for scenario, website in _website(ctx, policy, statement.scenario):
            if website:
                message = (
                    "This website bucket is readable by everyone: if that is intended, consider serving it "
                    "through CloudFront with origin access control and keeping the bucket private."
                )
            else:
                message = (
                    "Anyone can read this bucket: grant CloudFront (origin access control) or named principals "
                    "instead of '*', or add a condition (aws:SourceVpce, aws:SourceArn, aws:PrincipalOrgID)."
                )
            yield ctx.finding(policy, statement.at(key), message, scenario, severity=INFO if website else WARNING)


def _website(ctx: Context, policy: Resource, scenario: Scenario) -> list[tuple[Scenario, bool]]:
    """Whether the policy's bucket (when in the run) has WebsiteConfiguration, per scenario."""
    result = []
    for merged, (value,) in ctx.joint(ctx.values(policy, "Properties.Bucket"), within=scenario):
        bucket = ctx.follow(value, merged)
        if bucket is None or bucket.type != "AWS::S3::Bucket":
            result.append((merged, False))
            continue
        for inner, (website,) in ctx.joint(bucket.values("Properties.WebsiteConfiguration"), within=merged):
            result.append((inner, website is not ABSENT))
    return result


@check(
    "S3003",
    "s3-public-access-block-disabled",
    WARNING,
    types=["AWS::S3::Bucket"],
    fix="Set all four PublicAccessBlockConfiguration flags (BlockPublicAcls, BlockPublicPolicy, IgnorePublicAcls, "
    "RestrictPublicBuckets) to true.",
    options={"public_intent_tags": []},
    tags=("security",),
)
def s3_public_access_block(bucket, ctx):
    """Block Public Access is the account's safety net against a public ACL or policy; a bucket that
    turns a flag off (explicitly, or by omitting it from a configuration it writes: omitted flags are
    false) can be made public by a later change.

    Since April 2023 new buckets have all four flags on by default, so an absent configuration exposes
    nothing: info only, to document the intent. A flag off on a bucket with WebsiteConfiguration, or
    with a tag listed in the ``public_intent_tags`` option, is info."""
    intent_tags = {str(tag) for tag in ctx.options.get("public_intent_tags", ())}
    for scenario, (config, website, tags) in ctx.joint(
        ctx.values(bucket, "Properties.PublicAccessBlockConfiguration"),
        ctx.values(bucket, "Properties.WebsiteConfiguration"),
        ctx.values(bucket, "Properties.Tags"),
    ):
        path = "Properties.PublicAccessBlockConfiguration"
        if config is ABSENT:
            yield ctx.finding(
                bucket,
                path,
                "Add PublicAccessBlockConfiguration with all four flags true to state that the bucket is never "
                "public (new buckets block public access by default).",
                scenario,
                severity=INFO,
            )
            continue
        if not isinstance(config, dict):
            continue
        off = [flag for flag in PUBLIC_ACCESS_FLAGS if as_bool(config.get(flag, False)) is False]
        if not off:
            continue
        explicit = [flag for flag in off if flag in config]
        tagged = isinstance(tags, list) and any(isinstance(t, dict) and t.get("Key") in intent_tags for t in tags)
        intended = website is not ABSENT or tagged
        yield ctx.finding(
            bucket,
            f"{path}.{explicit[0]}" if explicit else path,
            f"Set {', '.join(off)} to true in PublicAccessBlockConfiguration"
            + (" (omitted flags are false)." if len(explicit) < len(off) else "."),
            scenario,
            severity=INFO if intended else WARNING,
        )
