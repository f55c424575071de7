"""Subnet classification: which subnets of a template are public.

A subnet is public when the route table associated with it (``AWS::EC2::SubnetRouteTableAssociation``)
sends ``0.0.0.0/0`` or ``::/0`` to an internet gateway of the template (or a literal ``igw-`` id).
Only what the template shows is classified: a subnet passed as a parameter or imported, or one
whose route table is not in the template, is unknown, never guessed public or private.
"""

from __future__ import annotations

from cfncheck.analysis.cidr import is_world
from cfncheck.context import Context
from cfncheck.template import Resource
from cfncheck.values import ABSENT, Scenario

SUBNET = "AWS::EC2::Subnet"
INTERNET_GATEWAY = "AWS::EC2::InternetGateway"


def _internet_gateway(ctx: Context, value) -> bool:
    target = ctx.follow(value)
    if target is not None:
        return target.type == INTERNET_GATEWAY
    return isinstance(value, str) and value.startswith("igw-")


def public_route_tables(ctx: Context) -> list[tuple[Resource, Scenario]]:
    """The route tables of the template with a default route to an internet gateway, and when."""
    found = []
    for route in ctx.resources("AWS::EC2::Route"):
        for scenario, (table, ipv4, ipv6, gateway) in ctx.joint(
            ctx.values(route, "Properties.RouteTableId"),
            ctx.values(route, "Properties.DestinationCidrBlock"),
            ctx.values(route, "Properties.DestinationIpv6CidrBlock"),
            ctx.values(route, "Properties.GatewayId"),
        ):
            table = ctx.local(table)
            if table is not None and (is_world(ipv4) or is_world(ipv6)) and _internet_gateway(ctx, gateway):
                found.append((table, scenario))
    return found


def public_subnets(ctx: Context) -> list[tuple[Resource, Scenario]]:
    """The subnets of the template associated with a route table that routes to an internet gateway."""
    tables = public_route_tables(ctx)
    found = []
    for association in ctx.resources("AWS::EC2::SubnetRouteTableAssociation"):
        for scenario, (subnet, table) in ctx.joint(
            ctx.values(association, "Properties.SubnetId"), ctx.values(association, "Properties.RouteTableId")
        ):
            subnet, table = ctx.local(subnet), ctx.local(table)
            if subnet is None or table is None or subnet.type != SUBNET:
                continue
            for public_table, route_scenario in tables:
                merged = ctx.merge(scenario, route_scenario)
                if public_table is table and merged is not None:
                    found.append((subnet, merged))
    return found


def route_tables_of(ctx: Context) -> dict[str, list[tuple[Resource, Scenario]]]:
    """The route tables of the template each subnet of the template is associated with, and when.
    A subnet missing here uses its VPC's main route table, which a template does not show."""
    found: dict[str, list[tuple[Resource, Scenario]]] = {}
    for association in ctx.resources("AWS::EC2::SubnetRouteTableAssociation"):
        for scenario, (subnet, table) in ctx.joint(
            ctx.values(association, "Properties.SubnetId"), ctx.values(association, "Properties.RouteTableId")
        ):
            subnet, table = ctx.local(subnet), ctx.local(table)
            if subnet is not None and table is not None and subnet.type == SUBNET:
                found.setdefault(subnet.logical_id, []).append((table, scenario))
    return found


def default_routes_known(ctx: Context, table: Resource) -> bool:
    """Whether every route of the template that could be in ``table`` is known: a route whose table
    cannot be read might be in it, and a route of the table whose gateway cannot be read might lead
    to an internet gateway."""
    for route in ctx.resources("AWS::EC2::Route"):
        for _, (target, gateway) in ctx.joint(
            ctx.values(route, "Properties.RouteTableId"), ctx.values(route, "Properties.GatewayId")
        ):
            named = ctx.local(target)
            if named is None and not isinstance(target, str):
                return False
            if named is table and gateway is not ABSENT and ctx.local(gateway) is None and not isinstance(gateway, str):
                return False
    return True
