"""SARIF 2.1.0 for code-scanning services (GitHub code scanning and others).

Files are given relative to the repository root (``GITHUB_WORKSPACE``, else the working directory)
under the ``%SRCROOT%`` base, so the service can place them on its own checkout. Each result
carries a fingerprint made of its check, file, resource and property path, never its line, so
a result keeps its identity while unrelated edits move it. Suppressed findings are listed with
their suppression (``inSource`` for template ``Metadata``, ``external`` for a baseline).

A rule has one level, its check's severity as configured, and every result of it that level;
a security rule's ``security-severity`` is in the band GitHub shows for that level (error: high,
warning: medium, note: low). Its tags name the check's theme, whether it is a deploy failure and
``security``; its ``precision`` says how often the check is right. The places a result relates
to are related locations (with the resource they are in), linked from the message text the way
code scanning renders links: ``[the key policy](1)``.
"""

from __future__ import annotations

from pathlib import Path

from .. import __version__
from ..baseline import relative_file, report_fingerprints
from ..catalog import Check
from ..docs import HOME_URL, check_markdown, help_uri
from ..findings import Finding, Location, Severity
from ..outcome import Outcome
from .escape import Where, escape
from .json import dumps

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
ROOT_ID = "%SRCROOT%"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
SECURITY_SEVERITY = {Severity.ERROR: "8.8", Severity.WARNING: "5.5", Severity.INFO: "2.0"}
"""GitHub's bands: over 9.0 critical, 7.0 to 8.9 high, 4.0 to 6.9 medium, 0.1 to 3.9 low."""
DEPLOY_FAILURE = "deploy-failure"
SUPPRESSION_KINDS = {"metadata": "inSource", "baseline": "external"}
SHARD_PROPERTY = "cfncheck/shard"


def tags(entry: Check) -> list[str]:
    """The check's own tags, its theme, and ``deploy-failure`` for what CloudFormation rejects."""
    return sorted({*entry.tags, *filter(None, (entry.theme, DEPLOY_FAILURE if entry.deploy_failure else ""))})


def rule(entry: Check) -> dict:
    properties: dict = {"tags": tags(entry), "precision": entry.precision}
    if "security" in entry.tags:
        properties["security-severity"] = SECURITY_SEVERITY[entry.severity]
    text = check_markdown(entry)
    described = {
        "id": entry.id,
        "name": entry.name,
        "shortDescription": {"text": entry.summary or entry.name},
        "fullDescription": {"text": entry.rationale or entry.name},
        "help": {"text": text, "markdown": text},
        "helpUri": help_uri(entry),
        "defaultConfiguration": {"level": LEVELS[entry.severity]},
        "properties": properties,
    }
    if described["helpUri"] is None:
        del described["helpUri"]
    return described


def _uri(name: str, root: Path) -> dict:
    file = relative_file(name, root)
    if file.startswith("/"):
        return {"uri": Path(file).as_uri()}
    return {"uri": escape(file, Where.URI), "uriBaseId": ROOT_ID}


def _region(line: int, column: int, end_line: int, end_column: int) -> dict:
    # cfncheck's end column is the last character; SARIF's is the one after it.
    return {"startLine": line, "startColumn": column, "endLine": end_line, "endColumn": end_column + 1}


def _physical(file: str, region: dict, root: Path) -> dict:
    return {"physicalLocation": {"artifactLocation": _uri(file, root), "region": region}}


def _logical(resource: str) -> list[dict]:
    return [{"name": resource, "fullyQualifiedName": f"Resources.{resource}", "kind": "resource"}]


def _related(index: int, location: Location, root: Path) -> dict:
    place = _physical(
        location.file,
        _region(location.line, location.column, location.end_line, location.end_column),
        root,
    )
    if location.resource:
        place["logicalLocations"] = _logical(location.resource)
    return {"id": index, **place, "message": {"text": location.message or "related"}}


def message_text(finding: Finding) -> str:
    """The message, with a link to each related location (``[what is there](id)``), which code
    scanning shows as a link to that place."""
    if not finding.related:
        return finding.shown_message
    links = ", ".join(f"[{_linked(place.message or 'related')}]({i})" for i, place in enumerate(finding.related, 1))
    return f"{_linked(finding.shown_message)} Related: {links}."


def _linked(text: str) -> str:
    return escape(text, Where.SARIF_LINKED)


def result_object(finding: Finding, rule_index: int, fingerprint: str, root: Path) -> dict:
    message = message_text(finding)
    location = _physical(
        finding.file, _region(finding.line, finding.column, finding.end_line, finding.end_column), root
    )
    if finding.resource:
        location["logicalLocations"] = _logical(finding.resource)
    result: dict = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": message},
        "locations": [location],
        "partialFingerprints": {"cfncheck/v1": fingerprint},
    }
    if finding.related:
        result["relatedLocations"] = [_related(i, loc, root) for i, loc in enumerate(finding.related, 1)]
    if finding.conditions or finding.iteration:
        result["properties"] = {
            **({"conditions": dict(finding.conditions)} if finding.conditions else {}),
            **({"iteration": dict(finding.iteration)} if finding.iteration else {}),
        }
    if finding.suppressed is not None:
        kind = SUPPRESSION_KINDS.get(finding.suppressed_by or "", "external")
        result["suppressions"] = [{"kind": kind, "justification": finding.suppressed}]
    return result


def document(result: Outcome, root: str | Path) -> dict:
    root = Path(root).resolve()
    rules = result.rules
    index = {entry.id: i for i, entry in enumerate(rules)}
    results = [
        result_object(finding, index[finding.rule_id], mark, root)
        for finding, mark in zip(result.findings, report_fingerprints(result.findings, root), strict=True)
    ]
    notifications = [
        {
            "level": "error",
            "message": {"text": error.message},
            "locations": [_physical(error.file, {"startLine": error.line or 1, "startColumn": 1}, root)],
        }
        for error in result.errors
    ]
    invocation = {
        "executionSuccessful": not result.errors and not result.internal_errors,
        "toolExecutionNotifications": notifications,
    }
    driver = {
        "name": "cfncheck",
        "version": __version__,
        "semanticVersion": __version__,
        "informationUri": HOME_URL,
        "rules": [rule(entry) for entry in rules],
    }
    run = {
        "tool": {"driver": driver},
        "originalUriBaseIds": {ROOT_ID: {"uri": root.as_uri().rstrip("/") + "/"}},
        "columnKind": "unicodeCodePoints",
        "invocations": [invocation],
        "results": results,
    }
    part = result.part
    if part is not None:  # what ``merge`` reads and leaves out
        ranks = {"results": [part.rank(f.file) for f in result.findings], "notifications": list(part.error_ranks)}
        run["properties"] = {SHARD_PROPERTY: part.as_dict(result.internal_errors, **ranks)}
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


def render(result: Outcome, root: str | Path) -> str:
    return dumps(document(result, root))
