"""Malformed loops and SAM resources never crash the engine: each odd shape gives findings or a
CFN900, never an internal error."""

from __future__ import annotations

import itertools
import json

import pytest

from cfncheck.testing import run_text

ODD_VALUES = [None, 1, True, "text", [], {}, [1, 2], {"Ref": "Nowhere"}, {"Fn::If": ["C", 1, 2]}, [[]], [{"a": 1}]]


def _loops():
    for identifier, collection, body in itertools.product(
        ["Name", 1, None], [["a", "b"], {"Ref": "Names"}, "a,b", [1, None], {"Fn::If": ["C", ["a"], ["b"]]}], ODD_VALUES
    ):
        yield {"Fn::ForEach::Loop": [identifier, collection, body]}
    for args in ODD_VALUES:
        yield {"Fn::ForEach::Loop": args}
    yield {"Fn::ForEach::Outer": ["X", ["a"], {"Fn::ForEach::Inner": ["Y", [{"Ref": "X"}], {"${X}${Y}": {"Type": 1}}]}]}


@pytest.mark.parametrize("loop", list(_loops()), ids=lambda loop: json.dumps(loop)[:60])
def test_odd_loops(loop):
    template = {
        "Transform": "AWS::LanguageExtensions",
        "Parameters": {"Names": {"Type": "CommaDelimitedList", "Default": "a,b"}},
        "Conditions": {"C": {"Fn::Equals": [{"Ref": "AWS::Region"}, "x"]}, **loop},
        "Resources": {**loop, "Q": {"Type": "AWS::SQS::Queue", "Properties": {"Tags": loop}}},
        "Outputs": loop,
    }
    result = run_text(json.dumps(template), name="t.json")
    assert not [f for f in result.findings if f.rule_id == "CFN000"], result.findings


SAM_PROPERTIES = [
    "Events",
    "AutoPublishAlias",
    "DeploymentPreference",
    "FunctionUrlConfig",
    "Role",
    "StageName",
    "Auth",
    "Domain",
    "DataSources",
    "Functions",
    "Resolvers",
    "ApiKeys",
    "Logging",
    "EventInvokeConfig",
]
SAM_TYPES = [
    "AWS::Serverless::Function",
    "AWS::Serverless::Api",
    "AWS::Serverless::HttpApi",
    "AWS::Serverless::StateMachine",
    "AWS::Serverless::GraphQLApi",
    "AWS::Serverless::LayerVersion",
    "AWS::Serverless::Connector",
]
EVENTS = ["S3", "SNS", "SQS", "Api", "HttpApi", "Schedule", "ScheduleV2", "CloudWatchLogs", "Cognito", "IoTRule"]


@pytest.mark.parametrize("kind", SAM_TYPES)
@pytest.mark.parametrize("value", ODD_VALUES, ids=lambda value: json.dumps(value)[:30])
def test_odd_sam_properties(kind, value):
    events = {name: {"Type": name, "Properties": value} for name in EVENTS}
    properties = {name: value for name in SAM_PROPERTIES}
    template = {
        "Transform": "AWS::Serverless-2016-10-31",
        "Globals": {"Api": value if isinstance(value, dict) else {}},
        "Resources": {
            "R": {"Type": kind, "Properties": properties, "Connectors": value},
            "F": {"Type": "AWS::Serverless::Function", "Properties": {"Events": events, "AutoPublishAlias": value}},
        },
    }
    result = run_text(json.dumps(template), name="t.json")
    assert not [f for f in result.findings if f.rule_id == "CFN000"], result.findings
