"""Cost allocation checks (checks/cost.py): required tags, opt-in."""

from __future__ import annotations

from pathlib import Path

from sample_checks import assert_samples

from cfncheck.testing import file_findings

SAMPLES = Path(__file__).parent.parent / "samples" / "cost"
REQUIRED = {"COST001": {"required_tags": ["CostCenter"]}}


def test_cost001_samples_with_the_organisations_tags():
    assert_samples(SAMPLES, "COST001", options=REQUIRED)


def test_cost001_is_silent_until_tags_are_required():
    assert file_findings(SAMPLES / "COST001-fail.yaml", ["COST001", "COST006"]) == []
