"""EventBridge: what happens to events a rule cannot deliver (catalog section 3.12, tier 2)."""

from __future__ import annotations

from cfncheck.api import ABSENT, INFO, check


@check(
    "EVT004",
    "events-target-without-dead-letter-queue",
    INFO,
    types=["AWS::Events::Rule"],
    fix="Add a DeadLetterConfig (an SQS queue) to the target, so events EventBridge cannot deliver are kept.",
    example="\nTargets:\n  - {Id: worker, Arn: !GetAtt Queue.Arn}   # no DeadLetterConfig",
)
def target_without_dead_letter_queue(rule, ctx):
    """EventBridge retries a target it cannot deliver to (throttled, deleted, or refused for lack of
    permission) for up to 24 hours and 185 attempts, then drops the event — silently, unless the
    target has a dead-letter queue. This is advice (info).

    The catalog's EVT001 mixes this advice with deploy failures (Kinesis, Firehose, Step Functions,
    ECS, CodeBuild and Run Command targets without RoleArn, ECS targets without a task definition,
    which PutTargets rejects): EVT001 keeps the deploy failures, and the advice has an id of its own."""
    for path, alt in ctx.elements(rule, ("Properties", "Targets")):
        target = alt.value
        if isinstance(target, dict) and target.get("DeadLetterConfig", ABSENT) in (ABSENT, None):
            yield ctx.finding(
                rule,
                path + ("Arn",) if "Arn" in target else path,
                f"Target {target.get('Id', '')} has no DeadLetterConfig: events EventBridge cannot deliver are "
                "dropped after 24 hours of retries. Add an SQS dead-letter queue.",
                alt.scenario,
            )
