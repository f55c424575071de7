"""Validating resolved values against a JSON schema, the way CloudFormation reads them.

Plain JSON schema does not know two things CloudFormation does. CloudFormation converts scalars:
``"30"`` is a fine integer, ``true`` a fine string. And a resolved value may not be known: an
``Unknown`` passes every keyword, a ``Ref`` to a resource is only known to be a string, a
``GetAtt`` only to be of its attribute's type. So that an unknown value never causes a finding
through a negation (``not``, the ``if`` of a conditional, a ``oneOf`` matched twice), those are
decided strictly, every unknown value failing: a conditional applies only when its ``if`` holds
for sure.

Each schema (every ``$ref`` inlined beforehand) is compiled once, when a value first reaches
it, into a :class:`_Schema` that holds one small object per Draft 7 keyword it has, in schema
order: ``properties`` holds its properties' compiled schemas by name, ``type`` the Python types
that fit at sight, ``enum`` its values as text, ``pattern`` its regex. Interpreting the schema
dictionaries again for every value was most of the validation time. Every compiled schema
answers two questions: ``errors`` (lenient: unknown values pass) and ``holds`` (strict: they
fail). Compiled schemas are kept for the run by schema object; they keep nothing of the values.
"""

from __future__ import annotations

import math
import re
import warnings
from collections import deque
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from functools import cache
from itertools import repeat
from operator import ge, gt, itemgetter, le, lt
from typing import NamedTuple

from cfncheck.nodes import Mark, mark_of_child
from cfncheck.values import AZ, AvailabilityZones, Reference, Unknown

from . import closest_name

UNKNOWN_PROPERTY, REQUIRED, VALUE = "unknown-property", "required", "value"
"""Kinds of problem: a key the schema does not define, a missing key, a value the schema refuses."""

_KINDS = {"additionalProperties": UNKNOWN_PROPERTY, "required": REQUIRED, "dependencies": REQUIRED}
_OPAQUE = (Unknown, Reference, AZ, AvailabilityZones)
_INTEGER = re.compile(r"^[+-]?\d+$")

reference_kind: ContextVar[Callable[[Reference], str | None]] = ContextVar("reference_kind", default=lambda _: None)
"""The JSON type a Ref/GetAtt yields in the template being validated, None when not known."""


class _Error:
    """One problem: its message, the keyword that found it (None for a ``false`` schema), and
    the path from the validated value down to the offending key or value, built bottom-up."""

    __slots__ = ("message", "validator", "path")

    def __init__(self, message: str, validator: str | None, path=()) -> None:
        self.message = message
        self.validator = validator
        self.path = deque(path)


_NONE: tuple = ()
"""No errors: what a keyword returns on the (common) path where the value is fine, not a new list."""


class Problem(NamedTuple):
    kind: str
    path: tuple  # from the validated value to the offending key or value
    message: str


def validate(instance, schema: dict) -> list[Problem]:
    """Every problem of ``instance`` against ``schema``, unknown values passing."""
    problems, patterned = [], set()
    for error in _compiled(schema).errors(instance):
        path = tuple(error.path)
        if error.validator == "pattern":
            # the registry's pattern and an API's (botocore_patterns.json) may both refuse a value: one finding
            if path in patterned:
                continue
            patterned.add(path)
        problems.append(Problem(_KINDS.get(error.validator, VALUE), path, error.message))
    return problems


def locate(instance, path: tuple) -> Mark | None:
    """Where the value at ``path`` of a resolved value was written, as far as its marks say."""
    mark, node = None, instance
    for key in path:
        found = mark_of_child(node, key)
        if found is None:
            break
        mark, node = found, node[key]
    return mark


def describe(path: tuple) -> str:
    """``("Tags", 0, "Key")`` → ``Tags[0].Key``."""
    text = ""
    for key in path:
        text += f"[{key}]" if isinstance(key, int) else (f".{key}" if text else str(key))
    return text


# -- CloudFormation's view of JSON types -----------------------------------------------------


def _kind_fits(value, kind: str) -> bool:
    if kind == "string":
        return isinstance(value, (str, int, float))  # bool is an int: CloudFormation writes "true"
    if kind == "integer":
        if isinstance(value, bool):
            return False
        if isinstance(value, float):
            return value.is_integer()
        return isinstance(value, int) or (isinstance(value, str) and bool(_INTEGER.match(value.strip())))
    if kind == "number":
        return not isinstance(value, bool) and _number(value) is not None
    if kind == "boolean":
        return isinstance(value, bool) or (isinstance(value, str) and value.lower() in ("true", "false"))
    if kind == "object":
        return isinstance(value, dict)
    if kind == "array":
        return isinstance(value, list)
    if kind == "null":
        return value is None
    return True


def _number(value) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _text(value) -> str:
    """A scalar as CloudFormation passes it on to a string property: ``true`` → ``"true"``,
    ``30`` → ``"30"``, and a float as Java writes a double: ``2.0`` → ``"2.0"`` (not ``"2"``),
    ``1e7`` → ``"1.0E7"``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and math.isfinite(value):
        if 1e-3 <= abs(value) < 1e7 or value == 0:
            return repr(value)
        mantissa, exponent = f"{value:.16e}".split("e")
        return f"{float(mantissa)!r}E{int(exponent)}"
    return str(value)


def _same(value, expected) -> bool:
    if isinstance(value, (dict, list)) or isinstance(expected, (dict, list)):
        return value == expected
    if _is_number(value) and _is_number(expected):
        return value == expected
    return _text(value) == _text(expected)


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _shown(value) -> str:
    if isinstance(value, str):
        return repr(value) if len(value) <= 60 else repr(value[:57] + "...")
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return _text(value)


_NOUNS = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean (true or false)",
    "object": "a mapping",
    "array": "a list",
    "null": "null",
}


def _of_kind(value) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return f"the string {_shown(value)}"
    return _NOUNS["object"] if isinstance(value, dict) else _NOUNS["array"] if isinstance(value, list) else "null"


# -- compiled schemas -----------------------------------------------------------------------------


class _Schema:
    """A schema object compiled: its keywords, compiled when a value first reaches the schema (most
    of a resource type's schema is never reached), and for each Python type of value met, the
    keywords that can find fault with such a value (its plan), in schema order as Draft 7 runs them."""

    __slots__ = ("schema", "keywords", "plans")

    def __init__(self, schema: dict) -> None:
        self.schema = schema
        self.keywords: tuple[_Keyword, ...] | None = None
        self.plans: dict[type, tuple[_Keyword, ...]] = {}

    def _compile(self) -> tuple[_Keyword, ...]:
        schema = self.schema
        self.keywords = tuple(KEYWORDS[name](name, value, schema) for name, value in schema.items() if name in KEYWORDS)
        return self.keywords

    def _plan(self, kind: type) -> tuple[_Keyword, ...]:
        """The keywords that can find fault with a value of this Python type, in schema order:
        ``maxLength`` judges strings only, ``properties`` mappings only, ``type`` no value that
        fits it at sight; a value that is not known, only ``type`` judges (by its shape)."""
        keywords = self.keywords if self.keywords is not None else self._compile()
        if issubclass(kind, _OPAQUE):
            plan = tuple(keyword for keyword in keywords if isinstance(keyword, _Type))
        else:
            plan = tuple(keyword for keyword in keywords if keyword.judges(kind))
        self.plans[kind] = plan
        return plan

    def errors(self, instance) -> Sequence[_Error]:
        """The problems of ``instance``; a value that is not known has none, but for its shape."""
        plan = self.plans.get(type(instance))
        if plan is None:
            plan = self._plan(type(instance))
        if isinstance(instance, dict) and _directive(instance):
            return _NONE
        found = _NONE
        for keyword in plan:
            more = keyword.errors(instance)
            if more:
                found = more if not found else [*found, *more]
        return found

    def holds(self, instance) -> bool:
        """``instance`` surely satisfies the schema: a value that is not known satisfies no keyword."""
        if isinstance(instance, _OPAQUE):
            return not (self.keywords if self.keywords is not None else self._compile())
        plan = self.plans.get(type(instance))
        if plan is None:
            plan = self._plan(type(instance))
        for keyword in plan:
            if not keyword.holds(instance):
                return False
        return True


class _Constant:
    """The schemas ``true`` and ``false``."""

    __slots__ = ("value",)

    def __init__(self, value: bool) -> None:
        self.value = value

    def errors(self, instance) -> Sequence[_Error]:
        return _NONE if self.value else [_Error(f"False schema does not allow {instance!r}", None)]

    def holds(self, instance) -> bool:
        return self.value


_TRUE, _FALSE = _Constant(True), _Constant(False)
_COMPILED: dict[int, _Schema] = {}
"""Each schema object's compiled form, by id: it holds the schema, so the id is never reused."""


def _compiled(schema) -> _Schema | _Constant:
    if schema is True:
        return _TRUE
    if schema is False:
        return _FALSE
    found = _COMPILED.get(id(schema))
    if found is None:
        found = _COMPILED[id(schema)] = _Schema(schema)
    return found


def _under(key, errors: Sequence[_Error]) -> Sequence[_Error]:
    """Errors found in the value at ``key``, with their paths from the value holding it."""
    for error in errors:
        error.path.appendleft(key)
    return errors


# -- keywords ---------------------------------------------------------------------------------


class _Keyword:
    """One keyword of a schema, compiled. ``errors`` and ``holds`` are only asked about values of
    a type it ``judges``, and ``holds`` only about values that are known (``_Schema`` decides for
    the others): a keyword that does not look into other schemas holds when it finds no error."""

    __slots__ = ("name",)

    def __init__(self, name: str, value, schema: dict) -> None:
        self.name = name

    def judges(self, kind: type) -> bool:
        """It can find fault with a known value of this Python type."""
        return True

    def errors(self, instance) -> Sequence[_Error]:
        raise NotImplementedError

    def holds(self, instance) -> bool:
        return not self.errors(instance)

    def error(self, message: str, path=()) -> _Error:
        return _Error(message, self.name, path)


_FIT_AT_SIGHT: dict[str, Callable[[type], bool]] = {
    "string": lambda kind: issubclass(kind, (str, int, float)),  # bool is an int: CloudFormation writes "true"
    "integer": lambda kind: issubclass(kind, int) and not issubclass(kind, bool),
    "number": lambda kind: issubclass(kind, (int, float)) and not issubclass(kind, bool),
    "boolean": lambda kind: issubclass(kind, bool),
    "object": lambda kind: issubclass(kind, dict),
    "array": lambda kind: issubclass(kind, list),
    "null": lambda kind: kind is type(None),
}
"""Whether every value of a Python type fits a JSON type; a string may still read as a number or a
boolean, and a float as an integer (``_kind_fits``). A type the table does not name takes any value."""


class _Type(_Keyword):
    __slots__ = ("kinds", "noun")

    def __init__(self, name: str, kinds, schema: dict) -> None:
        super().__init__(name, kinds, schema)
        self.kinds = [kinds] if isinstance(kinds, str) else list(kinds)
        self.noun = " or ".join(_NOUNS.get(k, k) for k in self.kinds)

    def judges(self, kind: type) -> bool:
        if kind is type(None):  # a null passes: it is a finding of its own (checks/template/nulls.py)
            return False
        for name in self.kinds:
            fits = _FIT_AT_SIGHT.get(name)
            if fits is None or fits(kind):
                return False
        return True

    def errors(self, instance) -> Sequence[_Error]:
        if isinstance(instance, _OPAQUE):
            return self._shape(instance)
        if self.holds(instance):
            return _NONE
        return [self.error(f"must be {self.noun}, not {_of_kind(instance)}")]

    def holds(self, instance) -> bool:
        return instance is None or any(_kind_fits(instance, kind) for kind in self.kinds)

    def _shape(self, instance) -> Sequence[_Error]:
        """A value not known may still be known to be a string (a Ref), or of its attribute's type."""
        kind = None
        if isinstance(instance, AZ):
            kind = "string"
        elif isinstance(instance, Reference):
            kind = "string" if instance.attribute is None else reference_kind.get()(instance)
        # a string from a reference may well read as a number or a boolean: only its shape is known
        if kind is None or any(
            k == kind or (kind == "string" and k in ("integer", "number", "boolean")) for k in self.kinds
        ):
            return _NONE
        return [self.error(f"must be {self.noun}; {instance} gives {_NOUNS[kind]}")]


class _Properties(_Keyword):
    __slots__ = ("children", "order")

    def __init__(self, name: str, properties: dict, schema: dict) -> None:
        super().__init__(name, properties, schema)
        self.children = {key: _compiled(subschema) for key, subschema in properties.items()}
        self.order = {key: position for position, key in enumerate(properties)}

    def judges(self, kind: type) -> bool:
        return issubclass(kind, dict)

    def errors(self, instance) -> Sequence[_Error]:
        # a value sets a few of the many properties a schema may have: walk the value's keys, and
        # give the errors in the schema's order, as Draft 7 does
        found = None
        children = self.children
        for key, value in instance.items():
            child = children.get(key)
            if child is not None:
                errors = child.errors(value)
                if errors:
                    found = found or []
                    found.append((self.order[key], _under(key, errors)))
        if found is None:
            return _NONE
        found.sort(key=itemgetter(0))
        return [error for _, errors in found for error in errors]

    def holds(self, instance) -> bool:
        children = self.children
        for key, value in instance.items():
            child = children.get(key)
            if child is not None and not child.holds(value):
                return False
        return True


class _PatternProperties(_Keyword):
    __slots__ = ("children",)

    def __init__(self, name: str, patterns: dict, schema: dict) -> None:
        super().__init__(name, patterns, schema)
        regexes = ((_regex(pattern), subschema) for pattern, subschema in patterns.items())
        self.children = [(regex, _compiled(subschema)) for regex, subschema in regexes if regex is not None]

    def _matches(self, instance: dict):
        for regex, child in self.children:
            for key, value in instance.items():
                if regex.search(key):
                    yield key, value, child

    def judges(self, kind: type) -> bool:
        return issubclass(kind, dict)

    def errors(self, instance) -> Sequence[_Error]:
        return [error for key, value, child in self._matches(instance) for error in _under(key, child.errors(value))]

    def holds(self, instance) -> bool:
        return all(child.holds(value) for _, value, child in self._matches(instance))


class _AdditionalProperties(_Keyword):
    __slots__ = ("names", "patterns", "refused", "child")

    def __init__(self, name: str, allowed, schema: dict) -> None:
        super().__init__(name, allowed, schema)
        self.names = schema.get("properties", {})
        self.patterns = [regex for regex in map(_regex, schema.get("patternProperties", {})) if regex is not None]
        self.refused = allowed is False
        self.child = _compiled(allowed) if isinstance(allowed, dict) else None

    def _others(self, instance: dict) -> list[tuple]:
        """The keys and values of ``instance`` that no property names nor pattern matches."""
        names, patterns = self.names, self.patterns
        if not patterns and names.keys() >= instance.keys():
            return []
        return [(k, v) for k, v in instance.items() if not (k in names or any(p.search(k) for p in patterns))]

    def judges(self, kind: type) -> bool:
        return issubclass(kind, dict) and (self.refused or self.child is not None)

    def errors(self, instance) -> Sequence[_Error]:
        if self.refused:
            return [self.error(self._unknown(key), [key]) for key, _ in self._others(instance)]
        return [error for key, value in self._others(instance) for error in _under(key, self.child.errors(value))]

    def holds(self, instance) -> bool:
        if self.refused:
            return not self._others(instance)
        return all(self.child.holds(value) for _, value in self._others(instance))

    def _unknown(self, key) -> str:
        names = self.names
        hint = closest_name(key, names) if isinstance(key, str) else None
        if hint:
            suggestion = f"; did you mean {hint}?"
        elif not names:
            suggestion = "; it takes no properties"
        else:
            suggestion = f" (valid: {', '.join(sorted(names))})" if len(names) <= 12 else ""
        return f"{key} is not a property here{suggestion}"


class _Items(_Keyword):
    __slots__ = ("each", "positional")

    def __init__(self, name: str, items, schema: dict) -> None:
        super().__init__(name, items, schema)
        self.each = None if isinstance(items, list) else _compiled(items)
        self.positional = [_compiled(subschema) for subschema in items] if isinstance(items, list) else None

    def _pairs(self, instance: list):
        return zip(instance, repeat(self.each) if self.positional is None else self.positional, strict=False)

    def judges(self, kind: type) -> bool:
        return issubclass(kind, list)

    def errors(self, instance) -> Sequence[_Error]:
        found = []
        for index, (item, child) in enumerate(self._pairs(instance)):
            errors = child.errors(item)
            if errors:
                found += _under(index, errors)
        return found

    def holds(self, instance) -> bool:
        return all(child.holds(item) for item, child in self._pairs(instance))


class _Required(_Keyword):
    __slots__ = ("required",)

    def __init__(self, name: str, required: list, schema: dict) -> None:
        super().__init__(name, required, schema)
        self.required = required

    def judges(self, kind: type) -> bool:
        return issubclass(kind, dict)

    def errors(self, instance) -> Sequence[_Error]:
        return [self.error(f"{key} is required here: set it", [key]) for key in self.required if key not in instance]


class _Dependencies(_Keyword):
    __slots__ = ("dependencies",)

    def __init__(self, name: str, dependencies: dict, schema: dict) -> None:
        super().__init__(name, dependencies, schema)
        # a list names the properties that must be set too; anything else is a schema the value must satisfy
        self.dependencies = [
            (key, dependency if isinstance(dependency, list) else _compiled(dependency))
            for key, dependency in dependencies.items()
        ]

    def judges(self, kind: type) -> bool:
        return issubclass(kind, dict)

    def errors(self, instance) -> Sequence[_Error]:
        found: list[_Error] = []
        for key, dependency in self.dependencies:
            if key not in instance:
                continue
            if isinstance(dependency, list):
                found += [
                    self.error(f"{key} is set, so {other} must be set too", [other])
                    for other in dependency
                    if other not in instance
                ]
            else:
                found += dependency.errors(instance)
        return found

    def holds(self, instance) -> bool:
        for key, dependency in self.dependencies:
            if key not in instance:
                continue
            if isinstance(dependency, list):
                if any(other not in instance for other in dependency):
                    return False
            elif not dependency.holds(instance):
                return False
        return True


class _Enum(_Keyword):
    __slots__ = ("values", "texts")

    def __init__(self, name: str, values: list, schema: dict) -> None:
        super().__init__(name, values, schema)
        self.values = values
        # a string is one of the values when it is a value's text (``_same``): one set lookup
        self.texts = frozenset(_text(value) for value in values if not isinstance(value, (dict, list)))

    def judges(self, kind: type) -> bool:
        return kind is not type(None)

    def errors(self, instance) -> Sequence[_Error]:
        if type(instance) is str:
            if instance in self.texts:
                return _NONE
        elif any(_same(instance, value) for value in self.values):
            return _NONE
        values = self.values
        shown = ", ".join(_text(v) for v in values[:12]) + (", …" if len(values) > 12 else "")
        hint = closest_name(instance, [v for v in values if isinstance(v, str)]) if isinstance(instance, str) else None
        suggestion = f" Did you mean {hint}?" if hint else ""
        return [self.error(f"{_shown(instance)} is not one of the allowed values ({shown}).{suggestion}")]


class _Const(_Keyword):
    __slots__ = ("value", "description")

    def __init__(self, name: str, value, schema: dict) -> None:
        super().__init__(name, value, schema)
        self.value = value
        self.description = schema.get("description")

    def judges(self, kind: type) -> bool:
        return kind is not type(None)

    def errors(self, instance) -> Sequence[_Error]:
        if _same(instance, self.value):
            return _NONE
        return [self.error(self.description or f"must be {_text(self.value)}, not {_shown(instance)}")]


class _Pattern(_Keyword):
    __slots__ = ("regex", "reason")

    def __init__(self, name: str, pattern: str, schema: dict) -> None:
        super().__init__(name, pattern, schema)
        self.regex = _regex(pattern)
        self.reason = schema.get("description") or f"does not match the pattern {pattern}"

    def judges(self, kind: type) -> bool:
        return self.regex is not None and issubclass(kind, (str, int, float))

    def errors(self, instance) -> Sequence[_Error]:
        if self.regex.search(instance if type(instance) is str else _text(instance)):
            return _NONE
        return [self.error(f"{_shown(instance)}: {self.reason}")]


class _Length(_Keyword):
    __slots__ = ("bound", "fails", "side")

    def __init__(self, name: str, bound, schema: dict) -> None:
        super().__init__(name, bound, schema)
        self.bound = bound
        self.fails, self.side = (lt, "at least") if name == "minLength" else (gt, "at most")

    def judges(self, kind: type) -> bool:
        return issubclass(kind, str)

    def errors(self, instance) -> Sequence[_Error]:
        if not self.fails(len(instance), self.bound):
            return _NONE
        return [
            self.error(f"{_shown(instance)} is {len(instance)} characters long; it must be {self.side} {self.bound}")
        ]


class _Count(_Keyword):
    """``minItems``, ``maxItems``, ``minProperties``, ``maxProperties``."""

    __slots__ = ("bound", "fails", "side", "container", "noun")

    def __init__(self, name: str, bound, schema: dict) -> None:
        super().__init__(name, bound, schema)
        self.bound = bound
        self.fails, self.side = (lt, "at least") if name.startswith("min") else (gt, "at most")
        self.container, self.noun = (dict, "keys") if name.endswith("Properties") else (list, "items")

    def judges(self, kind: type) -> bool:
        return issubclass(kind, self.container)

    def errors(self, instance) -> Sequence[_Error]:
        if not self.fails(len(instance), self.bound):
            return _NONE
        return [self.error(f"has {len(instance)} {self.noun}; it must have {self.side} {self.bound}")]


def _numeric(kind: type) -> bool:
    """Values of this type may be numbers (``_number``): numbers, and strings that read as one."""
    return issubclass(kind, (int, float, str)) and not issubclass(kind, bool)


_BOUNDS = {
    "minimum": (lt, "below the minimum"),
    "maximum": (gt, "above the maximum"),
    "exclusiveMinimum": (le, "not above"),
    "exclusiveMaximum": (ge, "not below"),
}
"""How a number fails each bound, and how the message says it."""


class _Bound(_Keyword):
    __slots__ = ("bound", "fails", "words")

    def __init__(self, name: str, bound, schema: dict) -> None:
        super().__init__(name, bound, schema)
        self.bound = bound if isinstance(bound, (int, float)) else None
        self.fails, self.words = _BOUNDS[name]

    def judges(self, kind: type) -> bool:
        return self.bound is not None and _numeric(kind)

    def errors(self, instance) -> Sequence[_Error]:
        number = _number(instance)
        if number is None or not self.fails(number, self.bound):
            return _NONE
        return [self.error(f"{_text(instance)} is {self.words} {_text(self.bound)}")]


class _MultipleOf(_Keyword):
    __slots__ = ("factor",)

    def __init__(self, name: str, factor, schema: dict) -> None:
        super().__init__(name, factor, schema)
        self.factor = factor

    def judges(self, kind: type) -> bool:
        return bool(self.factor) and _numeric(kind)

    def errors(self, instance) -> Sequence[_Error]:
        number, factor = _number(instance), self.factor
        if number is None or (number / factor) == int(number / factor):
            return _NONE
        return [self.error(f"{_text(instance)} is not a multiple of {_text(factor)}")]


class _AllOf(_Keyword):
    __slots__ = ("children",)

    def __init__(self, name: str, subschemas: list, schema: dict) -> None:
        super().__init__(name, subschemas, schema)
        self.children = [_compiled(subschema) for subschema in subschemas]

    def errors(self, instance) -> Sequence[_Error]:
        return [error for child in self.children for error in child.errors(instance)]

    def holds(self, instance) -> bool:
        return all(child.holds(instance) for child in self.children)


class _Alternatives(_Keyword):
    """``oneOf``/``anyOf``: fail only when no alternative can match, or (oneOf) two surely do."""

    __slots__ = ("subschemas", "children", "exactly_one", "names")

    def __init__(self, name: str, subschemas: list, schema: dict) -> None:
        super().__init__(name, subschemas, schema)
        self.subschemas = subschemas
        self.children = [_compiled(subschema) for subschema in subschemas]
        self.exactly_one = name == "oneOf"
        self.names = _required_sets(subschemas)

    def errors(self, instance) -> Sequence[_Error]:
        failures = []
        for child in self.children:
            errors = child.errors(instance)
            if not errors:
                break
            failures.append(errors)
        else:
            return self._none_matches(failures)
        if self.exactly_one and isinstance(instance, dict):
            matched = [s for s, child in zip(self.subschemas, self.children, strict=True) if child.holds(instance)]
            if len(matched) > 1:
                names = _required_sets(matched)
                what = " and ".join(names) if names else f"{len(matched)} of the allowed forms at once"
                return [self.error(f"sets {what}: only one of them may be set")]
        return _NONE

    def _none_matches(self, failures: list) -> Sequence[_Error]:
        if self.names and all(e.validator == "required" for errors in failures for e in errors):
            how = "exactly one" if self.exactly_one else "at least one"
            return [_Error(f"set {how} of {', '.join(self.names)}", "required")]
        # the alternative that comes closest says best what to change
        return min(failures, key=len) if failures else _NONE

    def holds(self, instance) -> bool:
        if not self.children:
            return True
        several = self.exactly_one and isinstance(instance, dict)  # one that surely matches twice fails
        matched = 0
        for child in self.children:
            if child.holds(instance):
                matched += 1
                if not several or matched > 1:
                    return not several
        return matched == 1


class _Not(_Keyword):
    __slots__ = ("child", "names")

    def __init__(self, name: str, subschema, schema: dict) -> None:
        super().__init__(name, subschema, schema)
        self.child = _compiled(subschema)
        self.names = _required_sets([subschema])

    def errors(self, instance) -> Sequence[_Error]:
        if not self.child.holds(instance):
            return _NONE
        return [
            self.error(f"must not set {self.names[0]}" if self.names else "has a form this property does not allow")
        ]

    def holds(self, instance) -> bool:
        return not self.child.holds(instance)


class _If(_Keyword):
    """``if``/``then``/``else``: ``then`` applies when the condition surely holds, ``else`` when
    it surely does not (it fails even with the unknown values passing)."""

    __slots__ = ("condition", "then", "otherwise")

    def __init__(self, name: str, condition, schema: dict) -> None:
        super().__init__(name, condition, schema)
        self.condition = _compiled(condition)
        self.then = _compiled(schema["then"]) if "then" in schema else None
        self.otherwise = _compiled(schema["else"]) if "else" in schema else None

    def _branch(self, instance) -> _Schema | _Constant | None:
        if self.condition.holds(instance):
            return self.then
        if self.otherwise is not None and self.condition.errors(instance):
            return self.otherwise
        return None

    def errors(self, instance) -> Sequence[_Error]:
        branch = self._branch(instance)
        return _NONE if branch is None else branch.errors(instance)

    def holds(self, instance) -> bool:
        branch = self._branch(instance)
        return branch is None or branch.holds(instance)


KEYWORDS: dict[str, Callable[[str, object, dict], _Keyword]] = {
    "type": _Type,
    "properties": _Properties,
    "patternProperties": _PatternProperties,
    "additionalProperties": _AdditionalProperties,
    "items": _Items,
    "required": _Required,
    "dependencies": _Dependencies,
    "enum": _Enum,
    "const": _Const,
    "pattern": _Pattern,
    "minLength": _Length,
    "maxLength": _Length,
    "minItems": _Count,
    "maxItems": _Count,
    "minProperties": _Count,
    "maxProperties": _Count,
    "minimum": _Bound,
    "maximum": _Bound,
    "exclusiveMinimum": _Bound,
    "exclusiveMaximum": _Bound,
    "multipleOf": _MultipleOf,
    "allOf": _AllOf,
    "oneOf": _Alternatives,
    "anyOf": _Alternatives,
    "not": _Not,
    "if": _If,
}
"""The keywords enforced; the others (format, uniqueItems, default…) describe rather than restrict."""


def _required_sets(subschemas) -> list[str]:
    """The property names each alternative requires, when that is all the alternatives say."""
    names = []
    for subschema in subschemas:
        required = subschema.get("required") if isinstance(subschema, dict) else None
        if not required or set(subschema) - {"required", "type", "properties", "description"}:
            return []
        names.append(" and ".join(required))
    return names


def _directive(mapping: dict) -> bool:
    """A preprocessor directive (``Rain::Embed: file``) that a packaging tool replaces before deploy."""
    return len(mapping) == 1 and str(next(iter(mapping))).startswith("Rain::")


@cache
def _regex(pattern: str) -> re.Pattern | None:
    """The pattern, or None when it is written for another regex dialect (Java's ``\\p{L}``…).

    A nested set (``[[A-Z]_]``) is a union in Java but, for Python, a ``[`` in a class followed by
    literals: Python warns and would test something else, so the pattern is not used."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        try:
            return re.compile(pattern)
        except (re.error, TypeError, FutureWarning):
            return None
