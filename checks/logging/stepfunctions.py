"""Step Functions state machines: execution logs."""

from __future__ import annotations

from cfncheck.api import ABSENT, INFO, WARNING, Child, as_bool, check, lookup

STATE_MACHINE = "AWS::StepFunctions::StateMachine"
SAM_STATE_MACHINE = "AWS::Serverless::StateMachine"


def _settings(machine) -> tuple[str, str]:
    """The properties holding the workflow type and the logging configuration."""
    return ("Type", "Logging") if machine.type == SAM_STATE_MACHINE else ("StateMachineType", "LoggingConfiguration")


@check(
    "SFN003",
    "sfn-logging-disabled",
    WARNING,
    types=[STATE_MACHINE, SAM_STATE_MACHINE],
    fix="Add `LoggingConfiguration` (SAM: `Logging`) with `Level: ERROR` (or ALL) and a log group in `Destinations`.",
    example="""
    Workflow:
      Type: AWS::StepFunctions::StateMachine
      Properties:
        StateMachineType: EXPRESS
        RoleArn: !GetAtt Role.Arn
        DefinitionString: '{"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}'
    """,
    children=[
        Child(
            "SFN005",
            "sfn-standard-logging-disabled",
            INFO,
            "A STANDARD state machine without logging: its execution history stays in Step Functions for 90 days, "
            "but nothing reaches CloudWatch Logs for searching, metrics filters or longer keeping.",
            fix="Add `LoggingConfiguration` with `Level: ERROR` (or ALL) and a log group in `Destinations`.",
        ),
        Child(
            "SFN006",
            "sfn-logging-includes-execution-data",
            INFO,
            "`IncludeExecutionData: true` writes every state's input and output to the logs: payloads that may "
            "hold personal data or secrets.",
            fix="Set `IncludeExecutionData: false` unless the payloads are needed in the logs and safe there.",
        ),
    ],
)
def sfn_logging(machine, ctx):
    """Executions "can be inspected in CloudWatch Logs by enabling logging on your machine" (seed
    notes 001 #300). An EXPRESS workflow keeps no execution history of its own: without logging, a
    failed execution leaves no trace (warning). A STANDARD workflow keeps 90 days of history in
    Step Functions (SFN005, info).

    `Level` defaults to OFF. A Level other than OFF without `Destinations` fails the deployment:
    that is a deploy failure, not this advice.
    """
    kind_key, logging_key = _settings(machine)
    for scenario, (kind, logging) in ctx.joint(
        ctx.values(machine, f"Properties.{kind_key}"), ctx.values(machine, f"Properties.{logging_key}")
    ):
        kind = "STANDARD" if kind is ABSENT else kind
        level = lookup(logging, "Level")
        if kind not in ("STANDARD", "EXPRESS") or not (level is ABSENT or isinstance(level, str)):
            continue
        if level is ABSENT or level == "OFF":
            path = f"Properties.{logging_key}" + (".Level" if level == "OFF" else "")
            if kind == "EXPRESS":
                message = (
                    "Turn on logging (Level ERROR or ALL, with a log group): an EXPRESS workflow keeps no execution "
                    "history, so a failed execution leaves no trace."
                )
                yield ctx.finding(machine, path, message, scenario)
            else:
                message = (
                    "Turn on logging (Level ERROR or ALL, with a log group) to keep this workflow's executions in "
                    "CloudWatch Logs beyond the 90 days of history Step Functions keeps."
                )
                yield ctx.finding(machine, path, message, scenario, rule="SFN005")
        elif as_bool(lookup(logging, "IncludeExecutionData"), False):
            yield ctx.finding(
                machine,
                f"Properties.{logging_key}.IncludeExecutionData",
                "IncludeExecutionData writes every state's input and output to the logs: turn it off unless the "
                "payloads are safe to keep there.",
                scenario,
                rule="SFN006",
            )
