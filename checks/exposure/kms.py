"""Exposure of KMS keys through their key policies."""

from __future__ import annotations

from cfncheck.analysis.policy import foreign_accounts, restricted
from cfncheck.api import ERROR, INFO, Child, check

from . import allowing_statements, public_grant


@check(
    "KMS002",
    "kms-key-policy-open-principal",
    ERROR,
    types=["AWS::KMS::Key"],
    fix="Name the accounts or roles that may use the key, or add a kms:CallerAccount, kms:ViaService or "
    "aws:PrincipalOrgID condition.",
    tags=("security",),
    children=[
        Child(
            "KMS010",
            "kms-key-cross-account-use",
            INFO,
            """A key policy statement that lets another AWS account use the key directly, without a
            ``kms:ViaService`` condition (known when the deploy account is configured). Cross-account
            use is sometimes intended; when the account only needs the key through a service, the
            condition keeps it from decrypting anything else.""",
            fix="Add a kms:ViaService condition naming the service the other account uses the key through.",
            formerly=("KMS002",),
        )
    ],
)
def kms_key_policy_open(key, ctx):
    """A key policy that allows anyone (``Principal: "*"``) to use a key, with no condition on the
    caller's account, service or organization, lets any AWS account decrypt with it.

    A statement granting a foreign account (known only when the deploy account is configured) without
    a ``kms:ViaService`` condition is KMS010: cross-account use is sometimes intended."""
    for statement in allowing_statements(key, ctx):
        key_name = public_grant(statement)
        if key_name:
            yield ctx.finding(
                key,
                statement.at(key_name),
                "Anyone can use this key: name the trusted principals, or add a kms:CallerAccount, kms:ViaService "
                "or aws:PrincipalOrgID condition.",
                statement.scenario,
            )
            continue
        foreign = foreign_accounts(ctx, statement.principal)
        if foreign and not restricted(statement, frozenset({"kms:viaservice"})):
            yield ctx.finding(
                key,
                statement.at("Principal"),
                f"Account {', '.join(foreign)} can use this key directly: add a kms:ViaService condition if it "
                "only needs the key through a service.",
                statement.scenario,
                rule="KMS010",
            )
