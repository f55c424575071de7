"""Text for people: one line per finding, ``path:line:col: severity ID name: message``."""

from __future__ import annotations

from ..engine import RunResult
from ..findings import Finding, Severity

_COLORS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[36m"}
_RESET, _BOLD = "\033[0m", "\033[1m"


def finding_line(finding: Finding, color: bool = False) -> str:
    severity = str(finding.severity)
    if color:
        severity = f"{_COLORS[finding.severity]}{severity}{_RESET}"
    where = f"{finding.file}:{finding.line}:{finding.column}:"
    if color:
        where = f"{_BOLD}{where}{_RESET}"
    message = finding.message
    if finding.conditions:
        message += f" [when {finding.scenario_text}]"
    return f"{where} {severity} {finding.rule_id} {finding.name}: {message}"


def render(result: RunResult, color: bool = False) -> str:
    lines = [finding_line(f, color) for f in result.findings if f.suppressed is None]
    return "\n".join(lines) + ("\n" if lines else "")


def render_errors(result: RunResult) -> str:
    lines = []
    for error in result.errors:
        where = f"{error.file}:{error.line}:" if error.line else f"{error.file}:"
        lines.append(f"{where} error: {error.message}")
    return "\n".join(lines) + ("\n" if lines else "")


def summary(result: RunResult) -> str:
    counts = {s: 0 for s in Severity}
    for finding in result.findings:
        if finding.suppressed is None:
            counts[finding.severity] += 1
    total = sum(counts.values())
    parts = ", ".join(f"{counts[s]} {s}" for s in sorted(Severity, reverse=True))
    files = len(result.files)
    text = f"{total} finding{'s' * (total != 1)} ({parts}) in {files} file{'s' * (files != 1)}"
    if result.errors:
        text += f"; {len(result.errors)} file{'s' * (len(result.errors) != 1)} could not be checked"
    return text + "\n"
