"""What the SAM transform generates: the resources behind each ``AWS::Serverless::*`` resource.

SAM replaces a function with an ``AWS::Lambda::Function`` of the same logical id and adds the
resources its properties ask for — a role, a version and an alias, a deployment group, the
permissions, rules, subscriptions and event source mappings of its events — named as SAM's
documentation says (``MyFunctionRole``, ``MyFunctionAliaslive``, ``MyFunctionMyEventPermission``…).
A template may refer to those names (``DependsOn: MyFunctionS3EventPermission``), and the wiring
between resources is SAM's: a deployment group, not the function, names the alarms of
``DeploymentPreference``; a permission, not the bucket, grants S3 the right to invoke.

:func:`generate` predicts the generated resources from the template: logical id, type, the SAM
resource they come from, and the few properties that carry wiring (what a permission grants to
whom, which alarms a deployment group watches). A logical id SAM suffixes with a hash of the
content (``MyFunctionVersion640128d35d``) is known by its prefix only (``hashed``). Values SAM
resolves itself (an alias name, a stage name given by a parameter) are resolved with the
template's resolver; where one is not known, the resource it names is left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from .nodes import MarkedDict
from .template import Resource, Template

FUNCTION = "AWS::Serverless::Function"
API = "AWS::Serverless::Api"
HTTP_API = "AWS::Serverless::HttpApi"
STATE_MACHINE = "AWS::Serverless::StateMachine"
PERMISSION = "AWS::Lambda::Permission"
ROLE = "AWS::IAM::Role"
RULE = "AWS::Events::Rule"
LAYER = "AWS::Serverless::LayerVersion"
IMPLICIT_REST_API = "ServerlessRestApi"
IMPLICIT_HTTP_API = "ServerlessHttpApi"

BASE_TYPES = {
    FUNCTION: "AWS::Lambda::Function",
    API: "AWS::ApiGateway::RestApi",
    HTTP_API: "AWS::ApiGatewayV2::Api",
    STATE_MACHINE: "AWS::StepFunctions::StateMachine",
    "AWS::Serverless::SimpleTable": "AWS::DynamoDB::Table",
    LAYER: "AWS::Lambda::LayerVersion",
    "AWS::Serverless::Application": "AWS::CloudFormation::Stack",
    "AWS::Serverless::GraphQLApi": "AWS::AppSync::GraphQLApi",
    "AWS::Serverless::CapacityProvider": "AWS::Lambda::CapacityProvider",
    "AWS::Serverless::WebSocketApi": "AWS::ApiGatewayV2::Api",
}
"""The resource each SAM resource becomes, under its own logical id (a layer's gets a hash)."""

Value = Callable[[object], object]
"""Resolves a node of the template to a known plain value, or None."""


@dataclass
class Generated:
    """A resource SAM generates: its logical id (the prefix of a ``hashed`` one), its type, the
    SAM resource it comes from, and the properties the model knows."""

    logical_id: str
    type: str
    source: str
    properties: dict = field(default_factory=dict)
    hashed: bool = False
    where: tuple = ()  # the path, in the source resource, of what asks for it (an event)
    condition: str | None = None


def generate(template: Template, value: Value) -> list[Generated]:
    """The resources the SAM transform adds to the template, in template order."""
    if not template.is_sam:
        return []
    model = _Model(template, value)
    for resource in list(template.resources.values()):
        base = BASE_TYPES.get(resource.type)
        if base is not None:
            model.add(resource, resource.logical_id, base, hashed=resource.type == LAYER)
        build = _BUILDERS.get(resource.type)
        if build is not None:
            build(model, resource)
        model.connectors(resource)
    model.implicit_apis()
    return model.found


def resources(template: Template, generated: list[Generated]) -> dict[str, Resource]:
    """The generated resources as the template's model sees resources: each written where the
    property that asks for it is, so a finding or a note about it points there."""
    found = {}
    for item in generated:
        if item.logical_id in template.resources:
            continue  # the SAM resource itself, under its own name
        source = template.resources[item.source]
        node = MarkedDict(mark=template.locate(item.where, start=source.node) if item.where else source.node.mark)
        node["Type"] = item.type
        properties = MarkedDict(item.properties, mark=node.mark)
        node["Properties"] = properties
        if item.condition:
            node["Condition"] = item.condition
        found[item.logical_id] = Resource(
            logical_id=item.logical_id,
            type=item.type,
            node=node,
            properties=properties,
            condition=item.condition,
            depends_on=[],
            metadata={},
        )
    return found


class _Model:
    def __init__(self, template: Template, value: Value) -> None:
        self.template = template
        self.value = value
        self.found: list[Generated] = []
        self.ids: set[str] = set()
        self.implicit_rest: list[tuple[Resource, str]] = []  # (function, event) of the implicit REST API
        self.implicit_http: list[tuple[Resource, str]] = []

    def add(self, resource: Resource, logical_id: str, kind: str, where: tuple = (), hashed: bool = False, **props):
        if logical_id in self.ids:
            return
        self.ids.add(logical_id)
        self.found.append(Generated(logical_id, kind, resource.logical_id, props, hashed, where, resource.condition))

    def text(self, node) -> str | None:
        found = self.value(node)
        if isinstance(found, bool) or found is None:
            return None
        return str(found) if isinstance(found, (str, int, float)) else None

    def props(self, resource: Resource) -> MarkedDict:
        return resource.properties

    # -- functions ---------------------------------------------------------------------------

    def function(self, resource: Resource) -> None:
        props = self.props(resource)
        name = resource.logical_id
        ref = {"Ref": name}
        if "Role" not in props:
            self.add(resource, f"{name}Role", ROLE, ("Properties",))
        alias = self.text(props.get("AutoPublishAlias")) if "AutoPublishAlias" in props else None
        if alias is not None:
            self.add(resource, f"{name}Version", "AWS::Lambda::Version", ("Properties", "AutoPublishAlias"), True)
            alias_id = f"{name}Alias{_alnum(alias)}"
            preference = props.get("DeploymentPreference")
            hooks = preference.get("Hooks") if isinstance(preference, dict) else None
            self.add(
                resource,
                alias_id,
                "AWS::Lambda::Alias",
                ("Properties", "AutoPublishAlias"),
                FunctionName=ref,
                **({"Hooks": hooks} if hooks is not None else {}),
            )
            if isinstance(preference, dict) and self.value(preference.get("Enabled", True)) is not False:
                self.deployment(resource, preference, alias_id)
        invoke = props.get("EventInvokeConfig")
        if isinstance(invoke, dict):
            where = ("Properties", "EventInvokeConfig")
            self.add(resource, f"{name}EventInvokeConfig", "AWS::Lambda::EventInvokeConfig", where)
            config = invoke.get("DestinationConfig") if isinstance(invoke.get("DestinationConfig"), dict) else {}
            for outcome in ("OnSuccess", "OnFailure"):
                target = config.get(outcome)
                kind = self.text(target.get("Type")) if isinstance(target, dict) else None
                if kind in ("SQS", "SNS") and _may_be_absent(target.get("Destination")):
                    noun, made = ("Queue", "AWS::SQS::Queue") if kind == "SQS" else ("Topic", "AWS::SNS::Topic")
                    self.add(resource, f"{name}EventInvokeConfig{outcome}{noun}", made, where)
        url = props.get("FunctionUrlConfig")
        if isinstance(url, dict):
            where = ("Properties", "FunctionUrlConfig")
            self.add(resource, f"{name}Url", "AWS::Lambda::Url", where)
            if self.text(url.get("AuthType")) == "NONE":
                self.add(resource, f"{name}UrlPublicPermissions", PERMISSION, where, FunctionName=ref, Principal="*")
                self.add(
                    resource, f"{name}URLInvokeAllowPublicAccess", PERMISSION, where, FunctionName=ref, Principal="*"
                )
        for event, kind, node in events(props):
            self.function_event(resource, event, kind, node)

    def deployment(self, resource: Resource, preference: dict, alias_id: str) -> None:
        where = ("Properties", "DeploymentPreference")
        self.add(resource, "ServerlessDeploymentApplication", "AWS::CodeDeploy::Application", where)
        if "Role" not in preference:
            self.add(resource, "CodeDeployServiceRole", ROLE, where)
        alarms = preference.get("Alarms")
        self.add(
            resource,
            f"{resource.logical_id}DeploymentGroup",
            "AWS::CodeDeploy::DeploymentGroup",
            where,
            ApplicationName={"Ref": "ServerlessDeploymentApplication"},
            **({"AlarmConfiguration": {"Alarms": alarms}} if alarms is not None else {}),
        )

    def function_event(self, resource: Resource, event: str, kind: str, node: dict) -> None:
        name = resource.logical_id
        base = f"{name}{event}"
        where = ("Properties", "Events", event)
        props = node.get("Properties") if isinstance(node.get("Properties"), dict) else {}
        ref = {"Ref": name}

        def permission(principal: str, suffix: str = "", prefix: str = base, **extra) -> None:
            self.add(
                resource,
                f"{prefix}Permission{suffix}",
                PERMISSION,
                where,
                FunctionName=ref,
                Principal=principal,
                **extra,
            )

        if kind in _PULL_EVENTS:
            self.add(resource, base, "AWS::Lambda::EventSourceMapping", where, FunctionName=ref)
        elif kind == "S3":
            permission("s3.amazonaws.com", SourceAccount={"Ref": "AWS::AccountId"})
        elif kind == "SNS":
            self.add(resource, base, "AWS::SNS::Subscription", where, Endpoint=ref, TopicArn=props.get("Topic"))
            if isinstance(props.get("SqsSubscription"), (dict, bool)) and props.get("SqsSubscription") not in (False,):
                sqs = props["SqsSubscription"]
                if not (isinstance(sqs, dict) and "QueueArn" in sqs):
                    self.add(resource, f"{base}Queue", "AWS::SQS::Queue", where)
                self.add(resource, f"{base}EventSourceMapping", "AWS::Lambda::EventSourceMapping", where)
                self.add(resource, f"{base}QueuePolicy", "AWS::SQS::QueuePolicy", where)
            else:
                permission("sns.amazonaws.com", SourceArn=props.get("Topic"))
        elif kind in _SCHEDULED:
            self.scheduled(resource, kind, base, props, where)
            if kind != "ScheduleV2":
                permission("events.amazonaws.com", SourceArn={"Fn::GetAtt": [base, "Arn"]})
        elif kind == "CloudWatchLogs":
            self.add(resource, base, "AWS::Logs::SubscriptionFilter", where)
            permission("logs.amazonaws.com")
        elif kind == "IoTRule":
            self.add(resource, base, "AWS::IoT::TopicRule", where)
            permission("iot.amazonaws.com")
        elif kind == "AlexaSkill":
            permission("alexa-appkit.amazon.com")
        elif kind == "Cognito":
            permission("cognito-idp.amazonaws.com", prefix=f"{name}Cognito")
        elif kind == "Api":
            api = props.get("RestApiId")
            if api is None:
                self.implicit_rest.append((resource, event))
                permission("apigateway.amazonaws.com", "Prod")
            else:
                suffix, hashed = self.stage_suffix(api)
                if hashed:
                    self.add(resource, f"{base}Permission", PERMISSION, where, True, FunctionName=ref)
                else:
                    permission("apigateway.amazonaws.com", suffix)
        elif kind == "HttpApi":
            if props.get("ApiId") is None:
                self.implicit_http.append((resource, event))
            # the default route's permission covers the function's other routes on that API
            # (unless they invoke an alias, which the default route's integration does not name)
            aliased = "AutoPublishAlias" in resource.properties
            if aliased or not (_has_path(props) and self.default_route(resource, props.get("ApiId"))):
                permission("apigateway.amazonaws.com")

    def scheduled(self, resource: Resource, kind: str, base: str, props: dict, where: tuple) -> None:
        """An EventBridge rule, or a scheduler schedule (``ScheduleV2``) with its role unless one is
        given, and the dead-letter queue SAM makes for it. A state machine's rule has a role too."""
        if kind == "ScheduleV2":
            self.add(resource, base, "AWS::Scheduler::Schedule", where)
            if "RoleArn" not in props:
                self.add(resource, f"{base}Role", ROLE, where)
        else:
            self.add(resource, base, RULE, where)
            if resource.type == STATE_MACHINE:
                self.add(resource, f"{base}Role", ROLE, where)
        self.dead_letter_queue(resource, base, props, where)

    def default_route(self, resource: Resource, api) -> bool:
        """Whether the function has an HTTP API event on ``api`` for the default route, whose
        permission covers every route of that API (SAM then writes no other)."""
        for _, kind, node in events(resource.properties):
            props = node.get("Properties") if isinstance(node.get("Properties"), dict) else {}
            if kind == "HttpApi" and props.get("ApiId") == api and not _has_path(props):
                return True
        return False

    def dead_letter_queue(self, resource: Resource, base: str, props: dict, where: tuple) -> None:
        config = props.get("DeadLetterConfig")
        if isinstance(config, dict) and "Arn" not in config and self.text(config.get("Type")) == "SQS":
            queue = self.text(config.get("QueueLogicalId")) or f"{base}Queue"
            self.add(resource, queue, "AWS::SQS::Queue", where)
            self.add(resource, f"{base}QueuePolicy", "AWS::SQS::QueuePolicy", where)

    def stage_suffix(self, api) -> tuple[str, bool]:
        """The suffix of a REST API event's permission, and whether SAM hashes it: the stage of the
        API of this template it names (``Stage`` when the stage is not a literal), else ``AllStages``."""
        target = api.get("Ref") if isinstance(api, dict) and len(api) == 1 else api
        found = self.template.resources.get(target) if isinstance(target, str) else None
        if found is None:
            return "AllStages", False
        stage = found.properties.get("StageName")
        if not isinstance(stage, str):
            return "Stage", False
        return (stage, False) if stage.isalnum() else ("", True)

    # -- APIs --------------------------------------------------------------------------------

    def rest_api(self, resource: Resource, props=None) -> None:
        props = self.props(resource) if props is None else props
        name = resource.logical_id
        self.add(resource, f"{name}Deployment", "AWS::ApiGateway::Deployment", ("Properties",), True)
        stage = props.get("StageName")  # SAM names the stage after a literal StageName only, hashing other characters
        if isinstance(stage, str) and not stage.isalnum():
            self.add(resource, f"{name}Stage", "AWS::ApiGateway::Stage", ("Properties",), True)
        else:
            stage_name = stage if isinstance(stage, str) else ""
            self.add(resource, f"{name}{stage_name}Stage", "AWS::ApiGateway::Stage", ("Properties",))
        self.authorizers(resource, props)
        auth = props.get("Auth") if isinstance(props.get("Auth"), dict) else {}
        plan = auth.get("UsagePlan") if isinstance(auth.get("UsagePlan"), dict) else {}
        option = self.text(plan.get("CreateUsagePlan"))
        if option == "PER_API":
            for suffix, kind in (("ApiKey", "ApiKey"), ("UsagePlan", "UsagePlan"), ("UsagePlanKey", "UsagePlanKey")):
                self.add(resource, f"{name}{suffix}", f"AWS::ApiGateway::{kind}", ("Properties", "Auth"))
        elif option == "SHARED":
            for shared, kind in (("ServerlessApiKey", "ApiKey"), ("ServerlessUsagePlan", "UsagePlan")):
                self.add(resource, shared, f"AWS::ApiGateway::{kind}", ("Properties", "Auth"))
            self.add(resource, "ServerlessUsagePlanKey", "AWS::ApiGateway::UsagePlanKey", ("Properties", "Auth"))
        domain = props.get("Domain")
        if isinstance(domain, dict):
            where = ("Properties", "Domain")
            self.add(resource, "ApiGatewayDomainName", "AWS::ApiGateway::DomainName", where, True)
            self.domain(resource, domain, "BasePathMapping", "AWS::ApiGateway::BasePathMapping")

    def http_api(self, resource: Resource, props=None) -> None:
        props = self.props(resource) if props is None else props
        name = resource.logical_id
        stage = props.get("StageName")
        if stage is None or stage == "$default":
            self.add(resource, f"{name}ApiGatewayDefaultStage", "AWS::ApiGatewayV2::Stage", ("Properties",))
        else:
            stage_name = _alnum(stage) if isinstance(stage, str) else ""
            self.add(resource, f"{name}{stage_name}Stage", "AWS::ApiGatewayV2::Stage", ("Properties",))
        self.authorizers(resource, props, only_when_enabled=True)
        domain = props.get("Domain")
        if isinstance(domain, dict):
            where = ("Properties", "Domain")
            self.add(resource, "ApiGatewayDomainNameV2", "AWS::ApiGatewayV2::DomainName", where, True)
            self.domain(resource, domain, "ApiMapping", "AWS::ApiGatewayV2::ApiMapping")

    def domain(self, resource: Resource, domain: dict, suffix: str, kind: str) -> None:
        """The mappings of a custom domain's base paths to the API (one per path), and its DNS records."""
        where = ("Properties", "Domain")
        paths = domain.get("BasePath")
        for path in paths if isinstance(paths, list) else [paths]:
            text = self.text(path) if path is not None else None
            self.add(resource, f"{resource.logical_id}{_alnum(text or '')}{suffix}", kind, where)
        if isinstance(domain.get("Route53"), dict):
            self.add(resource, "RecordSetGroup", "AWS::Route53::RecordSetGroup", where, True)

    def authorizers(self, resource: Resource, props, only_when_enabled: bool = False) -> None:
        """The permissions of Lambda authorizers; an HTTP API's only with EnableFunctionDefaultPermissions."""
        auth = props.get("Auth") if isinstance(props.get("Auth"), dict) else {}
        authorizers = auth.get("Authorizers") if isinstance(auth.get("Authorizers"), dict) else {}
        for key, authorizer in authorizers.items():
            if not (isinstance(authorizer, dict) and "FunctionArn" in authorizer):
                continue
            if not only_when_enabled or self.value(authorizer.get("EnableFunctionDefaultPermissions")) is True:
                self.add(
                    resource,
                    f"{resource.logical_id}{key}AuthorizerPermission",
                    PERMISSION,
                    ("Properties", "Auth", "Authorizers", key),
                    FunctionName=authorizer["FunctionArn"],
                    Principal="apigateway.amazonaws.com",
                )

    def implicit_apis(self) -> None:
        """The REST and HTTP APIs SAM makes for events that name none, with the Globals of APIs."""
        globals_ = self.template.root.get("Globals") if isinstance(self.template.root.get("Globals"), dict) else {}
        for events, name, kind, build, section in (
            (self.implicit_rest, IMPLICIT_REST_API, "AWS::ApiGateway::RestApi", self.rest_api, "Api"),
            (self.implicit_http, IMPLICIT_HTTP_API, "AWS::ApiGatewayV2::Api", self.http_api, "HttpApi"),
        ):
            if not events or name in self.template.resources:
                continue
            function, _ = events[0]
            shared = globals_.get(section) if isinstance(globals_.get(section), dict) else {}
            props = MarkedDict({"StageName": "Prod"} if section == "Api" else {})
            props.update({k: v for k, v in shared.items() if k != "StageName" or section == "HttpApi"})
            if section == "Api" and "StageName" not in props:
                props["StageName"] = "Prod"
            owner = Resource(name, kind, function.node, props, function.condition, [], {})
            self.add(function, name, kind, ("Properties", "Events", events[0][1]))
            build(owner, props)
            for item in self.found:
                if item.source == name:
                    item.source = function.logical_id

    # -- other SAM resources -----------------------------------------------------------------

    def state_machine(self, resource: Resource) -> None:
        props = self.props(resource)
        name = resource.logical_id
        if "Role" not in props:
            self.add(resource, f"{name}Role", ROLE, ("Properties",))
        alias = self.text(props.get("AutoPublishAlias")) if "AutoPublishAlias" in props else None
        if alias is not None:
            self.add(resource, f"{name}Version", "AWS::StepFunctions::StateMachineVersion", ("Properties",))
            self.add(resource, f"{name}Alias{_alnum(alias)}", "AWS::StepFunctions::StateMachineAlias", ("Properties",))
        for event, kind, node in events(props):
            base = f"{name}{event}"
            where = ("Properties", "Events", event)
            event_props = node.get("Properties") if isinstance(node.get("Properties"), dict) else {}
            if kind in _SCHEDULED:
                self.scheduled(resource, kind, base, event_props, where)
            elif kind == "Api":
                self.add(resource, f"{base}Role", ROLE, where)
                if event_props.get("RestApiId") is None:
                    self.implicit_rest.append((resource, event))

    def connectors(self, resource: Resource) -> None:
        """A connector's grants: a resource policy where the destination has one the source's
        service is let in by (a function's permission, a queue's or a topic's policy), else a
        managed policy for the source's role; one per destination when it names several."""
        embedded = resource.node.get("Connectors")
        for key, connector in embedded.items() if isinstance(embedded, dict) else ():
            props = connector.get("Properties") if isinstance(connector, dict) else None
            if isinstance(props, dict):
                self.connector(resource, f"{resource.logical_id}{key}", resource.type, props, ("Connectors", key))
        if resource.type == "AWS::Serverless::Connector":
            source = self.endpoint_type(resource.properties.get("Source"))
            self.connector(resource, resource.logical_id, source, resource.properties, ("Properties",))

    def connector(self, resource: Resource, name: str, source: str | None, props: dict, where: tuple) -> None:
        destinations = props.get("Destination")
        several = isinstance(destinations, list)
        for index, destination in enumerate(destinations if several else [destinations]):
            suffix = f"Destination{index}" if several else ""
            target = self.endpoint_type(destination)
            if target in _LAMBDA_TYPES and source in _PUSHING_SERVICES:
                self.add(resource, f"{name}WriteLambdaPermission{suffix}", PERMISSION, where)
            elif target == "AWS::SQS::Queue" and source in _QUEUE_PUSHERS:
                self.add(resource, f"{name}QueuePolicy", "AWS::SQS::QueuePolicy", where)
            elif target == "AWS::SNS::Topic" and source in _TOPIC_PUSHERS:
                self.add(resource, f"{name}TopicPolicy", "AWS::SNS::TopicPolicy", where)
            else:
                self.add(resource, f"{name}Policy{suffix}", "AWS::IAM::ManagedPolicy", where)

    def endpoint_type(self, endpoint) -> str | None:
        """The type of a connector's source or destination: the resource its Id names, or its Type."""
        if not isinstance(endpoint, dict):
            return None
        named = self.template.resources.get(endpoint.get("Id")) if isinstance(endpoint.get("Id"), str) else None
        return named.type if named is not None else self.text(endpoint.get("Type"))

    def websocket_api(self, resource: Resource) -> None:
        props = self.props(resource)
        name = resource.logical_id
        stage = props.get("StageName")
        stage_name = _alnum(stage) if isinstance(stage, str) else "Default"
        self.add(resource, f"{name}{stage_name}Stage", "AWS::ApiGatewayV2::Stage", ("Properties",))
        routes = props.get("Routes") if isinstance(props.get("Routes"), dict) else {}
        for key, route in routes.items():
            where = ("Properties", "Routes", key)
            route_name = _alnum(str(key)).capitalize()
            self.add(resource, f"{name}{route_name}Integration", "AWS::ApiGatewayV2::Integration", where)
            self.add(resource, f"{name}{route_name}Route", "AWS::ApiGatewayV2::Route", where)
            function = route.get("FunctionArn") if isinstance(route, dict) else None
            self.add(
                resource,
                f"{name}{route_name}Permission",
                PERMISSION,
                where,
                FunctionName=function,
                Principal="apigateway.amazonaws.com",
            )
        auth = props.get("Auth") if isinstance(props.get("Auth"), dict) else {}
        if self.text(auth.get("AuthType")) == "CUSTOM":
            where = ("Properties", "Auth")
            self.add(resource, f"{name}ConnectAuthorizer", "AWS::ApiGatewayV2::Authorizer", where)
            self.add(resource, f"{name}AuthorizerPermission", PERMISSION, where, FunctionName=auth.get("AuthArn"))
        domain = props.get("Domain")
        if isinstance(domain, dict):
            self.add(
                resource, "ApiGatewayDomainNameV2", "AWS::ApiGatewayV2::DomainName", ("Properties", "Domain"), True
            )
            self.domain(resource, domain, "ApiMapping", "AWS::ApiGatewayV2::ApiMapping")

    def graphql(self, resource: Resource) -> None:
        props = self.props(resource)
        name = resource.logical_id
        self.add(resource, f"{name}Schema", "AWS::AppSync::GraphQLSchema", ("Properties",))
        logging = props.get("Logging")
        if logging is not False and not (isinstance(logging, dict) and "ServiceRoleArn" in logging):
            self.add(resource, f"{name}CloudWatchRole", ROLE, ("Properties",))
        keys = props.get("ApiKeys")
        for key in keys if isinstance(keys, dict) else ():
            self.add(resource, f"{name}{key}", "AWS::AppSync::ApiKey", ("Properties", "ApiKeys", key))
        sources = props.get("DataSources") if isinstance(props.get("DataSources"), dict) else {}
        for family, suffix, target in (
            ("DynamoDb", "DynamoDBDataSource", "Table"),
            ("Lambda", "LambdaDataSource", "Lambda"),
        ):
            group = sources.get(family)
            for key, source in (group if isinstance(group, dict) else {}).items():
                where = ("Properties", "DataSources", family, key)
                self.add(resource, f"{name}{key}{suffix}", "AWS::AppSync::DataSource", where)
                if not (isinstance(source, dict) and "ServiceRoleArn" in source):
                    self.add(resource, f"{name}{key}{suffix}Role", ROLE, where)
                    self.add(
                        resource, f"{name}{key}{suffix}To{target}ConnectorPolicy", "AWS::IAM::ManagedPolicy", where
                    )
        functions = props.get("Functions") if isinstance(props.get("Functions"), dict) else {}
        if any(
            isinstance(f, dict) and (self.text(f.get("DataSource")) or "").upper() == "NONE" for f in functions.values()
        ):
            self.add(resource, f"{name}NoneDataSource", "AWS::AppSync::DataSource", ("Properties", "Functions"))
        for key in functions:
            self.add(resource, f"{name}{key}", "AWS::AppSync::FunctionConfiguration", ("Properties", "Functions", key))
        resolvers = props.get("Resolvers") if isinstance(props.get("Resolvers"), dict) else {}
        for kind, group in resolvers.items():
            for key in group if isinstance(group, dict) else ():
                self.add(
                    resource, f"{name}{kind}{key}", "AWS::AppSync::Resolver", ("Properties", "Resolvers", kind, key)
                )

    def capacity_provider(self, resource: Resource) -> None:
        if "OperatorRole" not in self.props(resource):
            self.add(resource, f"{resource.logical_id}OperatorRole", ROLE, ("Properties",))


_LAMBDA_TYPES = ("AWS::Lambda::Function", FUNCTION)
_PUSHING_SERVICES = (
    "AWS::S3::Bucket",
    "AWS::Events::Rule",
    "AWS::SNS::Topic",
    "AWS::ApiGateway::RestApi",
    API,
    "AWS::ApiGatewayV2::Api",
    HTTP_API,
    "AWS::AppSync::GraphQLApi",
    "AWS::Serverless::GraphQLApi",
)
"""Sources of a connector whose service invokes a function through the function's permission."""
_QUEUE_PUSHERS = ("AWS::SNS::Topic", "AWS::Events::Rule")
_TOPIC_PUSHERS = ("AWS::Events::Rule",)
_SCHEDULED = ("Schedule", "CloudWatchEvent", "EventBridgeRule", "ScheduleV2")
_PULL_EVENTS = ("SQS", "Kinesis", "DynamoDB", "MSK", "MQ", "SelfManagedKafka", "DocumentDB")

_BUILDERS: dict[str, Callable[[_Model, Resource], None]] = {
    FUNCTION: _Model.function,
    API: _Model.rest_api,
    HTTP_API: _Model.http_api,
    STATE_MACHINE: _Model.state_machine,
    "AWS::Serverless::GraphQLApi": _Model.graphql,
    "AWS::Serverless::CapacityProvider": _Model.capacity_provider,
    "AWS::Serverless::WebSocketApi": _Model.websocket_api,
}


def events(props) -> list[tuple[str, str, dict]]:
    """A SAM resource's events as (name, Type, event), where the Type is written literally."""
    events = props.get("Events")
    if not isinstance(events, dict):
        return []
    return [
        (name, event["Type"], event)
        for name, event in events.items()
        if isinstance(event, dict) and isinstance(event.get("Type"), str)
    ]


def _may_be_absent(node) -> bool:
    """Not written, or written so that some branch of an Fn::If removes it."""
    if node is None or node == {"Ref": "AWS::NoValue"}:
        return True
    branches = node.get("Fn::If") if isinstance(node, dict) and len(node) == 1 else None
    return isinstance(branches, list) and len(branches) == 3 and any(_may_be_absent(b) for b in branches[1:])


def _has_path(props) -> bool:
    path = props.get("Path") if isinstance(props, dict) else None
    return path is not None and path != "$default"


def _alnum(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "", text)
