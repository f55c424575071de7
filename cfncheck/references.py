"""Where a template names something: every Ref, GetAtt, Sub variable, DependsOn, FindInMap and Condition use.

Read from the raw nodes (before resolution), so the graph, the undefined-reference check and
the unused-definition checks all see the same uses, each with the path where it is written.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterator
from typing import NamedTuple

from .nodes import derived

PSEUDO_PARAMETERS = frozenset(
    {
        "AWS::AccountId",
        "AWS::NotificationARNs",
        "AWS::NoValue",
        "AWS::Partition",
        "AWS::Region",
        "AWS::StackId",
        "AWS::StackName",
        "AWS::URLSuffix",
    }
)

_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")


class Use(NamedTuple):
    kind: str  # Ref, GetAtt, Sub, DependsOn, Condition, FindInMap
    target: str
    attribute: str | None
    path: tuple


def sub_parts(text: str) -> list[tuple[bool, str]]:
    """Split an ``Fn::Sub`` string into ``(is_variable, text)`` parts; ``${!x}`` is the literal ``${x}``."""
    parts: list[tuple[bool, str]] = []
    position = 0
    for match in _SUB_VARIABLE.finditer(text):
        if match.start() > position:
            parts.append((False, text[position : match.start()]))
        name = match.group(1)
        if name.startswith("!"):
            parts.append((False, "${" + name[1:] + "}"))
        else:
            parts.append((True, name.strip()))
        position = match.end()
    if position < len(text):
        parts.append((False, text[position:]))
    return parts


def split_sub_variable(name: str) -> tuple[str, str | None]:
    """``Res.Attr`` → (``Res``, ``Attr``); ``Name`` → (``Name``, None). Pseudo parameters keep their colons."""
    if "." in name and not name.startswith("AWS::"):
        target, attribute = name.split(".", 1)
        return target, attribute
    return name, None


def getatt_parts(args) -> tuple[str, str | None] | None:
    """The resource and attribute of ``Fn::GetAtt`` arguments (attribute None if not literal)."""
    if isinstance(args, str) and "." in args:
        target, attribute = args.split(".", 1)
        return target, attribute
    if isinstance(args, list) and len(args) == 2 and isinstance(args[0], str):
        return args[0], args[1] if isinstance(args[1], str) else None
    return None


def iter_uses(node, path: tuple = ()) -> Iterator[Use]:
    """Every use of a name inside ``node``, in document order."""
    if not isinstance(node, (dict, list)):
        return
    uses = derived(node, "uses", lambda: list(_uses(node, ())))
    if not path:
        yield from uses
        return
    for use in uses:
        yield Use(use.kind, use.target, use.attribute, path + use.path)


def _uses(node, path: tuple) -> Iterator[Use]:
    if isinstance(node, dict):
        if len(node) == 1:
            ((key, value),) = node.items()
            if key == "Ref":
                if isinstance(value, str):
                    yield Use("Ref", value, None, path)
                else:
                    yield from _uses(value, path + (key,))
                return
            if key == "Fn::GetAtt":
                parts = getatt_parts(value)
                if parts:
                    yield Use("GetAtt", parts[0], parts[1], path)
                if isinstance(value, list) and len(value) == 2:
                    yield from _uses(value[1], path + (key, 1))
                return
            if key == "Fn::Sub":
                yield from _sub_uses(value, path + (key,))
                return
            if key == "Condition" and isinstance(value, str):
                yield Use("Condition", value, None, path)
                return
            if key == "Fn::If" and isinstance(value, list) and value and isinstance(value[0], str):
                yield Use("Condition", value[0], None, path)
                for index, branch in enumerate(value[1:], start=1):
                    yield from _uses(branch, path + (key, index))
                return
            if key == "Fn::FindInMap" and isinstance(value, list) and value:
                if isinstance(value[0], str):
                    yield Use("FindInMap", value[0], None, path)
                for index, item in enumerate(value):
                    if not isinstance(item, str):
                        yield from _uses(item, path + (key, index))
                return
        for key, value in node.items():
            if isinstance(value, (dict, list)):  # a scalar uses nothing: not worth a call
                yield from _uses(value, path + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            if isinstance(value, (dict, list)):
                yield from _uses(value, path + (index,))


def _sub_uses(value, path: tuple) -> Iterator[Use]:
    if isinstance(value, str):
        text, local = value, {}
    elif isinstance(value, list) and value and isinstance(value[0], str):
        text = value[0]
        local = value[1] if len(value) > 1 and isinstance(value[1], dict) else {}
        for name, item in local.items():
            yield from _uses(item, path + (1, name))
    else:
        yield from _uses(value, path)
        return
    for is_variable, name in sub_parts(text):
        if is_variable and name not in local:
            target, attribute = split_sub_variable(name)
            yield Use("Sub", target, attribute, path)


def resource_uses(resource_node) -> list[Use]:
    """The uses inside one resource, DependsOn included, with paths relative to the resource."""
    return derived(resource_node, "resource uses", lambda: list(_resource_uses(resource_node)))


def _resource_uses(resource_node) -> Iterator[Use]:
    for key, value in resource_node.items():
        if key == "DependsOn":
            names = [value] if isinstance(value, str) else value if isinstance(value, list) else []
            for index, name in enumerate(names):
                if isinstance(name, str):
                    yield Use("DependsOn", name, None, (key,) if isinstance(value, str) else (key, index))
        elif key == "Condition":
            if isinstance(value, str):
                yield Use("Condition", value, None, (key,))
        elif key != "Type":
            yield from iter_uses(value, (key,))


def iter_calls(node, function: str, path: tuple = ()) -> Iterator[tuple[object, tuple]]:
    """Each call of ``function`` (e.g. ``Fn::FindInMap``) inside ``node``: its arguments and its path."""
    if not isinstance(node, (dict, list)):
        return
    calls = derived(node, "calls", lambda: _calls(node)).get(function, ())
    if not path:
        yield from calls
        return
    for arguments, where in calls:
        yield arguments, path + where


def _calls(node) -> dict[str, list[tuple[object, tuple]]]:
    """Every intrinsic call inside ``node`` by function name, in document order: one walk for all."""
    found: dict[str, list[tuple[object, tuple]]] = {}
    for function, arguments, path in _walk_calls(node, ()):
        found.setdefault(function, []).append((arguments, path))
    return found


def _walk_calls(node, path: tuple) -> Iterator[tuple[str, object, tuple]]:
    if isinstance(node, dict):
        if len(node) == 1:
            key = next(iter(node))
            if key.startswith("Fn::"):
                yield key, node[key], path
        for key, value in node.items():
            if isinstance(value, (dict, list)):
                yield from _walk_calls(value, path + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            if isinstance(value, (dict, list)):
                yield from _walk_calls(value, path + (index,))


def guards(node, path: tuple) -> list[tuple[str, bool]]:
    """The ``Fn::If`` branches taken on the way to ``path``: a use inside the true branch of
    ``Fn::If [IsProd, …]`` only happens when IsProd is true."""
    taken = []
    for index, key in enumerate(path):
        if isinstance(node, dict) and len(node) == 1 and "Fn::If" in node and key == "Fn::If":
            args = node["Fn::If"]
            following = path[index + 1] if index + 1 < len(path) else None
            if isinstance(args, list) and args and isinstance(args[0], str) and following in (1, 2):
                taken.append((args[0], following == 1))
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            break
    return taken


def whole_parameters(node, parameters: Container[str]) -> Iterator[str]:
    """The parameters among ``parameters`` whose value ``node`` is, as a whole: ``!Ref P``,
    ``!Sub "${P}"``, or either branch of ``Fn::If``. A parameter that is only part of a text
    does not supply the value: the place to change is then the text, not the parameter."""
    if not (isinstance(node, dict) and len(node) == 1):
        return
    ((function, args),) = node.items()
    if function == "Ref" and isinstance(args, str) and args in parameters:
        yield args
    elif function == "Fn::Sub" and isinstance(args, str):
        match = re.fullmatch(r"\$\{([^}!]+)\}", args.strip())
        if match and match.group(1).strip() in parameters:
            yield match.group(1).strip()
    elif function == "Fn::If" and isinstance(args, list) and len(args) == 3:
        yield from whole_parameters(args[1], parameters)
        yield from whole_parameters(args[2], parameters)
