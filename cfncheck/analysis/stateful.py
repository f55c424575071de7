"""Which resources hold data, and what CloudFormation does with it on deletion and replacement.

The lists are the catalog's (section 3.9): the *warning* list holds durable data whose loss
cannot be undone, the *info* list data kept only for a while or easy to recreate. S3 buckets are
handled on their own (CloudFormation cannot delete a non-empty bucket). ``DeletionPolicy``
defaults to ``Delete`` except for an RDS cluster and a standalone RDS instance (``Snapshot``);
``UpdateReplacePolicy`` defaults to ``Delete`` everywhere.
"""

from __future__ import annotations

from typing import NamedTuple

from ..context import Context
from ..template import Resource
from ..values import ABSENT, Scenario

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
    "AWS::EC2::Volume": WARNING_LIST,
    "AWS::EFS::FileSystem": WARNING_LIST,
    "AWS::FSx::FileSystem": WARNING_LIST,
    "AWS::ElastiCache::ReplicationGroup": WARNING_LIST,  # Redis and Valkey only
    "AWS::ElastiCache::CacheCluster": WARNING_LIST,  # Redis and Valkey only
    "AWS::OpenSearchService::Domain": WARNING_LIST,
    "AWS::Elasticsearch::Domain": WARNING_LIST,
    "AWS::Cognito::UserPool": WARNING_LIST,
    "AWS::KMS::Key": WARNING_LIST,
    "AWS::SecretsManager::Secret": WARNING_LIST,
    "AWS::Backup::BackupVault": WARNING_LIST,
    "AWS::QLDB::Ledger": WARNING_LIST,
    "AWS::Logs::LogGroup": INFO_LIST,
    "AWS::SQS::Queue": INFO_LIST,
    "AWS::Kinesis::Stream": INFO_LIST,
    "AWS::ECR::Repository": INFO_LIST,
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
    "AWS::Backup::BackupVault": ("BackupVaultName", "EncryptionKeyArn"),
    "AWS::QLDB::Ledger": ("Name",),
}
"""Properties whose change replaces the resource (a new one is created, the old one deleted)."""

_REDIS = ("redis", "valkey")


class Stateful(NamedTuple):
    """A resource that holds data, in one scenario, with its effective policies."""

    level: str  # WARNING_LIST or INFO_LIST
    deletion_policy: object  # the effective value: written, else the default
    update_replace_policy: object
    deletion_default: str  # what CloudFormation does when DeletionPolicy is not written
    scenario: Scenario


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
    result = []
    for scenario, (engine, cluster, deletion, replace) in ctx.joint(
        ctx.values(resource, "Properties.Engine"),
        ctx.values(resource, "Properties.DBClusterIdentifier"),
        ctx.values(resource, "DeletionPolicy"),
        ctx.values(resource, "UpdateReplacePolicy"),
    ):
        if resource.type.startswith("AWS::ElastiCache::"):
            engine = "redis" if engine is ABSENT and resource.type.endswith("ReplicationGroup") else engine
            if not isinstance(engine, str) or engine.lower() not in _REDIS:
                continue
        if resource.type == "AWS::RDS::DBInstance" and cluster is not ABSENT:
            continue  # an Aurora member: the cluster holds the data
        default = default_deletion_policy(resource.type, cluster is not ABSENT)
        result.append(
            Stateful(
                level,
                default if deletion is ABSENT else deletion,
                "Delete" if replace is ABSENT else replace,
                default,
                scenario,
            )
        )
    return result


def create_only_set(resource: Resource) -> list[str]:
    """The properties the template sets whose change replaces the resource."""
    return [name for name in CREATE_ONLY.get(resource.type, ()) if name in resource.properties]
