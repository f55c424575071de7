"""GitHub Actions workflow commands: one ``::error``/``::warning``/``::notice`` line per finding,
which GitHub turns into annotations on the pull request, plus a Markdown job summary.

GitHub annotates at most 10 errors, 10 warnings and 10 notices of a step and drops the rest
silently, so the most severe findings come first and the summary lists every finding and says
how many were not annotated.

Where an annotation goes follows the Actions toolkit's rules: columns only when the finding is on
one line (``col``/``endColumn`` cannot be sent when ``line`` and ``endLine`` differ), ``line`` and
``endLine`` for a finding that spans several, and only the first line for a finding whose region
encloses the place (a whole resource, the key an absent property goes under), which GitHub would
otherwise draw under its last line.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from ..baseline import relative_file
from ..findings import Finding, Severity
from ..outcome import Outcome
from ..result import FileError
from .escape import Where, escape

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
ANNOTATIONS_PER_KIND = 10
"""What GitHub shows per step for each of error, warning and notice."""
SUMMARY_ROWS = 1000
"""Rows of the summary table; GitHub caps a step summary at 1 MiB."""


def escape_data(text: str) -> str:
    return escape(text, Where.COMMAND)


def escape_property(text: str) -> str:
    return escape(text, Where.COMMAND_PROPERTY)


def workspace(env: Mapping[str, str] = os.environ) -> Path:
    """Where paths are relative to: the checkout GitHub names, else the working directory."""
    return Path(env.get("GITHUB_WORKSPACE") or os.getcwd())


def ordered(findings: Iterable[Finding]) -> list[Finding]:
    """Unsuppressed findings, most severe first, then in file order."""
    return sorted((f for f in findings if f.suppressed is None), key=lambda f: -f.severity)


def place(finding: Finding) -> dict[str, int]:
    """The annotation's position properties, by the toolkit's rules (see the module's docstring)."""
    if finding.end_line == finding.line:
        return {"line": finding.line, "col": finding.column, "endColumn": finding.end_column}
    if finding.anchored:
        return {"line": finding.line}
    return {"line": finding.line, "endLine": finding.end_line}


def command(finding: Finding, root: Path) -> str:
    properties = {
        "file": relative_file(finding.file, root),
        **place(finding),
        "title": f"{finding.rule_id} {finding.name}",
    }
    text = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    return f"::{COMMANDS[finding.severity]} {text}::{escape_data(finding.shown_message)}"


def error_command(error: FileError, root: Path) -> str:
    where = f"file={escape_property(relative_file(error.file, root))}"
    if error.line:
        where += f",line={error.line}"
    return f"::error {where},title=cfncheck::{escape_data(error.message)}"


def render(result: Outcome, root: Path) -> str:
    lines = [error_command(e, root) for e in result.errors]
    lines += [command(f, root) for f in ordered(result.findings)]
    return "\n".join(lines) + ("\n" if lines else "")


def not_annotated(result: Outcome) -> int:
    """How many commands of this run GitHub will not show as annotations."""
    counts = {kind: 0 for kind in COMMANDS.values()}
    counts["error"] += len(result.errors)
    for finding in result.findings:
        if finding.suppressed is None:
            counts[COMMANDS[finding.severity]] += 1
    return sum(max(0, n - ANNOTATIONS_PER_KIND) for n in counts.values())


def _cell(text: str) -> str:
    return escape(text, Where.MARKDOWN)


def _code(text: str) -> str:
    return f"`{escape(text, Where.MARKDOWN_CODE)}`"


def _link(file: str, line: int, env: Mapping[str, str]) -> str:
    label = _code(f"{file}:{line}")
    server, repository, sha = (env.get(k) for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA"))
    if server and repository and sha and not file.startswith(("/", "<")):
        return f"[{label}]({server}/{repository}/blob/{sha}/{escape(file, Where.URI)}#L{line})"
    return label


def summary(result: Outcome, root: Path, env: Mapping[str, str] = os.environ) -> str:
    """The job summary: counts by severity, what the baseline accepted, what was not annotated,
    and every finding."""
    shown = ordered(result.findings)
    counts = {s: sum(1 for f in shown if f.severity == s) for s in sorted(Severity, reverse=True)}
    suppressed = sum(1 for f in result.findings if f.suppressed is not None)
    files = len(result.files)
    headline = f"**{len(shown)} finding{'s' * (len(shown) != 1)}** in {files} file{'s' * (files != 1)}: "
    headline += ", ".join(f"{n} {s}" for s, n in counts.items())
    if suppressed:
        headline += f"; {suppressed} suppressed"
    lines = ["## cfncheck", "", headline]
    if result.errors:
        lines += ["", f"**{len(result.errors)} file{'s' * (len(result.errors) != 1)} could not be checked:**", ""]
        lines += [
            f"- {_link(relative_file(e.file, root), e.line or 1, env)}: {_cell(e.message)}" for e in result.errors
        ]
    counted = result.baseline
    if counted:
        lines += ["", f"Baseline: {counted.accepted} known findings accepted, {counted.fixed} entries fixed."]
    hidden = not_annotated(result)
    if hidden:
        lines += [
            "",
            f"> GitHub shows at most {ANNOTATIONS_PER_KIND} error, {ANNOTATIONS_PER_KIND} warning and "
            f"{ANNOTATIONS_PER_KIND} notice annotations per step: {hidden} of this run are not annotated on the "
            "code. The most severe come first; the table below lists them all.",
        ]
    if shown:
        lines += ["", "| Severity | Check | Where | Message |", "|---|---|---|---|"]
        for finding in shown[:SUMMARY_ROWS]:
            where = _link(relative_file(finding.file, root), finding.line, env)
            if finding.resource:
                where += f" {_code(finding.resource)}"
            check = f"{finding.rule_id} {finding.name}"
            lines.append(f"| {finding.severity} | {check} | {where} | {_cell(finding.shown_message)} |")
        if len(shown) > SUMMARY_ROWS:
            lines += ["", f"… and {len(shown) - SUMMARY_ROWS} more (see the step log or the SARIF file)."]
    return "\n".join(lines) + "\n"
