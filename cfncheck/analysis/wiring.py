"""Following the wiring between resources: which resource a property names, which function an
event source feeds, which service delivers to a queue, topic or function, and which policies
and permissions let it.

A property names a resource through ``Ref``, ``Fn::GetAtt``, an ARN built with ``Fn::Sub`` or
``Fn::Join`` from one resource, or ``Fn::ImportValue`` of an export of another template of the
run (followed on to the exporting resource). A Lambda alias or version leads to its function.
SAM's ``Events`` are seen as the event source mappings, subscriptions and permissions the
transform generates. Whatever cannot be followed is left out: a check never reports on it.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import sam
from ..context import Context, Link, per_template
from ..graph import reaches
from ..nodes import MarkedDict
from ..references import resource_uses
from ..template import Resource
from ..values import Alt, Scenario, lookup
from .policy import RESOURCE, policy_statements, services

QUEUE, TOPIC = "AWS::SQS::Queue", "AWS::SNS::Topic"
FUNCTIONS = ("AWS::Lambda::Function", "AWS::Serverless::Function")
QUALIFIERS = ("AWS::Lambda::Alias", "AWS::Lambda::Version")
EVENT_SOURCE_MAPPING = "AWS::Lambda::EventSourceMapping"
SAM_FUNCTION = "AWS::Serverless::Function"
PERMISSION = "AWS::Lambda::Permission"
ACCESS_POINT = "AWS::EFS::AccessPoint"
FUNCTION_SUBNETS = ("Properties", "VpcConfig", "SubnetIds")
SERVICE_SUBNETS = ("Properties", "NetworkConfiguration", "AwsvpcConfiguration", "Subnets")

SAM_SOURCE_PROPERTY = {
    "SQS": "Queue",
    "Kinesis": "Stream",
    "DynamoDB": "Stream",
    "MSK": "Stream",
    "MQ": "Broker",
    "DocumentDB": "Cluster",
}
"""SAM event types that generate an event source mapping, and the property naming the source."""


def function_of(link: Link | None) -> Link | None:
    """The function a link names: itself, or the function of a Lambda alias or version."""
    for _ in range(3):  # an alias may name a version, which names the function
        if link is None or link.type in FUNCTIONS:
            return link
        if link.type not in QUALIFIERS:
            return None
        named = {
            found.logical_id: found
            for alt in link.values("Properties.FunctionName")
            if (found := link.follow(alt.value, alt.scenario)) is not None
        }
        link = named.popitem()[1] if len(named) == 1 else None
    return None


# -- event source mappings: a function polling a queue or stream ----------------------------


@dataclass(frozen=True)
class EventSource:
    """An ``AWS::Lambda::EventSourceMapping``, or a SAM function's event that generates one."""

    owner: Resource
    path: tuple  # the property naming the queue or stream
    function_path: tuple | None  # the property naming the function; None when the owner is the function

    @property
    def is_sam(self) -> bool:
        return self.function_path is None


def event_sources(resource: Resource) -> list[EventSource]:
    if resource.type == EVENT_SOURCE_MAPPING:
        return [EventSource(resource, ("Properties", "EventSourceArn"), ("Properties", "FunctionName"))]
    if resource.type != SAM_FUNCTION:
        return []
    return [
        EventSource(resource, ("Properties", "Events", name, "Properties", SAM_SOURCE_PROPERTY[kind]), None)
        for name, kind, _ in sam_events(resource)
        if kind in SAM_SOURCE_PROPERTY
    ]


def sam_events(resource: Resource) -> list[tuple[str, str, MarkedDict]]:
    """A SAM function's events as (name, Type, event) where the Type is written literally."""
    return sam.events(resource.properties)


def functions_fed(ctx: Context, source: EventSource) -> list[Link]:
    """The functions an event source invokes (through an alias or version if it names one)."""
    if source.is_sam:
        return [Link(source.owner, ctx.analysis, source.owner.exists_in)]
    return [found for link in ctx.links(source.owner, source.function_path) if (found := function_of(link))]


def polled(ctx: Context, resource: Resource) -> list[tuple[EventSource, Link, Link]]:
    """(event source, queue or stream, function) for each source a mapping or SAM function polls."""
    return [
        (source, origin, function)
        for source in event_sources(resource)
        for origin in ctx.links(source.owner, source.path)
        for function in functions_fed(ctx, source)
    ]


@per_template
def consumers(ctx: Context) -> dict[str, list[EventSource]]:
    """The event sources polling each queue or stream of this template, by its logical id."""
    found: dict[str, list[EventSource]] = {}
    for resource in ctx.resources(EVENT_SOURCE_MAPPING, SAM_FUNCTION):
        for source in event_sources(resource):
            for origin in ctx.links(source.owner, source.path):
                if not origin.foreign and source not in found.setdefault(origin.logical_id, []):
                    found[origin.logical_id].append(source)
    return found


# -- push deliveries: a service sending to a queue, topic or function -------------------------


@dataclass(frozen=True)
class Deliverer:
    """A property through which a service delivers to a queue, topic or function it names."""

    type: str
    path: tuple  # "[]" stands for each item of a list, "*" for each key of a mapping
    principal: str  # the service principal a policy or permission must allow
    destinations: tuple[str, ...]  # the kinds of destination this property delivers to
    breaks_deployment: bool  # without the grant the stack fails (else every delivery fails)
    needs_depends_on: bool = False  # the deliverer must also be created after the grant
    exempt_path: tuple | None = None  # set (a role): the service uses it instead of a grant
    exempt_sibling: str | None = None  # the same, beside the destination (an EventBridge target's RoleArn)


_S3 = ("Properties", "NotificationConfiguration")
_APIGW = "apigateway.amazonaws.com"
DELIVERERS = (
    Deliverer(
        "AWS::S3::Bucket", (*_S3, "QueueConfigurations", "[]", "Queue"), "s3.amazonaws.com", (QUEUE,), True, True
    ),
    Deliverer(
        "AWS::S3::Bucket", (*_S3, "TopicConfigurations", "[]", "Topic"), "s3.amazonaws.com", (TOPIC,), True, True
    ),
    Deliverer(
        "AWS::S3::Bucket", (*_S3, "LambdaConfigurations", "[]", "Function"), "s3.amazonaws.com", FUNCTIONS, True, True
    ),
    Deliverer(
        "AWS::Events::Rule",
        ("Properties", "Targets", "[]", "Arn"),
        "events.amazonaws.com",
        (QUEUE, TOPIC),
        False,
        exempt_sibling="RoleArn",
    ),
    Deliverer("AWS::Events::Rule", ("Properties", "Targets", "[]", "Arn"), "events.amazonaws.com", FUNCTIONS, False),
    Deliverer("AWS::SNS::Subscription", ("Properties", "Endpoint"), "sns.amazonaws.com", (QUEUE, *FUNCTIONS), False),
    Deliverer(
        "AWS::SNS::Topic",
        ("Properties", "Subscription", "[]", "Endpoint"),
        "sns.amazonaws.com",
        (QUEUE, *FUNCTIONS),
        False,
    ),
    Deliverer("AWS::CloudTrail::Trail", ("Properties", "SnsTopicName"), "cloudtrail.amazonaws.com", (TOPIC,), True),
    Deliverer(
        "AWS::ApiGateway::Method",
        ("Properties", "Integration", "Uri"),
        _APIGW,
        FUNCTIONS,
        False,
        exempt_path=("Properties", "Integration", "Credentials"),
    ),
    Deliverer(
        "AWS::ApiGateway::Authorizer",
        ("Properties", "AuthorizerUri"),
        _APIGW,
        FUNCTIONS,
        False,
        exempt_path=("Properties", "AuthorizerCredentials"),
    ),
    Deliverer(
        "AWS::ApiGatewayV2::Integration",
        ("Properties", "IntegrationUri"),
        _APIGW,
        FUNCTIONS,
        False,
        exempt_path=("Properties", "CredentialsArn"),
    ),
    Deliverer(
        "AWS::ApiGatewayV2::Authorizer",
        ("Properties", "AuthorizerUri"),
        _APIGW,
        FUNCTIONS,
        False,
        exempt_path=("Properties", "AuthorizerCredentialsArn"),
    ),
    Deliverer(
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        ("Properties", "Targets", "[]", "Id"),
        "elasticloadbalancing.amazonaws.com",
        FUNCTIONS,
        True,
        True,
    ),
    Deliverer("AWS::Logs::SubscriptionFilter", ("Properties", "DestinationArn"), "logs.amazonaws.com", FUNCTIONS, True),
    Deliverer(
        "AWS::Cognito::UserPool", ("Properties", "LambdaConfig", "*"), "cognito-idp.amazonaws.com", FUNCTIONS, False
    ),
)
"""The push-invoker table: who delivers where, which principal needs the grant, what fails without it."""


@dataclass(frozen=True)
class Delivery:
    source: Resource
    path: tuple  # the property naming the destination, from the source resource
    destination: Link
    deliverer: Deliverer


@per_template
def deliveries(ctx: Context) -> list[Delivery]:
    """Every delivery of a service to a queue, topic or function of this template (SAM events
    are left out: the transform writes their grants)."""
    found = []
    for deliverer in DELIVERERS:
        for source in ctx.resources(deliverer.type):
            if deliverer.exempt_path and any(alt.value for alt in ctx.values(source, deliverer.exempt_path)):
                continue
            for path, alt in reach(ctx, source, deliverer.path):
                if deliverer.exempt_sibling and any(
                    alt.value for alt in ctx.values(source, path[:-1] + (deliverer.exempt_sibling,))
                ):
                    continue
                link = ctx.follow(alt.value, alt.scenario)
                if deliverer.destinations != FUNCTIONS or link is None:
                    link = link if link is not None and link.type in deliverer.destinations else None
                else:
                    link = function_of(link)
                if link is not None and not link.foreign:
                    found.append(Delivery(source, path, link, deliverer))
    return found


def reach(ctx: Context, resource: Resource, pattern: tuple) -> list[tuple[tuple, Alt]]:
    """The values a path pattern reaches, each with its own path (an item of a list, a key)."""
    for index, key in enumerate(pattern):
        if key not in ("[]", "*"):
            continue
        prefix, rest = pattern[:index], pattern[index + 1 :]
        if key == "[]":
            items = ctx.elements(resource, prefix)
        else:
            items = [
                (prefix + (name,), Alt(value, alt.scenario))
                for alt in ctx.values(resource, prefix)
                if isinstance(alt.value, dict)
                for name, value in alt.value.items()
            ]
        reached = []
        for path, alt in items:
            value = alt.value
            for part in rest:
                value = value.get(part) if isinstance(value, dict) else None
            if isinstance(value, dict) and "LambdaArn" in value and not rest:  # Cognito's custom senders
                value, path = value["LambdaArn"], path + ("LambdaArn",)
            if value is not None:
                reached.append((path + rest, Alt(value, alt.scenario)))
        return reached
    return [(pattern, alt) for alt in ctx.values(resource, pattern)]


def depends_on(ctx: Context, resource: Resource, other: Resource) -> bool:
    """Whether ``resource`` is created after ``other``: DependsOn or a reference, directly or not."""
    return reaches(ctx.analysis.dependencies, resource.logical_id, other.logical_id)


# -- grants: resource policies of queues and topics, permissions of functions ----------------

POLICY_ATTACHMENTS = {
    "AWS::SQS::QueuePolicy": ("Properties", "Queues", "[]"),
    "AWS::SQS::QueueInlinePolicy": ("Properties", "Queue"),
    "AWS::SNS::TopicPolicy": ("Properties", "Topics", "[]"),
    "AWS::SNS::TopicInlinePolicy": ("Properties", "TopicArn"),
}
"""Resource policies and the property naming the queue or topic they attach to."""


def resource_policies(ctx: Context, resource: Resource) -> list[Resource]:
    """The queue or topic policies of this template attached to ``resource``."""
    return _policies_by_target(ctx).get(resource.logical_id, [])


@per_template
def _policies_by_target(ctx: Context) -> dict[str, list[Resource]]:
    index: dict[str, list[Resource]] = {}
    for kind, path in POLICY_ATTACHMENTS.items():
        for policy in ctx.resources(kind):
            for _, alt in reach(ctx, policy, path):
                link = ctx.follow(alt.value, alt.scenario)
                if link is not None and not link.foreign and policy not in index.setdefault(link.logical_id, []):
                    index[link.logical_id].append(policy)
    return index


ALARMS = ("AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm")
ALARM_ACTIONS = ("AlarmActions", "OKActions", "InsufficientDataActions")


def service_senders(ctx: Context, resource: Resource) -> list[str]:
    """The AWS service principals of this template that send to a queue or topic: the push
    deliveries above, the services its resource policies allow, and alarms whose actions name it.
    A service encrypts with the queue's or topic's KMS key, so that key's policy must let it."""
    senders = {d.deliverer.principal for d in deliveries(ctx) if d.destination.resource is resource}
    for policy in resource_policies(ctx, resource):
        for statement in policy_statements(ctx, policy, (RESOURCE,)):
            if statement.allows:
                senders.update(services(statement.principal))
    for alarm in ctx.resources(*ALARMS):
        for name in ALARM_ACTIONS:
            for _, alt in ctx.elements(alarm, ("Properties", name)):
                link = ctx.follow(alt.value, alt.scenario)
                if link is not None and link.resource is resource:
                    senders.add("cloudwatch.amazonaws.com")
    return sorted(senders)


def unattached_policies(ctx: Context, kind: str) -> bool:
    """Whether a policy of this kind attaches to something that cannot be followed (a queue
    URL from a parameter, say): it might be the one that grants, so nothing is reported."""
    path = POLICY_ATTACHMENTS[kind]
    return any(
        ctx.follow(alt.value) is None and not isinstance(alt.value, str)
        for policy in ctx.resources(kind)
        for _, alt in reach(ctx, policy, path)
    )


def permissions(ctx: Context, function: Resource) -> list[Resource]:
    """The ``AWS::Lambda::Permission`` resources granting on ``function`` (or an alias or version of
    it), those the SAM transform generates for a function's events included."""
    index, unknown = _permissions_by_function(ctx)
    return index.get(function.logical_id, []) + unknown


@per_template
def _permissions_by_function(ctx: Context) -> tuple[dict[str, list[Resource]], list[Resource]]:
    """The permissions of each function, and those whose function cannot be followed."""
    index: dict[str, list[Resource]] = {}
    unknown = []
    for permission in ctx.resources(PERMISSION) + ctx.template.generated_of_type(PERMISSION):
        targets = {
            found.logical_id
            for link in ctx.links(permission, "Properties.FunctionName")
            if (found := function_of(link))
        }
        if not targets:
            unknown.append(permission)
        for target in targets:
            index.setdefault(target, []).append(permission)
    return index, unknown


def named_by(resource: Resource) -> set[str]:
    """The logical ids a resource refers to (its own included): a SourceArn naming any of them
    belongs to this source (a method's SourceArn names its RestApi)."""
    return {use.target for use in resource_uses(resource.node)} | {resource.logical_id}


# -- file system mounts: functions and services that mount an EFS file system ----------------


@dataclass(frozen=True)
class Mount:
    """A resource that mounts a file system from the subnets of its list at ``subnets``, in a scenario."""

    client: Resource
    subnets: tuple
    scenario: Scenario


def file_system_mounts(ctx: Context, file_system: Resource) -> list[Mount]:
    """The Lambda functions (through an access point in ``FileSystemConfigs``) and the ECS
    services (through a task definition's EFS volume) of this template that mount ``file_system``."""
    mounts = []
    for function in ctx.resources(*FUNCTIONS):
        for _, config in ctx.elements(function, "Properties.FileSystemConfigs"):
            point = ctx.follow(lookup(config.value, "Arn"), config.scenario)
            if point is None or point.type != ACCESS_POINT:
                continue
            for alt in point.values("Properties.FileSystemId"):
                scenario = ctx.merge(config.scenario, alt.scenario)
                if scenario is not None and point.refers_to(alt.value, file_system):
                    mounts.append(Mount(function, FUNCTION_SUBNETS, scenario))
    tasks: dict[str, list[Scenario]] = {}
    for task in ctx.resources("AWS::ECS::TaskDefinition"):
        for _, volume in ctx.elements(task, "Properties.Volumes"):
            if ctx.refers_to(lookup(volume.value, "EFSVolumeConfiguration.FilesystemId"), file_system):
                tasks.setdefault(task.logical_id, []).append(volume.scenario)
    for service in ctx.resources("AWS::ECS::Service"):
        for alt in ctx.values(service, "Properties.TaskDefinition"):
            task = ctx.local(alt.value)
            for volume_scenario in tasks.get(task.logical_id if task is not None else "", ()):
                scenario = ctx.merge(alt.scenario, volume_scenario)
                if scenario is not None and Mount(service, SERVICE_SUBNETS, scenario) not in mounts:
                    mounts.append(Mount(service, SERVICE_SUBNETS, scenario))
    return mounts
