"""VPC resources EC2 refuses: address ranges, NAT gateways, routes, endpoints, flow logs, peering."""

from __future__ import annotations

import re

from cfncheck.analysis.cidr import parse
from cfncheck.analysis.policy import text_of
from cfncheck.analysis.wiring import depends_on
from cfncheck.api import ABSENT, ERROR, WARNING, as_bool, check

VPC, SUBNET, SECONDARY = "AWS::EC2::VPC", "AWS::EC2::Subnet", "AWS::EC2::VPCCidrBlock"
GATEWAY, ATTACHMENT = "AWS::EC2::InternetGateway", "AWS::EC2::VPCGatewayAttachment"
SIZES = range(16, 29)
"""The IPv4 prefix lengths EC2 takes for a VPC block and a subnet: /16 to /28."""
GATEWAY_SERVICES = ("s3", "dynamodb", "s3express")
_SERVICE = re.compile(r"^com\.amazonaws\.(?:[a-z0-9-]+|\$\{[^}]*\})\.([a-z0-9.-]+)$")


def _ipv4(value):
    network = parse(value)
    return network if network is not None and network.version == 4 else None


def _vpc_blocks(ctx, vpc, scenario):
    """The IPv4 blocks of a VPC of this template (primary and secondary), or None when one is not known."""
    blocks = []
    for alt in ctx.values(vpc, "Properties.CidrBlock"):
        if ctx.merge(alt.scenario, scenario) is not None:
            if alt.value is ABSENT or _ipv4(alt.value) is None:
                return None
            blocks.append(_ipv4(alt.value))
    for extra in ctx.resources(SECONDARY):
        for alt in ctx.values(extra, "Properties"):
            body = alt.value
            if not isinstance(body, dict) or not ctx.refers_to(body.get("VpcId"), vpc):
                continue
            if "Ipv4IpamPoolId" in body:
                return None
            if "CidrBlock" in body:  # else an IPv6 block
                block = _ipv4(body["CidrBlock"])
                if block is None:
                    return None
                blocks.append(block)
    return blocks


@check(
    "VPC006",
    "vpc-cidr-invalid",
    ERROR,
    types=[VPC, SECONDARY, SUBNET],
    fix="Use a /16 to /28 block for the VPC and its subnets, each subnet inside one of the VPC's blocks and apart "
    "from the other subnets.",
    example="Resources:\n  Network:\n    Type: AWS::EC2::VPC\n    Properties: {CidrBlock: 10.0.0.0/16}\n  Public:\n"
    "    Type: AWS::EC2::Subnet\n    Properties: {VpcId: !Ref Network, CidrBlock: 10.1.0.0/24}",
    deploy_failure=True,
)
def cidr_invalid(resource, ctx):
    """Address ranges EC2 refuses: a VPC block or subnet whose prefix is outside /16 to /28
    ("InvalidVpc.Range" / "InvalidSubnet.Range"), a subnet outside the blocks of its VPC
    ("InvalidSubnet.Range: The CIDR … is invalid"), or two subnets of one VPC that overlap
    ("InvalidSubnet.Conflict: The CIDR … conflicts with another subnet"). Only literal ranges of a
    VPC of this template are compared. Source: the Amazon VPC user guide, "VPC CIDR blocks" and
    "Subnet CIDR blocks"."""
    for alt in ctx.values(resource, "Properties"):
        body = alt.value
        if not isinstance(body, dict):
            continue
        block = _ipv4(body.get("CidrBlock"))
        if block is None:
            continue
        if block.prefixlen not in SIZES:
            what = "A subnet" if resource.type == SUBNET else "A VPC block"
            message = f"{what} of /{block.prefixlen} ({block}): EC2 takes /16 to /28 only."
            yield ctx.finding(resource, "Properties.CidrBlock", message, alt.scenario)
            continue
        if resource.type != SUBNET:
            continue
        vpc = ctx.local(body.get("VpcId"))
        if vpc is None or vpc.type != VPC:
            continue
        blocks = _vpc_blocks(ctx, vpc, alt.scenario)
        if blocks and not any(block.subnet_of(outer) for outer in blocks):
            message = (
                f"Subnet {block} is outside the blocks of VPC {vpc.logical_id} ({', '.join(map(str, blocks))}): EC2 "
                'refuses it ("InvalidSubnet.Range").'
            )
            yield ctx.finding(resource, "Properties.CidrBlock", message, alt.scenario)
            continue
        for other in ctx.resources(SUBNET):
            if other is resource:
                break  # each pair once, on the later subnet
            for other_alt in ctx.values(other, "Properties"):
                theirs = other_alt.value if isinstance(other_alt.value, dict) else {}
                their_block = _ipv4(theirs.get("CidrBlock"))
                both = ctx.merge(alt.scenario, other_alt.scenario)
                if (
                    their_block
                    and both is not None
                    and ctx.refers_to(theirs.get("VpcId"), vpc)
                    and block.overlaps(their_block)
                ):
                    message = (
                        f"Subnet {block} overlaps {other.logical_id} ({their_block}) in VPC {vpc.logical_id}: "
                        'EC2 refuses it ("InvalidSubnet.Conflict").'
                    )
                    related = [
                        ctx.location(other, "Properties.CidrBlock", other_alt.scenario, message="the other subnet")
                    ]
                    yield ctx.finding(resource, "Properties.CidrBlock", message, both, related=related)


@check(
    "VPC003",
    "vpc-flow-log-destination-invalid",
    ERROR,
    types=["AWS::EC2::FlowLog"],
    fix="For a CloudWatch Logs destination (the default) give LogGroupName (or LogDestination) and "
    "DeliverLogsPermissionArn, a role flow logs can assume to write to it.",
    example="Resources:\n  Flow:\n    Type: AWS::EC2::FlowLog\n    Properties:\n      ResourceId: vpc-12345678\n"
    "      ResourceType: VPC\n      TrafficType: ALL\n      LogGroupName: vpc-flow",
    deploy_failure=True,
)
def flow_log_destination_invalid(flow, ctx):
    """A flow log to CloudWatch Logs (the default destination type) without the role that lets it
    write there, or without a log group: EC2 refuses it (DeliverLogsPermissionArn "is required if
    the destination type is cloud-watch-logs"). Source: the EC2 CreateFlowLogs API reference."""
    for alt in ctx.values(flow, "Properties"):
        body = alt.value
        if not isinstance(body, dict) or body.get("LogDestinationType", "cloud-watch-logs") != "cloud-watch-logs":
            continue
        if "DeliverLogsPermissionArn" not in body:
            message = (
                "A flow log to CloudWatch Logs without DeliverLogsPermissionArn: EC2 refuses it (the role is required "
                "for the cloud-watch-logs destination type)."
            )
            yield ctx.finding(flow, "Properties", message, alt.scenario)
        if "LogGroupName" not in body and "LogDestination" not in body:
            message = "A flow log to CloudWatch Logs without LogGroupName or LogDestination: EC2 refuses it."
            yield ctx.finding(flow, "Properties", message, alt.scenario)


@check(
    "VPC007",
    "vpc-nat-gateway-placement-invalid",
    ERROR,
    types=["AWS::EC2::NatGateway"],
    fix="Give a public NAT gateway an Elastic IP (AllocationId: !GetAtt Eip.AllocationId); give a private one none.",
    example="Resources:\n  Nat:\n    Type: AWS::EC2::NatGateway\n    Properties: {SubnetId: subnet-12345678}",
    deploy_failure=True,
)
def nat_gateway_placement_invalid(nat, ctx):
    """A zonal public NAT gateway (the default connectivity) without AllocationId, or a private
    one with it: EC2 refuses it (AllocationId "is required for a public NAT gateway and cannot be
    specified with a private NAT gateway"). A regional NAT gateway (AvailabilityMode) manages its
    addresses and is not judged. Source: the AWS::EC2::NatGateway reference (AllocationId)."""
    for alt in ctx.values(nat, "Properties"):
        body = alt.value
        if not isinstance(body, dict) or body.get("AvailabilityMode", "zonal") != "zonal":
            continue
        kind = body.get("ConnectivityType", "public")
        if kind == "public" and "AllocationId" not in body:
            message = "A public NAT gateway without AllocationId: EC2 refuses it. Attach an Elastic IP's AllocationId."
            yield ctx.finding(nat, "Properties", message, alt.scenario)
        elif kind == "private" and "AllocationId" in body:
            message = "A private NAT gateway with AllocationId: EC2 refuses it. Remove AllocationId."
            yield ctx.finding(nat, "Properties.AllocationId", message, alt.scenario)


@check(
    "VPC008",
    "vpc-igw-route-race",
    WARNING,
    types=["AWS::EC2::Route"],
    fix="Make the route DependsOn the AWS::EC2::VPCGatewayAttachment of its internet gateway.",
    example="Resources:\n  Network:\n    Type: AWS::EC2::VPC\n    Properties: {CidrBlock: 10.0.0.0/16}\n"
    "  Gateway:\n    Type: AWS::EC2::InternetGateway\n  Attach:\n    Type: AWS::EC2::VPCGatewayAttachment\n"
    "    Properties: {VpcId: !Ref Network, InternetGatewayId: !Ref Gateway}\n  Table:\n"
    "    Type: AWS::EC2::RouteTable\n    Properties: {VpcId: !Ref Network}\n  Out:\n    Type: AWS::EC2::Route\n"
    "    Properties: {RouteTableId: !Ref Table, DestinationCidrBlock: 0.0.0.0/0, GatewayId: !Ref Gateway}",
)
def igw_route_race(route, ctx):
    """A route through an internet gateway of this template that does not wait for the gateway's
    attachment to the VPC: CloudFormation may create the route first, and EC2 refuses a route to
    a gateway that is not attached ("route table … and network gateway … belong to different
    networks"). A race, which AWS's own samples often win: a warning, not an error. Source: the
    CloudFormation DependsOn reference (a route that includes an internet gateway must declare
    a dependency on the gateway attachment)."""
    for alt in ctx.values(route, "Properties.GatewayId"):
        gateway = ctx.local(alt.value)
        if gateway is None or gateway.type != GATEWAY:
            continue
        attachments = [
            a
            for a in ctx.resources(ATTACHMENT)
            if any(ctx.refers_to(v.value, gateway) for v in ctx.values(a, "Properties.InternetGatewayId"))
        ]
        if attachments and not any(depends_on(ctx, route, attachment) for attachment in attachments):
            message = (
                f"The route does not DependsOn {attachments[0].logical_id}: it may be created before gateway "
                f"{gateway.logical_id} is attached to the VPC, and EC2 then refuses it. Add DependsOn."
            )
            yield ctx.finding(route, "Properties.GatewayId", message, alt.scenario)


def _service(name) -> str | None:
    text = text_of(name)
    found = _SERVICE.match(text) if text else None
    return found.group(1) if found and "${" not in found.group(1) else None


@check(
    "VPC009",
    "vpc-gateway-endpoint-invalid",
    ERROR,
    types=["AWS::EC2::VPCEndpoint"],
    fix="Set VpcEndpointType Interface (with SubnetIds and SecurityGroupIds) for services other than S3 and "
    "DynamoDB: only they have gateway endpoints.",
    example="Resources:\n  Queues:\n    Type: AWS::EC2::VPCEndpoint\n    Properties:\n      VpcId: vpc-12345678\n"
    "      ServiceName: !Sub com.amazonaws.${AWS::Region}.sqs",
    deploy_failure=True,
)
def gateway_endpoint_invalid(endpoint, ctx):
    """A Gateway endpoint (the default VpcEndpointType) for a service that has none: only S3 and
    DynamoDB do, and EC2 refuses the others ("The Vpc Endpoint Service … does not support
    Gateway endpoints"). Source: the Amazon VPC PrivateLink guide, "Gateway endpoints"."""
    for alt in ctx.values(endpoint, "Properties"):
        body = alt.value
        if not isinstance(body, dict) or body.get("VpcEndpointType", "Gateway") != "Gateway":
            continue
        service = _service(body.get("ServiceName"))
        if service is not None and service not in GATEWAY_SERVICES:
            default = " (the default type)" if "VpcEndpointType" not in body else ""
            message = (
                f"A Gateway endpoint{default} for {service}: only S3 and DynamoDB have gateway endpoints, and EC2 "
                "refuses it. Set VpcEndpointType Interface."
            )
            yield ctx.finding(endpoint, "Properties.ServiceName", message, alt.scenario)


@check(
    "VPC010",
    "vpc-endpoint-dns-attributes",
    ERROR,
    types=["AWS::EC2::VPCEndpoint"],
    fix="Set EnableDnsHostnames and EnableDnsSupport to true on the VPC, or PrivateDnsEnabled to false.",
    example="Resources:\n  Network:\n    Type: AWS::EC2::VPC\n    Properties: {CidrBlock: 10.0.0.0/16}\n"
    "  Queues:\n    Type: AWS::EC2::VPCEndpoint\n    Properties:\n      VpcId: !Ref Network\n"
    "      VpcEndpointType: Interface\n      PrivateDnsEnabled: true\n"
    "      ServiceName: !Sub com.amazonaws.${AWS::Region}.sqs\n      SubnetIds: [subnet-12345678]",
    deploy_failure=True,
)
def endpoint_dns_attributes(endpoint, ctx):
    """An interface endpoint with private DNS in a VPC of this template whose DNS hostnames
    (false unless set) or DNS support is off: EC2 refuses it ("Enabling private DNS requires both
    enableDnsSupport and enableDnsHostnames VPC attributes set to true"). Source: the Amazon VPC
    PrivateLink guide, "DNS attributes for your VPC"."""
    for alt in ctx.values(endpoint, "Properties"):
        body = alt.value
        if not isinstance(body, dict) or body.get("VpcEndpointType") != "Interface":
            continue
        if as_bool(body.get("PrivateDnsEnabled", ABSENT), False) is not True:
            continue
        vpc = ctx.local(body.get("VpcId"))
        if vpc is None or vpc.type != VPC:
            continue
        for vpc_alt in ctx.values(vpc, "Properties"):
            settings = vpc_alt.value if isinstance(vpc_alt.value, dict) else None
            both = ctx.merge(alt.scenario, vpc_alt.scenario)
            if settings is None or both is None:
                continue
            off = [
                key
                for key, default in (("EnableDnsHostnames", False), ("EnableDnsSupport", True))
                if as_bool(settings.get(key, ABSENT), default) is False
            ]
            if off:
                message = (
                    f"Private DNS in VPC {vpc.logical_id}, whose {' and '.join(off)} is off: EC2 refuses the endpoint "
                    '("Enabling private DNS requires both enableDnsSupport and enableDnsHostnames VPC attributes set '
                    'to true").'
                )
                yield ctx.finding(endpoint, "Properties.PrivateDnsEnabled", message, both)


@check(
    "VPC011",
    "vpc-peering-invalid",
    ERROR,
    types=["AWS::EC2::VPCPeeringConnection"],
    fix="Peer VPCs whose address ranges do not overlap.",
    example="Resources:\n  Left:\n    Type: AWS::EC2::VPC\n    Properties: {CidrBlock: 10.0.0.0/16}\n  Right:\n"
    "    Type: AWS::EC2::VPC\n    Properties: {CidrBlock: 10.0.0.0/16}\n  Peering:\n"
    "    Type: AWS::EC2::VPCPeeringConnection\n    Properties: {VpcId: !Ref Left, PeerVpcId: !Ref Right}",
    deploy_failure=True,
)
def peering_invalid(peering, ctx):
    """A peering connection between two VPCs of this template whose address ranges overlap: the
    request fails ("overlapping CIDR") and the stack with it. Source: the Amazon VPC peering guide,
    "VPC peering limitations" ("You cannot create a VPC peering connection between VPCs that have
    matching or overlapping IPv4 … CIDR blocks")."""
    for alt in ctx.values(peering, "Properties"):
        body = alt.value
        if not isinstance(body, dict):
            continue
        ends = [ctx.local(body.get(key)) for key in ("VpcId", "PeerVpcId")]
        if any(end is None or end.type != VPC for end in ends) or ends[0] is ends[1]:
            continue
        left, right = (_vpc_blocks(ctx, end, alt.scenario) for end in ends)
        if not left or not right:
            continue
        overlap = next(((a, b) for a in left for b in right if a.overlaps(b)), None)
        if overlap:
            message = (
                f"VPCs {ends[0].logical_id} ({overlap[0]}) and {ends[1].logical_id} ({overlap[1]}) overlap: a peering "
                "between them fails."
            )
            yield ctx.finding(peering, "Properties.PeerVpcId", message, alt.scenario)
