"""The tags of a resource: a list of ``{Key, Value}`` items for most types, a mapping for some
(``AWS::SSM::Parameter``, the SAM resources). Whether a type takes tags comes from its schema.

Tags that depend on Conditions come per scenario; a tag list with an item whose key cannot be
known is unknown as a whole (it might hold any key).
"""

from __future__ import annotations

from ..context import Context
from ..schemas import resource_schema
from ..template import Resource
from ..values import ABSENT, Alt, Unknown

SAM_TAGGED = frozenset(
    {
        "AWS::Serverless::Function",
        "AWS::Serverless::Api",
        "AWS::Serverless::HttpApi",
        "AWS::Serverless::SimpleTable",
        "AWS::Serverless::StateMachine",
        "AWS::Serverless::Application",
        "AWS::Serverless::GraphQLApi",
    }
)
"""SAM resources that take a ``Tags`` mapping (and pass it to what they generate)."""


def taggable(resource_type: str) -> bool:
    """Whether the type has a ``Tags`` property."""
    if resource_type in SAM_TAGGED:
        return True
    schema = resource_schema(resource_type)
    return schema is not None and "Tags" in schema.schema.get("properties", {})


def tags(ctx: Context, resource: Resource) -> list[Alt]:
    """``Alt({key: value})`` of the resource's tags per scenario (empty when it has none), or an
    ``Unknown`` where they cannot all be read."""
    found = []
    for alt in ctx.values(resource, "Properties.Tags"):
        found.append(Alt(_as_mapping(alt.value), alt.scenario))
    return found


def _as_mapping(value):
    if value is ABSENT:
        return {}
    if isinstance(value, dict):
        return value if all(isinstance(key, str) for key in value) else Unknown("a tag key is not known")
    if isinstance(value, list):
        if all(isinstance(item, dict) and isinstance(item.get("Key"), str) for item in value):
            return {item["Key"]: item.get("Value", ABSENT) for item in value}
    return Unknown("the tags are not known")
