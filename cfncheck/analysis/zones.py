"""Availability Zones: which zones a subnet list, a zone list or a set of resources covers.

A zone is known by name (``us-east-1a``), by index into ``Fn::GetAZs`` (:class:`AZ`), by zone
id (:class:`ZoneId`, ``use1-az1``) or as an ``AWS::EC2::AvailabilityZone::Name`` parameter with no
value in this run (:class:`ParameterZone`: two subnets in ``!Ref AZ`` share a zone whatever is
passed). Anything else has an unknown zone (``None``): a subnet id written as a literal or passed
as a parameter, an imported subnet, a subnet whose zone AWS picks. Two unknown zones are neither
the same nor different, so a list of them proves nothing; checks report only what
:meth:`Span.single` or :func:`distinct` proves.

Values that depend on Conditions come as ``Alt(span, scenario)``; a resource with a Condition
counts only in the scenarios where it exists.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, NamedTuple

from ..context import parse_path
from ..values import ABSENT, AZ, Alt, Reference, Scenario, Unknown, as_number

if TYPE_CHECKING:
    from ..context import Context
    from ..template import Resource

SUBNET = "AWS::EC2::Subnet"
NAT_GATEWAY = "AWS::EC2::NatGateway"
WORLD = ("0.0.0.0/0",)


class ZoneId(NamedTuple):
    """A zone written by its id (``use1-az1``): the same physical zone in every account."""

    id: str

    def __str__(self) -> str:
        return self.id


class ParameterZone(NamedTuple):
    """The zone an unresolved parameter names (``index`` into it for a list parameter)."""

    parameter: str
    index: int | None = None

    def __str__(self) -> str:
        return f"!Ref {self.parameter}" if self.index is None else f"!Select [{self.index}, !Ref {self.parameter}]"


class RegionZone(NamedTuple):
    """A zone named after the stack's region (``!Sub "${AWS::Region}a"``) when the region is not known."""

    suffix: str

    def __str__(self) -> str:
        return "${AWS::Region}" + self.suffix


Zone = str | AZ | ZoneId | ParameterZone | RegionZone


def distinct(a: Zone | None, b: Zone | None) -> bool | None:
    """True when two zones are provably different, False when provably the same, None when unknown."""
    if a is None or b is None:
        return None
    if a == b:
        return False
    if isinstance(a, str) and isinstance(b, str):
        return True
    if isinstance(a, ZoneId) and isinstance(b, ZoneId):
        return True
    if isinstance(a, RegionZone) and isinstance(b, RegionZone):
        return True
    if isinstance(a, AZ) and isinstance(b, AZ):
        if a.region == b.region or a.region is None or b.region is None:
            return True if a.region == b.region else None
        return True
    return None  # a name, an index, an id and a parameter may all name the same zone


class Span(NamedTuple):
    """The zone of each member of a list (None where unknown); ``zones`` is None when the list
    itself is unknown."""

    zones: tuple[Zone | None, ...] | None

    @property
    def count(self) -> int | None:
        return None if self.zones is None else len(self.zones)

    @property
    def single(self) -> bool:
        """Provably one zone: a single member (whatever its zone), or members all in the same zone."""
        if not self.zones:
            return False
        first = self.zones[0]
        return len(self.zones) == 1 or all(distinct(first, zone) is False for zone in self.zones)

    @property
    def zone(self) -> Zone | None:
        """The one zone of a single span, where it is known."""
        return self.zones[0] if self.single else None

    def spans_two(self) -> bool:
        """Provably two zones or more."""
        zones = self.zones or ()
        return any(distinct(a, b) for i, a in enumerate(zones) for b in zones[i + 1 :])

    def describe(self) -> str:
        """Where the members are, for a message: "in one Availability Zone (us-east-1a)"."""
        zone = self.zone
        where = f" ({zone})" if zone is not None else ""
        return f"{'in' if self.count == 1 else 'all in'} one Availability Zone{where}"


class Route(NamedTuple):
    """A subnet whose default route (0.0.0.0/0) goes to an in-template NAT gateway, in a scenario."""

    subnet: Resource
    nat: Resource
    route: Resource
    scenario: Scenario


class Zones:
    """Zone resolution for one template, through the context's resolver."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.template = ctx.template
        self.region = ctx.resolver.region

    # -- one zone -------------------------------------------------------------------------

    def zone(self, value, raw, scenario: Scenario) -> list[Alt]:
        """The zone a resolved AZ-valued property names (``raw`` is the node as written)."""
        if isinstance(value, str):
            return [Alt(value or None, scenario)]
        if isinstance(value, AZ):
            return [Alt(AZ(value.index, value.region or self.region), scenario)]
        if isinstance(value, Reference) and value.attribute == "AvailabilityZone":
            subnet = self._subnet(value)
            if subnet is not None:
                return self.subnet_zone(subnet, scenario)
        if isinstance(value, Unknown):
            known = self._parameter_zone(raw) or _region_zone(raw)
            if known is not None:
                return [Alt(known, scenario)]
        return [Alt(None, scenario)]

    def subnet_zone(self, subnet: Resource, scenario: Scenario) -> list[Alt]:
        """The zone of an in-template subnet: its AvailabilityZone, else its AvailabilityZoneId."""
        scenario = self.ctx.merge(scenario, subnet.exists_in)
        if scenario is None:
            return []
        result = []
        for alt in self.ctx.resolver.get(subnet.node, ("Properties", "AvailabilityZone"), scenario):
            if alt.value is not ABSENT:
                result.extend(self.zone(alt.value, subnet.properties.get("AvailabilityZone"), alt.scenario))
                continue
            for by_id in self.ctx.resolver.get(subnet.node, ("Properties", "AvailabilityZoneId"), alt.scenario):
                known = isinstance(by_id.value, str) and by_id.value
                result.append(Alt(ZoneId(by_id.value) if known else None, by_id.scenario))
        return result

    def of_subnet(self, value, scenario: Scenario) -> list[Alt]:
        """The zone of a resolved subnet value: known only for a subnet of this template."""
        subnet = self._subnet(value)
        if subnet is None:
            return [Alt(None, scenario)]
        return self.subnet_zone(subnet, scenario) or [Alt(None, scenario)]

    # -- lists ----------------------------------------------------------------------------

    def subnets(self, resource: Resource, path: str) -> list[Alt]:
        """``Alt(Span | ABSENT)`` of a resource's subnet-list property, per scenario."""
        return [
            result
            for alt in self.ctx.values(resource, path)
            for result in self._span(alt, self._raw(resource, path), self.of_subnet_item)
        ]

    def zone_list(self, resource: Resource, path: str) -> list[Alt]:
        """``Alt(Span | ABSENT)`` of a resource's list of zone names (AvailabilityZones)."""
        return [
            result
            for alt in self.ctx.values(resource, path)
            for result in self._span(alt, self._raw(resource, path), self.zone)
        ]

    def subnet_mappings(self, resource: Resource, path: str) -> list[Alt]:
        """``Alt(Span | ABSENT)`` of a list of mappings that each name a subnet in ``SubnetId``."""
        result = []
        for alt in self.ctx.values(resource, path):
            value = alt.value
            if isinstance(value, list):
                if not all(isinstance(item, dict) for item in value):
                    result.append(Alt(Span(None), alt.scenario))
                    continue
                value = [item.get("SubnetId", Unknown("a subnet mapping without SubnetId")) for item in value]
            result.extend(self._span(Alt(value, alt.scenario), None, self.of_subnet_item))
        return result

    def of_subnet_item(self, value, raw, scenario: Scenario) -> list[Alt]:
        return self.of_subnet(value, scenario)  # a subnet id says nothing of its zone as written

    def linked(self, resource: Resource, path: str, target: Resource) -> list[Scenario]:
        """The scenarios in which ``resource``'s property at ``path`` names ``target``."""
        return [alt.scenario for alt in self.ctx.values(resource, path) if self.ctx.refers_to(alt.value, target)]

    def placed(self, resource: Resource, scenarios: list[Scenario], *, subnet: str = "", zone: str = "") -> list[Alt]:
        """The zone of a resource that sits in one subnet (``subnet`` path) or one zone (``zone``
        path), in the given scenarios."""
        result = []
        for scenario in scenarios:
            for alt in self.ctx.resolver.get(resource.node, parse_path(subnet or zone), scenario):
                if subnet:
                    result.extend(self.of_subnet(alt.value, alt.scenario))
                elif alt.value is ABSENT:
                    result.append(Alt(None, alt.scenario))
                else:
                    result.extend(self.zone(alt.value, self._raw(resource, zone), alt.scenario))
        return result

    def members(self, members: Iterable[tuple[Resource, list[Alt]]]) -> list[Alt]:
        """The span of resources that each sit in one zone (mount targets, instances), per scenario.

        ``members`` gives, for each resource, the alternatives of its zone where it belongs to the
        set (:meth:`placed`); in every other scenario it is not part of the set."""
        alternatives = []
        for resource, zones in members:
            outside = self._complement(resource, [zone.scenario for zone in zones])
            if outside is None:
                return []
            alternatives.append(zones + [Alt(_OUTSIDE, scenario) for scenario in outside])
        result = []
        for scenario, zones in self.ctx.joint(*alternatives):
            present = tuple(zone for zone in zones if zone is not _OUTSIDE)
            if present:
                result.append(Alt(Span(present), scenario))
        return result

    # -- NAT gateways and route tables ----------------------------------------------------

    def nat_routes(self) -> list[Route]:
        """Every subnet of the template whose route table sends 0.0.0.0/0 to an in-template NAT gateway."""
        tables: dict[str, list[tuple[Resource, Resource, Scenario]]] = {}
        ctx = self.ctx
        for route in ctx.resources("AWS::EC2::Route"):
            for scenario, (table, destination, nat) in ctx.joint(
                ctx.values(route, "Properties.RouteTableId"),
                ctx.values(route, "Properties.DestinationCidrBlock"),
                ctx.values(route, "Properties.NatGatewayId"),
            ):
                table, nat = ctx.local(table), ctx.local(nat)
                if destination in WORLD and table is not None and nat is not None and nat.type == NAT_GATEWAY:
                    tables.setdefault(table.logical_id, []).append((nat, route, scenario))
        routes = []
        for association in ctx.resources("AWS::EC2::SubnetRouteTableAssociation"):
            for scenario, (subnet, table) in ctx.joint(
                ctx.values(association, "Properties.SubnetId"), ctx.values(association, "Properties.RouteTableId")
            ):
                subnet, table = self._subnet(subnet), ctx.local(table)
                if subnet is None or table is None:
                    continue
                for nat, route, route_scenario in tables.get(table.logical_id, ()):
                    merged = ctx.merge(scenario, route_scenario)
                    if merged is not None:
                        routes.append(Route(subnet, nat, route, merged))
        return routes

    def nat_zone(self, nat: Resource, scenario: Scenario) -> list[Alt]:
        """The zone of a NAT gateway: the zone of its subnet."""
        result = []
        for alt in self.ctx.values(nat, "Properties.SubnetId"):
            merged = self.ctx.merge(alt.scenario, scenario)
            if merged is not None:
                result.extend(self.of_subnet(alt.value, merged))
        return result

    # -- machinery ------------------------------------------------------------------------

    def _span(self, alt: Alt, raw, zone_of) -> Iterator[Alt]:
        value = alt.value
        if value is ABSENT:
            yield alt
            return
        if isinstance(value, str):
            value = [item.strip() for item in value.split(",")]  # a comma-delimited list, as CloudFormation reads it
        if not isinstance(value, list):
            yield Alt(Span(None), alt.scenario)
            return
        raws = raw if isinstance(raw, list) and len(raw) == len(value) else [None] * len(value)
        items = []
        for item, item_raw in zip(value, raws, strict=True):
            if isinstance(item, list):  # a list parameter written inside a list: CloudFormation flattens it
                items.extend((sub, None) for sub in item)
            elif self._may_be_several(item, item_raw):
                yield Alt(Span(None), alt.scenario)
                return
            else:
                items.append((item, item_raw))
        for scenario, zones in self.ctx.joint(*(zone_of(item, item_raw, alt.scenario) for item, item_raw in items)):
            yield Alt(Span(tuple(zones)), scenario)

    def _may_be_several(self, item, raw) -> bool:
        """A member that may stand for a list: an unresolved list parameter, an import, a stack output…"""
        if isinstance(item, Reference):
            target = self.template.resources.get(item.target)
            return target is None or target.type != SUBNET and item.attribute != "AvailabilityZone"
        if not isinstance(item, Unknown):
            return False
        parameter = self.template.parameters.get(_ref_name(raw) or "")
        return parameter is None or parameter.is_list

    def _parameter_zone(self, raw) -> ParameterZone | None:
        name = _ref_name(raw)
        if name in self.template.parameters:
            return ParameterZone(name)
        if isinstance(raw, dict) and len(raw) == 1 and "Fn::Select" in raw:
            args = raw["Fn::Select"]
            if isinstance(args, list) and len(args) == 2:
                index, name = as_number(args[0]), _ref_name(args[1])
                if isinstance(index, int) and name in self.template.parameters:
                    return ParameterZone(name, index)
        return None

    def _subnet(self, value) -> Resource | None:
        if isinstance(value, Reference) and value.attribute in (None, "SubnetId", "AvailabilityZone"):
            target = self.template.resources.get(value.target)
            if target is not None and target.type == SUBNET:
                return target
        return None

    def _raw(self, resource: Resource, path: str):
        """The node as written at a plain path (None when an intrinsic function is on the way)."""
        node = resource.node
        for key in parse_path(path):
            if not isinstance(node, dict) or _function(node) or key not in node:
                return None
            node = node[key]
        return node

    def _complement(self, resource: Resource, scenarios: list[Scenario]) -> list[Scenario] | None:
        """The scenarios that ``scenarios`` do not cover, as full assignments of the conditions
        involved; None when there are too many conditions to enumerate."""
        return self.ctx.uncovered(scenarios, names={resource.condition} - {None})


class _Outside:
    """Marks a member that is not part of the set in a scenario."""


_OUTSIDE = _Outside()


_REGION_SUFFIX = re.compile(r"^\$\{AWS::Region\}([a-z])$")


def _region_zone(raw) -> RegionZone | None:
    """``!Sub "${AWS::Region}a"`` or ``!Join ["", [!Ref AWS::Region, a]]``."""
    if not (isinstance(raw, dict) and len(raw) == 1):
        return None
    if isinstance(raw.get("Fn::Sub"), str):
        match = _REGION_SUFFIX.match(raw["Fn::Sub"])
        return RegionZone(match.group(1)) if match else None
    args = raw.get("Fn::Join")
    if isinstance(args, list) and len(args) == 2 and args[0] == "" and isinstance(args[1], list) and len(args[1]) == 2:
        region, suffix = args[1]
        if _ref_name(region) == "AWS::Region" and isinstance(suffix, str) and re.fullmatch("[a-z]", suffix):
            return RegionZone(suffix)
    return None


def _function(node) -> bool:
    return isinstance(node, dict) and len(node) == 1 and next(iter(node)).startswith(("Fn::", "Ref"))


def _ref_name(node) -> str | None:
    if isinstance(node, dict) and len(node) == 1 and isinstance(node.get("Ref"), str):
        return node["Ref"]
    return None
