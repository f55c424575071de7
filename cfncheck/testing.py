"""Helpers for testing checks, built-in or third-party: run the engine on text or files."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable

from . import registry
from .engine import RunOptions, RunResult, Source, run
from .findings import Finding


def run_sources(
    sources: Iterable[Source],
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    parameters: dict | None = None,
    region: str | None = None,
    account_id: str | None = None,
    check_options: dict | None = None,
) -> RunResult:
    registry.load_builtin()
    options = RunOptions(
        checks=registry.select(registry.all_checks(), select, ignore),
        parameters=dict(parameters or {}),
        region=region,
        account_id=account_id,
        check_options=dict(check_options or {}),
    )
    return run(list(sources), options)


def run_text(text: str, name: str = "template.yaml", **options) -> RunResult:
    """Check one template given as text (dedented, so tests can indent it)."""
    data = textwrap.dedent(text).lstrip("\n").encode("utf-8")
    return run_sources([Source(name, data=data)], **options)


def run_files(paths: Iterable[str], **options) -> RunResult:
    return run_sources([Source(str(p), str(p)) for p in paths], **options)


def findings(text: str, select: Iterable[str] = (), **options) -> list[Finding]:
    """The findings of the selected checks on a template given as text."""
    result = run_text(text, select=select, **options)
    assert not result.errors, result.errors
    return result.findings


def summary(found: Iterable[Finding]) -> list[tuple[str, str | None, int]]:
    """(rule id, logical id, line) of each finding: what tests assert."""
    return [(f.rule_id, f.resource, f.line) for f in found]
