"""Suppressions in template Metadata: hidden in text, kept (as suppressed) in JSON and SARIF, and
reported themselves when they give no reason or match nothing."""

from __future__ import annotations

import json

from ci_support import CHECKS_DIR, PLUGIN, ROOT, cli, write

from cfncheck.testing import run_text, summary

TEMPLATE = """
    Resources:
      Jobs:
        Type: AWS::SQS::Queue
        Metadata:
          cfncheck:
            ignore:
              - id: TST001
                reason: "Test queue: 100% temporary"
      Other:
        Type: AWS::SQS::Queue
"""


def test_suppressed_finding_leaves_text_but_stays_in_sarif_and_json(tmp_path):
    write(tmp_path, "t.yaml", TEMPLATE)
    text = cli([*PLUGIN, "--select", "TST001,CFN9", "t.yaml"], tmp_path)
    assert text.stdout.splitlines() == [
        "t.yaml:10:5: warning: Queue Other: 100% sure, multiple=6 [TST001 test-queue-punctuation]"
    ]
    sarif = json.loads(cli([*PLUGIN, "--format", "sarif", "--select", "TST001,CFN9", "t.yaml"], tmp_path).stdout)
    results = {r["locations"][0]["logicalLocations"][0]["name"]: r for r in sarif["runs"][0]["results"]}
    assert results["Jobs"]["suppressions"] == [{"kind": "inSource", "justification": "Test queue: 100% temporary"}]
    assert "suppressions" not in results["Other"]
    document = json.loads(cli([*PLUGIN, "--format", "json", "--select", "TST001,CFN9", "t.yaml"], tmp_path).stdout)
    assert [(f["resource"], f["suppression"]["justification"]) for f in document["suppressed"]] == [
        ("Jobs", "Test queue: 100% temporary")
    ]
    assert document["summary"]["suppressed"] == 1 and document["summary"]["findings"] == 1


def test_a_suppressed_finding_does_not_fail_the_run(tmp_path):
    write(tmp_path, "t.yaml", TEMPLATE.replace("      Other:\n        Type: AWS::SQS::Queue\n", ""))
    assert cli([*PLUGIN, "--select", "TST001", "t.yaml"], tmp_path).exit_code == 0


def test_unused_and_unexplained_suppressions_are_reported():
    found = run_text(
        """
        Metadata:
          cfncheck:
            ignore: [TST002]
        Resources:
          Jobs:
            Type: AWS::SQS::Queue
            Metadata:
              cfncheck:
                ignore:
                  - {id: test-queue-punctuation, reason: by name}
                  - {id: TST002, reason: "no topic here"}
                  - {id: TST01, reason: typo}
    """,
        select=["TST", "CFN901", "CFN902"],
        checks_dir=[CHECKS_DIR],
    ).findings
    assert [f.suppressed for f in found if f.rule_id == "TST001"] == ["by name"]
    reported = [(f.rule_id, f.resource, f.line, f.message) for f in found if f.rule_id.startswith("CFN9")]
    assert reported == [
        ("CFN901", None, 3, "Say why TST002 is suppressed: add a reason."),
        ("CFN902", None, 3, "Remove the suppression of TST002: it matches no finding on this template."),
        ("CFN902", "Jobs", 11, "Remove the suppression of TST002: it matches no finding on resource Jobs."),
        (
            "CFN902",
            "Jobs",
            12,
            "Fix or remove the suppression of TST01: no check has this id or name (did you mean TST001?).",
        ),
    ]


def test_template_level_suppression_covers_every_resource():
    found = run_text(
        """
        Metadata:
          cfncheck:
            ignore: [{id: TST, reason: whole family}]
        Resources:
          A: {Type: AWS::SQS::Queue}
          B: {Type: AWS::SNS::Topic}
    """,
        select=["TST", "CFN9"],
        checks_dir=[CHECKS_DIR],
    ).findings
    assert [(f.rule_id, f.resource, f.suppressed) for f in found] == [
        ("TST001", "A", "whole family"),
        ("TST002", "B", "whole family"),
    ]


def test_suppressions_of_checks_that_did_not_run_are_not_judged():
    found = run_text(
        """
        Resources:
          A:
            Type: AWS::SQS::Queue
            Metadata: {cfncheck: {ignore: [{id: TST002, reason: not selected}]}}
    """,
        select=["TST001", "CFN9"],
        checks_dir=[CHECKS_DIR],
    ).findings
    assert summary(found) == [("TST001", "A", 3)]


def test_sample_shows_every_kind():
    result = cli(["--format", "json", "samples/ci/suppressions.yaml"], ROOT)
    document = json.loads(result.stdout)
    assert {f["rule_id"] for f in document["suppressed"]} == {"CFN003", "CFN013"}
    meta = [(f["rule_id"], f["line"]) for f in document["findings"] if f["rule_id"].startswith("CFN9")]
    assert meta == [("CFN901", 21), ("CFN902", 21)]
