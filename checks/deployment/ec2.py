"""Security-group rules EC2 refuses."""

from __future__ import annotations

from cfncheck.analysis.ports import HIGHEST, ICMP, ICMPV6, LOWEST, TCP, UDP, protocol
from cfncheck.analysis.security_groups import EGRESS, GROUP, INGRESS, INLINE, PEER_KEYS, STANDALONE
from cfncheck.api import ERROR, as_number, check

_PORTS_NEEDED = {TCP: "TCP/UDP", UDP: "TCP/UDP", ICMP: None, ICMPV6: "ICMPv6"}
"""Protocols whose rules need both FromPort and ToPort, and how EC2's message names them."""


def _bodies(resource, ctx):
    """(direction, path of the rule, resolved rule, scenario) for the rules written in ``resource``."""
    if resource.type == GROUP:
        for direction, key in INLINE.items():
            for path, alt in ctx.elements(resource, ("Properties", key)):
                if isinstance(alt.value, dict):
                    yield direction, path, alt.value, alt.scenario
        return
    direction = INGRESS if resource.type == STANDALONE[INGRESS] else EGRESS
    for alt in ctx.values(resource, "Properties"):
        if isinstance(alt.value, dict):
            yield direction, ("Properties",), alt.value, alt.scenario


def rule_problems(direction: str, body: dict) -> list[tuple[str | None, str]]:
    """(key, message) for what EC2 refuses in one rule; values that are not known are not judged."""
    problems = []
    kind = protocol(body.get("IpProtocol"))
    if kind in _PORTS_NEEDED:
        missing = [key for key in ("FromPort", "ToPort") if key not in body]
        if missing:
            named = _PORTS_NEEDED[kind]
            said = f' ("Must specify both from and to ports with {named}")' if named else ""
            message = (
                f"A rule with IpProtocol {body['IpProtocol']} needs FromPort and ToPort ({' and '.join(missing)} "
                f"missing): EC2 refuses it{said}."
            )
            problems.append((None, message))
    if kind in (TCP, UDP):
        low, high = as_number(body.get("FromPort")), as_number(body.get("ToPort"))
        for key, port in (("FromPort", low), ("ToPort", high)):
            if isinstance(port, (int, float)) and not LOWEST <= port <= HIGHEST:
                problems.append((key, f"{key} {port:g} is not a port: {kind} ports are 0 to 65535."))
        if isinstance(low, (int, float)) and isinstance(high, (int, float)) and low > high:
            problems.append(("FromPort", f"FromPort {low:g} is above ToPort {high:g}: EC2 refuses the port range."))
    peers = [key for key, _ in PEER_KEYS[direction] if key in body]
    if len(peers) > 1:
        said = ' ("Both CidrIp and SourceSecurityGroup cannot be specified")' if peers[:1] == ["CidrIp"] else ""
        message = (
            f"A rule names one source or destination, not {' and '.join(peers)}: the deployment fails{said}. "
            "Write one rule for each."
        )
        problems.append((peers[1], message))
    return problems


@check(
    "SG006",
    "sg-rule-invalid",
    ERROR,
    types=[GROUP, *STANDALONE.values()],
    fix="Give TCP, UDP and ICMP rules both FromPort and ToPort (FromPort ≤ ToPort, 0-65535), and each rule one "
    "source or destination.",
    example="Resources:\n  Web:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: web\n"
    "      SecurityGroupIngress:\n        - {IpProtocol: tcp, FromPort: 443, CidrIp: 10.0.0.0/8}",
    deploy_failure=True,
)
def rule_invalid(resource, ctx):
    """A security-group rule EC2 refuses, failing the stack: a TCP, UDP, ICMP or ICMPv6 rule without
    both FromPort and ToPort ("Must specify both from and to ports with TCP/UDP"), ports outside
    0-65535 or FromPort above ToPort, or one rule naming two peers (``CidrIp`` and
    ``SourceSecurityGroupId``: "Both CidrIp and SourceSecurityGroup cannot be specified").
    Source: the EC2 AuthorizeSecurityGroupIngress/Egress API and the AWS::EC2::SecurityGroup
    rule reference."""
    for direction, path, body, scenario in _bodies(resource, ctx):
        for key, message in rule_problems(direction, body):
            yield ctx.finding(resource, path + ((key,) if key else ()), message, scenario)
