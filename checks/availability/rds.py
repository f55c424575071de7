"""Availability of RDS, Aurora, DocumentDB and Neptune databases across Availability Zones."""

from __future__ import annotations

from cfncheck.analysis.zones import Zones
from cfncheck.api import ABSENT, ERROR, INFO, WARNING, Child, as_bool, check

from . import engine_name

RDS_SUBNET_GROUPS = ("AWS::RDS::DBSubnetGroup", "AWS::DocDB::DBSubnetGroup", "AWS::Neptune::DBSubnetGroup")
AURORA_ENGINES = ("aurora", "aurora-mysql", "aurora-postgresql")
NO_MULTI_AZ_ENGINES = ("sqlserver-ex",)  # SQL Server Express cannot run Multi-AZ


@check(
    "RDS003",
    "rds-multi-az-disabled",
    WARNING,
    types=["AWS::RDS::DBInstance"],
    fix="Set `MultiAZ: true` so RDS keeps a synchronous standby in another Availability Zone.",
    children=[
        Child(
            "RDS022",
            "rds-read-replica-single-az",
            INFO,
            """A read replica without Multi-AZ: an AZ outage stops it, while its source still serves
            writes. Worth a standby when the replica may be promoted or serves reads that must
            survive the outage.""",
            fix="Set `MultiAZ: true` on the read replica if it must survive an AZ outage.",
            formerly=("RDS003",),
        )
    ],
)
def rds_multi_az(db, ctx):
    """A standalone RDS instance without Multi-AZ has no standby: an AZ outage or a host failure
    stops the database until it is restored.

    CloudFormation's default is `MultiAZ: false`. Aurora members (`DBClusterIdentifier`) get
    their availability from the cluster and are skipped; a read replica without Multi-AZ is
    RDS022 (its source still serves writes). SQL Server Express cannot run Multi-AZ and is skipped.
    Suppress for development stacks if a single AZ is intended.
    """
    for scenario, (multi_az, engine, cluster, source) in ctx.joint(
        ctx.values(db, "Properties.MultiAZ"),
        ctx.values(db, "Properties.Engine"),
        ctx.values(db, "Properties.DBClusterIdentifier"),
        ctx.values(db, "Properties.SourceDBInstanceIdentifier"),
    ):
        engine = engine_name(engine)
        if cluster is not ABSENT or (engine or "").startswith(AURORA_ENGINES) or engine in NO_MULTI_AZ_ENGINES:
            continue
        if as_bool(multi_az, False) is not False:
            continue
        if source is not ABSENT:
            yield ctx.finding(
                db,
                "Properties.MultiAZ",
                "This read replica runs in a single Availability Zone: set MultiAZ: true if it must survive "
                "an AZ outage (for example when it may be promoted).",
                scenario,
                rule="RDS022",
            )
        else:
            yield ctx.finding(
                db,
                "Properties.MultiAZ",
                "Set MultiAZ: true: without it (the default is false) the instance has no standby in another "
                "Availability Zone and an AZ outage stops the database.",
                scenario,
            )


@check(
    "RDS004",
    "rds-aurora-single-instance",
    WARNING,
    types=["AWS::RDS::DBCluster"],
    fix="Add a second `AWS::RDS::DBInstance` with this `DBClusterIdentifier`, in another Availability Zone.",
)
def aurora_single_instance(cluster, ctx):
    """An Aurora cluster with one instance has no failover target: when the writer fails, Aurora
    must re-create it, which takes minutes instead of the ~30 s of a failover to a replica.

    Applies to provisioned Aurora clusters (EngineMode absent or provisioned) whose instances are
    in the template; a cluster with no instance here is not reported (they may live elsewhere).
    Two or more instances all pinned to the same `AvailabilityZone` are reported too.
    """
    zones = Zones(ctx)
    for scenario, (engine, mode) in ctx.joint(
        ctx.values(cluster, "Properties.Engine"), ctx.values(cluster, "Properties.EngineMode")
    ):
        if engine_name(engine) not in AURORA_ENGINES or mode not in (ABSENT, "provisioned"):
            continue
        members = []
        for instance in ctx.resources("AWS::RDS::DBInstance"):
            linked = zones.linked(instance, "Properties.DBClusterIdentifier", cluster)
            if linked:
                members.append((instance, zones.placed(instance, linked, zone="Properties.AvailabilityZone")))
        for span_alt in zones.members(members):
            merged = ctx.merge(span_alt.scenario, scenario)
            if merged is None:
                continue
            span = span_alt.value
            if span.count == 1:
                yield ctx.finding(
                    cluster,
                    "Properties",
                    "This Aurora cluster has a single DB instance in the template: add a second instance (a reader "
                    "in another Availability Zone) so Aurora can fail over instead of re-creating the writer.",
                    merged,
                )
            elif span.single:
                yield ctx.finding(
                    cluster,
                    "Properties",
                    f"Every DB instance of this Aurora cluster is pinned to {span.zone}: place one in another "
                    "Availability Zone (or remove AvailabilityZone) so a failover survives an AZ outage.",
                    merged,
                )


@check(
    "RDS007",
    "rds-subnet-group-single-az",
    ERROR,
    types=list(RDS_SUBNET_GROUPS),
    fix="List subnets in at least two Availability Zones in `SubnetIds`.",
    deploy_failure=True,
)
def subnet_group_single_az(group, ctx):
    """RDS (and DocumentDB, Neptune) refuse a DB subnet group that does not span at least two
    Availability Zones; creating it fails.

    Reported only when the zones are known: one subnet, or in-template subnets all in the same zone.
    """
    for alt in Zones(ctx).subnets(group, "Properties.SubnetIds"):
        span = alt.value
        if span is not ABSENT and span.single:
            yield ctx.finding(
                group,
                "Properties.SubnetIds",
                f"The subnets of this DB subnet group are {span.describe()}: add a subnet in a second Availability "
                "Zone (RDS rejects a subnet group that covers fewer than two).",
                alt.scenario,
            )
