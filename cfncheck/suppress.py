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
from dataclasses import dataclass

from . import registry
from .findings import INFO, Finding
from .registry import Check, check
from .template import Template

SUPPRESSION = "suppression"
"""Scope of the checks below: selectable like any check, run by this module after the others."""

NO_REASON = "no reason given"


@check(
    "CFN901",
    "suppression-without-reason",
    INFO,
    scope=SUPPRESSION,
    fix="Write the entry as `{id: ID, reason: why this finding does not apply here}`.",
)
def suppression_without_reason():
    """A suppression in Metadata should say why the finding does not apply, so that a reviewer
    can judge it and a later reader knows when it can go."""


@check(
    "CFN902",
    "suppression-unused",
    INFO,
    scope=SUPPRESSION,
    fix="Remove the entry from `Metadata.cfncheck.ignore`.",
)
def suppression_unused():
    """A suppression that matches no finding is stale: the problem was fixed, or the id is
    misspelled. Left in place, it would silently hide the problem if it came back.

    Only suppressions of checks that ran are judged: with ``--select``, an entry for a check
    that was not selected is left alone."""


@dataclass
class Suppression:
    selector: str
    reason: str | None
    template: Template
    resource: str | None  # None: the whole template
    path: tuple  # where the entry is written, from the template root
    used: bool = False

    def covers(self, finding: Finding, entry: Check | None) -> bool:
        return (
            entry is not None
            and finding.file == self.template.file
            and (self.resource is None or finding.resource == self.resource)
            and registry.matches(entry, self.selector)
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
            found.append(Suppression(item, None, template, resource, where))
        elif isinstance(item, dict) and isinstance(item.get("id"), str):
            reason = item.get("reason")
            text = reason.strip() if isinstance(reason, str) else ""
            found.append(Suppression(item["id"], text or None, template, resource, where))
    return found


def apply(findings: list[Finding], templates: Iterable[Template], checks: Iterable[Check]) -> list[Finding]:
    """Mark the findings the templates suppress, and add the findings about the suppressions."""
    suppressions = [s for t in templates for s in read(t)]
    if not suppressions:
        return findings
    for finding in findings:
        if finding.suppressed is not None:
            continue
        entry = registry.find(finding.rule_id)
        for suppression in suppressions:
            if suppression.covers(finding, entry):
                suppression.used = True
                finding.suppressed = suppression.reason or NO_REASON
                finding.suppressed_by = "metadata"
                break
    ran = list(checks)
    selected = {c.id for c in ran}
    extra = []
    for suppression in suppressions:
        if "CFN901" in selected and suppression.reason is None:
            extra.append(
                _finding("CFN901", suppression, f"Say why {suppression.selector} is suppressed: add a reason.")
            )
        if "CFN902" in selected and not suppression.used:
            message = _unused_message(suppression, ran)
            if message:
                extra.append(_finding("CFN902", suppression, message))
    return findings + extra


def _unused_message(suppression: Suppression, ran: list[Check]) -> str | None:
    where = f"resource {suppression.resource}" if suppression.resource else "this template"
    if any(registry.matches(c, suppression.selector) for c in ran if c.scope != SUPPRESSION):
        return f"Remove the suppression of {suppression.selector}: it matches no finding on {where}."
    if any(registry.matches(c, suppression.selector) for c in registry.all_checks()):
        return None  # the check did not run, so whether it would still fire is unknown
    hint = registry.nearest(suppression.selector)
    suggestion = f" (did you mean {hint}?)" if hint else ""
    return f"Fix or remove the suppression of {suppression.selector}: no check has this id or name{suggestion}."


def _finding(rule_id: str, suppression: Suppression, message: str) -> Finding:
    entry = registry.find(rule_id)
    mark = suppression.template.locate(suppression.path)
    return Finding(
        rule_id=entry.id,
        name=entry.name,
        severity=entry.severity,
        file=suppression.template.file,
        line=mark.line,
        column=mark.column,
        end_line=mark.end_line,
        end_column=mark.end_column,
        resource=suppression.resource,
        path=suppression.path[2:] if suppression.resource else suppression.path,
        message=message,
    )
