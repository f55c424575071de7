"""Compute checks (checks/compute/): Auto Scaling health checks, launch settings and updates, and
Classic Load Balancers."""

from __future__ import annotations

from pathlib import Path

import pytest
from sample_checks import assert_samples

SAMPLES = Path(__file__).parent.parent / "samples" / "compute"


@pytest.mark.parametrize("rule", ["ASG002", "ASG004", "ASG005", "ASG006", "ELB007"])
def test_samples(rule):
    assert_samples(SAMPLES, rule)
