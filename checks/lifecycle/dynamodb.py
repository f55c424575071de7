"""DynamoDB tables: point-in-time recovery."""

from __future__ import annotations

from cfncheck.api import WARNING, as_bool, check, lookup


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
    for path, enabled, scenario in table_settings(
        ctx, table, "PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled"
    ):
        if as_bool(enabled, False) is False:
            yield ctx.finding(
                table,
                path,
                "Set PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled: true (the default is off) so the "
                "table can be restored to any point of the last 35 days.",
                scenario,
            )


@check(
    "DDB004",
    "ddb-deletion-protection-disabled",
    WARNING,
    types=["AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable"],
    fix="Set `DeletionProtectionEnabled: true` (for a global table: on each replica).",
    example="""
    Orders:
      Type: AWS::DynamoDB::Table
      Properties:
        BillingMode: PAY_PER_REQUEST
        KeySchema: [{AttributeName: id, KeyType: HASH}]
        AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
    """,
)
def dynamodb_deletion_protection(table, ctx):
    """Deletion protection stops anyone — a stack deletion, a console click, a script — from
    deleting the table until it is turned off (seed notes 001 #30, generalised from the advice for
    RDS databases).

    The default is off (`DeletionProtectionEnabled: false`); a global table is checked per replica.
    """
    for path, enabled, scenario in table_settings(ctx, table, "DeletionProtectionEnabled"):
        if as_bool(enabled, False) is False:
            yield ctx.finding(
                table,
                path,
                "Set DeletionProtectionEnabled: true (the default is off) so the table cannot be deleted by accident.",
                scenario,
            )


def table_settings(ctx, table, setting: str) -> list[tuple[tuple, object, object]]:
    """(path, value, scenario) of a table's setting: the table's own, or each replica's for a
    global table, where DynamoDB sets it per replica."""
    if table.type == "AWS::DynamoDB::Table":
        path = ("Properties", *setting.split("."))
        return [(path, alt.value, alt.scenario) for alt in ctx.values(table, path)]
    return [
        (path + tuple(setting.split(".")), lookup(replica, setting), scenario)
        for path, (replica, scenario) in ctx.elements(table, "Properties.Replicas")
    ]
