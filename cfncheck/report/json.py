"""JSON for tools: a stable document, described in README.md."""

from __future__ import annotations

import json

from .. import __version__
from ..engine import RunResult
from ..findings import Severity


def document(result: RunResult) -> dict:
    findings = [f for f in result.findings if f.suppressed is None]
    by_severity = {str(s): 0 for s in sorted(Severity, reverse=True)}
    for finding in findings:
        by_severity[str(finding.severity)] += 1
    return {
        "version": __version__,
        "findings": [f.as_dict() for f in findings],
        "errors": [e.as_dict() for e in result.errors],
        "summary": {
            "files": len(result.files),
            "findings": len(findings),
            "errors": len(result.errors),
            "by_severity": by_severity,
        },
    }


def render(result: RunResult) -> str:
    return json.dumps(document(result), indent=2) + "\n"
