"""SNS topics in their wiring: publishing services and subscribed queues."""

from __future__ import annotations

from cfncheck.analysis.policy import condition_values
from cfncheck.analysis.wiring import QUEUE, TOPIC, deliveries, unattached_policies
from cfncheck.api import ERROR, INFO, WARNING, Child, check

from . import deliveries_refused, granting_statements, producer_policy_findings


@check(
    "SNS004",
    "sns-producer-without-topic-policy",
    ERROR,
    types=None,
    fix="Add an AWS::SNS::TopicPolicy allowing the service (s3, cloudtrail .amazonaws.com) sns:Publish, "
    "scoped with aws:SourceArn; make the bucket DependsOn it.",
    deploy_failure=True,
    children=[
        deliveries_refused("SNS010", "sns-producer-deliveries-refused", "topic", "AWS::SNS::TopicPolicy", "SNS004")
    ],
)
def producer_without_topic_policy(ctx):
    """A service that publishes to a topic needs the topic's policy to let it.

    S3 validates a notification when the bucket is created (the topic policy must exist first,
    and FIFO topics cannot be notified); CloudTrail fails to create a trail whose topic refuses
    it. An EventBridge rule deploys, but every delivery fails (SNS010)."""
    yield from producer_policy_findings(
        ctx, TOPIC, "AWS::SNS::TopicPolicy", "sns:Publish", "Properties.FifoTopic", "topic", "SNS010"
    )


@check(
    "SNS002",
    "sns-sqs-subscription-without-queue-policy",
    WARNING,
    types=None,
    fix="Add an AWS::SQS::QueuePolicy allowing sns.amazonaws.com sqs:SendMessage with aws:SourceArn equal to "
    "the topic.",
    children=[
        Child(
            "SNS008",
            "sns-queue-policy-any-topic",
            INFO,
            """A queue policy that lets SNS send to a queue subscribed to a topic without an
            ``aws:SourceArn`` condition: any topic, of any account, can send to it.""",
            fix="Add a Condition on aws:SourceArn equal to the topic's ARN.",
            formerly=("SNS002",),
        )
    ],
)
def sqs_subscription_without_queue_policy(ctx):
    """A queue subscribed to a topic receives nothing unless its policy lets SNS send to it.

    The stack deploys and the subscription is confirmed, but every message is dropped. A policy
    letting SNS in without ``aws:SourceArn`` lets any topic (of any account) send: SNS008."""
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
                rule="SNS008",
                related=[ctx.location(delivery.source, delivery.path, message="subscription")],
            )
