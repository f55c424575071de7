"""Walking the lists and nested mappings of a resource's properties, scenario by scenario.

``items`` yields each element of a property list (``Listeners``, ``BlockDeviceMappings``,
``CacheBehaviors``…) with its path as written in the template, so a finding on one of its
keys lands on that element even when elements are added or removed by ``Fn::If``.
``lookup`` reads a nested key from a resolved value, telling absent from unknown.
"""

from __future__ import annotations

from collections.abc import Iterator

from cfncheck.context import Context, parse_path
from cfncheck.template import Resource
from cfncheck.values import ABSENT, Scenario, Unknown, as_bool


def items(ctx: Context, resource: Resource, path) -> Iterator[tuple[tuple, object, Scenario]]:
    """``(item path, resolved item, scenario)`` for each element of the list at ``path``.

    The path indexes the list as written (``Resolver.elements``), so ``Fn::If [c, {...},
    !Ref AWS::NoValue]`` elements keep their position; an element absent in a scenario is not
    yielded there, and a list that cannot be known has no elements."""
    path = parse_path(path)
    for index, alt in ctx.resolver.elements(resource.node, path, resource.exists_in):
        yield path + (index,), alt.value, alt.scenario


def lookup(value, path):
    """``value[path…]`` of a resolved value: ABSENT where a key is missing, Unknown where a
    step is not a known mapping or list."""
    for key in parse_path(path):
        if value is ABSENT or isinstance(value, Unknown):
            return value
        if isinstance(value, dict):
            value = value.get(key, ABSENT)
        elif isinstance(value, list) and isinstance(key, int):
            value = value[key] if -len(value) <= key < len(value) else ABSENT
        else:
            return Unknown(f"{key} is read from a value that is not a mapping")
    return value


def as_list(value) -> list:
    """A resolved value that may be one item or a list of items, as a list (empty when absent)."""
    if value is ABSENT:
        return []
    return value if isinstance(value, list) else [value]


def boolean(value, default: bool) -> bool | None:
    """A resolved flag: ``default`` when absent, None when it cannot be known."""
    return default if value is ABSENT else as_bool(value)
