"""Text for people and editors: one line per finding, ``path:line:col: severity: message [ID name]``,
then a ``path:line:col: note: …`` line for each place the finding relates to (the other template of
a cross-stack finding, the function that reads a queue…), as compilers print their diagnostics and
notes, so that editors' problem matchers read them (README.md gives one for VS Code)."""

from __future__ import annotations

from ..findings import Finding, Location, Severity
from ..outcome import Outcome
from .escape import Where, escape

_COLORS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[36m"}
_RESET, _BOLD = "\033[0m", "\033[1m"


def finding_lines(finding: Finding, color: bool = False) -> list[str]:
    severity = str(finding.severity)
    if color:
        severity = f"{_COLORS[finding.severity]}{severity}{_RESET}"
    message = escape(finding.shown_message, Where.TEXT)
    lines = [f"{_where(finding, color)} {severity}: {message} [{finding.rule_id} {finding.name}]"]
    lines += [f"{_where(related, color)} note: {escape(related.message, Where.TEXT)}" for related in finding.related]
    return lines


def _where(place: Finding | Location, color: bool) -> str:
    where = f"{escape(place.file, Where.TEXT)}:{place.line}:{place.column}:"
    return f"{_BOLD}{where}{_RESET}" if color else where


def render(result: Outcome, color: bool = False) -> str:
    lines = [line for f in result.findings if f.suppressed is None for line in finding_lines(f, color)]
    return "\n".join(lines) + ("\n" if lines else "")


def render_errors(result: Outcome) -> str:
    lines = []
    for error in result.errors:
        file = escape(error.file, Where.TEXT)
        where = f"{file}:{error.line}:" if error.line else f"{file}:"
        lines.append(f"{where} error: {escape(error.message, Where.TEXT)}")
    return "\n".join(lines) + ("\n" if lines else "")


def summary(result: Outcome) -> str:
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
