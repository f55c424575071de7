"""EventBridge rules and targets the service refuses."""

from __future__ import annotations

import re

from cfncheck.api import ABSENT, ERROR, check

RULE = "AWS::Events::Rule"
ROLE_NEEDED = {
    "kinesis": "AWS::Kinesis::Stream",
    "firehose": "AWS::KinesisFirehose::DeliveryStream",
    "states": "AWS::StepFunctions::StateMachine",
    "ecs": "AWS::ECS::Cluster",
    "codebuild": "AWS::CodeBuild::Project",
    "ssm": None,  # Run Command documents: no resource type of their own
}
"""Target services EventBridge can only call with the target's RoleArn (the service of the
target's ARN, and the type of a resource of this template that is such a target)."""
_ARN_SERVICE = re.compile(r"^arn:[\w-]+:([\w-]+):")
_RATE = re.compile(r"^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$")
_CRON = re.compile(r"^cron\((.*)\)$")
MAX_TARGETS = 5
INPUTS = ("Input", "InputPath", "InputTransformer")


def _service(ctx, arn, scenario) -> str | None:
    """The service of a target's ARN, written or of the resource it names; None when not known."""
    if isinstance(arn, str):
        found = _ARN_SERVICE.match(arn)
        return found.group(1) if found else None
    link = ctx.follow(arn, scenario)
    if link is None:
        return None
    return next((service for service, kind in ROLE_NEEDED.items() if kind == link.type), "other")


def schedule_problem(expression: str) -> str | None:
    """Why EventBridge refuses a rule's ScheduleExpression, or None."""
    text = expression.strip()
    if (rate := _RATE.match(text)) is not None:
        value, unit = int(rate.group(1)), rate.group(2)
        if value == 0:
            return "a rate must be at least 1"
        if (value == 1) != (not unit.endswith("s")):
            return f"the unit of rate({value} …) must be {'singular' if value == 1 else 'plural'}"
        return None
    if (cron := _CRON.match(text)) is not None:
        fields = cron.group(1).split()
        if any(field.endswith(",") for field in fields):
            return "cron fields are separated by spaces alone (a comma lists values inside one field)"
        if len(fields) != 6:
            return (
                f"a cron expression has 6 fields (minutes hours day-of-month month day-of-week year), not {len(fields)}"
            )
        if (fields[2] == "?") == (fields[4] == "?"):
            return "exactly one of day-of-month and day-of-week must be ?"
        return None
    return "a schedule is rate(value unit) or cron(6 fields)"


@check(
    "EVT001",
    "events-target-missing-role-or-params",
    ERROR,
    types=[RULE],
    fix="Give the target a RoleArn of a role EventBridge can assume (events.amazonaws.com) with permission to "
    "call it; give an ECS target EcsParameters.TaskDefinitionArn.",
    example="Resources:\n  Nightly:\n    Type: AWS::Events::Rule\n    Properties:\n"
    "      ScheduleExpression: rate(1 day)\n      Targets:\n"
    "        - Id: stream\n          Arn: arn:aws:kinesis:us-east-1:123456789012:stream/events",
    deploy_failure=True,
)
def target_missing_role_or_params(rule, ctx):
    """EventBridge calls Kinesis streams, Firehose delivery streams, Step Functions state machines,
    ECS clusters, CodeBuild projects and Run Command only with the role named by the target's
    RoleArn: PutTargets refuses such a target without one ("RoleArn is required for target …"),
    and an ECS target without EcsParameters.TaskDefinitionArn. The stack fails. (Lambda, SNS and
    SQS targets use resource policies: LAMBDA001, SNS004, SQS009; a dead-letter queue is EVT004.)
    Source: the EventBridge PutTargets API reference (RoleArn, EcsParameters)."""
    for path, alt in ctx.elements(rule, "Properties.Targets"):
        target = alt.value
        if not isinstance(target, dict):
            continue
        service = _service(ctx, target.get("Arn", ABSENT), alt.scenario)
        name = target.get("Id", "")
        if service in ROLE_NEEDED and "RoleArn" not in target:
            message = (
                f'Target {name} ({service}) has no RoleArn: EventBridge refuses it ("RoleArn is required for target"). '
                "Add a role EventBridge can assume to call it."
            )
            yield ctx.finding(rule, path + ("Arn",), message, alt.scenario)
        if service == "ecs":
            parameters = target.get("EcsParameters", ABSENT)
            if not isinstance(parameters, dict) or "TaskDefinitionArn" not in parameters:
                message = f"ECS target {name} has no EcsParameters.TaskDefinitionArn: EventBridge refuses it."
                yield ctx.finding(rule, path + ("EcsParameters",), message, alt.scenario)


@check(
    "EVT002",
    "events-rule-invalid",
    ERROR,
    types=[RULE],
    fix="Write the schedule as rate(1 hour) / rate(5 minutes) or as cron() with 6 fields and exactly one ? in "
    "day-of-month or day-of-week; keep schedules on the default bus, at most 5 targets, one input per target.",
    example="Resources:\n  Monthly:\n    Type: AWS::Events::Rule\n    Properties:\n"
    '      ScheduleExpression: "cron(5 0 1 * * *)"',
    deploy_failure=True,
)
def rule_invalid(rule, ctx):
    """A rule EventBridge refuses, failing the stack: neither EventPattern nor ScheduleExpression;
    a schedule that is not ``rate(value unit)`` (singular unit for 1, plural otherwise) or a
    ``cron()`` of 6 fields with ``?`` in exactly one of day-of-month and day-of-week ("Parameter
    ScheduleExpression is not valid"); a schedule on another bus than the default ("ScheduleExpression
    is supported only on the default event bus"); more than 5 targets; a target with more than one
    of Input, InputPath and InputTransformer. Source: the EventBridge user guide (schedule
    expressions, quotas) and the PutRule and PutTargets API references."""
    for alt in ctx.values(rule, "Properties"):
        body, scenario = alt.value, alt.scenario
        if not isinstance(body, dict):
            continue
        schedule = body.get("ScheduleExpression", ABSENT)
        if schedule is ABSENT and "EventPattern" not in body:
            message = "A rule with neither EventPattern nor ScheduleExpression: EventBridge refuses it."
            yield ctx.finding(rule, "Properties", message, scenario)
        if isinstance(schedule, str) and (problem := schedule_problem(schedule)):
            refused = '(EventBridge: "Parameter ScheduleExpression is not valid")'
            message = f"ScheduleExpression {schedule!r}: {problem} {refused}."
            yield ctx.finding(rule, "Properties.ScheduleExpression", message, scenario)
        bus = body.get("EventBusName", ABSENT)
        if schedule is not ABSENT and isinstance(bus, str) and bus not in ("default",) and not bus.endswith("/default"):
            message = (
                f'A schedule on event bus {bus}: EventBridge refuses it ("ScheduleExpression is supported only on '
                'the default event bus"). Put scheduled rules on the default bus.'
            )
            yield ctx.finding(rule, "Properties.EventBusName", message, scenario)
        targets = body.get("Targets", ABSENT)
        if isinstance(targets, list) and len(targets) > MAX_TARGETS:
            message = f"A rule with {len(targets)} targets: EventBridge allows at most {MAX_TARGETS} a rule."
            yield ctx.finding(rule, "Properties.Targets", message, scenario)
    for path, alt in ctx.elements(rule, "Properties.Targets"):
        target = alt.value
        inputs = [key for key in INPUTS if isinstance(target, dict) and key in target]
        if len(inputs) > 1:
            message = f"Target with {' and '.join(inputs)}: EventBridge takes only one of {', '.join(INPUTS)}."
            yield ctx.finding(rule, path + (inputs[1],), message, alt.scenario)
