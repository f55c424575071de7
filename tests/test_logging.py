"""Logging checks (checks/logging/): trails (TRAIL001 and its TRAIL010, TRAIL002), access logs, flow logs,
log groups, execution logs."""

from __future__ import annotations

from pathlib import Path

import pytest
from sample_checks import assert_samples

from cfncheck.testing import expected, family, file_findings, findings, summary

SAMPLES = Path(__file__).parent.parent / "samples" / "logging"
CHECKS = [*family("TRAIL001"), "TRAIL002"]


def sample(name: str) -> list[tuple[str, str, int]]:
    return sorted(summary(file_findings(SAMPLES / name, CHECKS)))


def announced(name: str) -> list[tuple[str, str, int]]:
    return sorted(expected(SAMPLES / name, severity=False))


def test_bad_sample_reports_exactly_the_expected_findings():
    assert sample("bad.yaml") == announced("bad.yaml")
    assert {rule for rule, _, _ in announced("bad.yaml")} == set(CHECKS)


def test_good_sample_reports_nothing():
    assert sample("good.yaml") == []


def test_trail001_organization_trail_is_info_and_scenario_is_named():
    found = findings((SAMPLES / "bad.yaml").read_text(), select=family("TRAIL001"))
    by_resource = {f.resource: f for f in found}
    assert (by_resource["OrganizationTrail"].rule_id, str(by_resource["OrganizationTrail"].severity)) == (
        "TRAIL010",
        "info",
    )
    assert (by_resource["Trail"].rule_id, str(by_resource["Trail"].severity)) == ("TRAIL001", "warning")
    assert by_resource["RegionalTrail"].conditions == {"IsProd": False}


def test_trail002_parameter_value_changes_the_verdict():
    text = (SAMPLES / "good.yaml").read_text()
    assert summary(findings(text, select=["TRAIL002"], parameters={"Validate": "false"})) == [
        ("TRAIL002", "ValidationFromParameter", 20)
    ]


@pytest.mark.parametrize(
    "rule",
    [
        "TRAIL007", "S3007", "S3008", "ELB005", "CF006", "APIGW002", "APIGW003", "ECS001", "VPC002", "LOGS002",
        "LOGS003", "SFN003", "LAMBDA011",
    ],
)  # fmt: skip
def test_samples(rule):
    assert_samples(SAMPLES, rule)
