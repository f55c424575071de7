"""Network exposure: security-group ingress open to the world, and what data tiers may send out
(catalog section 3.3).

Every check reads the normalised rule model of ``cfncheck.analysis.security_groups``: inline
and standalone ingress rules alike, ``IpProtocol: -1``, port ranges, IPv4 and IPv6, values
from parameters and ``Fn::If`` branches. Each world-open ingress rule gets exactly one finding
of SG001–SG005, the first that matches in the order SG002, SG001, SG003, SG005, SG004.
A group the template attaches only to Lambda functions is not reported: a function accepts no
inbound connection, so its group's ingress rules admit nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from cfncheck.analysis import cidr
from cfncheck.analysis.ports import ICMP, ICMPV6, TCP
from cfncheck.analysis.security_groups import (
    EGRESS,
    GROUP,
    INGRESS,
    SECURITY_GROUP,
    STANDALONE,
    Rule,
    admits_nothing,
    attachments,
    group_rules,
    rules,
)
from cfncheck.api import (
    ERROR,
    INFO,
    WARNING,
    Child,
    Context,
    Finding,
    Location,
    Resource,
    Scenario,
    as_number,
    check,
    iter_uses,
    per_template,
)

RULE_TYPES = [GROUP, STANDALONE[INGRESS]]
ADMIN_PORTS = ["tcp/22", "tcp/3389", "udp/3389"]
DATA_PORTS = [f"tcp/{port}" for port in (1433, 1521, 2049, 3306, 5432, 5439, 6379, 8111, 8182, 9200, 11211, 27017)]
_PORT_NAMES = {
    22: "SSH",
    3389: "RDP",
    1433: "SQL Server",
    1521: "Oracle",
    2049: "NFS (EFS)",
    3306: "MySQL",
    5432: "PostgreSQL",
    5439: "Redshift",
    6379: "Redis",
    8111: "DAX",
    8182: "Neptune",
    9200: "OpenSearch",
    11211: "Memcached",
    27017: "MongoDB/DocumentDB",
}
_WEB_PORTS = {80, 443}


def _ports(specs: list[str]) -> list[tuple[str, int]]:
    """``["tcp/22"]`` → ``[("tcp", 22)]``: the form of the port options."""
    pairs = []
    for spec in specs:
        protocol, _, port = str(spec).partition("/")
        pairs.append((protocol.strip().lower(), int(port)))
    return pairs


def _opened(rule: Rule, specs: list[str]) -> list[tuple[str, int]]:
    return [(protocol, port) for protocol, port in _ports(specs) if rule.traffic.covers(protocol, port)]


@dataclass(frozen=True)
class _WorldOpen:
    """A world-open ingress rule, the one of SG001–SG005 that reports it, and the data-tier
    resources of the template its group is attached to (with where and when)."""

    rule: Rule
    owner: str
    data_tier: tuple[tuple[Resource, tuple, Scenario], ...]


@per_template
def _world_open(ctx: Context) -> dict[str, list[_WorldOpen]]:
    """The world-open ingress rules of the template, by the logical id of the resource that writes
    them, on groups that can receive connections at all: classified once for the five checks."""
    found: dict[str, list[_WorldOpen]] = {}
    for resource in ctx.resources(*RULE_TYPES):
        for rule in rules(resource, ctx, INGRESS):
            if rule.traffic is None or not rule.peer.is_world or (rule.group and admits_nothing(rule.group)):
                continue
            data_tier = tuple(attachments(rule.group.resource, ctx)) if rule.group is not None else ()
            found.setdefault(resource.logical_id, []).append(_WorldOpen(rule, _owner(rule, data_tier, ctx), data_tier))
    return found


def _owned(resource: Resource, ctx: Context) -> list[_WorldOpen]:
    """The world-open ingress rules of ``resource`` that the running check reports."""
    return [found for found in _world_open(ctx).get(resource.logical_id, ()) if found.owner == ctx.check.id]


def _owned_rules(resource: Resource, ctx: Context) -> list[Rule]:
    return [found.rule for found in _owned(resource, ctx)]


def _owner(rule: Rule, data_tier: tuple, ctx: Context) -> str:
    """Which of SG001–SG005 reports this world-open rule (the first match, catalog order)."""
    if rule.traffic.is_all:
        return "SG002"
    if _opened(rule, ctx.options_of("SG001")["ports"]):
        return "SG001"
    if _opened(rule, ctx.options_of("SG003")["ports"]):
        return "SG003"
    if any(ctx.merge(rule.scenario, scenario) is not None for *_, scenario in data_tier):
        return "SG005"
    return "SG004"


def _describe(protocols_ports: list[tuple[str, int]]) -> str:
    return ", ".join(
        f"{protocol.upper()} {port}" + (f" ({_PORT_NAMES[port]})" if port in _PORT_NAMES else "")
        for protocol, port in protocols_ports
    )


def _source(rule: Rule, ctx: Context) -> str:
    """The world as the template gives it: "CidrIp 0.0.0.0/0", "CidrIp 192.168.1.0/0 = 0.0.0.0/0"
    (a /0 prefix covers every address whatever its host bits), and the parameter that supplies it."""
    peer = rule.peer
    text = f"{peer.key} {peer.value}"
    network = cidr.parse(peer.value)
    if network is not None and str(network) != str(peer.value).strip():
        text += f" = {network}"
    if peer.parameter is None:
        return text
    if peer.origin == "given":
        return f"{text}, the value passed for parameter {peer.parameter}"
    if peer.origin == "condition":
        return f"{text}, the only value the conditions leave parameter {peer.parameter}"
    return f"{text}, the Default of parameter {peer.parameter}"


def _restrict(rule: Rule, ctx: Context) -> str:
    """What to narrow: the rule's own key, or the parameter (and its Default) that supplies the world."""
    name = rule.peer.parameter
    if name is None:
        return rule.peer.key
    return f"parameter {name} (and its Default)" if rule.peer.origin == "default" else f"parameter {name}"


def _parameter_default(rule: Rule, ctx: Context) -> list[Location]:
    name = rule.peer.parameter
    if name is None or rule.peer.origin != "default":
        return []
    return [ctx.location(None, ("Parameters", name, "Default"), message=f"the Default of {name} is the world")]


def _report(
    ctx: Context,
    resource: Resource,
    rule: Rule,
    message: str,
    scenario: Scenario | None = None,
    child: str | None = None,
    related: Iterable[Location] = (),
) -> Finding:
    """The finding on a world-open rule: on its source key, in its scenario, with the parameter
    Default that supplies the world as a related place (``child``: the running check's child
    that reports it)."""
    return ctx.finding(
        resource,
        rule.at(rule.peer.key),
        message,
        rule.scenario if scenario is None else scenario,
        rule=child,
        related=[*related, *_parameter_default(rule, ctx)],
    )


def _admits(rule: Rule, opened: list[tuple[str, int]], ctx: Context) -> str:
    """What a world-open rule lets in, naming the sensitive ports it includes: "TCP 22 (SSH) from
    the world (…)", or "TCP ports 0-1024 from the world (…), including TCP 22 (SSH)"."""
    ports = rule.traffic.ports
    if len(opened) == 1 and ports is not None and ports.start == ports.end:
        return f"{_describe(opened)} from the world ({_source(rule, ctx)})"
    return f"{rule.traffic} from the world ({_source(rule, ctx)}), including {_describe(opened)}"


@check(
    "SG001",
    "sg-admin-port-open-to-world",
    ERROR,
    types=RULE_TYPES,
    options={"ports": ADMIN_PORTS},
    fix="Restrict CidrIp/CidrIpv6 to your administration network, or drop the rule and use SSM Session Manager.",
    tags=("security",),
)
def admin_port_open(resource, ctx):
    """SSH (TCP 22) or RDP (TCP/UDP 3389) reachable from the whole internet: the hosts are
    brute-forced and scanned within minutes of launch.

    A port range that includes an admin port counts (0–1024 opens 22). The source is the world
    when it is ``0.0.0.0/0`` or ``::/0`` after resolving parameters and ``Fn::If``; a prefix list
    or a source security group is not. A group attached only to Lambda functions admits nothing
    and is not reported (as for SG002–SG005). The admin ports are configurable (option ``ports``,
    ``protocol/port`` strings)."""
    for rule in _owned_rules(resource, ctx):
        opened = _opened(rule, ctx.options["ports"])
        yield _report(
            ctx,
            resource,
            rule,
            f"The rule admits {_admits(rule, opened, ctx)}: "
            f"restrict {_restrict(rule, ctx)} to your administration network or use SSM Session Manager.",
        )


@check(
    "SG002",
    "sg-all-traffic-open-to-world",
    ERROR,
    types=RULE_TYPES,
    fix="Open only the protocol and ports the service needs, to the sources that need them.",
    tags=("security",),
)
def all_traffic_open(resource, ctx):
    """An ingress rule open to the world on every protocol (``IpProtocol: -1``, whatever its
    ports) or on every TCP or UDP port (0–65535, 1–65535): every service on the instances is
    exposed. Security groups deny all inbound traffic by default, so this is always explicit."""
    for rule in _owned_rules(resource, ctx):
        yield _report(
            ctx,
            resource,
            rule,
            f"The rule admits {rule.traffic} from the world ({_source(rule, ctx)}): set IpProtocol to tcp or udp "
            f"with the ports the service needs, and restrict {_restrict(rule, ctx)} to the clients that need them.",
        )


@check(
    "SG003",
    "sg-data-port-open-to-world",
    ERROR,
    types=RULE_TYPES,
    options={"ports": DATA_PORTS},
    fix="Admit the database port only from the application tier's security group (SourceSecurityGroupId).",
    tags=("security",),
)
def data_port_open(resource, ctx):
    """A database, cache, file-system or search port (MySQL 3306, PostgreSQL 5432, Redis 6379,
    NFS 2049, OpenSearch 9200…) reachable from the whole internet. Data stores belong in private
    subnets, reachable only from the application tier's security group.

    The port list is the notes' plus Neptune 8182, and is configurable (option ``ports``)."""
    for rule in _owned_rules(resource, ctx):
        opened = _opened(rule, ctx.options["ports"])
        yield _report(
            ctx,
            resource,
            rule,
            f"The rule admits {_admits(rule, opened, ctx)}: "
            f"replace {rule.peer.key} with SourceSecurityGroupId of the tier that uses the data store.",
        )


@check(
    "SG004",
    "sg-port-open-to-world",
    WARNING,
    types=RULE_TYPES,
    fix="Restrict the source to the clients that need the port, or to the load balancer's security group.",
    tags=("security",),
    children=[
        Child(
            "SG014",
            "sg-web-port-open-to-world",
            INFO,
            """Ingress open to the world on TCP 80 or 443, or ICMP, which public web endpoints expose
            on purpose: a note to check that the group belongs to one. Behind a load balancer, the
            instances should admit only the balancer's security group.""",
            fix="Keep it on internet-facing load balancers and public web servers; elsewhere admit only the"
            " load balancer's security group (SourceSecurityGroupId).",
            formerly=("SG004",),
        )
    ],
)
def port_open(resource, ctx):
    """Any other ingress open to the world. Behind a load balancer, the application tier should
    admit only the balancer's security group; only internet-facing balancers, CloudFront-facing
    origins and public web servers should face the world.

    TCP 80/443 and ICMP, which public web endpoints expose on purpose, are SG014."""
    for rule in _owned_rules(resource, ctx):
        traffic = rule.traffic
        web = traffic.protocol == TCP and traffic.ports.start == traffic.ports.end in _WEB_PORTS
        yield _report(
            ctx,
            resource,
            rule,
            f"The rule admits {traffic} from the world ({_source(rule, ctx)}): restrict {_restrict(rule, ctx)} to the "
            "clients that need it (behind a load balancer, admit only its security group with SourceSecurityGroupId).",
            child="SG014" if web or traffic.protocol in (ICMP, ICMPV6) else None,
        )


@check(
    "SG005",
    "sg-data-tier-open-to-world",
    ERROR,
    types=RULE_TYPES,
    fix="Admit only the application tier's security group (SourceSecurityGroupId) into the data tier's group.",
    tags=("security",),
)
def data_tier_open(resource, ctx):
    """A security group attached to a database, cache, file system, search domain, warehouse or
    broker admits the world on some port (one SG001–SG003 do not already report). Whatever the
    port, the data tier should be reachable only from the application tier."""
    for found in _owned(resource, ctx):
        rule = found.rule
        uses = [
            (attached, path, merged)
            for attached, path, scenario in found.data_tier
            if (merged := ctx.merge(rule.scenario, scenario)) is not None
        ]
        scenarios = {merged for *_, merged in uses}
        names = ", ".join(dict.fromkeys(f"{attached.logical_id} ({attached.type})" for attached, *_ in uses))
        yield _report(
            ctx,
            resource,
            rule,
            f"The rule admits {rule.traffic} from the world ({_source(rule, ctx)}) on security group "
            f"{rule.group.describe()}, which {names} uses: replace {rule.peer.key} with SourceSecurityGroupId "
            "of the application tier.",
            scenarios.pop() if len(scenarios) == 1 else rule.scenario,
            related=[
                ctx.location(attached, path, merged, message=f"{rule.group.logical_id} is attached here")
                for attached, path, merged in uses
            ],
        )


@check(
    "SG011",
    "sg-unrestricted-egress-data-tier",
    INFO,
    types=[GROUP],
    fix="Add SecurityGroupEgress rules limited to what the data service calls (often nothing: a rule to "
    "127.0.0.1/32 removes the default allow-all).",
    tags=("security",),
    example="\nDbSecurityGroup:\n  Type: AWS::EC2::SecurityGroup   # no SecurityGroupEgress: all outbound allowed",
)
def unrestricted_egress_data_tier(resource, ctx):
    """A security group of a database, cache or file system with no egress rule keeps EC2's default,
    which allows all outbound traffic to anywhere — or it allows it explicitly. A data store rarely
    needs to open connections: limiting egress stops data leaving through a compromised engine.

    Reported when the template attaches the group to a data service of SG005's list and no egress
    rule written for the group (inline or standalone) limits it."""
    data_tier = attachments(resource, ctx)
    egress = group_rules(resource, ctx, EGRESS)
    if not data_tier or egress is None:
        return
    served = ", ".join(sorted({found.logical_id for found, *_ in data_tier}))
    if not egress:
        yield ctx.finding(
            resource,
            "Properties" if "Properties" in resource.node else "Type",
            f"This group of {served} has no egress rule, so EC2 allows all outbound traffic: add "
            "SecurityGroupEgress rules for what the service must reach.",
        )
    for rule in egress:
        if rule.traffic is not None and rule.traffic.is_all and rule.peer.is_world:
            yield ctx.finding(
                rule.resource,
                rule.at(rule.peer.key),
                f"This rule lets the group of {served} send all traffic anywhere: limit it to what the service "
                "must reach.",
                rule.scenario,
            )


def _load_balancer_groups(ctx: Context, target_group: Resource) -> list[Resource] | None:
    """The security groups of the load balancers that forward to ``target_group``, through the
    listeners and listener rules of the template; None when one cannot be read (or has none)."""
    listeners = []
    for listener in ctx.resources("AWS::ElasticLoadBalancingV2::Listener", "AWS::ElasticLoadBalancingV2::ListenerRule"):
        actions = listener.properties.get("DefaultActions" if listener.type.endswith("Listener") else "Actions")
        forwards = any(use.target == target_group.logical_id for use in iter_uses(actions))
        if forwards:
            listeners.append(listener)
    groups: list[Resource] = []
    for listener in listeners:
        if listener.type.endswith("ListenerRule"):
            parents = [ctx.local(alt.value) for alt in ctx.values(listener, "Properties.ListenerArn")]
            if None in parents:
                return None
            listener = parents[0]
        for alt in ctx.values(listener, "Properties.LoadBalancerArn"):
            balancer = ctx.local(alt.value)
            if balancer is None:
                return None
            for item in ctx.values(balancer, "Properties.SecurityGroups"):
                named = [ctx.local(value) for value in item.value] if isinstance(item.value, list) else [None]
                if not named or None in named:
                    return None
                groups += named
    return groups or None


def _admits_port(rules: list[Rule], port: int, sources: list[Resource], ctx: Context) -> bool | None:
    """Whether some rule lets TCP ``port`` in from one of ``sources`` (or from addresses, which may be
    the load balancer's); None when a rule cannot be read."""
    for rule in rules:
        if rule.traffic is None or rule.peer.kind is None:
            return None
        if not rule.traffic.covers(TCP, port):
            continue
        if rule.peer.kind != SECURITY_GROUP or any(ctx.refers_to(rule.peer.value, group) for group in sources):
            return True
    return False


@check(
    "SG007",
    "sg-lb-target-ingress-mismatch",
    WARNING,
    types=["AWS::ECS::Service"],
    fix="Add an ingress rule to the tasks' security group allowing the container port from the load "
    "balancer's security group (SourceSecurityGroupId).",
    example="Service → TargetGroup (ContainerPort 8080) ← ALB (LbGroup); TaskGroup admits 8080 from nothing",
)
def lb_target_ingress_mismatch(service, ctx):
    """A load balancer reaches its ECS tasks (awsvpc mode) through the tasks' security groups: when
    none of them admits the container port from the load balancer's security group (or from
    addresses), every health check fails, the targets stay unhealthy and clients get 502/503.

    Judged when the service, its target group, listener, load balancer and every security group
    involved are in the template with readable rules; bridge-mode tasks and Auto Scaling targets are
    not judged."""
    task_groups = [
        ctx.local(alt.value)
        for alt in ctx.values(service, "Properties.NetworkConfiguration.AwsvpcConfiguration.SecurityGroups")
        if not isinstance(alt.value, list)
    ]
    for _, alt in ctx.elements(
        service, ("Properties", "NetworkConfiguration", "AwsvpcConfiguration", "SecurityGroups")
    ):
        task_groups.append(ctx.local(alt.value))
    if not task_groups or None in task_groups or any(group.type != GROUP for group in task_groups):
        return
    rules_of = [group_rules(group, ctx, INGRESS) for group in task_groups]
    if None in rules_of:
        return
    rules = [rule for found in rules_of for rule in found]
    for path, alt in ctx.elements(service, ("Properties", "LoadBalancers")):
        entry = alt.value if isinstance(alt.value, dict) else {}
        port, target_group = as_number(entry.get("ContainerPort")), ctx.local(entry.get("TargetGroupArn"))
        if not isinstance(port, int) or target_group is None:
            continue
        sources = _load_balancer_groups(ctx, target_group)
        if sources is None or _admits_port(rules, port, sources, ctx) is not False:
            continue
        names = ", ".join(group.logical_id for group in task_groups)
        yield ctx.finding(
            service,
            path + ("ContainerPort",),
            f"The tasks' security group {names} does not admit TCP {port} from the load balancer's group "
            f"{sources[0].logical_id}: the targets will never be healthy. Add that ingress rule.",
            alt.scenario,
            related=(ctx.location(task_groups[0], "Type", task_groups[0].exists_in, message="the tasks' group"),),
        )
