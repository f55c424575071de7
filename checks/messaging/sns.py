"""SNS topics in their wiring: publishing services and subscribed queues."""

from __future__ import annotations

from cfncheck.analysis.policy import condition_values
from cfncheck.analysis.wiring import QUEUE, TOPIC, deliveries, unattached_policies
from cfncheck.api import ERROR, INFO, WARNING, check

from . import granting_statements, producer_policy_findings


@check(
    "SNS004",
    "sns-producer-without-topic-policy",
    ERROR,
    types=None,
    fix="Add an AWS::SNS::TopicPolicy allowing the service (s3, cloudtrail, events .amazonaws.com) sns:Publish, "
    "scoped with aws:SourceArn; make the bucket DependsOn it.",
)
def producer_without_topic_policy(ctx):
    """A service that publishes to a topic needs the topic's policy to let it.

    S3 validates a notification when the bucket is created (the topic policy must exist first,
    and FIFO topics cannot be notified); CloudTrail fails to create a trail whose topic refuses
    it; an EventBridge rule deploys, but every delivery fails."""
    yield from producer_policy_findings(
        ctx, TOPIC, "AWS::SNS::TopicPolicy", "sns:Publish", "Properties.FifoTopic", "topic"
    )


@check(
    "SNS002",
    "sns-sqs-subscription-without-queue-policy",
    WARNING,
    types=None,
    fix="Add an AWS::SQS::QueuePolicy allowing sns.amazonaws.com sqs:SendMessage with aws:SourceArn equal to "
    "the topic.",
)
def sqs_subscription_without_queue_policy(ctx):
    """A queue subscribed to a topic receives nothing unless its policy lets SNS send to it.

    The stack deploys and the subscription is confirmed, but every message is dropped. A policy
    letting SNS in without ``aws:SourceArn`` lets any topic (of any account) send: info."""
    if unattached_policies(ctx, "AWS::SQS::QueuePolicy"):
        return
    for delivery in deliveries(ctx):
        if delivery.destination.type != QUEUE or delivery.deliverer.principal != "sns.amazonaws.com":
            continue
        granted = granting_statements(ctx, delivery, "sqs:SendMessage")
        queue = delivery.destination
        related = [queue.location(ctx, (), message=queue.logical_id)]
        if granted == []:
            yield ctx.finding(
                delivery.source,
                delivery.path,
                f"No queue policy of {queue.logical_id} allows sns.amazonaws.com to sqs:SendMessage: every message is "
                "dropped; add an AWS::SQS::QueuePolicy for it.",
                queue.scenario,
                related=related,
            )
        elif granted and not any(condition_values(s, "aws:SourceArn") for _, s in granted):
            policy = granted[0][0]
            yield ctx.finding(
                policy,
                "Properties.PolicyDocument",
                f"The policy lets SNS send to {queue.logical_id} from any topic: add a Condition on aws:SourceArn "
                "equal to the topic.",
                queue.scenario,
                severity=INFO,
                related=[ctx.location(delivery.source, delivery.path, message="subscription")],
            )
