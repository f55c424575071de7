"""Resources that hold data, and what deleting or replacing them does to it."""

from __future__ import annotations

from cfncheck.analysis.stateful import (
    INFO_LIST,
    KEEPING_POLICIES,
    SNAPSHOT_TYPES,
    WARNING_LIST,
    create_only_set,
    stateful,
)
from cfncheck.api import INFO, WARNING, Child, check

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
    children=[
        Child(
            "CFN036",
            "cfn-deletion-policy-short-lived-data",
            INFO,
            """A resource whose data is kept only for a while or is easy to recreate (a log group,
            queue, stream, image repository or secret), or a DynamoDB table with point-in-time
            recovery (DynamoDB keeps a system backup of a deleted table for 35 days), with
            DeletionPolicy Delete: deleting the stack deletes that data. A note to decide whether
            it must outlive the stack.""",
            fix="Set `DeletionPolicy: Retain` and the same `UpdateReplacePolicy` if the data must outlive the stack.",
            formerly=("CFN009",),
        )
    ],
)
def stateful_deletion_policy(resource, ctx):
    """Deleting a stack, or removing a resource from the template, deletes every resource whose
    DeletionPolicy is Delete — with a database, table, volume or key, its data is gone for good.

    The default DeletionPolicy is Delete, except for an RDS DB cluster and a standalone RDS DB
    instance (Snapshot). Reported here: durable data (databases, tables, volumes, file systems,
    keys, user pools…). Data kept only for a while or easy to recreate (log groups, queues, streams,
    image repositories, secrets), and a DynamoDB table with point-in-time recovery, are CFN036.
    Not reported: a resource whose deletion
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
            rule="CFN036" if state.level == INFO_LIST else None,
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
