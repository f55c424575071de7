"""Lambda: callers that give up before the function ends, and functions that trigger themselves
(catalog section 3.11, tier 2)."""

from __future__ import annotations

from typing import NamedTuple

from cfncheck.analysis.grants import role_statements
from cfncheck.analysis.policy import IDENTITY, grants, names_bucket, policy_statements
from cfncheck.analysis.wiring import FUNCTIONS, SAM_FUNCTION, deliveries, function_of, sam_events
from cfncheck.api import ABSENT, ALWAYS, WARNING, Alt, Context, Link, Resource, Scenario, as_number, check

DEFAULT_TIMEOUT = 3  # seconds, when a function sets no Timeout
SYNC_CALLERS = {
    "AWS::ApiGateway::Method": (("Properties", "Integration", "TimeoutInMillis"), 29_000, "REST API"),
    "AWS::ApiGatewayV2::Integration": (("Properties", "TimeoutInMillis"), 30_000, "HTTP API"),
}
SAM_CALLERS = {"Api": (29_000, "REST API"), "HttpApi": (30_000, "HTTP API")}


class Caller(NamedTuple):
    """An API that waits for the function, in the scenario where it exists and waits that long."""

    resource: Resource
    path: tuple
    seconds: float
    kind: str
    scenario: Scenario


def _callers(ctx: Context, function: Resource) -> list[Caller]:
    """Each API of the template that waits for the function, per scenario."""
    found = []
    for delivery in deliveries(ctx):
        spec = SYNC_CALLERS.get(delivery.source.type)
        if spec is None or delivery.destination.resource is not function:
            continue
        path, default, kind = spec
        for scenario, (value, _) in ctx.joint(
            ctx.values(delivery.source, path), _waiting(ctx, delivery.source), within=delivery.destination.scenario
        ):
            millis = as_number(value, default)
            if millis is not None:
                where = path if value is not ABSENT else delivery.path
                found.append(Caller(delivery.source, where, millis / 1000, kind, scenario))
    if function.type == SAM_FUNCTION:
        for name, kind, _ in sam_events(function):
            if kind in SAM_CALLERS:
                millis, api = SAM_CALLERS[kind]
                found.append(Caller(function, ("Properties", "Events", name), millis / 1000, api, ALWAYS))
    return found


def _waiting(ctx: Context, caller: Resource) -> list[Alt]:
    """The scenarios in which the caller answers its client only when the function returns: a REST
    method always; an API Gateway v2 integration when its API is an HTTP API. A WebSocket API's
    functions may run on and push their results back over the connection, and an API that cannot
    be followed, or whose protocol is unknown, is not judged."""
    if caller.type != "AWS::ApiGatewayV2::Integration":
        return [Alt(True)]
    return [
        alt
        for api in ctx.links(caller, "Properties.ApiId")
        for alt in api.values("Properties.ProtocolType")
        if alt.value == "HTTP"
    ]


@check(
    "LAMBDA013",
    "lambda-timeout-exceeds-caller-timeout",
    WARNING,
    types=FUNCTIONS,
    fix="Lower the function's Timeout to the API's integration timeout (29 s for REST, 30 s for HTTP APIs), "
    "or make the work asynchronous (a queue, Step Functions) and return at once.",
    example="\nFunction:\n  Properties: {Timeout: 120}   # behind API Gateway, which waits 29 s",
)
def timeout_exceeds_caller(function, ctx):
    """API Gateway waits at most its integration timeout (29 seconds for REST APIs by default, 30 for
    HTTP APIs, or the integration's ``TimeoutInMillis``: Regional and private REST APIs may raise it
    above 29 s since 2024) for a function: a function allowed to run
    longer keeps running — and billing — after the client got a 504. The function's Timeout should
    not exceed its caller's. WebSocket APIs are not judged: their functions may answer later over
    the connection. A finding holds where both the caller and the Timeout do, and names that scenario."""
    callers = _callers(ctx, function)
    if not callers:
        return
    for alt in ctx.values(function, "Properties.Timeout"):
        seconds = as_number(alt.value, DEFAULT_TIMEOUT)
        late = [
            (scenario, caller)
            for caller in callers
            if seconds is not None
            and seconds > caller.seconds
            and (scenario := ctx.merge(alt.scenario, caller.scenario)) is not None
        ]
        if late:
            # the finding that holds in the most scenarios, and of those the caller that gives up first
            scenario, caller = min(late, key=lambda pair: (len(pair[0]), pair[1].seconds))
            yield ctx.finding(
                function,
                "Properties.Timeout",
                f"The function may run {seconds:g} s, but {_name(caller, function)} ({caller.kind}) stops waiting "
                f"after {caller.seconds:g} s "
                "and answers 504: lower the Timeout or make the work asynchronous.",
                scenario,
                related=(ctx.location(caller.resource, caller.path, scenario, message="the caller's timeout"),),
            )


def _name(caller: Caller, function: Resource) -> str:
    return f"its {caller.path[2]} event" if caller.resource is function else caller.resource.logical_id


def _object_created(event) -> bool:
    return isinstance(event, str) and event.startswith("s3:ObjectCreated:")


def _unfiltered(configuration: dict) -> bool:
    rules = (
        (((configuration.get("Filter") or {}).get("S3Key") or {}).get("Rules"))
        if isinstance(configuration, dict)
        else None
    )
    return not rules


def _triggers(ctx: Context, function: Resource) -> list[tuple[Resource, tuple]]:
    """(bucket, path) of each unfiltered object-created notification of the template that invokes the function."""
    found = []
    for bucket in ctx.resources("AWS::S3::Bucket"):
        configurations = ("Properties", "NotificationConfiguration", "LambdaConfigurations")
        for path, alt in ctx.elements(bucket, configurations):
            entry = alt.value
            if not isinstance(entry, dict) or not _object_created(entry.get("Event")) or not _unfiltered(entry):
                continue
            if (target := function_of(ctx.follow(entry.get("Function"), alt.scenario))) and target.resource is function:
                found.append((bucket, path))
    if function.type == SAM_FUNCTION:
        for name, kind, event in sam_events(function):
            properties = event.get("Properties") if kind == "S3" else None
            if not isinstance(properties, dict) or not _unfiltered(properties):
                continue
            events = properties.get("Events")
            if any(_object_created(e) for e in (events if isinstance(events, list) else [events])):
                bucket = ctx.local(ctx.resolve(properties.get("Bucket"))[0].value)
                if bucket is not None:
                    found.append((bucket, ("Properties", "Events", name)))
    return found


_WRITERS = ("S3CrudPolicy", "S3WritePolicy", "S3FullAccessPolicy")


def _writes_to(ctx: Context, function: Resource, bucket: Resource) -> bool:
    """Whether the function's role (or SAM policy template) may put objects into ``bucket``."""
    link = Link(bucket, ctx.analysis)
    names = {alt.value for alt in link.values("Properties.BucketName") if isinstance(alt.value, str)}
    statements = []
    role = next((ctx.local(alt.value) for alt in ctx.values(function, "Properties.Role")), None)
    if role is not None and role.type == "AWS::IAM::Role":
        statements = role_statements(ctx, role)
    if function.type == SAM_FUNCTION:
        statements += policy_statements(ctx, function, (IDENTITY,))
        for _, alt in ctx.elements(function, ("Properties", "Policies")):
            template = alt.value if isinstance(alt.value, dict) else {}
            for key in _WRITERS:
                name = template.get(key, {}).get("BucketName") if isinstance(template.get(key), dict) else None
                if ctx.refers_to(name, bucket) or name in names:
                    return True
    return any(
        statement.allows
        and grants(statement, "s3:PutObject")
        and any(names_bucket(ctx, item, bucket) for item in statement.resources or ())
        for statement in statements
    )


@check(
    "LAMBDA014",
    "lambda-s3-trigger-recursion",
    WARNING,
    types=FUNCTIONS,
    fix="Write the output to another bucket, or filter the notification by prefix or suffix so the "
    "function's own objects do not trigger it.",
    example="Bucket → s3:ObjectCreated:* → Function, whose role may s3:PutObject into Bucket",
)
def s3_trigger_recursion(function, ctx):
    """A function triggered by every object created in a bucket, whose role may put objects into
    that same bucket, triggers itself each time it writes: a loop that runs (and bills) until
    someone notices. Lambda's recursive-loop detection does not cover S3. Separate input from output
    with another bucket or a prefix/suffix filter on the notification."""
    for bucket, path in _triggers(ctx, function):
        if _writes_to(ctx, function, bucket):
            yield ctx.finding(
                function,
                "Type",
                f"Objects created in {bucket.logical_id} invoke this function, which may write objects there too: "
                "a write triggers it again. Use another bucket for the output, or filter the notification.",
                related=(ctx.location(bucket, path, bucket.exists_in, message="the unfiltered trigger"),),
            )
            return
