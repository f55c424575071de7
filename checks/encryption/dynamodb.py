"""Encryption of DynamoDB tables and DAX clusters."""

from __future__ import annotations

from cfncheck.api import ABSENT, ERROR, INFO, WARNING, Alt, Child, as_bool, check, lookup


@check(
    "DDB002",
    "ddb-encryption-aws-owned-key",
    INFO,
    types=["AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable", "AWS::Serverless::SimpleTable"],
    fix="Set `SSESpecification: {SSEEnabled: true}` (AWS managed key), with SSEType KMS and KMSMasterKeyId"
    " for a customer key.",
    tags=("security",),
    children=[
        Child(
            "DDB020",
            "ddb-kms-key-without-sse",
            ERROR,
            """A KMSMasterKeyId given while SSESpecification.SSEEnabled is not true: DynamoDB rejects
            the table, so the stack fails. The key is used only when SSEEnabled is true (SSEType
            KMS).""",
            fix="Set `SSESpecification.SSEEnabled: true`, or remove KMSMasterKeyId.",
            deploy_failure=True,
            formerly=("DDB002",),
        )
    ],
)
def ddb_encryption_key(table, ctx):
    """DynamoDB always encrypts tables at rest; choose a KMS key when key use must be auditable.

    AWS default: without SSESpecification (or with SSEEnabled false) the table is encrypted with
    an AWS owned key, invisible in CloudTrail and not controllable: info only. SSEEnabled true
    uses the AWS managed `aws/dynamodb` key or the customer key in KMSMasterKeyId; a
    KMSMasterKeyId without SSEEnabled true is rejected (DDB020). Applies to SAM SimpleTable too.
    """
    enabled = ctx.values(table, "Properties.SSESpecification.SSEEnabled")
    if table.type == "AWS::DynamoDB::GlobalTable":
        replicas = ctx.elements(table, "Properties.Replicas")
        keys = [
            Alt(lookup(replica, "SSESpecification.KMSMasterKeyId"), scenario) for _, (replica, scenario) in replicas
        ]
    else:
        keys = ctx.values(table, "Properties.SSESpecification.KMSMasterKeyId")
    keyed = [alt for alt in keys if alt.value is not ABSENT] or [Alt(ABSENT)]
    for scenario, (flag, key) in ctx.joint(enabled, keyed):
        if as_bool(flag, False) is not False:
            continue
        if key is not ABSENT:
            message = "Set SSESpecification.SSEEnabled to true: a KMSMasterKeyId without it is rejected."
            yield ctx.finding(table, "Properties.SSESpecification.SSEEnabled", message, scenario, rule="DDB020")
        else:
            message = (
                "Set SSESpecification.SSEEnabled to true to use a KMS key you can audit"
                " (the table is encrypted with an AWS owned key)."
            )
            yield ctx.finding(table, "Properties.SSESpecification.SSEEnabled", message, scenario)


@check(
    "DDB003",
    "dax-encryption-disabled",
    WARNING,
    types=["AWS::DAX::Cluster"],
    fix="Set `SSESpecification: {SSEEnabled: true}` and `ClusterEndpointEncryptionType: TLS` when creating"
    " the cluster.",
    tags=("security",),
)
def dax_encryption(cluster, ctx):
    """DAX clusters should encrypt their cache at rest and their client traffic.

    AWS default: SSESpecification.SSEEnabled false and ClusterEndpointEncryptionType NONE; both
    can only be set at creation (changing them replaces the cluster).
    """
    for alt in ctx.values(cluster, "Properties.SSESpecification.SSEEnabled"):
        if as_bool(alt.value, False) is False:
            yield ctx.finding(
                cluster,
                "Properties.SSESpecification.SSEEnabled",
                "Set SSESpecification.SSEEnabled to true: the cache is not encrypted at rest.",
                alt.scenario,
            )
    for alt in ctx.values(cluster, "Properties.ClusterEndpointEncryptionType"):
        if alt.value in (ABSENT, "NONE"):
            yield ctx.finding(
                cluster,
                "Properties.ClusterEndpointEncryptionType",
                "Set ClusterEndpointEncryptionType to TLS: clients talk to the cluster in plaintext.",
                alt.scenario,
            )
