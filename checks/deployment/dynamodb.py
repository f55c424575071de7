"""DynamoDB tables the service refuses to create."""

from __future__ import annotations

from cfncheck.api import ABSENT, ERROR, Reference, check, is_known, resource_uses

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


@check(
    "DDB005",
    "ddb-billing-mode-mismatch",
    ERROR,
    types=["AWS::DynamoDB::Table"],
    fix="With BillingMode PROVISIONED (the default) give the table and each global secondary index "
    "ProvisionedThroughput; with PAY_PER_REQUEST give none.",
    example="Resources:\n  Orders:\n    Type: AWS::DynamoDB::Table\n    Properties:\n"
    "      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]\n"
    "      KeySchema: [{AttributeName: id, KeyType: HASH}]",
    deploy_failure=True,
)
def billing_mode_mismatch(table, ctx):
    """ProvisionedThroughput that does not match the billing mode: a PROVISIONED table (the default)
    or one of its global secondary indexes without it ("One or more parameter values were
    invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is
    PROVISIONED"), or a PAY_PER_REQUEST table or index with it ("Neither ReadCapacityUnits nor
    WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST"). DynamoDB refuses
    the table. Source: the AWS::DynamoDB::Table reference (ProvisionedThroughput: "If you set
    BillingMode as PROVISIONED, you must specify this property. If you set BillingMode as
    PAY_PER_REQUEST, you cannot specify this property.")."""
    for alt in ctx.values(table, "Properties"):
        body = alt.value
        if not isinstance(body, dict):
            continue
        mode = body.get("BillingMode", "PROVISIONED")
        if mode not in ("PROVISIONED", "PAY_PER_REQUEST"):
            continue
        places = [(("Properties",), body)]
        indexes = body.get("GlobalSecondaryIndexes", [])
        for index, item in enumerate(indexes if isinstance(indexes, list) else []):
            if isinstance(item, dict):
                places.append((("Properties", "GlobalSecondaryIndexes", index), item))
        for path, place in places:
            what = "The table" if len(path) == 1 else f"Index {place.get('IndexName', path[-1])}"
            has = "ProvisionedThroughput" in place
            if mode == "PROVISIONED" and not has:
                message = (
                    f"{what} has no ProvisionedThroughput and BillingMode is PROVISIONED"
                    f"{' (the default)' if 'BillingMode' not in body else ''}: DynamoDB refuses it. Set "
                    "ProvisionedThroughput, or BillingMode PAY_PER_REQUEST."
                )
                yield ctx.finding(table, path, message, alt.scenario)
            elif mode == "PAY_PER_REQUEST" and has:
                message = (
                    f"{what} has ProvisionedThroughput and BillingMode is PAY_PER_REQUEST: DynamoDB refuses it "
                    '("Neither ReadCapacityUnits nor WriteCapacityUnits can be specified"). Remove it.'
                )
                yield ctx.finding(table, path + ("ProvisionedThroughput",), message, alt.scenario)


@check(
    "DDB007",
    "ddb-stream-not-enabled",
    ERROR,
    fix="Add StreamSpecification (StreamViewType NEW_AND_OLD_IMAGES, NEW_IMAGE, OLD_IMAGE or KEYS_ONLY) to the "
    "table whose StreamArn is read; point event source mappings at the StreamArn, not the table.",
    example="Resources:\n  Orders:\n    Type: AWS::DynamoDB::Table\n    Properties:\n"
    "      BillingMode: PAY_PER_REQUEST\n      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]\n"
    "      KeySchema: [{AttributeName: id, KeyType: HASH}]\n  Feed:\n    Type: AWS::Lambda::EventSourceMapping\n"
    "    Properties:\n      FunctionName: orders-feed\n      StartingPosition: LATEST\n"
    "      EventSourceArn: !GetAtt Orders.StreamArn",
    deploy_failure=True,
)
def stream_not_enabled(ctx):
    """A table's StreamArn read (``!GetAtt Table.StreamArn``) when the table has no
    StreamSpecification: the table has no stream, so the attribute has no value and the stack
    fails where it is read; and an event source mapping whose EventSourceArn is the table's ARN
    instead of its stream's, which Lambda refuses ("Unrecognized event source"). Source: the
    AWS::DynamoDB::Table reference (StreamArn: "The ARN of the DynamoDB stream … You must specify
    the StreamSpecification property to use this attribute") and the Lambda
    CreateEventSourceMapping reference."""
    tables = {t.logical_id: t for t in ctx.resources(*TABLES)}
    for resource in ctx.template.resources.values():
        for use in resource_uses(resource.node):
            table = tables.get(use.target)
            if table is None or use.attribute != "StreamArn" or use.kind not in ("GetAtt", "Sub"):
                continue
            streams = ctx.values(table, "Properties.StreamSpecification")
            if streams and all(alt.value is ABSENT for alt in streams):
                message = (
                    f"{use.target}.StreamArn is read, but table {use.target} has no StreamSpecification: the "
                    "attribute has no value and the stack fails. Enable the table's stream."
                )
                yield ctx.finding(resource, use.path, message)
    for mapping in ctx.resources("AWS::Lambda::EventSourceMapping"):
        for alt in ctx.values(mapping, "Properties.EventSourceArn"):
            value = alt.value
            if isinstance(value, Reference) and value.target in tables and value.attribute in (None, "Arn"):
                message = (
                    f"EventSourceArn is table {value.target} itself: Lambda reads a DynamoDB stream and refuses it "
                    f'("Unrecognized event source"). Use !GetAtt {value.target}.StreamArn.'
                )
                yield ctx.finding(mapping, "Properties.EventSourceArn", message, alt.scenario)
