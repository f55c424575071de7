"""The ``AWS::LanguageExtensions`` transform's loops: ``Fn::ForEach`` expanded as CloudFormation does.

A loop ``Fn::ForEach::Name: [Identifier, Collection, {OutputKey: OutputValue}]`` in Resources,
Conditions, Outputs or inside a resource's properties stands for one copy of its body per item
of the collection, with ``${Identifier}`` and ``&{Identifier}`` (the item without its
non-alphanumeric characters) replaced in keys and strings, and ``Ref: Identifier`` replaced by
the item. Loops nest. The copies keep the marks of the body, so a finding on an expanded resource
lands on the loop body's line; each top-level copy records its iteration (``Name=Orders``) so
the finding can name it.

The collection is resolved like any value (a list, a ``CommaDelimitedList`` parameter, a
``Fn::FindInMap``); a collection that cannot be known is left unexpanded and recorded as a
place the analysis skipped. The transform's other functions (``Fn::Length``,
``Fn::ToJsonString``, ``Fn::FindInMap`` with ``DefaultValue``) are the resolver's.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .nodes import MarkedDict, MarkedList, copy_mapping
from .template import Skipped, Template
from .values import Unknown

LOOP = "Fn::ForEach::"
SECTIONS = ("Conditions", "Resources", "Outputs")
MAX_COPIES = 10_000
"""Copies one template may expand to; CloudFormation's own limit on resources is 500."""

Iteration = tuple[tuple[str, str], ...]
"""(identifier, item) of each enclosing loop, outermost first."""
CollectionResolver = Callable[[object], object]
"""Resolves a collection node to a list of items, or an Unknown saying why it cannot."""


def has_loops(template: Template) -> bool:
    return any(isinstance(key, str) and key.startswith(LOOP) for key in _loop_keys(template.root))


def _loop_keys(node):
    if isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from _loop_keys(value)
    elif isinstance(node, list):
        for item in node:
            yield from _loop_keys(item)


class _TooMany(Exception):
    pass


class Expander:
    """One template's loops, expanded with a resolver of collections."""

    def __init__(self, resolve: CollectionResolver) -> None:
        self.resolve = resolve
        self.skipped: list[Skipped] = []
        self.iterations: dict[tuple[str, str], Iteration] = {}
        self.copies = 0

    def root(self, root: MarkedDict) -> MarkedDict:
        """A copy of the document's root with the loops of its sections expanded."""
        expanded = copy_mapping(root)
        for section in SECTIONS:
            node = root.get(section)
            if isinstance(node, MarkedDict):
                expanded[section] = self._section(node, section)
        return expanded

    def _section(self, node: MarkedDict, section: str) -> MarkedDict:
        result = MarkedDict(mark=node.mark)
        for key, value, key_mark, value_mark, iteration in self._entries(node, {}, (section,), ()):
            result[key] = value
            result.key_marks[key] = key_mark
            result.value_marks[key] = value_mark
            if iteration:
                self.iterations[(section, key)] = iteration
        return result

    def _entries(self, node: MarkedDict, bindings: dict, path: tuple, iteration: Iteration):
        """(key, value, key mark, value mark, iteration) of a mapping whose loops are expanded."""
        for key, value in node.items():
            key_mark, value_mark = node.key_marks.get(key, node.mark), node.value_marks.get(key, node.mark)
            if not (isinstance(key, str) and key.startswith(LOOP)):
                new_key = _replace(key, bindings) if isinstance(key, str) else key
                yield new_key, self._value(value, bindings, path + (key,)), key_mark, value_mark, iteration
                continue
            copies = self._loop(key, value, bindings, path)
            if copies is None:
                yield key, value, key_mark, value_mark, iteration  # left as written: nothing reads it
                continue
            for identifier, item, body in copies:
                inner = {**bindings, identifier: item}
                yield from self._entries(body, inner, path + (key, 2), iteration + ((identifier, item),))

    def _loop(self, key: str, args, bindings: dict, path: tuple):
        """(identifier, item, body) for each item of a loop's collection; None when it is not known."""
        name = key[len(LOOP) :]
        if not (isinstance(args, list) and len(args) == 3 and isinstance(args[0], str)):
            self._skip(f"Fn::ForEach::{name} needs [identifier, collection, {{key: value}}]", path + (key,), args)
            return None
        identifier, collection, body = args
        if not isinstance(body, MarkedDict):
            self._skip(f"the body of Fn::ForEach::{name} is not a mapping", path + (key,), args)
            return None
        items = self.resolve(self._value(collection, bindings, path + (key, 1)))
        if isinstance(items, Unknown) or not isinstance(items, list):
            reason = items.reason if isinstance(items, Unknown) else "it is not a list"
            self._skip(
                f"the collection of Fn::ForEach::{name} is not known ({reason}): the resources, conditions or outputs "
                "it makes were not checked",
                path + (key, 1),
                collection,
            )
            return None
        items = [str(item) if isinstance(item, (int, float)) and not isinstance(item, bool) else item for item in items]
        if not all(isinstance(item, str) for item in items):
            self._skip(f"the collection of Fn::ForEach::{name} has items that are not strings", path + (key, 1), args)
            return None
        self.copies += len(items)
        if self.copies > MAX_COPIES:
            self._skip(f"Fn::ForEach::{name} would make more than {MAX_COPIES:,} copies", path + (key,), args)
            return None
        return [(identifier, item, body) for item in items]

    def _skip(self, message: str, path: tuple, node) -> None:
        self.skipped.append(Skipped(message, path, getattr(node, "mark", None)))

    def _value(self, node, bindings: dict, path: tuple):
        """A copy of ``node`` with the identifiers of the enclosing loops replaced and its own
        loops (inside properties) expanded; the marks are kept."""
        if isinstance(node, str):
            return _replace(node, bindings) if bindings else node
        if isinstance(node, MarkedDict):
            if len(node) == 1 and isinstance(node.get("Ref"), str) and node["Ref"] in bindings:
                return bindings[node["Ref"]]
            if bindings and len(node) == 1 and isinstance(node.get("Fn::Sub"), str):
                text = _replace(node["Fn::Sub"], bindings)
                # the transform resolves a Sub left with no variable (an output's Description)
                if "${" not in text:
                    return text
                copy = copy_mapping(node)
                copy["Fn::Sub"] = text
                return copy
            if not bindings and not _has_loop(node):
                return node
            copy = MarkedDict(mark=node.mark)
            for key, value, key_mark, value_mark, _ in self._entries(node, bindings, path, ()):
                copy[key] = value
                copy.key_marks[key] = key_mark
                copy.value_marks[key] = value_mark
            return copy
        if isinstance(node, MarkedList):
            if not bindings and not _has_loop(node):
                return node
            copy = MarkedList((self._value(item, bindings, path + (i,)) for i, item in enumerate(node)), mark=node.mark)
            copy.item_marks = list(node.item_marks)
            return copy
        return node


def _has_loop(node) -> bool:
    return any(isinstance(key, str) and key.startswith(LOOP) for key in _loop_keys(node))


def _replace(text: str, bindings: dict) -> str:
    if "{" not in text:
        return text
    for identifier, item in bindings.items():
        text = text.replace("${" + identifier + "}", item)
        text = text.replace("&{" + identifier + "}", re.sub(r"[^A-Za-z0-9]", "", item))
    return text
