"""Load balancers the service refuses."""

from __future__ import annotations

from cfncheck.analysis.bucket_policies import policies_of
from cfncheck.analysis.wiring import depends_on
from cfncheck.api import ABSENT, ERROR, as_bool, check

V2, CLASSIC = "AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::ElasticLoadBalancing::LoadBalancer"


def _log_bucket(balancer, body: dict):
    """(path, bucket value) of the access-log bucket of a load balancer that writes access logs."""
    if balancer.type == CLASSIC:
        policy = body.get("AccessLoggingPolicy", ABSENT)
        if isinstance(policy, dict) and as_bool(policy.get("Enabled", ABSENT), False):
            return ("Properties", "AccessLoggingPolicy", "S3BucketName"), policy.get("S3BucketName")
        return None
    attributes = body.get("LoadBalancerAttributes", [])
    pairs = {}
    for index, attribute in enumerate(attributes if isinstance(attributes, list) else []):
        if isinstance(attribute, dict):
            pairs[attribute.get("Key")] = (index, attribute.get("Value"))
    if "access_logs.s3.bucket" not in pairs or not as_bool(pairs.get("access_logs.s3.enabled", (0, ABSENT))[1], False):
        return None
    index, value = pairs["access_logs.s3.bucket"]
    return ("Properties", "LoadBalancerAttributes", index, "Value"), value


@check(
    "ELB006",
    "elb-access-log-bucket-invalid",
    ERROR,
    types=[V2, CLASSIC],
    fix="Give the log bucket a bucket policy that lets Elastic Load Balancing write (the logdelivery."
    "elasticloadbalancing.amazonaws.com principal, or the region's ELB account), and make the load balancer "
    "DependsOn it.",
    example="Resources:\n  Logs:\n    Type: AWS::S3::Bucket\n  Lb:\n"
    "    Type: AWS::ElasticLoadBalancingV2::LoadBalancer\n"
    "    Properties:\n      Subnets: [subnet-12345678, subnet-87654321]\n      LoadBalancerAttributes:\n"
    "        - {Key: access_logs.s3.enabled, Value: 'true'}\n        - {Key: access_logs.s3.bucket, Value: !Ref Logs}",
    deploy_failure=True,
)
def access_log_bucket_invalid(balancer, ctx):
    """A load balancer writing access logs to a bucket of this template that it may not write to
    when it is created: the bucket has no bucket policy, or the load balancer does not wait for it
    (no DependsOn). Elastic Load Balancing tests the bucket when logging is turned on and refuses
    ("Access Denied for bucket: … Please check S3bucket permission"). A bucket of another stack,
    or a policy another check reads, is not judged here. Source: the Elastic Load Balancing user
    guide, "Enable access logs for your Application Load Balancer" (bucket permissions)."""
    for alt in ctx.values(balancer, "Properties"):
        body = alt.value
        found = _log_bucket(balancer, body) if isinstance(body, dict) else None
        if found is None:
            continue
        path, value = found
        bucket = ctx.local(value)
        if bucket is None or bucket.type != "AWS::S3::Bucket":
            continue
        policies = policies_of(ctx, bucket)
        if policies is None or policies and any(depends_on(ctx, balancer, policy) for policy in policies):
            continue
        why = (
            f"the load balancer does not DependsOn {policies[0].logical_id}, so it may be created first"
            if policies
            else f"bucket {bucket.logical_id} has no bucket policy letting Elastic Load Balancing write"
        )
        message = f'Elastic Load Balancing refuses the access logs ("Access Denied for bucket"): {why}.'
        yield ctx.finding(balancer, path, message, alt.scenario)
