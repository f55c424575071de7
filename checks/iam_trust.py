"""IAM: who may assume a role from outside the account — identity federation and other accounts
(catalog section 3.5, tier 2). IAM006 and IAM007, about trust policies in general, are in ``iam.py``."""

from __future__ import annotations

from cfncheck.analysis.policy import TRUST, Statement, foreign_accounts, grants, policy_statements, restricted, text_of
from cfncheck.api import ERROR, WARNING, Context, Reference, Resource, check

COGNITO = "cognito-identity.amazonaws.com"
PUBLIC_PROVIDERS = ("accounts.google.com", "graph.facebook.com", "www.amazon.com")


def _trusts(resource: Resource, ctx: Context, action: str):
    for statement in policy_statements(ctx, resource, (TRUST,)):
        if statement.allows and grants(statement, action) and statement.conditions_known:
            yield statement


def _limited(statement: Statement, suffixes: tuple[str, ...]) -> bool:
    """Whether a condition limits a key ending in one of ``suffixes`` (``:sub``) to known values."""
    keys = frozenset(c.key for c in statement.conditions if c.key.endswith(suffixes))
    return bool(keys) and restricted(statement, keys)


def _provider(ctx: Context, item) -> str | None:
    """What a Federated principal is: "cognito", "public" (Google, Facebook, Amazon), "oidc", or None
    for SAML and what cannot be read."""
    if isinstance(item, Reference):
        link = ctx.follow(item)
        return "oidc" if link is not None and link.type == "AWS::IAM::OIDCProvider" else None
    item = text_of(item)  # "arn:${AWS::Partition}:iam::${AWS::AccountId}:oidc-provider/…" is known enough
    if item is None:
        return None
    if item == COGNITO:
        return "cognito"
    if item in PUBLIC_PROVIDERS:
        return "public"
    return "oidc" if ":oidc-provider/" in item else None


_NEEDED = {
    "cognito": ((":aud",), f"a StringEquals {COGNITO}:aud condition naming your identity pool"),
    "public": ((":aud", ":app_id", ":sub"), "an :aud (or :app_id) condition naming your application"),
    "oidc": ((":sub",), "a :sub condition naming the subjects (repository, service account) allowed"),
}


@check(
    "IAM011",
    "iam-federated-trust-unconditioned",
    ERROR,
    types=["AWS::IAM::Role"],
    fix="Add the provider's audience or subject condition: cognito-identity.amazonaws.com:aud (the "
    "identity pool id), or <provider>:sub (for GitHub Actions, 'repo:ORG/REPO:*').",
    tags=("security",),
    example="\nPrincipal: {Federated: !Ref GitHubOidc}\nAction: sts:AssumeRoleWithWebIdentity   # no :sub condition",
)
def federated_trust_unconditioned(resource, ctx):
    """A role trusted by a web-identity provider without a condition on who the token was issued
    for can be assumed with any token of that provider: for ``cognito-identity.amazonaws.com``
    without ``:aud``, by an identity of any identity pool of any account; for GitHub Actions (and
    any OIDC provider) without ``:sub``, by any repository's workflow — anyone's.

    AWS's IAM documentation asks for the ``:sub`` condition on GitHub's provider and the ``:aud``
    condition on Cognito's. SAML trusts are not judged here; a condition that cannot be read counts
    as restricting."""
    for statement in _trusts(resource, ctx, "sts:AssumeRoleWithWebIdentity"):
        for item in (statement.principal or {}).get("Federated", ()):
            kind = _provider(ctx, item)
            if kind is None:
                continue
            suffixes, needed = _NEEDED[kind]
            if not _limited(statement, suffixes):
                yield ctx.finding(
                    resource,
                    statement.at("Principal"),
                    f"Any token of this identity provider can assume the role: add {needed}.",
                    statement.scenario,
                )
                break


@check(
    "IAM012",
    "iam-cross-account-trust-without-external-id",
    WARNING,
    types=["AWS::IAM::Role"],
    options={"trusted_accounts": []},
    fix="Add an sts:ExternalId condition for a third party (or aws:MultiFactorAuthPresent for people), or "
    "list the account in the trusted_accounts option.",
    tags=("security",),
    example="\nPrincipal: {AWS: arn:aws:iam::999999999999:root}\nAction: sts:AssumeRole   # no sts:ExternalId",
)
def cross_account_without_external_id(resource, ctx):
    """A role another account may assume without ``sts:ExternalId`` is open to the confused-deputy
    problem: a third-party service that assumes roles for many customers can be tricked into using
    yours. People from another account should need MFA (``aws:MultiFactorAuthPresent``).

    Needs the deploy account (``--account-id``): without it, an account id in a trust policy cannot
    be told foreign. Accounts in the ``trusted_accounts`` option (your organization's) pass."""
    trusted = {str(account) for account in ctx.options["trusted_accounts"]}
    for statement in _trusts(resource, ctx, "sts:AssumeRole"):
        foreign = [a for a in foreign_accounts(ctx, statement.principal) if a not in trusted]
        if not foreign:
            continue
        keys = {c.key for c in statement.conditions}
        if {"sts:externalid", "aws:multifactorauthpresent"} & keys:
            continue
        yield ctx.finding(
            resource,
            statement.at("Principal"),
            f"Account {', '.join(foreign)} can assume this role with no sts:ExternalId (or MFA) condition: "
            "add one, or list the account in trusted_accounts.",
            statement.scenario,
        )
