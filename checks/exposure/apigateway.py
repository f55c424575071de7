"""API Gateway: methods anyone can call, and private APIs open to every VPC endpoint (catalog
section 3.9, tier 2)."""

from __future__ import annotations

from cfncheck.analysis.policy import RESOURCE, readable_statements
from cfncheck.api import ABSENT, WARNING, Context, Link, as_bool, check

REST_API = "AWS::ApiGateway::RestApi"
V2_API = "AWS::ApiGatewayV2::Api"


def _private(api: Link) -> bool:
    return any(
        isinstance(alt.value, list) and "PRIVATE" in alt.value
        for alt in api.values("Properties.EndpointConfiguration.Types")
    )


def _open_api(ctx: Context, value) -> Link | None:
    """The REST API a method belongs to when it is in the run, has no resource policy (which may
    restrict callers) and is not private."""
    api = ctx.follow(value)
    if api is None or api.type != REST_API or _private(api):
        return None
    if any(alt.value is not ABSENT for alt in api.values("Properties.Policy")):
        return None
    return api


@check(
    "APIGW004",
    "apigw-method-without-authorization",
    WARNING,
    types=["AWS::ApiGateway::Method", "AWS::ApiGatewayV2::Route"],
    fix="Set AuthorizationType (AWS_IAM, COGNITO_USER_POOLS, CUSTOM or JWT) with an authorizer, require an "
    "API key, or restrict the API with a resource policy.",
    tags=("security",),
    example="\nMethod:\n  Type: AWS::ApiGateway::Method\n  Properties: {HttpMethod: POST, AuthorizationType: NONE}",
)
def method_without_authorization(resource, ctx):
    """A method with ``AuthorizationType: NONE`` (the default) on an API that no resource policy
    restricts can be called by anyone on the internet. Public endpoints exist, but they should be
    a decision: authorize with IAM, Cognito, a Lambda or JWT authorizer, or require an API key.

    OPTIONS methods (CORS preflight), MOCK integrations (static responses), private APIs and APIs
    with a resource policy pass; so do methods of an API that is not in the run. For a WebSocket API
    only the ``$connect`` route can be authorized, so only it is judged."""
    if resource.type == "AWS::ApiGateway::Method":
        yield from _rest_method(resource, ctx)
    else:
        yield from _v2_route(resource, ctx)


def _rest_method(method, ctx):
    for scenario, (kind, verb, key, integration, api) in ctx.joint(
        ctx.values(method, "Properties.AuthorizationType"),
        ctx.values(method, "Properties.HttpMethod"),
        ctx.values(method, "Properties.ApiKeyRequired"),
        ctx.values(method, "Properties.Integration.Type"),
        ctx.values(method, "Properties.RestApiId"),
    ):
        if kind not in (ABSENT, "NONE") or verb in ("OPTIONS", ABSENT) or not isinstance(verb, str):
            continue
        if as_bool(key, False) is not False or integration == "MOCK" or _open_api(ctx, api) is None:
            continue
        yield ctx.finding(
            method,
            "Properties.AuthorizationType" if kind is not ABSENT else "Properties",
            f"Anyone can call this {verb} method: set AuthorizationType (AWS_IAM, COGNITO_USER_POOLS or CUSTOM), "
            "require an API key, or add a resource policy to the API.",
            scenario,
        )


def _v2_route(route, ctx):
    for scenario, (kind, key, api) in ctx.joint(
        ctx.values(route, "Properties.AuthorizationType"),
        ctx.values(route, "Properties.RouteKey"),
        ctx.values(route, "Properties.ApiId"),
    ):
        link = ctx.follow(api)
        if kind not in (ABSENT, "NONE") or not isinstance(key, str) or link is None or link.type != V2_API:
            continue
        protocols = {alt.value for alt in link.values("Properties.ProtocolType")}
        if (
            key.startswith("OPTIONS ")
            or protocols - {"HTTP", "WEBSOCKET"}
            or ("WEBSOCKET" in protocols and key != "$connect")
        ):
            continue
        yield ctx.finding(
            route,
            "Properties.AuthorizationType" if kind is not ABSENT else "Properties",
            f"Anyone can call route {key}: set AuthorizationType (AWS_IAM, JWT or CUSTOM) with an authorizer.",
            scenario,
        )


_VPC_KEYS = {"aws:sourcevpce", "aws:sourcevpc"}


@check(
    "APIGW006",
    "apigw-private-api-without-policy",
    WARNING,
    types=[REST_API],
    fix="Add a Deny for execute-api:Invoke with a StringNotEquals aws:SourceVpce (or aws:SourceVpc) "
    "condition naming your endpoints or VPCs.",
    tags=("security",),
    example="\nPolicy:\n  Statement: [{Effect: Allow, Principal: '*', Action: execute-api:Invoke, Resource: '*'}]",
)
def private_api_without_vpc_condition(api, ctx):
    """A private REST API is reachable through any ``execute-api`` interface endpoint that can reach
    it — other VPCs' and other accounts' endpoints included — unless its resource policy names the
    endpoints or VPCs allowed (``aws:SourceVpce``, ``aws:SourceVpc``). AWS's documentation
    recommends that condition. (A private API without any policy fails to deploy: not this check's.)"""
    if not _private(Link(api, ctx.analysis)):
        return
    statements = readable_statements(ctx, api, (RESOURCE,))
    if not statements or not all(statement.conditions_known for statement in statements):
        return
    if any(condition.key in _VPC_KEYS for statement in statements for condition in statement.conditions):
        return
    yield ctx.finding(
        api,
        "Properties.Policy",
        "This private API's policy names no VPC endpoint or VPC: any execute-api endpoint that reaches it can "
        "call it. Add an aws:SourceVpce (or aws:SourceVpc) condition.",
    )
