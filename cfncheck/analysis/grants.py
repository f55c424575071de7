"""What a policy grants: the statements of a resource policy that let a service call an action,
and the actions a role's policies allow.

Statements are read with the shared policy walker (``cfncheck.analysis.policy``); a statement
with a value that is not known makes the answer unknown (None), never a guess. Only ``Allow``
statements are read: a ``Deny`` can only take permissions away, and a check that reports a
missing permission must not miss one that is granted.
"""

from __future__ import annotations

from ..context import Context
from ..template import Resource
from ..values import ABSENT, as_list, is_known
from .policy import (
    IDENTITY,
    RESOURCE,
    Statement,
    action_matches,
    aws_managed_policy,
    fully_known,
    policy_statements,
    readable_statements,
    text_of,
)

MANAGED_POLICY_ACTIONS: dict[str, tuple[str, ...]] = {
    "AdministratorAccess": ("*",),
    "PowerUserAccess": ("*",),
    "AWSLambdaSQSQueueExecutionRole": ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "logs:*"),
    "AWSLambdaKinesisExecutionRole": (
        "kinesis:DescribeStream",
        "kinesis:DescribeStreamSummary",
        "kinesis:GetRecords",
        "kinesis:GetShardIterator",
        "kinesis:ListShards",
        "kinesis:ListStreams",
        "kinesis:SubscribeToShard",
        "logs:*",
    ),
    "AWSLambdaDynamoDBExecutionRole": (
        "dynamodb:DescribeStream",
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "dynamodb:ListStreams",
        "logs:*",
    ),
    "AWSLambdaBasicExecutionRole": ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"),
    "AWSLambdaVPCAccessExecutionRole": (
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "ec2:CreateNetworkInterface",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSubnets",
        "ec2:DeleteNetworkInterface",
        "ec2:AssignPrivateIpAddresses",
        "ec2:UnassignPrivateIpAddresses",
    ),
    "AWSLambdaExecute": ("logs:*", "s3:GetObject", "s3:PutObject"),
    "AmazonSQSFullAccess": ("sqs:*",),
    "AmazonKinesisFullAccess": ("kinesis:*",),
    "AmazonDynamoDBFullAccess": ("dynamodb:*",),
}
"""AWS managed policies and the actions they allow (from the IAM managed policy reference)."""


def action_allowed(statement: Statement, action: str) -> bool | None:
    """Whether the statement's Action (or NotAction) covers ``action``; None when a pattern is not known."""
    if statement.not_actions is not None:
        excluded = statement.not_actions
        return not any(action_matches(p, action) for p in excluded) if fully_known(excluded) else None
    patterns = statement.actions or ()
    return any(action_matches(p, action) for p in patterns) if fully_known(patterns) else None


def principal_allowed(statement: Statement, service: str) -> bool | None:
    """Whether the statement's Principal lets ``service`` in (or everyone); None when it is not known."""
    principal = statement.principal
    if principal is None:
        return False
    if "?" in principal:  # written as neither a mapping nor a string
        return False if is_known(principal["?"][0]) else None
    everyone, services = principal.get("AWS", ()), principal.get("Service", ())
    if not all(isinstance(item, str) or _named_principal(item) for item in everyone) or not fully_known(services):
        return None
    return "*" in everyone or any(same_service(name, service) for name in services)


def _named_principal(item) -> bool:
    """An AWS principal known to be an ARN, not everyone, though some of it is not known
    (``!Sub arn:${AWS::Partition}:iam::${AWS::AccountId}:root``)."""
    text = text_of(item)
    return text is not None and text.startswith("arn:")


def same_service(name: str, service: str) -> bool:
    """``logs.amazonaws.com`` also answers to the regional ``logs.eu-west-1.amazonaws.com``."""
    prefix = service.split(".", 1)[0]
    return name == service or (name.startswith(prefix + ".") and name.endswith(".amazonaws.com"))


def granting(ctx: Context, policy: Resource, service: str, action: str) -> list[Statement] | None:
    """The Allow statements of a resource policy that let ``service`` call ``action``; None when
    the document (or a statement that might grant) is not known."""
    found = readable_statements(ctx, policy, (RESOURCE,))
    if found is None:
        return None
    granted = []
    for statement in found:
        if statement.effect == "Deny":
            continue
        if statement.effect != "Allow":
            return None
        allowed = (principal_allowed(statement, service), action_allowed(statement, action))
        if None in allowed:
            return None
        if all(allowed):
            granted.append(statement)
    return granted


# -- the actions a role is allowed ------------------------------------------------------------

IDENTITY_POLICIES = {
    "AWS::IAM::Policy": ("Properties", "Roles"),
    "AWS::IAM::ManagedPolicy": ("Properties", "Roles"),
    "AWS::IAM::RolePolicy": ("Properties", "RoleName"),
}


def role_actions(ctx: Context, role: Resource) -> list[tuple[str, Resource | None]] | None:
    """The action patterns ``role`` is allowed, each with the separate policy resource that
    grants it (None: the role's own policies); None when any of its policies is not known.
    Alternatives of conditional policies are all counted: a missing permission is one that no
    scenario grants."""
    granted, complete = _role_grants(ctx, role)
    return granted if complete else None


def role_allows(ctx: Context, role: Resource, action: str) -> bool | None:
    """Whether some policy of ``role`` allows ``action``: True as soon as a known grant does,
    False when every policy is known and none does, None when an unknown policy might."""
    granted, complete = _role_grants(ctx, role)
    if allows(granted, action):
        return True
    return False if complete else None


def _role_grants(ctx: Context, role: Resource) -> tuple[list[tuple[str, Resource | None]], bool]:
    """The known grants of the role, and whether every one of its policies is known (read once
    per role and template)."""
    return ctx.analysis.memo((_role_grants, role.logical_id), lambda: _read_role_grants(ctx, role))


def _read_role_grants(ctx: Context, role: Resource) -> tuple[list[tuple[str, Resource | None]], bool]:
    granted: list[tuple[str, Resource | None]] = []
    complete = _add(granted, readable_statements(ctx, role, (IDENTITY,)), None)
    for alt in ctx.values(role, "Properties.ManagedPolicyArns"):
        if alt.value is ABSENT:
            continue
        if not isinstance(alt.value, list):
            complete = False
            continue
        for arn in alt.value:
            complete &= _add_managed(ctx, granted, arn)
    for kind, path in IDENTITY_POLICIES.items():
        for policy in ctx.resources(kind):
            attached = _attaches(ctx, policy, path, role)
            if attached is None:
                complete = False
            elif attached:
                complete &= _add(granted, readable_statements(ctx, policy, (IDENTITY,)), policy)
    return granted, complete


def _add(granted: list, statements: list[Statement] | None, source: Resource | None) -> bool:
    """Add the actions the known Allow statements grant; False when they are not all known."""
    if statements is None:
        return False
    complete = True
    for statement in statements:
        if not statement.allows:
            continue
        patterns = statement.actions or ()
        if statement.not_actions is not None:
            complete = False
            continue
        granted.extend((pattern, source) for pattern in patterns if isinstance(pattern, str))
        complete &= fully_known(patterns)
    return complete


def _add_managed(ctx: Context, granted: list, arn) -> bool:
    name = aws_managed_policy(arn)
    if name is not None:
        actions = MANAGED_POLICY_ACTIONS.get(name)
        if actions is None:
            return False
        granted.extend((action, None) for action in actions)
        return True
    policy = ctx.follow(arn)
    if policy is None or policy.type != "AWS::IAM::ManagedPolicy":
        return False
    return _add(granted, readable_statements(ctx.on(policy.template), policy.resource, (IDENTITY,)), None)


def _attaches(ctx: Context, policy: Resource, path: tuple, role: Resource) -> bool | None:
    """Whether a policy resource attaches to the role; None when its roles are not known."""
    for alt in ctx.values(policy, path):
        for name in as_list(alt.value):
            target = ctx.follow(name)
            if (target is not None and target.resource is role) or (
                isinstance(name, str) and name == role.properties.get("RoleName")
            ):
                return True
            if target is None and not isinstance(name, str):
                return None
    return False


def allows(granted: list[tuple[str, Resource | None]], action: str) -> list[Resource | None]:
    """The sources (None for the role itself) of the grants that allow ``action``."""
    return [source for pattern, source in granted if action_matches(pattern, action)]


def role_statements(ctx: Context, role: Resource) -> list[Statement]:
    """The identity statements the role holds: its inline policies and the policy resources of the
    template attached to it (managed policies by ARN are not read)."""
    found = list(policy_statements(ctx, role, (IDENTITY,)))
    for kind, path in IDENTITY_POLICIES.items():
        for policy in ctx.resources(kind):
            if _attaches(ctx, policy, path, role):
                found += policy_statements(ctx, policy, (IDENTITY,))
    return found


KMS_KEY, KMS_ALIAS = "AWS::KMS::Key", "AWS::KMS::Alias"


def keys_named(link) -> list:
    """The KMS key a link names: itself, or the key an alias targets."""
    if link is not None and link.type == KMS_ALIAS:
        return [key for alt in link.values("Properties.TargetKeyId") if (key := link.follow(alt.value, alt.scenario))]
    return [link] if link is not None and link.type == KMS_KEY else []


def key_refusals(ctx: Context, key, services: list[str], actions: tuple[str, ...]) -> dict[str, list[str]] | None:
    """For each service principal the key's policy does not let call all of ``actions``, those it
    lacks (``…DataKey`` actions named with their ``*``); None when the policy cannot be read (a
    statement of unknown principal or actions might allow them). A key without KeyPolicy has the
    default policy, which lets only the account's IAM principals in."""
    if all(alt.value is ABSENT for alt in key.values("Properties.KeyPolicy")):
        statements = []
    else:
        statements = readable_statements(ctx.on(key.template), key.resource, (RESOURCE,))
    if statements is None or any(s.effect not in ("Allow", "Deny") or s.allows and s.not_principal for s in statements):
        return None
    refused = {}
    for service in services:
        allowed = set()
        for statement in (s for s in statements if s.allows):
            letting = principal_allowed(statement, service)
            granted = [action_allowed(statement, action) for action in actions]
            if letting is None or None in granted:
                return None
            if letting:
                allowed.update(action for action, yes in zip(actions, granted, strict=True) if yes)
        missing = [f"{a}*" if a.endswith("DataKey") else a for a in actions if a not in allowed]
        if missing:
            refused[service] = missing
    return refused
