"""IAM: identity policies, trust policies and how permissions reach users (catalog section 3.5, tier 1).

Every check reads policy documents through ``cfncheck.analysis.policy``, so a document written as
YAML, as a JSON string or built with ``Fn::Sub``/``Fn::Join`` is read the same way, and findings
land on the statement's own ``Action``, ``Resource`` or ``Principal``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from cfncheck.analysis.policy import (
    IDENTITY,
    IDENTITY_TYPES,
    RESOURCE,
    RESOURCE_LEVEL_ACTIONS,
    SAM_TYPES,
    TRUST,
    Statement,
    aws_managed_policy,
    grants,
    is_public,
    is_wildcard,
    managed_policies,
    overlaps,
    policy_statements,
    resource_scoped,
    restricted,
    role_uses,
    service_name,
    strings,
    text_of,
    trust_verdict,
)
from cfncheck.api import ERROR, WARNING, Child, Context, Resource, check

CRITICAL_SERVICES = ("iam", "sts", "kms", "organizations")
_SERVICE_WILDCARD = re.compile(r"([\w-]+):\*")
_ANY_ROLE = re.compile(r":role/\*$")


def _identity(resource: Resource, ctx: Context) -> Iterator[Statement]:
    return (s for s in policy_statements(ctx, resource, (IDENTITY,)) if s.allows)


def _admin(statement: Statement) -> bool:
    return statement.allows and is_wildcard(statement.actions) and is_wildcard(statement.resources)


def _below_admin(resource: Resource, ctx: Context) -> Iterator[Statement]:
    """The identity Allow statements that IAM001 does not report: the other checks do not repeat it."""
    return (s for s in _identity(resource, ctx) if not _admin(s))


@check(
    "IAM001",
    "iam-admin-policy",
    ERROR,
    types=IDENTITY_TYPES,
    fix="List the actions and resources the identity needs instead of Action '*' on Resource '*', "
    "and do not attach AdministratorAccess.",
    tags=("security",),
)
def admin_policy(resource, ctx):
    """An identity policy that allows every action on every resource makes its holder an administrator.

    Least privilege: grant only the actions and resources the workload uses. The AWS managed
    AdministratorAccess policy (ARN in any partition, or its name in SAM ``Policies``) is the same grant.
    Resource policies are out of scope: a KMS key policy's root statement is normal."""
    for statement in _identity(resource, ctx):
        if _admin(statement):
            yield ctx.finding(
                resource,
                statement.at("Action"),
                "This statement allows Action '*' on Resource '*' (full administrator access): "
                "list the actions and resource ARNs the identity needs.",
                statement.scenario,
            )
    for path, value, scenario in managed_policies(ctx, resource):
        if aws_managed_policy(value, sam=resource.type in SAM_TYPES) == "AdministratorAccess":
            yield ctx.finding(
                resource,
                path,
                "Replace the AWS managed AdministratorAccess policy with a policy that grants only the actions needed.",
                scenario,
            )


@check(
    "IAM002",
    "iam-wildcard-action",
    ERROR,
    types=IDENTITY_TYPES,
    fix="Replace '*', 'iam:*', 'sts:*', 'kms:*' and 'organizations:*' in Action with the specific actions used.",
    tags=("security",),
    children=[
        Child(
            "IAM023",
            "iam-service-wildcard-action",
            WARNING,
            """An Allow with a whole-service wildcard (``<service>:*``) other than the critical ones
            IAM002 reports: it grants every action of the service, today's and those added later,
            far more than any workload uses. Prefix wildcards such as ``s3:Get*`` pass.""",
            fix="Replace '<service>:*' in Action with the specific actions used (prefixes such as s3:Get* are fine).",
            formerly=("IAM002",),
        )
    ],
)
def wildcard_action(resource, ctx):
    """An Allow with Action ``*`` on specific resources, or ``iam:*``, ``sts:*``, ``kms:*``,
    ``organizations:*`` (which allow privilege escalation or key and account control), grants far
    more than any workload uses.

    Any other ``<service>:*`` is IAM023. Prefix wildcards such as ``s3:Get*`` pass; statements
    reported by IAM001 are not repeated."""
    for statement in _below_admin(resource, ctx):
        critical, broad = [], []
        for action in strings(statement.actions):
            match = _SERVICE_WILDCARD.fullmatch(action)
            if action == "*" or (match and match.group(1).lower() in CRITICAL_SERVICES):
                critical.append(action)
            elif match:
                broad.append(action)
        for actions, rule in ((critical, None), (broad, "IAM023")):
            if actions:
                listed = ", ".join(f"'{a}'" for a in actions)
                yield ctx.finding(
                    resource,
                    statement.at("Action"),
                    f"Replace {listed} in Action with the specific actions this identity calls.",
                    statement.scenario,
                    rule=rule,
                )


@check(
    "IAM003",
    "iam-wildcard-resource",
    WARNING,
    types=IDENTITY_TYPES,
    fix="Set Resource to the ARNs of the buckets, tables, queues, keys… the actions are used on.",
    tags=("security",),
)
def wildcard_resource(resource, ctx):
    """An Allow on Resource ``*`` for actions that support resource-level permissions grants them on
    every resource of the account, not the one the workload uses.

    Actions that accept only ``*`` (``xray:PutTraceSegments``, ``cloudwatch:PutMetricData``,
    ``ec2:Describe*``…) pass, and so does a statement whose Condition narrows the resources (by
    resource tag, account or organisation, or KMS alias). ``iam:PassRole`` is IAM005's,
    statements reported by IAM001 are not repeated, and an Allow with NotResource is IAM004's."""
    for statement in _below_admin(resource, ctx):
        if not is_wildcard(statement.resources) or resource_scoped(statement):
            continue
        scoped = [a for a in strings(statement.actions) if overlaps(a, RESOURCE_LEVEL_ACTIONS)]
        if scoped:
            yield ctx.finding(
                resource,
                statement.at("Resource"),
                f"Replace Resource '*' with the ARNs that {', '.join(scoped)} should act on.",
                statement.scenario,
            )


@check(
    "IAM004",
    "iam-allow-not-action",
    ERROR,
    types=IDENTITY_TYPES
    + (
        "AWS::S3::BucketPolicy",
        "AWS::SQS::QueuePolicy",
        "AWS::SQS::QueueInlinePolicy",
        "AWS::SNS::TopicPolicy",
        "AWS::SNS::TopicInlinePolicy",
    ),
    fix="Use Action with the actions to allow instead of NotAction.",
    tags=("security",),
    children=[
        Child(
            "IAM024",
            "iam-allow-not-action-scoped",
            WARNING,
            """An Allow with NotAction on specific resources: it grants every action of every service
            except those listed, services added later included, on those resources.""",
            fix="Use Action with the actions to allow instead of NotAction.",
            formerly=("IAM004",),
        ),
        Child(
            "IAM025",
            "iam-allow-not-resource",
            WARNING,
            """An Allow with NotResource: it grants the actions on every resource but the listed ones,
            resources created later included.""",
            fix="Use Resource with the ARNs to allow instead of NotResource.",
            formerly=("IAM004",),
        ),
    ],
)
def allow_not_action(resource, ctx):
    """Allow with NotAction on Resource ``*`` grants every action of every AWS service except those
    listed, including services added later, on everything.

    Allow + NotAction on specific resources is IAM024; Allow + NotResource is IAM025. Deny with
    NotAction/NotResource is a normal guard and passes."""
    for statement in policy_statements(ctx, resource, (IDENTITY, RESOURCE)):
        if not statement.allows:
            continue
        if statement.not_actions is not None:
            everywhere = is_wildcard(statement.resources)
            yield ctx.finding(
                resource,
                statement.at("NotAction"),
                "Replace NotAction with Action listing the actions to allow: Allow + NotAction grants every other "
                "action of every service" + (" on every resource." if everywhere else "."),
                statement.scenario,
                rule=None if everywhere else "IAM024",
            )
        if statement.not_resources is not None:
            yield ctx.finding(
                resource,
                statement.at("NotResource"),
                "Replace NotResource with Resource listing the ARNs to allow: Allow + NotResource grants "
                "on every other resource.",
                statement.scenario,
                rule="IAM025",
            )


@check(
    "IAM005",
    "iam-passrole-unscoped",
    ERROR,
    types=IDENTITY_TYPES,
    fix="Limit iam:PassRole to the ARNs of the roles to pass, ideally with an iam:PassedToService condition.",
    tags=("security",),
)
def passrole_unscoped(resource, ctx):
    """``iam:PassRole`` on every role lets the holder hand any role, administrators' included, to a
    service it controls: privilege escalation.

    Reported when a statement grants iam:PassRole (explicitly, or through ``iam:*``, ``iam:Pass*`` or
    ``*``) on Resource ``*`` or on ``…:role/*``. Specific role ARNs pass; IAM001 statements are not repeated."""
    for statement in _below_admin(resource, ctx):
        if not grants(statement, "iam:PassRole"):
            continue
        if is_wildcard(statement.resources):
            which = "every role"
        elif any(_ANY_ROLE.search(text_of(r) or "") for r in statement.resources or ()):
            which = "every role of the account"
        else:
            continue
        yield ctx.finding(
            resource,
            statement.at("Resource"),
            f"This statement lets the holder pass {which} to a service: limit Resource to the ARNs of the "
            "roles it must pass (and add an iam:PassedToService condition).",
            statement.scenario,
        )


@check(
    "IAM006",
    "iam-trust-policy-open-principal",
    ERROR,
    types=["AWS::IAM::Role"],
    fix="Name the accounts, roles or services that may assume the role, or add an aws:PrincipalOrgID, "
    "aws:PrincipalArn or sts:ExternalId condition.",
    tags=("security",),
)
def trust_open_principal(resource, ctx):
    """A trust policy that allows anyone (``Principal: "*"``, ``{"AWS": "*"}`` or NotPrincipal) to
    assume the role, with no condition on organization, principal, external id or source, lets any AWS
    account take its permissions; Action ``*`` in a trust policy allows every sts operation."""
    for statement in policy_statements(ctx, resource, (TRUST,)):
        if not statement.allows:
            continue
        if statement.not_principal is not None:
            yield ctx.finding(
                resource,
                statement.at("NotPrincipal"),
                "Replace NotPrincipal with Principal naming who may assume the role: Allow + NotPrincipal "
                "trusts everyone else.",
                statement.scenario,
            )
        elif is_public(statement.principal) and not restricted(statement):
            yield ctx.finding(
                resource,
                statement.at("Principal"),
                "Anyone can assume this role: name the trusted accounts, roles or services in Principal, or add "
                "an aws:PrincipalOrgID, aws:PrincipalArn or sts:ExternalId condition.",
                statement.scenario,
            )
        if is_wildcard(statement.actions):
            yield ctx.finding(
                resource,
                statement.at("Action"),
                "Replace Action '*' with the sts action the principal needs (sts:AssumeRole, "
                "sts:AssumeRoleWithWebIdentity, sts:AssumeRoleWithSAML).",
                statement.scenario,
            )


@check(
    "IAM007",
    "iam-role-trust-service-mismatch",
    ERROR,
    fix="Add a trust statement: Effect Allow, Principal Service <service>.amazonaws.com, Action sts:AssumeRole.",
    tags=("security",),
)
def trust_service_mismatch(ctx):
    """A role handed to a service whose trust policy does not let that service assume it cannot work.

    Lambda refuses to create the function; other services (ECS tasks, CodeBuild, Step Functions,
    EventBridge targets, flow logs…) fail when they first use the role. Only roles defined in the
    template are checked; a trust policy that cannot be read is not reported."""
    reported = set()
    for use in role_uses(ctx):
        if trust_verdict(ctx, use.role, use.service, use.scenario) is not False:
            continue
        key = (use.role.logical_id, use.service, use.scenario)
        if key in reported:
            continue
        reported.add(key)
        where = ".".join(str(p) for p in use.path[1:])
        yield ctx.finding(
            use.role,
            "Properties.AssumeRolePolicyDocument",
            f"{use.consumer.logical_id} passes this role to {service_name(use.service)} ({where}), but the trust "
            f"policy does not allow it: add a statement allowing Principal Service {use.service} to sts:AssumeRole.",
            use.scenario,
            related=(ctx.location(use.consumer, use.path, use.scenario, message="the role is used here"),),
        )


@check(
    "IAM008",
    "iam-user-direct-permissions",
    WARNING,
    types=["AWS::IAM::User", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"],
    fix="Attach the policy to a group and add the user to the group (or use a role).",
    tags=("security",),
)
def user_direct_permissions(resource, ctx):
    """Permissions attached directly to an IAM user are hard to audit and to revoke: grant them
    through groups (or roles) so users with the same job get the same permissions.

    Reported for a user's inline ``Policies`` or ``ManagedPolicyArns``, and for a policy that lists
    users in ``Users``. A user with only ``Groups`` passes."""
    if resource.type == "AWS::IAM::User":
        places = (("Policies", "inline policies"), ("ManagedPolicyArns", "managed policies"))
    else:
        places = (("Users", "users"),)
    for key, what in places:
        for alt in ctx.values(resource, f"Properties.{key}"):
            if isinstance(alt.value, list) and alt.value:
                message = (
                    f"Move these {what} to an IAM group and add the user to it (Groups), instead of attaching them "
                    "to the user."
                    if resource.type == "AWS::IAM::User"
                    else "Attach this policy to a group (Groups) that the users belong to, instead of to users."
                )
                yield ctx.finding(resource, f"Properties.{key}", message, alt.scenario)
