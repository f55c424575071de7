"""Custom resources: the template's own code, handed references to other resources of the template.

A custom resource passes its properties to a function (or a topic) at deployment time. When
one of those properties names a resource, the code may change it after CloudFormation created it
— turn on snapshots, empty a bucket before deletion — in ways the template does not show. Where
such a custom resource exists, a setting of that resource is not known from the template alone.
"""

from __future__ import annotations

from ..context import Context, per_template
from ..references import iter_uses
from ..schemas import CUSTOM_RESOURCE
from ..template import Resource
from ..values import Scenario
from .grants import role_allows

LAMBDA_FUNCTION = "AWS::Lambda::Function"


def is_custom_resource(resource: Resource) -> bool:
    return resource.type == CUSTOM_RESOURCE or resource.type.startswith("Custom::")


def handed_to_custom_resources(ctx: Context, resource: Resource, action: str | None = None) -> list[Scenario]:
    """The scenarios in which a custom resource of the template receives a reference to
    ``resource`` (its code may change it after creation). With ``action``, a custom resource
    whose function's role is known not to allow that action (``elasticache:ModifyReplicationGroup``,
    say) is left out; one whose code or role cannot be followed is kept, since it might."""
    return [
        custom.exists_in
        for custom in _custom_resources_naming(ctx).get(resource.logical_id, ())
        if action is None or _may_call(ctx, custom, action)
    ]


@per_template
def _custom_resources_naming(ctx: Context) -> dict[str, list[Resource]]:
    """For each logical id, the custom resources whose properties name it."""
    found: dict[str, list[Resource]] = {}
    for custom in ctx.resources():
        if is_custom_resource(custom):
            for target in dict.fromkeys(use.target for use in iter_uses(custom.properties)):
                found.setdefault(target, []).append(custom)
    return found


def _may_call(ctx: Context, custom: Resource, action: str) -> bool:
    """False only when the custom resource's ServiceToken is a function of this template whose
    role is known, in every scenario, not to allow ``action``."""
    for token in ctx.values(custom, "Properties.ServiceToken"):
        function = ctx.local(token.value)
        if function is None or function.type != LAMBDA_FUNCTION:
            return True
        for alt in ctx.values(function, "Properties.Role"):
            role = ctx.local(alt.value)
            if role is None or role.type != "AWS::IAM::Role" or role_allows(ctx, role, action) is not False:
                return True
    return False
