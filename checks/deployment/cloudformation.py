"""What CloudFormation itself refuses to create: types of services AWS has shut down, custom
resources it cannot call."""

from __future__ import annotations

from cfncheck.analysis.other_tools import expanded_elsewhere
from cfncheck.api import ABSENT, ERROR, check
from cfncheck.schemas import CUSTOM_RESOURCE
from cfncheck.schemas.retired import retirement

from . import today


@check(
    "CFN047",
    "cfn-resource-type-retired",
    ERROR,
    options={"today": ""},
    fix="Remove the resource, or move to the service AWS names as its replacement (the source page says which).",
    example="Resources:\n  Ledger:\n    Type: AWS::QLDB::Ledger\n    Properties:\n      PermissionsMode: STANDARD",
)
def resource_type_retired(ctx):
    """A resource of a service AWS has shut down for every customer (OpsWorks Stacks and
    OpsWorks CM, QLDB, RoboMaker, IoT Analytics, IoT Events, Kinesis Data Analytics for SQL):
    creating it fails, so a new stack with it fails. A service only closed to new customers is
    not reported. The services, the day each stopped creating resources and the AWS page that
    says so are data (``cfncheck/schemas/retired_services.json``); the ``today`` option fixes
    the date they are compared with (default: the day of the run). The legacy types that still
    work are CFN031's."""
    day = today(ctx)
    for resource in ctx.template.resources.values():
        retired = retirement(resource.type)
        if retired is None or retired.date > day:
            continue
        message = (
            f"{resource.type} belongs to {retired.service}, which no longer creates resources since {retired.date} "
            f'(AWS: "{retired.says}"): the stack fails to create it.'
        )
        yield ctx.finding(resource, "Type", message)


@check(
    "CFN030",
    "cfn-custom-resource-wiring",
    ERROR,
    fix="Set ServiceToken to the ARN of the Lambda function or SNS topic that provides the custom resource.",
    example="Resources:\n  Seed:\n    Type: Custom::SeedTable\n    Properties:\n      TableName: orders",
)
def custom_resource_wiring(ctx):
    """A custom resource without ServiceToken: CloudFormation has nothing to send the create
    request to and refuses the resource (ServiceToken is required). Only the scenarios in which
    the resource exists are judged. Source: the AWS::CloudFormation::CustomResource reference."""
    if expanded_elsewhere(ctx.template):  # another tool's module may add the properties
        return
    for resource in ctx.template.resources.values():
        if resource.type != CUSTOM_RESOURCE and not resource.type.startswith("Custom::"):
            continue
        for alt in ctx.values(resource, "Properties"):
            if alt.value is ABSENT or isinstance(alt.value, dict) and "ServiceToken" not in alt.value:
                message = (
                    f"Custom resource {resource.logical_id} has no ServiceToken: CloudFormation cannot call its "
                    "provider and the stack fails. Set ServiceToken to the provider's Lambda function or SNS topic ARN."
                )
                yield ctx.finding(resource, "Properties", message, alt.scenario)
