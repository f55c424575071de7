"""One id names one problem with one severity: a check reports only at the severity its id declares,
a configured severity never lowers a deploy failure, and the ids that used to name several problems
keep working for one release as aliases of the ids they became, saying so once per run."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from ci_support import ROOT, cli, write

from cfncheck import baseline
from cfncheck.catalog import ALIASES_UNTIL, Catalog
from cfncheck.testing import run_text, summary

SPLIT = """
from cfncheck.api import ERROR, INFO, WARNING, Child, check


@check(
    "ZZS001",
    "zz-queue-practice",
    WARNING,
    types=["AWS::SQS::Queue"],
    children=[
        Child("ZZS002", "zz-queue-rejected", ERROR, "Rejected.", deploy_failure=True, formerly=("ZZS001",)),
        Child("ZZS003", "zz-queue-advice", INFO, "Advice.", formerly=("ZZS001",)),
    ],
)
def queue(queue, ctx):
    \"\"\"One practice, and the two other problems it used to report under its id.\"\"\"
    yield ctx.finding(queue, "Type", "practice", severity=WARNING)  # its own severity may be stated
    yield ctx.finding(queue, "Type", "rejected", rule="ZZS002")
    yield ctx.finding(queue, "Type", "advice", rule="ZZS003")


@check("ZZS009", "zz-topic-two-severities", WARNING, types=["AWS::SNS::Topic"])
def topic(topic, ctx):
    \"\"\"Reports a problem at a severity its id does not declare: a bug in the check.\"\"\"
    yield ctx.finding(topic, "Type", "fine")
    yield ctx.finding(topic, "Type", "worse", severity=ERROR)


@check("ZZP1", "zz-short-id", INFO, types=["AWS::SNS::Topic"])
def short(topic, ctx):
    \"\"\"An id that is the prefix of another.\"\"\"
    yield ctx.finding(topic, "Type", "short")


@check("ZZP10", "zz-long-id", INFO, types=["AWS::SNS::Topic"])
def long(topic, ctx):
    \"\"\"An id that another is the prefix of.\"\"\"
    yield ctx.finding(topic, "Type", "long")
"""

FAMILY = ["ZZS001", "ZZS002", "ZZS003"]
TEMPLATE = """
Resources:
  Queue: {Type: AWS::SQS::Queue}
  Topic: {Type: AWS::SNS::Topic}
"""


@pytest.fixture
def plugin(tmp_path) -> list[Path]:
    write(tmp_path, "split/split.py", SPLIT)
    return [tmp_path / "split"]


def test_a_check_cannot_report_at_a_severity_its_id_does_not_declare(plugin):
    found = run_text(TEMPLATE, select=["ZZS009"], checks_dir=plugin).findings
    assert summary(found, severity=True) == [("CFN000", "Topic", 3, "error"), ("ZZS009", "Topic", 3, "warning")]
    assert "SeverityError: ZZS009 is declared warning but reported at error" in found[0].message
    queue = run_text(TEMPLATE, select=FAMILY, checks_dir=plugin).findings
    assert summary(queue, severity=True) == [
        ("ZZS001", "Queue", 2, "warning"),
        ("ZZS002", "Queue", 2, "error"),
        ("ZZS003", "Queue", 2, "info"),
    ]


def test_no_builtin_check_chooses_a_severity():
    """The refusal above makes a check that passes another severity fail at run time; no built-in
    check passes one at all: a problem of another severity is a child with its own id."""
    offenders = []
    for path in sorted((ROOT / "checks").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and any(keyword.arg == "severity" for keyword in node.keywords):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_every_builtin_id_has_one_severity_and_deploy_failures_are_errors():
    catalog = Catalog.builtin()
    for entry in catalog:
        assert entry.severity == catalog.find(entry.name).severity
        if entry.deploy_failure:
            assert str(entry.severity) == "error", entry.id
    for old, ids in catalog.aliases.items():
        assert ids[0] == old and len(ids) > 1, old  # an old id still names the problem it kept


def test_a_deploy_failure_that_is_not_an_error_is_refused_when_the_plugin_loads(tmp_path):
    write(
        tmp_path,
        "bad/bad.py",
        """
        from cfncheck.api import WARNING, Child, check

        @check("ZZB001", "zz-bad", WARNING, children=[Child("ZZB002", "zz-b", WARNING, "x", deploy_failure=True)])
        def bad(ctx):
            \"\"\"A child that says it is a deploy failure at warning.\"\"\"
            return []
        """,
    )
    catalog = Catalog.load([tmp_path / "bad"])
    assert catalog.find("ZZB001") is None
    assert any("ZZB002: a deploy failure is an error, not warning" in p for p in catalog.problems)


def test_an_id_names_that_check_only_and_a_prefix_names_all_its_checks(plugin):
    catalog = Catalog.load(plugin)
    assert catalog.resolve("ZZP1").ids == {"ZZP1"}
    assert catalog.resolve("zzp").ids == {"ZZP1", "ZZP10"}
    assert catalog.resolve("zz-long-id").ids == {"ZZP10"}
    assert catalog.resolve("SG001").ids == {"SG001"}
    found = run_text(TEMPLATE, select=["ZZP1"], checks_dir=plugin).findings
    assert summary(found) == [("ZZP1", "Topic", 3)]


def test_an_old_id_stands_for_the_ids_it_became_but_its_name_for_its_own_problem_only(plugin):
    catalog = Catalog.load(plugin)
    assert catalog.aliases["ZZS001"] == ("ZZS001", "ZZS002", "ZZS003")
    assert catalog.resolve("ZZS001").alias == "ZZS001"
    assert catalog.resolve("zz-queue-practice").ids == {"ZZS001"}
    ignored = run_text(TEMPLATE, select=FAMILY, ignore=["ZZS001"], checks_dir=plugin)
    assert ignored.findings == []
    by_name = run_text(TEMPLATE, select=FAMILY, ignore=["zz-queue-practice"], checks_dir=plugin)
    assert [f.rule_id for f in by_name.findings] == ["ZZS002", "ZZS003"]


def test_a_configured_severity_raises_or_lowers_a_practice_but_never_lowers_a_deploy_failure(plugin):
    found = run_text(TEMPLATE, select=FAMILY, severity={"ZZS001": "info"}, checks_dir=plugin).findings
    assert summary(found, severity=True) == [
        ("ZZS001", "Queue", 2, "info"),
        ("ZZS002", "Queue", 2, "error"),  # the alias does not carry info to the deploy failure
        ("ZZS003", "Queue", 2, "info"),
    ]
    named = run_text(TEMPLATE, select=FAMILY, severity={"ZZS002": "warning", "ZZS003": "error"}, checks_dir=plugin)
    assert summary(named.findings, severity=True)[1:] == [
        ("ZZS002", "Queue", 2, "error"),
        ("ZZS003", "Queue", 2, "error"),
    ]
    explicit = run_text(TEMPLATE, select=FAMILY, severity={"ZZS001": "info", "ZZS003": "warning"}, checks_dir=plugin)
    assert [str(f.severity) for f in explicit.findings] == ["info", "error", "warning"]  # the id named wins


KEYS = """
Resources:
  Key:
    Type: AWS::KMS::Key
    Properties:
      KeySpec: RSA_2048
      KeyUsage: ENCRYPT_DECRYPT
      EnableKeyRotation: true
  Other:
    Type: AWS::KMS::Key
"""


def _stderr_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("cfncheck: ")]


def test_lowering_a_best_practice_leaves_the_deploy_failure_an_error_and_the_run_failing(tmp_path):
    write(tmp_path, "keys.yaml", KEYS)
    write(tmp_path, ".cfncheck.yaml", "severity: {KMS001: info}\nfail-on: error\n")
    result = cli(["--select", "KMS001,KMS009", "keys.yaml"], tmp_path)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "keys.yaml:7:7: error: Remove EnableKeyRotation (or set it to false): KMS cannot rotate a key with KeySpec "
        "RSA_2048, KeyUsage ENCRYPT_DECRYPT automatically; the stack fails. [KMS009 kms-key-rotation-invalid]",
        "keys.yaml:9:5: info: Set EnableKeyRotation to true: the key material of this symmetric key is never rotated. "
        "[KMS001 kms-key-rotation-disabled]",
    ]
    assert len(_stderr_lines(result)) == 1 and "KMS001 is deprecated as a name for KMS009" in result.stderr
    write(tmp_path, ".cfncheck.yaml", "severity: {KMS009: warning}\n")
    named = cli(["--select", "KMS009", "keys.yaml"], tmp_path)
    assert named.exit_code == 1 and ": error: " in named.stdout and "[KMS009 " in named.stdout
    assert _stderr_lines(named)[0] == (
        "cfncheck: severity: KMS009 (kms-key-rotation-invalid) is a deploy failure (CloudFormation or the service "
        "rejects the template), so it stays an error, not warning; suppress a finding that does not apply"
    )


def test_an_old_id_in_ignore_still_works_and_prints_one_deprecation_line(tmp_path):
    write(tmp_path, "keys.yaml", KEYS)
    result = cli(["--ignore", "KMS001", "--select", "KMS", "keys.yaml"], tmp_path)
    assert result.exit_code == 0 and result.stdout == ""
    assert _stderr_lines(result) == [
        f"cfncheck: KMS001 is deprecated as a name for KMS009 (kms-key-rotation-invalid), which it reported before: "
        f"until cfncheck {ALIASES_UNTIL} it still means KMS001, KMS009; write the ids you mean"
    ]
    twice = cli(["--ignore", "KMS001", "--select", "KMS001,KMS004", "keys.yaml"], tmp_path)
    assert len([line for line in _stderr_lines(twice) if "deprecated" in line]) == 1


def test_an_old_id_in_a_suppression_covers_the_ids_it_became_and_says_so_once(tmp_path):
    suppressed = KEYS.replace(
        "    Type: AWS::KMS::Key\n    Properties:",
        "    Type: AWS::KMS::Key\n    Metadata: {cfncheck: {ignore: [{id: KMS001, reason: imported key}]}}\n"
        "    Properties:",
        1,
    )
    write(tmp_path, "keys.yaml", suppressed)
    result = cli(["--select", "KMS001,KMS009,CFN902", "--format", "json", "keys.yaml"], tmp_path)
    document = json.loads(result.stdout)
    assert [(f["rule_id"], f["resource"]) for f in document["suppressed"]] == [("KMS009", "Key")]
    assert [(f["rule_id"], f["resource"]) for f in document["findings"]] == [("KMS001", "Other")]  # no CFN902
    assert [line for line in _stderr_lines(result) if "deprecated" in line] == [
        f"cfncheck: KMS001 is deprecated as a name for KMS009 (kms-key-rotation-invalid), which it reported before: "
        f"until cfncheck {ALIASES_UNTIL} it still means KMS001, KMS009; write the ids you mean"
    ]


def test_a_baseline_written_before_the_split_still_accepts_the_findings(tmp_path):
    write(tmp_path, "keys.yaml", KEYS)
    written = cli(["--select", "KMS001,KMS009", "--write-baseline", "base.json", "keys.yaml"], tmp_path)
    assert written.exit_code == 0
    document = json.loads((tmp_path / "base.json").read_text())
    for entry in document["findings"]:  # as cfncheck 0.1 wrote it: every finding of the family under KMS001
        entry["rule_id"] = "KMS001"
        entry["fingerprint"] = baseline.hashlib.sha256(
            "|".join(("KMS001", entry["file"], entry["resource"] or "", entry["path"])).encode()
        ).hexdigest()[:32]
    (tmp_path / "base.json").write_text(json.dumps(document))
    result = cli(["--select", "KMS", "--baseline", "base.json", "keys.yaml"], tmp_path)
    assert result.exit_code == 0 and result.stdout == ""
    assert _stderr_lines(result)[0].startswith("cfncheck: KMS001 is deprecated as a name for KMS009")
    assert _stderr_lines(result)[0].endswith("rewrite the baseline with --write-baseline base.json")
