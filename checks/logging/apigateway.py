"""API Gateway stages: access logs, execution logs, and the account role that writes them."""

from __future__ import annotations

from dataclasses import dataclass

from cfncheck.analysis.referrers import run_views
from cfncheck.api import ABSENT, INFO, WARNING, Alt, Child, Scenario, Unknown, as_bool, check, lookup

REST_STAGE = "AWS::ApiGateway::Stage"
DEPLOYMENT = "AWS::ApiGateway::Deployment"
V2_STAGE = "AWS::ApiGatewayV2::Stage"
SAM_API = "AWS::Serverless::Api"
SAM_HTTP_API = "AWS::Serverless::HttpApi"
ACCOUNT = "AWS::ApiGateway::Account"
STAGES = [REST_STAGE, DEPLOYMENT, V2_STAGE, SAM_API, SAM_HTTP_API]


@dataclass(frozen=True)
class Stage:
    """One stage's logging settings in one scenario."""

    protocol: str | None  # REST, HTTP, WEBSOCKET; None when not known
    access_path: tuple  # where the access log setting is (or belongs)
    access: object  # its value
    settings: tuple  # (path, mapping) of each place that sets LoggingLevel / DataTraceEnabled
    scenario: Scenario


def stages(ctx, resource) -> list[Stage]:
    """The stage a resource creates, per scenario (a deployment without StageName creates none)."""
    if resource.type == DEPLOYMENT:
        base = ("Properties", "StageDescription")
        if all(alt.value is ABSENT for alt in ctx.values(resource, "Properties.StageName")):
            return []
        return [
            Stage(
                "REST",
                base + ("AccessLogSetting",),
                lookup(alt.value, "AccessLogSetting"),
                ((base, alt.value),) + _items(ctx, resource, base + ("MethodSettings",), alt.scenario),
                alt.scenario,
            )
            for alt in ctx.values(resource, base)
        ]
    if resource.type in (REST_STAGE, SAM_API):
        key = ("Properties", "AccessLogSetting")
        return [
            Stage(
                "REST",
                key,
                alt.value,
                _items(ctx, resource, ("Properties", "MethodSettings"), alt.scenario),
                alt.scenario,
            )
            for alt in ctx.values(resource, key)
        ]
    key = ("Properties", "AccessLogSettings")
    found = []
    for scenario, (access, default, protocol) in ctx.joint(
        ctx.values(resource, key), ctx.values(resource, "Properties.DefaultRouteSettings"), _protocol(ctx, resource)
    ):
        settings = ((("Properties", "DefaultRouteSettings"), default),) + tuple(
            (("Properties", "RouteSettings", name), value)
            for alt in ctx.resolver.get(resource.node, ("Properties", "RouteSettings"), scenario)
            if isinstance(alt.value, dict)
            for name, value in alt.value.items()
        )
        found.append(Stage(protocol, key, access, settings, scenario))
    return found


def _items(ctx, resource, path: tuple, scenario: Scenario) -> tuple:
    return tuple((item_path, item.value) for item_path, item in ctx.elements(resource, path, scenario))


def _protocol(ctx, resource) -> list:
    """The protocol of an HTTP or WebSocket API's stage, per scenario (None where not known)."""
    if resource.type == SAM_HTTP_API:
        return [Alt("HTTP", resource.exists_in)]
    found = []
    for link in ctx.links(resource, "Properties.ApiId"):
        if link.type == SAM_HTTP_API:
            found.append(Alt("HTTP", link.scenario))
        elif link.type == "AWS::ApiGatewayV2::Api":
            found += [
                Alt(alt.value if isinstance(alt.value, str) else None, alt.scenario)
                for alt in link.values("Properties.ProtocolType")
            ]
    return found or [Alt(None, resource.exists_in)]


def _logging_level(setting) -> str | None:
    """A setting's LoggingLevel in upper case (OFF when not written), None when not known."""
    level = lookup(setting, "LoggingLevel") if isinstance(setting, dict) else ABSENT
    if level is ABSENT:
        return "OFF"
    return level.upper() if isinstance(level, str) else None


@check(
    "APIGW002",
    "apigw-stage-access-logging-disabled",
    WARNING,
    types=STAGES,
    fix="Add `AccessLogSetting` (HTTP and WebSocket APIs: `AccessLogSettings`) with a `DestinationArn` and a `Format`.",
    example="""
    Stage:
      Type: AWS::ApiGateway::Stage
      Properties:
        RestApiId: !Ref Api
        DeploymentId: !Ref Deployment
        StageName: prod
    """,
    children=[
        Child(
            "APIGW014",
            "apigw-stage-execution-logging-disabled",
            INFO,
            "A REST or WebSocket stage without execution logging (`LoggingLevel` absent or OFF): errors inside "
            "API Gateway (authorizers, integrations, mapping templates) leave no trace. AWS recommends ERROR or "
            "INFO. Execution logging needs the account's CloudWatch role (APIGW003).",
            fix="Set `LoggingLevel: ERROR` (or INFO) in a `MethodSettings` entry for `ResourcePath: /*`, "
            "`HttpMethod: '*'`.",
        ),
        Child(
            "APIGW015",
            "apigw-stage-data-trace-enabled",
            WARNING,
            "`DataTraceEnabled: true` writes full request and response bodies to the execution logs — tokens, "
            "personal data, secrets. AWS advises against it in production.",
            fix="Remove `DataTraceEnabled` (or set it to false) outside debugging.",
        ),
    ],
)
def apigw_stage_logging(resource, ctx):
    """A stage without access logs cannot say who called the API, when and with what result (seed
    notes 001 #278 "Enable CloudWatch logging at the Stage level", 002 APIGW-02, 003 #89).

    Reads REST stages (`AWS::ApiGateway::Stage`, a deployment's `StageDescription` when it creates
    a stage, SAM `AWS::Serverless::Api`), HTTP and WebSocket stages (`AWS::ApiGatewayV2::Stage`,
    SAM `AWS::Serverless::HttpApi`), SAM Globals merged. Execution logging (APIGW014) and data
    tracing (APIGW015) apply to REST and WebSocket APIs; HTTP APIs have access logs only. The
    stages SAM makes for an API it creates implicitly are not reported.
    """
    for stage in stages(ctx, resource):
        if stage.access is ABSENT:
            yield ctx.finding(
                resource,
                stage.access_path,
                "Turn on access logging: add a destination (a log group or Firehose stream ARN) and a Format, so "
                "each call to this stage is recorded.",
                stage.scenario,
            )
        if stage.protocol == "HTTP":
            continue
        levels = [_logging_level(setting) for _, setting in stage.settings]
        if stage.protocol is not None and None not in levels and all(level == "OFF" for level in levels):
            yield ctx.finding(
                resource,
                stage.settings[0][0] if stage.settings else stage.access_path[:-1],
                "Turn on execution logging: set LoggingLevel to ERROR (or INFO) for all methods (ResourcePath /*, "
                "HttpMethod *), so failures inside API Gateway leave a trace.",
                stage.scenario,
                rule="APIGW014",
            )
        for path, setting in stage.settings:
            if isinstance(setting, dict) and as_bool(setting.get("DataTraceEnabled", ABSENT), False):
                yield ctx.finding(
                    resource,
                    path + ("DataTraceEnabled",),
                    "Turn DataTraceEnabled off: it logs full request and response bodies, which can hold tokens "
                    "and personal data.",
                    stage.scenario,
                    rule="APIGW015",
                )


@check(
    "APIGW003",
    "apigw-logging-without-account-role",
    WARNING,
    types=STAGES,
    options={"account_role_set": False},
    fix="Add an `AWS::ApiGateway::Account` whose `CloudWatchRoleArn` names a role trusted by "
    "apigateway.amazonaws.com with AmazonAPIGatewayPushToCloudWatchLogs (or set this check's `account_role_set` "
    "option when the account has one).",
    example="""
    Stage:
      Type: AWS::ApiGateway::Stage
      Properties:
        RestApiId: !Ref Api
        DeploymentId: !Ref Deployment
        MethodSettings:
          - {ResourcePath: /*, HttpMethod: '*', LoggingLevel: INFO}
    """,
)
def apigw_logging_without_account_role(resource, ctx):
    """API Gateway writes REST and WebSocket logs to CloudWatch Logs with the role set in the
    account's API Gateway settings; in an account without one, creating a stage that logs fails
    ("CloudWatch Logs role ARN must be set in account settings to enable logging") (seed notes
    001 #278, 002 APIGW-03, 003 #89).

    Whether the account already has the role is outside the template: the check looks for an
    `AWS::ApiGateway::Account` with `CloudWatchRoleArn` in the run, and the `account_role_set`
    option says the account has one. HTTP APIs, and access logs sent to Firehose, need no role.
    """
    if ctx.options["account_role_set"] or _account_role_in_run(ctx):
        return
    for stage in stages(ctx, resource):
        if stage.protocol == "HTTP":
            continue
        needs = _logging_place(ctx, stage)
        if needs is not None:
            yield ctx.finding(
                resource,
                needs,
                "This stage writes logs to CloudWatch, which needs the account's API Gateway CloudWatch role: no "
                "AWS::ApiGateway::Account with CloudWatchRoleArn is in this run, and in an account without one the "
                "stage fails to deploy. Add one (or set the account_role_set option if the account has it).",
                stage.scenario,
            )


def _logging_place(ctx, stage: Stage) -> tuple | None:
    """Where the stage turns on logging that goes through the account role, if it does."""
    if isinstance(stage.access, dict) and not _to_firehose(ctx, lookup(stage.access, "DestinationArn"), stage.scenario):
        return stage.access_path
    for path, setting in stage.settings:
        level = _logging_level(setting)
        if level in ("INFO", "ERROR"):
            return path + ("LoggingLevel",)
        if isinstance(setting, dict) and as_bool(setting.get("DataTraceEnabled", ABSENT), False):
            return path + ("DataTraceEnabled",)
    return None


def _to_firehose(ctx, destination, scenario: Scenario) -> bool:
    link = ctx.follow(destination, scenario)
    if link is not None:
        return link.type == "AWS::KinesisFirehose::DeliveryStream"
    text = destination.text if isinstance(destination, Unknown) else destination
    return isinstance(text, str) and ":firehose:" in text


def _account_role_in_run(ctx) -> bool:
    for view in run_views(ctx):
        for account in view.resources(ACCOUNT):
            if any(alt.value is not ABSENT for alt in view.values(account, "Properties.CloudWatchRoleArn")):
                return True
    return False
