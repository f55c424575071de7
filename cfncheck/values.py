"""What resolving an intrinsic function can give besides plain JSON data.

A resolved value is plain data (str, int, float, bool, None, dict, list) where it is known,
and one of the types below where it is not: ``Unknown`` (with the reason), a symbolic
``Reference`` to a resource, an ``AZ`` picked from ``Fn::GetAZs``, or ``ABSENT`` for a
property that is not there (``AWS::NoValue`` included) so the AWS default applies.
Values that depend on Conditions come as alternatives, each with the ``Scenario`` that
selects it.
"""

from __future__ import annotations

import functools
from typing import Any, NamedTuple


class _Absent:
    __slots__ = ()

    def __repr__(self) -> str:
        return "ABSENT"

    def __bool__(self) -> bool:
        return False


ABSENT: Any = _Absent()
"""A property that is not set (or set to ``AWS::NoValue``): the documented default applies."""


class Reference(NamedTuple):
    """``Ref`` (attribute None) or ``Fn::GetAtt`` to a resource of the template."""

    target: str
    attribute: str | None = None

    def __str__(self) -> str:
        return f"!GetAtt {self.target}.{self.attribute}" if self.attribute else f"!Ref {self.target}"


class AvailabilityZones(NamedTuple):
    """``Fn::GetAZs``: the zones of a region, not known until deploy time."""

    region: str | None


class AZ(NamedTuple):
    """The ``index``-th zone of a region: unknown by name, but distinct from other indexes."""

    index: int
    region: str | None

    def __str__(self) -> str:
        return f"!Select [{self.index}, !GetAZs '{self.region or ''}']"


class Unknown:
    """A value that cannot be known from the template; never guessed.

    ``refs`` are the resources the value was built from (an ARN made with ``Fn::Sub``
    still names its queue), ``text`` is the value as text with ``${...}`` placeholders
    where it was built from strings, and ``import_name`` is set for ``Fn::ImportValue``.
    """

    __slots__ = ("reason", "refs", "text", "import_name")

    def __init__(self, reason: str, refs: tuple = (), text: str | None = None, import_name: str | None = None):
        self.reason = reason
        self.refs = refs
        self.text = text
        self.import_name = import_name

    def __repr__(self) -> str:
        return f"Unknown({self.reason!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Unknown) and (self.reason, self.refs, self.text) == (
            other.reason,
            other.refs,
            other.text,
        )

    def __hash__(self) -> int:
        return hash((self.reason, self.refs, self.text))


def is_known(value) -> bool:
    """True for plain data with nothing unknown at its top level."""
    return not isinstance(value, (Unknown, Reference, AvailabilityZones, AZ)) and value is not ABSENT


class Scenario(frozenset):
    """An assignment of truth values to named Conditions: ``{("IsProd", False)}``.

    The empty scenario holds always. Scenarios combine with :meth:`merge`, which refuses
    to join ``IsProd=true`` with ``IsProd=false``.
    """

    __slots__ = ()

    def merge(self, other: Scenario) -> Scenario | None:
        if not other:
            return self
        if not self:
            return other
        for name, value in other:
            if (name, not value) in self:
                return None
        return Scenario(self | other)

    def with_condition(self, name: str, value: bool) -> Scenario | None:
        if (name, not value) in self:
            return None
        return Scenario(self | {(name, value)})

    def get(self, name: str) -> bool | None:
        if (name, True) in self:
            return True
        if (name, False) in self:
            return False
        return None

    def as_dict(self) -> dict[str, bool]:
        return dict(sorted(self))

    def __str__(self) -> str:
        return ", ".join(f"{name}={'true' if value else 'false'}" for name, value in sorted(self))

    def __repr__(self) -> str:
        return f"Scenario({self.as_dict()})"


ALWAYS = Scenario()


class Alt(NamedTuple):
    """One alternative of a resolved value and the scenario in which it is the value."""

    value: Any
    scenario: Scenario = ALWAYS


def as_number(value, default: int | float | None = None) -> int | float | None:
    """A known numeric value, accepting the strings CloudFormation passes for Number parameters;
    ``default`` (the AWS default) when the value is absent."""
    if value is ABSENT:
        return default
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            try:
                return float(value)
            except ValueError:
                return None
    return None


def as_bool(value, default: bool | None = None) -> bool | None:
    """A known boolean, accepting "true"/"false" strings as CloudFormation does; ``default`` (the
    AWS default) when the value is absent."""
    if value is ABSENT:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def parse_path(path) -> tuple:
    """``"Properties.Tags.0.Key"`` → ``("Properties", "Tags", 0, "Key")``; tuples pass through."""
    if isinstance(path, str):
        return _parse_text_path(path)
    return tuple(path)


@functools.lru_cache(maxsize=4096)
def _parse_text_path(path: str) -> tuple:
    """Checks name the same few hundred paths for every resource they read."""
    return tuple(int(part) if part.isdigit() else part for part in path.split(".")) if path else ()


def lookup(value, path):
    """``value[path…]`` of a resolved value (a list item in hand, say): ABSENT where a key is
    missing, Unknown where a step is not a known mapping or list."""
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
    """A resolved value written as one item or a list of items, as a list (empty when absent)."""
    if value is ABSENT:
        return []
    return value if isinstance(value, list) else [value]
