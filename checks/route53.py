"""Route 53 private hosted zones and the VPCs that resolve them (tier 2)."""

from __future__ import annotations

from cfncheck.api import WARNING, as_bool, check

ZONE, VPC = "AWS::Route53::HostedZone", "AWS::EC2::VPC"
DNS_ATTRIBUTES = (("EnableDnsSupport", True), ("EnableDnsHostnames", False))
"""The VPC attributes a private hosted zone needs, with their defaults for a VPC CloudFormation creates."""


@check(
    "R53002",
    "r53-private-zone-vpc-dns-disabled",
    WARNING,
    types=[ZONE],
    fix="Set EnableDnsSupport and EnableDnsHostnames to true on the VPCs of the private hosted zone.",
    example="Resources:\n  Network:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.0.0.0/16\n"
    "  Internal:\n    Type: AWS::Route53::HostedZone\n    Properties:\n      Name: internal.example.com\n"
    "      VPCs:\n        - VPCId: !Ref Network\n          VPCRegion: !Ref AWS::Region",
)
def private_zone_vpc_dns_disabled(zone, ctx):
    """Route 53 requires enableDnsSupport and enableDnsHostnames to be true in every VPC of a
    private hosted zone ("For each VPC that you want to associate with the Route 53 hosted zone,
    change the following VPC settings to true"); a VPC CloudFormation creates has DNS hostnames
    off unless the template turns them on. Route 53 accepts the association all the same (no
    error is documented), so this is a warning: the zone's names may not resolve in the VPC.
    Source: the Route 53 developer guide, "Creating a private hosted zone" and "Considerations
    when working with a private hosted zone"
    (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/hosted-zone-private-considerations.html)."""
    for path, alt in ctx.elements(zone, "Properties.VPCs"):
        if not isinstance(alt.value, dict):
            continue
        vpc = ctx.follow(alt.value.get("VPCId"), alt.scenario)
        if vpc is None or vpc.type != VPC:
            continue
        for attribute, default in DNS_ATTRIBUTES:
            for setting in vpc.values(f"Properties.{attribute}"):
                both = ctx.merge(alt.scenario, setting.scenario)
                if both is None or as_bool(setting.value, default) is not False:
                    continue
                shown = "false" if as_bool(setting.value) is False else "not set (false by default)"
                message = (
                    f"{vpc.logical_id} has {attribute} {shown}: Route 53 requires EnableDnsSupport and "
                    f"EnableDnsHostnames true in a VPC that resolves a private hosted zone. Set {attribute}: true."
                )
                related = [vpc.location(ctx, f"Properties.{attribute}", message=f"{attribute} of {vpc.logical_id}")]
                yield ctx.finding(zone, path + ("VPCId",), message, both, related=related)
