"""The values given for a template's parameters (``--parameters`` files, the configuration's
``parameters`` globs) against its declarations: what CloudFormation refuses when the stack is
created with them. A finding about a value from a parameters file is reported on that file's
line, with the parameter's declaration in the template as the related place.
"""

from __future__ import annotations

from dataclasses import replace

from cfncheck.analysis.parameter_values import violation
from cfncheck.api import ALWAYS, ERROR, check

from . import expanded_elsewhere


def given_finding(ctx, name: str, message: str):
    """A finding about the value given for ``name``: on the parameters file's line that gives it
    (naming the template), else on the template's parameter (or Parameters section)."""
    template = ctx.template
    declared = name in template.parameters
    finding = ctx.finding(None, ("Parameters", name) if declared else ("Parameters",), message)
    place = ctx.resolver.given_at.get(name)
    if place is None or place.file is None:
        return finding
    related = (ctx.location(None, ("Parameters", name), ALWAYS, message=f"parameter {name}"),) if declared else ()
    return replace(
        finding,
        file=place.file,
        line=place.line,
        column=place.column,
        end_line=place.end_line,
        end_column=place.end_column,
        message=f"{template.file}: {message}",
        related=related,
    )


@check(
    "CFN044",
    "cfn-parameter-value-invalid",
    ERROR,
    fix="Give a value the parameter's Type, AllowedValues, AllowedPattern and bounds accept.",
    deploy_failure=True,
)
def parameter_value_invalid(ctx):
    """A value given for a parameter that its declaration refuses: not a number for ``Number``
    (or an item of ``List<Number>``), not of the form of an ``AWS::EC2::…::Id`` type, not one of
    its ``AllowedValues``, not matching ``AllowedPattern`` in full, or outside its length or value
    bounds. CloudFormation refuses to create the stack ("Parameter 'Env' must be one of
    AllowedValues"). With several parameter files, each is an environment and the finding says
    in which it holds."""
    template = ctx.template
    for name, value in sorted(ctx.resolver.given.items()):
        parameter = template.parameters.get(name)
        if parameter is None:
            continue
        problem = violation(parameter.node, value)
        if problem:
            yield given_finding(ctx, name, f"The value {value!r} given for parameter {name} {problem}.")


@check(
    "CFN045",
    "cfn-parameter-value-missing",
    ERROR,
    fix="Add a value for every parameter without a Default to the parameters file.",
    deploy_failure=True,
)
def parameter_value_missing(ctx):
    """A parameters file given for the template (a deployment's whole set of values) leaves out a
    parameter that has no Default: CloudFormation refuses to create the stack ("Parameters: [VpcId]
    must have values"). Only values from a file count as a whole set: ``Key=Value`` pairs alone
    may give some values for the analysis, and are not judged. Templates that another tool
    rewrites are not judged."""
    template = ctx.template
    files = [place for place in ctx.resolver.given_at.values() if place.file is not None]
    if not files or expanded_elsewhere(template):
        return
    first = min(files, key=lambda place: (place.file, place.line))
    for name, parameter in template.parameters.items():
        if parameter.has_default or name in ctx.resolver.given:
            continue
        finding = ctx.finding(
            None,
            ("Parameters", name),
            f"Parameter {name} has no Default and {first.file} gives it no value: CloudFormation refuses the stack "
            f'("Parameters: [{name}] must have values"). Add it to {first.file}.',
        )
        yield replace(
            finding,
            file=first.file,
            line=1,
            column=1,
            end_line=1,
            end_column=1,
            related=(ctx.location(None, ("Parameters", name), ALWAYS, message=f"parameter {name} in {template.file}"),),
        )
