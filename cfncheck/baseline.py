"""Baselines: adopt cfncheck on a repository with old findings by recording them once and then
reporting only new ones.

A finding is identified by its check, file, resource and property path, never by its line, so
edits elsewhere in a template do not turn old findings into new ones. Identical identities are
counted: a baseline with two findings of a kind accepts two, and reports a third.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType

from .findings import Finding
from .inputs import MAX_GENERATED_BYTES, InputError, read_json
from .output_files import write_text

FORMAT_VERSION = 1


class BaselineError(Exception):
    pass


def relative_file(name: str, root: str | os.PathLike) -> str:
    """``name`` relative to ``root`` with forward slashes; unchanged when it is outside ``root``."""
    if name.startswith("<"):
        return name
    try:
        relative = os.path.relpath(os.path.abspath(name), os.path.abspath(root))
    except ValueError:  # another drive on Windows
        return Path(name).as_posix()
    if relative.startswith(".."):
        return Path(os.path.abspath(name)).as_posix()
    return Path(relative).as_posix()


def baseline_file(name: str, root: Path) -> str:
    """A file as the baseline names it: relative to the baseline's folder, even when outside it,
    so the baseline keeps working from any working directory."""
    if name.startswith("<"):
        return name
    return Path(os.path.relpath(os.path.abspath(name), root)).as_posix()


def identity(finding: Finding, file: str, rule_id: str | None = None) -> str:
    """What stays the same while a finding is not fixed: check, file, resource, property path."""
    path = ".".join(str(part) for part in finding.path)
    return f"{rule_id or finding.rule_id}|{file}|{finding.resource or ''}|{path}"


def fingerprint(finding: Finding, file: str, rule_id: str | None = None) -> str:
    """The hash of the finding's identity (``rule_id``: as if it were reported under that id). A
    file name that is not UTF-8 keeps its bytes as surrogates: they are hashed as those bytes."""
    return hashlib.sha256(identity(finding, file, rule_id).encode("utf-8", "surrogateescape")).hexdigest()[:32]


def report_fingerprints(findings: Iterable[Finding], root: str | os.PathLike) -> list[str]:
    """A fingerprint for each finding that is unique within a report (SARIF, GitLab Code Quality):
    the findings of one identity are numbered in file order, files relative to ``root``."""
    seen: Counter = Counter()
    marks = []
    for finding in findings:
        mark = fingerprint(finding, relative_file(finding.file, root))
        seen[mark] += 1
        marks.append(f"{mark}:{seen[mark]}")
    return marks


def write(findings: list[Finding], path: str | os.PathLike) -> int:
    """Record the unsuppressed findings; returns how many were written. Raises OutputError."""
    root = Path(path).resolve().parent
    entries = []
    for finding in findings:
        if finding.suppressed is None:
            file = baseline_file(finding.file, root)
            entries.append(
                {
                    "fingerprint": fingerprint(finding, file),
                    "rule_id": finding.rule_id,
                    "file": file,
                    "resource": finding.resource,
                    "path": ".".join(str(p) for p in finding.path),
                    "message": finding.message,
                }
            )
    entries.sort(key=lambda e: (e["file"], e["rule_id"], e["resource"] or "", e["path"]))
    document = {"tool": "cfncheck", "version": FORMAT_VERSION, "findings": entries}
    write_text(path, json.dumps(document, indent=2) + "\n")  # whole or not at all: the old one survives a failure
    return len(entries)


def read(path: str | os.PathLike, keep: Callable[[str], bool] | None = None) -> Counter:
    """The fingerprints a baseline file accepts, with how many findings of each (of the entries whose
    file ``keep`` keeps, when given)."""
    try:
        document = read_json(path, MAX_GENERATED_BYTES)
    except OSError as err:
        raise BaselineError(f"{path}: cannot read baseline: {err.strerror or err}") from None
    except InputError as err:
        raise BaselineError(f"{path}: baseline {err}") from None
    listed = document.get("findings") if isinstance(document, dict) else None
    if not isinstance(listed, list) or not all(isinstance(e, dict) and "fingerprint" in e for e in listed):
        raise BaselineError(f"{path}: not a cfncheck baseline (write one with --write-baseline)")
    return Counter(str(e["fingerprint"]) for e in listed if keep is None or keep(str(e.get("file"))))


def apply(
    findings: list[Finding],
    path: str | os.PathLike,
    formerly: Mapping[str, tuple[str, ...]] = MappingProxyType({}),
    keep: Callable[[str], bool] | None = None,
) -> tuple[list[Finding], int, int, set[str]]:
    """The findings with those the baseline at ``path`` accepts marked as suppressed (externally),
    how many it accepted, how many of its entries no finding matched (fixed since), and the old ids
    under which it accepted findings now reported under another (``formerly``: each id, the ids
    its findings were reported under before; see ``Catalog.formerly``). ``keep``: which entries
    to compare, by their file (a shard's), else all."""
    accepted = read(path, keep)
    root = Path(path).resolve().parent
    justification = f"accepted in baseline {Path(path).name}"
    marked, matched, old_ids = [], 0, set()
    for finding in findings:
        if finding.suppressed is None:
            file = baseline_file(finding.file, root)
            for rule_id in (finding.rule_id, *formerly.get(finding.rule_id, ())):
                key = fingerprint(finding, file, rule_id)
                if accepted[key] > 0:
                    accepted[key] -= 1
                    matched += 1
                    if rule_id != finding.rule_id:
                        old_ids.add(rule_id)
                    finding = replace(finding, suppressed=justification, suppressed_by="baseline")
                    break
        marked.append(finding)
    return marked, matched, sum(accepted.values()), old_ids
