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


def only(rule: str, text: str, **options) -> list[tuple]:
    """(rule id, logical id, line) of one check's findings on a template given as text."""
    return summary(findings(text, select=[rule], **options))


def file_findings(path: str | Path, select: Iterable[str] = (), **options) -> list[Finding]:
    """The findings of the selected checks on a template file (a sample), which must load."""
    result = run_files([path], select=select, **options)
    assert not result.errors, result.errors
    return result.findings


def summary(found: Iterable[Finding], severity: bool = False) -> list[tuple]:
    """(rule id, logical id, line) of each finding: what tests assert; with ``severity``, the
    severity's name is a fourth item."""
    return [(f.rule_id, f.resource, f.line) + ((str(f.severity),) if severity else ()) for f in found]


_EXPECT = re.compile(r"#\s*expect:\s*(\w+)\s+(\S+)(?:\s+(\d+)\b)?(?:\s+(error|warning|info)\b)?")


def expected(path: str | Path, severity: bool = True) -> list[tuple]:
    """What a sample says it must produce, in line order: ``(rule id, logical id, line, severity)``
    for each ``# expect: RULE LogicalId [line] [severity]`` comment (``-`` for a finding outside
    resources). The line is the comment's own unless given (for a line that cannot carry a
    comment: in a block scalar, in JSON); a line may carry several comments. Severity is None
    when the check's own applies; without ``severity`` the tuples are comparable to ``summary``."""
    found = []
    for number, text in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        for match in _EXPECT.finditer(text):
            rule, resource, line, stated = match.groups()
            found.append((rule, None if resource == "-" else resource, int(line) if line else number, stated))
    found.sort(key=lambda expectation: expectation[2])
    return found if severity else [expectation[:3] for expectation in found]
