"""Load balancer access logs."""

from __future__ import annotations

from cfncheck.analysis.attributes import attribute
from cfncheck.analysis.log_delivery import delivery_sources
from cfncheck.analysis.referrers import referrers
from cfncheck.api import ABSENT, WARNING, as_bool, check, lookup

ELB_V2 = "AWS::ElasticLoadBalancingV2::LoadBalancer"
CLASSIC = "AWS::ElasticLoadBalancing::LoadBalancer"
LISTENER = "AWS::ElasticLoadBalancingV2::Listener"


@check(
    "ELB005",
    "elb-access-logs-disabled",
    WARNING,
    types=[ELB_V2, CLASSIC],
    fix="Add the load balancer attributes `access_logs.s3.enabled: true` and `access_logs.s3.bucket` (a Classic "
    "Load Balancer: `AccessLoggingPolicy` with `Enabled: true`).",
    example="""
    LoadBalancer:
      Type: AWS::ElasticLoadBalancingV2::LoadBalancer
      Properties:
        Subnets: [!Ref SubnetA, !Ref SubnetB]
    """,
)
def elb_access_logs_disabled(lb, ctx):
    """Access logs record each request a load balancer receives — client, target, latencies,
    status — to debug per request and to investigate; they are off by default (seed notes 001 #96,
    002 ELB-05, 003 #52).

    Application and Classic Load Balancers are reported. A Network Load Balancer only logs TLS
    connections (Elastic Load Balancing guide: "access logs are created only if the load balancer
    has a TLS listener"), so it is reported only when a listener of the run gives it one; a
    Gateway Load Balancer has no access logs. A CloudWatch Logs delivery source of the run for the
    load balancer counts as logging. Whether the bucket accepts the logs is another check's.
    """
    if delivery_sources(ctx, lb):
        return
    if lb.type == CLASSIC:
        for alt in ctx.values(lb, "Properties.AccessLoggingPolicy"):
            if as_bool(lookup(alt.value, "Enabled"), False) is False:
                yield ctx.finding(
                    lb,
                    "Properties.AccessLoggingPolicy",
                    "Turn on access logs: add AccessLoggingPolicy with Enabled: true and S3BucketName, so each "
                    "request to this load balancer is recorded.",
                    alt.scenario,
                )
        return
    for scenario, (kind,) in ctx.joint(ctx.values(lb, "Properties.Type")):
        kind = "application" if kind is ABSENT else kind
        if kind not in ("application", "network"):
            continue
        if kind == "network" and not _has_tls_listener(ctx, lb):
            continue
        for path, alt in attribute(ctx, lb, "access_logs.s3.enabled"):
            both = ctx.merge(scenario, alt.scenario)
            if both is not None and as_bool(alt.value, False) is False:
                yield ctx.finding(
                    lb,
                    path,
                    "Turn on access logs: set the attributes access_logs.s3.enabled: true and access_logs.s3.bucket, "
                    "so each request to this load balancer is recorded.",
                    both,
                )


def _has_tls_listener(ctx, lb) -> bool:
    return any(
        alt.value == "TLS"
        for listener in referrers(ctx, lb, (LISTENER,), ("Properties", "LoadBalancerArn"))
        for alt in listener.ctx.values(listener.resource, "Properties.Protocol")
    )
