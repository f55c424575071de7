"""SARIF 2.1.0 output: valid against the schema, GitHub code-scanning friendly, stable fingerprints."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from ci_support import PLUGIN, ROOT, cli, write

from cfncheck.report import sarif
from cfncheck.testing import run_files

SCHEMA_PATH = Path(__file__).resolve().parent.parent.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"
SCHEMA = json.loads(SCHEMA_PATH.read_text())
SAMPLES = sorted(p for p in (ROOT / "samples").rglob("*") if p.suffix in (".yaml", ".yml", ".json", ".template"))


def validate(document: dict) -> None:
    jsonschema.Draft4Validator(SCHEMA).validate(document)


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_sample_gives_valid_sarif_with_regions(sample):
    result = cli(["--format", "sarif", str(sample.relative_to(ROOT))], ROOT)
    assert result.exit_code in (0, 1), result.stderr
    document = json.loads(result.stdout)
    validate(document)
    run = document["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    for item in run["results"]:
        region = item["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
        assert region["endLine"] >= region["startLine"]
        assert rules[item["ruleIndex"]]["id"] == item["ruleId"]
        artifact = item["locations"][0]["physicalLocation"]["artifactLocation"]
        assert artifact["uriBaseId"] == "%SRCROOT%" and (ROOT / artifact["uri"]).is_file()  # nested stacks too


def test_samples_exist():
    assert len(SAMPLES) >= 3


def test_rules_results_and_security_severity(tmp_path):
    write(
        tmp_path,
        "stack/t.yaml",
        """
        Resources:
          Jobs:
            Type: AWS::SQS::Queue
          Alerts:
            Type: AWS::SNS::Topic
            Properties:
              TopicName: alerts
    """,
    )
    result = cli([*PLUGIN, "--format", "sarif", "--select", "TST", "stack"], tmp_path)
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    validate(document)
    run = document["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "cfncheck" and driver["version"] and driver["informationUri"].startswith("https://")
    rules = {r["id"]: r for r in driver["rules"]}
    assert set(rules) == {"TST001", "TST002"}
    assert rules["TST001"]["properties"]["security-severity"] == "5.5"
    assert "security" in rules["TST001"]["properties"]["tags"]
    assert "security-severity" not in rules["TST002"]["properties"]
    assert rules["TST002"]["defaultConfiguration"]["level"] == "error"
    assert "**Fix:**" in rules["TST001"]["help"]["markdown"]
    assert "helpUri" not in rules["TST001"]  # a plugin without a page of its own links nowhere
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.resolve().as_uri() + "/"
    by_rule = {r["ruleId"]: r for r in run["results"]}
    assert by_rule["TST002"]["level"] == "error" and by_rule["TST001"]["level"] == "warning"
    location = by_rule["TST002"]["locations"][0]
    assert location["physicalLocation"]["artifactLocation"]["uri"] == "stack/t.yaml"
    assert location["physicalLocation"]["region"] == {"startLine": 7, "startColumn": 7, "endLine": 7, "endColumn": 24}
    assert location["logicalLocations"][0]["name"] == "Alerts"


def test_fingerprints_stay_when_lines_move(tmp_path):
    text = "Resources:\n  Jobs:\n    Type: AWS::SQS::Queue\n  Alerts:\n    Type: AWS::SNS::Topic\n"
    path = tmp_path / "t.yaml"
    path.write_text(text)
    before = json.loads(cli([*PLUGIN, "--format", "sarif", "--select", "TST", "t.yaml"], tmp_path).stdout)
    path.write_text("Description: moved down\n# a comment\n\n" + text)
    after = json.loads(cli([*PLUGIN, "--format", "sarif", "--select", "TST", "t.yaml"], tmp_path).stdout)
    lines = [
        [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in d["runs"][0]["results"]]
        for d in (before, after)
    ]
    assert [line + 3 for line in lines[0]] == lines[1]
    prints = [sorted(r["partialFingerprints"]["cfncheck/v1"] for r in d["runs"][0]["results"]) for d in (before, after)]
    assert prints[0] == prints[1] and len(set(prints[0])) == 2


def test_suppressed_findings_are_listed_with_their_suppression():
    result = run_files([ROOT / "samples/ci/suppressions.yaml"])
    document = sarif.document(result, ROOT)
    validate(document)
    suppressed = [r for r in document["runs"][0]["results"] if "suppressions" in r]
    assert {r["ruleId"] for r in suppressed} == {"CFN003", "CFN013"}
    by_rule = {r["ruleId"]: r["suppressions"][0] for r in suppressed}
    assert by_rule["CFN013"] == {
        "kind": "inSource",
        "justification": "Read by the deploy script, not by this template: 100% intended",
    }


def test_unreadable_files_become_notifications(tmp_path):
    write(tmp_path, "broken.yaml", "Resources: [\n")
    result = cli(["--format", "sarif", "broken.yaml", "missing.yaml"], tmp_path)
    assert result.exit_code == 2
    document = json.loads(result.stdout)
    validate(document)
    invocation = document["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    files = [
        n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for n in invocation["toolExecutionNotifications"]
    ]
    assert sorted(files) == ["broken.yaml", "missing.yaml"]


BANDS = {"error": (7.0, 8.9), "warning": (4.0, 6.9), "note": (0.1, 3.9)}
"""The security-severity GitHub shows as high, medium and low: the level each one goes with."""
CORPUS = ROOT.parent / "shared" / "corpus"


def assert_levels_agree(document: dict) -> int:
    """Every result has its rule's level, and a security rule's security-severity is in that
    level's band; returns how many results carry a security-severity."""
    run = document["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    rated = 0
    for result in run["results"]:
        rule = rules[result["ruleIndex"]]
        level = rule["defaultConfiguration"]["level"]
        assert result["level"] == level, (result["ruleId"], result["level"], level)
        score = rule["properties"].get("security-severity")
        if score is not None:
            low, high = BANDS[level]
            assert low <= float(score) <= high, (result["ruleId"], level, score)
            rated += 1
    return rated


def test_over_the_corpus_security_severity_agrees_with_each_level_and_the_log_validates(tmp_path):
    assert CORPUS.is_dir(), f"the shared corpus is expected at {CORPUS}"
    output = tmp_path / "corpus.sarif"
    result = cli(["--format", "json", "--output-sarif", str(output), "--fail-on", "none", str(CORPUS)], tmp_path)
    assert result.exit_code == 2  # the corpus holds files CloudFormation rejects
    document = json.loads(output.read_text(encoding="utf-8"))
    validate(document)
    assert assert_levels_agree(document) > 1000


def test_configured_severities_move_a_rule_and_its_results_to_the_same_band(tmp_path):
    write(tmp_path, ".cfncheck.yaml", "severity: {S3025: warning, SG001: warning, KMS009: info}\n")
    result = cli(["--format", "sarif", str(ROOT / "samples")], tmp_path)
    document = json.loads(result.stdout)
    validate(document)
    rules = {rule["id"]: rule for rule in document["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["S3025"]["properties"]["security-severity"] == "5.5"
    assert rules["SG001"]["defaultConfiguration"]["level"] == "warning"
    assert rules["KMS009"]["defaultConfiguration"]["level"] == "error"  # a deploy failure stays an error
    assert assert_levels_agree(document) > 0


def test_rules_are_tagged_with_their_theme_and_rated_for_precision():
    document = sarif.document(
        run_files([ROOT / "samples/encryption/KMS001-fail.yaml"], select=["KMS001", "KMS009"]), ROOT
    )
    rules = {rule["id"]: rule["properties"] for rule in document["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["KMS001"]["tags"] == ["encryption", "security"]
    assert rules["KMS009"]["tags"] == ["deploy-failure", "encryption", "security"]
    assert {properties["precision"] for properties in rules.values()} <= {"very-high", "high", "medium", "low"}


def test_related_places_are_linked_from_the_message_and_name_their_resource(tmp_path):
    write(
        tmp_path,
        "t.yaml",
        """
        Parameters:
          Switch: {Type: String, Default: "yes"}
        Conditions:
          IsOn: !Equals [!Ref Switch, "yes"]
        Resources:
          Queue:
            Type: AWS::SQS::Queue
            Properties: {VisibilityTimeout: 10}
          Worker:
            Type: AWS::Lambda::Function
            Properties: {Timeout: !If [IsOn, 30, 1]}
          Mapping:
            Type: AWS::Lambda::EventSourceMapping
            Properties: {EventSourceArn: !GetAtt Queue.Arn, FunctionName: !Ref Worker}
        """,
    )
    document = json.loads(cli(["--format", "sarif", "--select", "SQS001,SQS014", "t.yaml"], tmp_path).stdout)
    validate(document)
    result = next(r for r in document["runs"][0]["results"] if r["ruleId"] == "SQS001")
    assert result["message"]["text"].endswith(
        "\\[when IsOn=true\\] Related: [VisibilityTimeout of Queue](1), [Timeout of Worker](2)."
    )
    related = {place["id"]: place for place in result["relatedLocations"]}
    assert related[1]["logicalLocations"][0]["name"] == "Queue"
    assert related[2]["physicalLocation"]["region"]["startLine"] == 11
