"""The template document's own declarations: Parameters and Outputs against ``template.json``,
and each parameter's Default and AllowedValues against its declaration."""

from __future__ import annotations

import json
import re
from functools import cache

from cfncheck.analysis.other_tools import expanded_elsewhere
from cfncheck.template import Parameter, Template
from cfncheck.values import ALWAYS, as_number

from . import HERE, _inline_refs
from .properties import Violation
from .validation import REQUIRED, UNKNOWN_PROPERTY, describe, validate


@cache
def template_schema() -> dict:
    schema = json.loads((HERE / "template.json").read_text(encoding="utf-8"))
    _inline_refs(schema)
    return schema


def document_violations(template: Template) -> list[Violation]:
    """Problems of the Parameters and Outputs declarations, with paths from the template root."""
    root = template.root
    sections = {name: root[name] for name in ("Parameters", "Outputs") if isinstance(root.get(name), dict)}
    # a module's parameters (rain, `aws cloudformation package`) are filled in by the tool, which
    # takes types CloudFormation does not (Object, Boolean): CloudFormation never reads them
    tool_parameters = expanded_elsewhere(template)
    result = []
    for kind, path, message in validate(sections, template_schema()):
        if tool_parameters and path[:1] == ("Parameters",) and path[2:3] == ("Type",):
            continue
        if kind in (UNKNOWN_PROPERTY, REQUIRED) and " here" in message:
            message = f"{describe(path[:-1])}: {message.replace(' here', '', 1)}"
        else:
            message = f"{describe(path)}: {message}"
        result.append(Violation(kind, path, message, ALWAYS, None))
    return result


def default_problems(parameter: Parameter) -> list[tuple[tuple, str]]:
    """(path under the parameter, message) for a Default or AllowedValues entry its own
    declaration refuses: CloudFormation rejects the stack when the value is used."""
    node = parameter.node
    result: list[tuple[tuple, str]] = []
    low, high = node.get("MinValue"), node.get("MaxValue")
    short, long = node.get("MinLength"), node.get("MaxLength")
    for lower, upper, names in ((low, high, "MinValue/MaxValue"), (short, long, "MinLength/MaxLength")):
        if as_number(lower) is not None and as_number(upper) is not None and as_number(lower) > as_number(upper):
            result.append(((names.split("/")[0],), f"{names}: the minimum {lower} is above the maximum {upper}"))
    allowed = parameter.allowed_values
    candidates = [(("AllowedValues", i), v) for i, v in enumerate(allowed or ()) if isinstance(v, (str, int, float))]
    if parameter.has_default and isinstance(parameter.default, (str, int, float, list)) and not parameter.from_ssm:
        defaults = parameter.default if isinstance(parameter.default, list) else [parameter.default]
        if parameter.is_list and isinstance(parameter.default, str):
            defaults = [item.strip() for item in parameter.default.split(",")] if parameter.default else []
        candidates += [(("Default",), v) for v in defaults]
        if allowed is not None:
            # a list parameter's AllowedValues apply to each of its items
            for value in defaults if parameter.is_list else [parameter.default]:
                if not any(_same(value, option) for option in allowed):
                    item = " item" if parameter.is_list else ""
                    result.append((("Default",), f"Default{item} {value!r} is not one of its AllowedValues"))
    numeric = parameter.type in ("Number", "List<Number>")
    for path, value in candidates:
        text = _text(value)
        what = f"{path[0]} {text!r}"
        if numeric and as_number(value) is None:
            result.append((path, f"{what} is not a number, but the parameter's Type is {parameter.type}"))
            continue
        if numeric:
            number = as_number(value)
            if as_number(low) is not None and number < as_number(low):
                result.append((path, f"{what} is below MinValue {low}"))
            if as_number(high) is not None and number > as_number(high):
                result.append((path, f"{what} is above MaxValue {high}"))
            continue
        pattern = node.get("AllowedPattern")
        compiled = compiled_pattern(pattern) if isinstance(pattern, str) else None
        if compiled is not None and not compiled.fullmatch(text):
            result.append((path, f"{what} does not match AllowedPattern {pattern}"))
        if as_number(short) is not None and len(text) < as_number(short):
            result.append((path, f"{what} is shorter than MinLength {short}"))
        if as_number(long) is not None and len(text) > as_number(long):
            result.append((path, f"{what} is longer than MaxLength {long}"))
    return result


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _same(value, other) -> bool:
    return _text(value) == _text(other)


@cache
def compiled_pattern(pattern: str) -> re.Pattern | None:
    """A parameter's AllowedPattern compiled, or None when Python cannot read it (not judged)."""
    try:
        return re.compile(pattern)
    except re.error:
        return None
