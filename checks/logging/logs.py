"""CloudWatch Logs log groups: retention, and the groups Lambda functions write to."""

from __future__ import annotations

from cfncheck.analysis.log_groups import manages_function_logs, manages_log_group
from cfncheck.api import ABSENT, INFO, WARNING, check


@check(
    "LOGS002",
    "logs-retention-not-set",
    WARNING,
    types=["AWS::Logs::LogGroup"],
    fix="Set `RetentionInDays` (1, 3, 5, 7, 14, 30, 60, 90, … 3653) to how long the logs must be kept.",
    example="""
    Logs:
      Type: AWS::Logs::LogGroup
      Properties:
        LogGroupName: /app/orders
    """,
)
def logs_retention_not_set(group, ctx):
    """A log group without `RetentionInDays` keeps its logs forever: storage grows and is billed
    every month, and data that should expire does not (seed notes 001 #206 "Can define log
    expiration policies", 002 CW-03, 004 #114).

    Absent means never expire. A value CloudWatch Logs does not accept fails the deployment: that
    is a deploy failure, not this advice.
    """
    for alt in ctx.values(group, "Properties.RetentionInDays"):
        if alt.value is ABSENT:
            yield ctx.finding(
                group,
                "Properties.RetentionInDays",
                "Set RetentionInDays: without it this log group keeps its logs forever, and its storage is billed "
                "every month.",
                alt.scenario,
            )


@check(
    "LOGS003",
    "logs-lambda-log-group-unmanaged",
    INFO,
    types=["AWS::Lambda::Function", "AWS::Serverless::Function"],
    fix="Add an `AWS::Logs::LogGroup` named `!Sub /aws/lambda/${Function}` with a `RetentionInDays` (or point "
    "`LoggingConfig.LogGroup` at a group of the template).",
    example="""
    ApiLogs:
      Type: AWS::Logs::LogGroup
      Properties: {LogGroupName: /aws/lambda/api, RetentionInDays: 30}
    Function:
      Type: AWS::Lambda::Function
      Properties:
        Runtime: python3.12
        Handler: app.handler
        Role: !GetAtt Role.Arn
        Code: {ZipFile: "def handler(event, context): pass"}
    """,
)
def logs_lambda_log_group_unmanaged(function, ctx):
    """Lambda creates the group `/aws/lambda/<function name>` on the first invocation when it does
    not exist: that group never expires, is not deleted with the stack, and is not in the
    template's hands (seed notes 001 #206, 002 CW-04, 004 #80 "You can set expiration date for the
    Log Groups").

    Reported only in a template that takes charge of some function's logs (a log group named
    `/aws/lambda/…`, the CDK's `Custom::LogRetention`, a `LoggingConfig.LogGroup`), where a
    function left out is an oversight: reported everywhere, the advice would fall on nearly every
    template with a function (1,602 findings over the two corpora), most of which leave Lambda's
    logs to the account's defaults. A log group of the template named after the function (written
    literally or built from it, `!Sub /aws/lambda/${Function}`), `Custom::LogRetention` for it, or
    `LoggingConfig.LogGroup` count as managed; a group whose name cannot be known may be it.
    """
    kept = manages_function_logs(ctx)
    if kept is None or manages_log_group(ctx, function, function.exists_in) is not False:
        return
    yield ctx.finding(
        function,
        "Properties.LoggingConfig",
        f"This template manages the logs of other functions ({kept.logical_id}), but not this one's: Lambda will "
        "create its log group itself, never expiring and outliving the stack. Add an AWS::Logs::LogGroup named "
        "/aws/lambda/<function name> with RetentionInDays.",
        function.exists_in,
        related=[ctx.location(kept, (), message=kept.logical_id)],
    )
