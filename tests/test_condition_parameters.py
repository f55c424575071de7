"""Conditions constrain parameters: in a scenario a parameter takes only the values its
conditions allow; its Default only where consistent with them."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from cfncheck.findings import INFO
from cfncheck.intrinsics import Resolver
from cfncheck.loader import load_bytes
from cfncheck.template import build
from cfncheck.testing import expected, file_findings, findings, summary
from cfncheck.values import Scenario, Unknown

SAMPLES = Path(__file__).parent.parent / "samples" / "conditions"


OPTIONAL_PORT = """
Parameters:
  Port: {Type: String, Default: ''}
Conditions:
  HasPort: !Not [!Equals [!Ref Port, '']]
Resources: {}
"""


def _resolver(text: str, **options) -> Resolver:
    return Resolver(build(load_bytes(textwrap.dedent(text).encode(), "t.yaml")), **options)


def _ref(resolver: Resolver, name: str, **truths: bool):
    alts = resolver.resolve({"Ref": name}, Scenario(truths.items()))
    assert len(alts) == 1, alts
    return alts[0].value


@pytest.mark.parametrize(
    ("sample", "parameters"),
    [
        ("not-equals-empty.yaml", {}),
        ("allowed-values.yaml", {}),
        ("or-and.yaml", {}),
        ("given.yaml", {"Port": "http"}),
        ("contradiction.yaml", {}),
    ],
)
def test_each_shape_gives_exactly_the_expected_findings(sample, parameters):
    found = [f for f in file_findings(SAMPLES / sample, parameters=parameters) if f.severity > INFO]
    assert sorted(summary(found)) == sorted(expected(SAMPLES / sample, severity=False))


def test_the_guarded_port_of_the_issue_is_not_reported():
    text = """
    Parameters:
      Port: {Type: String, Default: ''}
    Conditions:
      HasPort: !Not [!Equals [!Ref Port, '']]
    Resources:
      Group:
        Type: AWS::EC2::SecurityGroup
        Condition: HasPort
        Properties:
          GroupDescription: app
          SecurityGroupIngress:
            - {IpProtocol: tcp, FromPort: !Ref Port, ToPort: !Ref Port, CidrIp: 10.0.0.0/8}
    """
    assert summary(findings(text, select=["CFN032"])) == []


def test_a_contradiction_is_found_and_says_the_condition_forces_it():
    (finding,) = [f for f in file_findings(SAMPLES / "contradiction.yaml", select=["CFN032"])]
    assert (finding.resource, finding.line) == ("EmptyPortGroup", 27)
    assert "only value parameter Port can have when NoPort=true" in finding.message
    assert "Default" not in finding.message


def test_not_equals_empty_leaves_any_other_value():
    r = _resolver(OPTIONAL_PORT)
    assert _ref(r, "Port") == ""
    assert _ref(r, "Port", HasPort=False) == ""
    unknown = _ref(r, "Port", HasPort=True)
    assert isinstance(unknown, Unknown) and "not its Default ''" in unknown.reason
    assert r.parameter_origin("Port", Scenario({("HasPort", False)})) == "default"
    assert r.parameter_origin("Port", Scenario({("HasPort", True)})) is None


def test_equals_one_allowed_value_forces_it_and_its_negation_keeps_the_default():
    r = _resolver(
        """
        Parameters:
          Env: {Type: String, AllowedValues: [dev, staging, prod], Default: dev}
          Stage: {Type: String, AllowedValues: [a, b, c], Default: a}
        Conditions:
          IsProd: !Equals [!Ref Env, prod]
          NotA: !Not [!Equals [!Ref Stage, a]]
        Resources: {}
        """
    )
    assert _ref(r, "Env", IsProd=True) == "prod"
    assert r.parameter_origin("Env", Scenario({("IsProd", True)})) == "condition"
    assert _ref(r, "Env", IsProd=False) == "dev"
    assert "one of 'b', 'c'" in _ref(r, "Stage", NotA=True).reason


def test_or_and_and_of_atoms():
    r = _resolver(
        """
        Parameters:
          Env: {Type: String, AllowedValues: [dev, staging, prod], Default: dev}
          A: {Type: String, Default: ''}
          B: {Type: String, Default: ''}
        Conditions:
          IsLive: !Or [!Equals [!Ref Env, prod], !Equals [!Ref Env, staging]]
          Both: !And [!Not [!Equals [!Ref A, '']], !Not [!Equals [!Ref B, '']]]
          Either: !Or [!Not [!Equals [!Ref A, '']], !Not [!Equals [!Ref B, '']]]
        Resources: {}
        """
    )
    assert "one of 'prod', 'staging'" in _ref(r, "Env", IsLive=True).reason
    assert _ref(r, "Env", IsLive=False) == "dev"
    assert isinstance(_ref(r, "A", Both=True), Unknown) and isinstance(_ref(r, "B", Both=True), Unknown)
    assert _ref(r, "A", Both=False) == "" and _ref(r, "B", Both=False) == ""
    # Either: one of the two keeps its Default, never both (that would make Either false).
    assert _ref(r, "A", Either=True) == ""
    assert isinstance(_ref(r, "B", Either=True), Unknown)


def test_parameters_compared_with_each_other():
    r = _resolver(
        """
        Parameters:
          Port: {Type: String, Default: '8080'}
          AdminPort: {Type: String, Default: '22'}
        Conditions:
          IsAdmin: !Equals [!Ref Port, !Ref AdminPort]
        Resources: {}
        """
    )
    assert _ref(r, "Port", IsAdmin=True) == "22"  # AdminPort keeps its Default; Port must equal it
    assert _ref(r, "Port", IsAdmin=False) == "8080"
    assert r.satisfiable(Scenario({("IsAdmin", True)})) and r.satisfiable(Scenario({("IsAdmin", False)}))


def test_a_parameter_without_default_is_known_where_a_condition_names_its_value():
    r = _resolver(
        """
        Parameters:
          Env: {Type: String}
        Conditions:
          IsProd: !Equals [!Ref Env, prod]
        Resources: {}
        """
    )
    assert isinstance(_ref(r, "Env"), Unknown)
    assert _ref(r, "Env", IsProd=True) == "prod"
    assert isinstance(_ref(r, "Env", IsProd=False), Unknown)


def test_a_given_parameter_is_fixed_whatever_the_scenario():
    r = _resolver(OPTIONAL_PORT, parameters={"Port": "443"})
    assert _ref(r, "Port", HasPort=True) == "443"
    assert r.parameter_origin("Port", Scenario({("HasPort", True)})) == "given"
    assert not r.satisfiable(Scenario({("HasPort", False)}))


def test_a_list_parameter_forced_by_a_condition_is_a_list():
    r = _resolver(
        """
        Parameters:
          Zones: {Type: CommaDelimitedList, Default: ''}
        Conditions:
          TwoZones: !Equals [!Join [',', !Ref Zones], 'a,b']
          Named: !Equals [!Ref Zones, 'a,b']
        Resources: {}
        """
    )
    assert _ref(r, "Zones", Named=True) == ["a", "b"]
    assert _ref(r, "Zones", TwoZones=True) == []  # an opaque term says nothing about the parameter


def test_an_import_name_built_from_a_constrained_parameter():
    from cfncheck.engine import Source
    from cfncheck.testing import run_sources

    exporter = """
Resources:
  Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.0.0.0/16}}
Outputs:
  VpcId: {Value: !Ref Vpc, Export: {Name: prod-VpcId}}
"""
    importer = """
Parameters:
  Env: {Type: String, AllowedValues: [dev, prod], Default: dev}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  ProdGroup:
    Type: AWS::EC2::SecurityGroup
    Condition: IsProd
    Properties:
      GroupDescription: app
      VpcId: !ImportValue {Fn::Sub: "${Env}-VpcId"}
  AnyGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: app
      VpcId: !ImportValue {Fn::Sub: "${Env}-VpcId"}
"""
    sources = [Source("exporter.yaml", data=exporter.encode()), Source("importer.yaml", data=importer.encode())]
    found = run_sources(sources, select=["XSTK001"]).findings
    # where IsProd is true the name is prod-VpcId, which is exported; with the Default it is dev-VpcId
    assert summary(found) == [("XSTK001", "AnyGroup", 17)]
