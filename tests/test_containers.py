"""Container checks (checks/containers/): ECR image scanning and tag immutability."""

from __future__ import annotations

from pathlib import Path

import pytest
from sample_checks import assert_samples

from cfncheck.testing import file_findings

SAMPLES = Path(__file__).parent.parent / "samples" / "containers"


@pytest.mark.parametrize("rule", ["ECR002", "ECR003"])
def test_samples(rule):
    assert_samples(SAMPLES, rule)


def test_ecr002_a_registry_scanning_rule_of_the_run_covers_every_repository():
    assert file_findings(SAMPLES / "ECR002-registry-pass.yaml", ["ECR002"]) == []
