"""The command line and the engine stay small: what grows goes into modules named for their job
(docs/architecture.md), not into the two files every change passes through."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


@pytest.mark.parametrize("module", ["cfncheck/cli.py", "cfncheck/engine.py"])
def test_the_command_line_and_the_engine_stay_under_250_lines(module):
    lines = len((ROOT / module).read_text(encoding="utf-8").splitlines())
    assert lines < 250, f"{module} has {lines} lines: move what grew into a module of its own"
