"""Exposure of RDS instances to the internet."""

from __future__ import annotations

from cfncheck.analysis.subnets import public_subnets
from cfncheck.api import ABSENT, ERROR, WARNING, Child, Context, Resource, Scenario, as_bool, check


@check(
    "RDS001",
    "rds-publicly-accessible",
    ERROR,
    types=["AWS::RDS::DBInstance"],
    fix="Set PubliclyAccessible: false and place the instance in a DB subnet group of private subnets.",
    tags=("security",),
    children=[
        Child(
            "RDS020",
            "rds-public-by-default",
            WARNING,
            """A DB instance without PubliclyAccessible whose placement makes it public by default:
            RDS makes an instance publicly accessible when its subnets route to an internet gateway,
            so a DB subnet group with a public subnet of the template, or no DBSubnetGroupName at all
            (the instance lands in the default VPC, whose subnets are public), exposes it. Aurora
            instances take the subnet group of their cluster. Subnets the template does not show
            are unknown and not reported.""",
            fix="Set PubliclyAccessible: false, and use a DB subnet group of private subnets.",
            formerly=("RDS001",),
        )
    ],
)
def rds_publicly_accessible(instance, ctx):
    """A database reachable from the internet is one leaked password away from a breach; databases
    belong in private subnets.

    Reported: PubliclyAccessible true. When it is absent, AWS decides from the subnets, and an
    instance public by default is RDS020."""
    for scenario, (public, group, cluster, source) in ctx.joint(
        ctx.values(instance, "Properties.PubliclyAccessible"),
        ctx.values(instance, "Properties.DBSubnetGroupName"),
        ctx.values(instance, "Properties.DBClusterIdentifier"),
        ctx.values(instance, "Properties.SourceDBInstanceIdentifier"),
    ):
        if as_bool(public) is True:
            yield ctx.finding(
                instance,
                "Properties.PubliclyAccessible",
                "Set PubliclyAccessible to false: the database is reachable from the internet.",
                scenario,
            )
            continue
        if public is not ABSENT or source is not ABSENT:
            continue  # private, not known, or a read replica placed like its source
        if group is ABSENT and cluster is not ABSENT:
            owner = ctx.local(cluster)  # subnets are classified from the route tables this template shows
            if owner is None or owner.type != "AWS::RDS::DBCluster":
                continue
            for joint, (value,) in ctx.joint(ctx.values(owner, "Properties.DBSubnetGroupName"), within=scenario):
                yield from _placement(ctx, instance, value, joint)
            continue
        yield from _placement(ctx, instance, group, scenario)


def _placement(ctx: Context, instance: Resource, group, scenario: Scenario):
    if group is ABSENT:
        yield ctx.finding(
            instance,
            "Properties.PubliclyAccessible",
            "Set PubliclyAccessible: false (or a DBSubnetGroupName of private subnets): without a subnet group the "
            "instance goes to the default VPC, whose subnets are public.",
            scenario,
            rule="RDS020",
        )
        return
    subnet_group = ctx.local(group)
    if subnet_group is None or subnet_group.type != "AWS::RDS::DBSubnetGroup":
        return
    public = {subnet.logical_id: when for subnet, when in public_subnets(ctx)}
    for joint, (subnets,) in ctx.joint(ctx.values(subnet_group, "Properties.SubnetIds"), within=scenario):
        for subnet in subnets if isinstance(subnets, list) else ():
            target = ctx.local(subnet)
            when = public.get(target.logical_id) if target is not None else None
            merged = ctx.merge(when, joint) if when is not None else None
            if merged is not None:
                yield ctx.finding(
                    instance,
                    "Properties.PubliclyAccessible",
                    f"Set PubliclyAccessible: false: the subnet group has public subnet {target.logical_id} (routed to "
                    "an internet gateway), where the instance is public by default.",
                    merged,
                    rule="RDS020",
                )
                return
