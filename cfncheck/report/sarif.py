"""SARIF 2.1.0 for code-scanning services (GitHub code scanning and others).

Files are given relative to the repository root (``GITHUB_WORKSPACE``, else the working directory)
under the ``%SRCROOT%`` base, so the service can place them on its own checkout. Each result
carries a fingerprint made of its check, file, resource and property path, never its line, so
a result keeps its identity while unrelated edits move it. Suppressed findings are listed with
their suppression (``inSource`` for template ``Metadata``, ``external`` for a baseline).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from .. import __version__
from ..baseline import fingerprint, relative_file
from ..catalog import Check
from ..docs import HOME_URL, check_markdown, help_uri
from ..findings import Finding, Location, Severity
from ..outcome import Outcome
from .escape import Where, escape

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
ROOT_ID = "%SRCROOT%"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
SECURITY_SEVERITY = {Severity.ERROR: "8.8", Severity.WARNING: "5.5", Severity.INFO: "2.0"}
"""GitHub's scale: 9.0+ critical, 7.0 high, 4.0 medium, 0.1 low."""
SUPPRESSION_KINDS = {"metadata": "inSource", "baseline": "external"}


def rule(entry: Check) -> dict:
    properties: dict = {"tags": sorted(set(entry.tags))}
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


def _related(index: int, location: Location, root: Path) -> dict:
    place = _physical(
        location.file,
        _region(location.line, location.column, location.end_line, location.end_column),
        root,
    )
    return {"id": index, **place, "message": {"text": location.message or "related"}}


def result_object(finding: Finding, rule_index: int, occurrence: int, root: Path) -> dict:
    message = finding.shown_message
    location = _physical(
        finding.file, _region(finding.line, finding.column, finding.end_line, finding.end_column), root
    )
    if finding.resource:
        location["logicalLocations"] = [
            {"name": finding.resource, "fullyQualifiedName": f"Resources.{finding.resource}", "kind": "resource"}
        ]
    result: dict = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": message},
        "locations": [location],
        "partialFingerprints": {
            "cfncheck/v1": f"{fingerprint(finding, relative_file(finding.file, root))}:{occurrence}"
        },
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
    seen: Counter = Counter()
    results = []
    for finding in result.findings:
        key = (finding.rule_id, finding.file, finding.resource, finding.path)
        seen[key] += 1
        results.append(result_object(finding, index[finding.rule_id], seen[key], root))
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
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": driver},
                "originalUriBaseIds": {ROOT_ID: {"uri": root.as_uri().rstrip("/") + "/"}},
                "columnKind": "unicodeCodePoints",
                "invocations": [invocation],
                "results": results,
            }
        ],
    }


def render(result: Outcome, root: str | Path) -> str:
    return escape(json.dumps(document(result, root), indent=2), Where.JSON) + "\n"
