"""Declarations the template never uses: parameters, conditions and mappings."""

from __future__ import annotations

from cfncheck.api import WARNING, check, iter_uses, resource_uses
from cfncheck.nodes import derived

from . import expanded_elsewhere


def _used_names(template, kinds: tuple[str, ...]) -> set[str]:
    """Names used with one of ``kinds`` anywhere outside their own definitions (template
    Metadata labels do not count)."""
    return {
        name
        for kind, name in derived(template.root, "used names", lambda: _uses_outside_definitions(template))
        if kind in kinds
    }


def _uses_outside_definitions(template) -> set[tuple[str, str]]:
    used = set()
    for section, node in template.root.items():
        if section in ("Parameters", "Metadata", "Mappings"):
            continue
        if section == "Resources" and isinstance(node, dict):
            uses = (use for resource in node.values() if isinstance(resource, dict) for use in resource_uses(resource))
        else:
            uses = iter_uses(node)
        used.update((use.kind, use.target) for use in uses)
        if section == "Outputs" and isinstance(node, dict):
            for output in node.values():
                if isinstance(output, dict) and isinstance(output.get("Condition"), str):
                    used.add(("Condition", output["Condition"]))
    return used


@check("CFN011", "cfn-unused-parameter", WARNING, fix="Use the parameter, or remove it.")
def unused_parameter(ctx):
    """A parameter that nothing refers to (no Ref, Fn::Sub, FindInMap key, condition, output,
    nested-stack parameter or Metadata) is a dead input — or a typo in the Ref that was meant to
    use it. Interface labels alone do not count as a use."""
    template = ctx.template
    if expanded_elsewhere(template):
        return
    used = _used_names(template, ("Ref", "Sub"))
    for name in template.parameters:
        if name not in used:
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


@check("CFN013", "cfn-unused-mapping", WARNING, fix="Use the mapping with Fn::FindInMap, or remove it.")
def unused_mapping(ctx):
    """A mapping that no Fn::FindInMap reads is dead data."""
    template = ctx.template
    if expanded_elsewhere(template):
        return
    used = _used_names(template, ("FindInMap",))
    for name in template.mappings:
        if name not in used:
            yield ctx.finding(
                None, ("Mappings", name), f"Mapping {name} is defined but never used. Use it or remove it."
            )
