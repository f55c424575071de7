"""The command line: formats, selection, exit statuses, files and directories, other commands."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import jsonschema
import pytest
from ci_support import cli as ci_cli
from ci_support import write

from cfncheck.cli import main

ROOT = Path(__file__).parent.parent
BAD = ROOT / "samples" / "template" / "bad.yaml"
GOOD = ROOT / "samples" / "template" / "good.yaml"

PLACE = {
    "file": {"type": "string"},
    "line": {"type": "integer", "minimum": 1},
    "column": {"type": "integer", "minimum": 1},
    "end_line": {"type": "integer", "minimum": 1},
    "end_column": {"type": "integer", "minimum": 1},
    "resource": {"type": ["string", "null"]},
}
"""Where a finding or one of its related places is."""
OUTPUT_SCHEMA = {
    "type": "object",
    "required": ["version", "findings", "errors", "summary"],
    "additionalProperties": False,
    "properties": {
        "version": {"type": "string"},
        "suppressed": {"type": "array"},
        "findings": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": [
                    "rule_id",
                    "name",
                    "severity",
                    "file",
                    "line",
                    "column",
                    "end_line",
                    "end_column",
                    "resource",
                    "path",
                    "message",
                    "conditions",
                    "related",
                ],
                "properties": {
                    "rule_id": {"type": "string", "pattern": "^[A-Z]+[0-9]{3}$"},
                    "name": {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"},
                    "severity": {"enum": ["error", "warning", "info"]},
                    **PLACE,
                    "path": {"type": "array", "items": {"type": ["string", "integer"]}},
                    "message": {"type": "string", "minLength": 1},
                    "conditions": {"type": "object", "additionalProperties": {"type": "boolean"}},
                    "related": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["file", "line", "column", "end_line", "end_column", "resource", "message"],
                            "properties": {**PLACE, "message": {"type": "string", "minLength": 1}},
                        },
                    },
                },
            },
        },
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["file", "line", "message"],
                "properties": {
                    "file": {"type": "string"},
                    "line": {"type": ["integer", "null"]},
                    "message": {"type": "string"},
                },
            },
        },
        "summary": {
            "type": "object",
            "required": ["files", "findings", "errors", "by_severity"],
            "properties": {
                "files": {"type": "integer"},
                "findings": {"type": "integer"},
                "errors": {"type": "integer"},
                "by_severity": {
                    "type": "object",
                    "required": ["error", "warning", "info"],
                    "additionalProperties": {"type": "integer"},
                },
            },
        },
    },
}


def cli(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main([str(a) for a in args])
    out, err = capsys.readouterr()
    return exited.value.code, out, err


def test_text_output_and_exit_status(capsys):
    status, out, err = cli(capsys, BAD, "--select", "CFN001")
    assert status == 1
    assert out.splitlines() == [
        f"{BAD}:28:7: error: Ref Enviroment: Enviroment is not a parameter, resource or pseudo parameter of this "
        "template. Did you mean Environment? [CFN001 cfn-undefined-reference]",
        f"{BAD}:52:5: error: Fn::GetAtt Nothing.Arn: Nothing is not a resource of this template. "
        "[CFN001 cfn-undefined-reference]",
    ]
    assert "2 findings" in err
    assert "\033[" not in out  # colour only on a terminal


def test_good_template_exits_zero(capsys):
    assert cli(capsys, GOOD, "--select", "CFN")[0] == 0


def test_json_output_matches_the_documented_schema(capsys):
    status, out, _ = cli(capsys, "--format", "json", "--select", "CFN", BAD, GOOD, ROOT / "samples" / "quickstart.yaml")
    document = json.loads(out)
    jsonschema.validate(document, OUTPUT_SCHEMA)
    assert status == 1
    assert document["summary"]["files"] == 3
    conditional = [f for f in document["findings"] if f["rule_id"] == "CFN007" and f["resource"] == "Queue"]
    assert conditional[0]["conditions"] == {"IsProd": False}
    assert conditional[0]["path"] == ["Properties", "RedrivePolicy", "deadLetterTargetArn"]


@pytest.mark.parametrize(
    ("fail_on", "status"),
    [("error", 1), ("warning", 1), ("info", 1), ("none", 0)],
)
def test_fail_on_threshold(capsys, fail_on, status):
    assert cli(capsys, BAD, "--fail-on", fail_on)[0] == status


def test_fail_on_error_ignores_warnings(capsys):
    assert cli(capsys, BAD, "--select", "CFN011", "--fail-on", "error")[0] == 0
    assert cli(capsys, BAD, "--select", "CFN011", "--fail-on", "warning")[0] == 1


def test_select_and_ignore_by_id_name_and_prefix(capsys):
    _, out, _ = cli(capsys, BAD, "--select", "cfn-unused-parameter,CFN012")
    assert {line.rsplit("[", 1)[1].split()[0] for line in out.splitlines() if ": note: " not in line} == {
        "CFN011",
        "CFN012",
    }
    _, out, _ = cli(capsys, BAD, "--select", "CFN", "--ignore", "CFN01", "--ignore", "cfn-undefined-reference")
    rules = {line.rsplit("[", 1)[1].split()[0] for line in out.splitlines() if ": note: " not in line}
    assert rules and not rules & {"CFN001", "CFN011", "CFN012", "CFN013", "CFN014"}


def test_unknown_selector_is_a_usage_error(capsys):
    status, _, err = cli(capsys, BAD, "--select", "NOPE999")
    assert status == 2 and "NOPE999" in err


def test_parameters_change_the_verdict(capsys, tmp_path):
    template = tmp_path / "t.yaml"
    template.write_text(
        "Parameters:\n  Env: {Type: String, Default: dev}\nMappings:\n  M: {dev: {a: b}}\n"
        "Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !FindInMap [M, !Ref Env, a]\n"
    )
    assert cli(capsys, template, "--select", "CFN005")[0] == 0
    status, out, _ = cli(capsys, template, "--select", "CFN005", "--parameters", "Env=prod")
    assert status == 1 and "'prod'" in out
    params = tmp_path / "params.json"
    params.write_text(json.dumps([{"ParameterKey": "Env", "ParameterValue": "prod"}]))
    assert cli(capsys, template, "--select", "CFN005", "--parameters", params)[0] == 1


def test_bad_files_exit_2_and_the_others_are_still_checked(capsys, tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("Resources:\n  Q: [\n")
    status, out, err = cli(capsys, broken, tmp_path / "missing.yaml", BAD, "--select", "CFN001")
    assert status == 2
    assert f"{broken}:3: error: invalid YAML" in err
    assert "missing.yaml: error: no such file or directory" in err
    assert "CFN001" in out  # bad.yaml was still checked


def test_directories_are_walked_for_templates(capsys, tmp_path):
    (tmp_path / "stack").mkdir()
    (tmp_path / "stack" / "a.yaml").write_text("Resources:\n  T: {Type: AWS::SNS::Topic}\n")
    (tmp_path / "stack" / "b.json").write_text('{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {}}')
    (tmp_path / "stack" / "buildspec.yaml").write_text("version: 0.2\nphases: {}\n")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "c.yaml").write_text("Resources: {}\n")
    status, out, _ = cli(capsys, "--format", "json", "--select", "CFN", tmp_path)
    files = {Path(f["file"]).name for f in json.loads(out)["findings"]}
    assert files == {"b.json"}  # b.json has empty Resources (CFN014); a.yaml is clean; the others are not read
    assert json.loads(out)["summary"]["files"] == 2
    assert status == 1


def test_stdin(capsys, monkeypatch):
    import io

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"Resources:\n  T:\n    Type: AWS:SNS:Topic\n")))
    status, out, _ = cli(capsys, "-", "--select", "CFN003")
    assert status == 1 and out.startswith("<stdin>:3:5: error: ") and "[CFN003 " in out


def test_list_checks_and_explain(capsys):
    status, out, _ = cli(capsys, "--list-checks")
    assert status == 0 and "CFN001" in out and "cfn-undefined-reference" in out
    status, out, _ = cli(capsys, "--list-checks", "--format", "json")
    assert {"id": "CFN004"}.items() <= next(c for c in json.loads(out) if c["id"] == "CFN004").items()
    status, out, _ = cli(capsys, "explain", "cfn-circular-dependency")
    assert status == 0 and "CFN004 cfn-circular-dependency" in out and "cannot be created in any order" in out
    assert cli(capsys, "explain", "NOPE")[0] == 2


@pytest.mark.parametrize(
    ("fmt", "marker"),
    [("dot", '"Resource:Role" -> "Resource:Function"'), ("mermaid", "-->|DependsOn|"), ("json", '"kind": "DependsOn"')],
)
def test_graph_command(capsys, fmt, marker):
    status, out, _ = cli(capsys, "graph", BAD, "--format", fmt)
    assert status == 0 and marker in out


def test_graph_json_lists_every_kind_of_node(capsys):
    _, out, _ = cli(capsys, "graph", BAD, "--format", "json")
    graph = json.loads(out)
    kinds = {n["kind"] for n in graph["nodes"]}
    assert kinds == {"Resource", "Parameter", "Condition", "Mapping", "Output"}
    edges = {(e["source"], e["target"], e["kind"]) for e in graph["edges"]}
    assert ("Resource:Queue", "Mapping:Settings", "FindInMap") in edges
    assert ("Resource:Queue", "Parameter:Environment", "Ref") in edges
    assert ("Resource:DeadLetterQueue", "Condition:IsProd", "Condition") in edges


def test_module_entry_point_and_version():
    done = subprocess.run([sys.executable, "-m", "cfncheck", "--version"], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and done.stdout.startswith("cfncheck, version ")


def test_the_command_flushes_its_output_and_keeps_its_status(tmp_path):
    """The command ends without interpreter teardown: what it printed must all arrive."""
    out = tmp_path / "out.json"
    with out.open("wb") as handle:
        done = subprocess.run(
            [sys.executable, "-m", "cfncheck", "--format", "json", str(BAD)], stdout=handle, stderr=subprocess.PIPE
        )
    assert done.returncode == 1, done.stderr
    assert json.loads(out.read_text())["summary"]["findings"] > 0


def test_a_profiler_still_gets_its_results(tmp_path):
    """Under a profiler (or a tracer, or coverage) the command exits the normal way."""
    stats = tmp_path / "run.pstats"
    command = [sys.executable, "-m", "cProfile", "-o", str(stats), "-m", "cfncheck", str(GOOD)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert stats.stat().st_size > 0


def test_text_output_notes_the_related_places(capsys):
    project = ROOT / "samples" / "cross_stack" / "project"
    status, out, _ = cli(capsys, project, "--select", "XSTK001")
    assert status == 1
    assert out.splitlines() == [
        f"{project / 'app.yaml'}:13:7: error: No template of this run exports 'network-VpcID'. Did you mean "
        f"network-VpcId, exported by {project / 'network.yaml'}? [XSTK001 xstk-import-without-export]",
        f"{project / 'network.yaml'}:14:7: note: export network-VpcId",
    ]


def test_every_related_place_in_the_samples_output_says_what_it_is(capsys):
    # A note passed where the scenario was expected once printed "note:" with nothing after it.
    _, text, _ = cli(capsys, "--format", "text", ROOT / "samples")
    notes = [line for line in text.splitlines() if ": note:" in line]
    assert notes and not [line for line in notes if not line.split(": note:", 1)[1].strip()]
    _, sarif, _ = cli(capsys, "--format", "sarif", ROOT / "samples")
    results = json.loads(sarif)["runs"][0]["results"]
    related = [place for result in results for place in result.get("relatedLocations", [])]
    assert related and all(place["message"]["text"] not in ("", "related") for place in related)


NETWORK = """
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.0.0.0/16}
Outputs:
  VpcId:
    Value: !Ref Vpc
    Export: {Name: network-VpcId}
"""
BUFFER = """
Resources:
  Group:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: app
      VpcId: !ImportValue network-VpcId
      SecurityGroupIngress: [{IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}]
"""


def test_stdin_filename_names_the_buffer_and_reads_the_project_around_it(tmp_path):
    write(tmp_path, "stacks/network.yaml", NETWORK)
    write(tmp_path, "stacks/app.yaml", "Resources: {}\n")  # the saved file; the editor's buffer differs
    args = ["--select", "SG001,XSTK001", "--stdin-filename", "stacks/app.yaml", "-"]
    named = ci_cli(args, tmp_path, stdin=textwrap.dedent(BUFFER))
    assert named.exit_code == 1
    assert named.stdout.splitlines() == [
        "stacks/app.yaml:8:74: error: The rule admits TCP 22 (SSH) from the world (CidrIp 0.0.0.0/0): restrict "
        "CidrIp to your administration network or use SSM Session Manager. [SG001 sg-admin-port-open-to-world]"
    ]
    assert "imports are not checked" not in named.stderr  # the export of network.yaml was found
    anonymous = ci_cli(["--select", "SG001,XSTK001", "-"], tmp_path, stdin=textwrap.dedent(BUFFER))
    assert anonymous.stdout.startswith("<stdin>:8:74: error: ") and "imports are not checked" in anonymous.stderr
    write(tmp_path, ".cfncheck.yaml", "exclude: [stacks/app.yaml]\n")
    assert ci_cli(args, tmp_path, stdin=textwrap.dedent(BUFFER)).stdout == ""  # the configuration's globs apply
    without = ci_cli(["--stdin-filename", "stacks/app.yaml", "stacks/network.yaml"], tmp_path)
    assert without.exit_code == 2 and "give - among the paths" in without.stderr


def test_the_documented_problem_matcher_reads_every_finding_line_and_no_note(capsys):
    """The VS Code task of README.md parses the text output: file, line, column, severity, message
    and the check id of each finding (VS Code's pattern is a JavaScript regular expression; this
    one means the same in Python)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## In an editor", 1)[1].split("```json\n", 1)[1].split("```", 1)[0]
    matcher = json.loads(block)["tasks"][0]["problemMatcher"]
    pattern = matcher["pattern"]
    regexp = re.compile(pattern["regexp"])
    _, out, _ = cli(capsys, "--format", "text", ROOT / "samples")
    _, report, _ = cli(capsys, "--format", "json", ROOT / "samples")
    findings = [f for f in json.loads(report)["findings"]]
    lines = out.splitlines()
    matched = [m for m in map(regexp.match, lines) if m]
    assert len(matched) == len(findings) == len([line for line in lines if ": note: " not in line])
    for match, finding in zip(matched, findings, strict=True):
        assert match[pattern["file"]] == finding["file"]
        assert (int(match[pattern["line"]]), int(match[pattern["column"]])) == (finding["line"], finding["column"])
        assert match[pattern["severity"]] == finding["severity"]
        assert match[pattern["code"]] == finding["rule_id"]
        assert match[pattern["message"]].startswith(finding["message"])
