"""S3 server access logs: turned on, and delivered to a bucket that accepts them."""

from __future__ import annotations

from cfncheck.analysis.log_delivery import (
    BUCKET,
    S3_ACCESS_LOGS,
    grants_delivery,
    is_log_bucket,
    records_object_events,
)
from cfncheck.api import ABSENT, INFO, WARNING, Unknown, check, lookup


@check(
    "S3007",
    "s3-access-logging-disabled",
    INFO,
    types=[BUCKET],
    fix="Add `LoggingConfiguration` with `DestinationBucketName` naming a separate log bucket.",
    example="""
    Data:
      Type: AWS::S3::Bucket
      Properties:
        BucketName: orders-data
    """,
)
def s3_access_logging_disabled(bucket, ctx):
    """Server access logs record every request made to a bucket — who, what, when, from where —
    for audits and investigations; S3 keeps no such record unless told to (seed notes 001 #148,
    002 S3-09).

    Not reported: a bucket that is itself a log destination (it would log its own log deliveries),
    and a bucket whose object-level API calls a trail of the run records as CloudTrail data
    events, the other way AWS offers to log requests. Info, not the catalog's warning: an
    account-wide trail with S3 data events (an organization trail, say) records the same requests
    and is invisible to a template, and the advice falls on most buckets (386 findings over the
    two corpora).
    """
    missing = [alt for alt in ctx.values(bucket, "Properties.LoggingConfiguration") if alt.value is ABSENT]
    if not missing or is_log_bucket(ctx, bucket) or records_object_events(ctx, bucket):
        return
    for alt in missing:
        yield ctx.finding(
            bucket,
            "Properties.LoggingConfiguration",
            "Turn on server access logging: add LoggingConfiguration with DestinationBucketName naming a separate "
            "log bucket, so requests to this bucket can be audited.",
            alt.scenario,
        )


@check(
    "S3008",
    "s3-access-log-destination-invalid",
    WARNING,
    types=[BUCKET],
    fix="Send the logs to a separate bucket whose policy allows `logging.s3.amazonaws.com` to `s3:PutObject`.",
    example="""
    Data:
      Type: AWS::S3::Bucket
      Properties:
        LoggingConfiguration:
          LogFilePrefix: access/
    """,
)
def s3_access_log_destination_invalid(bucket, ctx):
    """Server access logs must go to another bucket, and that bucket must let S3's logging service
    write (seed notes 001 #148 #149: "Do not set your logging bucket to be the monitored bucket").

    A bucket that logs into itself — `LoggingConfiguration` without `DestinationBucketName` logs
    to the bucket itself, as CloudFormation documents — logs each log delivery in turn and grows
    without end. A destination bucket of the run whose policy does not allow
    `logging.s3.amazonaws.com` to `s3:PutObject`, and whose ACL is not `LogDeliveryWrite`, never
    receives the logs (with ACLs disabled, the AWS default since 2023, only the policy counts).
    A destination outside the run, or a policy that cannot be read, is not judged.
    """
    for alt in ctx.values(bucket, "Properties.LoggingConfiguration"):
        if not isinstance(alt.value, dict):
            continue
        destination = lookup(alt.value, "DestinationBucketName")
        if destination is ABSENT:
            yield ctx.finding(
                bucket,
                "Properties.LoggingConfiguration",
                "This bucket logs into itself (LoggingConfiguration has no DestinationBucketName): every log "
                "delivery is logged in turn and the bucket grows without end; name a separate log bucket.",
                alt.scenario,
            )
            continue
        path = "Properties.LoggingConfiguration.DestinationBucketName"
        if isinstance(destination, str) and any(
            own.value == destination for own in ctx.values(bucket, "Properties.BucketName")
        ):
            yield ctx.finding(
                bucket,
                path,
                f"This bucket logs into itself ({destination}): every log delivery is logged in turn and the "
                "bucket grows without end; name a separate log bucket.",
                alt.scenario,
            )
            continue
        target = ctx.follow(destination, alt.scenario)
        if target is None or target.type != BUCKET or _acl_delivery(target):
            continue
        if grants_delivery(ctx, target, S3_ACCESS_LOGS) is False:
            yield ctx.finding(
                bucket,
                path,
                f"Log bucket {target.describe()} does not let {S3_ACCESS_LOGS} write: add a bucket policy statement "
                f"allowing {S3_ACCESS_LOGS} s3:PutObject on its objects, or the access logs are never delivered.",
                alt.scenario,
                related=[target.location(ctx, (), message=f"log bucket {target.logical_id}")],
            )


def _acl_delivery(target) -> bool:
    """The log-delivery ACL (or a value that cannot be known): a bucket that uses ACLs this way works,
    or fails to deploy for its ownership setting, which another check reports."""
    return any(
        alt.value == "LogDeliveryWrite" or isinstance(alt.value, Unknown)
        for alt in target.values("Properties.AccessControl")
    )
