"""What a policy grants: the statements of a resource policy that let a service call an action,
and the actions a role's policies allow.

Documents are read after resolution, as mappings or JSON strings; a statement with a value
that is not known makes the answer unknown (None), never a guess. Only ``Allow`` statements
are read: a ``Deny`` can only take permissions away, and a check that reports a missing
permission must not miss one that is granted.
"""

from __future__ import annotations

import json
from fnmatch import fnmatchcase

from ..context import Context
from ..template import Resource
from ..values import ABSENT, Unknown, is_known

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
    "AmazonSQSFullAccess": ("sqs:*",),
    "AmazonKinesisFullAccess": ("kinesis:*",),
    "AmazonDynamoDBFullAccess": ("dynamodb:*",),
}
"""AWS managed policies and the actions they allow (from the IAM managed policy reference)."""


def statements(document) -> list[dict] | None:
    """The statements of a resolved policy document, or None when it is not known."""
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            return None
    if not isinstance(document, dict):
        return None
    found = document.get("Statement", ABSENT)
    if isinstance(found, dict):
        found = [found]
    if not isinstance(found, list) or not all(isinstance(s, dict) for s in found):
        return None
    return found


def _strings(value) -> list | None:
    """A string-or-list field as a list; None when some part is not known."""
    items = value if isinstance(value, list) else [value]
    return items if all(isinstance(item, str) for item in items) else None


def action_allowed(statement: dict, action: str) -> bool | None:
    if "NotAction" in statement:
        excluded = _strings(statement["NotAction"])
        return None if excluded is None else not any(fnmatchcase(action.lower(), p.lower()) for p in excluded)
    patterns = _strings(statement.get("Action", []))
    return None if patterns is None else any(fnmatchcase(action.lower(), p.lower()) for p in patterns)


def principal_allowed(statement: dict, service: str) -> bool | None:
    principal = statement.get("Principal", ABSENT)
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return None if principal is not ABSENT and not is_known(principal) else False
    everyone = _strings(principal.get("AWS", []))
    services = _strings(principal.get("Service", []))
    if everyone is None or services is None:
        return None
    return "*" in everyone or any(_same_service(name, service) for name in services)


def _same_service(name: str, service: str) -> bool:
    """``logs.amazonaws.com`` also answers to the regional ``logs.eu-west-1.amazonaws.com``."""
    prefix = service.split(".", 1)[0]
    return name == service or (name.startswith(prefix + ".") and name.endswith(".amazonaws.com"))


def granting(document, service: str, action: str) -> list[dict] | None:
    """The Allow statements of a document that let ``service`` call ``action``; None when the
    document (or a statement that might grant) is not known."""
    found = statements(document)
    if found is None:
        return None
    granted = []
    for statement in found:
        effect = statement.get("Effect")
        if effect == "Deny":
            continue
        if effect != "Allow":
            return None
        allowed = (principal_allowed(statement, service), action_allowed(statement, action))
        if None in allowed:
            return None
        if all(allowed):
            granted.append(statement)
    return granted


def condition_values(statement: dict, key: str) -> list:
    """The values a statement's Condition gives ``key`` (any operator; keys are case-insensitive)."""
    found = []
    condition = statement.get("Condition")
    for operands in condition.values() if isinstance(condition, dict) else ():
        if isinstance(operands, dict):
            for name, value in operands.items():
                if isinstance(name, str) and name.lower() == key.lower():
                    found.extend(value if isinstance(value, list) else [value])
    return found


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
    granted: list[tuple[str, Resource | None]] = []
    for alt in ctx.values(role, "Properties.Policies"):
        if alt.value is ABSENT:
            continue
        if not isinstance(alt.value, list):
            return None
        for policy in alt.value:
            if not isinstance(policy, dict) or not _add(granted, policy.get("PolicyDocument"), None):
                return None
    for alt in ctx.values(role, "Properties.ManagedPolicyArns"):
        if alt.value is ABSENT:
            continue
        if not isinstance(alt.value, list):
            return None
        for arn in alt.value:
            if not _add_managed(ctx, granted, arn):
                return None
    for kind, path in IDENTITY_POLICIES.items():
        for policy in ctx.resources(kind):
            attached = _attaches(ctx, policy, path, role)
            if attached is None:
                return None
            if attached:
                for alt in ctx.values(policy, "Properties.PolicyDocument"):
                    if not _add(granted, alt.value, policy):
                        return None
    return granted


def _add(granted: list, document, source: Resource | None) -> bool:
    found = statements(document)
    if found is None:
        return False
    for statement in found:
        if statement.get("Effect") != "Allow":
            continue
        patterns = _strings(statement.get("Action", []))
        if patterns is None or "NotAction" in statement:
            return False
        granted.extend((pattern, source) for pattern in patterns)
    return True


def _add_managed(ctx: Context, granted: list, arn) -> bool:
    text = arn if isinstance(arn, str) else arn.text if isinstance(arn, Unknown) else None
    if isinstance(text, str) and ":iam::aws:policy/" in text:
        actions = MANAGED_POLICY_ACTIONS.get(text.rsplit("/", 1)[-1])
        if actions is None:
            return False
        granted.extend((action, None) for action in actions)
        return True
    target = ctx.target(arn)
    if target is None or target.type != "AWS::IAM::ManagedPolicy":
        return False
    return all(_add(granted, alt.value, None) for alt in ctx.values(target, "Properties.PolicyDocument"))


def _attaches(ctx: Context, policy: Resource, path: tuple, role: Resource) -> bool | None:
    """Whether a policy resource attaches to the role; None when its roles are not known."""
    for alt in ctx.values(policy, path):
        if alt.value is ABSENT:
            continue
        for name in alt.value if isinstance(alt.value, list) else [alt.value]:
            target = ctx.target(name)
            if target is role or (isinstance(name, str) and name == role.properties.get("RoleName")):
                return True
            if target is None and not isinstance(name, str):
                return None
    return False


def allows(granted: list[tuple[str, Resource | None]], action: str) -> list[Resource | None]:
    """The sources (None for the role itself) of the grants that allow ``action``."""
    return [source for pattern, source in granted if fnmatchcase(action.lower(), pattern.lower())]
