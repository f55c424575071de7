"""Step Functions state machines the service refuses."""

from __future__ import annotations

import json

from cfncheck.analysis.policy import text_of
from cfncheck.analysis.states_language import problems
from cfncheck.api import ERROR, check


@check(
    "SFN001",
    "sfn-definition-invalid",
    ERROR,
    types=["AWS::StepFunctions::StateMachine", "AWS::Serverless::StateMachine"],
    fix="Make every transition name a state of its scope, reach every state, and give each state a known Type "
    "and exactly one of Next and End: true.",
    example="Resources:\n  Orders:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n"
    "      RoleArn: arn:aws:iam::123456789012:role/orders\n      Definition:\n        StartAt: Charge\n"
    "        States:\n          Charge: {Type: Pass, Next: Ship}\n          Shipping: {Type: Succeed}",
    deploy_failure=True,
)
def definition_invalid(machine, ctx):
    """A state machine definition that Step Functions refuses (CreateStateMachine:
    "InvalidDefinition: Invalid State Machine Definition"), failing the stack: no States or
    StartAt, a StartAt, Next, Default or Catch that names no state of its scope
    ("MISSING_TRANSITION_TARGET: Missing 'Next' target"), a state nothing goes to
    ("MISSING_TRANSITION_TARGET: State … is not reachable"), a state of no known Type, with both
    or neither of Next and End, a Choice without rules, a Wait without exactly one time field, a
    Task without Resource — in the machine and in each Parallel branch and Map processor. Both
    Definition and DefinitionString are read (DefinitionSubstitutions are filled in at deploy
    time: a name made of one is not judged); a definition in a file (DefinitionUri,
    DefinitionS3Location) or a string that is not JSON as written is not read. Source: the
    Amazon States Language specification and the Step Functions CreateStateMachine reference."""
    for alt in ctx.values(machine, "Properties.Definition"):
        if isinstance(alt.value, dict):
            for path, message in problems(alt.value):
                yield ctx.finding(machine, ("Properties", "Definition") + path, message, alt.scenario)
    for alt in ctx.values(machine, "Properties.DefinitionString"):
        try:
            definition = json.loads(text_of(alt.value) or "")
        except ValueError:
            continue
        for path, message in problems(definition):
            pointer = "/" + "/".join(map(str, path))
            yield ctx.finding(machine, "Properties.DefinitionString", f"{message} (at {pointer})", alt.scenario)
