"""Lambda: what happens to events a function fails on — asynchronous invocations and stream
batches (catalog section 3.11, tier 2)."""

from __future__ import annotations

from cfncheck.analysis.wiring import FUNCTIONS, SAM_FUNCTION, deliveries, polled, sam_events
from cfncheck.api import ABSENT, WARNING, Context, Resource, as_bool, as_number, check

ASYNC_DELIVERERS = ("AWS::S3::Bucket", "AWS::Events::Rule", "AWS::SNS::Subscription", "AWS::SNS::Topic")
ASYNC_SAM_EVENTS = ("S3", "SNS", "EventBridgeRule", "CloudWatchEvent", "Schedule")
INVOKE_CONFIG = "AWS::Lambda::EventInvokeConfig"


def _async_invokers(ctx: Context, function: Resource) -> list[tuple[Resource, tuple]]:
    """The resources of the template that invoke the function asynchronously, with the property."""
    found = [
        (delivery.source, delivery.path)
        for delivery in deliveries(ctx)
        if delivery.deliverer.type in ASYNC_DELIVERERS and delivery.destination.resource is function
    ]
    if function.type == SAM_FUNCTION:
        found += [
            (function, ("Properties", "Events", name, "Type"))
            for name, kind, _ in sam_events(function)
            if kind in ASYNC_SAM_EVENTS
        ]
    return found


def _handles_failures(ctx: Context, function: Resource) -> bool:
    """A dead-letter queue, or an on-failure destination (SAM's EventInvokeConfig, or an
    ``AWS::Lambda::EventInvokeConfig`` naming the function); unknown values count as handling."""
    for path in (
        "Properties.DeadLetterConfig.TargetArn",
        "Properties.DeadLetterQueue.TargetArn",
        "Properties.EventInvokeConfig.DestinationConfig.OnFailure.Destination",
    ):
        if any(alt.value is not ABSENT for alt in ctx.values(function, path)):
            return True
    for config in ctx.resources(INVOKE_CONFIG):
        names = [alt.value for alt in ctx.values(config, "Properties.FunctionName")]
        ours = any(isinstance(name, str) or ctx.refers_to(name, function) for name in names)  # a literal may be it
        destinations = ctx.values(config, "Properties.DestinationConfig.OnFailure.Destination")
        if ours and any(alt.value is not ABSENT for alt in destinations):
            return True
    return False


@check(
    "LAMBDA004",
    "lambda-async-without-failure-destination",
    WARNING,
    types=FUNCTIONS,
    fix="Add an on-failure destination (AWS::Lambda::EventInvokeConfig DestinationConfig.OnFailure, or SAM "
    "EventInvokeConfig) or a DeadLetterConfig, so events that fail every retry are kept.",
    example="Bucket notification → Function   # no DeadLetterConfig, no EventInvokeConfig OnFailure",
)
def async_without_failure_destination(function, ctx):
    """Services that invoke a function asynchronously (S3 notifications, SNS, EventBridge rules and
    schedules) hand the event to Lambda's queue: when the function fails, Lambda retries twice and
    then drops the event, unless an on-failure destination or a dead-letter queue keeps it. Functions
    without such an invoker in the template are not judged (AWS recommends destinations over DLQs,
    and either passes here)."""
    invokers = _async_invokers(ctx, function)
    if not invokers or _handles_failures(ctx, function):
        return
    source, path = invokers[0]
    yield ctx.finding(
        function,
        "Type",
        f"{source.logical_id if source is not function else f'Its {path[2]} event'} invokes it asynchronously, "
        "and events that fail every retry are dropped: add an on-failure destination or a DeadLetterConfig.",
        related=(ctx.location(source, path, source.exists_in, message="the asynchronous invoker"),),
    )


STREAMS = ("AWS::Kinesis::Stream", "AWS::DynamoDB::Table", "AWS::Kinesis::StreamConsumer")


@check(
    "LAMBDA007",
    "lambda-stream-esm-without-failure-handling",
    WARNING,
    types=["AWS::Lambda::EventSourceMapping", SAM_FUNCTION],
    fix="Set MaximumRetryAttempts or MaximumRecordAgeInSeconds, BisectBatchOnFunctionError: true, and an "
    "on-failure destination (DestinationConfig.OnFailure).",
    example="\nEventSourceMapping:\n  Properties: {EventSourceArn: !GetAtt Stream.Arn, FunctionName: !Ref Fn}",
)
def stream_without_failure_handling(resource, ctx):
    """A Kinesis or DynamoDB stream mapping retries a failing batch until its records expire (a
    retry limit of -1 is the default): one bad record blocks its shard for up to a day (DynamoDB) or
    the stream's retention (Kinesis), and everything behind it waits. Any of a retry limit, a record
    age limit, batch bisection or an on-failure destination bounds the damage."""
    for source, origin, _ in polled(ctx, resource):
        if origin.type not in STREAMS:
            continue
        base = source.path[:-1] if source.is_sam else ("Properties",)
        if _bounded(ctx, resource, base):
            continue
        yield ctx.finding(
            resource,
            source.path,
            f"Failing batches from {origin.describe()} are retried until their records expire, blocking the shard: "
            "set MaximumRetryAttempts, BisectBatchOnFunctionError and an on-failure destination.",
        )


def _bounded(ctx: Context, resource: Resource, base: tuple) -> bool:
    def values(name):
        return [alt.value for alt in ctx.values(resource, base + tuple(name.split(".")))]

    if any(
        v is not ABSENT and as_number(v) != -1
        for v in values("MaximumRetryAttempts") + values("MaximumRecordAgeInSeconds")
    ):
        return True
    if any(as_bool(v, False) is not False for v in values("BisectBatchOnFunctionError")):
        return True
    return any(v is not ABSENT for v in values("DestinationConfig.OnFailure.Destination"))
