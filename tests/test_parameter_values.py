"""Values given for parameters (issue 19): reported on the parameters file's line, and several
parameter files run as environments whose findings say where they hold."""

from __future__ import annotations

from cfncheck.engine import run
from cfncheck.outcome import settle
from cfncheck.parameters import environments
from cfncheck.session import Session
from cfncheck.testing import configuration

TEMPLATE = """\
Parameters:
  Env:
    Type: String
    AllowedValues: [dev, prod]
  Size:
    Type: Number
  Subnet:
    Type: AWS::EC2::Subnet::Id
    Default: subnet-0123456789abcdef0
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      DelaySeconds: !If [IsProd, 1000, 0]
"""
RULES = ["CFN034", "CFN044", "CFN045", "CFN032"]


def check(session: Session):
    """The outcome of a session, as the command line settles it."""
    return settle(session, [run(session.sources, options) for options in session.runs()])


def _run(tmp_path, monkeypatch, specs: list[str], **files: str):
    (tmp_path / "stack.yaml").write_text(TEMPLATE)
    for name, text in files.items():
        (tmp_path / f"{name}.json").write_text(text)
    monkeypatch.chdir(tmp_path)
    outcome = check(Session.open(configuration(select=RULES), ["stack.yaml"], specs))
    found = sorted((f.rule_id, f.file, f.line, f.message) for f in outcome.findings)
    return outcome, found


PARAMS = """[
  {"ParameterKey": "Env", "ParameterValue": "staging"},
  {"ParameterKey": "Envv", "ParameterValue": "dev"},
  {"ParameterKey": "Subnet", "ParameterValue": "sn-1"}
]
"""


def test_unknown_names_invalid_and_missing_values_land_on_the_parameters_file(tmp_path, monkeypatch):
    outcome, found = _run(tmp_path, monkeypatch, ["params.json"], params=PARAMS)
    assert [(rule, file, line) for rule, file, line, _ in found] == [
        ("CFN034", "params.json", 3),
        ("CFN044", "params.json", 2),
        ("CFN044", "params.json", 4),
        ("CFN045", "params.json", 1),
    ]
    messages = {(rule, line): message for rule, _, line, message in found}
    assert messages[("CFN044", 2)].startswith("stack.yaml: The value 'staging' given for parameter Env")
    assert "AllowedValues dev, prod" in messages[("CFN044", 2)]
    assert "AWS::EC2::Subnet::Id" in messages[("CFN044", 4)]
    assert "Did you mean Env?" in messages[("CFN034", 3)]
    assert "[Size] must have values" in messages[("CFN045", 1)]
    declared = {f.line: f.related[0] for f in outcome.findings if f.rule_id == "CFN044"}
    assert (declared[2].file, declared[2].line) == ("stack.yaml", 2)


def test_several_parameter_files_are_environments_and_findings_say_where(tmp_path, monkeypatch):
    prod = '{"Parameters": {"Env": "prod", "Size": "2"}}'
    staging = '{"Parameters": {\n  "Env": "dev",\n  "Size": "two"\n}}'
    _, found = _run(tmp_path, monkeypatch, ["prod.json", "staging.json"], prod=prod, staging=staging)
    assert [(rule, file, line) for rule, file, line, _ in found] == [
        ("CFN032", "stack.yaml", 16),
        ("CFN044", "staging.json", 3),
    ]
    assert found[0][3].endswith("[in prod]")  # DelaySeconds 1000 only where Env is prod
    assert found[1][3].endswith("[in staging]")


def test_key_value_pairs_apply_to_every_environment_and_one_file_is_no_matrix(tmp_path):
    (tmp_path / "a.json").write_text('{"Env": "dev"}')
    (tmp_path / "b.json").write_text('{"Env": "prod"}')
    a, b = str(tmp_path / "a.json"), str(tmp_path / "b.json")
    sets = environments([a, b, "Size=3"])
    assert [(name, {k: v.value for k, v in given.items()}) for name, given in sets] == [
        ("a", {"Env": "dev", "Size": "3"}),
        ("b", {"Env": "prod", "Size": "3"}),
    ]
    assert [name for name, _ in environments([a, "Size=3"])] == [None]
