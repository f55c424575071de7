"""GitLab Code Quality: the subset of the Code Climate issue format that GitLab documents, shown in
merge requests (``artifacts: reports: codequality``).

One issue per unsuppressed finding: ``description`` (check id, name and message), ``check_name``
(the check id), ``fingerprint`` (check, file, resource and property path, numbered when several
findings share them: never the line, so an issue keeps its identity while edits move it, and
unique in the report, as GitLab shows only the first issue of a fingerprint), ``severity`` and
``location`` (the path relative to the repository root, the first and last line). A template that
could not be read is a ``blocker`` issue on its first line or the line the problem is on.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ..baseline import relative_file, report_fingerprints
from ..findings import Finding, Severity
from ..outcome import Outcome
from ..result import FileError
from .escape import Where, escape

SEVERITIES = {Severity.ERROR: "critical", Severity.WARNING: "major", Severity.INFO: "info"}
"""GitLab's scale is info, minor, major, critical, blocker; blocker is kept for a template that
cannot be checked at all."""
UNREADABLE = "cfncheck-unreadable-template"


def _issue(finding: Finding, fingerprint: str, root: Path) -> dict:
    return {
        "type": "issue",
        "description": f"{finding.rule_id} {finding.name}: {finding.shown_message}",
        "check_name": finding.rule_id,
        "fingerprint": fingerprint,
        "severity": SEVERITIES[finding.severity],
        "location": {
            "path": relative_file(finding.file, root),
            "lines": {"begin": finding.line, "end": max(finding.end_line, finding.line)},
        },
    }


def _unreadable(error: FileError, root: Path) -> dict:
    path = relative_file(error.file, root)
    return {
        "type": "issue",
        "description": f"cfncheck could not check this template: {error.message}",
        "check_name": UNREADABLE,
        # a file name that is not UTF-8 keeps its bytes as surrogates: hashed as those bytes
        "fingerprint": hashlib.sha256(f"{UNREADABLE}|{path}".encode("utf-8", "surrogateescape")).hexdigest()[:32],
        "severity": "blocker",
        "location": {"path": path, "lines": {"begin": error.line or 1}},
    }


def document(result: Outcome, root: str | Path) -> list[dict]:
    root = Path(root).resolve()
    issues = [_unreadable(error, root) for error in result.errors]
    marks = report_fingerprints(result.findings, root)
    issues += [
        _issue(finding, mark, root)
        for finding, mark in zip(result.findings, marks, strict=True)
        if finding.suppressed is None
    ]
    return issues


def render(result: Outcome, root: str | Path) -> str:
    return escape(json.dumps(document(result, root), indent=2), Where.JSON) + "\n"
