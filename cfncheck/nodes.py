"""Template nodes that remember where they were written.

Mappings and sequences are ``dict``/``list`` subclasses, so the rest of cfncheck reads them
like plain JSON data. Scalars stay plain Python values; their positions are kept by the
container that holds them, which is where a finding needs them anyway (a key and its value).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple, TypeVar

T = TypeVar("T")


class Mark(NamedTuple):
    """A region of a file: 1-based lines and columns, end inclusive of the last character."""

    line: int
    column: int
    end_line: int
    end_column: int


NOWHERE = Mark(1, 1, 1, 1)


class MarkedDict(dict):
    """A mapping with its own region and, for every key, the region of the key and of its value."""

    __slots__ = ("mark", "key_marks", "value_marks", "derived")

    def __init__(self, *args, mark: Mark = NOWHERE, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.mark = mark
        self.key_marks: dict = {}
        self.value_marks: dict = {}

    def mark_of(self, key) -> Mark:
        """The region from ``key`` to the end of its value (the whole mapping if absent)."""
        key_mark = self.key_marks.get(key)
        if key_mark is None:
            return self.mark
        value_mark = self.value_marks.get(key, key_mark)
        return Mark(key_mark.line, key_mark.column, value_mark.end_line, value_mark.end_column)


class MarkedList(list):
    """A sequence with its own region and the region of each item."""

    __slots__ = ("mark", "item_marks", "derived")

    def __init__(self, *args, mark: Mark = NOWHERE) -> None:
        super().__init__(*args)
        self.mark = mark
        self.item_marks: list[Mark] = []

    def mark_of(self, index: int) -> Mark:
        if 0 <= index < len(self.item_marks):
            return self.item_marks[index]
        return self.mark


def copy_mapping(node: MarkedDict) -> MarkedDict:
    """A shallow copy of a mapping with its marks, to change without changing the document."""
    copy = MarkedDict(node, mark=node.mark)
    copy.key_marks = dict(node.key_marks)
    copy.value_marks = dict(node.value_marks)
    return copy


def mark_of_child(container, key) -> Mark | None:
    """The region of ``container[key]`` if the container knows it."""
    if isinstance(container, MarkedDict):
        return container.mark_of(key) if key in container.key_marks else None
    if isinstance(container, MarkedList) and isinstance(key, int):
        return container.mark_of(key) if 0 <= key < len(container.item_marks) else None
    return None


def derived(node, key, compute: Callable[[], T]) -> T:
    """A fact computed from a node's contents once and kept with the node (checks ask for the
    same facts, like the names a resource uses, again and again); nodes do not change once
    loaded. Plain containers are not marked nodes and are computed every time."""
    if not isinstance(node, (MarkedDict, MarkedList)):
        return compute()
    try:
        memo = node.derived
    except AttributeError:
        memo = node.derived = {}
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def mark_of(node) -> Mark | None:
    return getattr(node, "mark", None)
