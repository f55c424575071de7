"""S3 buckets the service refuses to create."""

from __future__ import annotations

from cfncheck.api import ABSENT, ERROR, as_bool, check

from ..exposure import allowing_statements, public_grant

ALLOWED_WHEN_ENFORCED = ("Private", "BucketOwnerFullControl")


def _ownership(body: dict):
    """The ObjectOwnership of the bucket's rules; BucketOwnerEnforced when none is written (the
    default since April 2023); None when not known."""
    controls = body.get("OwnershipControls", ABSENT)
    if controls is ABSENT:
        return "BucketOwnerEnforced"
    rules = controls.get("Rules") if isinstance(controls, dict) else None
    if not isinstance(rules, list):
        return None
    owners = [rule.get("ObjectOwnership") for rule in rules if isinstance(rule, dict)]
    if not owners:
        return "BucketOwnerEnforced"
    return owners[0] if isinstance(owners[0], str) else None


@check(
    "S3009",
    "s3-acl-requires-object-ownership",
    ERROR,
    types=["AWS::S3::Bucket"],
    fix="Drop AccessControl (grant access or log delivery with a bucket policy), or set OwnershipControls "
    "ObjectOwnership to BucketOwnerPreferred or ObjectWriter where an ACL is really needed.",
    deploy_failure=True,
    formerly=("S3001",),
    example="Resources:\n  Logs:\n    Type: AWS::S3::Bucket\n    Properties:\n      AccessControl: LogDeliveryWrite",
)
def acl_requires_object_ownership(bucket, ctx):
    """Since April 2023 new buckets have ACLs disabled (ObjectOwnership BucketOwnerEnforced), and S3
    refuses a canned ACL other than Private on them: "Bucket cannot have ACLs set with
    ObjectOwnership's BucketOwnerEnforced setting" (InvalidBucketAclWithObjectOwnership). A bucket
    with AccessControl LogDeliveryWrite (the old way to receive access logs) and no
    OwnershipControls fails to create, and so does one with a public canned ACL (which S3001
    reports where ACLs are enabled). Source: the S3 user guide, "Controlling ownership of objects
    and disabling ACLs"."""
    for alt in ctx.values(bucket, "Properties"):
        body = alt.value
        if not isinstance(body, dict):
            continue
        acl = body.get("AccessControl", ABSENT)
        if not isinstance(acl, str) or acl in ALLOWED_WHEN_ENFORCED:
            continue
        if _ownership(body) == "BucketOwnerEnforced":
            where = "OwnershipControls" if "OwnershipControls" in body else "no OwnershipControls"
            yield ctx.finding(
                bucket,
                "Properties.AccessControl",
                f"AccessControl {acl} on a bucket whose ACLs are disabled ({where}: BucketOwnerEnforced): S3 refuses "
                'it ("Bucket cannot have ACLs set with ObjectOwnership\'s BucketOwnerEnforced setting").',
                alt.scenario,
            )


def _block_public_policy(bucket: dict):
    """Whether Block Public Access refuses public policies on the bucket: on by default since
    April 2023; None when the setting is not known."""
    config = bucket.get("PublicAccessBlockConfiguration", ABSENT)
    if config is ABSENT:
        return True
    if not isinstance(config, dict):
        return None
    return as_bool(config.get("BlockPublicPolicy", ABSENT), False)


@check(
    "S3010",
    "s3-public-policy-blocked",
    ERROR,
    types=["AWS::S3::BucketPolicy"],
    fix="Grant named principals (CloudFront through origin access control for a website) instead of '*'; or, if "
    "the bucket really must be public, set PublicAccessBlockConfiguration BlockPublicPolicy false.",
    example="Resources:\n  Site:\n    Type: AWS::S3::Bucket\n    Properties:\n"
    "      WebsiteConfiguration: {IndexDocument: index.html}\n  Public:\n    Type: AWS::S3::BucketPolicy\n"
    "    Properties:\n      Bucket: !Ref Site\n      PolicyDocument:\n        Statement:\n"
    "          - {Effect: Allow, Principal: '*', Action: s3:GetObject, Resource: !Sub '${Site.Arn}/*'}",
    deploy_failure=True,
)
def public_policy_blocked(policy, ctx):
    """A public bucket policy (anyone, no restricting condition) on a bucket of this template whose
    Block Public Access refuses public policies — every new bucket since April 2023 unless
    PublicAccessBlockConfiguration turns BlockPublicPolicy off: S3 refuses the policy ("API:
    s3:PutBucketPolicy Access Denied") and the stack fails. The old static-website pattern (a
    bucket and a public read policy) fails this way. Whether the grant is a good idea is S3002's.
    Source: the S3 user guide, "Blocking public access to your Amazon S3 storage" and "The
    meaning of public"."""
    for statement in allowing_statements(policy, ctx):
        key = public_grant(statement)
        if key is None:
            continue
        for alt in ctx.values(policy, "Properties.Bucket"):
            if ctx.merge(alt.scenario, statement.scenario) is None:
                continue
            bucket = ctx.local(alt.value)
            if bucket is None or bucket.type != "AWS::S3::Bucket":
                continue
            for body in ctx.values(bucket, "Properties"):
                both = ctx.merge(alt.scenario, statement.scenario, body.scenario)
                settings = {} if body.value is ABSENT else body.value
                if both is None or not isinstance(settings, dict) or _block_public_policy(settings) is not True:
                    continue
                why = (
                    "Block Public Access is on by default"
                    if "PublicAccessBlockConfiguration" not in settings
                    else "its BlockPublicPolicy is on"
                )
                message = (
                    f'A public policy on bucket {bucket.logical_id}, whose {why}: S3 refuses it ("s3:PutBucketPolicy '
                    "Access Denied\"). Grant named principals or CloudFront instead of '*'."
                )
                yield ctx.finding(policy, statement.at(key), message, both)


@check(
    "S3012",
    "s3-replication-prerequisites",
    ERROR,
    types=["AWS::S3::Bucket"],
    fix="Enable versioning (VersioningConfiguration Status: Enabled) on the replicated bucket and on each "
    "destination bucket.",
    example="Resources:\n  Source:\n    Type: AWS::S3::Bucket\n    Properties:\n      ReplicationConfiguration:\n"
    "        Role: arn:aws:iam::123456789012:role/replication\n        Rules:\n"
    "          - {Status: Enabled, Destination: {Bucket: arn:aws:s3:::replica-bucket}}",
    deploy_failure=True,
)
def replication_prerequisites(bucket, ctx):
    """Replication needs versioning on both ends: S3 refuses a replication configuration on a
    bucket without it ("InvalidRequest: Versioning must be 'Enabled' on the bucket to apply a
    replication configuration") and one whose destination bucket of this template lacks it
    ("Destination bucket must have versioning enabled"). Source: the S3 user guide, "Requirements
    and considerations for replication"."""
    for alt in ctx.values(bucket, "Properties"):
        body = alt.value
        if not isinstance(body, dict) or not isinstance(body.get("ReplicationConfiguration", ABSENT), dict):
            continue
        if not _versioned(body):
            message = (
                'ReplicationConfiguration on a bucket without versioning: S3 refuses it ("Versioning must be '
                "'Enabled' on the bucket to apply a replication configuration\")."
            )
            yield ctx.finding(bucket, "Properties.ReplicationConfiguration", message, alt.scenario)
        rules = body["ReplicationConfiguration"].get("Rules", [])
        for index, rule in enumerate(rules if isinstance(rules, list) else []):
            destination = rule.get("Destination", {}) if isinstance(rule, dict) else {}
            target = ctx.local(destination.get("Bucket")) if isinstance(destination, dict) else None
            if target is None or target.type != "AWS::S3::Bucket":
                continue
            for other in ctx.values(target, "Properties"):
                both = ctx.merge(alt.scenario, other.scenario)
                settings = {} if other.value is ABSENT else other.value
                if both is not None and isinstance(settings, dict) and _versioned(settings) is False:
                    message = (
                        f"Destination bucket {target.logical_id} has no versioning: S3 refuses the replication "
                        '("Destination bucket must have versioning enabled").'
                    )
                    path = ("Properties", "ReplicationConfiguration", "Rules", index, "Destination", "Bucket")
                    yield ctx.finding(bucket, path, message, both)


def _versioned(bucket: dict):
    """Whether a bucket's versioning is Enabled; None when not known."""
    status = bucket.get("VersioningConfiguration", {})
    status = status.get("Status", ABSENT) if isinstance(status, dict) else None
    return None if status is None or not isinstance(status, str) and status is not ABSENT else status == "Enabled"


@check(
    "S3017",
    "s3-bucket-name",
    ERROR,
    fix="Give each bucket a name of its own (names are global: add ${AWS::AccountId} and ${AWS::Region}), or "
    "leave BucketName out and let CloudFormation name it.",
    example="Resources:\n  Logs:\n    Type: AWS::S3::Bucket\n    Properties: {BucketName: acme-logs}\n  Audit:\n"
    "    Type: AWS::S3::Bucket\n    Properties: {BucketName: acme-logs}",
    deploy_failure=True,
)
def bucket_name(ctx):
    """Two buckets of one template with the same name, in scenarios that can both hold: a bucket
    name exists once, so CloudFormation fails to create the second ("acme-logs already exists").
    A name S3 refuses outright (upper case, under 3 characters…) is CFN032's, from the naming rules
    in the schema patch data. Source: the S3 user guide, "General purpose bucket naming rules"
    ("Bucket names must be unique across all AWS accounts in all the AWS Regions within a
    partition")."""
    seen: dict[str, list] = {}
    for bucket in ctx.resources("AWS::S3::Bucket"):
        for alt in ctx.values(bucket, "Properties.BucketName"):
            name = alt.value
            if not isinstance(name, str):
                continue
            for other, scenario in seen.get(name, ()):
                if other is not bucket and (both := ctx.merge(alt.scenario, scenario)) is not None:
                    message = (
                        f"Bucket {other.logical_id} already has the name {name}: bucket names are unique, so creating "
                        "this one fails. Give it another name."
                    )
                    related = [ctx.location(other, "Properties.BucketName", scenario, message="the same name")]
                    yield ctx.finding(bucket, "Properties.BucketName", message, both, related=related)
                    break
            seen.setdefault(name, []).append((bucket, alt.scenario))
