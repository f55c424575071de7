"""Suppressions written in the template, applied to the findings of a run before they are reported.

A resource's ``Metadata: {cfncheck: {ignore: [...]}}`` silences findings on that resource; the same
under the template's top-level ``Metadata`` silences them in the whole file. An entry is a check id
or name, or ``{id: ..., reason: ...}``. A suppressed finding is kept, with ``Finding.suppressed`` set
to the reason, so JSON and SARIF can still show it; text output hides it.

Suppressions that say nothing about why, or that no longer match any finding, are reported
themselves (as info) so that stale ignores get cleaned up.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from .catalog import SUPPRESSION_UNUSED, SUPPRESSION_WITHOUT_REASON, Catalog, Check, Scope
from .findings import Finding, Location
from .template import Template

NO_REASON = "no reason given"


@dataclass(frozen=True)
class Suppression:
    """One entry of a ``Metadata.cfncheck.ignore`` list, kept without its template (a run frees
    each template once checked; its suppressions are applied after the run)."""

    selector: str
    reason: str | None
    resource: str | None  # None: the whole template
    path: tuple  # where the entry is written, from the template root
    where: Location  # the entry's place, for a finding about it

    def covers(self, finding: Finding, ids: frozenset[str]) -> bool:
        """Whether the entry silences ``finding``; ``ids``: the checks its selector names."""
        return (
            finding.rule_id in ids
            and finding.file == self.where.file
            and (self.resource is None or finding.resource == self.resource)
        )


def read(template: Template) -> list[Suppression]:
    """The suppressions a template declares, at template level and on each resource."""
    found = _entries(template.root.get("Metadata"), template, None, ("Metadata",))
    for resource in template.resources.values():
        found += _entries(resource.metadata, template, resource.logical_id, resource.path + ("Metadata",))
    return found


def _entries(metadata, template: Template, resource: str | None, path: tuple) -> list[Suppression]:
    section = metadata.get("cfncheck") if isinstance(metadata, dict) else None
    ignore = section.get("ignore") if isinstance(section, dict) else None
    if isinstance(ignore, str):
        ignore = [ignore]
    if not isinstance(ignore, list):
        return []
    found = []
    for index, item in enumerate(ignore):
        where = path + ("cfncheck", "ignore", index)
        if isinstance(item, str):
            selector, reason = item, None
        elif isinstance(item, dict) and isinstance(item.get("id"), str):
            text = item["reason"].strip() if isinstance(item.get("reason"), str) else ""
            selector, reason = item["id"], text or None
        else:
            continue
        mark = template.locate(where)
        location = Location(template.file, mark.line, mark.column, mark.end_line, mark.end_column)
        found.append(Suppression(selector, reason, resource, where, location))
    return found


def apply(
    findings: list[Finding], suppressions: list[Suppression], checks: Iterable[Check], catalog: Catalog
) -> list[Finding]:
    """The findings with those the suppressions cover marked, and the findings about the
    suppressions (``checks``: those that ran)."""
    if not suppressions:
        return findings
    named = [catalog.resolve(suppression.selector).ids for suppression in suppressions]
    used: set[int] = set()
    marked = []
    for finding in findings:
        if finding.suppressed is None:
            for index, suppression in enumerate(suppressions):
                if suppression.covers(finding, named[index]):
                    used.add(index)
                    finding = replace(finding, suppressed=suppression.reason or NO_REASON, suppressed_by="metadata")
                    break
        marked.append(finding)
    ran = list(checks)
    selected = {c.id for c in ran}
    for index, suppression in enumerate(suppressions):
        if SUPPRESSION_WITHOUT_REASON.id in selected and suppression.reason is None:
            message = f"Say why {suppression.selector} is suppressed: add a reason."
            marked.append(_finding(SUPPRESSION_WITHOUT_REASON, suppression, message))
        if SUPPRESSION_UNUSED.id in selected and index not in used:
            message = _unused_message(suppression, ran, catalog)
            if message:
                marked.append(_finding(SUPPRESSION_UNUSED, suppression, message))
    return marked


def aliases(suppressions: Iterable[Suppression], catalog: Catalog) -> set[str]:
    """The old ids (aliases of several ids, see ``Catalog.aliases``) that suppressions name."""
    return {alias for suppression in suppressions if (alias := catalog.resolve(suppression.selector).alias)}


def _unused_message(suppression: Suppression, ran: list[Check], catalog: Catalog) -> str | None:
    where = f"resource {suppression.resource}" if suppression.resource else "this template"
    ids = catalog.resolve(suppression.selector).ids
    if any(c.id in ids for c in ran if c.scope != Scope.SUPPRESSION):
        return f"Remove the suppression of {suppression.selector}: it matches no finding on {where}."
    if ids:
        return None  # the check did not run, so whether it would still fire is unknown
    hint = catalog.nearest(suppression.selector)
    suggestion = f" (did you mean {hint}?)" if hint else ""
    return f"Fix or remove the suppression of {suppression.selector}: no check has this id or name{suggestion}."


def _finding(entry: Check, suppression: Suppression, message: str) -> Finding:
    where = suppression.where
    return Finding(
        rule_id=entry.id,
        name=entry.name,
        severity=entry.severity,
        file=where.file,
        line=where.line,
        column=where.column,
        end_line=where.end_line,
        end_column=where.end_column,
        resource=suppression.resource,
        path=suppression.path[2:] if suppression.resource else suppression.path,
        message=message,
    )
