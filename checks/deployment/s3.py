"""S3 buckets the service refuses to create."""

from __future__ import annotations

from cfncheck.api import ABSENT, ERROR, check

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
