"""What a run shows: the engine's findings settled by the one post-run pipeline.

For each deploy region: scenarios that differ in one condition are joined, and the templates'
suppressions applied. Then the regions are merged (a finding of only some says which) and put in
the order of the files, the configured severities replace the checks' own, and the baseline
accepts the findings it lists.
The command line and ``cfncheck.testing`` both end a run here, so a plugin's tests see what
users see.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from . import baseline, shards, suppress
from .catalog import Check
from .findings import Finding, Severity
from .result import FileError, RunResult
from .shards import Part
from .values import Scenario

if TYPE_CHECKING:
    from .session import Session


@dataclass(frozen=True)
class BaselineCount:
    accepted: int  # findings the baseline accepts
    fixed: int  # baseline entries no finding matched: fixed since the baseline was written

    def as_dict(self) -> dict:
        return {"accepted": self.accepted, "fixed": self.fixed}


@dataclass(frozen=True)
class Outcome:
    """The files of a run, its findings as the user sees them, and what could not be checked."""

    files: list[str]
    findings: list[Finding]
    errors: list[FileError]
    internal_errors: int
    rules: list[Check]  # the checks that ran, and the engine's that reported; configured severities
    baseline: BaselineCount | None = None  # with a baseline compared
    timings: dict[str, float] = field(default_factory=lambda: defaultdict(float), compare=False)  # wall s per phase
    cpu: dict[str, float] = field(default_factory=lambda: defaultdict(float), compare=False)  # CPU s per phase
    notices: tuple[str, ...] = ()  # old ids the suppressions or the baseline use; baseline entries fixed
    part: Part | None = None  # a shard's: where its files go in the whole run, for ``merge``

    def status(self, problems: list[str], fail_on: str) -> int:
        """The exit status of the run: 2 when a file could not be checked, a check failed or there
        were ``problems`` (a plugin, an output file); else 1 when an unsuppressed finding is at or
        above ``fail_on``; else 0."""
        if self.errors or self.internal_errors or problems:
            return 2
        if fail_on != "none":
            threshold = Severity.parse(fail_on)
            if any(f.severity >= threshold for f in self.findings if f.suppressed is None):
                return 1
        return 0


def settle(session: Session, results: list[RunResult], members: frozenset[str] | None = None) -> Outcome:
    """The outcome of the runs of a session, one per environment and deploy region in the order of
    ``session.run_labels``; ``members``: the files of the session's shard, when it has one.

    Raises ``baseline.BaselineError`` when the session's baseline cannot be read."""
    findings = _in_file_order(
        merge_regions([_one_region(session, result) for result in results], session.run_labels), results[0].files
    )
    findings = [
        replace(f, severity=session.severities[f.rule_id]) if f.rule_id in session.severities else f for f in findings
    ]
    catalog = session.catalog
    announced = set(session.config.aliases_used)  # the command line told the user about these already
    notices = {
        old: catalog.alias_notice(old)
        for result in results
        for old in suppress.aliases(result.suppressions, catalog) - announced
    }
    first = results[0]
    files = [*first.files, *(error.file for error in session.missing)]
    count = None
    if session.baseline:
        keep = None if members is None else shards.entries(session.shard, members, files, session.baseline)
        findings, accepted, fixed, listed = baseline.apply(findings, session.baseline, catalog.formerly(), keep)
        count = BaselineCount(accepted, fixed)
        for old in listed - announced - notices.keys():
            notices[old] = catalog.alias_notice(old, f"rewrite the baseline with --write-baseline {session.baseline}")
    errors = list(enumerate([*session.missing, *first.errors]))
    part = None
    if members is not None:
        errors = [(index, error) for index, error in errors if error.file in members]
        fail_on = session.config["fail-on"]
        part = shards.part(session.shard, files, len(session.missing), errors, session.digest, fail_on)
        files = [name for name in files if name in members]
    timings, cpu = defaultdict(float), defaultdict(float)
    for result in results:
        for phase, seconds in result.timings.items():
            timings[phase] += seconds
        for phase, seconds in result.cpu.items():
            cpu[phase] += seconds
    return Outcome(
        files=files,
        findings=findings,
        errors=[error for _, error in errors],
        internal_errors=sum(result.internal_errors for result in results),
        rules=_rules(session, findings),
        baseline=count,
        timings=timings,
        cpu=cpu,
        notices=(*(notices[old] for old in sorted(notices)), *_fixed(session, count)),
        part=part,
    )


def _fixed(session: Session, count: BaselineCount | None) -> list[str]:
    """The line that says how many baseline entries no finding matched any more, and how to drop them."""
    if not count or not count.fixed:
        return []
    many = count.fixed != 1
    return [
        f"{count.fixed} baseline entr{'ies' if many else 'y'} fixed; "
        f"drop {'them' if many else 'it'} with --write-baseline {session.baseline}"
    ]


def _one_region(session: Session, result: RunResult) -> list[Finding]:
    return suppress.apply(merge_scenarios(result.findings), result.suppressions, session.checks, session.catalog)


def _in_file_order(findings: list[Finding], files: list[str]) -> list[Finding]:
    order = {name: index for index, name in enumerate(files)}
    return sorted(findings, key=lambda f: (order.get(f.file, len(order)), f.sort_key))


def merge_scenarios(findings: list[Finding]) -> list[Finding]:
    """One finding per place and message: scenarios that differ in one condition only are joined."""
    groups: dict[tuple, list[Finding]] = defaultdict(list)
    for finding in findings:
        groups[(finding.rule_id, finding.file, finding.resource, finding.path, finding.message, finding.line)].append(
            finding
        )
    merged: list[Finding] = []
    for group in groups.values():
        scenarios = {Scenario(f.conditions.items()): f for f in group}
        changed = True
        while changed and len(scenarios) > 1:
            changed = False
            keys = list(scenarios)
            for index, first in enumerate(keys):
                for second in keys[index + 1 :]:
                    difference = first ^ second
                    if len(difference) == 2 and len({name for name, _ in difference}) == 1:
                        joined = Scenario(first & second)
                        finding = scenarios.pop(first)
                        scenarios.pop(second)
                        scenarios[joined] = replace(finding, conditions=joined.as_dict())
                        changed = True
                        break
                if changed:
                    break
        merged.extend(scenarios.values())
    return merged


def merge_regions(per_region: list[list[Finding]], regions: list[str | None]) -> list[Finding]:
    """One list for several runs (deploy regions, environments, or both): a finding of only some
    says which (``[in prod, staging]``)."""
    if len(per_region) == 1:
        return per_region[0]
    seen: dict[tuple, tuple[Finding, list]] = {}
    for region, findings in zip(regions, per_region, strict=True):
        for finding in findings:
            key = (
                finding.rule_id,
                finding.file,
                finding.line,
                finding.column,
                finding.message,
                tuple(sorted(finding.conditions.items())),
                finding.iteration,  # the copies of an Fn::ForEach body share its line and message
            )
            seen.setdefault(key, (finding, []))[1].append(region)
    return [
        finding
        if len(where) == len(regions)
        else replace(finding, message=f"{finding.message} [in {', '.join(where)}]")
        for finding, where in seen.values()
    ]


def _rules(session: Session, findings: list[Finding]) -> list[Check]:
    """The checks that ran, and those the engine reported without their being selected, with the
    configured severities (what a SARIF log describes)."""
    configured = session.catalog.configured(session.severities)
    entries = {c.id: configured.find(c.id) or c for c in session.checks}
    for finding in findings:
        if finding.rule_id not in entries:
            entry = configured.find(finding.rule_id)
            if entry is not None:
                entries[entry.id] = entry
    return sorted(entries.values(), key=lambda c: c.id)
