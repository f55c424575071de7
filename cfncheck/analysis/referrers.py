"""The resources of the run that name a resource: a flow log naming a VPC, a delivery source
naming a distribution, an instance naming its cluster.

They are looked for in the resource's own template and, when the resource is exported, in the
other templates of the run, whose ``Fn::ImportValue`` of the export leads back to it. What a
run cannot show is said too: a resource handed to a nested stack may be named there, through a
parameter no reference follows.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..context import Context
from ..project import NESTED_STACK
from ..references import iter_uses
from ..template import Resource
from ..values import Scenario
from .wiring import reach

SAM_APPLICATION = "AWS::Serverless::Application"


@dataclass(frozen=True)
class Referrer:
    """A resource whose property at ``path`` names the target, in ``scenario`` of its own template."""

    ctx: Context  # the check's view of the referrer's template
    resource: Resource
    path: tuple
    scenario: Scenario
    foreign: bool  # in another template, whose conditions are another stack's


def referrers(ctx: Context, target: Resource, types: tuple[str, ...], pattern: tuple) -> list[Referrer]:
    """The resources of ``types`` in the run whose property at ``pattern`` (``"[]"`` for each item
    of a list, ``"*"`` for each key of a mapping) names ``target``, a resource of ``ctx``'s template."""
    found = []
    for view in _views(ctx, target):
        for resource in view.resources(*types):
            for path, alt in reach(view, resource, pattern):
                link = view.follow(alt.value, alt.scenario)
                if link is not None and link.resource is target:
                    found.append(Referrer(view, resource, path, alt.scenario, view is not ctx))
    return found


def _views(ctx: Context, target: Resource) -> list[Context]:
    """This template, and the other templates of the run when ``target`` is exported."""
    return run_views(ctx) if exported(ctx, target) else [ctx]


def run_views(ctx: Context) -> list[Context]:
    """The check's view of each template of the run it can see: this one first, then the others
    the project holds (those that export, import or nest stacks), for account-wide settings."""
    others = ctx.project.templates if ctx.project is not None else ()
    return [ctx] + [ctx.on(template) for template in others if template is not ctx.template]


def exported(ctx: Context, resource: Resource) -> bool:
    """Whether an output of the template exports a value built from ``resource``."""
    return any(
        output.export_name is not None and _names(output.value, resource) for output in ctx.template.outputs.values()
    )


def handed_to_nested_stack(ctx: Context, resource: Resource) -> bool:
    """Whether a nested stack (or SAM application) of the template gets a parameter built from
    ``resource``: a resource of that stack may name it where no reference can be followed."""
    return any(
        _names(stack.properties.get("Parameters"), resource) for stack in ctx.resources(NESTED_STACK, SAM_APPLICATION)
    )


def _names(node, resource: Resource) -> bool:
    return any(use.target == resource.logical_id for use in iter_uses(node))
