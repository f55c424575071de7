"""A resource's Properties checked against its type's schema, once per resource and scenario.

The Properties are resolved (parameters, mappings, ``Fn::If`` branches, ``AWS::NoValue``) and
each alternative is validated with :mod:`cfncheck.schemas.validation`, in the scenario that
selects it. The problems of every kind are computed together and kept for the template (``Analysis.memo``), so
the checks that report them (unknown property, missing property, bad value, read-only
property) share one validation.
"""

from __future__ import annotations

from typing import NamedTuple

from cfncheck.analysis.other_tools import is_tool_syntax, packaged_paths, tool_uses
from cfncheck.context import Context
from cfncheck.loader import PACKAGE_MODULES
from cfncheck.nodes import Mark
from cfncheck.template import SAM_TRANSFORM, Resource, Template
from cfncheck.values import ABSENT, Reference, Scenario, Unknown

from . import CUSTOM_RESOURCE, resource_schema
from .validation import REQUIRED, UNKNOWN_PROPERTY, VALUE, describe, locate, reference_kind, validate

READ_ONLY = "read-only"
KNOWN_TRANSFORMS = {SAM_TRANSFORM, "AWS::LanguageExtensions"}
__all__ = ["READ_ONLY", "REQUIRED", "UNKNOWN_PROPERTY", "VALUE", "Violation", "violations"]


class Violation(NamedTuple):
    kind: str
    path: tuple  # relative to the resource: ("Properties", ...)
    message: str
    scenario: Scenario
    mark: Mark | None  # where the offending value was written, when the resolved value knows


def violations(ctx: Context, resource: Resource) -> list[Violation]:
    """Every schema violation of the resource's Properties; none for types without a schema
    and for templates whose macros rewrite resources before CloudFormation reads them."""
    return ctx.analysis.memo((violations, resource.logical_id), lambda: _violations(ctx, resource))


def _violations(ctx: Context, resource: Resource) -> list[Violation]:
    template = ctx.template
    schema = resource_schema(resource.type)
    if schema is None or resource.type == CUSTOM_RESOURCE or not set(template.transforms) <= KNOWN_TRANSFORMS:
        return []
    token = reference_kind.set(lambda reference: _reference_kind(template, reference))
    module = any(use.tool == PACKAGE_MODULES for use in tool_uses(template))  # the parent may add properties
    try:
        result: list[Violation] = []
        for alt in ctx.values(resource, "Properties"):
            properties = {} if alt.value is ABSENT else alt.value
            if isinstance(properties, Unknown):
                continue
            if not isinstance(properties, dict):
                result.append(Violation(VALUE, ("Properties",), "Properties must be a mapping", alt.scenario, None))
                continue
            for kind, path, message in validate(properties, schema.schema):
                if _another_tools(properties, path, _packaged(template, resource)) or module and kind == REQUIRED:
                    continue
                if kind == UNKNOWN_PROPERTY and len(path) == 1 and path[0] in schema.read_only:
                    kind = READ_ONLY
                where = _mark(resource, properties, path)
                text = _message(resource, kind, path, message)
                if kind == VALUE:
                    text = _parameter_note(ctx, resource, path, text, alt.scenario)
                result.append(Violation(kind, ("Properties",) + path, text, alt.scenario, where))
        return result
    finally:
        reference_kind.reset(token)


def _packaged(template: Template, resource: Resource) -> list[tuple]:
    """The resource's properties ``aws cloudformation package`` uploads, relative to Properties."""
    return [path[3:] for path in packaged_paths(template) if path[1] == resource.logical_id]


def _another_tools(properties: dict, path: tuple, packaged: list[tuple]) -> bool:
    """The violation is about a value another tool replaces (a rain directive, a Serverless
    Framework variable, a local path ``aws cloudformation package`` uploads): not CloudFormation's."""
    if any(path[: len(local)] == local for local in packaged):
        return True
    node = properties
    for key in path:
        if is_tool_syntax(node):
            return True
        child = _child(node, key)
        if child is _MISSING:  # a required key: another tool may write it beside its directive
            return isinstance(node, dict) and any(is_tool_syntax({k: v}) for k, v in node.items())
        node = child
    return is_tool_syntax(node)


_MISSING = object()


def _child(node, key):
    """``node[key]`` for a key of a mapping or an index of a list, else ``_MISSING``."""
    if isinstance(node, dict) and key in node or isinstance(node, list) and isinstance(key, int) and key < len(node):
        return node[key]
    return _MISSING


def _message(resource: Resource, kind: str, path: tuple, message: str) -> str:
    if kind == READ_ONLY:
        name = path[0]
        return (
            f"{name} is read-only: {resource.type} sets it, and CloudFormation ignores the value written here. "
            f"Remove it (read it with !GetAtt {resource.logical_id}.{name})."
        )
    if kind in (UNKNOWN_PROPERTY, REQUIRED) and path and " here" in message:
        parent = describe(path[:-1])
        if parent:
            return f"{parent}: {message.replace(' here', '', 1)}"
        return message.replace(
            " here", f" of {resource.type}" if kind == UNKNOWN_PROPERTY else f" by {resource.type}", 1
        )
    return f"{describe(path) or 'Properties'}: {message}"


def _parameter_note(ctx: Context, resource: Resource, path: tuple, text: str, scenario: Scenario) -> str:
    """A bad value that is a parameter's Default is a placeholder the user is meant to replace,
    and says so; one that the scenario's conditions force on the parameter says that."""
    parameter = _parameter_at(ctx, resource, path)
    if parameter is None:
        return text
    origin = ctx.resolver.parameter_origin(parameter, scenario)
    if origin == "default":
        return (
            f"{text.rstrip('.')}; it is the Default of parameter {parameter}: pass a valid value for it, or correct "
            "the Default."
        )
    if origin == "condition":
        return (
            f"{text.rstrip('.')}; it is the only value parameter {parameter} can have when {scenario}: correct the "
            "Condition or the property."
        )
    return text


def _parameter_at(ctx: Context, resource: Resource, path: tuple) -> str | None:
    """The parameter the value at ``path`` is, written as a plain Ref to it."""
    node = resource.properties
    for key in path:
        node = _child(node, key)
        if node is _MISSING:
            return None
    name = node.get("Ref") if isinstance(node, dict) and len(node) == 1 else None
    return name if isinstance(name, str) and name in ctx.template.parameters else None


def _mark(resource: Resource, properties: dict, path: tuple) -> Mark | None:
    """The mark of the offending node if it was written inside the resource; a value that came
    from a parameter or a mapping is reported at the property instead (``None``)."""
    mark = locate(properties, path)
    region = resource.node.mark
    if mark is None or not region.line <= mark.line <= region.end_line or mark.line < properties_line(resource):
        return None
    return mark


def properties_line(resource: Resource) -> int:
    marks = getattr(resource.node, "key_marks", {})
    return marks["Properties"].line if "Properties" in marks else resource.node.mark.line


def _reference_kind(template: Template, reference: Reference) -> str | None:
    target = template.resources.get(reference.target)
    if target is None:
        return None
    if reference.attribute is None:
        return "string"
    schema = resource_schema(target.type)
    return schema.attribute_kind(reference.attribute) if schema is not None else None
