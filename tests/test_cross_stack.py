"""Cross-stack checks (catalog 3.2) over several templates, and the project mechanisms they
stand on: the import index, nested stacks loaded as children, findings naming both files."""

import json
import textwrap
from pathlib import Path

import pytest

from cfncheck.engine import Source
from cfncheck.files import collect
from cfncheck.testing import run_files, run_sources, summary

PROJECT = Path(__file__).parent.parent / "samples" / "cross_stack" / "project"
SINGLE = Path(__file__).parent.parent / "samples" / "cross_stack" / "single"


def run(*texts, select=("XSTK",)):
    sources = [Source(f"t{i}.yaml", data=textwrap.dedent(text).lstrip().encode()) for i, text in enumerate(texts)]
    result = run_sources(sources, select=select)
    assert not result.errors and not result.internal_errors
    return result.findings


def short(found):
    return [
        (f.rule_id, Path(f.file).name, f.resource, f.line, sorted(Path(r.file).name for r in f.related)) for f in found
    ]


def test_project_directory_gives_exactly_the_expected_findings_each_naming_both_files():
    result = run_files([PROJECT / "app.yaml", PROJECT / "network.yaml", PROJECT / "other.yaml"], select=["XSTK"])
    assert not result.errors and not result.internal_errors
    assert short(result.findings) == [
        ("XSTK001", "app.yaml", "AdminSecurityGroup", 13, ["network.yaml"]),
        ("XSTK005", "app.yaml", "Storage", 18, ["storage.yaml"]),
        ("XSTK005", "app.yaml", "Storage", 20, ["storage.yaml"]),
        ("XSTK006", "app.yaml", "Topic", 24, ["storage.yaml"]),
        ("XSTK007", "network.yaml", None, 14, ["app.yaml"]),
        ("XSTK002", "network.yaml", None, 18, ["other.yaml"]),
        ("XSTK002", "other.yaml", None, 10, ["network.yaml"]),
    ]
    assert any(name.endswith("nested/storage.yaml") for name in result.files)  # loaded though not named


def test_a_directory_run_loads_the_nested_child_once():
    sources = collect([str(PROJECT)]).sources
    result = run_sources(sources, select=["XSTK"])
    assert sum(name.endswith("storage.yaml") for name in result.files) == 1
    assert len(result.findings) == 7


def test_single_template_run_reports_no_xstk001():
    assert run_files([SINGLE / "importer.yaml"], select=["XSTK001"]).findings == []


EXPORTER = """
Conditions:
  CreateVpc: !Equals [!Ref "AWS::Region", eu-west-1]
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Condition: CreateVpc
    Properties: {CidrBlock: 10.0.0.0/16}
Outputs:
  VpcId:
    Condition: CreateVpc
    Value: !Ref Vpc
    Export: {Name: net-VpcId}
"""
IMPORTER = """
Resources:
  Group:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: app
      VpcId: !ImportValue net-VpcId
"""


def test_xstk001_passes_when_an_export_matches_and_external_exports_skip():
    assert run(EXPORTER, IMPORTER, select=["XSTK001"]) == []
    other = IMPORTER.replace("net-VpcId", "shared-Zone")
    assert summary(run(EXPORTER, other, select=["XSTK001"])) == [("XSTK001", "Group", 6)]
    result = run_sources(
        [Source("a.yaml", data=EXPORTER.encode()), Source("b.yaml", data=other.encode())],
        select=["XSTK001"],
        check_options={"XSTK001": {"external_exports": ["shared-*"]}},
    )
    assert result.findings == []


def test_xstk002_exclusive_outputs_of_one_template_are_not_duplicates():
    text = """
    Conditions:
      A: !Equals [!Ref "AWS::Region", eu-west-1]
      B: !Not [Condition: A]
    Resources:
      Topic: {Type: AWS::SNS::Topic}
    Outputs:
      One: {Condition: A, Value: x, Export: {Name: same}}
      Two: {Condition: B, Value: y, Export: {Name: same}}
    """
    assert run(text, select=["XSTK002"]) == []


def test_xstk003_importvalue_argument_invalid():
    text = """
Resources:
  Topic:
    Type: AWS::SNS::Topic
  Group:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: !ImportValue {"Fn::Sub": "${Topic}-name"}
      VpcId: !ImportValue mine
Outputs:
  Mine:
    Value: !Ref Topic
    Export: {Name: mine}
  Listed:
    Value: !Split [",", "a,b"]
    Export: {Name: listed}
"""
    assert summary(run(text, select=["XSTK003"])) == [
        ("XSTK003", "Group", 7),
        ("XSTK003", "Group", 8),
        ("XSTK003", None, 14),
    ]


def test_xstk003_passes():
    assert run(EXPORTER, select=["XSTK003"]) == []


def test_xstk004_conditional_export_imported():
    found = run(EXPORTER, IMPORTER, select=["XSTK004"])
    assert summary(found) == [("XSTK004", None, 9)]
    assert found[0].conditions == {"CreateVpc": False}
    assert found[0].related[0].file == "t1.yaml"
    unconditional = EXPORTER.replace("    Condition: CreateVpc\n    Value", "    Value").replace(
        "    Condition: CreateVpc\n    Properties", "    Properties"
    )
    assert run(unconditional, IMPORTER, select=["XSTK004"]) == []


def test_xstk005_value_constraints_of_the_child(tmp_path):
    (tmp_path / "child.yaml").write_text(
        "Parameters:\n  Size:\n    Type: Number\n    MaxValue: 10\n  Env:\n    Type: String\n"
        "    AllowedValues: [dev, prod]\nResources:\n  Topic: {Type: AWS::SNS::Topic}\n"
    )
    (tmp_path / "parent.yaml").write_text(
        "Resources:\n  Child:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n"
        "      TemplateURL: ./child.yaml\n      Parameters:\n        Size: 20\n        Env: prod\n"
    )
    result = run_files([tmp_path / "parent.yaml"], select=["XSTK005"])
    assert summary(result.findings) == [("XSTK005", "Child", 7)]
    (tmp_path / "parent.yaml").write_text((tmp_path / "parent.yaml").read_text().replace("Size: 20", "Size: 5"))
    assert run_files([tmp_path / "parent.yaml"], select=["XSTK005"]).findings == []


def test_xstk006_output_whose_condition_is_false_for_the_parameters_passed(tmp_path):
    (tmp_path / "child.yaml").write_text(
        "Parameters:\n  Env:\n    Type: String\nConditions:\n  IsProd: !Equals [!Ref Env, prod]\n"
        "Resources:\n  Topic: {Type: AWS::SNS::Topic}\n"
        "Outputs:\n  TopicArn:\n    Condition: IsProd\n    Value: !Ref Topic\n"
    )
    parent = (
        "Resources:\n  Child:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n"
        "      TemplateURL: child.yaml\n      Parameters: {Env: dev}\n"
        "Outputs:\n  Arn:\n    Value: !GetAtt Child.Outputs.TopicArn\n"
    )
    (tmp_path / "parent.yaml").write_text(parent)
    assert summary(run_files([tmp_path / "parent.yaml"], select=["XSTK006"]).findings) == [("XSTK006", None, 9)]
    (tmp_path / "parent.yaml").write_text(parent.replace("Env: dev", "Env: prod"))
    assert run_files([tmp_path / "parent.yaml"], select=["XSTK006"]).findings == []


def test_xstk007_export_in_use_only_when_imported():
    assert summary(run(EXPORTER, IMPORTER, select=["XSTK007"])) == [("XSTK007", None, 12)]
    assert run(EXPORTER, select=["XSTK007"]) == []


# -- XSTK002 within configured deployments ----------------------------------------------------

TOPIC_EXPORT = """
Resources:
  Topic: {Type: AWS::SNS::Topic}
Outputs:
  TopicArn:
    Value: !Ref Topic
    Export: {Name: shared-topic}
"""


def deployed(deployments: dict[str, frozenset[str]], *names: str, jobs: int = 1, extra=()):
    """XSTK002 over templates exporting the same name, each in the configured deployments."""
    from cfncheck.catalog import Catalog
    from cfncheck.engine import RunOptions
    from cfncheck.engine import run as run_engine

    data = textwrap.dedent(TOPIC_EXPORT).lstrip().encode()
    sources = [Source(name, data=data) for name in names] + list(extra)
    options = RunOptions(checks=Catalog.builtin().select(["XSTK002"]), file_deployments=deployments, jobs=jobs)
    result = run_engine(sources, options)
    assert not result.errors and not result.internal_errors
    return result.findings


def test_xstk002_skips_templates_of_different_deployments():
    assert deployed({"prod.yaml": frozenset({"prod"}), "dev.yaml": frozenset({"dev"})}, "prod.yaml", "dev.yaml") == []


def test_xstk002_reports_templates_of_one_deployment_at_each_export():
    found = deployed({"a.yaml": frozenset({"prod"}), "b.yaml": frozenset({"prod"})}, "a.yaml", "b.yaml")
    assert short(found) == [("XSTK002", "a.yaml", None, 6, ["b.yaml"]), ("XSTK002", "b.yaml", None, 6, ["a.yaml"])]


def test_xstk002_compares_a_template_in_two_deployments_with_both():
    groups = {
        "prod.yaml": frozenset({"prod"}),
        "dev.yaml": frozenset({"dev"}),
        "module.yaml": frozenset({"prod", "dev"}),
    }
    found = deployed(groups, "prod.yaml", "dev.yaml", "module.yaml")
    assert short(found) == [
        ("XSTK002", "prod.yaml", None, 6, ["module.yaml"]),
        ("XSTK002", "dev.yaml", None, 6, ["module.yaml"]),
        ("XSTK002", "module.yaml", None, 6, ["dev.yaml", "prod.yaml"]),
    ]


def test_xstk002_templates_no_deployment_names_form_one_deployment():
    found = deployed({"prod.yaml": frozenset({"prod"})}, "prod.yaml", "x.yaml", "y.yaml")
    assert short(found) == [("XSTK002", "x.yaml", None, 6, ["y.yaml"]), ("XSTK002", "y.yaml", None, 6, ["x.yaml"])]
    assert len(deployed({}, "prod.yaml", "x.yaml", "y.yaml")) == 3  # without the setting: every template


def test_xstk002_a_nested_child_no_deployment_names_is_deployed_with_its_parent(tmp_path):
    (tmp_path / "child.yaml").write_text(textwrap.dedent(TOPIC_EXPORT).lstrip())
    (tmp_path / "parent.yaml").write_text(
        "Resources:\n  Child:\n    Type: AWS::CloudFormation::Stack\n    Properties: {TemplateURL: child.yaml}\n"
    )
    parent = Source(str(tmp_path / "parent.yaml"), str(tmp_path / "parent.yaml"))
    groups = {str(tmp_path / "parent.yaml"): frozenset({"dev"}), "prod.yaml": frozenset({"prod"})}
    assert deployed(groups, "prod.yaml", extra=[parent]) == []
    groups["prod.yaml"] = frozenset({"dev"})
    assert [Path(f.file).name for f in deployed(groups, "prod.yaml", extra=[parent])] == ["prod.yaml", "child.yaml"]


def test_xstk002_deployments_give_the_same_findings_with_workers():
    queue = b"Resources: {Q: {Type: AWS::SQS::Queue}}\n"  # checked in a worker: it exports nothing
    fillers = [Source(f"f{i:02}.yaml", data=queue) for i in range(32)]
    groups = {"a.yaml": frozenset({"prod"}), "b.yaml": frozenset({"dev"}), "c.yaml": frozenset({"dev"})}
    alone = deployed(groups, "a.yaml", "b.yaml", "c.yaml", extra=fillers)
    assert short(alone) == [("XSTK002", "b.yaml", None, 6, ["c.yaml"]), ("XSTK002", "c.yaml", None, 6, ["b.yaml"])]
    assert deployed(groups, "a.yaml", "b.yaml", "c.yaml", jobs=2, extra=fillers) == alone


def _cli(capsys, monkeypatch, folder, *args):
    from cfncheck.cli import main

    monkeypatch.chdir(folder)
    with pytest.raises(SystemExit) as exited:
        main(["--format", "json", "--select", "XSTK", *args])
    out, err = capsys.readouterr()
    found = [(f["rule_id"], f["file"], f["line"]) for f in json.loads(out)["findings"]]
    return exited.value.code, found, err


def test_a_partial_run_finds_the_exports_of_the_projects_other_templates(capsys, monkeypatch):
    """pre-commit passes the changed files only: an import of an unchanged template's export
    is found, and the finding of the full run for this file is the same."""
    _, whole, _ = _cli(capsys, monkeypatch, PROJECT, ".")
    for args in (["app.yaml"], ["--templates-only", "app.yaml"]):
        _, partial, err = _cli(capsys, monkeypatch, PROJECT, *args)
        assert partial == [f for f in whole if f[1] in ("app.yaml", "nested/storage.yaml")]
        assert ("XSTK001", "app.yaml", 13) in partial  # network-VpcID: a typo of network.yaml's export
        assert not [f for f in partial if f[1] in ("network.yaml", "other.yaml")]  # read, not reported
        assert err == ""


def test_a_run_that_cannot_know_the_project_skips_imports_and_says_so_once(capsys, monkeypatch, tmp_path):
    app = str(PROJECT / "app.yaml")
    _, found, err = _cli(capsys, monkeypatch, tmp_path, app)
    assert "XSTK001" not in {rule for rule, _, _ in found}
    assert err.count("does not hold the whole project") == 1
