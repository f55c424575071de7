"""Availability of ECS services across Availability Zones."""

from __future__ import annotations

from cfncheck.analysis.zones import Zones
from cfncheck.api import ABSENT, INFO, WARNING, Child, as_number, check, lookup

AZ_ATTRIBUTE = "attribute:ecs.availability-zone"
SUBNETS = "Properties.NetworkConfiguration.AwsvpcConfiguration.Subnets"


@check(
    "ECS007",
    "ecs-service-single-az",
    WARNING,
    types=["AWS::ECS::Service"],
    fix="List subnets in at least two Availability Zones in `NetworkConfiguration.AwsvpcConfiguration.Subnets`.",
    example="""
    PrivateSubnetA:
      Type: AWS::EC2::Subnet
      Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.0.0/24, AvailabilityZone: !Select [0, !GetAZs '']}
    Service:
      Type: AWS::ECS::Service
      Properties:
        Cluster: !Ref Cluster
        TaskDefinition: !Ref Task
        DesiredCount: 2
        LaunchType: FARGATE
        NetworkConfiguration:
          AwsvpcConfiguration:
            Subnets: [!Ref PrivateSubnetA]
    """,
    children=[
        Child(
            "ECS016",
            "ecs-placement-not-spread-across-az",
            INFO,
            "An EC2 service with several tasks whose `PlacementStrategies` replace ECS's default (spread over "
            "`attribute:ecs.availability-zone`) without spreading over zones: its tasks may all land in one zone.",
            fix="Put `{Type: spread, Field: attribute:ecs.availability-zone}` first in `PlacementStrategies`.",
        )
    ],
)
def ecs_service_single_az(service, ctx):
    """Tasks in one Availability Zone stop together when it fails: a service should run in subnets
    of two zones or more (seed notes 002 ECS-11, 001 #178).

    Reads the awsvpc subnets (a single subnet, or subnets proved to share a zone). For an EC2
    service, ECS spreads tasks over zones by default ("for tasks running as part of an Amazon ECS
    service, the task placement strategy is spread using the attribute:ecs.availability-zone"), so
    ECS016 notes only `PlacementStrategies` written without that spread, for more than one task;
    the catalog's "no strategy" case is ECS's default and is not reported.
    """
    for alt in Zones(ctx).subnets(service, SUBNETS):
        if alt.value is not ABSENT and alt.value.single:
            yield ctx.finding(
                service,
                SUBNETS,
                f"This service's tasks run {alt.value.describe()}: add a subnet in a second zone so the service "
                "survives a zone outage.",
                alt.scenario,
            )
    for scenario, (launch, count, strategies) in ctx.joint(
        ctx.values(service, "Properties.LaunchType"),
        ctx.values(service, "Properties.DesiredCount"),
        ctx.values(service, "Properties.PlacementStrategies"),
    ):
        tasks = as_number(count, 1)
        if launch != "EC2" or tasks is None or tasks < 2 or not isinstance(strategies, list) or not strategies:
            continue
        if not all(isinstance(item, dict) and isinstance(item.get("Type"), str) for item in strategies):
            continue
        if not any(lookup(item, "Type") == "spread" and lookup(item, "Field") == AZ_ATTRIBUTE for item in strategies):
            yield ctx.finding(
                service,
                "Properties.PlacementStrategies",
                f"These placement strategies do not spread the {tasks:g} tasks over zones (ECS's default does): add "
                f"{{Type: spread, Field: {AZ_ATTRIBUTE}}} first, so one zone's failure does not take them all.",
                scenario,
                rule="ECS016",
            )
