"""Encryption of SNS topics and of their deliveries to subscribers."""

from __future__ import annotations

from cfncheck.analysis.wiring import service_senders
from cfncheck.api import ABSENT, INFO, WARNING, check, lookup


@check(
    "SNS001",
    "sns-topic-unencrypted",
    INFO,
    types=["AWS::SNS::Topic"],
    fix="Set KmsMasterKeyId to a KMS key (a customer managed key whose policy allows the AWS services that"
    " publish to the topic; alias/aws/sns only for topics that no AWS service publishes to).",
    tags=("security",),
)
def sns_topic_unencrypted(topic, ctx):
    """Encrypt topics that carry sensitive messages with a KMS key, to control who can read them.

    AWS default: re-verified — without KmsMasterKeyId SNS stores messages with its own disk
    encryption (Security Hub's SNS.1 control says so, and was retired from the AWS Foundational
    Security Best Practices in April 2024), so an absent key is info, like SQS003. AWS services
    that publish to the topic (S3 notifications, EventBridge rules, CloudWatch alarms, CloudTrail,
    services its topic policy allows) cannot use the AWS managed alias/aws/sns key: for such a
    topic the message asks for a customer managed key whose policy allows them.
    """
    for alt in ctx.values(topic, "Properties.KmsMasterKeyId"):
        if alt.value is not ABSENT:
            continue
        senders = service_senders(ctx, topic)
        if senders:
            key = (
                f"a customer managed key whose key policy lets {', '.join(senders)} call kms:GenerateDataKey* and"
                " kms:Decrypt (AWS services cannot use the AWS managed alias/aws/sns)"
            )
        else:
            key = "alias/aws/sns, or a customer managed key to control who can read the messages"
        yield ctx.finding(
            topic,
            "Properties.KmsMasterKeyId",
            "Set KmsMasterKeyId where the messages are sensitive (SNS applies only its own disk encryption): use"
            f" {key}.",
            alt.scenario,
        )


@check(
    "SNS005",
    "sns-http-subscription",
    WARNING,
    types=["AWS::SNS::Subscription", "AWS::SNS::Topic"],
    fix="Subscribe with Protocol https and an https:// endpoint.",
    tags=("security",),
)
def sns_http_subscription(resource, ctx):
    """SNS delivers to HTTP endpoints in plaintext; subscribe with HTTPS."""
    if resource.type == "AWS::SNS::Topic":
        subscriptions = [
            (path, alt.value, alt.scenario) for path, alt in ctx.elements(resource, "Properties.Subscription")
        ]
    else:
        subscriptions = [
            (("Properties",), alt.value, alt.scenario)
            for alt in ctx.values(resource, "Properties")
            if isinstance(alt.value, dict)
        ]
    for path, subscription, scenario in subscriptions:
        protocol, endpoint = lookup(subscription, "Protocol"), lookup(subscription, "Endpoint")
        if protocol == "http" or (
            protocol == "https" and isinstance(endpoint, str) and endpoint.lower().startswith("http://")
        ):
            yield ctx.finding(
                resource,
                path + ("Protocol",),
                "Use Protocol https with an https:// endpoint: SNS delivers to this subscriber in plaintext.",
                scenario,
            )
