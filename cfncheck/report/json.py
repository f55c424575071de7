"""JSON for tools: a stable document, described in README.md."""

from __future__ import annotations

import json

from .. import __version__
from ..findings import Severity
from ..outcome import Outcome
from .escape import Where, escape


def document(result: Outcome) -> dict:
    findings = [f for f in result.findings if f.suppressed is None]
    suppressed = [f for f in result.findings if f.suppressed is not None]
    by_severity = {str(s): 0 for s in sorted(Severity, reverse=True)}
    for finding in findings:
        by_severity[str(finding.severity)] += 1
    shown = {
        "version": __version__,
        "findings": [f.as_dict() for f in findings],
        "suppressed": [
            {**f.as_dict(), "suppression": {"kind": f.suppressed_by, "justification": f.suppressed}} for f in suppressed
        ],
        "errors": [e.as_dict() for e in result.errors],
        "summary": {
            "files": len(result.files),
            "findings": len(findings),
            "errors": len(result.errors),
            "by_severity": by_severity,
            "suppressed": len(suppressed),
            **({"baseline": result.baseline.as_dict()} if result.baseline is not None else {}),
        },
    }
    part = result.part
    if part is not None:  # what ``merge`` reads and leaves out
        shown["shard"] = part.as_dict(
            result.internal_errors,
            findings=[part.rank(f.file) for f in findings],
            suppressed=[part.rank(f.file) for f in suppressed],
            errors=list(part.error_ranks),
        )
    return shown


def dumps(shown: dict) -> str:
    """A JSON document as cfncheck writes it (the reports, ``merge``)."""
    return escape(json.dumps(shown, indent=2), Where.JSON) + "\n"


def render(result: Outcome) -> str:
    return dumps(document(result))
