"""CDK projects: the templates ``cdk synth`` wrote in cdk.out are found, read and linked."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cfncheck.cdk import assembly_templates
from cfncheck.cli import main
from cfncheck.engine import RunOptions, Source
from cfncheck.engine import run as run_engine
from cfncheck.loader import load_file
from cfncheck.project import nested_template_paths
from cfncheck.template import build

APP = Path(__file__).parent.parent / "samples" / "cdk" / "app"
STACK = "cdk.out/OrdersStack.template.json"
NESTED = "cdk.out/OrdersStackArchive1F2E3D4C.nested.template.json"


def run(capsys, monkeypatch, folder: Path, *args: str) -> tuple[int, dict, str]:
    monkeypatch.chdir(folder)
    with pytest.raises(SystemExit) as exited:
        main(["--format", "json", *args, "."])
    out, err = capsys.readouterr()
    return exited.value.code, json.loads(out), err


def test_walking_a_cdk_project_checks_its_synthesized_templates(capsys, monkeypatch):
    status, report, _ = run(capsys, monkeypatch, APP)
    assert {Path(f["file"]).as_posix() for f in report["findings"]} == {STACK, NESTED}
    assert report["summary"]["files"] == 2 and report["errors"] == []
    by_rule = {(f["rule_id"], f["file"], f["resource"], f["line"]) for f in report["findings"]}
    assert ("S3004", STACK, "Uploads1E6B4F42", 3) in by_rule
    assert ("S3004", NESTED, "ArchiveBucket2D3E4F5A", 5) in by_rule
    assert status == 1  # the warnings above


def test_cdk_metadata_and_asset_parameters_are_not_reported(capsys, monkeypatch):
    _, report, _ = run(capsys, monkeypatch, APP)
    rules = {f["rule_id"] for f in report["findings"]}
    assert "CFN003" not in rules  # AWS::CDK::Metadata is accepted by CloudFormation
    assert "CFN011" not in rules  # the legacy synthesizer's unused ArtifactHash parameters
    assert not [f for f in report["findings"] if f["severity"] == "error"]


def test_asset_folders_are_not_read(capsys, monkeypatch):
    _, report, _ = run(capsys, monkeypatch, APP)
    assert not [f for f in report["findings"] if "asset." in f["file"]]


def test_the_manifest_names_the_templates_and_nested_ones_follow(tmp_path):
    assembly = tmp_path / "cdk.out"
    shutil.copytree(APP / "cdk.out", assembly)
    (assembly / "Leftover.template.json").write_text((assembly / "OrdersStack.template.json").read_text())
    found = [path.name for path in assembly_templates(assembly)]
    assert found == ["OrdersStack.template.json", "OrdersStackArchive1F2E3D4C.nested.template.json"]
    (assembly / "manifest.json").unlink()  # without a manifest: every synthesized template of the folder
    found = [path.name for path in assembly_templates(assembly)]
    assert found == [
        "Leftover.template.json",
        "OrdersStack.template.json",
        "OrdersStackArchive1F2E3D4C.nested.template.json",
    ]


def test_a_stage_is_a_nested_assembly(tmp_path):
    assembly = tmp_path / "cdk.out"
    stage = assembly / "assembly-Prod"
    stage.mkdir(parents=True)
    shutil.copy(APP / "cdk.out" / "OrdersStack.template.json", stage / "ProdOrders.template.json")
    (stage / "manifest.json").write_text(
        json.dumps(
            {
                "artifacts": {
                    "ProdOrders": {
                        "type": "aws:cloudformation:stack",
                        "properties": {"templateFile": "ProdOrders.template.json"},
                    }
                }
            }
        )
    )
    (assembly / "manifest.json").write_text(
        json.dumps(
            {"artifacts": {"Prod": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "assembly-Prod"}}}}
        )
    )
    assert [p.relative_to(assembly).as_posix() for p in assembly_templates(assembly)] == [
        "assembly-Prod/ProdOrders.template.json"
    ]


def test_a_manifest_cannot_lead_out_of_its_assembly(tmp_path):
    assembly = tmp_path / "cdk.out"
    assembly.mkdir()
    shutil.copy(APP / "cdk.out" / "OrdersStack.template.json", tmp_path / "Outside.template.json")
    (assembly / "manifest.json").write_text(
        json.dumps(
            {
                "artifacts": {
                    "S": {
                        "type": "aws:cloudformation:stack",
                        "properties": {"templateFile": "../Outside.template.json"},
                    }
                }
            }
        )
    )
    assert list(assembly_templates(assembly)) == []


def test_the_nested_stack_is_linked_through_its_asset_metadata(monkeypatch):
    monkeypatch.chdir(APP)
    result = run_engine([Source(STACK, STACK)], RunOptions())
    assert result.files == [STACK, NESTED]  # the child is analysed with its parent
    parent = build(load_file(STACK))
    [(resource, path)] = nested_template_paths(parent)
    assert resource.logical_id == "ArchiveNestedStackArchiveNestedStackResource5B6C7D8E"
    assert Path(path).as_posix() == NESTED


def test_include_globs_reach_into_cdk_out(capsys, monkeypatch, tmp_path):
    project = tmp_path / "project"
    shutil.copytree(APP, project)
    shutil.copy(project / STACK, project / "elsewhere.json")
    (project / ".cfncheck.yaml").write_text('include: ["cdk.out/**"]\n')
    _, report, _ = run(capsys, monkeypatch, project)
    assert {f["file"] for f in report["findings"]} == {STACK, NESTED}


def test_a_run_without_templates_says_so(capsys, monkeypatch, tmp_path):
    (tmp_path / "notes.yaml").write_text("just: notes\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exited:
        main(["."])
    _, err = capsys.readouterr()
    assert exited.value.code == 0
    assert "cfncheck: no template checked in ." in err
    with pytest.raises(SystemExit) as exited:
        main(["--require-templates", "."])
    _, err = capsys.readouterr()
    assert exited.value.code == 2
    assert "cfncheck: no template to check in ." in err
