"""The shape of a template: duplicate keys, resource types, sections and resource attributes."""

from __future__ import annotations

import re

from cfncheck.api import ERROR, WARNING, Child, check
from cfncheck.nodes import MarkedDict
from cfncheck.schemas import CUSTOM_RESOURCE, type_problem
from cfncheck.template import SAM_TRANSFORM

from . import did_you_mean, expanded_elsewhere
from .conditions import CONDITION_FUNCTIONS

SECTIONS = (
    "AWSTemplateFormatVersion",
    "Description",
    "Metadata",
    "Parameters",
    "Rules",
    "Mappings",
    "Conditions",
    "Transform",
    "Resources",
    "Outputs",
)
RESOURCE_KEYS = (
    "Description",  # undocumented but accepted: CodeStar writes it on every resource, cdk's cfn-include reads it
    "Type",
    "Properties",
    "DependsOn",
    "Condition",
    "Metadata",
    "DeletionPolicy",
    "UpdateReplacePolicy",
    "UpdatePolicy",
    "CreationPolicy",
)
SAM_RESOURCE_KEYS = ("Connectors", "IgnoreGlobals")
CUSTOM_RESOURCE_KEYS = ("Version",)
SAM_TYPES = (
    "AWS::Serverless::Function",
    "AWS::Serverless::Api",
    "AWS::Serverless::HttpApi",
    "AWS::Serverless::SimpleTable",
    "AWS::Serverless::LayerVersion",
    "AWS::Serverless::Application",
    "AWS::Serverless::StateMachine",
    "AWS::Serverless::Connector",
    "AWS::Serverless::GraphQLApi",
    "AWS::Serverless::CapacityProvider",
    "AWS::Serverless::WebSocketApi",
)


_TYPE_NAME = re.compile(r"^[A-Za-z0-9]+::[A-Za-z0-9]+::[A-Za-z0-9]+(::MODULE)?$")
_CUSTOM_TYPE = re.compile(r"^Custom::[A-Za-z0-9_@-]{1,60}$")


@check("CFN002", "cfn-duplicate-key", ERROR, fix="Remove or rename one of the two keys.", deploy_failure=True)
def duplicate_key(ctx):
    """The same key twice in one mapping: YAML and JSON parsers silently keep the last value,
    CloudFormation rejects the template. A name used both as a parameter and as a resource is
    ambiguous for Ref, and rejected too."""
    for duplicate in ctx.template.document.duplicates:
        message = (
            f"Duplicate key {duplicate.key!r}: it is also defined at line {duplicate.first.line}; "
            "CloudFormation rejects the template. Remove or rename one of them."
        )
        yield ctx.finding(None, (), message, at=duplicate.second)
    for name in ctx.template.parameters.keys() & ctx.template.resources.keys():
        message = f"{name} is both a parameter and a resource; Ref {name} is ambiguous. Rename one of them."
        yield ctx.finding(None, ("Resources", name), message)


@check(
    "CFN003",
    "cfn-invalid-resource-type",
    ERROR,
    fix="Use a resource type of the CloudFormation resource specification, spelled Service::Provider::Resource.",
    deploy_failure=True,
)
def invalid_resource_type(ctx):
    """A resource type must be a CloudFormation type (AWS::Service::Resource), a custom resource
    (Custom::Name or AWS::CloudFormation::CustomResource), a registry type (Org::Service::Resource,
    accepted without verification) or one of SAM's AWS::Serverless types (which need the SAM
    transform: CFN019). Anything else — single colons, wrong case, a misspelled name — fails the
    deployment."""
    template = ctx.template
    if expanded_elsewhere(template):
        return
    for resource in template.resources.values():
        kind = resource.type
        if kind.startswith("AWS::Serverless::"):
            if kind not in SAM_TYPES:
                yield ctx.finding(
                    resource, "Type", f"{kind} is not a SAM resource type.{did_you_mean(kind, SAM_TYPES)}"
                )
        elif not (_TYPE_NAME.match(kind) or _CUSTOM_TYPE.match(kind)):
            hint = kind.replace(":", "::").replace("::::", "::") if "::" not in kind else None
            suggestion = f" Did you mean {hint}?" if hint and _TYPE_NAME.match(hint) else ""
            yield ctx.finding(
                resource,
                "Type",
                f"{kind!r} is not a resource type name (expected Service::Provider::Resource).{suggestion}",
            )
        elif (problem := type_problem(kind)) is not None:
            yield ctx.finding(resource, "Type", problem)


def _entry_of(section: str, node) -> bool:
    """Whether ``node`` has the shape of an entry of ``section`` (a parameter named Description
    is a parameter), rather than a section indented under another one."""
    if not isinstance(node, dict):
        return False
    if section == "Parameters":
        return "Type" in node
    if section == "Outputs":
        return "Value" in node
    if section == "Conditions":
        return len(node) == 1 and next(iter(node)) in CONDITION_FUNCTIONS
    if section == "Mappings":
        return bool(node) and all(isinstance(value, dict) for value in node.values())
    return False


@check(
    "CFN019",
    "cfn-sam-transform-missing",
    ERROR,
    fix=f"Add `Transform: {SAM_TRANSFORM}` at the top of the template.",
    deploy_failure=True,
    formerly=("CFN003", "CFN014"),
)
def sam_transform_missing(ctx):
    """SAM resource types (AWS::Serverless::Function…) and the Globals section exist only through
    the SAM transform: without ``Transform: AWS::Serverless-2016-10-31`` (a string or an entry of
    the list) CloudFormation rejects them. Templates with other macros or preprocessors are not
    judged."""
    template = ctx.template
    if template.is_sam or expanded_elsewhere(template):
        return
    if "Globals" in template.root:
        message = f"Globals is a SAM section: add 'Transform: {SAM_TRANSFORM}' at the top of the template."
        yield ctx.finding(None, ("Globals",), message)
    for resource in template.resources.values():
        if resource.type in SAM_TYPES:
            message = f"{resource.type} needs 'Transform: {SAM_TRANSFORM}' at the top of the template."
            yield ctx.finding(resource, "Type", message)


@check(
    "CFN014",
    "cfn-template-structure-invalid",
    ERROR,
    fix="Keep to the template anatomy: the documented top-level sections, and resource keys Type, Properties, "
    "DependsOn, Condition, Metadata, DeletionPolicy, UpdateReplacePolicy, UpdatePolicy, CreationPolicy.",
    deploy_failure=True,
    children=[
        Child(
            "CFN035",
            "cfn-sam-resource-attribute-ignored",
            WARNING,
            """A key of a SAM resource (AWS::Serverless::…) that is not a resource attribute: the SAM
            transform drops it instead of failing, so it has no effect — usually a property written
            beside Properties instead of under it.""",
            fix="Move the key under Properties if it is a property; otherwise remove it.",
            formerly=("CFN014",),
        )
    ],
)
def template_structure_invalid(ctx):
    """A template must have a non-empty Resources mapping, only the documented top-level
    sections, AWSTemplateFormatVersion "2010-09-09" if any, a string Description, and resources
    made of Type, Properties, DependsOn, Condition, Metadata, DeletionPolicy, UpdateReplacePolicy,
    UpdatePolicy and CreationPolicy (SAM adds Connectors and IgnoreGlobals; custom resources
    may keep the legacy Version). A section name
    nested inside another section is usually mis-indentation. CloudFormation rejects the rest.
    The SAM transform drops unknown keys of its own resources instead of failing (CFN035), and
    Globals without the SAM transform is CFN019. Templates with other macros or preprocessors
    are not judged."""
    template = ctx.template
    root = template.root
    if expanded_elsewhere(template):
        return
    sections = SECTIONS + (("Globals",) if template.is_sam else ())
    for key in root:
        if key not in sections and key != "Globals":  # Globals without the SAM transform: CFN019
            hint = did_you_mean(key, sections) or " Remove it."
            yield ctx.finding(None, (key,), f"{key!r} is not a template section.{hint}")
    if "Resources" not in root or not root.get("Resources"):
        yield ctx.finding(
            None, ("Resources",), "The template has no resources: Resources is required and must not be empty."
        )
    version = root.get("AWSTemplateFormatVersion")
    if "AWSTemplateFormatVersion" in root and str(version) != "2010-09-09":
        yield ctx.finding(None, ("AWSTemplateFormatVersion",), 'AWSTemplateFormatVersion must be "2010-09-09".')
    if "Description" in root and not isinstance(root["Description"], str):
        yield ctx.finding(None, ("Description",), "Description must be a string.")
    for section in ("Parameters", "Mappings", "Conditions", "Outputs", "Metadata"):
        node = root.get(section)
        if section in root and not isinstance(node, dict):
            message = f"{section} is empty: remove the key, or add entries under it." if node is None else ""
            yield ctx.finding(None, (section,), message or f"{section} must be a mapping.")
            continue
        for key in node or ():
            if key in SECTIONS and key != "Metadata" and not _entry_of(section, node[key]):
                message = f"{key!r} is nested inside {section}; it looks mis-indented and belongs at the top level."
                yield ctx.finding(None, (section, key), message)
    resource_keys = RESOURCE_KEYS + (SAM_RESOURCE_KEYS if template.is_sam else ())
    for logical_id, node in (root.get("Resources") or {}).items():
        if str(logical_id).startswith("Fn::ForEach"):
            continue
        path = ("Resources", logical_id)
        if not isinstance(node, MarkedDict):
            yield ctx.finding(None, path, f"Resource {logical_id} must be a mapping with a Type.")
            continue
        if not isinstance(node.get("Type"), str):
            what = "has no Type" if "Type" not in node else "has a Type that is not a string"
            yield ctx.finding(None, path + (("Type",) if "Type" in node else ()), f"Resource {logical_id} {what}.")
        sam = template.is_sam and str(node.get("Type", "")).startswith("AWS::Serverless::")
        resource = template.resources.get(logical_id)
        custom = resource is not None and (resource.type == CUSTOM_RESOURCE or resource.type.startswith("Custom::"))
        for key in node:
            if key not in resource_keys and not (custom and key in CUSTOM_RESOURCE_KEYS):
                message = f"{key!r} is not a resource attribute.{did_you_mean(key, resource_keys)}"
                if sam:
                    message += " SAM ignores it; if it is a property, move it under Properties."
                elif key in ("Policies", "Tags", "Code", "Runtime"):
                    message += " Did you mean to put it under Properties?"
                where = (key,) if resource is not None else path + (key,)
                yield ctx.finding(resource, where, message, rule="CFN035" if sam else None)
