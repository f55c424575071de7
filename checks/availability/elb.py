"""Availability of load balancers across Availability Zones: their subnets, cross-zone balancing."""

from __future__ import annotations

from cfncheck.analysis.attributes import TARGET_GROUP_ATTRIBUTES, attribute
from cfncheck.analysis.zones import Zones
from cfncheck.api import ABSENT, ERROR, INFO, WARNING, Alt, Child, Unknown, as_bool, check


@check(
    "ELB003",
    "elb-single-az",
    ERROR,
    types=["AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::ElasticLoadBalancing::LoadBalancer"],
    fix="Give the load balancer subnets in at least two Availability Zones.",
    deploy_failure=True,
    children=[
        Child(
            "ELB021",
            "elb-nlb-clb-single-az",
            WARNING,
            """A Network, Gateway or Classic Load Balancer whose subnets are all in one Availability
            Zone: it deploys, but fails with that zone.""",
            fix="Give the load balancer a subnet in a second Availability Zone.",
            formerly=("ELB003",),
        )
    ],
)
def load_balancer_single_az(lb, ctx):
    """An Application Load Balancer (`Type` absent or application) must have subnets in at least
    two Availability Zones: creation fails otherwise.

    A Network, Gateway or Classic load balancer in a single zone deploys but is not highly
    available (ELB021).
    """
    zones = Zones(ctx)
    if lb.type == "AWS::ElasticLoadBalancing::LoadBalancer":
        kinds = [Alt("classic", lb.exists_in)]
        sources = [
            ("Properties.Subnets", zones.subnets(lb, "Properties.Subnets")),
            ("Properties.AvailabilityZones", zones.zone_list(lb, "Properties.AvailabilityZones")),
        ]
    else:
        kinds = [Alt(alt.value or "application", alt.scenario) for alt in ctx.values(lb, "Properties.Type")]
        sources = [
            ("Properties.Subnets", zones.subnets(lb, "Properties.Subnets")),
            ("Properties.SubnetMappings", zones.subnet_mappings(lb, "Properties.SubnetMappings")),
        ]
    for path, spans in sources:
        for scenario, (kind, span) in ctx.joint(kinds, spans):
            if span is ABSENT or not span.single or isinstance(kind, Unknown):
                continue
            if kind == "application":
                yield ctx.finding(
                    lb,
                    path,
                    f"The subnets of this Application Load Balancer are {span.describe()}: an ALB needs subnets in at "
                    "least two Availability Zones (creation fails otherwise).",
                    scenario,
                )
            else:
                yield ctx.finding(
                    lb,
                    path,
                    f"This load balancer runs {span.describe()}: add a subnet in a second Availability Zone so it "
                    "keeps serving when one zone fails.",
                    scenario,
                    rule="ELB021",
                )


TARGET_GROUP = "AWS::ElasticLoadBalancingV2::TargetGroup"
CROSS_ZONE = "load_balancing.cross_zone.enabled"


@check(
    "ELB008",
    "elb-cross-zone",
    WARNING,
    types=["AWS::ElasticLoadBalancing::LoadBalancer", "AWS::ElasticLoadBalancingV2::LoadBalancer", TARGET_GROUP],
    fix="Set `CrossZone: true` on a Classic Load Balancer.",
    example="""
    Classic:
      Type: AWS::ElasticLoadBalancing::LoadBalancer
      Properties:
        AvailabilityZones: [us-east-1a, us-east-1b]
        Listeners: [{LoadBalancerPort: '80', InstancePort: '80', Protocol: HTTP}]
    """,
    children=[
        Child(
            "ELB013",
            "elb-cross-zone-off",
            INFO,
            "A Network Load Balancer without cross-zone load balancing (its default), or a target group that "
            "turns it off: each zone's node sends only to the targets in its zone, so zones with fewer healthy "
            "targets overload them. With it on, traffic between zones is billed (Network Load Balancers).",
            fix="Set the attribute `load_balancing.cross_zone.enabled` to true, or keep the same number of "
            "targets in each zone.",
        )
    ],
)
def elb_cross_zone(resource, ctx):
    """Without cross-zone load balancing each load balancer node spreads requests only over the
    targets of its own zone: a zone with fewer targets overloads them (seed notes 001 #97, 002
    ELB-02..04, 003 #53).

    A Classic Load Balancer created through the API (and so by CloudFormation) has it off unless
    `CrossZone: true` (the console turns it on): warning. A Network Load Balancer has it off by
    default, and a target group may turn it off (ELB013, info: it is a trade-off, since a Network
    Load Balancer bills the traffic between zones). An Application Load Balancer always balances
    across zones; Gateway Load Balancers are left alone.
    """
    if resource.type == "AWS::ElasticLoadBalancing::LoadBalancer":
        for alt in ctx.values(resource, "Properties.CrossZone"):
            if as_bool(alt.value, False) is False:
                yield ctx.finding(
                    resource,
                    "Properties.CrossZone",
                    "Set CrossZone: true: a Classic Load Balancer made by CloudFormation does not balance across "
                    "zones, so a zone with fewer instances overloads them.",
                    alt.scenario,
                )
        return
    if resource.type == TARGET_GROUP:
        for path, alt in attribute(ctx, resource, CROSS_ZONE, TARGET_GROUP_ATTRIBUTES):
            if alt.value in (False, "false"):
                yield ctx.finding(
                    resource,
                    path,
                    "This target group turns cross-zone load balancing off: each zone's node sends only to the "
                    "targets in its zone, so keep the same number of healthy targets in every zone.",
                    alt.scenario,
                    rule="ELB013",
                )
        return
    for scenario, (kind,) in ctx.joint(ctx.values(resource, "Properties.Type")):
        if kind != "network":
            continue
        for path, alt in attribute(ctx, resource, CROSS_ZONE):
            merged = ctx.merge(scenario, alt.scenario)
            if merged is not None and as_bool(alt.value, False) is False:
                yield ctx.finding(
                    resource,
                    path,
                    "Cross-zone load balancing is off (the default for a Network Load Balancer): each zone's node "
                    "sends only to its own zone's targets. Turn it on, or keep the targets even across zones.",
                    merged,
                    rule="ELB013",
                )
