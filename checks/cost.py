"""Cost allocation: the tags an organisation requires on its resources (catalog section 3.19)."""

from __future__ import annotations

from cfncheck.analysis.tags import taggable, tags
from cfncheck.api import INFO, WARNING, Child, Unknown, as_bool, check, lookup

GROUP = "AWS::AutoScaling::AutoScalingGroup"


@check(
    "COST001",
    "cost-required-tags",
    WARNING,
    types=None,
    options={"required_tags": []},
    fix="Add the missing tags to the resource's `Tags` (in every branch of an `Fn::If`).",
    example="""
    # with options: {COST001: {required_tags: [CostCenter]}}
    Orders:
      Type: AWS::SQS::Queue
      Properties:
        Tags: [{Key: Team, Value: orders}]
    """,
    children=[
        Child(
            "COST006",
            "cost-required-tag-not-propagated",
            INFO,
            "An Auto Scaling group's required tag with `PropagateAtLaunch: false`: the instances it launches do "
            "not carry it, so their cost is not allocated.",
            fix="Set `PropagateAtLaunch: true` on the required tags.",
        )
    ],
)
def required_tags(ctx):
    """Resources "tagged with an identifier so you can easily see how much a stack costs you" (seed
    notes 001 #32, 002 COST-01 ASG-12, 000 #113): a resource without the organisation's cost tags
    is billed to nobody.

    Off unless the `required_tags` option lists tag keys: which tags are required is the
    organisation's choice, and tags given to the whole stack at deploy time do not show in the
    template. Every resource whose type takes `Tags` (SAM resources too) is checked in every
    scenario, so an `Fn::If` branch that drops a tag is reported; tags that cannot be read are not.
    COST006 notes an Auto Scaling group that does not pass a required tag on to its instances.
    """
    required = [str(key) for key in ctx.options["required_tags"]]
    if not required:
        return
    for resource in ctx.resources():
        if not taggable(resource.type):
            continue
        for alt in tags(ctx, resource):
            if isinstance(alt.value, Unknown):
                continue
            missing = [key for key in required if key not in alt.value]
            if missing:
                yield ctx.finding(
                    resource,
                    "Properties.Tags",
                    f"Add the required tag{'s' if len(missing) > 1 else ''} {', '.join(missing)}: without "
                    f"{'them' if len(missing) > 1 else 'it'} this resource's cost is not allocated.",
                    alt.scenario,
                )
        if resource.type == GROUP:
            for path, item in ctx.elements(resource, "Properties.Tags"):
                key = lookup(item.value, "Key")
                if key in required and as_bool(lookup(item.value, "PropagateAtLaunch")) is False:
                    yield ctx.finding(
                        resource,
                        path + ("PropagateAtLaunch",),
                        f"Tag {key} is not passed to the instances (PropagateAtLaunch false): set it to true so "
                        "their cost is allocated too.",
                        item.scenario,
                        rule="COST006",
                    )
