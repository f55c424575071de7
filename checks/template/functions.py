"""Intrinsic functions as CloudFormation validates them: names, arguments, and where they may be written.

The signatures are data in ``cfncheck.functions``; these checks walk the resources and outputs
as written (SAM ``Globals`` merged, ``Fn::ForEach`` copies expanded) and judge each call once.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from cfncheck.api import ERROR, PSEUDO_PARAMETERS, WARNING, check
from cfncheck.functions import argument_problems, function_name, unknown_name, written_for_package
from cfncheck.nodes import derived

from . import expanded_elsewhere as _expanded_elsewhere

PROPERTY_SECTIONS = ("Properties", "Metadata", "CreationPolicy", "UpdatePolicy")
"""The parts of a resource whose values may call functions."""
LITERAL_ATTRIBUTES = ("Type", "DependsOn", "Condition")
"""The parts of a resource CloudFormation reads before it evaluates any function."""


def _places(template) -> Iterator[tuple[object, tuple, object]]:
    """(resource or None, path relative to it, node) for each value where functions are evaluated."""
    # by logical id: a Globals value merged into several functions is reported on the first, whatever the order
    for resource in sorted(template.resources.values(), key=lambda r: r.logical_id):
        for section in PROPERTY_SECTIONS:
            if section in resource.node:
                yield resource, (section,), resource.node[section]
    for name, output in template.outputs.items():
        for key, value in output.node.items():
            if key != "Condition":
                yield None, ("Outputs", name, key), value


def expanded_elsewhere(template) -> bool:
    """Another macro or tool rewrites the template (``aws cloudformation package`` modules among them)."""
    return derived(
        template.root,
        "expanded elsewhere",
        lambda: _expanded_elsewhere(template) or written_for_package(name for _, _, name, _ in _calls(template)),
    )


Call = tuple[object, tuple, str, object]
"""(resource or None, path, function name, arguments)."""


def _calls(template) -> list[Call]:
    """Each call in resources and outputs, once per place (all the CFN04x checks read them)."""
    return derived(template.root, "function calls", lambda: _find_calls(template))


def _find_calls(template) -> list[Call]:
    calls: list[Call] = []
    seen: set = set()
    for resource, base, node in _places(template):
        _visit(node, base, resource, (), seen, calls)
    return calls


def _visit(node, path: tuple, resource, enclosing: tuple, seen: set, calls: list[Call]) -> None:
    """``enclosing`` holds the marks of the calls ``node`` is an argument of."""
    name = function_name(node)
    if name is not None:
        mark = getattr(node, "mark", None)
        if mark is not None:
            # a short-form tag and the mapping it tags share a mark: `!Length {Fn::Length: …}` is two calls
            key = (name, mark, enclosing.count(mark))
            if key in seen:  # a copy of an Fn::ForEach body, or a SAM Globals value merged into several resources
                return _descend(node, path, resource, enclosing + (mark,), seen, calls)
            seen.add(key)
        calls.append((resource, path, name, node[name]))
        enclosing = enclosing + (mark,)
    _descend(node, path, resource, enclosing, seen, calls)


def _descend(node, path: tuple, resource, enclosing: tuple, seen: set, calls: list[Call]) -> None:
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        if isinstance(value, (dict, list)):  # a scalar calls nothing: not worth a call
            _visit(value, path + (key,), resource, enclosing, seen, calls)


@check(
    "CFN040",
    "cfn-intrinsic-function-unknown",
    ERROR,
    fix="Correct the function's name (Fn::Join, Fn::Sub, Fn::Select…), or declare the transform it needs.",
    example="Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n"
    '      TopicName: {"Fn::Joinn": ["-", [orders, topic]]}',
    deploy_failure=True,
)
def intrinsic_function_unknown(ctx):
    """A one-key mapping whose key starts with ``Fn::`` is a function call, and CloudFormation
    knows only its own functions: "Template format error: Encountered unsupported function:
    Fn::Joinn". ``Fn::Length`` and ``Fn::ToJsonString`` exist only with
    ``Transform: AWS::LanguageExtensions``; the Rules functions (``Fn::Contains``…) only in Rules.
    Templates that another macro or tool rewrites are not judged. Source: the CloudFormation
    intrinsic function reference."""
    template = ctx.template
    if expanded_elsewhere(template):
        return
    transforms = set(template.transforms)
    for resource, path, name, _ in _calls(template):
        problem = unknown_name(name, transforms)
        if problem:
            yield ctx.finding(resource, path, problem)


@check(
    "CFN041",
    "cfn-intrinsic-function-arguments-invalid",
    ERROR,
    fix="Give the function the arguments its reference page lists, in that order and of those kinds.",
    example="Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n"
    "      TopicName: !Select [a, [one, two]]",
    deploy_failure=True,
)
def intrinsic_function_arguments_invalid(ctx):
    """A function called with arguments of the wrong number or kind: ``Fn::Select`` with an index
    that is not an integer or past the end of a literal list, ``Fn::Join`` without a delimiter and
    a list, ``Fn::If`` without exactly a condition name and two values, ``Fn::Sub`` whose variables
    are not a mapping, ``Fn::FindInMap`` without three keys, ``Fn::GetAZs``, ``Fn::Base64`` or
    ``Fn::ImportValue`` of a list or null, ``Fn::Cidr`` outside its ranges, ``Fn::GetStackOutput``
    without StackName and OutputName. CloudFormation rejects the template ("Template error: every
    Fn::Join object requires two parameters…"). An argument computed by another function is
    accepted when that function can return the kind asked for. Source: the intrinsic function
    reference, one page per function."""
    template = ctx.template
    if expanded_elsewhere(template):
        return
    transforms = set(template.transforms)
    for resource, path, name, args in _calls(template):
        if unknown_name(name, transforms):
            continue
        for problem in dict.fromkeys(argument_problems(name, args, transforms)):
            yield ctx.finding(resource, path, f"{name}: {problem}.")


@check(
    "CFN042",
    "cfn-intrinsic-function-not-allowed",
    ERROR,
    fix="Write the value literally (DependsOn, Condition and Type take names, not functions); use Fn::If "
    "with a named condition in properties.",
    example="Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n    DependsOn: !Ref Topic\n"
    "  Topic:\n    Type: AWS::SNS::Topic",
    deploy_failure=True,
)
def intrinsic_function_not_allowed(ctx):
    """Some parts of a template are read before any function is evaluated, and take only literal
    names: a resource's ``Type``, ``DependsOn`` and ``Condition``, an output's ``Condition``.
    The condition functions (``Fn::Equals``, ``Fn::And``, ``Fn::Or``, ``Fn::Not``) belong in the
    Conditions section: in a property only ``Fn::If`` chooses by a condition. CloudFormation
    rejects the template otherwise. Source: the resource attribute reference (DependsOn,
    Condition) and the condition functions page."""
    template = ctx.template
    if expanded_elsewhere(template):
        return
    for resource in template.resources.values():
        for key in LITERAL_ATTRIBUTES:
            value = resource.node.get(key)
            items = value if key == "DependsOn" and isinstance(value, list) else [value]
            for index, item in enumerate(items):
                name = function_name(item)
                if name is not None:
                    where = (key, index) if items is value else (key,)
                    yield ctx.finding(
                        resource, where, f"{key} takes a literal name, not {name}: CloudFormation reads it first."
                    )
    for name, output in template.outputs.items():
        function = function_name(output.node.get("Condition"))
        if function is not None:
            yield ctx.finding(
                None, ("Outputs", name, "Condition"), f"An output's Condition takes a condition's name, not {function}."
            )
    for resource, path, name, _ in _calls(template):
        if name in ("Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not"):
            yield ctx.finding(
                resource,
                path,
                f"{name} can only be used in the Conditions section: define a condition with it and choose "
                "the value with Fn::If.",
            )


_VARIABLE = re.compile(r"\$\{([^}!][^}]*)\}")


VALUE_ARGUMENTS = {"Fn::If": (1, 2), "Fn::Join": (1,), "Fn::Select": (1,)}
"""The arguments that are values used as written (the others are names, keys or delimiters)."""
INNER_TEMPLATES = frozenset({"TemplateBody"})
"""Properties that hold another template as text: its ``${…}`` belong to that template's Fn::Sub."""


def _plain_strings(node, path: tuple = ()) -> Iterator[tuple[tuple, str]]:
    """Every string under ``node`` that no Fn::Sub substitutes (the text of an Fn::Sub is skipped;
    its variable map is not: those values are used as written), outside inner templates."""
    if path and path[-1] in INNER_TEMPLATES:
        return
    if isinstance(node, str):
        yield path, node
    elif function_name(node) is not None:
        name = function_name(node)
        args = node[name]
        if name == "Fn::Sub" and isinstance(args, list) and len(args) == 2:
            yield from _plain_strings(args[1], path + (name, 1))
        elif name in VALUE_ARGUMENTS and isinstance(args, list):
            for index in VALUE_ARGUMENTS[name]:
                if index < len(args):
                    yield from _plain_strings(args[index], path + (name, index))
        elif name in ("Fn::Base64", "Fn::ToJsonString"):
            yield from _plain_strings(args, path + (name,))
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _plain_strings(value, path + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _plain_strings(value, path + (index,))


def _substituted_names(resource) -> set[str]:
    """Names a resource substitutes itself: a state machine's DefinitionSubstitutions."""
    substitutions = resource.properties.get("DefinitionSubstitutions") if resource is not None else None
    return set(substitutions) if isinstance(substitutions, dict) else set()


@check(
    "CFN043",
    "cfn-variable-outside-sub",
    WARNING,
    fix="Wrap the string in Fn::Sub (!Sub), or use Ref / Fn::GetAtt; write ${!Name} for a literal ${Name}.",
    example="Parameters:\n  AmiId:\n    Type: AWS::EC2::Image::Id\nResources:\n  Host:\n"
    '    Type: AWS::EC2::Instance\n    Properties:\n      ImageId: "${AmiId}"',
)
def variable_outside_sub(ctx):
    """``${Name}`` naming a parameter, a resource (``${Name.Attribute}``) or a pseudo parameter in a
    string that no ``Fn::Sub`` reads is passed to the service as those characters: the bucket is
    named ``${Env}-logs``, the instance asks for the image ``${AmiId}``. Only ``Fn::Sub`` replaces
    variables. Where the service checks the value's form (an image id, an ARN) the deployment
    fails too. Names a state machine substitutes itself (DefinitionSubstitutions) pass."""
    template = ctx.template
    if not template.may_contain("${") or expanded_elsewhere(template):
        return
    names = set(template.parameters) | set(template.resources) | PSEUDO_PARAMETERS
    seen = set()
    for resource, base, node in _places(template):
        own = _substituted_names(resource)
        for path, item in _plain_strings(node, base):
            if "${" not in item:
                continue
            found = [
                m.group(1).strip()
                for m in _VARIABLE.finditer(item)
                if m.group(1).strip() not in own
                and (m.group(1).strip() in names or m.group(1).strip().split(".", 1)[0] in template.resources)
            ]
            if not found:
                continue
            location = ctx.finding(resource, path, "")
            if (location.line, location.column, tuple(found)) in seen:
                continue
            seen.add((location.line, location.column, tuple(found)))
            variables = list(dict.fromkeys(found))
            shown = ", ".join(f"${{{name}}}" for name in variables)
            verb = "is" if len(variables) == 1 else "are"
            yield ctx.finding(
                resource,
                path,
                f"{shown} {verb} not replaced: the string is not in an Fn::Sub, so the service receives those "
                "characters. Wrap it in !Sub, or use Ref.",
            )
