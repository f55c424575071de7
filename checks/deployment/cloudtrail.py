"""CloudTrail trails the service refuses."""

from __future__ import annotations

from cfncheck.analysis.bucket_policies import bucket_statements, document_known, policies_of
from cfncheck.analysis.policy import services
from cfncheck.analysis.wiring import depends_on
from cfncheck.api import ABSENT, ERROR, as_bool, check

TRAIL = "AWS::CloudTrail::Trail"
REFUSED = "InsufficientS3BucketPolicyException: Incorrect S3 bucket policy is detected for bucket"


def _grants_cloudtrail(ctx, policy) -> bool | None:
    """Whether a bucket policy lets CloudTrail write; None when its document is not known."""
    if not document_known(ctx, policy):
        return None
    return any(
        statement.allows and any(name.startswith("cloudtrail.") for name in services(statement.principal))
        for statement in bucket_statements(ctx, policy)
    )


@check(
    "TRAIL004",
    "cloudtrail-bucket-policy-missing",
    ERROR,
    types=[TRAIL],
    fix="Add an AWS::S3::BucketPolicy letting cloudtrail.amazonaws.com call s3:GetBucketAcl on the bucket and "
    "s3:PutObject on AWSLogs/, and make the trail DependsOn it.",
    example="Resources:\n  Logs:\n    Type: AWS::S3::Bucket\n  Trail:\n    Type: AWS::CloudTrail::Trail\n"
    "    Properties:\n      IsLogging: true\n      S3BucketName: !Ref Logs",
    deploy_failure=True,
)
def bucket_policy_missing(trail, ctx):
    """A trail writing to a bucket of this template that CloudTrail may not write to: no bucket
    policy, a policy that grants cloudtrail.amazonaws.com nothing, or a policy the trail does not
    wait for (no DependsOn, so CloudFormation may create the trail first). CloudTrail checks the
    policy when the trail is created and refuses it ("InsufficientS3BucketPolicyException:
    Incorrect S3 bucket policy is detected for bucket"). A bucket of another stack, or a policy
    that cannot be read, is not judged. Source: the CloudTrail user guide, "Amazon S3 bucket
    policy for CloudTrail"."""
    for alt in ctx.values(trail, "Properties.S3BucketName"):
        bucket = ctx.local(alt.value)
        if bucket is None or bucket.type != "AWS::S3::Bucket":
            continue
        policies = policies_of(ctx, bucket)
        if policies is None:
            continue
        verdicts = [(policy, _grants_cloudtrail(ctx, policy)) for policy in policies]
        if any(verdict is None for _, verdict in verdicts):
            continue
        granting = [policy for policy, verdict in verdicts if verdict]
        if not policies:
            why = f"bucket {bucket.logical_id} has no bucket policy"
        elif not granting:
            why = f"the policy of bucket {bucket.logical_id} grants cloudtrail.amazonaws.com nothing"
        elif not any(depends_on(ctx, trail, policy) for policy in granting):
            why = f"the trail does not DependsOn {granting[0].logical_id}, so it may be created before the policy"
        else:
            continue
        message = f'CloudTrail refuses the trail ("{REFUSED}"): {why}.'
        yield ctx.finding(trail, "Properties.S3BucketName", message, alt.scenario)


@check(
    "TRAIL005",
    "cloudtrail-cloudwatch-logs-config",
    ERROR,
    types=[TRAIL],
    fix="Give CloudWatchLogsLogGroupArn and CloudWatchLogsRoleArn together (the role lets CloudTrail write to "
    "the log group), or neither.",
    example="Resources:\n  Trail:\n    Type: AWS::CloudTrail::Trail\n    Properties:\n      IsLogging: true\n"
    "      S3BucketName: trail-logs\n"
    "      CloudWatchLogsLogGroupArn: arn:aws:logs:us-east-1:123456789012:log-group:trail:*",
    deploy_failure=True,
)
def cloudwatch_logs_config(trail, ctx):
    """A trail with a CloudWatch Logs log group and no role to write to it, or a role and no log
    group: CloudTrail needs both and refuses the trail otherwise (InvalidCloudWatchLogsRoleArn /
    InvalidCloudWatchLogsLogGroupArn). Source: the CloudTrail CreateTrail API reference."""
    for alt in ctx.values(trail, "Properties"):
        body = alt.value
        if not isinstance(body, dict):
            continue
        given = [key for key in ("CloudWatchLogsLogGroupArn", "CloudWatchLogsRoleArn") if key in body]
        if len(given) == 1:
            other = "CloudWatchLogsRoleArn" if given[0] == "CloudWatchLogsLogGroupArn" else "CloudWatchLogsLogGroupArn"
            message = f"{given[0]} without {other}: CloudTrail needs both to send events to CloudWatch Logs."
            yield ctx.finding(trail, ("Properties", given[0]), message, alt.scenario)


@check(
    "TRAIL006",
    "cloudtrail-global-events-disabled",
    ERROR,
    types=[TRAIL],
    fix="Remove IncludeGlobalServiceEvents: false from the multi-Region trail (it records global events).",
    example="Resources:\n  Trail:\n    Type: AWS::CloudTrail::Trail\n    Properties:\n      IsLogging: true\n"
    "      S3BucketName: trail-logs\n      IsMultiRegionTrail: true\n      IncludeGlobalServiceEvents: false",
    deploy_failure=True,
)
def global_events_disabled(trail, ctx):
    """A multi-Region trail that excludes global service events: CloudTrail refuses the combination
    ("InvalidParameterCombinationException: Multi-Region trail must include global service
    events"). Source: the CloudTrail CreateTrail API reference (IncludeGlobalServiceEvents)."""
    for alt in ctx.values(trail, "Properties"):
        body = alt.value
        if not isinstance(body, dict):
            continue
        multi = as_bool(body.get("IsMultiRegionTrail", ABSENT), False)
        global_events = as_bool(body.get("IncludeGlobalServiceEvents", ABSENT), True)
        if multi is True and global_events is False:
            message = (
                'A multi-Region trail with IncludeGlobalServiceEvents false: CloudTrail refuses it ("Multi-Region '
                'trail must include global service events").'
            )
            yield ctx.finding(trail, "Properties.IncludeGlobalServiceEvents", message, alt.scenario)
