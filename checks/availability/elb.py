"""Availability of load balancers across Availability Zones."""

from __future__ import annotations

from cfncheck.analysis.zones import Zones
from cfncheck.api import ABSENT, ERROR, WARNING, Alt, Child, Unknown, check


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
