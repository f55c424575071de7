"""Data that survives deletion and replacement (catalog section 3.9)."""

from __future__ import annotations

from cfncheck.analysis.stateful import (
    INFO_LIST,
    KEEPING_POLICIES,
    SNAPSHOT_TYPES,
    WARNING_LIST,
    create_only_set,
    stateful,
)
from cfncheck.api import ABSENT, ERROR, INFO, WARNING, as_bool, as_number, check, lookup

DB_CLUSTERS = ("AWS::RDS::DBCluster", "AWS::DocDB::DBCluster", "AWS::Neptune::DBCluster")
STATEFUL = [
    "AWS::RDS::DBInstance",
    "AWS::RDS::DBCluster",
    "AWS::DocDB::DBCluster",
    "AWS::Neptune::DBCluster",
    "AWS::Redshift::Cluster",
    "AWS::DynamoDB::Table",
    "AWS::DynamoDB::GlobalTable",
    "AWS::Serverless::SimpleTable",
    "AWS::EC2::Volume",
    "AWS::EFS::FileSystem",
    "AWS::FSx::FileSystem",
    "AWS::ElastiCache::ReplicationGroup",
    "AWS::ElastiCache::CacheCluster",
    "AWS::OpenSearchService::Domain",
    "AWS::Elasticsearch::Domain",
    "AWS::Cognito::UserPool",
    "AWS::KMS::Key",
    "AWS::SecretsManager::Secret",
    "AWS::QLDB::Ledger",
    "AWS::Logs::LogGroup",
    "AWS::SQS::Queue",
    "AWS::Kinesis::Stream",
    "AWS::ECR::Repository",
]


def _keeping(resource_type: str) -> str:
    return "Retain or Snapshot" if resource_type in SNAPSHOT_TYPES else "Retain"


@check(
    "CFN009",
    "cfn-stateful-deletion-policy",
    WARNING,
    types=STATEFUL,
    fix="Set `DeletionPolicy: Retain` (or `Snapshot` where supported) and the same `UpdateReplacePolicy`.",
)
def stateful_deletion_policy(resource, ctx):
    """Deleting a stack, or removing a resource from the template, deletes every resource whose
    DeletionPolicy is Delete — with a database, table, volume or key, its data is gone for good.

    The default DeletionPolicy is Delete, except for an RDS DB cluster and a standalone RDS DB
    instance (Snapshot). Durable data (databases, tables, volumes, file systems, keys, user pools…)
    is a warning; data kept only for a while or easy to recreate (log groups, queues, streams, image
    repositories, secrets) is info, and so is a DynamoDB table with point-in-time recovery (DynamoDB
    keeps a system backup of a deleted table for 35 days). Not reported: a resource whose deletion
    the service refuses (deletion protection on; an ECR repository without EmptyOnDelete, which
    cannot be deleted while it holds images), and a secret whose value the template writes. S3
    buckets are left to S3011.
    """
    for state in stateful(ctx, resource):
        if state.deletion_policy != "Delete":
            continue
        keep = _keeping(resource.type)
        written = (
            "DeletionPolicy is Delete" if "DeletionPolicy" in resource.node else "DeletionPolicy defaults to Delete"
        )
        yield ctx.finding(
            resource,
            "DeletionPolicy",
            f"{written}: deleting the stack or removing this {resource.type} {state.loss}. Set DeletionPolicy to "
            f"{keep}, and UpdateReplacePolicy to the same value: a replacement on update deletes the old resource "
            "with its data unless UpdateReplacePolicy keeps it too.",
            state.scenario,
            severity=INFO if state.level == INFO_LIST else WARNING,
        )


@check(
    "CFN010",
    "cfn-stateful-update-replace-policy",
    WARNING,
    types=STATEFUL,
    fix="Set `UpdateReplacePolicy` to the same value as `DeletionPolicy`.",
)
def stateful_update_replace_policy(resource, ctx):
    """A DeletionPolicy that keeps data does nothing when an update replaces the resource: the old
    resource is deleted with its data unless UpdateReplacePolicy keeps it too.

    A change to a create-only property (a fixed name, the encryption key, a DynamoDB key schema…)
    replaces the resource. UpdateReplacePolicy defaults to Delete for every type; the RDS default
    DeletionPolicy (Snapshot) counts as keeping. When DeletionPolicy is Delete too, CFN009 asks for both.
    """
    for state in stateful(ctx, resource):
        if state.level != WARNING_LIST or state.deletion_policy not in KEEPING_POLICIES:
            continue
        if state.update_replace_policy != "Delete":
            continue
        names = create_only_set(resource)
        trigger = (
            f"changing {', '.join(names)} (set in this template) replaces it"
            if names
            else "a change to a create-only property replaces it"
        )
        kept = (
            "DeletionPolicy"
            if "DeletionPolicy" in resource.node
            else f"the default DeletionPolicy ({state.deletion_default})"
        )
        yield ctx.finding(
            resource,
            "UpdateReplacePolicy",
            f"Set UpdateReplacePolicy: {state.deletion_policy} to match {kept}: {trigger}, and with "
            "UpdateReplacePolicy Delete (the default) the old resource is deleted with its data.",
            state.scenario,
        )


@check(
    "RDS005",
    "rds-deletion-protection-disabled",
    WARNING,
    types=["AWS::RDS::DBInstance", *DB_CLUSTERS],
    fix="Set `DeletionProtection: true`.",
)
def deletion_protection(db, ctx):
    """Deletion protection stops anyone (a stack deletion, a console click, an API call) from
    deleting the database until it is turned off.

    The default is `DeletionProtection: false`. Aurora member instances are skipped: the cluster
    carries the setting. Suppress for development stacks if intended.
    """
    for scenario, (protection, cluster) in ctx.joint(
        ctx.values(db, "Properties.DeletionProtection"), ctx.values(db, "Properties.DBClusterIdentifier")
    ):
        if db.type == "AWS::RDS::DBInstance" and cluster is not ABSENT:
            continue
        if as_bool(protection, False) is False:
            yield ctx.finding(
                db,
                "Properties.DeletionProtection",
                "Set DeletionProtection: true (the default is false) so the database cannot be deleted by accident.",
                scenario,
            )


@check(
    "RDS006",
    "rds-backup-retention",
    WARNING,
    types=["AWS::RDS::DBInstance", *DB_CLUSTERS],
    fix="Set `BackupRetentionPeriod` between 7 and 35 days.",
)
def backup_retention(db, ctx):
    """Automated backups are what point-in-time restore and read replicas are made from; a day of
    them leaves little time to notice a mistake.

    CloudFormation's default BackupRetentionPeriod is 1 day (the console's is 7); the range is 0–35
    for an instance (0 turns backups off) and 1–35 for a cluster. Aurora member instances and read
    replicas are skipped.
    """
    is_instance = db.type == "AWS::RDS::DBInstance"
    for scenario, (period, cluster, source) in ctx.joint(
        ctx.values(db, "Properties.BackupRetentionPeriod"),
        ctx.values(db, "Properties.DBClusterIdentifier"),
        ctx.values(db, "Properties.SourceDBInstanceIdentifier"),
    ):
        if is_instance and (cluster is not ABSENT or source is not ABSENT):
            continue
        days = as_number(period, 1)
        if days is None:
            continue
        if days > 35 or (days == 0 and not is_instance):
            yield ctx.finding(
                db,
                "Properties.BackupRetentionPeriod",
                f"BackupRetentionPeriod {days} is out of range: set it between {0 if is_instance else 1} and 35 days "
                "(creation fails otherwise).",
                scenario,
                severity=ERROR,
            )
        elif days == 0:
            yield ctx.finding(
                db,
                "Properties.BackupRetentionPeriod",
                "BackupRetentionPeriod 0 turns automated backups off (no point-in-time restore, no read replicas): "
                "set it to 7 days or more.",
                scenario,
            )
        elif days < 7:
            stated = "defaults to 1 day" if period is ABSENT else f"is {days} day{'s' if days != 1 else ''}"
            yield ctx.finding(
                db,
                "Properties.BackupRetentionPeriod",
                f"BackupRetentionPeriod {stated}: set it to 7 days or more so there is time to notice a mistake "
                "and restore from before it.",
                scenario,
                severity=INFO,
            )


@check(
    "DDB001",
    "ddb-pitr-disabled",
    WARNING,
    types=["AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable"],
    fix="Set `PointInTimeRecoverySpecification: {PointInTimeRecoveryEnabled: true}`.",
)
def dynamodb_pitr(table, ctx):
    """Point-in-time recovery restores a DynamoDB table to any second of the last 35 days; without
    it, a bad write or delete can only be undone from an on-demand backup, if there is one.

    The default is off (`PointInTimeRecoveryEnabled: false`). A global table is checked per replica.
    """
    setting = "PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled"
    if table.type == "AWS::DynamoDB::Table":
        places = [
            (f"Properties.{setting}", alt.value, alt.scenario) for alt in ctx.values(table, f"Properties.{setting}")
        ]
    else:
        places = [
            (".".join(map(str, path)) + f".{setting}", lookup(replica, setting), scenario)
            for path, (replica, scenario) in ctx.elements(table, "Properties.Replicas")
        ]
    for path, enabled, scenario in places:
        if as_bool(enabled, False) is False:
            yield ctx.finding(
                table,
                path,
                "Set PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled: true (the default is off) so the "
                "table can be restored to any point of the last 35 days.",
                scenario,
            )
