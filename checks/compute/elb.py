"""Load balancer generations."""

from __future__ import annotations

from cfncheck.api import WARNING, check


@check(
    "ELB007",
    "elb-classic-load-balancer",
    WARNING,
    types=["AWS::ElasticLoadBalancing::LoadBalancer"],
    fix="Replace the Classic Load Balancer with an Application Load Balancer (HTTP/HTTPS) or a Network Load "
    "Balancer (TCP/UDP/TLS): `AWS::ElasticLoadBalancingV2::LoadBalancer` with target groups and listeners.",
    example="""
    Classic:
      Type: AWS::ElasticLoadBalancing::LoadBalancer
      Properties:
        Subnets: [!Ref SubnetA, !Ref SubnetB]
        Listeners: [{LoadBalancerPort: '80', InstancePort: '80', Protocol: HTTP}]
    """,
)
def classic_load_balancer(lb, ctx):
    """Classic Load Balancers are the previous generation: "it is recommended to use the newer / v2
    generation load balancers as they provide more features" (seed notes 001 #91, 002 ELB-01, 003
    #56) — target groups, path and host routing, several certificates with SNI, redirects, Lambda
    and IP targets, which a Classic Load Balancer never gets.
    """
    yield ctx.finding(
        lb,
        "Type",
        "This is a Classic Load Balancer, the previous generation (no target groups, one certificate per "
        "listener, no redirects): migrate to an Application or Network Load Balancer.",
        lb.exists_in,
    )
