"""Queues and topics the services refuse: FIFO settings on standard queues, and subscriptions
that mix FIFO and standard where SNS does not allow it.

A FIFO queue's or topic's name (`.fifo`) is judged by CFN032 from the schema patches; these
checks read what a name pattern cannot.
"""

from __future__ import annotations

from cfncheck.api import ABSENT, ERROR, as_bool, check

QUEUE, TOPIC, SUBSCRIPTION = "AWS::SQS::Queue", "AWS::SNS::Topic", "AWS::SNS::Subscription"
FIFO_ONLY = ("ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit")


@check(
    "SQS010",
    "sqs-fifo-attributes-invalid",
    ERROR,
    types=[QUEUE],
    fix="Set FifoQueue: true (and a name ending in .fifo) for a FIFO queue, or remove the FIFO-only attributes; "
    "with FifoThroughputLimit perMessageGroupId, set DeduplicationScope messageGroup.",
    example="Resources:\n  Orders:\n    Type: AWS::SQS::Queue\n    Properties:\n      ContentBasedDeduplication: true",
    deploy_failure=True,
)
def fifo_attributes_invalid(queue, ctx):
    """SQS refuses FIFO-only attributes on a standard queue (FifoQueue absent or false):
    ContentBasedDeduplication true, DeduplicationScope or FifoThroughputLimit fail CreateQueue
    ("Unknown Attribute ContentBasedDeduplication."). On a FIFO queue, "the perMessageGroupId
    value is allowed only when the value for DeduplicationScope is messageGroup". Source: the
    SQS CreateQueue API reference (Attributes),
    https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html."""
    fifo_alts = ctx.values(queue, "Properties.FifoQueue")
    for key in FIFO_ONLY:
        for scenario, (fifo, value) in ctx.joint(fifo_alts, ctx.values(queue, f"Properties.{key}")):
            if value is ABSENT or as_bool(fifo, False) is not False:
                continue
            if key == "ContentBasedDeduplication" and as_bool(value) is not True:
                continue  # only `true` is known to be refused
            message = (
                f'{key} on a standard queue: SQS refuses it ("Unknown Attribute {key}."). Set FifoQueue: true '
                f"for a FIFO queue, or remove {key}."
            )
            yield ctx.finding(queue, f"Properties.{key}", message, scenario)
    for scenario, (fifo, limit, scope) in ctx.joint(
        fifo_alts,
        ctx.values(queue, "Properties.FifoThroughputLimit"),
        ctx.values(queue, "Properties.DeduplicationScope"),
    ):
        if as_bool(fifo) is True and limit == "perMessageGroupId" and scope in (ABSENT, "queue"):
            message = (
                "FifoThroughputLimit perMessageGroupId needs DeduplicationScope messageGroup (the default is queue): "
                'SQS allows perMessageGroupId "only when the value for DeduplicationScope is messageGroup".'
            )
            yield ctx.finding(queue, "Properties.FifoThroughputLimit", message, scenario)


def _subscriptions(resource, ctx):
    """(topic link or the topic itself, path, protocol, endpoint, scenario) for each subscription
    a topic declares inline or an AWS::SNS::Subscription makes."""
    if resource.type == TOPIC:
        for path, alt in ctx.elements(resource, "Properties.Subscription"):
            if isinstance(alt.value, dict):
                yield None, path, alt.value.get("Protocol"), alt.value.get("Endpoint", ABSENT), alt.scenario
        return
    for scenario, (topic, protocol, endpoint) in ctx.joint(
        ctx.values(resource, "Properties.TopicArn"),
        ctx.values(resource, "Properties.Protocol"),
        ctx.values(resource, "Properties.Endpoint"),
    ):
        link = ctx.follow(topic, scenario)
        if link is not None and link.type == TOPIC:
            yield link, ("Properties",), protocol, endpoint, scenario


def _fifo_queue(endpoint, ctx, scenario) -> bool | None:
    """Whether an SQS endpoint is a FIFO queue: a queue of the run with FifoQueue, or an ARN
    ending in .fifo; None when unknown."""
    link = ctx.follow(endpoint, scenario)
    if link is not None and link.type == QUEUE:
        kinds = {as_bool(alt.value, False) for alt in link.values("Properties.FifoQueue")}
        return kinds.pop() if len(kinds) == 1 else None
    if isinstance(endpoint, str) and endpoint.startswith("arn:"):
        return endpoint.endswith(".fifo")
    return None


@check(
    "SNS006",
    "sns-fifo-mismatch",
    ERROR,
    types=[TOPIC, SUBSCRIPTION],
    fix="Subscribe only SQS queues to a FIFO topic, and FIFO queues only to FIFO topics (FifoTopic: true, a name "
    "ending in .fifo).",
    example="Resources:\n  Orders:\n    Type: AWS::SNS::Topic\n    Properties:\n      FifoTopic: true\n"
    "      TopicName: orders.fifo\n      Subscription:\n        - Protocol: email\n"
    "          Endpoint: ops@example.com",
    deploy_failure=True,
)
def fifo_mismatch(resource, ctx):
    """SNS refuses two subscriptions that mix FIFO and standard: a FIFO topic delivers only to
    SQS queues (any other protocol fails Subscribe: "Invalid parameter: Invalid protocol type"),
    and a FIFO queue cannot subscribe to a standard topic ("Invalid parameter: Endpoint Reason:
    FIFO SQS Queues can not be subscribed to standard SNS topics"). A FIFO topic may deliver to a
    standard queue. Source: the SNS developer guide, "FIFO topics" and "Message delivery",
    https://docs.aws.amazon.com/sns/latest/dg/fifo-message-delivery.html."""
    for link, path, protocol, endpoint, scenario in _subscriptions(resource, ctx):
        kinds = link.values("Properties.FifoTopic") if link else ctx.values(resource, "Properties.FifoTopic")
        for kind in kinds:
            both = ctx.merge(scenario, kind.scenario)
            fifo_topic = as_bool(kind.value, False)
            if both is None or fifo_topic is None or not isinstance(protocol, str):
                continue
            topic = link.logical_id if link else resource.logical_id
            related = [link.location(ctx, "Properties.FifoTopic", message=topic)] if link else []
            if fifo_topic and protocol != "sqs":
                message = (
                    f"The {protocol} subscription to the FIFO topic {topic}: FIFO topics deliver only to SQS queues, "
                    f'and SNS refuses it ("Invalid parameter: Invalid protocol type: {protocol}").'
                )
                yield ctx.finding(resource, path + ("Protocol",), message, both, related=related)
            elif not fifo_topic and protocol == "sqs" and _fifo_queue(endpoint, ctx, both):
                message = (
                    f'A FIFO queue subscribed to the standard topic {topic}: SNS refuses it ("FIFO SQS Queues can not '
                    'be subscribed to standard SNS topics"). Make the topic FIFO, or the queue standard.'
                )
                yield ctx.finding(resource, path + ("Endpoint",), message, both, related=related)
