"""Exposure of SNS topics through their topic policies."""

from __future__ import annotations

from cfncheck.analysis.policy import foreign_accounts, grants
from cfncheck.api import ERROR, INFO, Child, check

from . import allowing_statements, public_grant


@check(
    "SNS003",
    "sns-topic-policy-open",
    ERROR,
    types=["AWS::SNS::TopicPolicy", "AWS::SNS::TopicInlinePolicy"],
    fix="Name the principals, or add an aws:SourceArn, aws:SourceAccount or aws:PrincipalOrgID condition.",
    tags=("security",),
    children=[
        Child(
            "SNS009",
            "sns-topic-cross-account-access",
            INFO,
            """A topic policy that grants another AWS account access to the topic (known when the deploy
            account is configured): a note to check that the cross-account access is intended.""",
            fix="Keep the grant if the account is trusted; otherwise remove it.",
            formerly=("SNS003",),
        )
    ],
)
def sns_topic_policy_open(policy, ctx):
    """A topic policy that lets anyone (``Principal: "*"`` or NotPrincipal) publish or subscribe, with no
    condition on source or organization, lets any AWS account send messages to every subscriber or read
    them all. A grant to a foreign account (known when the deploy account is configured) is SNS009."""
    for statement in allowing_statements(policy, ctx):
        key = public_grant(statement)
        if key and (grants(statement, "sns:Publish") or grants(statement, "sns:Subscribe")):
            yield ctx.finding(
                policy,
                statement.at(key),
                "Anyone can publish to or subscribe to this topic: name the principals, or add an aws:SourceArn, "
                "aws:SourceAccount or aws:PrincipalOrgID condition.",
                statement.scenario,
            )
        elif not key and (foreign := foreign_accounts(ctx, statement.principal)):
            yield ctx.finding(
                policy,
                statement.at("Principal"),
                f"Account {', '.join(foreign)} is granted access to this topic: check that it is intended.",
                statement.scenario,
                rule="SNS009",
            )
