"""Exposure of Lambda functions through their resource-based permissions."""

from __future__ import annotations

from cfncheck.analysis.policy import service_name
from cfncheck.api import ABSENT, ERROR, WARNING, Child, check

FUNCTION_DEPUTIES = ("s3", "sns", "events", "apigateway", "elasticloadbalancing", "cognito-idp", "logs")
INVOKE_ACTIONS = ("lambda:invokefunction", "lambda:invokefunctionurl")


# A target group registers its Lambda target only once the permission exists, so the permission
# cannot Ref the target group (a circular dependency): the fix needs its ARN built by hand.
_SOURCE_ARN_HINTS = {
    "elasticloadbalancing": ": the target group's ARN, built with Fn::Sub from its Name "
    "(arn:${AWS::Partition}:elasticloadbalancing:${AWS::Region}:${AWS::AccountId}:targetgroup/<name>/*), "
    "since the target group depends on this permission",
}


@check(
    "LAMBDA003",
    "lambda-permission-too-broad",
    ERROR,
    types=["AWS::Lambda::Permission", "AWS::Lambda::Url"],
    fix="Name the principal, or set SourceArn, SourceAccount or PrincipalOrgID.",
    tags=("security",),
    children=[
        Child(
            "LAMBDA024",
            "lambda-permission-confused-deputy",
            WARNING,
            """A Lambda permission for a service principal (S3, SNS, EventBridge, API Gateway, Elastic
            Load Balancing, Cognito, CloudWatch Logs) without SourceArn: that service can invoke the
            function for any account's resources (confused deputy). S3 also needs SourceAccount,
            because bucket ARNs carry no account.""",
            fix="Set SourceArn to the invoking resource (and SourceAccount for S3).",
            formerly=("LAMBDA003",),
        ),
        Child(
            "LAMBDA025",
            "lambda-permission-action-too-broad",
            WARNING,
            """A Lambda permission whose Action is not lambda:InvokeFunction (or
            lambda:InvokeFunctionUrl): it grants more than invoking the function.""",
            fix="Set Action to lambda:InvokeFunction (or lambda:InvokeFunctionUrl).",
            formerly=("LAMBDA003",),
        ),
        Child(
            "LAMBDA026",
            "lambda-url-public",
            WARNING,
            """A function URL with AuthType NONE: anyone on the internet can invoke the function
            through it. Intended for public webhooks, which then need their own authentication.""",
            fix="Set AuthType to AWS_IAM, or authenticate the callers in the function.",
            formerly=("LAMBDA003",),
        ),
    ],
)
def lambda_permission_too_broad(resource, ctx):
    """A Lambda permission for ``Principal: "*"`` without SourceArn, SourceAccount or PrincipalOrgID lets
    anyone invoke the function. A service principal without SourceArn is LAMBDA024 (confused deputy), an
    Action other than lambda:InvokeFunction(Url) LAMBDA025, and a function URL with AuthType NONE
    LAMBDA026."""
    if resource.type == "AWS::Lambda::Url":
        for alt in ctx.values(resource, "Properties.AuthType"):
            if alt.value == "NONE":
                yield ctx.finding(
                    resource,
                    "Properties.AuthType",
                    "Set AuthType to AWS_IAM: with NONE anyone on the internet can invoke the function URL.",
                    alt.scenario,
                    rule="LAMBDA026",
                )
        return
    for scenario, (principal, source_arn, source_account, org, url_auth, action) in ctx.joint(
        *(
            ctx.values(resource, f"Properties.{key}")
            for key in ("Principal", "SourceArn", "SourceAccount", "PrincipalOrgID", "FunctionUrlAuthType", "Action")
        )
    ):
        if principal == "*":
            if source_arn is ABSENT and source_account is ABSENT and org is ABSENT and url_auth != "AWS_IAM":
                yield ctx.finding(
                    resource,
                    "Properties.Principal",
                    "Anyone can invoke this function: set SourceArn, SourceAccount or PrincipalOrgID, or name the "
                    "principal.",
                    scenario,
                )
        elif (
            isinstance(principal, str)
            and service_name(principal) in FUNCTION_DEPUTIES
            and ".amazonaws.com" in principal
        ):
            needed = {"SourceArn": source_arn, "SourceAccount": source_account}
            if service_name(principal) != "s3":
                needed.pop("SourceAccount")
            missing = [k for k, v in needed.items() if v is ABSENT]
            if missing:
                yield ctx.finding(
                    resource,
                    "Properties.Principal",
                    f"Set {' and '.join(missing)} so that {principal} can invoke the function only for your own "
                    f"resources (confused deputy){_SOURCE_ARN_HINTS.get(service_name(principal), '')}.",
                    scenario,
                    rule="LAMBDA024",
                )
        if isinstance(action, str) and action.lower() not in INVOKE_ACTIONS:
            yield ctx.finding(
                resource,
                "Properties.Action",
                f"Grant lambda:InvokeFunction (or lambda:InvokeFunctionUrl) instead of {action}.",
                scenario,
                rule="LAMBDA025",
            )
