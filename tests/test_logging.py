"""CloudTrail checks TRAIL001 and TRAIL002."""

from __future__ import annotations

import re
from pathlib import Path

from cfncheck.testing import findings, run_files, summary

SAMPLES = Path(__file__).parent.parent / "samples" / "logging"
CHECKS = ["TRAIL001", "TRAIL002"]
_EXPECT = re.compile(r"expect: (\w+) (\w+)")


def expected(path: Path) -> list[tuple[str, str, int]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return sorted(
        (rule, resource, number) for number, line in enumerate(lines, 1) for rule, resource in _EXPECT.findall(line)
    )


def sample(name: str) -> list[tuple[str, str, int]]:
    result = run_files([SAMPLES / name], select=CHECKS)
    assert not result.errors
    return sorted(summary(result.findings))


def test_bad_sample_reports_exactly_the_expected_findings():
    assert sample("bad.yaml") == expected(SAMPLES / "bad.yaml")
    assert {rule for rule, _, _ in expected(SAMPLES / "bad.yaml")} == set(CHECKS)


def test_good_sample_reports_nothing():
    assert sample("good.yaml") == []


def test_trail001_organization_trail_is_info_and_scenario_is_named():
    found = findings((SAMPLES / "bad.yaml").read_text(), select=["TRAIL001"])
    by_resource = {f.resource: f for f in found}
    assert str(by_resource["OrganizationTrail"].severity) == "info"
    assert str(by_resource["Trail"].severity) == "warning"
    assert by_resource["RegionalTrail"].conditions == {"IsProd": False}


def test_trail002_parameter_value_changes_the_verdict():
    text = (SAMPLES / "good.yaml").read_text()
    assert summary(findings(text, select=["TRAIL002"], parameters={"Validate": "false"})) == [
        ("TRAIL002", "ValidationFromParameter", 20)
    ]
