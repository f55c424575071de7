"""DynamoDB tables the service refuses to create."""

from __future__ import annotations

from cfncheck.api import ERROR, check, is_known

TABLES = ["AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable"]


def _names(items) -> list[str] | None:
    """The AttributeName of each item, or None when any is not known."""
    if not isinstance(items, list):
        return None
    names = []
    for item in items:
        name = item.get("AttributeName") if isinstance(item, dict) else None
        if not isinstance(name, str):
            return None
        names.append(name)
    return names


def key_attributes(table: dict) -> list[str] | None:
    """The attributes the table's and its indexes' key schemas use, or None when not all are known."""
    used = _names(table.get("KeySchema"))
    if used is None:
        return None
    for section in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        indexes = table.get(section, [])
        if not isinstance(indexes, list):
            return None
        for index in indexes:
            names = _names(index.get("KeySchema")) if isinstance(index, dict) else None
            if names is None:
                return None
            used += names
    return list(dict.fromkeys(used))


@check(
    "DDB006",
    "ddb-key-schema-invalid",
    ERROR,
    types=TABLES,
    fix="List in AttributeDefinitions exactly the attributes the table's and its indexes' key schemas use.",
    example="Resources:\n  Orders:\n    Type: AWS::DynamoDB::Table\n    Properties:\n"
    "      BillingMode: PAY_PER_REQUEST\n      AttributeDefinitions:\n        - {AttributeName: id, AttributeType: S}\n"
    "      KeySchema:\n        - {AttributeName: id, KeyType: HASH}\n        - {AttributeName: at, KeyType: RANGE}",
    deploy_failure=True,
)
def key_schema_invalid(table, ctx):
    """AttributeDefinitions must define exactly the attributes that the key schemas of the table
    and of its secondary indexes use, no more and no fewer. DynamoDB refuses the table otherwise:
    "One or more parameter values were invalid: Some index key attributes are not defined in
    AttributeDefinitions" or "…Some AttributeDefinitions are not used". Source: the DynamoDB
    CreateTable API reference (AttributeDefinitions)."""
    for alt in ctx.values(table, "Properties"):
        body = alt.value
        if not isinstance(body, dict) or not is_known(body):
            continue
        defined = _names(body.get("AttributeDefinitions"))
        used = key_attributes(body)
        if defined is None or used is None:
            continue
        missing = [name for name in used if name not in defined]
        unused = [name for name in defined if name not in used]
        if missing:
            yield ctx.finding(
                table,
                "Properties.AttributeDefinitions",
                f"AttributeDefinitions does not define {', '.join(missing)}, which a key schema uses: DynamoDB refuses "
                'the table ("Some index key attributes are not defined in AttributeDefinitions").',
                alt.scenario,
            )
        if unused:
            yield ctx.finding(
                table,
                "Properties.AttributeDefinitions",
                f"AttributeDefinitions defines {', '.join(unused)}, which no key schema uses: DynamoDB refuses the "
                'table ("Some AttributeDefinitions are not used"). Define only key attributes.',
                alt.scenario,
            )
