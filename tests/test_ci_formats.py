"""JUnit XML and GitLab Code Quality: the samples' reports validate against the published JUnit
schema and GitLab's documented fields, say what the JSON report says, and are written beside the
main format (``--output-junit``, ``--output-gitlab``)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from xml.etree import ElementTree

import jsonschema
import pytest
import xmlschema
from ci_support import ROOT, cli, write

JUNIT_SCHEMA = Path(__file__).resolve().parent / "schemas" / "junit-10.xsd"

CODE_QUALITY = {
    "$comment": "The fields GitLab documents (docs.gitlab.com, Code Quality, 'Code Quality report format').",
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "additionalProperties": False,
        "properties": {
            "type": {"const": "issue"},
            "description": {"type": "string", "minLength": 1},
            "check_name": {"type": "string", "minLength": 1},
            "fingerprint": {"type": "string", "minLength": 1},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "location": {
                "type": "object",
                "required": ["path", "lines"],
                "additionalProperties": False,
                "properties": {
                    # relative to the repository root: no leading '/', './' or '../'
                    "path": {"type": "string", "pattern": r"^(?![/.]/|\.\./|/)\S"},
                    "lines": {
                        "type": "object",
                        "required": ["begin"],
                        "additionalProperties": False,
                        "properties": {"begin": {"type": "integer", "minimum": 1}, "end": {"type": "integer"}},
                    },
                },
            },
        },
    },
}


@pytest.fixture(scope="module")
def samples_reports(tmp_path_factory) -> dict:
    """One run over the samples: JSON on stdout, JUnit and GitLab written beside it."""
    folder = tmp_path_factory.mktemp("reports")
    junit, gitlab = folder / "out" / "junit.xml", folder / "gitlab.json"
    done = cli(["--format", "json", "--output-junit", str(junit), "--output-gitlab", str(gitlab), "samples"], ROOT)
    assert done.exit_code == 1, done.stderr
    return {
        "json": json.loads(done.stdout),
        "junit": junit.read_text(encoding="utf-8"),
        "gitlab": json.loads(gitlab.read_text(encoding="utf-8")),
    }


def _cases(xml: str) -> dict[tuple[str, str], ElementTree.Element]:
    tree = ElementTree.fromstring(xml)
    cases = {}
    for suite in tree.iter("testsuite"):
        for case in suite.iter("testcase"):
            key = (suite.get("name"), case.get("name").split(" ")[0])
            assert key not in cases, f"two test cases {key}"  # GitLab keeps only the first of a name
            assert case.get("classname") == suite.get("name")
            cases[key] = case
    return cases


def test_junit_of_the_samples_validates_against_the_published_schema(samples_reports):
    xmlschema.XMLSchema(str(JUNIT_SCHEMA)).validate(samples_reports["junit"])


def test_junit_has_a_case_per_template_and_check_and_fails_what_fails_the_run(samples_reports):
    report, tree = samples_reports["json"], ElementTree.fromstring(samples_reports["junit"])
    cases = _cases(samples_reports["junit"])
    suites = tree.findall("testsuite")
    assert len(suites) == report["summary"]["files"] > 100
    checks = {case.get("name").split(" ")[0] for case in cases.values()}
    assert {(s.get("name"), c) for s in suites for c in checks} == set(cases)  # every template, every check
    failing = {(f["file"], f["rule_id"]) for f in report["findings"] if f["severity"] in ("error", "warning")}
    failed = {key for key, case in cases.items() if case.find("failure") is not None}
    assert failed == failing and failed
    noted = {(f["file"], f["rule_id"]) for f in report["findings"] if f["severity"] == "info"} - failing
    assert noted and all(cases[key].find("system-out") is not None for key in noted)
    assert all(cases[key].find("failure") is None for key in noted)
    assert tree.get("failures") == str(len(failed)) and tree.get("tests") == str(len(cases))
    assert sum(int(suite.get("failures")) for suite in suites) == len(failed)


def test_a_junit_failure_holds_every_finding_of_the_check(samples_reports):
    report = samples_reports["json"]
    findings = Counter((f["file"], f["rule_id"]) for f in report["findings"] if f["severity"] != "info")
    key = next(key for key, count in findings.items() if count > 2)
    failure = _cases(samples_reports["junit"])[key].find("failure")
    assert failure.get("message").endswith(f"(and {findings[key] - 1} more)")
    assert len(failure.text.splitlines()) >= findings[key]
    assert all(line.startswith(key[0] + ":") for line in failure.text.splitlines())


def test_gitlab_of_the_samples_has_gitlabs_documented_fields(samples_reports):
    issues = samples_reports["gitlab"]
    jsonschema.validate(issues, CODE_QUALITY)
    fingerprints = [issue["fingerprint"] for issue in issues]
    assert len(set(fingerprints)) == len(fingerprints)  # GitLab shows only the first issue of a fingerprint
    findings = samples_reports["json"]["findings"]
    assert [(i["check_name"], i["location"]["path"], i["location"]["lines"]["begin"]) for i in issues] == [
        (f["rule_id"], f["file"], f["line"]) for f in findings
    ]
    severities = {(i["check_name"], i["severity"]) for i in issues}
    assert ("CFN011", "major") in severities and ("CFN036", "info") in severities
    assert {f["severity"] for f in findings} == {"error", "warning", "info"}
    assert {i["severity"] for i in issues} == {"critical", "major", "info"}


TEMPLATE = """
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties: {SqsManagedSseEnabled: false}
  Other:
    Type: AWS::SQS::Queue
    Properties: {SqsManagedSseEnabled: false}
  Waived:
    Type: AWS::SQS::Queue
    Metadata:
      cfncheck:
        ignore: [{id: SQS002, reason: a fixture}]
    Properties: {SqsManagedSseEnabled: false}
"""


def _gitlab(folder: Path, *args: str) -> list[dict]:
    done = cli(["--format", "gitlab", "--select", "SQS002", *args, "stack.yaml"], folder)
    assert done.exit_code in (0, 1), done.stderr
    return json.loads(done.stdout)


def test_gitlab_fingerprints_stay_when_lines_move_and_differ_per_finding(tmp_path):
    write(tmp_path, "stack.yaml", TEMPLATE)
    before = _gitlab(tmp_path)
    write(tmp_path, "stack.yaml", "# a comment\nDescription: moved down\n" + TEMPLATE.lstrip("\n"))
    after = _gitlab(tmp_path)
    assert [i["location"]["lines"]["begin"] for i in after] == [i["location"]["lines"]["begin"] + 2 for i in before]
    assert [i["fingerprint"] for i in after] == [i["fingerprint"] for i in before]
    assert len({i["fingerprint"] for i in before}) == 2  # Queue and Other; Waived is suppressed
    assert [i["location"]["path"] for i in before] == ["stack.yaml", "stack.yaml"]


def test_unreadable_templates_are_junit_errors_and_gitlab_blockers(tmp_path):
    write(tmp_path, "broken.yaml", "Resources:\n  Queue: [unclosed\n")
    junit = cli(["--format", "junit", "broken.yaml"], tmp_path)
    assert junit.exit_code == 2
    xmlschema.XMLSchema(str(JUNIT_SCHEMA)).validate(junit.stdout)
    [case] = ElementTree.fromstring(junit.stdout).iter("testcase")
    assert case.find("error").get("message") and case.get("classname") == "broken.yaml"
    gitlab = cli(["--format", "gitlab", "broken.yaml"], tmp_path)
    [issue] = json.loads(gitlab.stdout)
    jsonschema.validate([issue], CODE_QUALITY)
    assert issue["severity"] == "blocker" and issue["location"]["path"] == "broken.yaml"


def test_fail_on_decides_what_junit_counts_as_a_failure(tmp_path):
    write(tmp_path, "stack.yaml", TEMPLATE)
    for fail_on, failures in (("warning", "1"), ("error", "0"), ("none", "0")):
        done = cli(["--format", "junit", "--select", "SQS002,CFN009", "--fail-on", fail_on, "stack.yaml"], tmp_path)
        tree = ElementTree.fromstring(done.stdout)
        assert tree.get("failures") == failures, fail_on
        assert tree.get("tests") == "4"  # SQS002 and CFN009 also stand for SQS015 and CFN036 until 0.3.0


def test_a_check_that_fails_internally_is_a_junit_error(tmp_path):
    write(
        tmp_path,
        "checks/boom.py",
        """
        from cfncheck.api import WARNING, check

        @check("TST900", "test-boom", WARNING, types=["AWS::SQS::Queue"])
        def boom(queue, ctx):
            raise RuntimeError("boom")
        """,
    )
    write(tmp_path, "stack.yaml", TEMPLATE)
    done = cli(["--format", "junit", "--checks-dir", "checks", "--select", "TST900", "stack.yaml"], tmp_path)
    assert done.exit_code == 2
    xmlschema.XMLSchema(str(JUNIT_SCHEMA)).validate(done.stdout)
    cases = _cases(done.stdout)
    assert cases[("stack.yaml", "CFN000")].find("error") is not None
    assert cases[("stack.yaml", "TST900")].find("failure") is None


def test_text_xml_cannot_hold_is_escaped(tmp_path):
    # a YAML escape puts a control character into the parameter's name, and so into the message
    template = 'Parameters:\n  "Bad\\x01Name": {Type: String}\nResources:\n  Q: {Type: AWS::SQS::Queue}\n'
    write(tmp_path, "stack.yaml", template)
    done = cli(["--format", "junit", "--select", "CFN011", "stack.yaml"], tmp_path)
    xmlschema.XMLSchema(str(JUNIT_SCHEMA)).validate(done.stdout)
    assert "Bad\\x01Name" in done.stdout
