"""SQS queues in their wiring: consumers, redrive policies, dead-letter queues and producers."""

from __future__ import annotations

import json

from cfncheck.analysis.returns import ref_returns
from cfncheck.analysis.wiring import EVENT_SOURCE_MAPPING, QUEUE, SAM_FUNCTION, consumers, named_by, polled
from cfncheck.api import (
    ABSENT,
    ERROR,
    INFO,
    WARNING,
    Child,
    Link,
    Reference,
    as_bool,
    as_number,
    check,
    per_template,
)

from . import deliveries_refused, producer_policy_findings

DEFAULT_VISIBILITY = 30
DEFAULT_TIMEOUT = 3
DEFAULT_RETENTION = 345_600
MAX_RETENTION = 1_209_600


@check(
    "SQS001",
    "sqs-visibility-below-lambda-timeout",
    ERROR,
    types=[EVENT_SOURCE_MAPPING, SAM_FUNCTION],
    options={"multiple": 6},
    fix="Raise the queue's VisibilityTimeout to at least the function's Timeout (six times it, SQS014).",
    deploy_failure=True,
    children=[
        Child(
            "SQS014",
            "sqs-visibility-short-for-lambda",
            WARNING,
            """A queue's VisibilityTimeout at least the Timeout of the function that consumes it, but
            below six times it (AWS's guidance; SQS001's option ``multiple``): a throttled batch
            becomes visible again while Lambda retries it, and is processed twice.""",
            fix="Raise the queue's VisibilityTimeout to at least six times the function's Timeout.",
            formerly=("SQS001",),
        )
    ],
)
def visibility_below_timeout(resource, ctx):
    """A queue's visibility timeout must outlast the function that processes its messages.

    Lambda refuses to create the mapping when VisibilityTimeout (default 30 s) is below the
    function's Timeout (default 3 s): "Queue visibility timeout ... is less than Function timeout".
    Below six times the Timeout, AWS's guidance, is SQS014. Values are paired per condition
    scenario; the multiple is the option ``multiple``."""
    multiple = ctx.options["multiple"]
    for source, queue, function in polled(ctx, resource):
        if queue.type != QUEUE:
            continue
        for scenario, (visibility, timeout) in ctx.joint(
            queue.values("Properties.VisibilityTimeout"), function.values("Properties.Timeout")
        ):
            visibility, timeout = as_number(visibility, DEFAULT_VISIBILITY), as_number(timeout, DEFAULT_TIMEOUT)
            if visibility is None or timeout is None or visibility >= multiple * timeout:
                continue
            below = visibility < timeout
            related = [
                queue.location(ctx, "Properties.VisibilityTimeout", message=f"VisibilityTimeout of {queue.logical_id}"),
                function.location(ctx, "Properties.Timeout", message=f"Timeout of {function.logical_id}"),
            ]
            yield ctx.finding(
                source.owner,
                source.path,
                f"Queue {queue.describe()} has VisibilityTimeout {visibility} s, "
                + (
                    f"below the Timeout {timeout} s of function {function.logical_id}: Lambda rejects the mapping"
                    if below
                    else f"less than {multiple} x the Timeout {timeout} s of function {function.logical_id}"
                )
                + f"; set VisibilityTimeout to at least {multiple * timeout}.",
                scenario,
                rule=None if below else "SQS014",
                related=related,
            )


def _redrive(ctx, queue):
    """(scenario, policy) for each alternative of a queue's RedrivePolicy that is set and known:
    a mapping, or a JSON string parsed (None when the string is not JSON)."""
    for alt in ctx.values(queue, "Properties.RedrivePolicy"):
        policy = alt.value
        if isinstance(policy, str):
            try:
                policy = json.loads(policy)
            except ValueError:
                policy = None
            if policy is not None and not isinstance(policy, dict):
                policy = None
        elif not isinstance(policy, dict):
            continue
        yield alt.scenario, policy


def _dead_letter_queue(ctx, queue) -> list[Link]:
    """The in-template queues a queue's RedrivePolicy names as its dead-letter queue."""
    found = []
    for scenario, policy in _redrive(ctx, queue):
        target = policy.get("deadLetterTargetArn") if policy else None
        link = ctx.follow(target, scenario)
        if link is not None and link.type == QUEUE and not link.foreign and link.resource is not queue:
            found.append(link)
    return found


def _is_dead_letter_queue(ctx, queue) -> bool:
    return queue.logical_id in _dead_letter_queues(ctx)


@per_template
def _dead_letter_queues(ctx) -> set[str]:
    """The queues of the template that another queue names as its dead-letter queue."""
    return {dlq.resource.logical_id for other in ctx.resources(QUEUE) for dlq in _dead_letter_queue(ctx, other)}


@check(
    "SQS004",
    "sqs-redrive-policy-invalid",
    ERROR,
    types=[QUEUE],
    fix="Give RedrivePolicy deadLetterTargetArn: !GetAtt <DLQ>.Arn and maxReceiveCount between 1 and 1000, and "
    "let the DLQ's RedriveAllowPolicy accept this queue.",
    deploy_failure=True,
    children=[
        Child(
            "SQS016",
            "sqs-max-receive-count-low-for-lambda",
            WARNING,
            """A maxReceiveCount below 5 on a queue a Lambda function consumes: throttled batches count
            as receives, so messages reach the dead-letter queue without having been processed.""",
            fix="Set maxReceiveCount to 5 or more.",
            formerly=("SQS004",),
        )
    ],
)
def redrive_policy_invalid(queue, ctx):
    """A redrive policy SQS rejects.

    RedrivePolicy needs deadLetterTargetArn (a queue ARN, not the URL ``!Ref`` returns, not the
    queue itself) and maxReceiveCount (1-1000); the dead-letter queue's RedriveAllowPolicy must
    allow this queue. A maxReceiveCount below 5 with Lambda as consumer is SQS016."""
    path = "Properties.RedrivePolicy"
    for scenario, policy in _redrive(ctx, queue):
        if policy is None:
            yield ctx.finding(queue, path, "RedrivePolicy is not valid JSON: write it as a mapping.", scenario)
            continue
        missing = [key for key in ("deadLetterTargetArn", "maxReceiveCount") if key not in policy]
        if missing:
            yield ctx.finding(queue, path, f"RedrivePolicy lacks {' and '.join(missing)}: add it.", scenario)
        count = as_number(policy.get("maxReceiveCount"))
        if count is not None and not 1 <= count <= 1000:
            yield ctx.finding(queue, f"{path}.maxReceiveCount", f"maxReceiveCount {count} is outside 1-1000.", scenario)
        elif count is not None and count < 5 and queue.logical_id in consumers(ctx):
            yield ctx.finding(
                queue,
                f"{path}.maxReceiveCount",
                f"maxReceiveCount {count} on a queue Lambda consumes: throttled batches count as receives; "
                "use 5 or more.",
                scenario,
                rule="SQS016",
            )
        if "deadLetterTargetArn" in policy:
            yield from _dead_letter_target(ctx, queue, policy["deadLetterTargetArn"], scenario)


def _dead_letter_target(ctx, queue, target, scenario):
    path = "Properties.RedrivePolicy.deadLetterTargetArn"
    link = ctx.follow(target, scenario)
    if isinstance(target, Reference) and link is not None and link.type == QUEUE and target.attribute is None:
        yield ctx.finding(
            queue, path, f"!Ref {link.logical_id} is the queue URL: use !GetAtt {link.logical_id}.Arn.", scenario
        )
        return
    if link is not None and link.resource is queue:
        yield ctx.finding(queue, path, "The queue is its own dead-letter queue: name another queue.", scenario)
        return
    if isinstance(target, Reference) and link is not None and link.type != QUEUE:
        returns = ref_returns(link.type) if target.attribute is None else target.attribute
        yield ctx.finding(
            queue, path, f"{link.logical_id} is a {link.type} ({returns}), not an SQS queue ARN.", scenario
        )
        return
    if isinstance(target, str):
        yield from _literal_target(ctx, queue, target, scenario)
        return
    if link is not None and link.type == QUEUE and not link.foreign:
        yield from _redrive_allowed(ctx, queue, link, scenario)


def _literal_target(ctx, queue, arn: str, scenario):
    path = "Properties.RedrivePolicy.deadLetterTargetArn"
    parts = arn.split(":")
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "sqs":
        yield ctx.finding(queue, path, f"{arn!r} is not an SQS queue ARN: use !GetAtt <DLQ>.Arn.", scenario)
        return
    region, account = ctx.resolver.region, ctx.resolver.pseudo.get("AWS::AccountId")
    if (region and parts[3] != region) or (account and parts[4] != account):
        yield ctx.finding(
            queue,
            path,
            "The dead-letter queue must be in the queue's account and region: name a queue there.",
            scenario,
        )


def _redrive_allowed(ctx, queue, dlq: Link, scenario):
    for scenario_allow, (allow,) in ctx.joint(dlq.values("Properties.RedriveAllowPolicy")):
        if scenario.merge(scenario_allow) is None:
            continue
        if isinstance(allow, str):
            try:
                allow = json.loads(allow)
            except ValueError:
                continue
        if not isinstance(allow, dict):
            continue
        permission = allow.get("redrivePermission")
        sources = allow.get("sourceQueueArns", [])
        named = [ctx.follow(s) for s in (sources if isinstance(sources, list) else [sources])]
        # a source that cannot be followed might be this queue
        by_other_queues = None not in named and all(link.resource is not queue for link in named)
        if permission == "denyAll" or (permission == "byQueue" and by_other_queues):
            yield ctx.finding(
                queue,
                "Properties.RedrivePolicy.deadLetterTargetArn",
                f"The RedriveAllowPolicy of {dlq.logical_id} does not allow this queue: add it to sourceQueueArns "
                "(or use allowAll).",
                scenario.merge(scenario_allow),
                related=[dlq.location(ctx, "Properties.RedriveAllowPolicy", message="RedriveAllowPolicy")],
            )


@check(
    "SQS005",
    "sqs-dlq-type-mismatch",
    ERROR,
    types=[QUEUE],
    fix="Make the dead-letter queue the same kind as its source: both FIFO or both standard.",
    deploy_failure=True,
)
def dlq_type_mismatch(queue, ctx):
    """A FIFO queue needs a FIFO dead-letter queue, and a standard queue a standard one; SQS
    rejects the redrive policy otherwise. FifoQueue defaults to false."""
    for dlq in _dead_letter_queue(ctx, queue):
        for scenario, (fifo, dlq_fifo) in ctx.joint(
            ctx.values(queue, "Properties.FifoQueue"), dlq.values("Properties.FifoQueue")
        ):
            fifo, dlq_fifo = as_bool(fifo, False), as_bool(dlq_fifo, False)
            if fifo is None or dlq_fifo is None or fifo == dlq_fifo:
                continue
            kinds = ("FIFO", "standard") if fifo else ("standard", "FIFO")
            yield ctx.finding(
                queue,
                "Properties.RedrivePolicy.deadLetterTargetArn",
                f"A {kinds[0]} queue cannot use the {kinds[1]} queue {dlq.logical_id} as dead-letter queue: "
                f"use a {kinds[0]} dead-letter queue.",
                scenario,
                related=[dlq.location(ctx, "Properties.FifoQueue", message=f"FifoQueue of {dlq.logical_id}")],
            )


@check(
    "SQS006",
    "sqs-dlq-retention-too-short",
    WARNING,
    types=[QUEUE],
    fix="Set the dead-letter queue's MessageRetentionPeriod longer than its source's (1209600, 14 days, is the "
    "maximum).",
    children=[
        Child(
            "SQS017",
            "sqs-dlq-without-alarm",
            INFO,
            """A dead-letter queue that no CloudWatch alarm of the template watches: messages that
            failed land there unnoticed until they expire.""",
            fix="Add an AWS::CloudWatch::Alarm on the queue's ApproximateNumberOfMessagesVisible.",
            formerly=("SQS006",),
        )
    ],
)
def dlq_retention_too_short(queue, ctx):
    """A dead-letter queue that keeps messages no longer than its source loses them unread.

    A standard queue's message keeps its original enqueue time when it moves to the DLQ, so a
    retention (default 345600 s, 4 days) not longer than the source's expires it there at once
    or soon; the 1209600 s maximum always passes. FIFO sources are not reported (redrive
    resets the time). A DLQ nobody is alarmed about is SQS017."""
    for dlq in _dead_letter_queue(ctx, queue):
        for scenario, (fifo, retention, dlq_retention) in ctx.joint(
            ctx.values(queue, "Properties.FifoQueue"),
            ctx.values(queue, "Properties.MessageRetentionPeriod"),
            dlq.values("Properties.MessageRetentionPeriod"),
        ):
            retention = as_number(retention, DEFAULT_RETENTION)
            dlq_retention = as_number(dlq_retention, DEFAULT_RETENTION)
            if as_bool(fifo) or None in (retention, dlq_retention) or dlq_retention >= MAX_RETENTION:
                continue
            if dlq_retention <= retention:
                yield ctx.finding(
                    dlq.resource,
                    "Properties.MessageRetentionPeriod",
                    f"Dead-letter queue of {queue.logical_id} keeps messages {dlq_retention} s, not longer than its "
                    f"source ({retention} s): messages can expire before anyone reads them; set 1209600.",
                    scenario,
                    related=[
                        ctx.location(
                            queue, "Properties.MessageRetentionPeriod", message=f"retention of {queue.logical_id}"
                        )
                    ],
                )
    if _is_dead_letter_queue(ctx, queue) and not any(
        queue.logical_id in named_by(alarm) for alarm in ctx.resources("AWS::CloudWatch::Alarm")
    ):
        yield ctx.finding(
            queue,
            "Type",
            f"No alarm watches dead-letter queue {queue.logical_id}: add an AWS::CloudWatch::Alarm on its "
            "ApproximateNumberOfMessagesVisible.",
            rule="SQS017",
        )


@check(
    "SQS007",
    "sqs-consumed-queue-without-dlq",
    WARNING,
    types=[QUEUE],
    fix="Add a RedrivePolicy with deadLetterTargetArn (a dead-letter queue) and maxReceiveCount.",
)
def consumed_queue_without_dlq(queue, ctx):
    """A queue a Lambda function consumes needs a dead-letter queue: without RedrivePolicy a
    message the function cannot process is retried until it expires, blocking and billing.
    Queues consumed outside the template, and queues that are themselves DLQs, are not reported."""
    sources = consumers(ctx).get(queue.logical_id)
    if not sources or _is_dead_letter_queue(ctx, queue):
        return
    related = [ctx.location(source.owner, source.path, message="consumed here") for source in sources]
    for alt in ctx.values(queue, "Properties.RedrivePolicy"):
        if alt.value is ABSENT:
            yield ctx.finding(
                queue,
                "Properties.RedrivePolicy",
                f"Queue {queue.logical_id} is consumed by Lambda but has no RedrivePolicy: add a dead-letter queue.",
                alt.scenario,
                related=related,
            )


@check(
    "SQS009",
    "sqs-producer-without-queue-policy",
    ERROR,
    types=None,
    fix="Add an AWS::SQS::QueuePolicy allowing the service (s3.amazonaws.com) sqs:SendMessage, scoped with "
    "aws:SourceArn; make the bucket DependsOn it.",
    deploy_failure=True,
    children=[
        deliveries_refused("SQS021", "sqs-producer-deliveries-refused", "queue", "AWS::SQS::QueuePolicy", "SQS009")
    ],
)
def producer_without_queue_policy(ctx):
    """A service that sends to a queue needs the queue's policy to let it.

    S3 validates a notification when the bucket is created: without a queue policy allowing
    s3.amazonaws.com sqs:SendMessage (created before the bucket) the stack fails, and S3 cannot
    notify FIFO queues at all. An EventBridge rule deploys, but every delivery fails (SQS021)."""
    yield from producer_policy_findings(
        ctx, QUEUE, "AWS::SQS::QueuePolicy", "sqs:SendMessage", "Properties.FifoQueue", "queue", "SQS021"
    )
