"""Declarations the template never uses (parameters, conditions and mappings), and parameter
values given for parameters it does not declare."""

from __future__ import annotations

from cfncheck.api import WARNING, check, iter_calls, iter_uses, resource_uses
from cfncheck.nodes import derived

from . import did_you_mean, expanded_elsewhere
from .parameters import given_finding


def _used_names(template, kinds: tuple[str, ...]) -> set[str]:
    """Names used with one of ``kinds`` anywhere outside their own definitions (template
    Metadata labels do not count)."""
    return {
        name
        for kind, name in derived(template.root, "used names", lambda: _uses_outside_definitions(template))
        if kind in kinds
    }


def _uses_outside_definitions(template) -> set[tuple[str, str]]:
    """The uses in the template as written (a loop's collection is used) and as expanded."""
    used = set()
    roots = (
        (template.document.root,)
        if template.root is template.document.root
        else (template.document.root, template.root)
    )
    for section, node in (entry for root in roots for entry in root.items()):
        if section in ("Parameters", "Metadata", "Mappings"):
            continue
        if section == "Resources" and isinstance(node, dict):
            uses = (
                use
                for resource in node.values()
                for use in (resource_uses(resource) if isinstance(resource, dict) else iter_uses(resource))
            )
        else:
            uses = iter_uses(node)
        used.update((use.kind, use.target) for use in uses)
        if section == "Outputs" and isinstance(node, dict):
            for output in node.values():
                if isinstance(output, dict) and isinstance(output.get("Condition"), str):
                    used.add(("Condition", output["Condition"]))
    return used


@check(
    "CFN034",
    "cfn-parameter-value-undeclared",
    WARNING,
    fix="Remove the value from the parameter values meant for this template (or narrow the configuration's "
    "glob), or declare the parameter.",
)
def parameter_value_undeclared(ctx):
    """A value given for this template (``--parameters`` or the configuration's ``parameters`` globs)
    names a parameter the template does not declare: a misspelt name whose value is silently
    unused, or a glob that matches a template it was not meant for. CloudFormation refuses such a
    stack: "Parameters: [Name] do not exist in the template"."""
    template = ctx.template
    if expanded_elsewhere(template):
        return
    for name in sorted(set(ctx.resolver.given) - set(template.parameters)):
        close = did_you_mean(name, template.parameters)
        yield given_finding(
            ctx,
            name,
            f"A value is given for parameter {name}, which this template does not declare.{close} "
            "Remove it from the parameter values for this template, or declare the parameter.",
        )


CDK_ASSET_PARAMETER = "AssetParameters"
"""The CDK's legacy synthesizer declares three parameters per asset (bucket, key, hash) and uses two."""


def _synthesized_by_cdk(template) -> bool:
    return any(r.type == "AWS::CDK::Metadata" or "aws:cdk:path" in r.metadata for r in template.resources.values())


@check("CFN011", "cfn-unused-parameter", WARNING, fix="Use the parameter, or remove it.")
def unused_parameter(ctx):
    """A parameter that nothing refers to (no Ref, Fn::Sub, FindInMap key, condition, output,
    nested-stack parameter or Metadata) is a dead input — or a typo in the Ref that was meant to
    use it. Interface labels alone do not count as a use. The asset parameters the CDK declares
    in a synthesized template are not reported: nobody edits that template."""
    template = ctx.template
    if expanded_elsewhere(template):
        return
    used = _used_names(template, ("Ref", "Sub"))
    for name in template.parameters:
        if name not in used and not (name.startswith(CDK_ASSET_PARAMETER) and _synthesized_by_cdk(template)):
            yield ctx.finding(
                None, ("Parameters", name), f"Parameter {name} is declared but never used. Use it or remove it."
            )


@check("CFN012", "cfn-unused-condition", WARNING, fix="Use the condition, or remove it.")
def unused_condition(ctx):
    """A condition that no resource, output, Fn::If or other condition uses is dead code, or a
    sign that the Condition meant to use it is misspelled."""
    template = ctx.template
    if expanded_elsewhere(template):
        return
    used = _used_names(template, ("Condition",))
    for name in template.conditions:
        if name not in used:
            yield ctx.finding(
                None, ("Conditions", name), f"Condition {name} is defined but never used. Use it or remove it."
            )


def _computed_map_names(ctx) -> set[str | None]:
    """The map names an Fn::FindInMap computes (``!FindInMap [!FindInMap [Maps, k, k2], …]``,
    ``!FindInMap [!Ref MapName, …]``), resolved in every scenario; None for one not known here."""
    names: set[str | None] = set()
    for arguments, _ in iter_calls(ctx.template.root, "Fn::FindInMap"):
        if isinstance(arguments, list) and arguments and not isinstance(arguments[0], str):
            for alt in ctx.resolve(arguments[0]):
                names.add(alt.value if isinstance(alt.value, str) else None)
    return names


@check("CFN013", "cfn-unused-mapping", WARNING, fix="Use the mapping with Fn::FindInMap, or remove it.")
def unused_mapping(ctx):
    """A mapping that no Fn::FindInMap reads is dead data. A map name computed by another
    Fn::FindInMap (or a Ref) counts for the names it can take; one not known here silences the check."""
    template = ctx.template
    if expanded_elsewhere(template):
        return
    used = _used_names(template, ("FindInMap",))
    if set(template.mappings) <= used:
        return
    used |= _computed_map_names(ctx)
    if None in used:
        return  # a map name that cannot be known here may be any of them
    for name in template.mappings:
        if name not in used:
            yield ctx.finding(
                None, ("Mappings", name), f"Mapping {name} is defined but never used. Use it or remove it."
            )
