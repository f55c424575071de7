"""Security-group rules, normalised, and the resources each group is attached to.

A rule can be written inline (``SecurityGroupIngress``/``SecurityGroupEgress`` lists of an
``AWS::EC2::SecurityGroup``) or as a standalone ``AWS::EC2::SecurityGroupIngress``/``Egress``
resource; both become a :class:`Rule` with its group, direction, traffic (protocol and port
interval), peer (the source of an ingress rule, the destination of an egress rule), the
scenario in which it exists, and the path at which it is written, so a finding lands on the
rule's ``CidrIp``. Keys that do not change what a rule allows (``Description``) are ignored.
A peer whose value is a parameter records its name: the value is then changed there, not in the rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..context import Context, Link
from ..graph import RESOURCE
from ..references import whole_parameters
from ..template import Resource
from ..values import ABSENT, Scenario
from . import cidr
from .ports import Traffic, traffic

INGRESS, EGRESS = "ingress", "egress"
GROUP = "AWS::EC2::SecurityGroup"
STANDALONE = {INGRESS: "AWS::EC2::SecurityGroupIngress", EGRESS: "AWS::EC2::SecurityGroupEgress"}
INLINE = {INGRESS: "SecurityGroupIngress", EGRESS: "SecurityGroupEgress"}

CIDR, CIDR_IPV6, SECURITY_GROUP, PREFIX_LIST = "cidr", "cidr-ipv6", "security-group", "prefix-list"
PEER_KEYS = {
    INGRESS: (
        ("CidrIp", CIDR),
        ("CidrIpv6", CIDR_IPV6),
        ("SourceSecurityGroupId", SECURITY_GROUP),
        ("SourceSecurityGroupName", SECURITY_GROUP),
        ("SourcePrefixListId", PREFIX_LIST),
    ),
    EGRESS: (
        ("CidrIp", CIDR),
        ("CidrIpv6", CIDR_IPV6),
        ("DestinationSecurityGroupId", SECURITY_GROUP),
        ("DestinationPrefixListId", PREFIX_LIST),
    ),
}

DATA_TIER_ATTACHMENTS: dict[str, tuple[str, ...]] = {
    "AWS::RDS::DBInstance": ("Properties.VPCSecurityGroups",),
    "AWS::RDS::DBCluster": ("Properties.VpcSecurityGroupIds",),
    "AWS::DocDB::DBCluster": ("Properties.VpcSecurityGroupIds",),
    "AWS::Neptune::DBCluster": ("Properties.VpcSecurityGroupIds",),
    "AWS::ElastiCache::ReplicationGroup": ("Properties.SecurityGroupIds",),
    "AWS::ElastiCache::CacheCluster": ("Properties.VpcSecurityGroupIds",),
    "AWS::DAX::Cluster": ("Properties.SecurityGroupIds",),
    "AWS::EFS::MountTarget": ("Properties.SecurityGroups",),
    "AWS::Redshift::Cluster": ("Properties.VpcSecurityGroupIds",),
    "AWS::OpenSearchService::Domain": ("Properties.VPCOptions.SecurityGroupIds",),
    "AWS::Elasticsearch::Domain": ("Properties.VPCOptions.SecurityGroupIds",),
    "AWS::AmazonMQ::Broker": ("Properties.SecurityGroups",),
}
"""Data services and the properties that attach security groups to them (catalog SG005)."""


INBOUND_CLOSED: dict[str, tuple[str, ...]] = {
    "AWS::Lambda::Function": ("Properties", "VpcConfig", "SecurityGroupIds"),
    "AWS::Serverless::Function": ("Properties", "VpcConfig", "SecurityGroupIds"),
}
"""Resources that accept no inbound connection, and the property that attaches groups to them: a
function reaches the VPC through Lambda's Hyperplane interfaces, which carry only the connections
the function opens, so the group's ingress rules never admit anything."""


@dataclass(frozen=True)
class Peer:
    """The other end of a rule: which property names it, its kind, and its resolved value."""

    key: str | None  # None when the rule names no peer (it then allows nothing)
    kind: str | None
    value: object = ABSENT
    parameter: str | None = None  # the parameter the value is (``CidrIp: !Ref SshCidr``)
    origin: str | None = None  # where the parameter's value comes from: "given", "default" or "condition"

    @property
    def is_world(self) -> bool:
        """Every IPv4 or every IPv6 address; a prefix list or a group is never the world."""
        return self.kind in (CIDR, CIDR_IPV6) and cidr.is_world(self.value)


@dataclass(frozen=True)
class Rule:
    resource: Resource  # where the rule is written: the group, or the standalone rule resource
    path: tuple  # the rule mapping, relative to ``resource``
    direction: str
    traffic: Traffic | None  # None when protocol or ports are not known
    peer: Peer
    group: Link | None  # the group the rule belongs to, if known (imported from another template, maybe)
    scenario: Scenario

    def at(self, key: str | None) -> tuple:
        """The path of one of the rule's keys, for a finding."""
        return self.path + (key,) if key else self.path


def rules(resource: Resource, ctx: Context, direction: str = INGRESS) -> list[Rule]:
    """The rules of one direction written in ``resource``: a group's inline rules, or the
    standalone rule resource itself (with every value resolved, per scenario)."""
    if resource.type == GROUP:
        return [
            _rule(ctx, resource, path, alt.value, direction, Link(resource, ctx.analysis, alt.scenario), alt.scenario)
            for path, alt in ctx.elements(resource, ("Properties", INLINE[direction]))
            if isinstance(alt.value, dict)
        ]
    if resource.type == STANDALONE[direction]:
        found = []
        for alt in ctx.values(resource, "Properties"):
            if isinstance(alt.value, dict):
                group = ctx.follow(alt.value.get("GroupId", alt.value.get("GroupName", ABSENT)), alt.scenario)
                found.append(_rule(ctx, resource, ("Properties",), alt.value, direction, group, alt.scenario))
        return found
    return []


def _rule(
    ctx: Context, resource: Resource, path: tuple, body: dict, direction: str, group: Link | None, scenario: Scenario
) -> Rule:
    peer = next(
        (
            Peer(key, kind, body[key], *_parameter(ctx, resource, path, key, body[key], scenario))
            for key, kind in PEER_KEYS[direction]
            if key in body
        ),
        Peer(None, None),
    )
    flow = traffic(body.get("IpProtocol", ABSENT), body.get("FromPort", ABSENT), body.get("ToPort", ABSENT))
    group = group if group is not None and group.type == GROUP else None
    return Rule(resource, path, direction, flow, peer, group, scenario)


def _parameter(
    ctx: Context, resource: Resource, path: tuple, key: str, value, scenario: Scenario
) -> tuple[str | None, str | None]:
    """The parameter whose value the rule's ``key`` is in this scenario, if it is one, and where
    that value comes from (see ``Resolver.parameter_origin``)."""
    for written in ctx.resolver.reach(resource.node, path, scenario):
        if isinstance(written.value, dict):
            for name in whole_parameters(written.value.get(key), ctx.template.parameters):
                if ctx.resolver.parameter_value(name, written.scenario) == value:
                    return name, ctx.resolver.parameter_origin(name, written.scenario)
    return None, None


def admits_nothing(group: Link) -> bool:
    """Whether ``group``'s ingress rules admit nothing: its template attaches it, and only to
    resources that accept no inbound connection. A group used elsewhere (an output, another
    resource) or not attached there may face anything, and is judged on its rules."""
    attached = False
    template = group.template
    for (kind, name), use in group.analysis.users.get(group.logical_id, ()):
        user = template.resources.get(name) if kind == RESOURCE else None
        if user is None:
            return False
        if use.kind == "DependsOn" or user.type == GROUP or user.type in STANDALONE.values():
            continue  # ordering, or a rule naming the group: neither puts the group on an interface
        closed = INBOUND_CLOSED.get(user.type)
        if closed is None or use.path[: len(closed)] != closed:
            return False
        attached = True
    return attached


def attachments(
    group: Resource, ctx: Context, kinds: dict[str, tuple[str, ...]] = DATA_TIER_ATTACHMENTS
) -> list[tuple[Resource, tuple, Scenario]]:
    """The resources of ``kinds`` in this template that attach ``group`` (of this template, or
    imported), each with the path of the list item that names it and the scenario in which it does."""
    found = []
    for kind, paths in kinds.items():
        for resource in ctx.resources(kind):
            for path in paths:
                for item_path, alt in ctx.elements(resource, path):
                    if ctx.refers_to(alt.value, group):
                        found.append((resource, item_path, alt.scenario))
    return found


def group_rules(group: Resource, ctx: Context, direction: str) -> list[Rule] | None:
    """Every rule of one direction of a group of this template: its inline rules and the standalone
    rule resources that name it; None when a standalone rule's group cannot be told (it may be this one)."""
    found = rules(group, ctx, direction)
    for resource in ctx.resources(STANDALONE[direction]):
        for rule in rules(resource, ctx, direction):
            if rule.group is None:
                return None
            if rule.group.resource is group and not rule.group.foreign:
                found.append(rule)
    return found
