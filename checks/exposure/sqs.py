"""Exposure of SQS queues through their queue policies."""

from __future__ import annotations

from cfncheck.analysis.policy import (
    SOURCE_KEYS,
    Statement,
    foreign_accounts,
    grants,
    restricted,
    service_name,
    services,
)
from cfncheck.api import ERROR, INFO, WARNING, Child, Context, Resource, check

from . import allowing_statements, public_grant

QUEUE_DEPUTIES = ("sns", "s3", "events")


CONDITIONS_HINT = "aws:SourceArn, aws:SourceAccount, aws:PrincipalOrgID or aws:SourceVpce"


@check(
    "SQS008",
    "sqs-queue-policy-open",
    ERROR,
    types=["AWS::SQS::QueuePolicy", "AWS::SQS::QueueInlinePolicy"],
    fix=f"Name the principals, or add a condition ({CONDITIONS_HINT}).",
    tags=("security",),
    children=[
        Child(
            "SQS018",
            "sqs-queue-policy-confused-deputy",
            WARNING,
            """A queue policy that lets a service principal (SNS, S3, EventBridge) send to the queue
            without an ``aws:SourceArn`` or ``aws:SourceAccount`` condition: anyone's topic, bucket or
            rule can make the service send here (confused deputy).""",
            fix="Add an aws:SourceArn condition naming the topic, bucket or rule (or aws:SourceAccount).",
            formerly=("SQS008",),
        ),
        Child(
            "SQS019",
            "sqs-queue-policy-cross-account-all-actions",
            WARNING,
            """A queue policy that grants another AWS account every queue action (``sqs:*`` or ``*``),
            deleting and purging the queue included (known when the deploy account is configured).""",
            fix="Grant the other account only the actions it needs (sqs:SendMessage, sqs:ReceiveMessage…).",
            formerly=("SQS008",),
        ),
        Child(
            "SQS020",
            "sqs-queue-policy-cross-account",
            INFO,
            """A queue policy that grants another AWS account access to the queue (known when the
            deploy account is configured): a note to check that the cross-account access is intended.""",
            fix="Keep the grant if the account is trusted; otherwise remove it.",
            formerly=("SQS008",),
        ),
    ],
)
def sqs_queue_policy_open(policy, ctx):
    """A queue policy that allows anyone (``Principal: "*"`` or NotPrincipal), with no condition on
    source or organization, lets any AWS account send, read or purge messages.

    A service principal (SNS, S3, EventBridge) without ``aws:SourceArn``/``aws:SourceAccount`` lets the
    service act for any account (confused deputy: SQS018); ``sqs:*`` or ``*`` to a foreign account is
    SQS019, other foreign-account grants SQS020 (foreign accounts are known only when the deploy account
    is configured)."""
    for statement in allowing_statements(policy, ctx):
        key = public_grant(statement)
        if key:
            yield ctx.finding(
                policy,
                statement.at(key),
                f"Anyone can use this queue: name the principals, or add a condition ({CONDITIONS_HINT}).",
                statement.scenario,
            )
            continue
        yield from _deputies(ctx, policy, statement, QUEUE_DEPUTIES)
        foreign = foreign_accounts(ctx, statement.principal)
        if foreign:
            everything = grants(statement, "sqs:DeleteQueue")
            yield ctx.finding(
                policy,
                statement.at("Principal"),
                f"Account {', '.join(foreign)} is granted "
                + ("every queue action: grant only the actions it needs." if everything else "access to this queue.")
                + " Check that this cross-account access is intended.",
                statement.scenario,
                rule="SQS019" if everything else "SQS020",
            )


def _deputies(ctx: Context, resource: Resource, statement: Statement, deputies: tuple[str, ...]):
    unguarded = [s for s in services(statement.principal) if service_name(s) in deputies]
    if unguarded and not restricted(statement, SOURCE_KEYS):
        yield ctx.finding(
            resource,
            statement.at("Principal"),
            f"Add an aws:SourceArn (or aws:SourceAccount) condition for {', '.join(unguarded)}: without it the "
            "service can be made to act for any account (confused deputy).",
            statement.scenario,
            rule="SQS018",
        )
