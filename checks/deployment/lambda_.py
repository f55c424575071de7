"""Lambda functions the service refuses to create."""

from __future__ import annotations

from cfncheck.api import ERROR, WARNING, Child, check
from cfncheck.schemas.lambda_runtimes import deprecation, is_identifier, successor

from . import today

FUNCTIONS = ["AWS::Lambda::Function", "AWS::Serverless::Function"]
REFUSED = "The runtime parameter of {runtime} is no longer supported for creating or updating AWS Lambda functions"
"""Lambda's message (InvalidParameterValueException) for a runtime whose creation is blocked."""


@check(
    "LAMBDA012",
    "lambda-runtime-creation-blocked",
    ERROR,
    types=FUNCTIONS,
    options={"today": ""},
    fix="Move the function to a supported runtime of its language (the message names the newest).",
    example="Resources:\n  Handler:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: python3.7\n"
    "      Handler: index.handler\n      Role: arn:aws:iam::123456789012:role/handler\n      Code: {ZipFile: pass}",
    children=[
        Child(
            "LAMBDA030",
            "lambda-runtime-deprecated",
            WARNING,
            "A runtime AWS has deprecated: it no longer gets security patches, and Lambda will refuse to create "
            "(then to update) functions with it from the dates of the Lambda runtimes page.",
            fix="Move the function to a supported runtime of its language before creation is blocked.",
        )
    ],
)
def runtime_creation_blocked(function, ctx):
    """Lambda refuses to create a function with a runtime past its "block function create" date
    ("The runtime parameter of python3.7 is no longer supported for creating or updating AWS
    Lambda functions"), and any identifier it does not know. A new stack with such a function
    fails; so does any update that replaces it. The identifiers come from botocore's Lambda
    model and the dates from the Lambda runtimes page (``tools/lambda_runtimes.py``); the
    ``today`` option fixes the date the dates are compared with (default: the day of the run)."""
    day = today(ctx)
    for alt in ctx.values(function, "Properties.Runtime"):
        runtime = alt.value
        if not isinstance(runtime, str):
            continue
        if not is_identifier(runtime):
            yield ctx.finding(
                function,
                "Properties.Runtime",
                f"Lambda has no runtime {runtime!r} (\"Value '{runtime}' at 'runtime' failed to satisfy constraint: "
                'Member must satisfy enum value set"): use a runtime identifier such as '
                f"{successor('python3.13', day)} or {successor('nodejs22.x', day)}.",
                alt.scenario,
            )
            continue
        dates = deprecation(runtime)
        if dates is None or dates.deprecated is None or dates.deprecated > day:
            continue
        newer = successor(runtime, day)
        instead = f" Use {newer}." if newer else ""
        if dates.block_create is not None and dates.block_create <= day:
            message = (
                f"Lambda refuses to create functions with {runtime} since {dates.block_create} "
                f'("{REFUSED.format(runtime=runtime)}").{instead}'
            )
            yield ctx.finding(function, "Properties.Runtime", message, alt.scenario)
        else:
            blocked = f"; creating functions with it is blocked from {dates.block_create}" if dates.block_create else ""
            message = f"{runtime} is deprecated since {dates.deprecated}{blocked}.{instead}"
            yield ctx.finding(function, "Properties.Runtime", message, alt.scenario, rule="LAMBDA030")
