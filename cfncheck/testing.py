"""Helpers for testing checks, built-in or third-party: run the engine on text or files."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable
from pathlib import Path

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


_EXPECT = re.compile(r"#\s*expect:\s*(\w+)\s+(\S+)(?:\s+(error|warning|info))?")


def expected(path: str | Path) -> list[tuple[str, str | None, int, str | None]]:
    """What a sample says it must produce: ``(rule id, logical id, line, severity)`` for each
    ``# expect: RULE LogicalId [severity]`` comment (``-`` for a finding outside resources),
    on the line the finding must land on; severity is None when the check's own applies."""
    found = []
    for line, text in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        match = _EXPECT.search(text)
        if match:
            rule, resource, severity = match.groups()
            found.append((rule, None if resource == "-" else resource, line, severity))
    return found
