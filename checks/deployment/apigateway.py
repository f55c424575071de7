"""API Gateway methods and deployments the service refuses."""

from __future__ import annotations

from cfncheck.analysis.wiring import depends_on
from cfncheck.api import ABSENT, ERROR, Reference, check

FUNCTIONS = ("AWS::Lambda::Function", "AWS::Lambda::Alias", "AWS::Serverless::Function")
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
    deploy_failure=True,
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
    deploy_failure=True,
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


METHOD = "AWS::ApiGateway::Method"


@check(
    "APIGW005",
    "apigw-deployment-without-methods",
    ERROR,
    types=[DEPLOYMENT],
    fix="Make the deployment DependsOn the API's methods, so it is created after them.",
    example="Resources:\n  Api:\n    Type: AWS::ApiGateway::RestApi\n    Properties: {Name: orders}\n  Get:\n"
    "    Type: AWS::ApiGateway::Method\n    Properties:\n      RestApiId: !Ref Api\n"
    "      ResourceId: !GetAtt Api.RootResourceId\n      HttpMethod: GET\n      AuthorizationType: NONE\n"
    "      Integration: {Type: MOCK}\n  Release:\n    Type: AWS::ApiGateway::Deployment\n"
    "    Properties: {RestApiId: !Ref Api}",
    deploy_failure=True,
)
def deployment_without_methods(deployment, ctx):
    """A deployment of a REST API of this template that has no method when the deployment is
    created: API Gateway refuses it ("BadRequestException: The REST API doesn't contain any
    methods"). That is the case when the API's methods are in the template but the deployment
    does not DependsOn any (CloudFormation creates the deployment as soon as the API exists). An
    API with no method here is not judged (a module's parent, or another stack, may add them),
    nor one defined by an OpenAPI Body or cloned, which carries its methods. Source: the API
    Gateway CreateDeployment API reference and the CloudFormation AWS::ApiGateway::Deployment
    reference (DependsOn)."""
    api = ctx.local(_api_of(ctx, deployment))
    if api is None or api.type != REST_API:
        return
    if any(
        isinstance(alt.value, dict) and {"Body", "BodyS3Location", "CloneFrom"} & alt.value.keys()
        for alt in ctx.values(api, "Properties")
    ):
        return
    methods = [
        m
        for m in ctx.resources(METHOD)
        if any(ctx.refers_to(alt.value, api) for alt in ctx.values(m, "Properties.RestApiId"))
    ]
    if not methods or any(depends_on(ctx, deployment, method) for method in methods):
        return
    message = (
        'API Gateway refuses the deployment ("The REST API doesn\'t contain any methods"): it does not DependsOn '
        f"the API's methods ({methods[0].logical_id}…), so it may be created before them."
    )
    yield ctx.finding(deployment, "Properties.RestApiId", message)


@check(
    "APIGW007",
    "apigw-lambda-integration-invalid",
    ERROR,
    types=[METHOD],
    fix="Set the Uri to the function's invocation URI: !Sub arn:${AWS::Partition}:apigateway:${AWS::Region}:"
    "lambda:path/2015-03-31/functions/${Function.Arn}/invocations.",
    example="Resources:\n  Get:\n    Type: AWS::ApiGateway::Method\n    Properties:\n      RestApiId: abc123\n"
    "      ResourceId: def456\n      HttpMethod: GET\n      AuthorizationType: NONE\n      Integration:\n"
    "        Type: AWS_PROXY\n        IntegrationHttpMethod: POST\n"
    "        Uri: arn:aws:lambda:us-east-1:123456789012:function:orders",
    deploy_failure=True,
)
def lambda_integration_invalid(method, ctx):
    """An AWS or AWS_PROXY integration whose Uri is the Lambda function's ARN rather than the API
    Gateway invocation URI of the function: API Gateway refuses the method ("AWS ARN for
    integration must contain path or action"). Source: the API Gateway PutIntegration API
    reference (uri) and "Set up Lambda proxy integrations"."""
    for alt in ctx.values(method, "Properties.Integration"):
        body = alt.value
        if not isinstance(body, dict) or body.get("Type") not in ("AWS", "AWS_PROXY"):
            continue
        uri = body.get("Uri", ABSENT)
        target = ctx.local(uri)
        plain_arn = isinstance(uri, str) and uri.startswith("arn:") and ":lambda:" in uri and ":apigateway:" not in uri
        if plain_arn or isinstance(uri, Reference) and target is not None and target.type in FUNCTIONS:
            message = (
                "Integration Uri is the function's ARN: API Gateway refuses it (\"AWS ARN for integration must "
                'contain path or action"). Use arn:…:apigateway:REGION:lambda:path/2015-03-31/functions/ARN/'
                "invocations."
            )
            yield ctx.finding(method, "Properties.Integration.Uri", message, alt.scenario)
