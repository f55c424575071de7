"""Settings written as a list of ``{Key, Value}`` items: the ``LoadBalancerAttributes`` of a load
balancer, the ``TargetGroupAttributes`` of a target group.

An attribute that is not in the list has the service's default (``ABSENT``); a list, or a key,
that cannot be known makes the attribute unknown, since the item it hides might set it.
"""

from __future__ import annotations

from ..context import Context
from ..template import Resource
from ..values import ABSENT, Alt, Unknown

LOAD_BALANCER_ATTRIBUTES = ("Properties", "LoadBalancerAttributes")
TARGET_GROUP_ATTRIBUTES = ("Properties", "TargetGroupAttributes")


def attribute(ctx: Context, resource: Resource, key: str, path: tuple = LOAD_BALANCER_ATTRIBUTES) -> list[tuple]:
    """``(path, Alt(value))`` of attribute ``key`` per scenario: the path of the item's Value where
    the list sets it, else the path of the list with ``ABSENT`` (not set) or an ``Unknown``."""
    found = []
    for alt in ctx.values(resource, path):
        if alt.value is ABSENT:
            found.append((path, alt))
            continue
        if not isinstance(alt.value, list):
            found.append((path, Alt(Unknown("the attribute list is not known"), alt.scenario)))
            continue
        found.extend(_in_list(ctx, resource, path, key, alt))
    return found


def _in_list(ctx: Context, resource: Resource, path: tuple, key: str, listed: Alt) -> list[tuple]:
    """The attribute in one scenario's list (items an ``Fn::If`` drops are already gone from it)."""
    if any(not isinstance(item, dict) or not isinstance(item.get("Key"), str) for item in listed.value):
        return [(path, Alt(Unknown("an attribute of the list is not known"), listed.scenario))]
    matching = [item for item in listed.value if item["Key"] == key]
    if not matching:
        return [(path, Alt(ABSENT, listed.scenario))]
    written = [
        item_path + ("Value",)
        for item_path, item in ctx.elements(resource, path, listed.scenario)
        if isinstance(item.value, dict) and item.value.get("Key") == key
    ]
    return [(written[-1] if written else path, Alt(matching[-1].get("Value", ABSENT), listed.scenario))]
