"""Template correctness: what CloudFormation itself rejects (catalog section 3.1)."""

from __future__ import annotations

import difflib

from cfncheck.analysis.other_tools import expanded_elsewhere as expanded_by_other_tool
from cfncheck.api import iter_uses, resource_uses
from cfncheck.nodes import derived
from cfncheck.template import SAM_TRANSFORM


def did_you_mean(name: str, candidates) -> str:
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f" Did you mean {close[0]}?" if close else ""


def expanded_elsewhere(template) -> bool:
    """Macros other than SAM, Fn::ForEach and other tools' preprocessors create names (and
    text using parameters) cfncheck cannot see."""
    return derived(template.root, "names made elsewhere", lambda: _expanded_elsewhere(template))


def _expanded_elsewhere(template) -> bool:
    transforms = set(template.transforms) - {SAM_TRANSFORM, "AWS::LanguageExtensions"}
    if transforms or not all(isinstance(t, str) for t in listed(template.root.get("Transform"))):
        return True
    resources = template.root.get("Resources") or {}
    if any(str(key).startswith("Fn::ForEach") for key in resources):
        return True
    return expanded_by_other_tool(template)


def listed(value) -> list:
    return value if isinstance(value, list) else [] if value is None else [value]


def all_uses(template):
    """(resource or None, path relative to it or to the root, use) for every use in the template."""
    for resource in template.resources.values():
        for use in resource_uses(resource.node):
            yield resource, use.path, use
    for name, output in template.outputs.items():
        for use in iter_uses(output.node, ("Outputs", name)):
            yield None, use.path, use
    for name, node in template.conditions.items():
        for use in iter_uses(node, ("Conditions", name)):
            yield None, use.path, use
