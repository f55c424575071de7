"""Lambda functions in their wiring: the services that invoke them and the queues and streams they poll."""

from __future__ import annotations

from cfncheck.analysis import grants
from cfncheck.analysis.policy import action_matches
from cfncheck.analysis.wiring import (
    EVENT_SOURCE_MAPPING,
    FUNCTIONS,
    QUEUE,
    SAM_FUNCTION,
    deliveries,
    depends_on,
    named_by,
    permissions,
    polled,
)
from cfncheck.api import ABSENT, ERROR, WARNING, Child, check


@check(
    "LAMBDA001",
    "lambda-invoker-without-permission",
    ERROR,
    types=None,
    fix="Add an AWS::Lambda::Permission with Action lambda:InvokeFunction, the function, the invoking service's "
    "Principal and its SourceArn (and DependsOn it from a bucket or target group).",
    deploy_failure=True,
    children=[
        Child(
            "LAMBDA022",
            "lambda-invocations-refused",
            WARNING,
            """A service that invokes a function at run time (SNS, EventBridge, API Gateway, Cognito)
            while no AWS::Lambda::Permission lets it: the stack deploys, but every invocation is
            refused.""",
            fix="Add an AWS::Lambda::Permission with Action lambda:InvokeFunction, the function, the invoking"
            " service's Principal and its SourceArn.",
            formerly=("LAMBDA001",),
        )
    ],
)
def invoker_without_permission(ctx):
    """A service that invokes a function needs the function's permission (resource policy).

    S3 notifications, ALB target groups and Logs subscription filters are validated when
    created: without an AWS::Lambda::Permission for their service principal the stack fails
    (a bucket or target group must also be created after it). SNS, EventBridge, API Gateway
    and Cognito deploy, but every invocation is refused (LAMBDA022). SAM events and SAM connectors
    write their own permissions; API integrations with a role (Credentials) do not need one."""
    for delivery in deliveries(ctx):
        function = delivery.destination
        if function.type not in FUNCTIONS or (not function.foreign and _sam_connector_to(ctx, function.logical_id)):
            continue
        candidates = [p for p in permissions(ctx, function.resource) if _permits(ctx, p, delivery)]
        breaks = delivery.deliverer.breaks_deployment
        related = [function.location(ctx, (), message=function.logical_id)]
        if not candidates:
            consequence = "the stack fails" if breaks else "every invocation is refused"
            yield ctx.finding(
                delivery.source,
                delivery.path,
                f"No AWS::Lambda::Permission lets {delivery.deliverer.principal} invoke {function.logical_id}: "
                f"{consequence}; add one.",
                function.scenario,
                rule=None if breaks else "LAMBDA022",
                related=related,
            )
        elif delivery.deliverer.needs_depends_on and not any(depends_on(ctx, delivery.source, p) for p in candidates):
            yield ctx.finding(
                delivery.source,
                "DependsOn",
                f"{delivery.source.logical_id} must be created after the permission {candidates[0].logical_id}, or "
                f"validation can fail: add DependsOn: {candidates[0].logical_id}.",
                function.scenario,
                related=[ctx.location(candidates[0], (), message=candidates[0].logical_id)],
            )


def _sam_connector_to(ctx, logical_id: str) -> bool:
    """Whether a SAM connector (a resource, or an entry of a resource's Connectors) has the
    function as its destination: SAM writes the function's permission for it."""
    connectors = [r.properties for r in ctx.resources("AWS::Serverless::Connector")]
    for resource in ctx.resources():
        entries = resource.node.get("Connectors")
        if isinstance(entries, dict):
            connectors += [e.get("Properties") for e in entries.values() if isinstance(e, dict)]
    for properties in connectors:
        destinations = properties.get("Destination") if isinstance(properties, dict) else None
        for destination in destinations if isinstance(destinations, list) else [destinations]:
            if isinstance(destination, dict) and destination.get("Id") == logical_id:
                return True
    return False


def _permits(ctx, permission, delivery) -> bool:
    """Whether a permission may let this delivery's service invoke (unknown fields permit)."""
    for alt in ctx.values(permission, "Properties.Action"):
        if isinstance(alt.value, str) and not action_matches(alt.value, "lambda:InvokeFunction"):
            return False
    for alt in ctx.values(permission, "Properties.Principal"):
        if alt.value != "*" and isinstance(alt.value, str):
            if not grants.same_service(alt.value, delivery.deliverer.principal):
                return False
    for alt in ctx.values(permission, "Properties.SourceArn"):
        link = ctx.follow(alt.value, alt.scenario)
        if link is not None and (link.foreign or link.logical_id not in named_by(delivery.source)):
            return False
    return True


SOURCE_ACTIONS = {
    QUEUE: ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"),
    "AWS::Kinesis::Stream": (
        "kinesis:GetRecords",
        "kinesis:GetShardIterator",
        "kinesis:DescribeStream",
        "kinesis:ListShards",
    ),
    "AWS::DynamoDB::Table": (
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "dynamodb:DescribeStream",
        "dynamodb:ListStreams",
    ),
}
"""What an event source mapping's role must be allowed, per source (the AWSLambda*ExecutionRole policies)."""
SOURCE_KEYS = {
    QUEUE: ("Properties.KmsMasterKeyId", "alias/aws/sqs"),
    "AWS::Kinesis::Stream": ("Properties.StreamEncryption.KeyId", "alias/aws/kinesis"),
}
"""Where a source names its KMS key, and the AWS managed key that needs no kms:Decrypt."""


@check(
    "LAMBDA002",
    "lambda-esm-role-missing-permissions",
    ERROR,
    types=[EVENT_SOURCE_MAPPING, SAM_FUNCTION],
    fix="Grant the function's role the source's read actions (attach AWSLambdaSQSQueueExecutionRole, "
    "AWSLambdaKinesisExecutionRole or AWSLambdaDynamoDBExecutionRole) and kms:Decrypt for a customer key.",
    deploy_failure=True,
    children=[
        Child(
            "LAMBDA023",
            "lambda-esm-permission-race",
            WARNING,
            """An event source mapping whose function's role gets the source's read actions only from a
            separate AWS::IAM::Policy the mapping does not depend on: CloudFormation may create the
            mapping first, and then CreateEventSourceMapping fails; whether it does depends on the
            order of the day.""",
            fix="Add DependsOn: <the policy> to the event source mapping.",
            formerly=("LAMBDA002",),
        )
    ],
)
def esm_role_missing_permissions(resource, ctx):
    """Lambda reads an event source with the function's execution role; without the source's
    read actions CreateEventSourceMapping fails. A grant in a separate AWS::IAM::Policy that
    the mapping does not depend on races the mapping (LAMBDA023). Roles with policies cfncheck
    cannot read, and roles SAM generates, are not reported."""
    for source, origin, function in polled(ctx, resource):
        required = list(SOURCE_ACTIONS.get(origin.type, ()))
        if not required or function.foreign:
            continue
        if origin.type in SOURCE_KEYS and not origin.foreign:
            path, managed = SOURCE_KEYS[origin.type]
            if any(alt.value is not ABSENT and alt.value != managed for alt in origin.values(path)):
                required.append("kms:Decrypt")
        for role in ctx.links(function.resource, "Properties.Role"):
            # a role of another template may be granted more by any template that imports it
            local = role.type == "AWS::IAM::Role" and not role.foreign
            granted = grants.role_actions(ctx, role.resource) if local else None
            if granted is None:
                continue
            missing = [action for action in required if not grants.allows(granted, action)]
            related = [role.location(ctx, (), message=f"role {role.logical_id}")]
            if missing:
                yield ctx.finding(
                    source.owner,
                    source.path,
                    f"Role {role.logical_id} of {function.logical_id} lacks {', '.join(missing)} to read "
                    f"{origin.logical_id}: the event source mapping cannot be created; grant them.",
                    role.scenario,
                    related=related,
                )
                continue
            racing = _racing(ctx, source, granted, required)
            if racing is not None:
                yield ctx.finding(
                    source.owner,
                    source.path,
                    f"{origin.logical_id} is read with permissions granted only by {racing.logical_id}, which this "
                    f"mapping may be created before: add DependsOn: {racing.logical_id}.",
                    role.scenario,
                    rule="LAMBDA023",
                    related=[ctx.location(racing, (), message=racing.logical_id)],
                )


def _racing(ctx, source, granted, required):
    """A separate policy granting a required action that no grant of the role itself covers,
    and that the mapping is not created after."""
    if source.is_sam:
        return None
    for action in required:
        sources = grants.allows(granted, action)
        if None in sources:
            continue
        for policy in sources:
            if depends_on(ctx, source.owner, policy):
                break
        else:
            return sources[0]
    return None
