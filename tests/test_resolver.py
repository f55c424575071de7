"""The resolver: every intrinsic function, parameters, conditions and their scenarios."""

from __future__ import annotations

import textwrap

import pytest

from cfncheck.intrinsics import MAX_ALTERNATIVES, Resolver
from cfncheck.loader import load_bytes
from cfncheck.template import build
from cfncheck.values import ABSENT, AZ, AvailabilityZones, Reference, Scenario, Unknown, as_bool, as_list, as_number

TEMPLATE = """
Parameters:
  Env: {Type: String, Default: dev, AllowedValues: [dev, prod, test]}
  Timeout: {Type: Number, Default: 45}
  NoDefault: {Type: String}
  Subnets: {Type: "List<AWS::EC2::Subnet::Id>", Default: "subnet-1, subnet-2"}
  Ami: {Type: "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>", Default: /aws/ami}
Mappings:
  Sizes:
    dev: {timeout: 10, list: [a, b]}
    prod: {timeout: 900}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Equals [dev, !Ref Env]
  NotProd: !Not [!Condition IsProd]
  ProdOrDev: !Or [!Condition IsProd, !Condition IsDev]
  InUsEast: !Equals [!Ref AWS::Region, us-east-1]
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Condition: IsProd
  Topic:
    Type: AWS::SNS::Topic
"""


def resolver(extra: str = "", **options) -> Resolver:
    text = textwrap.dedent(TEMPLATE) + textwrap.indent(textwrap.dedent(extra), "  ")
    return Resolver(build(load_bytes(text.encode(), "t.yaml")), **options)


def values(node_yaml: str, **options):
    r = resolver(f"Probe:\n  Type: AWS::SNS::Topic\n  Properties:\n    Value: {node_yaml}\n", **options)
    return [(alt.value, alt.scenario.as_dict()) for alt in r.get(r.template.resources["Probe"].properties, ("Value",))]


def single(node_yaml: str, **options):
    result = values(node_yaml, **options)
    assert len(result) == 1 and result[0][1] == {}, result
    return result[0][0]


def test_ref_to_parameter_uses_default_then_given_value():
    assert single("!Ref Env") == "dev"
    assert single("!Ref Env", parameters={"Env": "prod"}) == "prod"
    assert single("!Ref Timeout") == 45
    assert single("!Ref Subnets") == ["subnet-1", "subnet-2"]


def test_parameter_without_value_and_ssm_parameters_are_unknown():
    assert "no Default" in single("!Ref NoDefault").reason
    assert "SSM" in single("!Ref Ami").reason


def test_pseudo_parameters():
    assert isinstance(single("!Ref AWS::Region"), Unknown)
    assert single("!Ref AWS::Region", region="eu-west-1") == "eu-west-1"
    assert single("!Ref AWS::Partition", region="cn-north-1") == "aws-cn"
    assert single("!Ref AWS::AccountId", account_id="123456789012") == "123456789012"
    assert isinstance(single("!Ref AWS::StackName"), Unknown)
    assert single("!Ref AWS::NoValue") is ABSENT


def test_ref_and_getatt_to_resources_are_references():
    assert single("!Ref Topic") == Reference("Topic")
    assert single("!GetAtt Topic.TopicName") == Reference("Topic", "TopicName")
    assert single("!GetAtt [Topic, TopicName]") == Reference("Topic", "TopicName")
    assert "not defined" in single("!Ref Nothing").reason


def test_sub_forms():
    assert single("!Sub 'a-${Env}-${!Literal}'") == "a-dev-${Literal}"
    assert single("!Sub ['${x}:${Env}', {x: !Ref Timeout}]") == "45:dev"
    built = single("!Sub 'arn:aws:sns:${AWS::Region}:${Topic.TopicName}'")
    assert isinstance(built, Unknown)
    assert built.refs == (Reference("Topic", "TopicName"),)
    assert built.text == "arn:aws:sns:${AWS::Region}:${Topic.TopicName}" or "${Topic.TopicName}" in built.text


def test_join_select_split():
    assert single("!Join ['-', [a, !Ref Env, 3]]") == "a-dev-3"
    assert single("!Select [1, [a, b, c]]") == "b"
    assert single("!Select [1, !Ref Subnets]") == "subnet-2"
    assert "out of range" in single("!Select [5, [a]]").reason
    assert single("!Split [',', 'a,b']") == ["a", "b"]
    assert isinstance(single("!Join ['', [!Ref NoDefault, x]]"), Unknown)


def test_find_in_map():
    assert single("!FindInMap [Sizes, !Ref Env, timeout]") == 10
    assert single("!FindInMap [Sizes, prod, timeout]") == 900
    assert single("!FindInMap [Sizes, dev, list]") == ["a", "b"]
    assert isinstance(single("!FindInMap [Sizes, test, timeout]"), Unknown)
    assert single("!FindInMap [Sizes, test, timeout, {DefaultValue: 5}]") == 5
    assert isinstance(single("!FindInMap [Sizes, !Ref AWS::Region, timeout]"), Unknown)


def test_get_azs_select_gives_distinct_symbolic_zones():
    assert single("!GetAZs ''") == AvailabilityZones(None)
    assert single("!Select [0, !GetAZs '']") == AZ(0, None)
    assert single("!Select [1, !GetAZs eu-west-1]") == AZ(1, "eu-west-1")


def test_base64_cidr_length_to_json_string():
    assert single("!Base64 {'Fn::Sub': 'x-${Env}'}") == "x-dev"
    assert single("!Cidr [10.0.0.0/16, 2, 8]") == ["10.0.0.0/24", "10.0.1.0/24"]
    assert single("!Length [a, b, c]") == 3
    assert single("!ToJsonString {a: !Ref Env}") == '{"a":"dev"}'
    assert isinstance(single("!ToJsonString {a: !Ref Topic}"), Unknown)


def test_dynamic_references_are_unknown():
    assert "dynamic reference" in single("'{{resolve:secretsmanager:db:SecretString:password}}'").reason


def test_if_yields_each_satisfiable_branch_with_its_scenario():
    assert values("!If [IsProd, 60, 30]") == [(60, {"IsProd": True}), (30, {"IsProd": False})]


def test_nested_if_prunes_impossible_combinations():
    # With AllowedValues [dev, prod, test], IsProd and IsDev cannot both hold.
    result = values("!If [IsProd, 1, !If [IsDev, 2, 3]]")
    assert result == [
        (1, {"IsProd": True}),
        (2, {"IsDev": True, "IsProd": False}),
        (3, {"IsDev": False, "IsProd": False}),
    ]
    assert values("!If [IsProd, !If [IsDev, x, y], z]") == [
        ("y", {"IsDev": False, "IsProd": True}),
        ("z", {"IsProd": False}),
    ]


def test_one_condition_used_twice_stays_consistent():
    result = values("[!If [IsProd, a, b], !If [NotProd, c, d]]")
    assert result == [
        (["a", "d"], {"IsProd": True, "NotProd": False}),
        (["b", "c"], {"IsProd": False, "NotProd": True}),
    ]


def test_given_parameters_fix_conditions():
    assert values("!If [IsProd, 60, 30]", parameters={"Env": "prod"}) == [(60, {"IsProd": True})]


def test_novalue_in_a_branch_means_absent():
    assert values("!If [IsProd, !Ref AWS::NoValue, x]") == [(ABSENT, {"IsProd": True}), ("x", {"IsProd": False})]
    r = resolver("Probe:\n  Type: AWS::SNS::Topic\n  Properties:\n    Value: [a, !Ref AWS::NoValue, b]\n")
    assert [a.value for a in r.get(r.template.resources["Probe"].properties, ("Value",))] == [["a", "b"]]


def test_get_walks_through_intrinsics_and_reports_absent():
    r = resolver(
        """
        Probe:
          Type: AWS::SNS::Topic
          Properties:
            Config: !If [IsProd, {Timeout: 5}, {Other: 1}]
        """
    )
    node = r.template.resources["Probe"].properties
    assert [(a.value, a.scenario.as_dict()) for a in r.get(node, ("Config", "Timeout"))] == [
        (5, {"IsProd": True}),
        (ABSENT, {"IsProd": False}),
    ]
    assert r.get(node, ("Missing", "Deeper")) == [(ABSENT, Scenario())]


def test_base_scenario_restricts_branches():
    r = resolver()
    node = {"Fn::If": ["IsProd", 1, 2]}
    assert [a.value for a in r.resolve(node, Scenario({("IsProd", True)}))] == [1]


def test_satisfiability():
    r = resolver()
    assert r.satisfiable(Scenario({("IsProd", True), ("IsDev", False)}))
    assert not r.satisfiable(Scenario({("IsProd", True), ("IsDev", True)}))
    assert not r.satisfiable(Scenario({("IsProd", True), ("NotProd", True)}))
    assert not r.satisfiable(Scenario({("ProdOrDev", False), ("IsDev", True)}))
    assert r.satisfiable(Scenario({("InUsEast", True)}))
    assert not resolver(region="eu-west-1").satisfiable(Scenario({("InUsEast", True)}))


def test_import_value_uses_the_importer_or_stays_unknown():
    assert single("!ImportValue Shared").import_name == "Shared"
    assert single("!ImportValue Shared", importer=lambda name: f"value-of-{name}") == "value-of-Shared"


def test_too_many_scenarios_become_unknown_and_are_recorded():
    conditions = "\n".join(f"  C{i}: !Equals [!Ref P{i}, x]" for i in range(8))
    parameters = "\n".join(f"  P{i}: {{Type: String}}" for i in range(8))
    items = ", ".join(f"!If [C{i}, a, b]" for i in range(8))
    text = (
        f"Parameters:\n{parameters}\nConditions:\n{conditions}\n"
        f"Resources:\n  T:\n    Type: X::Y::Z\n    Properties:\n      V: [{items}]\n"
    )
    r = Resolver(build(load_bytes(text.encode(), "t.yaml")))
    result = r.get(r.template.resources["T"].properties, ("V",))
    assert len(result) == 1 and isinstance(result[0].value, Unknown)
    assert str(MAX_ALTERNATIVES) in r.limits_hit[0]


@pytest.mark.parametrize(
    "node", ["!Sub [1, 2, 3]", "!Join [a]", "!Select x", "!Split [1]", "!FindInMap [a]", "!If [C]", "!Cidr x"]
)
def test_malformed_calls_are_unknown_not_errors(node):
    assert isinstance(single(node), Unknown)


def test_value_readers_give_the_aws_default_only_when_absent():
    assert as_bool(ABSENT, False) is False and as_bool(ABSENT) is None
    assert as_bool("True", False) is True and as_bool(Unknown("p"), False) is None
    assert as_number(ABSENT, 30) == 30 and as_number("45", 30) == 45 and as_number("x", 30) is None
    assert as_list(ABSENT) == [] and as_list("a") == ["a"] and as_list(["a", "b"]) == ["a", "b"]
