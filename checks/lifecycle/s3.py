"""S3 buckets: object versions, and what deleting the stack does to a bucket it fills."""

from __future__ import annotations

from cfncheck.analysis.custom_resources import handed_to_custom_resources
from cfncheck.analysis.log_delivery import BUCKET, deliveries_into, is_log_bucket
from cfncheck.analysis.other_tools import emptied_on_delete
from cfncheck.analysis.tags import tags
from cfncheck.api import ABSENT, INFO, WARNING, Unknown, check

KEEPING = ("Retain", "RetainExceptOnCreate")


@check(
    "S3006",
    "s3-versioning-disabled",
    WARNING,
    types=[BUCKET],
    options={"exempt_log_buckets": True, "exempt_tags": []},
    fix="Set `VersioningConfiguration: {Status: Enabled}` (with a lifecycle rule that expires noncurrent versions).",
    example="""
    Data:
      Type: AWS::S3::Bucket
      Properties:
        BucketName: orders-data
    """,
)
def s3_versioning_disabled(bucket, ctx):
    """Versioning keeps every version of every object, so an overwrite or a delete — by mistake, by
    a bug, by ransomware — can be undone: "It is best practice to version your buckets" (seed notes
    001 #140, 002 S3-06). Buckets are unversioned unless configured (`Status` absent or
    `Suspended`).

    Options: `exempt_log_buckets` (default true) leaves out buckets that receive logs (their
    objects are written once and never changed); `exempt_tags` lists tag keys, or `Key=Value`
    pairs, that mark buckets whose data can be recreated (scratch, caches, build artifacts).
    """
    if ctx.options["exempt_log_buckets"] and is_log_bucket(ctx, bucket):
        return
    exempt = [_tag_pattern(text) for text in ctx.options["exempt_tags"]]
    for scenario, (status, labels) in ctx.joint(
        ctx.values(bucket, "Properties.VersioningConfiguration.Status"), tags(ctx, bucket)
    ):
        if status not in (ABSENT, "Suspended") or isinstance(labels, Unknown):
            continue
        if any(key in labels and value in (None, labels[key]) for key, value in exempt):
            continue
        stated = "is Suspended" if status == "Suspended" else "is not enabled"
        yield ctx.finding(
            bucket,
            "Properties.VersioningConfiguration" + (".Status" if status == "Suspended" else ""),
            f"Versioning {stated}: an overwritten or deleted object cannot be recovered. Set "
            "VersioningConfiguration Status: Enabled (and expire noncurrent versions with a lifecycle rule).",
            scenario,
        )


def _tag_pattern(text: str) -> tuple[str, str | None]:
    key, _, value = str(text).partition("=")
    return key, value if "=" in str(text) else None


@check(
    "S3011",
    "s3-bucket-delete-non-empty",
    INFO,
    types=[BUCKET],
    fix="Set `DeletionPolicy: Retain` (and `UpdateReplacePolicy: Retain`), or empty the bucket on deletion with a "
    "custom resource.",
    example="""
    Logs:
      Type: AWS::S3::Bucket
      Properties: {}
    Trail:
      Type: AWS::CloudTrail::Trail
      Properties:
        IsLogging: true
        S3BucketName: !Ref Logs
    """,
)
def s3_bucket_delete_non_empty(bucket, ctx):
    """CloudFormation cannot delete a bucket that holds objects ("to delete an S3 bucket, you need to
    first empty the bucket", seed notes 002 CFN-03, 001 #27): deleting the stack then fails with
    the bucket left behind.

    Reported for buckets the run itself fills — log destinations of its trails, load balancers,
    distributions, flow logs, buckets — whose effective DeletionPolicy is Delete (the default):
    their deletion fails for certain. Other buckets are not reported: whether they hold objects at
    deletion time is not in the template, and for a data bucket the failure keeps the data. A
    custom resource of the template that names the bucket (the CDK's auto-delete-objects, say) is
    taken to empty it in the scenarios where it exists, and so is rain's
    `Metadata: {Rain: {EmptyOnDelete: true}}`.
    """
    deliveries = deliveries_into(ctx, bucket)
    if not deliveries or emptied_on_delete(bucket):
        return
    source = deliveries[0]
    emptied = handed_to_custom_resources(ctx, bucket)
    for alt in ctx.values(bucket, "DeletionPolicy"):
        if alt.value in KEEPING or not (alt.value is ABSENT or alt.value == "Delete"):
            continue
        written = "DeletionPolicy is Delete" if alt.value == "Delete" else "DeletionPolicy defaults to Delete"
        for scenario in ctx.uncovered(emptied, alt.scenario) or ():
            yield ctx.finding(
                bucket,
                "DeletionPolicy",
                f"{written}, but {source.source.logical_id} writes {source.logs} into this bucket: CloudFormation "
                "cannot delete a bucket that holds objects, so deleting the stack will fail. Set DeletionPolicy: "
                "Retain, or empty the bucket with a custom resource.",
                scenario,
                related=[source.location(ctx, message=f"{source.source.logical_id} sends its {source.logs} here")],
            )
