"""Loading templates and checking them one by one: the per-template loop of a run.

A check that raises never hides the others: its exception becomes an ``internal-error``
finding naming the check, the file and the resource, and the run's exit status says so.
"""

from __future__ import annotations

import os
import traceback
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from . import suppress
from .context import Analysis, Context
from .findings import ERROR, INFO, Finding
from .intrinsics import Resolver
from .loader import LoadError, load_bytes, load_file, read_head
from .phases import Phases, TimedResolver
from .project import Project, nested_template_paths
from .registry import PROJECT, RESOURCE, TEMPLATE, Check, check, find
from .result import FileError, RunResult, Source
from .template import Template, build
from .values import Scenario


@check("CFN000", "internal-error", ERROR, scope="engine")
def internal_error():
    """A check raised an exception instead of reporting; its findings for that resource are lost.

    This is a bug in the check, not in the template: please report it with the template."""


@check("CFN900", "analysis-bounded", INFO, scope="engine")
def analysis_bounded():
    """A value depends on so many condition scenarios that cfncheck did not enumerate them all;
    checks treated it as unknown, so findings about it may be missing."""


@dataclass
class RunOptions:
    checks: list[Check] = field(default_factory=list)
    parameters: dict = field(default_factory=dict)
    region: str | None = None
    account_id: str | None = None
    check_options: dict[str, dict] = field(default_factory=dict)
    file_parameters: dict[str, dict] = field(default_factory=dict)  # by file name: values over `parameters`
    file_deployments: dict[str, frozenset[str]] = field(default_factory=dict)  # by file name: configured deployments
    jobs: int = 1  # worker processes for the per-template checks of a large run
    timings: bool = False  # also time resolution inside the checks (slower: each resolver call is timed)


def load_sources(
    sources: Iterable[Source], result: RunResult, phases: Phases | None = None, record: bool = True
) -> list[Template]:
    """Load and model each source; a file that fails becomes an error. ``record``: add the
    sources to the run's list of files (a run names its files up front, children as found)."""
    phases = phases or Phases(result.timings)
    templates = []
    for source in sources:
        if record:
            result.files.append(source.name)
        try:
            with phases("load"):
                document = (
                    load_file(source.path, source.name) if source.data is None else load_bytes(source.data, source.name)
                )
            with phases("model"):
                templates.append(build(document))
        except LoadError as err:
            result.errors.append(FileError(err.file, err.line, err.message))
        except RecursionError:
            result.errors.append(FileError(source.name, None, "template is nested too deeply to analyse"))
    return templates


def load_children(
    parents: list[Template], result: RunResult, phases: Phases | None = None, candidates: Iterable[Source] = ()
) -> tuple[list[Template], list[Source]]:
    """The templates of nested stacks whose TemplateURL is a local file, not already in the run
    (a child is analysed with its parent even when the command line does not name it), and the
    ``candidates`` (sources of the run not loaded yet) taken as children: those keep their
    place in the run's list of files."""
    if not any(nested_template_paths(parent) for parent in parents):
        return [], []
    named = {os.path.realpath(s.path): s for s in candidates if s.path is not None}
    seen = {os.path.realpath(t.file) for t in parents if not t.file.startswith("<")}
    children: list[Template] = []
    taken: list[Source] = []
    pending = list(parents)
    while pending:
        sources, given = [], []
        for _, path in (found for parent in pending for found in nested_template_paths(parent)):
            real = os.path.realpath(path)
            if real in seen:
                continue
            seen.add(real)
            if real in named:
                given.append(named.pop(real))
            elif os.path.isfile(real):
                sources.append(Source(os.path.normpath(path), path))
        taken += given
        pending = load_sources(given, result, phases, record=False) + load_sources(sources, result, phases)
        children += pending
    return children, taken


def unreadable_texts(sources: list[Source], result: RunResult) -> dict[str, str]:
    """The text of the files that could not be loaded: a project check can tell whether a name
    it looks for (an export) might be written there."""
    failed = {error.file for error in result.errors}
    texts = {}
    for source in sources:
        if source.name in failed:
            try:
                data = source.data if source.data is not None else read_head(source.path)
            except OSError:
                continue
            texts[source.name] = data.decode("utf-8", "replace")
    return texts


def resolver(template: Template, project: Project, options: RunOptions) -> Resolver:
    return Resolver(
        template,
        {**options.parameters, **options.file_parameters.get(template.file, {})},
        options.region,
        options.account_id,
        importer=project.export_value,
    )


def analysis(template: Template, project: Project, options: RunOptions, phases: Phases) -> Analysis:
    own = project.resolvers[template.file]
    found = Analysis(template, TimedResolver(own, phases) if options.timings else own, project, options.check_options)
    found.timing = phases
    return found


def index(project: Project, templates: list[Template]) -> list[tuple[Template, str, Exception]]:
    """Index the exports, imports and nested stacks of each template; a template on which a step
    fails is left out of that step, and the failure returned."""
    failures = []
    for step in (project.index_exports, project.index_imports, project.link_children):
        for template in templates:
            try:
                step([template])
            except Exception as err:  # noqa: BLE001 - one template must not stop the analysis of the others
                failures.append((template, step.__name__.replace("_", " "), err))
    return failures


def check_template(
    analysis: Analysis, options: RunOptions, result: RunResult, phases: Phases | None = None
) -> list[Finding]:
    findings: list[Finding] = []
    template = analysis.template
    phases = phases or Phases(result.timings)
    with phases("checks"):
        by_type: dict[str, list] = defaultdict(list)
        for resource in template.resources.values():
            by_type[resource.type].append(resource)
        for entry in options.checks:
            if entry.scope not in (RESOURCE, TEMPLATE):
                continue
            context = Context(analysis, entry, options.check_options.get(entry.id))
            if entry.scope == TEMPLATE:
                findings.extend(guarded(entry, (context,), context, None, result))
                continue
            for kind in entry.types:
                for resource in by_type.get(kind, ()):
                    findings.extend(guarded(entry, (resource, context), context, resource, result))
    bounded = Context(analysis, find("CFN900"))
    resolver = analysis.resolver
    for message, mark in zip(resolver.limits_hit, resolver.limit_marks, strict=True):
        findings.append(bounded.finding(None, (), f"{message}; findings that depend on it may be missing", at=mark))
    for message, condition in resolver.conditions.limits_hit:
        findings.append(
            bounded.finding(None, ("Conditions", condition), f"{message}; findings in that scenario may be wrong")
        )
    return findings


def check_project(project: Project, analyses: list[Analysis], options: RunOptions, result: RunResult) -> list[Finding]:
    """The findings of the checks that look at every template of the run at once."""
    findings: list[Finding] = []
    for entry in options.checks:
        if entry.scope == PROJECT and analyses:
            context = Context(analyses[0], entry, options.check_options.get(entry.id))
            findings.extend(guarded(entry, (project, context), context, None, result))
    return findings


def guarded(entry: Check, args: tuple, context: Context, resource, result: RunResult) -> list[Finding]:
    """The check's findings; when it raises, those it gave before and an internal error."""
    found: list[Finding] = []
    try:
        found.extend(entry.function(*args) or ())
    except Exception as err:  # noqa: BLE001 - one failing check must not hide the others
        where = f" on resource {resource.logical_id}" if resource is not None else ""
        found.append(
            internal_error_finding(
                context.analysis, resource, f"check {entry.id} {entry.name} failed{where}", err, "its other findings"
            )
        )
        result.internal_errors += 1
    return found


def internal_error_finding(analysis: Analysis, resource, what: str, err: Exception, lost: str) -> Finding:
    frame = traceback.extract_tb(err.__traceback__)[-1]
    detail = " ".join(str(err).split())[:300]  # a finding is one line of text output
    message = (
        f"{what}: {type(err).__name__}: {detail} (at {frame.filename.rsplit('/', 1)[-1]}:{frame.lineno}); "
        f"{lost} here are missing"
    )
    return Context(analysis, find("CFN000")).finding(resource, (), message)


def check_alone(source: Source, options: RunOptions) -> tuple[list[Finding], list[FileError], int, dict]:
    """Findings (merged and suppressed), load errors, internal error count and timings of a
    template that neither exports, imports nor nests stacks."""
    local = RunResult()
    phases = Phases(local.timings)
    project = Project()
    findings = []
    for template in load_sources([source], local, phases, record=False):
        project.resolvers[template.file] = resolver(template, project, options)
        checked = check_template(analysis(template, project, options, phases), options, local, phases)
        findings = suppress.apply(merge_scenarios(checked), [template], options.checks)
        # The resolver refers back to the project: dropping it lets reference counting free the
        # template's whole analysis now (the cyclic collector is off for the run).
        del project.resolvers[template.file]
    return findings, local.errors, local.internal_errors, dict(local.timings)


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
                        finding.conditions = joined.as_dict()
                        scenarios[joined] = finding
                        changed = True
                        break
                if changed:
                    break
        merged.extend(scenarios.values())
    return merged
