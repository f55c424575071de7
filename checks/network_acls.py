"""Network ACLs: stateless rules that must let return traffic through, and rules that never apply
(catalog section 3.3, tier 2).

A network ACL is judged only when all its entries are in the template and known: an entry whose
ACL, number, action, protocol, ports or CIDR cannot be read (a parameter without a value, an
``Fn::If``) makes the whole ACL unknown, since any rule could change the verdict.
"""

from __future__ import annotations

from dataclasses import dataclass

from cfncheck.analysis import cidr
from cfncheck.analysis.ports import ALL, Traffic, traffic
from cfncheck.api import ABSENT, WARNING, Context, Resource, as_bool, as_number, check, per_template

ENTRY = "AWS::EC2::NetworkAclEntry"
EPHEMERAL = 49152  # inside every client's ephemeral range: Linux 32768-60999, Windows and NAT gateways up to 65535


@dataclass(frozen=True)
class Entry:
    resource: Resource
    number: int
    egress: bool
    allow: bool
    traffic: Traffic
    network: cidr.Network


@per_template
def _acls(ctx: Context) -> dict[str, list[Entry]]:
    """The entries of each network ACL of the template, by the ACL's logical id; ACLs with an entry
    that cannot be read are left out, and all of them when an entry's ACL cannot be told."""
    found: dict[str, list[Entry]] = {}
    unknown: set[str] = set()
    for resource in ctx.resources(ENTRY):
        alts = ctx.values(resource, "Properties")
        acl = [ctx.local(alt.value.get("NetworkAclId")) if isinstance(alt.value, dict) else None for alt in alts]
        if len(alts) != 1 or acl[0] is None:
            return {}
        entry = _entry(resource, alts[0].value)
        if entry is None:
            unknown.add(acl[0].logical_id)
        else:
            found.setdefault(acl[0].logical_id, []).append(entry)
    return {name: entries for name, entries in found.items() if name not in unknown}


def _entry(resource: Resource, body: dict) -> Entry | None:
    number = as_number(body.get("RuleNumber"))
    action = body.get("RuleAction")
    ports = body.get("PortRange") if isinstance(body.get("PortRange"), dict) else {}
    flow = traffic(body.get("Protocol"), ports.get("From", -1), ports.get("To", -1))
    network = cidr.parse(body.get("CidrBlock", body.get("Ipv6CidrBlock")))
    egress = as_bool(body.get("Egress", ABSENT), False)
    if not isinstance(number, int) or action not in ("allow", "deny") or None in (flow, network, egress):
        return None
    return Entry(resource, number, egress, action == "allow", flow, network)


def _contains(outer: cidr.Network, inner: cidr.Network) -> bool:
    return outer.version == inner.version and inner.subnet_of(outer)


def _covers(outer: Traffic, inner: Traffic) -> bool:
    if outer.protocol == ALL:
        return True
    if outer.protocol != inner.protocol:
        return False
    if outer.ports is None or inner.ports is None:
        return inner.ports is None or outer.ports is None
    return outer.ports.start <= inner.ports.start and inner.ports.end <= outer.ports.end


def _answers(reply: Entry, entry: Entry) -> bool:
    """Whether ``reply`` lets the answers to ``entry``'s traffic through, in the other direction."""
    return reply.traffic.covers(entry.traffic.protocol, EPHEMERAL) and _contains(reply.network, entry.network)


@check(
    "SG008",
    "nacl-no-return-traffic",
    WARNING,
    types=[ENTRY],
    fix="Add an entry in the other direction allowing TCP/UDP 1024-65535 to (or from) the same CIDR: "
    "network ACLs are stateless.",
    example="\nInbound: allow tcp 443 from 0.0.0.0/0\nOutbound: allow tcp 443 to 0.0.0.0/0   # no 1024-65535",
)
def no_return_traffic(resource, ctx):
    """Network ACLs are stateless: an inbound allow for a service port (HTTPS) does nothing unless an
    outbound entry lets the replies go back to the client's ephemeral ports (1024–65535), and an
    outbound allow (a call to an API on 443) needs an inbound entry for its replies. Reported on an
    allow for a few TCP or UDP ports when the other direction has entries but none allows the
    ephemeral ports to or from that CIDR. An ACL with no entry in the other direction is left to
    the check that reports empty directions."""
    for entries in _acls(ctx).values():
        mine = [e for e in entries if e.resource is resource]
        for entry in mine:
            if (
                not entry.allow
                or entry.traffic.protocol not in ("tcp", "udp")
                or entry.traffic.covers("tcp", EPHEMERAL)
            ):
                continue
            other = [e for e in entries if e.egress != entry.egress]
            replies = [
                e
                for e in other
                if e.allow
                and e.traffic.covers(entry.traffic.protocol, EPHEMERAL)
                and _contains(e.network, entry.network)
            ]
            if other and not replies:
                way = "outbound to" if not entry.egress else "inbound from"
                yield ctx.finding(
                    resource,
                    "Properties.RuleAction",
                    f"This allows {entry.traffic} but no entry allows the replies {way} {entry.network} on the "
                    "ephemeral ports (1024-65535): network ACLs are stateless, add that entry.",
                )


@check(
    "SG009",
    "nacl-rule-conflict",
    WARNING,
    types=[ENTRY],
    fix="Give the deny a lower RuleNumber than the allow it should override, or narrow the allow.",
    example="\nRule 100: allow tcp 0-65535 from 0.0.0.0/0\nRule 200: deny tcp 22 from 203.0.113.0/24   # never applies",
)
def rule_conflict(resource, ctx):
    """Network ACL entries are evaluated in RuleNumber order and the first match wins: a deny whose
    traffic and CIDR a lower-numbered allow of the same direction already covers never applies.
    (Two entries with the same number and direction, and numbers outside 1–32766, fail to deploy and
    are not this check's.)"""
    for entries in _acls(ctx).values():
        for deny in (e for e in entries if e.resource is resource and not e.allow):
            shadows = [
                e
                for e in entries
                if e.allow
                and e.egress == deny.egress
                and e.number < deny.number
                and _covers(e.traffic, deny.traffic)
                and _contains(e.network, deny.network)
            ]
            if shadows:
                allow = shadows[0]
                yield ctx.finding(
                    resource,
                    "Properties.RuleNumber",
                    f"This deny never applies: entry {allow.resource.logical_id} (rule {allow.number}) allows "
                    f"{allow.traffic} from {allow.network} first. Give the deny a lower RuleNumber.",
                    related=(ctx.location(allow.resource, "Properties.RuleNumber", message="the allow that wins"),),
                )
