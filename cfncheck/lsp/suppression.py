"""The text a quick fix inserts to suppress a finding where it is: an entry of
``Metadata.cfncheck.ignore`` on the resource (or at the top of the template for a finding outside
resources), with an empty reason for the user to fill in — until then the suppression itself is
reported (CFN901), so a suppression never stays unexplained by accident.

The entry goes where the template's own layout puts it: into the existing ``Metadata``,
``cfncheck`` and ``ignore`` of block YAML, indented as their siblings are; into a JSON resource or
template that has no ``Metadata`` yet. Where the text is laid out otherwise (flow style, a JSON
``Metadata`` already there), there is no quick fix rather than a wrong one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from ..loader import LoadError, load_bytes
from ..nodes import Mark, MarkedDict, MarkedList

PATH = ("Metadata", "cfncheck", "ignore")
PLACEHOLDER = "say why this finding does not apply here"
DEFAULT_STEP = 2


@dataclass(frozen=True)
class Insertion:
    line: int  # 0-based: the text goes before this line
    text: str  # whole lines, each ended


def insertion(text: str, name: str, rule_id: str, resource: str | None) -> Insertion | None:
    """Where and what to insert into ``text`` to suppress ``rule_id`` on ``resource`` (None: the
    whole template); None when the template cannot be read or is not laid out for it."""
    try:
        document = load_bytes(text.encode("utf-8"), name)
    except LoadError:
        return None
    lines = text.splitlines()
    newline = "\r\n" if "\r\n" in text else "\n"
    root = document.root
    if resource is None:
        container, opened = root, None
    else:
        resources = root.get("Resources")
        if not isinstance(resources, MarkedDict) or not isinstance(resources.get(resource), MarkedDict):
            return None
        container, opened = resources[resource], resources.key_marks[resource]
    first = _first_key(container)
    if first is None:
        return None
    if document.format == "json":
        found = _json(container, first, rule_id)
    else:
        found = _yaml(lines, container, first, opened, rule_id)
    if found is None:
        return None
    line, written = found
    return Insertion(line, "".join(part + newline for part in written))


def _first_key(node: MarkedDict) -> Mark | None:
    return min(node.key_marks.values(), default=None)


def _entry(rule_id: str) -> list[str]:
    """The entry, as block YAML lines relative to the item's dash."""
    return [f"- id: {rule_id}", f'  reason: ""  # TODO: {PLACEHOLDER}']


def _yaml(lines: list[str], node: MarkedDict, first: Mark, opened: Mark | None, rule_id: str):
    """The first line of ``node`` (a resource, or the template) holds its first key; the entry goes
    as deep into Metadata.cfncheck.ignore as the template already goes."""
    indent = first.column - 1
    if opened is not None:
        if first.line == opened.line:
            return None  # the resource is written in flow style: `Queue: {Type: ...}`
        step, at = indent - (opened.column - 1), opened.line
    else:
        resources = node.get("Resources")
        inner = _first_key(resources) if isinstance(resources, MarkedDict) else None
        step = (inner.column - 1) if inner is not None and inner.column > 1 else DEFAULT_STEP
        at = node.key_marks["Resources"].line - 1 if "Resources" in node.key_marks else first.line - 1
    for depth, key in enumerate(PATH):
        if key not in node:
            written = [" " * (indent + i * step) + f"{part}:" for i, part in enumerate(PATH[depth:])]
            pad = " " * (indent + (len(PATH) - depth) * step)
            return at, written + [pad + part for part in _entry(rule_id)]
        value, key_mark, value_mark = node[key], node.key_marks[key], node.value_marks.get(key)
        if value_mark is None or value_mark.line == key_mark.line:
            return None  # written on the key's line (flow style, a scalar): not ours to rearrange
        if key == "ignore":
            if not isinstance(value, MarkedList) or not value.item_marks:
                return None
            item = value.item_marks[0]
            dash = lines[item.line - 1].rfind("-", 0, item.column - 1)
            if dash < 0:
                return None
            return item.line - 1, [" " * dash + part for part in _entry(rule_id)]
        if not isinstance(value, MarkedDict) or not value.key_marks:
            return None
        child = _first_key(value)
        node, indent, at = value, child.column - 1, key_mark.line
    return None


def _json(node: MarkedDict, first: Mark, rule_id: str):
    """A JSON resource or template without Metadata, pretty-printed: a Metadata member goes first."""
    if "Metadata" in node or first.line == node.mark.line:
        return None
    member = {"cfncheck": {"ignore": [{"id": rule_id, "reason": ""}]}}
    return first.line - 1, [" " * (first.column - 1) + f'"Metadata": {json.dumps(member)},']
