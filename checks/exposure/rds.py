"""Exposure of RDS databases: reachable from the internet, and how their users sign in."""

from __future__ import annotations

from cfncheck.analysis.subnets import public_subnets
from cfncheck.api import ABSENT, ERROR, INFO, WARNING, Child, Context, Resource, Scenario, as_bool, check


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


IAM_AUTH_ENGINES = frozenset({"mysql", "mariadb", "postgres", "aurora", "aurora-mysql", "aurora-postgresql"})
"""Engines whose databases accept IAM database authentication (RDS and Aurora user guides)."""


@check(
    "RDS011",
    "rds-iam-authentication",
    INFO,
    types=["AWS::RDS::DBInstance", "AWS::RDS::DBCluster"],
    fix="Set `EnableIAMDatabaseAuthentication: true` and grant `rds-db:connect` to the roles that connect.",
    tags=("security",),
    example="""
    Database:
      Type: AWS::RDS::DBInstance
      Properties:
        Engine: postgres
        DBInstanceClass: db.t4g.micro
        AllocatedStorage: '20'
        MasterUsername: app
        ManageMasterUserPassword: true
    """,
)
def rds_iam_authentication(db, ctx):
    """ "IAM-based authentication can be used to login into RDS MySQL & PostgreSQL" (seed notes 001
    #116, 002 RDS-10): applications connect with short-lived tokens of their IAM role instead of a
    stored password, and access is granted and revoked in IAM.

    Noted (info) for MySQL, MariaDB, PostgreSQL and Aurora databases where it is off (the default).
    Aurora members take the cluster's setting and read replicas their source's; Aurora Serverless v1
    (`EngineMode: serverless`) does not support it. Turning it on for an engine that does not
    support it fails the deployment, which is not this advice.
    """
    for scenario, (enabled, engine, mode, cluster, source) in ctx.joint(
        ctx.values(db, "Properties.EnableIAMDatabaseAuthentication"),
        ctx.values(db, "Properties.Engine"),
        ctx.values(db, "Properties.EngineMode"),
        ctx.values(db, "Properties.DBClusterIdentifier"),
        ctx.values(db, "Properties.SourceDBInstanceIdentifier"),
    ):
        member = db.type == "AWS::RDS::DBInstance" and (cluster is not ABSENT or source is not ABSENT)
        if member or mode == "serverless":
            continue
        if not isinstance(engine, str) or engine.lower() not in IAM_AUTH_ENGINES:
            continue
        if as_bool(enabled, False) is False:
            yield ctx.finding(
                db,
                "Properties.EnableIAMDatabaseAuthentication",
                "IAM database authentication is off: turn it on (EnableIAMDatabaseAuthentication: true) so "
                "applications sign in with their IAM role's short-lived tokens instead of a stored password.",
                scenario,
            )
