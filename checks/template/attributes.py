"""Resource attributes CloudFormation refuses: DeletionPolicy and UpdateReplacePolicy values."""

from __future__ import annotations

from cfncheck.analysis.stateful import SNAPSHOT_TYPES
from cfncheck.api import ERROR, check

POLICIES = {
    "DeletionPolicy": ("Delete", "Retain", "RetainExceptOnCreate", "Snapshot"),
    "UpdateReplacePolicy": ("Delete", "Retain", "Snapshot"),
}


@check(
    "CFN020",
    "cfn-snapshot-policy-unsupported",
    ERROR,
    fix="Use Delete, Retain or RetainExceptOnCreate (DeletionPolicy) or Delete or Retain (UpdateReplacePolicy); "
    "keep Snapshot for the types that take snapshots.",
    example="Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n    DeletionPolicy: Snapshot",
    deploy_failure=True,
)
def snapshot_policy_unsupported(ctx):
    """DeletionPolicy takes Delete, Retain, RetainExceptOnCreate or Snapshot, UpdateReplacePolicy
    Delete, Retain or Snapshot, and Snapshot only on the types that can take a snapshot (EC2
    volumes, RDS instances and clusters, DocumentDB and Neptune clusters, ElastiCache clusters and
    replication groups, Redshift clusters). CloudFormation rejects the template otherwise. Source:
    the DeletionPolicy and UpdateReplacePolicy attribute reference."""
    for resource in ctx.template.resources.values():
        if resource.type.startswith("AWS::Serverless::"):
            continue
        for attribute, allowed in POLICIES.items():
            if attribute not in resource.node:
                continue
            for alt in ctx.resolve(resource.node[attribute], resource.exists_in):
                value = alt.value
                if not isinstance(value, str):
                    continue
                if value not in allowed:
                    yield ctx.finding(
                        resource,
                        (attribute,),
                        f"{attribute} {value!r} is not one of {', '.join(allowed)}: CloudFormation rejects it.",
                        alt.scenario,
                    )
                elif value == "Snapshot" and resource.type not in SNAPSHOT_TYPES:
                    yield ctx.finding(
                        resource,
                        (attribute,),
                        f"{resource.type} cannot be snapshotted: {attribute} Snapshot is only for volumes, databases, "
                        "caches and warehouses. Use Retain to keep it.",
                        alt.scenario,
                    )
