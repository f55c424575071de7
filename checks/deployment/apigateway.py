"""API Gateway methods and deployments the service refuses."""

from __future__ import annotations

from cfncheck.api import ABSENT, ERROR, check

REST_API, DEPLOYMENT = "AWS::ApiGateway::RestApi", "AWS::ApiGateway::Deployment"
NEEDS_AUTHORIZER = ("CUSTOM", "COGNITO_USER_POOLS")


@check(
    "APIGW040",
    "apigw-authorizer-missing",
    ERROR,
    types=["AWS::ApiGateway::Method"],
    fix="Set AuthorizerId to the AWS::ApiGateway::Authorizer the method uses (!Ref MyAuthorizer), or choose "
    "another AuthorizationType.",
    example="Resources:\n  Get:\n    Type: AWS::ApiGateway::Method\n    Properties:\n      RestApiId: abc123\n"
    "      ResourceId: def456\n      HttpMethod: GET\n      AuthorizationType: COGNITO_USER_POOLS\n"
    "      Integration: {Type: MOCK}",
)
def authorizer_missing(method, ctx):
    """A method whose AuthorizationType is CUSTOM or COGNITO_USER_POOLS without AuthorizerId: API
    Gateway refuses it ("Invalid authorizer ID specified. Setting the authorization type to
    CUSTOM or COGNITO_USER_POOLS requires a valid authorizer."), failing the stack. Source: the
    API Gateway PutMethod API reference (authorizerId)."""
    for alt in ctx.values(method, "Properties"):
        body = alt.value
        if not isinstance(body, dict):
            continue
        kind = body.get("AuthorizationType", ABSENT)
        if kind in NEEDS_AUTHORIZER and "AuthorizerId" not in body:
            message = (
                f'AuthorizationType {kind} without AuthorizerId: API Gateway refuses the method ("Setting the '
                'authorization type to CUSTOM or COGNITO_USER_POOLS requires a valid authorizer"). Set AuthorizerId.'
            )
            yield ctx.finding(method, "Properties.AuthorizationType", message, alt.scenario)


@check(
    "APIGW041",
    "apigw-private-api-policy-missing",
    ERROR,
    types=[REST_API],
    fix="Give the private API a Policy allowing execute-api:Invoke from your VPC endpoints (aws:SourceVpce).",
    example="Resources:\n  Api:\n    Type: AWS::ApiGateway::RestApi\n    Properties:\n      Name: internal\n"
    "      EndpointConfiguration: {Types: [PRIVATE]}\n  Release:\n    Type: AWS::ApiGateway::Deployment\n"
    "    Properties: {RestApiId: !Ref Api}",
)
def private_api_policy_missing(api, ctx):
    """A private REST API without a resource policy cannot be deployed: API Gateway refuses the
    deployment this template creates for it ("Private REST API doesn't have a resource policy
    attached to it"), failing the stack. An API defined by an OpenAPI Body may carry its policy
    there and is not judged. Source: the API Gateway developer guide, "Private REST APIs"
    (a resource policy is required)."""
    deployments = [d for d in ctx.resources(DEPLOYMENT) if ctx.refers_to(_api_of(ctx, d), api)]
    if not deployments:
        return
    for alt in ctx.values(api, "Properties"):
        body = alt.value
        if not isinstance(body, dict) or {"Policy", "Body", "BodyS3Location"} & body.keys():
            continue
        types = body.get("EndpointConfiguration", {})
        types = types.get("Types") if isinstance(types, dict) else None
        if isinstance(types, list) and "PRIVATE" in types:
            message = (
                "A private API without Policy: API Gateway refuses to deploy it (\"Private REST API doesn't have a "
                'resource policy attached to it"). Add a Policy allowing your VPC endpoints.'
            )
            related = [
                ctx.location(d, "Properties.RestApiId", message="the deployment that fails") for d in deployments
            ]
            yield ctx.finding(api, "Properties.EndpointConfiguration", message, alt.scenario, related=related)


def _api_of(ctx, deployment):
    values = [alt.value for alt in ctx.values(deployment, "Properties.RestApiId")]
    return values[0] if len(values) == 1 else None
