"""DynamoDB tables in provisioned mode: capacity that follows the load."""

from __future__ import annotations

from dataclasses import dataclass

from cfncheck.api import ABSENT, INFO, WARNING, Child, Unknown, as_number, check, lookup

TABLE = "AWS::DynamoDB::Table"
SCALABLE_TARGET = "AWS::ApplicationAutoScaling::ScalableTarget"
UNITS = ("ReadCapacityUnits", "WriteCapacityUnits")


@dataclass(frozen=True)
class Target:
    """A scalable target of a table's (or an index's) read or write capacity."""

    resource: object
    index: str | None  # None: the table itself
    units: str  # ReadCapacityUnits or WriteCapacityUnits
    minimum: float | None
    maximum: float | None


@check(
    "DDB008",
    "ddb-capacity-planning",
    WARNING,
    types=[TABLE],
    fix="Use `BillingMode: PAY_PER_REQUEST`, or add `AWS::ApplicationAutoScaling::ScalableTarget`s (with scaling "
    "policies) for the read and write capacity of the table and of each global secondary index.",
    example="""
    Orders:
      Type: AWS::DynamoDB::Table
      Properties:
        KeySchema: [{AttributeName: id, KeyType: HASH}]
        AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
        ProvisionedThroughput: {ReadCapacityUnits: 5, WriteCapacityUnits: 5}
    """,
    children=[
        Child(
            "DDB012",
            "ddb-capacity-outside-scaling-range",
            INFO,
            "Provisioned capacity outside the `MinCapacity`–`MaxCapacity` of its scalable target: Application "
            "Auto Scaling moves it into the range, so the template's value is not what runs.",
            fix="Set the provisioned capacity within the scalable target's range.",
        ),
        Child(
            "DDB013",
            "ddb-gsi-write-capacity-below-table",
            WARNING,
            "A global secondary index with less write capacity than its table, and no auto scaling of it: when "
            "the index's writes are throttled, writes to the table are throttled too.",
            fix="Give the index at least the table's WriteCapacityUnits, or auto scale it.",
        ),
    ],
)
def ddb_capacity_planning(table, ctx):
    """A provisioned table has the capacity written in the template, whatever the load: too little
    throttles, too much is paid for idle (seed notes 001 #268 #269, 002 DDB-02, 000 #101). Auto
    scaling, or on-demand capacity, follows the load.

    `BillingMode` defaults to PROVISIONED. A table or global secondary index is reported without
    scalable targets for both its read and its write capacity (`ResourceId` `table/<name>` or
    `table/<name>/index/<index>`). "If the writes are throttled on the GSI, then the main table will be
    throttled" (DDB013). A scalable target whose resource cannot be known may be any table's: then
    nothing is reported.
    """
    targets = _targets(ctx, table)
    if targets is None:
        return
    for scenario, (mode, throughput, indexes) in ctx.joint(
        ctx.values(table, "Properties.BillingMode"),
        ctx.values(table, "Properties.ProvisionedThroughput"),
        ctx.values(table, "Properties.GlobalSecondaryIndexes"),
    ):
        if mode not in (ABSENT, "PROVISIONED") or not isinstance(throughput, dict):
            continue
        yield from _scaled(ctx, table, targets, None, ("Properties", "ProvisionedThroughput"), throughput, scenario)
        table_writes = as_number(lookup(throughput, "WriteCapacityUnits"))
        for position, index in enumerate(indexes if isinstance(indexes, list) else []):
            name, capacity = lookup(index, "IndexName"), lookup(index, "ProvisionedThroughput")
            if not isinstance(name, str) or not isinstance(capacity, dict):
                continue
            path = ("Properties", "GlobalSecondaryIndexes", position, "ProvisionedThroughput")
            yield from _scaled(ctx, table, targets, name, path, capacity, scenario)
            writes = as_number(lookup(capacity, "WriteCapacityUnits"))
            scaled = any(t.index == name and t.units == "WriteCapacityUnits" for t in targets)
            if None not in (writes, table_writes) and writes < table_writes and not scaled:
                yield ctx.finding(
                    table,
                    path + ("WriteCapacityUnits",),
                    f"Index {name} has {writes:g} write capacity units, fewer than the table's {table_writes:g}: "
                    "when its writes are throttled, so are the table's. Give it at least as many, or auto scale it.",
                    scenario,
                    rule="DDB013",
                )


def _scaled(ctx, table, targets: list[Target], index: str | None, path: tuple, capacity: dict, scenario):
    """The findings on one provisioned capacity (the table's or an index's)."""
    own = [t for t in targets if t.index == index]
    missing = [units for units in UNITS if not any(t.units == units for t in own)]
    what = f"index {index}" if index else "this table"
    if missing:
        yield ctx.finding(
            table,
            path,
            f"The {' and '.join(u.removesuffix('CapacityUnits').lower() for u in missing)} capacity of {what} is "
            "fixed (no auto scaling): it throttles under load and is paid for when idle. Use BillingMode "
            "PAY_PER_REQUEST, or add scalable targets with scaling policies.",
            scenario,
        )
    for target in own:
        units = as_number(lookup(capacity, target.units))
        low, high = target.minimum, target.maximum
        if units is not None and None not in (low, high) and not low <= units <= high:
            yield ctx.finding(
                table,
                path + (target.units,),
                f"{target.units} {units:g} is outside the range of scalable target {target.resource.logical_id} "
                f"({low:g}–{high:g}): auto scaling moves it into the range, so set it within.",
                scenario,
                rule="DDB012",
            )


def _targets(ctx, table) -> list[Target] | None:
    """The scalable targets of the template on the table's capacity; None when one of them names a
    resource that cannot be known (it might be this table)."""
    names = [alt.value for alt in ctx.values(table, "Properties.TableName") if isinstance(alt.value, str)]
    found = []
    for target in ctx.resources(SCALABLE_TARGET):
        for scenario, (namespace, resource_id, dimension, low, high) in ctx.joint(
            ctx.values(target, "Properties.ServiceNamespace"),
            ctx.values(target, "Properties.ResourceId"),
            ctx.values(target, "Properties.ScalableDimension"),
            ctx.values(target, "Properties.MinCapacity"),
            ctx.values(target, "Properties.MaxCapacity"),
        ):
            if namespace != "dynamodb" and isinstance(namespace, str):
                continue
            index = _index_of(ctx, resource_id, table, names, scenario)
            if index is _UNKNOWN:
                return None
            if index is None or not isinstance(dimension, str):
                continue
            units = dimension.rsplit(":", 1)[-1]
            if units in UNITS:
                found.append(Target(target, index or None, units, as_number(low), as_number(high)))
    return found


_UNKNOWN = object()


def _index_of(ctx, resource_id, table, names: list[str], scenario):
    """ "" for the table, the index name for one of its indexes, None for another resource,
    ``_UNKNOWN`` when it cannot be told."""
    if isinstance(resource_id, str):
        text = resource_id
        for name in names:
            if text == f"table/{name}" or text.startswith(f"table/{name}/index/"):
                return text[len(f"table/{name}/index/") :] if "/index/" in text else ""
        return None
    if not isinstance(resource_id, Unknown):
        return None
    link = ctx.follow(resource_id, scenario)
    if link is None:
        return _UNKNOWN if resource_id.text is None or "${?}" in resource_id.text else None
    if link.resource is not table or not resource_id.text:
        return None
    _, _, rest = resource_id.text.partition("}")
    return rest.removeprefix("/index/") if rest.startswith("/index/") else ""
