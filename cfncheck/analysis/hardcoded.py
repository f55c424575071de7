"""Values a template fixes for every deployment: written literally in a resource, or taken from the
Default of a parameter the resource refers to when no value is given for it.

A value read from a mapping, a pseudo parameter, another resource or an import is not fixed by
the template in this sense (a mapping keyed by region is the way to vary a value by region), and
neither is a parameter whose value this run gives. ``Fn::If`` branches are followed, each in its
scenario; list items are followed one by one.
"""

from __future__ import annotations

from typing import NamedTuple

from ..context import Context
from ..template import Resource
from ..values import Scenario, parse_path

_ITEM_LIMIT = 50


class Fixed(NamedTuple):
    """A fixed string at ``path`` (relative to the resource), in ``scenario``; ``parameter`` names
    the parameter whose Default it is, None when written in the resource."""

    path: tuple
    value: str
    scenario: Scenario
    parameter: str | None


def fixed_strings(ctx: Context, resource: Resource, pattern) -> list[Fixed]:
    """The fixed strings a property holds (itself, or the items of a list); ``"[]"`` in the
    pattern stands for each item of a list written there."""
    return list(_at(ctx, resource.node, parse_path(pattern), (), resource.exists_in))


def _at(ctx: Context, node, pattern: tuple, path: tuple, scenario: Scenario):
    if not pattern:
        yield from _walk(ctx, node, path, scenario)
        return
    key, rest = pattern[0], pattern[1:]
    if key == "[]":
        for index, item in enumerate(node[:_ITEM_LIMIT] if isinstance(node, list) else ()):
            yield from _at(ctx, item, rest, path + (index,), scenario)
    elif isinstance(node, dict) and key in node:
        yield from _at(ctx, node[key], rest, path + (key,), scenario)
    elif isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
        yield from _at(ctx, node[key], rest, path + (key,), scenario)


def _walk(ctx: Context, node, path: tuple, scenario: Scenario):
    if isinstance(node, str):
        yield Fixed(path, node, scenario, None)
    elif isinstance(node, list):
        for index, item in enumerate(node[:_ITEM_LIMIT]):
            yield from _walk(ctx, item, path + (index,), scenario)
    elif isinstance(node, dict) and len(node) == 1:
        ((function, arguments),) = node.items()
        if function == "Ref" and isinstance(arguments, str) and arguments in ctx.template.parameters:
            yield from _parameter(ctx, arguments, path, scenario)
        elif function == "Fn::If" and isinstance(arguments, list) and len(arguments) == 3:
            condition = arguments[0]
            if isinstance(condition, str):
                for branch, holds in ((arguments[1], True), (arguments[2], False)):
                    chosen = ctx.merge(scenario, Scenario({(condition, holds)}))
                    if chosen is not None:
                        yield from _walk(ctx, branch, path, chosen)


def _parameter(ctx: Context, name: str, path: tuple, scenario: Scenario):
    if ctx.resolver.parameter_origin(name, scenario) != "default":
        return
    value = ctx.resolver.parameter_value(name, scenario)
    for index, item in enumerate(value if isinstance(value, list) else [value]):
        if isinstance(item, str):
            yield Fixed(path + (index,) if isinstance(value, list) else path, item, scenario, name)
