"""Values that tie a template to one region (checks/template/hardcoded.py): CFN022, CFN023."""

from __future__ import annotations

from pathlib import Path

import pytest
from sample_checks import assert_samples

from cfncheck.testing import file_findings, summary

SAMPLES = Path(__file__).parent.parent / "samples" / "template"


@pytest.mark.parametrize("rule", ["CFN022", "CFN023"])
def test_samples(rule):
    assert_samples(SAMPLES, rule)


def test_a_value_given_for_the_parameter_is_not_the_templates():
    path = SAMPLES / "CFN022-fail.yaml"
    given = file_findings(path, ["CFN022"], parameters={"Zone": "us-east-1c"})
    assert "Volume" not in {f.resource for f in given}


def test_cfn023_allowed_amis_are_not_reported():
    found = file_findings(
        SAMPLES / "CFN023-fail.yaml", ["CFN023"], options={"CFN023": {"allowed_amis": ["ami-12345678"]}}
    )
    assert ("CFN023", "Server", 12) not in summary(found)
