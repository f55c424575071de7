"""Security-group rules EC2 refuses."""

from __future__ import annotations

from cfncheck.analysis.ports import HIGHEST, ICMP, ICMPV6, LOWEST, TCP, UDP, protocol
from cfncheck.analysis.security_groups import EGRESS, GROUP, INGRESS, INLINE, PEER_KEYS, STANDALONE
from cfncheck.analysis.zones import Zones, distinct
from cfncheck.api import ABSENT, ERROR, as_bool, as_number, check

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


ACL_ENTRY = "AWS::EC2::NetworkAclEntry"


def _entry_keys(ctx):
    """(entry, scenario, (ACL logical id, egress, rule number)) for each ACL entry whose ACL is a
    resource of this template and whose direction and number are known."""
    for entry in ctx.resources(ACL_ENTRY):
        for alt in ctx.values(entry, "Properties"):
            body = alt.value
            if not isinstance(body, dict):
                continue
            acl = ctx.local(body.get("NetworkAclId"))
            egress = as_bool(body.get("Egress", ABSENT), False)
            number = as_number(body.get("RuleNumber"))
            if acl is not None and egress is not None and isinstance(number, (int, float)):
                yield entry, alt.scenario, (acl.logical_id, egress, number)


@check(
    "SG040",
    "nacl-entry-rule-number-duplicate",
    ERROR,
    fix="Give each entry of a network ACL a rule number of its own in its direction (ingress and egress number "
    "separately).",
    example="Resources:\n  Acl:\n    Type: AWS::EC2::NetworkAcl\n    Properties: {VpcId: vpc-12345678}\n"
    "  Web:\n    Type: AWS::EC2::NetworkAclEntry\n    Properties:\n      NetworkAclId: !Ref Acl\n"
    "      RuleNumber: 100\n      Protocol: 6\n      RuleAction: allow\n      CidrBlock: 0.0.0.0/0\n"
    "      PortRange: {From: 443, To: 443}\n  Ssh:\n    Type: AWS::EC2::NetworkAclEntry\n    Properties:\n"
    "      NetworkAclId: !Ref Acl\n      RuleNumber: 100\n      Protocol: 6\n      RuleAction: allow\n"
    "      CidrBlock: 10.0.0.0/8\n      PortRange: {From: 22, To: 22}",
    deploy_failure=True,
)
def nacl_entry_rule_number_duplicate(ctx):
    """Two entries of one network ACL with the same rule number in the same direction: EC2 refuses
    the second ("NetworkAclEntryAlreadyExists: The network acl entry identified by 100 already
    exists"), failing the stack. Entries of exclusive conditions never meet. Source: the EC2
    CreateNetworkAclEntry API reference (RuleNumber)."""
    first: dict[tuple, list] = {}
    for entry, scenario, key in _entry_keys(ctx):
        for other, other_scenario in first.get(key, ()):
            if other is entry or (both := ctx.merge(scenario, other_scenario)) is None:
                continue
            acl, egress, number = key
            message = (
                f"Rule number {number:g} is already used by {other.logical_id} for the "
                f'{"egress" if egress else "ingress"} of {acl}: EC2 refuses it ("NetworkAclEntryAlreadyExists"). '
                "Give it a number of its own."
            )
            related = [
                ctx.location(other, "Properties.RuleNumber", other_scenario, message="the entry with that number")
            ]
            yield ctx.finding(entry, "Properties.RuleNumber", message, both, related=related)
            break
        first.setdefault(key, []).append((entry, scenario))


@check(
    "EC2001",
    "ec2-security-group-names-in-vpc",
    ERROR,
    types=["AWS::EC2::Instance"],
    fix="Name the groups by id in SecurityGroupIds (a VPC security group's Ref is its id), or on the network "
    "interface, not by name in SecurityGroups.",
    example="Resources:\n  Network:\n    Type: AWS::EC2::VPC\n    Properties: {CidrBlock: 10.0.0.0/16}\n  Private:\n"
    "    Type: AWS::EC2::Subnet\n    Properties: {VpcId: !Ref Network, CidrBlock: 10.0.1.0/24}\n  Web:\n"
    "    Type: AWS::EC2::Instance\n    Properties:\n      ImageId: ami-0123456789abcdef0\n"
    "      SubnetId: !Ref Private\n      SecurityGroups: [web]",
    deploy_failure=True,
)
def security_group_names_in_vpc(instance, ctx):
    """SecurityGroups names groups by name, which EC2 accepts only in the default VPC: for an
    instance in a subnet of a VPC this template creates (never a default VPC) it refuses the
    launch ("The parameter groupName cannot be used with the parameter subnet"), and with
    NetworkInterfaces the groups belong on the interface ("Network interfaces and an
    instance-level security groups may not be specified on the same request"). A subnet given by
    a parameter may be a default-VPC subnet, and is not judged. Source: the AWS::EC2::Instance
    reference (SecurityGroups: "For a nondefault VPC, you must use security group IDs instead")
    and the EC2 RunInstances API reference."""
    for alt in ctx.values(instance, "Properties"):
        body = alt.value
        if not isinstance(body, dict) or body.get("SecurityGroups", ABSENT) in (ABSENT, []):
            continue
        subnet = ctx.local(body.get("SubnetId"))
        if subnet is not None and subnet.type == "AWS::EC2::Subnet":
            message = (
                'SecurityGroups (group names) with SubnetId: EC2 refuses the launch ("The parameter groupName cannot '
                'be used with the parameter subnet"). Use SecurityGroupIds.'
            )
            yield ctx.finding(instance, "Properties.SecurityGroups", message, alt.scenario)
        elif "NetworkInterfaces" in body:
            message = (
                'SecurityGroups with NetworkInterfaces: EC2 refuses the launch ("Network interfaces and an '
                'instance-level security groups may not be specified on the same request"). Put GroupSet on the '
                "interface."
            )
            yield ctx.finding(instance, "Properties.SecurityGroups", message, alt.scenario)


def _instance_zones(zones: Zones, ctx, instance, scenario):
    """Alt(zone) of an instance of this template: its AvailabilityZone, else its subnet's."""
    result = []
    for alt in ctx.values(instance, "Properties"):
        both = ctx.merge(alt.scenario, scenario)
        body = alt.value if isinstance(alt.value, dict) else None
        if both is None or body is None:
            continue
        if "AvailabilityZone" in body:
            result += zones.zone(body["AvailabilityZone"], instance.properties.get("AvailabilityZone"), both)
        elif "SubnetId" in body:
            result += zones.of_subnet(body["SubnetId"], both)
    return result


@check(
    "EBS002",
    "ebs-attachment-az-mismatch",
    ERROR,
    types=["AWS::EC2::VolumeAttachment"],
    fix="Create the volume in the instance's Availability Zone (AvailabilityZone: !GetAtt Instance.AvailabilityZone).",
    example="Resources:\n  Host:\n    Type: AWS::EC2::Instance\n    Properties:\n      ImageId: ami-0123456789abcdef0\n"
    "      AvailabilityZone: us-east-1a\n  Data:\n    Type: AWS::EC2::Volume\n"
    "    Properties: {AvailabilityZone: us-east-1b, Size: 100}\n  Attach:\n    Type: AWS::EC2::VolumeAttachment\n"
    "    Properties: {InstanceId: !Ref Host, VolumeId: !Ref Data, Device: /dev/sdf}",
    deploy_failure=True,
)
def attachment_az_mismatch(attachment, ctx):
    """A volume attached to an instance in another Availability Zone: EBS volumes attach only
    within their zone, and EC2 refuses ("InvalidVolume.ZoneMismatch: The volume … is not in the
    same availability zone as instance …"). Zones are compared only when both are known (a name,
    an index into Fn::GetAZs of one region, a subnet of this template). Source: the EC2
    AttachVolume API reference."""
    zones = Zones(ctx)
    for alt in ctx.values(attachment, "Properties"):
        body = alt.value
        if not isinstance(body, dict):
            continue
        volume, instance = ctx.local(body.get("VolumeId")), ctx.local(body.get("InstanceId"))
        if (
            volume is None
            or instance is None
            or volume.type != "AWS::EC2::Volume"
            or instance.type != "AWS::EC2::Instance"
        ):
            continue
        for zone in ctx.values(volume, "Properties.AvailabilityZone"):
            for volume_zone in zones.zone(zone.value, volume.properties.get("AvailabilityZone"), zone.scenario):
                for instance_zone in _instance_zones(zones, ctx, instance, volume_zone.scenario):
                    both = ctx.merge(alt.scenario, instance_zone.scenario)
                    if both is not None and distinct(volume_zone.value, instance_zone.value):
                        message = (
                            f"Volume {volume.logical_id} and instance {instance.logical_id} are in different zones: "
                            'EC2 refuses the attachment ("InvalidVolume.ZoneMismatch").'
                        )
                        yield ctx.finding(attachment, "Properties.VolumeId", message, both)
