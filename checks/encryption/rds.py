"""Encryption of RDS, Aurora, DocumentDB and Neptune databases: storage, and TLS to clients."""

from __future__ import annotations

from cfncheck.analysis import tls
from cfncheck.api import ABSENT, ERROR, WARNING, Child, Reference, Unknown, as_bool, check

from . import flag_off, key_without_flag

RDS_INSTANCE = "AWS::RDS::DBInstance"
RDS_CLUSTER = "AWS::RDS::DBCluster"
CLUSTERS = (RDS_CLUSTER, "AWS::DocDB::DBCluster", "AWS::Neptune::DBCluster")
INHERITED = {
    RDS_INSTANCE: (
        "DBClusterIdentifier",
        "SourceDBInstanceIdentifier",
        "DBSnapshotIdentifier",
        "SourceDBClusterIdentifier",
        "SourceDbiResourceId",
    ),
    RDS_CLUSTER: ("SnapshotIdentifier", "SourceDBClusterIdentifier", "ReplicationSourceIdentifier"),
    "AWS::DocDB::DBCluster": ("SnapshotIdentifier", "SourceDBClusterIdentifier"),
    "AWS::Neptune::DBCluster": ("SnapshotIdentifier", "SourceDBClusterIdentifier"),
}


def _restored_or_member(ctx, database) -> bool:
    """Encryption comes from elsewhere: an Aurora cluster, a source database or a snapshot."""
    return any(
        alt.value is not ABSENT
        for name in INHERITED[database.type]
        for alt in ctx.values(database, f"Properties.{name}")
    )


@check(
    "RDS002",
    "rds-storage-unencrypted",
    WARNING,
    types=[RDS_INSTANCE, *CLUSTERS],
    fix="Set `StorageEncrypted: true` (and KmsKeyId for a customer key) when creating the database.",
    tags=("security",),
    children=[
        key_without_flag("RDS021", "rds-kms-key-without-encryption", "StorageEncrypted", "the database", "RDS002"),
        Child(
            "RDS012",
            "rds-aurora-instance-level-property",
            ERROR,
            """A cluster-level setting written on an Aurora DB instance: RDS rejects it, so the stack
            fails. Aurora stores a cluster's data once, for all its instances, so encryption is
            decided by the DB cluster; an instance that says StorageEncrypted differently from its
            cluster (in the run) cannot be created.

            Today this reports StorageEncrypted only; the other cluster-level properties
            (catalog RDS012) are not judged yet.""",
            fix="Remove StorageEncrypted from the Aurora instance; set it on the DB cluster.",
            deploy_failure=True,
            formerly=("RDS002",),
        ),
    ],
)
def rds_storage_unencrypted(database, ctx):
    """Databases must be encrypted at rest, and that is decided when they are created.

    AWS default: StorageEncrypted false for RDS instances, Aurora, DocumentDB and Neptune clusters
    created through CloudFormation (changing it later replaces the database). Aurora encryption
    is a cluster property: an instance with DBClusterIdentifier is not checked for it, but if it
    sets StorageEncrypted differently from its in-template cluster the stack fails (RDS012).
    Databases restored from a snapshot or created as replicas or clones inherit their source's
    encryption and are skipped. Aurora Serverless v1 (EngineMode serverless) is always encrypted.
    KmsKeyId without StorageEncrypted true is rejected (RDS021).
    """
    if database.type == RDS_INSTANCE:
        yield from _member_mismatch(database, ctx)
    if _restored_or_member(ctx, database):
        return
    values = (ctx.values(database, f"Properties.{n}") for n in ("StorageEncrypted", "KmsKeyId", "EngineMode"))
    for scenario, (encrypted, key, mode) in ctx.joint(*values):
        flag = as_bool(encrypted, mode == "serverless")
        if flag is None or flag:
            continue
        yield flag_off(
            ctx,
            database,
            "Properties.StorageEncrypted",
            key,
            scenario,
            "the database storage, its snapshots and backups are not encrypted.",
            "RDS021",
        )


def _member_mismatch(instance, ctx):
    for scenario, (cluster_id, encrypted) in ctx.joint(
        ctx.values(instance, "Properties.DBClusterIdentifier"), ctx.values(instance, "Properties.StorageEncrypted")
    ):
        cluster = ctx.follow(cluster_id, scenario)
        own = as_bool(encrypted)
        if cluster is None or cluster.type != RDS_CLUSTER or own is None:
            continue
        for alt in cluster.values("Properties.StorageEncrypted"):
            merged = ctx.merge(scenario, alt.scenario)
            theirs = as_bool(alt.value, False)
            if merged is not None and theirs is not None and theirs != own:
                yield ctx.finding(
                    instance,
                    "Properties.StorageEncrypted",
                    f"Remove StorageEncrypted from this Aurora instance: it says {str(own).lower()} while cluster"
                    f" {cluster.describe()} is {'encrypted' if theirs else 'not encrypted'}; encryption is set on the"
                    " cluster.",
                    merged,
                    rule="RDS012",
                    related=[
                        cluster.location(ctx, "Properties.StorageEncrypted", merged, message="the cluster's setting")
                    ],
                )


@check(
    "RDS008",
    "rds-tls-not-enforced",
    WARNING,
    types=[RDS_INSTANCE, RDS_CLUSTER],
    fix="Use a custom parameter group with `rds.force_ssl: 1` (PostgreSQL, SQL Server) or"
    " `require_secure_transport: 'ON'` (MySQL, MariaDB).",
    tags=("security",),
)
def rds_tls_not_enforced(database, ctx):
    """Databases should refuse unencrypted client connections.

    AWS default: the default parameter groups accept plaintext connections, except RDS for
    PostgreSQL 15 and later, whose default sets rds.force_ssl 1 (verified in the RDS user guide:
    "By default, RDS for PostgreSQL uses and expects all clients to connect using SSL/TLS";
    an absent EngineVersion means the current default version, 15 or later). Aurora cluster
    members are judged on their cluster's DBClusterParameterGroupName. Oracle (option groups) is
    not judged; a parameter group passed as a parameter, or imported from a template outside the run,
    is unknown and not reported.
    """
    if database.type == RDS_INSTANCE:
        if any(alt.value is not ABSENT for alt in ctx.values(database, "Properties.DBClusterIdentifier")):
            return
        group_key, group_type = "DBParameterGroupName", "AWS::RDS::DBParameterGroup"
    else:
        group_key, group_type = "DBClusterParameterGroupName", "AWS::RDS::DBClusterParameterGroup"
    values = (ctx.values(database, f"Properties.{n}") for n in ("Engine", "EngineVersion", group_key))
    for scenario, (engine, version, group) in ctx.joint(*values):
        if not isinstance(engine, str) or engine.lower() not in tls.RDS_TLS_PARAMETER:
            continue
        engine = engine.lower()
        parameter = tls.RDS_TLS_PARAMETER[engine]
        wanted = "1" if parameter == tls.RDS_FORCE_SSL else "'ON'"
        if group is ABSENT or isinstance(group, str):
            if version is not ABSENT and not isinstance(version, (str, int, float)):
                continue
            if group is ABSENT and tls.rds_default_forces_tls(engine, None if version is ABSENT else version):
                continue
            yield ctx.finding(
                database,
                f"Properties.{group_key}",
                f"Set {group_key} to a custom parameter group with {parameter}: {wanted}: the default group accepts"
                " unencrypted connections.",
                scenario,
            )
            continue
        target = ctx.follow(group, scenario)
        if target is None or target.type != group_type:
            continue
        for alt in target.values(("Properties", "Parameters", parameter)):
            merged = ctx.merge(scenario, alt.scenario)
            if merged is None or isinstance(alt.value, (Unknown, Reference)):
                continue
            if alt.value is ABSENT or not tls.rds_tls_parameter_on(alt.value):
                yield ctx.finding(
                    database,
                    f"Properties.{group_key}",
                    f"Set {parameter}: {wanted} in parameter group {target.describe()}: it accepts unencrypted"
                    " connections.",
                    merged,
                    related=[target.location(ctx, "Properties.Parameters", merged, message="the parameter group")],
                )
