"""Validating resolved values against a JSON schema, the way CloudFormation reads them.

The validator is jsonschema's, with keyword functions that know two things plain JSON schema
does not. CloudFormation converts scalars: ``"30"`` is a fine integer, ``true`` a fine string.
And a resolved value may not be known: an ``Unknown`` passes every keyword, a ``Ref`` to a
resource is only known to be a string, a ``GetAtt`` only to be of its attribute's type. So that
an unknown value never causes a finding through a negation (``not``, the ``if`` of a
conditional, a ``oneOf`` matched twice), those are decided with a second, strict validator in
which every unknown value fails: a conditional applies only when its ``if`` holds for sure.

The keyword functions follow jsonschema's protocol (``validator.descend``, errors with a
``path`` and the ``validator`` keyword that failed), but are driven by the small
:class:`_Validator` below: every ``$ref`` is inlined beforehand, so jsonschema's reference
resolution, which it redoes on each step down, was most of the validation time.
"""

from __future__ import annotations

import math
import re
import warnings
from collections import deque
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from functools import cache
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


_UNSET = object()


class ValidationError(Exception):
    """One problem: its message, the keyword that found it, and the path from the validated
    value down to the offending key or value."""

    def __init__(self, message: str, validator=_UNSET, path=()) -> None:
        super().__init__(message)
        self.message = message
        self.validator = validator
        self.path = deque(path)

    @property
    def absolute_path(self) -> deque:
        return self.path


class Problem(NamedTuple):
    kind: str
    path: tuple  # from the validated value to the offending key or value
    message: str


def validate(instance, schema: dict) -> list[Problem]:
    """Every problem of ``instance`` against ``schema``, unknown values passing."""
    problems, patterned = [], set()
    for error in _lenient(schema).iter_errors(instance):
        path = tuple(error.absolute_path)
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


def _fully_known(value) -> bool:
    if isinstance(value, _OPAQUE):
        return False
    if isinstance(value, dict):
        return all(_fully_known(v) for v in value.values())
    if isinstance(value, list):
        return all(_fully_known(v) for v in value)
    return True


# -- keywords ---------------------------------------------------------------------------------


def _type(validator, kinds, instance, schema):
    kinds = [kinds] if isinstance(kinds, str) else kinds
    if isinstance(instance, _OPAQUE):
        kind = None
        if isinstance(instance, AZ):
            kind = "string"
        elif isinstance(instance, Reference):
            kind = "string" if instance.attribute is None else reference_kind.get()(instance)
        # a string from a reference may well read as a number or a boolean: only its shape is known
        if kind is not None and not any(
            k == kind or (kind == "string" and k in ("integer", "number", "boolean")) for k in kinds
        ):
            yield ValidationError(
                f"must be {' or '.join(_NOUNS.get(k, k) for k in kinds)}; {instance} gives {_NOUNS[kind]}"
            )
        return
    if instance is None or any(_kind_fits(instance, k) for k in kinds):
        return
    yield ValidationError(f"must be {' or '.join(_NOUNS.get(k, k) for k in kinds)}, not {_of_kind(instance)}")


def _properties(validator, properties, instance, schema):
    if isinstance(instance, dict):
        for name, subschema in properties.items():
            if name in instance:
                yield from validator.descend(instance[name], subschema, path=name, schema_path=name)


def _pattern_properties(validator, patterns, instance, schema):
    if isinstance(instance, dict):
        for pattern, subschema in patterns.items():
            compiled = _regex(pattern)
            for name, value in instance.items():
                if compiled is not None and compiled.search(name):
                    yield from validator.descend(value, subschema, path=name, schema_path=pattern)


def _additional_properties(validator, allowed, instance, schema):
    if not isinstance(instance, dict):
        return
    names = schema.get("properties", {})
    patterns = [p for p in (_regex(p) for p in schema.get("patternProperties", {})) if p is not None]
    for name, value in instance.items():
        if name in names or any(p.search(name) for p in patterns):
            continue
        if allowed is False:
            hint = closest_name(name, names) if isinstance(name, str) else None
            if hint:
                suggestion = f"; did you mean {hint}?"
            elif not names:
                suggestion = "; it takes no properties"
            else:
                suggestion = f" (valid: {', '.join(sorted(names))})" if len(names) <= 12 else ""
            yield ValidationError(f"{name} is not a property here{suggestion}", path=[name])
        elif isinstance(allowed, dict):
            yield from validator.descend(value, allowed, path=name)


def _items(validator, items, instance, schema):
    if not isinstance(instance, list):
        return
    if isinstance(items, dict):
        for index, item in enumerate(instance):
            yield from validator.descend(item, items, path=index)
    else:
        for index, (item, subschema) in enumerate(zip(instance, items, strict=False)):
            yield from validator.descend(item, subschema, path=index, schema_path=index)


def _required(validator, required, instance, schema):
    if isinstance(instance, dict):
        for name in required:
            if name not in instance:
                yield ValidationError(f"{name} is required here: set it", path=[name])


def _dependencies(validator, dependencies, instance, schema):
    if not isinstance(instance, dict):
        return
    for name, dependency in dependencies.items():
        if name not in instance:
            continue
        if isinstance(dependency, list):
            for other in dependency:
                if other not in instance:
                    yield ValidationError(f"{name} is set, so {other} must be set too", path=[other])
        else:
            yield from validator.descend(instance, dependency, schema_path=name)


def _enum(validator, values, instance, schema):
    if instance is None or any(_same(instance, v) for v in values):
        return
    shown = ", ".join(_text(v) for v in values[:12]) + (", …" if len(values) > 12 else "")
    hint = closest_name(instance, [v for v in values if isinstance(v, str)]) if isinstance(instance, str) else None
    suggestion = f" Did you mean {hint}?" if hint else ""
    yield ValidationError(f"{_shown(instance)} is not one of the allowed values ({shown}).{suggestion}")


def _const(validator, value, instance, schema):
    if instance is not None and not _same(instance, value):
        yield ValidationError(schema.get("description") or f"must be {_text(value)}, not {_shown(instance)}")


def _pattern(validator, pattern, instance, schema):
    compiled = _regex(pattern)
    if compiled is not None and isinstance(instance, (str, int, float)) and not compiled.search(_text(instance)):
        reason = schema.get("description") or f"does not match the pattern {pattern}"
        yield ValidationError(f"{_shown(instance)}: {reason}")


def _length(limit: str) -> Callable:
    def keyword(validator, bound, instance, schema):
        if not isinstance(instance, str):
            return
        if (limit == "minLength" and len(instance) < bound) or (limit == "maxLength" and len(instance) > bound):
            side = "at least" if limit == "minLength" else "at most"
            yield ValidationError(f"{_shown(instance)} is {len(instance)} characters long; it must be {side} {bound}")

    return keyword


def _count(limit: str) -> Callable:
    kind, side = ("items", "at least") if limit == "minItems" else ("items", "at most")
    if limit in ("minProperties", "maxProperties"):
        kind = "keys"
        side = "at least" if limit == "minProperties" else "at most"
    container = dict if kind == "keys" else list

    def keyword(validator, bound, instance, schema):
        if not isinstance(instance, container):
            return
        if (side == "at least" and len(instance) < bound) or (side == "at most" and len(instance) > bound):
            yield ValidationError(f"has {len(instance)} {kind}; it must have {side} {bound}")

    return keyword


def _bound(limit: str) -> Callable:
    def keyword(validator, bound, instance, schema):
        number = _number(instance) if not isinstance(instance, (dict, list)) else None
        if number is None or not isinstance(bound, (int, float)):
            return
        failed = {
            "minimum": number < bound,
            "maximum": number > bound,
            "exclusiveMinimum": number <= bound,
            "exclusiveMaximum": number >= bound,
        }[limit]
        if failed:
            words = {
                "minimum": "below the minimum",
                "maximum": "above the maximum",
                "exclusiveMinimum": "not above",
                "exclusiveMaximum": "not below",
            }
            yield ValidationError(f"{_text(instance)} is {words[limit]} {_text(bound)}")

    return keyword


def _multiple_of(validator, factor, instance, schema):
    number = _number(instance) if not isinstance(instance, (dict, list)) else None
    if number is not None and factor and (number / factor) != int(number / factor):
        yield ValidationError(f"{_text(instance)} is not a multiple of {_text(factor)}")


def _all_of(validator, subschemas, instance, schema):
    for index, subschema in enumerate(subschemas):
        yield from validator.descend(instance, subschema, schema_path=index)


def _alternatives(validator, subschemas, instance, exactly_one: bool):
    """``oneOf``/``anyOf``: fail only when no alternative can match, or (oneOf) two surely do."""
    failures = []
    for index, subschema in enumerate(subschemas):
        errors = list(validator.descend(instance, subschema, schema_path=index))
        if not errors:
            break
        failures.append((subschema, errors))
    else:
        yield from _no_alternative(subschemas, failures, exactly_one)
        return
    if exactly_one and isinstance(instance, dict):
        matched = [s for s in subschemas if _strict(s).is_valid(instance)]
        if len(matched) > 1:
            names = _required_sets(matched)
            what = " and ".join(names) if names else f"{len(matched)} of the allowed forms at once"
            yield ValidationError(f"sets {what}: only one of them may be set")


def _no_alternative(subschemas, failures, exactly_one: bool):
    names = _required_sets(subschemas)
    if names and all(e.validator == "required" for _, errors in failures for e in errors):
        how = "exactly one" if exactly_one else "at least one"
        yield ValidationError(f"set {how} of {', '.join(names)}", validator="required")
        return
    if failures:  # the alternative that comes closest says best what to change
        yield from min(failures, key=lambda failure: len(failure[1]))[1]


def _required_sets(subschemas) -> list[str]:
    """The property names each alternative requires, when that is all the alternatives say."""
    names = []
    for subschema in subschemas:
        required = subschema.get("required") if isinstance(subschema, dict) else None
        if not required or set(subschema) - {"required", "type", "properties", "description"}:
            return []
        names.append(" and ".join(required))
    return names


def _one_of(validator, subschemas, instance, schema):
    yield from _alternatives(validator, subschemas, instance, True)


def _any_of(validator, subschemas, instance, schema):
    yield from _alternatives(validator, subschemas, instance, False)


def _not(validator, subschema, instance, schema):
    if _strict(subschema).is_valid(instance):
        names = _required_sets([subschema])
        yield ValidationError(f"must not set {names[0]}" if names else "has a form this property does not allow")


def _if(validator, condition, instance, schema):
    if _strict(condition).is_valid(instance):
        if "then" in schema:
            yield from validator.descend(instance, schema["then"], schema_path="then")
    elif "else" in schema and not _lenient(condition).is_valid(instance):
        yield from validator.descend(instance, schema["else"], schema_path="else")


KEYWORDS: dict[str, Callable] = {
    "type": _type,
    "properties": _properties,
    "patternProperties": _pattern_properties,
    "additionalProperties": _additional_properties,
    "items": _items,
    "required": _required,
    "dependencies": _dependencies,
    "enum": _enum,
    "const": _const,
    "pattern": _pattern,
    "minLength": _length("minLength"),
    "maxLength": _length("maxLength"),
    "minItems": _count("minItems"),
    "maxItems": _count("maxItems"),
    "minProperties": _count("minProperties"),
    "maxProperties": _count("maxProperties"),
    "minimum": _bound("minimum"),
    "maximum": _bound("maximum"),
    "exclusiveMinimum": _bound("exclusiveMinimum"),
    "exclusiveMaximum": _bound("exclusiveMaximum"),
    "multipleOf": _multiple_of,
    "allOf": _all_of,
    "oneOf": _one_of,
    "anyOf": _any_of,
    "not": _not,
    "if": _if,
}
"""The keywords enforced; the others (format, uniqueItems, default…) describe rather than restrict."""


def _strictly(function: Callable) -> Callable:
    def keyword(validator, value, instance, schema):
        if isinstance(instance, _OPAQUE):
            yield ValidationError("is not known")
        else:
            yield from function(validator, value, instance, schema)

    return keyword


def _directive(instance) -> bool:
    """A preprocessor directive (``Rain::Embed: file``) that a packaging tool replaces before deploy."""
    return isinstance(instance, dict) and len(instance) == 1 and str(next(iter(instance))).startswith("Rain::")


def _lenient_keywords() -> dict[str, Callable]:
    def lenient(function: Callable) -> Callable:
        def keyword(validator, value, instance, schema):
            if not isinstance(instance, _OPAQUE) and not _directive(instance):
                yield from function(validator, value, instance, schema)

        return keyword

    def typed(validator, value, instance, schema):
        if not _directive(instance):
            yield from _type(validator, value, instance, schema)

    return {name: (typed if name == "type" else lenient(function)) for name, function in KEYWORDS.items()}


class _Validator:
    """Draft 7 validation of one schema with the given keyword functions, as jsonschema runs them
    (keywords in schema order, unknown keywords ignored, ``true``/``false`` schemas)."""

    keywords: dict[str, Callable] = {}

    def __init__(self, schema) -> None:
        self.schema = schema

    def iter_errors(self, instance) -> Iterator[ValidationError]:
        return self.descend(instance, self.schema)

    def is_valid(self, instance) -> bool:
        return next(self.iter_errors(instance), None) is None

    def descend(self, instance, schema, path=None, schema_path=None) -> Iterator[ValidationError]:
        if schema is True:
            return
        if schema is False:
            yield ValidationError(f"False schema does not allow {instance!r}", validator=None)
            return
        keywords = self.keywords
        for name, value in schema.items():
            function = keywords.get(name)
            if function is None:
                continue
            for error in function(self, value, instance, schema) or ():
                if error.validator is _UNSET:
                    error.validator = name
                if path is not None:
                    error.path.appendleft(path)
                yield error


class Lenient(_Validator):
    keywords = _lenient_keywords()


class Strict(_Validator):
    keywords = {k: _strictly(f) for k, f in KEYWORDS.items()}


def _lenient(schema: dict):
    return _validator(Lenient, id(schema), schema)


def _strict(schema: dict):
    return _validator(Strict, id(schema), schema)


_VALIDATORS: dict[tuple, object] = {}


def _validator(cls, key: int, schema: dict):
    """One compiled validator per schema object (schemas live as long as the cached type)."""
    found = _VALIDATORS.get((cls, key))
    if found is None or found.schema is not schema:
        found = _VALIDATORS[(cls, key)] = cls(schema)
    return found


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
