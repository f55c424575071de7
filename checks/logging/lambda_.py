"""Lambda functions: an execution role that can write the function's logs."""

from __future__ import annotations

from cfncheck.analysis.grants import role_allows
from cfncheck.analysis.log_groups import manages_log_group
from cfncheck.api import WARNING, check

WRITE_ACTIONS = ("logs:CreateLogStream", "logs:PutLogEvents")
CREATE_GROUP = "logs:CreateLogGroup"


@check(
    "LAMBDA011",
    "lambda-role-missing-logs-permission",
    WARNING,
    types=["AWS::Lambda::Function", "AWS::Serverless::Function"],
    fix="Attach `arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole` to the role (or allow "
    "logs:CreateLogGroup, logs:CreateLogStream and logs:PutLogEvents).",
    example="""
    Role:
      Type: AWS::IAM::Role
      Properties:
        AssumeRolePolicyDocument:
          Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}]
    Function:
      Type: AWS::Lambda::Function
      Properties:
        Role: !GetAtt Role.Arn
        Runtime: python3.12
        Handler: app.handler
        Code: {ZipFile: "def handler(event, context): pass"}
    """,
)
def lambda_role_missing_logs_permission(function, ctx):
    """A function writes its logs with its execution role: "make sure your AWS Lambda function has
    an execution role with an IAM policy that authorizes writes to CloudWatch Logs" (seed notes
    001 #250, 002 LAM-08). Without logs:CreateLogStream and logs:PutLogEvents it runs without logs;
    without logs:CreateLogGroup, unless the template creates the group, its first logs have
    nowhere to go.

    Reads the role of the template the function names (its inline policies, the AWS managed
    policies cfncheck knows, customer managed policies and AWS::IAM::Policy resources attached to
    it). A role with a policy cfncheck cannot read, a role of another template, and the role SAM
    generates (which has AWSLambdaBasicExecutionRole) are not reported.
    """
    for role in ctx.links(function, "Properties.Role"):
        if role.type != "AWS::IAM::Role" or role.foreign:
            continue
        verdicts = {action: role_allows(ctx, role.resource, action) for action in (*WRITE_ACTIONS, CREATE_GROUP)}
        missing = [action for action in WRITE_ACTIONS if verdicts[action] is False]
        if verdicts[CREATE_GROUP] is False and manages_log_group(ctx, function, role.scenario) is False:
            missing.insert(0, CREATE_GROUP)
        if missing:
            consequence = (
                " and the template creates no log group for this function: its logs have nowhere to go"
                if missing == [CREATE_GROUP]
                else "; this function cannot write its logs"
            )
            yield ctx.finding(
                function,
                "Properties.Role",
                f"Role {role.logical_id} does not allow {', '.join(missing)}{consequence}. Attach "
                "AWSLambdaBasicExecutionRole (or grant these actions).",
                role.scenario,
                related=[role.location(ctx, (), message=f"role {role.logical_id}")],
            )
