"""Availability of outbound traffic: a NAT gateway per Availability Zone."""

from __future__ import annotations

from cfncheck.analysis.zones import Zones, distinct
from cfncheck.api import WARNING, check


@check(
    "VPC001",
    "vpc-nat-gateway-not-per-az",
    WARNING,
    types=["AWS::EC2::NatGateway"],
    fix="Create one NAT gateway per Availability Zone and route each private subnet to the one in its own zone.",
)
def nat_gateway_per_az(nat, ctx):
    """Private subnets that send their internet traffic through a NAT gateway in another zone lose
    egress when that zone fails, and pay for cross-AZ data: use one NAT gateway per zone.

    Follows each private subnet's route table association to its 0.0.0.0/0 route and the NAT
    gateway's own subnet; reported only when the zones involved are known to differ.
    """
    zones = Zones(ctx)
    routes = [route for route in zones.nat_routes() if route.nat is nat]
    served = []
    for route in routes:
        served.extend((route, zone) for zone in zones.subnet_zone(route.subnet, route.scenario))
    for index, (first, first_zone) in enumerate(served):
        for second, second_zone in served[index + 1 :]:
            scenario = ctx.merge(first_zone.scenario, second_zone.scenario)
            if scenario is None:
                continue
            if distinct(first_zone.value, second_zone.value):
                yield ctx.finding(
                    nat,
                    "Properties.SubnetId",
                    f"This NAT gateway serves private subnets in several Availability Zones ({first.subnet.logical_id} "
                    f"in {first_zone.value}, {second.subnet.logical_id} in {second_zone.value}): create a NAT gateway "
                    "in each zone and route each zone's private subnets to their own.",
                    scenario,
                )
                return
    reported = set()
    for route, zone in served:
        for nat_zone in zones.nat_zone(nat, zone.scenario):
            if distinct(zone.value, nat_zone.value) and (route.route.logical_id, nat_zone.scenario) not in reported:
                reported.add((route.route.logical_id, nat_zone.scenario))
                yield ctx.finding(
                    route.route,
                    "Properties.NatGatewayId",
                    f"Private subnet {route.subnet.logical_id} ({zone.value}) sends its internet traffic to NAT "
                    f"gateway {nat.logical_id} in {nat_zone.value}: route it to a NAT gateway in its own zone.",
                    nat_zone.scenario,
                )
