"""Resource properties against the CloudFormation resource provider schemas (catalog section 3.1).

What CloudFormation rejects before or while it calls the service: a property the type does not
have, a required one missing, a value of the wrong type or out of its allowed set or range, a
read-only property written. The schemas, their version and the service limits added to them
live in ``cfncheck.schemas``; values are checked as resolved, so an intrinsic function whose
value is not known never fails.
"""

from __future__ import annotations

from cfncheck.api import ERROR, WARNING, check
from cfncheck.schemas.document import default_problems, document_violations
from cfncheck.schemas.properties import READ_ONLY, REQUIRED, UNKNOWN_PROPERTY, VALUE, violations


def _report(ctx, kind: str):
    """The violations of one kind: the template's own declarations, then each resource's properties."""
    for violation in ctx.analysis.memo(document_violations, lambda: document_violations(ctx.template)):
        if violation.kind == kind:
            yield ctx.finding(None, violation.path, violation.message)
    for resource in ctx.resources():
        for violation in violations(ctx, resource):
            if violation.kind == kind:
                yield ctx.finding(resource, violation.path, violation.message, violation.scenario, at=violation.mark)


@check(
    "CFN015",
    "cfn-unknown-property",
    ERROR,
    fix="Correct the property's spelling (see the suggestion), or move it where it belongs; the resource "
    "reference lists the valid properties.",
    deploy_failure=True,
)
def unknown_property(ctx):
    """A property key, at any depth, that the resource type's schema does not define fails the
    deployment ("Encountered unsupported property"). Custom, SAM and registry types are not
    checked; nor are templates with macros, which may rewrite their resources."""
    yield from _report(ctx, UNKNOWN_PROPERTY)


@check(
    "CFN016",
    "cfn-required-property-missing",
    ERROR,
    fix="Add the missing property (the message names it), or the one of the alternatives the type needs.",
    deploy_failure=True,
)
def required_property_missing(ctx):
    """A property the type's schema requires (directly, through a dependency between properties,
    or as one of a set of alternatives) is missing; CloudFormation rejects the resource."""
    yield from _report(ctx, REQUIRED)


@check(
    "CFN032",
    "cfn-property-value-invalid",
    ERROR,
    fix="Change the value as the message says: the type, one of the allowed values, the pattern, the range or "
    "the number of items the property takes.",
    deploy_failure=True,
)
def property_value_invalid(ctx):
    """A property value the type's schema, or a service limit it omits (SQS VisibilityTimeout
    0-43,200, Lambda Timeout 1-900 and MemorySize 128-10,240, a FIFO queue named .fifo…),
    refuses: wrong JSON type, not an allowed value, pattern, length, range, number of items, or
    a combination the schema forbids. CloudFormation converts "30" to 30 and true to "true", so
    those pass; a value only known at deploy time is not judged."""
    yield from _report(ctx, VALUE)


@check(
    "CFN033",
    "cfn-read-only-property",
    WARNING,
    fix="Remove the property: AWS sets it when the resource is created; read it with Fn::GetAtt.",
)
def read_only_property(ctx):
    """A read-only property (an ARN, an id, an endpoint the service assigns) written in the
    template. CloudFormation accepts it but does not pass it to the resource: the value has no
    effect, and the template says something that is not true of the resource."""
    yield from _report(ctx, READ_ONLY)


@check(
    "CFN018",
    "cfn-parameter-default-invalid",
    ERROR,
    fix="Make the Default (and each AllowedValues entry) satisfy the parameter's Type, AllowedValues, "
    "AllowedPattern and length or value bounds, or correct the bounds.",
    deploy_failure=True,
)
def parameter_default_invalid(ctx):
    """A parameter's Default, or one of its AllowedValues, that its own declaration refuses
    (not a number for a Number parameter, not allowed, not matching AllowedPattern in full,
    outside the length or value bounds), or a minimum above its maximum. CloudFormation
    rejects the stack whenever the default is used."""
    for parameter in ctx.template.parameters.values():
        for path, message in default_problems(parameter):
            yield ctx.finding(None, ("Parameters", parameter.name) + path, f"Parameter {parameter.name}: {message}")
