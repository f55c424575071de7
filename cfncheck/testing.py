"""Helpers for testing checks, built-in or third-party: run cfncheck on text or files the way the
command line does — configuration, session, engine, outcome — and look at what a user would see.

Settings are the configuration file's keys (``select``, ``ignore``, ``regions``, ``severity``,
``options``, ``baseline``, ``checks_dir``…, with ``_`` for ``-``), or a configuration file
(``config=``); no configuration is searched for. ``parameters=`` gives values for every template,
as ``--parameters`` does (values per template glob come with a configuration file). The checks
are the built-in ones, those of installed plugins, and those of the ``checks_dir`` folders. A
test's configuration is its author's own: it is trusted, as ``--trust-config`` trusts a file.
"""

from __future__ import annotations

import functools
import re
import textwrap
from collections.abc import Iterable
from pathlib import Path

from .catalog import Catalog
from .config import Config, load
from .findings import Finding
from .outcome import Outcome
from .result import Source
from .session import Session
from .session import sources as found_in

__all__ = [
    "Source",
    "configuration",
    "expected",
    "family",
    "file_findings",
    "findings",
    "only",
    "run_files",
    "run_sources",
    "run_text",
    "summary",
]


def _catalog(folders: list[str], _trust: bool = True) -> Catalog:
    """The catalog for a set of check folders, built once per test session."""
    return _cached_catalog(tuple(map(str, folders)))


@functools.cache
def _cached_catalog(folders: tuple[str, ...]) -> Catalog:
    return Catalog.load(folders, trust=True)


_ALIASES = {"region": "regions", "account_id": "account-id", "check_options": "options"}
"""Shorter names for settings a test often gives: one region, the account, the checks' options."""


def configuration(config: str | Path | None = None, **settings) -> Config:
    """The configuration of a test run: ``config`` (a file) under ``settings`` (its keys)."""
    overrides = {}
    for key, value in settings.items():
        if value is None or (not value and isinstance(value, list | tuple | dict)):
            continue
        if key == "region":
            value = [value]
        if isinstance(value, list | tuple):
            value = [str(item) if isinstance(item, Path) else item for item in value]
        overrides[_ALIASES.get(key, key.replace("_", "-"))] = str(value) if isinstance(value, Path) else value
    return load(str(config) if config else None, overrides, _catalog, discover=False, trust=True)


def run_sources(sources: Iterable[Source], *, parameters: dict | None = None, **settings) -> Outcome:
    """The outcome of a run over ``sources``; ``parameters``: values for every template, as
    ``--parameters`` gives them; ``settings``: see :func:`configuration`."""
    session = Session(configuration(**settings), tuple(sources), parameters=dict(parameters or {}))
    return _check(session)


def run_text(text: str, name: str = "template.yaml", **options) -> Outcome:
    """Check one template given as text (dedented, so tests can indent it)."""
    data = textwrap.dedent(text).lstrip("\n").encode("utf-8")
    return run_sources([Source(name, data=data)], **options)


def run_files(paths: Iterable[str | Path], *, parameters: dict | None = None, **settings) -> Outcome:
    """Check files and folders, found as the command line finds them (folders are searched)."""
    config = configuration(**settings)
    found = found_in([str(p) for p in paths], config)
    return _check(Session(config, tuple(found.sources), tuple(found.errors), parameters=dict(parameters or {})))


def _check(session: Session) -> Outcome:
    return session.check()


def family(rule: str, checks_dir: Iterable[str | Path] = ()) -> list[str]:
    """A check's id and the ids of its children (the problems it reports under ids of their own),
    to select all that its function reports."""
    entry = _catalog([str(folder) for folder in checks_dir]).find(rule)
    if entry is None:
        raise KeyError(f"no check {rule}")
    return [entry.id, *(child.id for child in entry.children)]


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
