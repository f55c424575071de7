"""Cognito: guest access to identity pools and multi-factor authentication of user pools (catalog
section 3.16, tier 2)."""

from __future__ import annotations

from cfncheck.analysis.grants import role_actions
from cfncheck.analysis.iam_actions import PERMISSIONS, WRITE, matching
from cfncheck.api import ABSENT, WARNING, Context, Resource, as_bool, check


@check(
    "COG001",
    "cognito-identity-pool-guest-access",
    WARNING,
    types=["AWS::Cognito::IdentityPool"],
    fix="Set AllowUnauthenticatedIdentities to false, or give the unauthenticated role only the read "
    "actions guests need, on specific resources.",
    tags=("security",),
    example="\nIdentityPool:\n  Type: AWS::Cognito::IdentityPool\n  Properties: {AllowUnauthenticatedIdentities: true}",
)
def guest_access(pool, ctx):
    """An identity pool with ``AllowUnauthenticatedIdentities: true`` hands AWS credentials (its
    unauthenticated role's) to anyone on the internet who asks. That is sometimes the design (a
    public map tile reader), but every permission of that role is public: keep it to a few read
    actions. The message names the write actions the guest role is granted (from the Service
    Authorization Reference's access levels), when the role is in the template."""
    for alt in ctx.values(pool, "Properties.AllowUnauthenticatedIdentities"):
        if as_bool(alt.value, False) is not True:
            continue
        writes = _guest_writes(pool, ctx)
        extra = f" Its guest role may even call {', '.join(writes[:3])}." if writes else ""
        yield ctx.finding(
            pool,
            "Properties.AllowUnauthenticatedIdentities",
            "Anyone can get AWS credentials from this identity pool without signing in: turn guest access off "
            f"unless it is needed, and keep the guest role to read actions on specific resources.{extra}",
            alt.scenario,
        )


def _guest_writes(pool: Resource, ctx: Context) -> list[str]:
    """The write (or permissions-management) action patterns of the pool's unauthenticated role."""
    found: list[str] = []
    for attachment in ctx.resources("AWS::Cognito::IdentityPoolRoleAttachment"):
        if not any(ctx.refers_to(alt.value, pool) for alt in ctx.values(attachment, "Properties.IdentityPoolId")):
            continue
        for alt in ctx.values(attachment, "Properties.Roles.unauthenticated"):
            role = ctx.local(alt.value)
            granted = role_actions(ctx, role) if role is not None and role.type == "AWS::IAM::Role" else None
            for pattern, _ in granted or ():
                if pattern not in found and any(a.access in (WRITE, PERMISSIONS) for a in matching(pattern)):
                    found.append(pattern)
    return found


@check(
    "COG002",
    "cognito-user-pool-mfa-off",
    WARNING,
    types=["AWS::Cognito::UserPool"],
    fix="Set MfaConfiguration to ON (or OPTIONAL) with EnabledMfas [SOFTWARE_TOKEN_MFA] (or SMS_MFA with "
    "an SmsConfiguration).",
    tags=("security",),
    example="\nUserPool:\n  Type: AWS::Cognito::UserPool\n  Properties: {UserPoolName: users}   # MFA off",
)
def user_pool_mfa_off(pool, ctx):
    """A user pool without multi-factor authentication lets a stolen or guessed password take over an
    account. ``MfaConfiguration`` defaults to OFF; ON requires a second factor, OPTIONAL lets each user
    turn it on. (OPTIONAL as advice, and SMS MFA without an SmsConfiguration — a deploy failure — are
    not this check's.)"""
    for alt in ctx.values(pool, "Properties.MfaConfiguration"):
        if alt.value == "OFF" or alt.value is ABSENT:
            yield ctx.finding(
                pool,
                "Properties.MfaConfiguration",
                "Multi-factor authentication is off for this user pool: set MfaConfiguration to ON (or OPTIONAL) "
                "with EnabledMfas.",
                alt.scenario,
            )
