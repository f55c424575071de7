"""``cfncheck merge``: the JSON reports or SARIF logs of the shards of one run (``--shard K/N``) put
together into the report one run over every template would have written, byte for byte.

Each file of a template is in one shard, with all its findings and errors, in the run's order;
a shard records where its files go in the run (``shards.Part``), so the merge interleaves the
shards' entries by that rank, keeping each shard's own order, and counts again. SARIF rules are
the union of the shards' (each lists the checks that ran and those the engine reported), by id,
as one run lists them; each result's ``ruleIndex`` points into that list.

The merge refuses files it cannot trust to be parts of one run: not a shard's report, another
cfncheck version, another run (other files) or configuration, shards missing or given twice.

Exit status, as one run over everything with the shards' ``--fail-on`` (or the merge's): 2 when
a file could not be checked or a check failed in any shard, else 1 when an unsuppressed finding
is at or above the threshold, else 0; that is the worst of the shards' statuses.
"""

from __future__ import annotations

import json
from operator import itemgetter
from pathlib import Path

from . import __version__
from .findings import Severity
from .report.json import dumps
from .report.sarif import LEVELS, SHARD_PROPERTY

_SEVERITIES = {level: severity for severity, level in LEVELS.items()}


class MergeError(Exception):
    """A file that is not a shard's report, or shards that are not the parts of one run."""


def merge(reports: list[tuple[str, bytes]], expected: str | None = None, fail_on: str | None = None) -> tuple[str, int]:
    """The report of the whole run from its shards' ``reports`` (name, bytes), and its exit status.
    ``expected``: the format they must be (json or sarif); ``fail_on``: the threshold, else the
    shards'. Raises ``MergeError``."""
    documents = [(name, _document(name, data)) for name, data in reports]
    kinds = {name: "sarif" if "runs" in document else "json" for name, document in documents}
    first = documents[0][0]
    for name, kind in kinds.items():
        if kind != (expected or kinds[first]):
            raise MergeError(f"{name} is {kind}, not {expected or kinds[first]}: merge reports of one format")
    merged = _merge_sarif if kinds[first] == "sarif" else _merge_json
    try:
        parts = [(name, _part(name, document, kinds[first])) for name, document in documents]
        _same_run(parts)
        text, failed, severities = merged([document for _, document in documents], [part for _, part in parts])
        threshold = fail_on or parts[0][1]["fail_on"]
        failing = threshold != "none" and any(s >= Severity.parse(threshold) for s in severities)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as err:
        raise MergeError(
            f"a report is malformed ({type(err).__name__}: {err}); merge the files the shards wrote"
        ) from None
    return text, 2 if failed else 1 if failing else 0


def _document(name: str, data: bytes) -> dict:
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        document = None
    if not isinstance(document, dict) or not ("runs" in document or "findings" in document):
        raise MergeError(f"{name}: not a cfncheck JSON report or SARIF log")
    return document


def _part(name: str, document: dict, kind: str) -> dict:
    if kind == "sarif":
        runs = document.get("runs")
        run = runs[0] if isinstance(runs, list) and len(runs) == 1 and isinstance(runs[0], dict) else {}
        version = run.get("tool", {}).get("driver", {}).get("version")
        part = (run.get("properties") or {}).get(SHARD_PROPERTY)
    else:
        version, part = document.get("version"), document.get("shard")
    if not isinstance(part, dict):
        raise MergeError(f"{name}: not the report of a shard (cfncheck --shard K/N writes those)")
    if version != __version__:
        raise MergeError(f"{name}: written by cfncheck {version}, this is {__version__}: run both with one version")
    return part


def _same_run(parts: list[tuple[str, dict]]) -> None:
    """Every shard of one run (same files and configuration), each once."""
    first, expected = parts[0]
    seen: dict[str, str] = {}
    for name, part in parts:
        for key, what in (("run", "templates"), ("configuration", "configuration"), ("fail_on", "--fail-on")):
            if part[key] != expected[key]:
                raise MergeError(f"{name}: a shard of a run with other {what} than {first}")
        index, count = (int(n) for n in part["shard"].split("/"))
        if count != int(expected["shard"].split("/")[1]):
            raise MergeError(f"{name}: shard {part['shard']}, {first} is shard {expected['shard']}")
        if part["shard"] in seen:
            raise MergeError(f"{name}: shard {part['shard']} is {seen[part['shard']]} too")
        seen[part["shard"]] = name
    count = int(expected["shard"].split("/")[1])
    missing = [f"{index}/{count}" for index in range(1, count + 1) if f"{index}/{count}" not in seen]
    if missing:
        raise MergeError(f"shard{'s' * (len(missing) > 1)} {', '.join(missing)} missing: merge every shard of the run")


def _interleaved(lists: list[list], ranks: list[list[int]]) -> list:
    """The entries of every shard in the run's order: by rank, each shard's own order kept (the
    entries of one file are all in one shard)."""
    ranked = [
        (rank, entry)
        for entries, marks in zip(lists, ranks, strict=True)
        for entry, rank in zip(entries, marks, strict=True)
    ]
    return [entry for _, entry in sorted(ranked, key=itemgetter(0))]


def _merge_json(documents: list[dict], parts: list[dict]) -> tuple[str, bool, list[Severity]]:
    def merged(key: str) -> list:
        return _interleaved([d[key] for d in documents], [p["ranks"][key] for p in parts])

    findings, suppressed, errors = merged("findings"), merged("suppressed"), merged("errors")
    summary = documents[0]["summary"]
    by_severity = dict.fromkeys(summary["by_severity"], 0)
    for finding in findings:
        by_severity[finding["severity"]] += 1
    baselines = [d["summary"].get("baseline") for d in documents]
    shown = {
        "version": documents[0]["version"],
        "findings": findings,
        "suppressed": suppressed,
        "errors": errors,
        "summary": {
            "files": sum(d["summary"]["files"] for d in documents),
            "findings": len(findings),
            "errors": len(errors),
            "by_severity": by_severity,
            "suppressed": len(suppressed),
            **({"baseline": _summed(baselines)} if baselines[0] is not None else {}),
        },
    }
    failed = bool(errors) or any(p["internal_errors"] for p in parts)
    return dumps(shown), failed, [Severity.parse(f["severity"]) for f in findings]


def _summed(counts: list[dict]) -> dict:
    return {key: sum(count[key] for count in counts) for key in counts[0]}


def _merge_sarif(documents: list[dict], parts: list[dict]) -> tuple[str, bool, list[Severity]]:
    runs = [document["runs"][0] for document in documents]
    if any(run["originalUriBaseIds"] != runs[0]["originalUriBaseIds"] for run in runs):
        raise MergeError("the shards ran in different folders: their file locations cannot be merged")
    rules = {rule["id"]: rule for run in runs for rule in run["tool"]["driver"]["rules"]}
    order = sorted(rules)
    index = {rule_id: position for position, rule_id in enumerate(order)}
    results = _interleaved([run["results"] for run in runs], [p["ranks"]["results"] for p in parts])
    for result in results:
        result["ruleIndex"] = index[result["ruleId"]]
    notifications = _interleaved(
        [run["invocations"][0]["toolExecutionNotifications"] for run in runs],
        [p["ranks"]["notifications"] for p in parts],
    )
    failed = bool(notifications) or any(p["internal_errors"] for p in parts)
    run = {key: value for key, value in runs[0].items() if key != "properties"}
    run["tool"]["driver"]["rules"] = [rules[rule_id] for rule_id in order]
    run["invocations"] = [{"executionSuccessful": not failed, "toolExecutionNotifications": notifications}]
    run["results"] = results
    unsuppressed = [_SEVERITIES[r["level"]] for r in results if "suppressions" not in r]
    return dumps({**documents[0], "runs": [run]}), failed, unsuppressed


def read_reports(paths: list[str]) -> list[tuple[str, bytes]]:
    """The bytes of each report; raises ``MergeError`` naming one that cannot be read."""
    reports = []
    for path in paths:
        try:
            reports.append((path, Path(path).read_bytes()))
        except OSError as err:
            raise MergeError(f"{path}: cannot read: {err.strerror or err}") from None
    return reports
