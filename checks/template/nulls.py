"""Null values, which CloudFormation refuses anywhere in a template."""

from __future__ import annotations

from cfncheck.api import ERROR, check
from cfncheck.nodes import MarkedDict, MarkedList
from cfncheck.template import SAM_TRANSFORM

from . import expanded_elsewhere

REFUSED = "'null' values are not allowed in templates"
"""CloudFormation's validation error, prefixed with the JSON pointer of the value."""
REPORTED_ELSEWHERE = {("Resources", "*"), ("Resources", "*", "Type"), ("Resources", "*", "Properties")}
"""Nulls another check names: a resource or its Type (CFN014), its Properties (CFN032); a null
section is CFN014's too (any path of one key)."""


def _nulls(node, path: tuple = ()):
    """(path, mark) of every null the loader read under ``node``: a JSON null, or a YAML key or
    item written without a value. The text ``null`` of a short-form tag (``!GetAZs null``) is a
    string, never a null."""
    if isinstance(node, MarkedDict):
        for key, value in node.items():
            if value is None:
                yield path + (key,), node.key_marks.get(key) or node.mark
            elif isinstance(value, (MarkedDict, MarkedList)):  # scalars have nothing inside: not called for them
                yield from _nulls(value, path + (key,))
    elif isinstance(node, MarkedList):
        for index, value in enumerate(node):
            if value is None:
                yield path + (index,), node.mark_of(index) or node.mark
            elif isinstance(value, (MarkedDict, MarkedList)):
                yield from _nulls(value, path + (index,))


def _reported_elsewhere(path: tuple) -> bool:
    return len(path) == 1 or (path[0], "*", *path[2:]) in REPORTED_ELSEWHERE


def _rewritten_by_sam(template, path: tuple) -> bool:
    """SAM rewrites its own resources and Globals before CloudFormation validates the template
    (a state machine's ``ResultPath: null`` becomes part of its definition string)."""
    if path[0] == "Globals":
        return True
    node = template.document.root.get("Resources")
    resource = node.get(path[1]) if isinstance(node, dict) and len(path) > 1 else None
    return isinstance(resource, dict) and str(resource.get("Type", "")).startswith("AWS::Serverless::")


@check(
    "CFN046",
    "cfn-null-value",
    ERROR,
    fix="Give the key a value, or remove it (write `Fn::GetAZs: ''` for the zones of the stack's region).",
    example="Resources:\n  Table:\n    Type: AWS::DynamoDB::Table\n    Properties:\n      TableName:\n"
    "      BillingMode: PAY_PER_REQUEST\n      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]\n"
    "      KeySchema: [{AttributeName: id, KeyType: HASH}]",
    deploy_failure=True,
)
def null_value(ctx):
    """A null anywhere in a template — a JSON ``null``, a YAML key with nothing after it, an
    exercise's placeholder left empty, ``Fn::GetAZs: null`` written by a converter — makes
    CloudFormation reject the whole template before it creates anything, whatever the conditions
    ("[/Resources/Table/Properties/TableName] 'null' values are not allowed in templates").
    Nulls in SAM's own resources and Globals are not judged (the transform rewrites them first),
    nor are templates that another macro, the language extensions transform (which drops null
    keys) or another tool rewrites. Source: CloudFormation's template validation error, as AWS
    support and the CloudFormation coverage roadmap (issue 1378) report it."""
    template = ctx.template
    if set(template.transforms) - {SAM_TRANSFORM} or expanded_elsewhere(template):
        return
    for path, mark in _nulls(template.document.root):
        if _reported_elsewhere(path) or template.is_sam and _rewritten_by_sam(template, path):
            continue
        pointer = "/" + "/".join(map(str, path))
        instead = "write '' for the stack's region" if path[-1] == "Fn::GetAZs" else "give it a value or remove it"
        name = path[-1] if isinstance(path[-1], str) else f"{path[-2]}[{path[-1]}]"
        message = f'{name} is null: CloudFormation rejects the template ("[{pointer}] {REFUSED}"); {instead}.'
        resource = template.resources.get(path[1]) if path[0] == "Resources" else None
        where = path[2:] if resource is not None else path
        yield ctx.finding(resource, where, message, at=mark)
