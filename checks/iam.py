"""IAM: identity policies, trust policies and how permissions reach users (catalog section 3.5, tier 1).

Every check reads policy documents through ``cfncheck.analysis.policy``, so a document written as
YAML, as a JSON string or built with ``Fn::Sub``/``Fn::Join`` is read the same way, and findings
land on the statement's own ``Action``, ``Resource`` or ``Principal``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from cfncheck.analysis.iam_actions import matching
from cfncheck.analysis.policy import (
    IDENTITY,
    IDENTITY_TYPES,
    RESOURCE,
    SAM_TYPES,
    TRUST,
    Statement,
    aws_managed_policy,
    condition_values,
    grants,
    is_public,
    is_wildcard,
    managed_policies,
    policy_statements,
    resource_level,
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

    Which actions support them comes from AWS's Service Authorization Reference (every action of
    every service, ``cfncheck.analysis.iam_actions``). Actions that accept only ``*``
    (``xray:PutTraceSegments``, ``cloudwatch:PutMetricData``, ``ec2:DescribeInstances``…) pass, and so
    does a wildcard entry whose actions that could be scoped are all List actions (``ec2:Describe*``),
    and a statement whose Condition narrows the resources (by resource tag, account or organisation,
    or KMS alias). ``iam:PassRole`` is IAM005's, statements reported by IAM001 are not repeated, and an
    Allow with NotResource is IAM004's."""
    for statement in _below_admin(resource, ctx):
        if not is_wildcard(statement.resources) or resource_scoped(statement):
            continue
        scoped = [
            _describe(entry, covered)
            for entry in strings(statement.actions)
            if (covered := [a for a in resource_level(entry) if str(a).lower() != "iam:passrole"])
        ]
        if scoped:
            yield ctx.finding(
                resource,
                statement.at("Resource"),
                f"Replace Resource '*' with the ARNs that {', '.join(scoped)} should act on.",
                statement.scenario,
            )


def _describe(entry: str, covered: list) -> str:
    """An Action entry for a message: a wildcard says which actions it covers that could be scoped."""
    if len(covered) == 1 and str(covered[0]).lower() == entry.lower():
        return entry
    shown = ", ".join(str(a) for a in covered[:3]) + (f" and {len(covered) - 3} more" if len(covered) > 3 else "")
    return f"{entry} ({shown})"


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
    ``*``) on Resource ``*`` or on ``…:role/*``. Specific role ARNs pass; IAM001 statements are not repeated.
    An ``iam:PassedToService`` condition limits the services, not the roles: the finding stays, without
    the advice to add the condition."""
    for statement in _below_admin(resource, ctx):
        if not grants(statement, "iam:PassRole"):
            continue
        if is_wildcard(statement.resources):
            which = "every role"
        elif any(_ANY_ROLE.search(text_of(r) or "") for r in statement.resources or ()):
            which = "every role of the account"
        else:
            continue
        limited = condition_values(statement, "iam:PassedToService")
        advice = "" if limited else " (and add an iam:PassedToService condition)"
        yield ctx.finding(
            resource,
            statement.at("Resource"),
            f"This statement lets the holder pass {which} to a service: limit Resource to the ARNs of the "
            f"roles it must pass{advice}.",
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


@check(
    "IAM009",
    "iam-long-term-access-key",
    WARNING,
    types=["AWS::IAM::AccessKey"],
    fix="Give the workload a role (instance profile, execution or task role, IAM Roles Anywhere, OIDC "
    "federation) instead of an access key.",
    tags=("security",),
    example="\nKey:\n  Type: AWS::IAM::AccessKey\n  Properties: {UserName: !Ref DeployUser}",
)
def long_term_access_key(resource, ctx):
    """An access key is a long-term credential: it does not expire, and wherever it is copied (a CI
    secret, a laptop, a configuration file) it can leak. Roles give temporary credentials that rotate
    by themselves. Where the key's secret ends up in plaintext is SECRET005's."""
    yield ctx.finding(
        resource,
        "Type",
        "This creates a long-term access key: use a role (or OIDC federation for CI) to give temporary credentials.",
    )


BROAD_MANAGED = ("PowerUserAccess", "IAMFullAccess")


def _broad(name: str | None) -> bool:
    return name is not None and (name in BROAD_MANAGED or name.endswith("FullAccess"))


@check(
    "IAM010",
    "iam-broad-managed-policy",
    WARNING,
    types=["AWS::IAM::Role", "AWS::Serverless::Function", "AWS::Serverless::StateMachine"],
    fix="Replace the AWS managed *FullAccess / PowerUserAccess policy with a policy scoped to the resources "
    "the workload uses (in SAM: a policy template such as S3ReadPolicy or DynamoDBCrudPolicy).",
    tags=("security",),
    example="\nRole:\n  Type: AWS::IAM::Role\n  Properties:\n"
    "    ManagedPolicyArns: [arn:aws:iam::aws:policy/AmazonS3FullAccess]",
)
def broad_managed_policy(resource, ctx):
    """A service role (a role a service assumes: Lambda, EC2, ECS tasks, CodeBuild…) with an AWS
    managed ``*FullAccess``, ``PowerUserAccess`` or ``IAMFullAccess`` policy can do everything in
    the service, on every resource of the account: a workload needs a few actions on its own resources.

    Roles trusted by people or other accounts are left out (their job may be administration), and
    AdministratorAccess is IAM001's."""
    if resource.type == "AWS::IAM::Role" and not _service_role(resource, ctx):
        return
    for path, value, scenario in managed_policies(ctx, resource):
        name = aws_managed_policy(value, sam=resource.type in SAM_TYPES)
        if _broad(name):
            yield ctx.finding(
                resource,
                path,
                f"This service role gets the AWS managed {name} policy (broad access to every resource of "
                "the account): grant only the actions and resources the workload uses.",
                scenario,
            )


def _service_role(role: Resource, ctx: Context) -> bool:
    """Whether only AWS services are trusted to assume the role (in every statement that trusts anyone)."""
    found = False
    for statement in policy_statements(ctx, role, (TRUST,)):
        if not statement.allows:
            continue
        principal = statement.principal or {}
        if set(principal) != {"Service"}:
            return False
        found = True
    return found


_BUCKET_ARN = re.compile(r"^arn:[^:]*:s3:::[^/]+$")
_OBJECT_ARN = re.compile(r"^arn:[^:]*:s3:::[^/]+/.*$")
_WHOLE_ARN = re.compile(r"^\$\{[\w]+\.Arn\}(/.*)?$")  # !Sub "${Bucket.Arn}/*"
_OBJECT_TYPES = {"object", "accesspointobject"}
_BUCKET_TYPES = {"bucket", "accesspoint"}


@check(
    "IAM015",
    "iam-s3-arn-granularity",
    WARNING,
    types=IDENTITY_TYPES + ("AWS::S3::BucketPolicy",),
    fix="Object actions (s3:GetObject, s3:PutObject…) act on 'arn:aws:s3:::bucket/*'; bucket actions "
    "(s3:ListBucket, s3:GetBucket*…) on 'arn:aws:s3:::bucket': list the ARN of the right level.",
    tags=("security",),
    example="\nAction: s3:GetObject\nResource: !GetAtt Bucket.Arn   # the bucket, not its objects",
)
def s3_arn_granularity(resource, ctx):
    """S3 authorizes object actions against object ARNs (``arn:aws:s3:::bucket/key``) and bucket
    actions against the bucket ARN (``arn:aws:s3:::bucket``). A statement that gives object actions
    only bucket ARNs — or bucket actions only object ARNs — grants nothing, and the calls fail with
    AccessDenied.

    Which actions are object or bucket actions comes from the Service Authorization Reference
    (their resource types). A wildcard entry counts when every action it covers is of one level;
    statements with ``*`` or an ARN that cannot be read are not judged."""
    statements = list(policy_statements(ctx, resource, (IDENTITY, RESOURCE)))
    for statement in statements:
        levels = [_arn_level(ctx, item) for item in statement.resources or ()]
        if not statement.allows or not levels or None in levels or len(set(levels)) != 1:
            continue
        given = levels[0]
        wrong = [
            entry
            for entry in strings(statement.actions)
            if _needs_other_level(entry, given) and not _granted_elsewhere(ctx, entry, given, statements)
        ]
        if wrong:
            needed = "object ARNs ('…/*')" if given == "bucket" else "the bucket ARN"
            level = ("act" if len(wrong) > 1 else "acts") + (" on objects" if given == "bucket" else " on buckets")
            yield ctx.finding(
                resource,
                statement.at("Resource"),
                f"{', '.join(wrong)} {level}, but Resource lists only {given} ARNs, so this statement grants "
                f"{'them' if len(wrong) > 1 else 'it'} nothing: add {needed}.",
                statement.scenario,
            )


def _granted_elsewhere(ctx: Context, entry: str, given: str, statements: list[Statement]) -> bool:
    """Whether another statement of the resource grants the entry's actions on a resource of the
    other level (or on ``*``, or on something that cannot be read): the usual split of one action
    list into a bucket statement and an object statement."""
    covered = [str(action) for action in matching(entry)]
    for other in statements:
        if not other.allows or not all(grants(other, action) for action in covered):
            continue
        if any(_arn_level(ctx, item) != given or item == "*" for item in other.resources or ()):
            return True
    return False


def _arn_level(ctx: Context, item) -> str | None:
    """'bucket' or 'object' for an S3 ARN (``!GetAtt Bucket.Arn`` is a bucket's); None otherwise."""
    link = ctx.follow(item)
    text = text_of(item)
    if link is not None and link.type == "AWS::S3::Bucket":
        if getattr(item, "attribute", None) == "Arn":
            return "bucket"
        whole = _WHOLE_ARN.match(text or "")
        return ("object" if whole.group(1) else "bucket") if whole else None
    if text is None:
        return None
    if _OBJECT_ARN.match(text):
        return "object"
    if _BUCKET_ARN.match(text) and "*" not in text:
        return "bucket"
    return None


def _needs_other_level(entry: str, given: str) -> bool:
    covered = matching(entry) if entry.lower().startswith("s3:") else ()
    if not covered:
        return False
    wanted = _OBJECT_TYPES if given == "bucket" else _BUCKET_TYPES
    return all(action.resource_types and set(action.resource_types) <= wanted for action in covered)
