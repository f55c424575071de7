"""Shared helpers of the CI-integration tests (formats, configuration, suppressions, baseline, action)."""

from __future__ import annotations

import contextlib
import inspect
import os
import textwrap
from pathlib import Path

from click.testing import CliRunner

from cfncheck.cli import check_command

ROOT = Path(__file__).resolve().parent.parent
CHECKS_DIR = Path(__file__).resolve().parent / "ci_checks"
CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"  # ../shared beside the clone


PLUGIN = ["--checks-dir", str(CHECKS_DIR)]
"""Loads TST001/TST002, checks for these tests only, the way a user loads a folder of checks."""


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


@contextlib.contextmanager
def cwd(directory: Path):
    before = os.getcwd()
    os.chdir(directory)
    try:
        yield
    finally:
        os.chdir(before)


def cli(args: list[str], directory: Path, env: dict | None = None, stdin: str | None = None):
    """Runs the check command in ``directory`` (with ``stdin`` as standard input); returns click's
    result (exit_code, stdout, stderr)."""
    base = {"GITHUB_WORKSPACE": None, "GITHUB_STEP_SUMMARY": None, "NO_COLOR": "1"}
    with cwd(directory):
        return _runner().invoke(check_command, args, input=stdin, env={**base, **(env or {})}, catch_exceptions=False)


def _runner() -> CliRunner:
    """A runner that keeps stderr apart: click before 8.2 mixes it into stdout unless told not to."""
    if "mix_stderr" in inspect.signature(CliRunner).parameters:
        return CliRunner(mix_stderr=False)
    return CliRunner()
