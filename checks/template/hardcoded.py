"""Values that tie a template to one region or account: Availability Zone names, AMI ids."""

from __future__ import annotations

import re

from cfncheck.analysis.hardcoded import Fixed, fixed_strings
from cfncheck.api import WARNING, check

AZ_KEYS = frozenset(
    {
        "AvailabilityZone",
        "AvailabilityZones",
        "AvailabilityZoneName",
        "PreferredAvailabilityZone",
        "PreferredAvailabilityZones",
    }
)
_ZONE_END = r"-(?:east|west|north|south|central|northeast|northwest|southeast|southwest)-\d(?:-[a-z]+-\d)?[a-z]"
_ZONE = rf"(?:us|eu|ap|sa|ca|me|af|il|mx|cn)(?:-gov|-iso[a-z]*)?{_ZONE_END}"
AZ_NAME = re.compile(rf"^{_ZONE}$")
AZ_IN_TEXT = re.compile(rf"{_ZONE_END}\b")
"""How every zone name ends, anywhere in a template's text: without it, no property can hold one.
(It begins with a literal, which the regular expression engine finds fast; the whole zone
pattern, tried at every character, cost more than the check.)"""
AMI_ID = re.compile(r"^ami-[0-9a-f]{8}([0-9a-f]{9})?$")
_DEPTH = 6

IMAGE_PATHS = {
    "AWS::EC2::Instance": ("Properties.ImageId",),
    "AWS::EC2::LaunchTemplate": ("Properties.LaunchTemplateData.ImageId",),
    "AWS::AutoScaling::LaunchConfiguration": ("Properties.ImageId",),
    "AWS::EC2::SpotFleet": ("Properties.SpotFleetRequestConfigData.LaunchSpecifications.[].ImageId",),
    "AWS::Batch::ComputeEnvironment": (
        "Properties.ComputeResources.ImageId",
        "Properties.ComputeResources.Ec2Configuration.[].ImageIdOverride",
    ),
    "AWS::ImageBuilder::ImageRecipe": ("Properties.ParentImage",),
}
BEANSTALK = ("AWS::ElasticBeanstalk::Environment", "AWS::ElasticBeanstalk::ConfigurationTemplate")


def _where(fixed: Fixed) -> str:
    return f"the Default of parameter {fixed.parameter}" if fixed.parameter else "written in the template"


def _related(ctx, fixed: Fixed) -> list:
    if fixed.parameter is None:
        return []
    return [ctx.location(None, ("Parameters", fixed.parameter, "Default"), message=f"{fixed.parameter}'s Default")]


@check(
    "CFN022",
    "cfn-hardcoded-availability-zone",
    WARNING,
    types=None,
    fix="Pick zones with `!Select [0, !GetAZs '']`, or take them from a parameter of type "
    "`AWS::EC2::AvailabilityZone::Name` without a Default.",
    example="""
    Subnet:
      Type: AWS::EC2::Subnet
      Properties:
        VpcId: !Ref Vpc
        CidrBlock: 10.0.0.0/24
        AvailabilityZone: us-east-1a
    """,
)
def hardcoded_availability_zone(ctx):
    """A zone name exists in one region only, and the same name is a different physical zone in
    each account: a template that writes `us-east-1a` deploys nowhere else (seed notes 001 #21,
    whose own example is "AvailabilityZone: us-east-1a").

    Reported where a zone name is written in a resource or is the Default of a parameter the
    resource uses (a value given for the parameter in this run is not the template's). Zones
    picked with `Fn::GetAZs`, read from a mapping, or from a subnet (`!GetAtt Subnet.AvailabilityZone`)
    pass.
    """
    template = ctx.template
    if not AZ_IN_TEXT.search(template.document.text) and not template.has_escapes:
        return
    for resource in ctx.resources():
        for pattern in _az_properties(resource.properties, ("Properties",), 0):
            for fixed in fixed_strings(ctx, resource, pattern):
                if AZ_NAME.match(fixed.value):
                    yield ctx.finding(
                        resource,
                        fixed.path,
                        f"Availability Zone {fixed.value} is {_where(fixed)}: it exists only in one region, and names "
                        "differ between accounts. Use !Select [i, !GetAZs ''] or a parameter of type "
                        "AWS::EC2::AvailabilityZone::Name without a Default.",
                        fixed.scenario,
                        related=_related(ctx, fixed),
                    )


def _az_properties(node, path: tuple, depth: int):
    """The paths (``"[]"`` for list items) of the zone-name properties inside a resource's Properties."""
    if depth > _DEPTH:
        return
    if isinstance(node, dict) and not (len(node) == 1 and str(next(iter(node))).startswith(("Fn::", "Ref"))):
        for key, value in node.items():
            if key in AZ_KEYS:
                yield path + (key,)
            else:
                yield from _az_properties(value, path + (key,), depth + 1)
    elif isinstance(node, list) and node:
        yield from dict.fromkeys(found for item in node for found in _az_properties(item, path + ("[]",), depth + 1))


@check(
    "CFN023",
    "cfn-hardcoded-ami-id",
    WARNING,
    types=[*IMAGE_PATHS, *BEANSTALK],
    options={"allowed_amis": []},
    fix="Read the AMI from SSM: a parameter of type `AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>` (Default "
    "`/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64`), or `{{resolve:ssm:...}}`.",
    example="""
    Server:
      Type: AWS::EC2::Instance
      Properties:
        ImageId: ami-0abcdef1234567890
        InstanceType: t3.micro
    """,
)
def hardcoded_ami_id(resource, ctx):
    """An AMI id is regional — "AMI are built for a specific AWS region (!)" (seed notes 001 #20,
    002 CFG-05) — and goes stale as images are patched: a template that writes one deploys in one
    region, with an image that ages.

    Reported where an `ami-` id is written in the resource or is the Default of a parameter it uses
    (an `AWS::EC2::Image::Id` parameter too: without a value, the Default is deployed). Ids read
    from a mapping keyed by region, from SSM (`AWS::SSM::Parameter::Value<…>` parameters,
    `{{resolve:ssm:…}}`), or given in this run pass. The `allowed_amis` option lists ids the
    organisation approves.
    """
    allowed = set(ctx.options["allowed_amis"])
    for fixed in _image_ids(ctx, resource):
        if AMI_ID.match(fixed.value) and fixed.value not in allowed:
            yield ctx.finding(
                resource,
                fixed.path,
                f"AMI {fixed.value} is {_where(fixed)}: it exists in one region only and goes stale. Read the "
                "image id from SSM Parameter Store (AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>).",
                fixed.scenario,
                related=_related(ctx, fixed),
            )


def _image_ids(ctx, resource) -> list[Fixed]:
    if resource.type in IMAGE_PATHS:
        return [fixed for pattern in IMAGE_PATHS[resource.type] for fixed in fixed_strings(ctx, resource, pattern)]
    found = []
    for path, alt in ctx.elements(resource, "Properties.OptionSettings"):
        setting = alt.value
        if (
            isinstance(setting, dict)
            and setting.get("Namespace") == "aws:autoscaling:launchconfiguration"
            and setting.get("OptionName") == "ImageId"
        ):
            found += fixed_strings(ctx, resource, path + ("Value",))
    return found
