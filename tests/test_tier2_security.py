"""The tier-2 security checks of issue 21: a failing and a passing sample each, asserting rule id,
logical id and line (the samples say what they expect with ``# expect:`` comments)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cfncheck.testing import expected, file_findings, summary

SAMPLES = Path(__file__).parent.parent / "samples"
CHECKS = {
    "secrets": ["SECRET006", "SECRET007", "SECRET009", "SECRET010", "SECRET011"],
    "identity": ["COG001", "COG002"],
    "exposure": ["CF005", "APIGW004", "APIGW006"],
    "messaging": ["LAMBDA004", "LAMBDA007", "LAMBDA013", "LAMBDA014", "EVT004"],
    "workflows": ["SFN002"],
    "network": ["SG007", "SG008", "SG009", "SG011", "VPC004", "VPC005", "LAMBDA009", "LAMBDA010"],
}
CASES = [(folder, rule) for folder, rules in CHECKS.items() for rule in rules]


@pytest.mark.parametrize(("folder", "rule"), CASES)
def test_failing_sample(folder, rule):
    path = SAMPLES / folder / f"{rule}-fail.yaml"
    announced = expected(path, severity=False)
    assert announced, "a failing sample states its findings"
    assert summary(file_findings(path, [rule])) == announced


@pytest.mark.parametrize(("folder", "rule"), CASES)
def test_passing_sample(folder, rule):
    assert file_findings(SAMPLES / folder / f"{rule}-pass.yaml", [rule]) == []
