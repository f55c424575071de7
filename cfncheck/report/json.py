"""JSON for tools: a stable document, described in README.md."""

from __future__ import annotations

import json

from .. import __version__
from ..findings import Severity
from ..result import RunResult


def document(result: RunResult, baseline: dict | None = None) -> dict:
    """``baseline``: ``{"accepted": n, "fixed": n}`` when the run was compared with a baseline."""
    findings = [f for f in result.findings if f.suppressed is None]
    suppressed = [f for f in result.findings if f.suppressed is not None]
    by_severity = {str(s): 0 for s in sorted(Severity, reverse=True)}
    for finding in findings:
        by_severity[str(finding.severity)] += 1
    return {
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
            **({"baseline": baseline} if baseline is not None else {}),
        },
    }


def render(result: RunResult, baseline: dict | None = None) -> str:
    return json.dumps(document(result, baseline), indent=2) + "\n"
