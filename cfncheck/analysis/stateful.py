"""Which resources hold data, and what CloudFormation does with it on deletion and replacement.

The lists follow the catalog (section 3.9): the *warning* list holds durable data whose loss
cannot be undone, the *info* list data kept only for a while or easy to recreate — secrets too:
they hold credentials, which can be generated and set again. S3 buckets are handled on their own
(CloudFormation cannot delete a non-empty bucket); Backup vaults are not listed (AWS Backup refuses
to delete a vault that holds recovery points). ``DeletionPolicy`` defaults to ``Delete`` except for
an RDS cluster and a standalone RDS instance (``Snapshot``); ``UpdateReplacePolicy`` defaults to
``Delete`` everywhere.

A deletion is not a loss when the service refuses it (deletion protection on, an ECR repository
that still holds images) — the stack operation fails and the data stays — nor for a secret whose
value the template writes (the stack writes it again). It is a lesser one where AWS keeps a copy
for a while: a DynamoDB table with point-in-time recovery leaves a 35-day system backup.
"""

from __future__ import annotations

from typing import NamedTuple

from ..context import Context
from ..template import Resource
from ..values import ABSENT, Scenario, as_bool, as_number

WARNING_LIST = "warning"
INFO_LIST = "info"

STATEFUL_TYPES: dict[str, str] = {
    "AWS::RDS::DBInstance": WARNING_LIST,  # only without DBClusterIdentifier: see `stateful`
    "AWS::RDS::DBCluster": WARNING_LIST,
    "AWS::DocDB::DBCluster": WARNING_LIST,
    "AWS::Neptune::DBCluster": WARNING_LIST,
    "AWS::Redshift::Cluster": WARNING_LIST,
    "AWS::DynamoDB::Table": WARNING_LIST,
    "AWS::DynamoDB::GlobalTable": WARNING_LIST,
    "AWS::Serverless::SimpleTable": WARNING_LIST,  # SAM copies both policies to the table it generates
    "AWS::EC2::Volume": WARNING_LIST,
    "AWS::EFS::FileSystem": WARNING_LIST,
    "AWS::FSx::FileSystem": WARNING_LIST,
    "AWS::ElastiCache::ReplicationGroup": WARNING_LIST,  # Redis and Valkey only
    "AWS::ElastiCache::CacheCluster": WARNING_LIST,  # Redis and Valkey only
    "AWS::OpenSearchService::Domain": WARNING_LIST,
    "AWS::Elasticsearch::Domain": WARNING_LIST,
    "AWS::Cognito::UserPool": WARNING_LIST,
    "AWS::KMS::Key": WARNING_LIST,
    "AWS::QLDB::Ledger": WARNING_LIST,
    "AWS::Logs::LogGroup": INFO_LIST,
    "AWS::SQS::Queue": INFO_LIST,
    "AWS::Kinesis::Stream": INFO_LIST,
    "AWS::ECR::Repository": INFO_LIST,
    "AWS::SecretsManager::Secret": INFO_LIST,  # credentials: a new value can be generated and set
}

SNAPSHOT_TYPES = frozenset(
    {
        "AWS::EC2::Volume",
        "AWS::ElastiCache::CacheCluster",
        "AWS::ElastiCache::ReplicationGroup",
        "AWS::Neptune::DBCluster",
        "AWS::RDS::DBCluster",
        "AWS::RDS::DBInstance",
        "AWS::Redshift::Cluster",
        "AWS::DocDB::DBCluster",
    }
)
"""Types that accept ``DeletionPolicy: Snapshot``."""

KEEPING_POLICIES = ("Retain", "RetainExceptOnCreate", "Snapshot")

CREATE_ONLY: dict[str, tuple[str, ...]] = {
    "AWS::RDS::DBInstance": (
        "DBInstanceIdentifier",
        "DBName",
        "StorageEncrypted",
        "KmsKeyId",
        "MasterUsername",
        "CharacterSetName",
        "DBSubnetGroupName",
        "Port",
        "Timezone",
    ),
    "AWS::RDS::DBCluster": (
        "DBClusterIdentifier",
        "DatabaseName",
        "StorageEncrypted",
        "KmsKeyId",
        "MasterUsername",
        "DBSubnetGroupName",
        "EngineMode",
        "SnapshotIdentifier",
        "SourceDBClusterIdentifier",
    ),
    "AWS::DocDB::DBCluster": (
        "DBClusterIdentifier",
        "StorageEncrypted",
        "KmsKeyId",
        "MasterUsername",
        "SnapshotIdentifier",
    ),
    "AWS::Neptune::DBCluster": ("DBClusterIdentifier", "StorageEncrypted", "KmsKeyId", "SnapshotIdentifier"),
    "AWS::Redshift::Cluster": (
        "ClusterIdentifier",
        "DBName",
        "MasterUsername",
        "ClusterSubnetGroupName",
        "SnapshotIdentifier",
    ),
    "AWS::DynamoDB::Table": ("TableName", "KeySchema", "LocalSecondaryIndexes", "ImportSourceSpecification"),
    "AWS::DynamoDB::GlobalTable": ("TableName", "KeySchema", "LocalSecondaryIndexes"),
    "AWS::Serverless::SimpleTable": ("TableName", "PrimaryKey"),
    "AWS::EC2::Volume": ("AvailabilityZone", "Encrypted", "KmsKeyId", "SnapshotId"),
    "AWS::EFS::FileSystem": ("Encrypted", "KmsKeyId", "PerformanceMode", "AvailabilityZoneName"),
    "AWS::FSx::FileSystem": ("FileSystemType", "KmsKeyId", "SubnetIds", "StorageType", "BackupId"),
    "AWS::ElastiCache::ReplicationGroup": (
        "ReplicationGroupId",
        "AtRestEncryptionEnabled",
        "KmsKeyId",
        "CacheSubnetGroupName",
        "Port",
    ),
    "AWS::ElastiCache::CacheCluster": ("ClusterName", "Engine", "CacheSubnetGroupName", "Port"),
    "AWS::OpenSearchService::Domain": ("DomainName",),
    "AWS::Elasticsearch::Domain": ("DomainName",),
    "AWS::Cognito::UserPool": ("UsernameAttributes", "AliasAttributes"),
    "AWS::KMS::Key": ("KeySpec", "KeyUsage", "MultiRegion"),
    "AWS::SecretsManager::Secret": ("Name",),
    "AWS::QLDB::Ledger": ("Name",),
}
"""Properties whose change replaces the resource (a new one is created, the old one deleted)."""

_REDIS = ("redis", "valkey")

_PROTECTION = "DeletionProtection"
_PITR = "PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled"
_FATE_PROPERTIES: dict[str, tuple[str, ...]] = {
    "AWS::RDS::DBInstance": (_PROTECTION,),
    "AWS::RDS::DBCluster": (_PROTECTION,),
    "AWS::DocDB::DBCluster": (_PROTECTION,),
    "AWS::Neptune::DBCluster": (_PROTECTION,),
    "AWS::DynamoDB::Table": ("DeletionProtectionEnabled", _PITR),
    "AWS::Cognito::UserPool": (_PROTECTION,),
    "AWS::QLDB::Ledger": (_PROTECTION,),
    "AWS::ECR::Repository": ("EmptyOnDelete",),
    "AWS::KMS::Key": ("PendingWindowInDays",),
    "AWS::SecretsManager::Secret": ("SecretString",),
}
"""The properties that decide what a deletion does to each type's data (see `_fate`)."""

DESTROYED = "destroys its data"


class Stateful(NamedTuple):
    """A resource that holds data, in one scenario, with its effective policies."""

    level: str  # WARNING_LIST or INFO_LIST
    deletion_policy: object  # the effective value: written, else the default
    update_replace_policy: object
    deletion_default: str  # what CloudFormation does when DeletionPolicy is not written
    scenario: Scenario
    loss: str  # what deleting the resource does to its data, as a verb phrase


def default_deletion_policy(resource_type: str, cluster_member: bool) -> str:
    """CloudFormation's DeletionPolicy when none is written: Snapshot for RDS clusters and standalone instances."""
    if resource_type == "AWS::RDS::DBCluster" or (resource_type == "AWS::RDS::DBInstance" and not cluster_member):
        return "Snapshot"
    return "Delete"


def stateful(ctx: Context, resource: Resource) -> list[Stateful]:
    """The scenarios in which ``resource`` holds data, with its effective policies; empty when it
    does not (or when whether it does cannot be known)."""
    level = STATEFUL_TYPES.get(resource.type)
    if level is None:
        return []
    names = _FATE_PROPERTIES.get(resource.type, ())
    result = []
    for scenario, (engine, cluster, deletion, replace, *settings) in ctx.joint(
        ctx.values(resource, "Properties.Engine"),
        ctx.values(resource, "Properties.DBClusterIdentifier"),
        ctx.values(resource, "DeletionPolicy"),
        ctx.values(resource, "UpdateReplacePolicy"),
        *(ctx.values(resource, f"Properties.{name}") for name in names),
    ):
        if resource.type.startswith("AWS::ElastiCache::"):
            engine = "redis" if engine is ABSENT and resource.type.endswith("ReplicationGroup") else engine
            if not isinstance(engine, str) or engine.lower() not in _REDIS:
                continue
        if resource.type == "AWS::RDS::DBInstance" and cluster is not ABSENT:
            continue  # an Aurora member: the cluster holds the data
        fate = _fate(ctx, resource, dict(zip(names, settings, strict=True)), level)
        if fate is None:
            continue
        at_risk, loss = fate
        default = default_deletion_policy(resource.type, cluster is not ABSENT)
        result.append(
            Stateful(
                at_risk,
                default if deletion is ABSENT else deletion,
                "Delete" if replace is ABSENT else replace,
                default,
                scenario,
                loss,
            )
        )
    return result


def _fate(ctx: Context, resource: Resource, settings: dict, level: str) -> tuple[str, str] | None:
    """(level, loss) of deleting ``resource`` with these settings; None when the data survives
    a deletion, or when whether it does cannot be known."""
    kind = resource.type
    if _refused(kind, settings) is not False:
        return None
    if kind == "AWS::DynamoDB::Table":
        recovery = as_bool(settings[_PITR], False)
        if recovery is None:
            return None
        if recovery:
            return INFO_LIST, "deletes it; point-in-time recovery leaves a system backup that DynamoDB keeps 35 days"
    if kind == "AWS::KMS::Key":
        days = as_number(settings["PendingWindowInDays"], 30)
        after = f"{days} days later (PendingWindowInDays)" if isinstance(days, int) else "after PendingWindowInDays"
        return level, f"schedules the key for deletion, and {after} nothing encrypted under it can be decrypted again"
    if kind == "AWS::ECR::Repository":
        return level, "deletes every image in it (EmptyOnDelete is true)"
    if kind == "AWS::SecretsManager::Secret":
        if settings["SecretString"] is not ABSENT and not _rotated(ctx, resource):
            return None  # the template holds the value: the stack writes it again
        return level, "deletes its value at once (CloudFormation skips the recovery window)"
    return level, DESTROYED


def _refused(kind: str, settings: dict) -> bool | None:
    """Whether the service refuses to delete the resource, leaving the stack operation failed and
    the data in place; None when that cannot be known."""
    if kind == "AWS::Cognito::UserPool":
        protection = settings[_PROTECTION]
        if protection is ABSENT or protection == "INACTIVE":
            return False
        return True if protection == "ACTIVE" else None
    if kind == "AWS::ECR::Repository":
        emptied = as_bool(settings["EmptyOnDelete"], False)
        return None if emptied is None else not emptied  # a repository that holds images is not deleted
    if kind == "AWS::DynamoDB::Table":
        return as_bool(settings["DeletionProtectionEnabled"], False)
    if _PROTECTION in settings:
        return as_bool(settings[_PROTECTION], kind == "AWS::QLDB::Ledger")  # a ledger is protected by default
    return False


def _rotated(ctx: Context, secret: Resource) -> bool:
    """Whether a rotation schedule of the template changes the secret's value after creation."""
    return any(
        ctx.refers_to(alt.value, secret)
        for schedule in ctx.resources("AWS::SecretsManager::RotationSchedule")
        for alt in ctx.values(schedule, "Properties.SecretId")
    )


def create_only_set(resource: Resource) -> list[str]:
    """The properties the template sets whose change replaces the resource."""
    return [name for name in CREATE_ONLY.get(resource.type, ()) if name in resource.properties]
