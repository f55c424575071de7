"""Differential check against cfn-lint: the errors only one of the two tools reports.

A development tool, never a runtime dependency: cfn-lint (the version pinned in ``CFN_LINT_VERSION``)
lives in an environment of its own, e.g.

    python3 -m venv /work/cfnlint-venv && /work/cfnlint-venv/bin/pip install cfn-lint==1.58.0
    .venv/bin/python tools/differential.py --cfn-lint /work/cfnlint-venv/bin/cfn-lint

Both tools run over the corpora (default ``../shared/corpus`` and ``../shared/corpus2``). A
disagreement is an error at a template line that one tool reports and the other does not:
cfncheck's error-severity findings, and cfn-lint's ``E`` rules. Each disagreement is looked up
in the judged list (``tools/differential/judged.tsv``: template, line, side, rule, verdict,
reason); the run prints the disagreements not judged yet, and the judged ones that no longer
occur, and exits 1 when there are new ones. ``--counts`` prints the verdicts per side.

cfn-lint is slow (about a second a template): its results are cached per file content and
cfn-lint version in ``.cache/differential/`` so that a second run lints only what changed.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import csv
import hashlib
import json
import os
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CFN_LINT_VERSION = "1.58.0"
JUDGED = ROOT / "tools" / "differential" / "judged.tsv"
CACHE = ROOT / ".cache" / "differential"
CORPORA = (ROOT.parent / "shared" / "corpus", ROOT.parent / "shared" / "corpus2")
SUFFIXES = (".yaml", ".yml", ".json", ".template")
COLUMNS = ("template", "line", "side", "rule", "verdict", "reason")
VERDICTS = {
    "cfncheck": ("true", "false"),  # a cfncheck-only error: the template really fails, or our false error
    "cfn-lint": ("real", "pedantry"),  # a cfn-lint-only error: a real deploy failure we miss, or not one
}


@dataclass(frozen=True, order=True)
class Error:
    template: str  # relative to the corpora's parent folder: corpus/…, corpus2/…
    line: int
    side: str  # "cfncheck" or "cfn-lint"
    rule: str
    message: str = ""
    anchor: str = ""  # the resource (or output, parameter…) it is about, to pair reports a few lines apart

    @property
    def key(self) -> tuple[str, int, str, str]:
        return (self.template, self.line, self.side, self.rule)


def templates(corpora: list[Path]) -> list[Path]:
    found = []
    for corpus in corpora:
        for root, dirs, files in os.walk(corpus):
            dirs.sort()
            found += [Path(root) / name for name in sorted(files) if name.endswith(SUFFIXES)]
    return found


def relative(path: str | Path, corpora: list[Path]) -> str:
    path = Path(path).resolve()
    for corpus in corpora:
        base = corpus.resolve().parent
        if path.is_relative_to(base):
            return str(path.relative_to(base))
    return str(path)


# -- cfn-lint ------------------------------------------------------------------------------


def cfn_lint_version(executable: str) -> str:
    out = subprocess.run([executable, "--version"], capture_output=True, text=True, check=True).stdout
    return out.split()[-1]


def _cache_file(path: Path, version: str) -> Path:
    digest = hashlib.sha256(path.read_bytes() + version.encode()).hexdigest()
    return CACHE / f"cfn-lint-{version}" / digest[:2] / f"{digest}.json"


def _lint_batch(executable: str, paths: list[Path]) -> dict[str, list[dict]]:
    """cfn-lint's matches per file, for files linted in one process (its start-up is slow)."""
    command = [executable, "--format", "json", "--non-zero-exit-code", "none", "--", *map(str, paths)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    try:
        matches = json.loads(done.stdout or "[]")
    except json.JSONDecodeError:
        if len(paths) == 1:  # cfn-lint itself crashed on this file: record it as its own kind of match
            return {str(paths[0]): [{"Rule": {"Id": "CRASH"}, "Level": "Error", "Message": done.stderr[-300:]}]}
        half = len(paths) // 2
        return {**_lint_batch(executable, paths[:half]), **_lint_batch(executable, paths[half:])}
    by_file: dict[str, list[dict]] = {str(p): [] for p in paths}
    for match in matches:
        by_file.setdefault(match["Filename"], []).append(match)
    return by_file


def run_cfn_lint(executable: str, paths: list[Path], jobs: int) -> dict[Path, list[dict]]:
    version = cfn_lint_version(executable)
    if version != CFN_LINT_VERSION:
        print(f"differential: cfn-lint {version} is not the pinned {CFN_LINT_VERSION}", file=sys.stderr)
    results: dict[Path, list[dict]] = {}
    todo = []
    for path in paths:
        cached = _cache_file(path, version)
        if cached.exists():
            results[path] = json.loads(cached.read_text())
        else:
            todo.append(path)
    if todo:
        print(
            f"differential: cfn-lint {version} on {len(todo)} templates (cached: {len(paths) - len(todo)})",
            file=sys.stderr,
        )
    batches = [todo[i : i + 25] for i in range(0, len(todo), 25)]
    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        for batch, found in zip(batches, pool.map(lambda b: _lint_batch(executable, b), batches), strict=True):
            for path in batch:
                matches = found.get(str(path), [])
                results[path] = matches
                cached = _cache_file(path, version)
                cached.parent.mkdir(parents=True, exist_ok=True)
                cached.write_text(json.dumps(matches))
    return results


# -- cfncheck --------------------------------------------------------------------------------


def run_cfncheck(corpora: list[Path], executable: str | None = None) -> dict:
    """This repository's cfncheck (or another installed one, to compare versions) on the corpora."""
    command = [executable] if executable else [sys.executable, "-m", "cfncheck"]
    command += ["--format", "json", "--fail-on", "none", *map(str, corpora)]
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
    return json.loads(done.stdout)


# -- the comparison --------------------------------------------------------------------------


def errors_of(report: dict, lint: dict[Path, list[dict]], corpora: list[Path]) -> list[Error]:
    """Every error of both tools: cfncheck's error findings and unreadable files, cfn-lint's E rules."""
    found = []
    for finding in report["findings"]:
        if finding["severity"] == "error" and not finding.get("suppressed"):
            anchor = finding["resource"] or "/".join(map(str, finding["path"][:2]))
            found.append(
                Error(
                    relative(finding["file"], corpora),
                    finding["line"],
                    "cfncheck",
                    finding["rule_id"],
                    finding["message"],
                    anchor,
                )
            )
    for error in report["errors"]:
        found.append(Error(relative(error["file"], corpora), error["line"] or 1, "cfncheck", "LOAD", error["message"]))
    for path, matches in lint.items():
        for match in matches:
            rule = match["Rule"]["Id"]
            if rule.startswith("E") or rule == "CRASH":
                location = match.get("Location", {})
                line = location.get("Start", {}).get("LineNumber", 1)
                where = location.get("Path") or []
                anchor = str(where[1]) if len(where) > 1 and where[0] == "Resources" else "/".join(map(str, where[:2]))
                message = " ".join(match["Message"].split())
                found.append(Error(relative(path, corpora), line, "cfn-lint", rule, message, anchor))
    return found


SAME_PROBLEM = {
    "E0000": {"CFN002", "LOAD"},  # not parsed (or a duplicate key): cfncheck's load error or duplicate key
    "E1001": {"LOAD", "CFN014"},  # the template's structure
    "E3004": {"CFN004"},  # a dependency cycle, which each tool reports on a different member
    "E3045": {"S3009"},  # a bucket ACL without ownership controls: on the bucket, or on its AccessControl
    "E3710": {"CFN047"},  # a type of a service AWS has shut down: on the resource, or on its Properties
}
"""cfn-lint rules and the cfncheck rules that report the same problem of a file at other lines."""
NEARBY = 3
"""Lines apart at which two reports about the same resource are taken for the same problem (one
tool marks the key, the other the value or the function inside it)."""


def disagreements(errors: list[Error]) -> list[Error]:
    """The errors that the other tool reports nothing like: no error at the same line of the
    template, nor one about the same resource a few lines away."""
    lines: dict[str, set[tuple[str, int]]] = {}
    anchored: dict[str, dict[tuple[str, str], list[int]]] = {}
    for error in errors:
        lines.setdefault(error.side, set()).add((error.template, error.line))
        if error.anchor:
            anchored.setdefault(error.side, {}).setdefault((error.template, error.anchor), []).append(error.line)
    rules = {(error.template, error.rule) for error in errors}
    other = {"cfncheck": "cfn-lint", "cfn-lint": "cfncheck"}
    unique = {}
    for error in sorted(errors):
        side = other[error.side]
        if (error.template, error.line) in lines.get(side, set()):
            continue
        if any((error.template, rule) in rules for rule in _same_problem(error.rule)):
            continue
        near = anchored.get(side, {}).get((error.template, error.anchor), []) if error.anchor else []
        if any(abs(line - error.line) <= NEARBY for line in near):
            continue
        unique.setdefault(error.key, error)  # one row per rule at a line, whatever the messages
    return list(unique.values())


def _same_problem(rule: str) -> set[str]:
    """The other tool's rules that report the same problem as ``rule`` somewhere in the file."""
    if rule in SAME_PROBLEM:
        return SAME_PROBLEM[rule]
    return {lint for lint, ours in SAME_PROBLEM.items() if rule in ours}


def read_judged(path: Path) -> dict[tuple[str, int, str, str], dict]:
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    judged = {}
    for row in rows:
        side = row["side"]
        if row["verdict"] not in VERDICTS.get(side, ()):
            raise SystemExit(f"{path}: verdict {row['verdict']!r} of {side} must be one of {VERDICTS.get(side)}")
        judged[(row["template"], int(row["line"]), side, row["rule"])] = row
    return judged


def write_judged(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = sorted(rows, key=lambda r: (r["side"], r["template"], int(r["line"]), r["rule"]))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, COLUMNS, delimiter="\t", lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def counts(found: list[Error], judged: dict, everything: list[Error]) -> str:
    """The verdicts per side, and how many of cfn-lint's errors cfncheck also reports (one per
    rule and line, as the disagreements are counted)."""
    tally: Counter = Counter()
    for error in found:
        row = judged.get(error.key)
        tally[(error.side, row["verdict"] if row else "not judged")] += 1
    lines = []
    for side, verdicts in VERDICTS.items():
        parts = [f"{verdict} {tally[(side, verdict)]}" for verdict in (*verdicts, "not judged")]
        lines.append(f"{side}-only errors: " + ", ".join(parts))
    linted = {error.key for error in everything if error.side == "cfn-lint"}
    alone = {error.key for error in found if error.side == "cfn-lint"}
    lines.append(f"cfn-lint errors cfncheck also reports: {len(linted - alone)} of {len(linted)}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cfn-lint", default=os.environ.get("CFN_LINT", "/work/cfnlint-venv/bin/cfn-lint"))
    parser.add_argument("--corpus", action="append", type=Path, help="a folder of templates (repeatable)")
    parser.add_argument("--judged", type=Path, default=JUDGED, help="the judged disagreements (TSV)")
    parser.add_argument(
        "--cfncheck", help="a cfncheck command to compare instead of this repository's (e.g. a release)"
    )
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--counts", action="store_true", help="print the verdicts per side")
    parser.add_argument(
        "--pending",
        type=Path,
        help="write the disagreements not judged yet to this TSV (verdict and reason empty), to judge and merge",
    )
    parser.add_argument("--gone", action="store_true", help="also list the judged rows that no longer occur")
    parser.add_argument(
        "--list",
        choices=sorted({v for vs in VERDICTS.values() for v in vs}),
        help="list the judged disagreements of this verdict that still occur",
    )
    parser.add_argument("--prune", action="store_true", help="drop judged rows that no longer occur")
    args = parser.parse_args(argv)
    corpora = args.corpus or list(CORPORA)
    lint = run_cfn_lint(args.cfn_lint, templates(corpora), args.jobs)
    report = run_cfncheck(corpora, args.cfncheck)
    everything = errors_of(report, lint, corpora)
    found = disagreements(everything)
    judged = read_judged(args.judged)
    new = [error for error in found if error.key not in judged]
    present = {error.key for error in found}
    gone = [row for key, row in judged.items() if key not in present]
    for error in new:
        print(f"new\t{error.side}\t{error.template}:{error.line}\t{error.rule}\t{error.message[:200]}")
    for key in sorted(present & judged.keys()) if args.list else ():
        row = judged[key]
        if row["verdict"] == args.list:
            print(f"{row['verdict']}\t{row['side']}\t{row['template']}:{row['line']}\t{row['rule']}\t{row['reason']}")
    for row in gone if args.gone else ():
        print(f"gone\t{row['side']}\t{row['template']}:{row['line']}\t{row['rule']}\t{row['verdict']}: {row['reason']}")
    if args.pending:
        rows = [
            {"template": e.template, "line": e.line, "side": e.side, "rule": e.rule, "verdict": "", "reason": e.message}
            for e in new
        ]
        write_judged(args.pending, rows)
    if args.prune and gone:
        write_judged(args.judged, [row for key, row in judged.items() if key in present])
    if args.counts:
        print(counts(found, judged, everything))
    print(f"differential: {len(found)} disagreements, {len(new)} new, {len(gone)} judged ones gone", file=sys.stderr)
    return 1 if new else 0


if __name__ == "__main__":
    sys.exit(main())
