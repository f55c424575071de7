"""Loading templates and checking them one by one: the per-template loop of a run.

A check that raises never hides the others: its exception becomes an ``internal-error``
finding naming the check, the file and the resource, and the run's exit status says so. That
holds for ``SystemExit`` and ``KeyboardInterrupt`` too: a check cannot end the run (only the
user's Ctrl-C does, see ``interrupt``).
"""

from __future__ import annotations

import os
import traceback
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from .analysis.other_tools import tool_input_message
from .cache import ResultCache
from .catalog import ANALYSIS_BOUNDED, INTERNAL_ERROR, Catalog, Check, Scope
from .context import Analysis, Context
from .findings import Finding
from .interrupt import by_user
from .intrinsics import Resolver
from .loader import LoadError, ToolInput, is_template, load_bytes, load_file, read_head
from .nodes import mark_of_child
from .paths import inside
from .phases import Phases, TimedResolver
from .project import Project, nested_template_paths
from .result import FileError, RunResult, Source
from .suppress import Suppression, read
from .template import Skipped, Template, build


@dataclass
class RunOptions:
    """What one run of the engine checks with: for a configured run, one set per deploy region."""

    checks: list[Check] = field(default_factory=list)  # the selected checks (children included)
    catalog: Catalog = field(default_factory=Catalog.builtin)  # every check, for the options of those not selected
    parameters: dict = field(default_factory=dict)
    region: str | None = None
    account_id: str | None = None
    check_options: dict[str, dict] = field(default_factory=dict)  # configured, by check id: over the defaults
    file_parameters: dict[str, dict] = field(default_factory=dict)  # by file name: values over `parameters`
    given: dict = field(default_factory=dict)  # where each of `parameters` was given (parameters.Given)
    file_given: dict[str, dict] = field(default_factory=dict)  # by file name: where each value was given
    file_deployments: dict[str, frozenset[str]] = field(default_factory=dict)  # by file name: configured deployments
    jobs: int = 1  # worker processes for the per-template checks of a large run
    timings: bool = False  # also time resolution inside the checks (slower: each resolver call is timed)
    context: list[Source] | None = field(default_factory=list)
    """Other templates of the project, read for their exports only (a partial run); None when the
    run cannot know the rest of the project."""
    roots: tuple[str, ...] | None = None
    """The folders (real paths) a nested stack's template may be read from; None: those of the
    run's files."""
    only: frozenset[str] | None = None
    """The files this run checks and reports (a shard's, see ``shards``); None: all. The others
    that may take part in cross-template analysis are still read and indexed."""
    cache: str | None = None  # the folder of the result cache (``cache``); None: every template is checked

    @cached_property
    def results(self) -> ResultCache | None:
        """The result cache of the run, when it has one and its results can be cached (not a shard's)."""
        if not self.cache or self.only is not None:  # a shard reports part of what it reads: not a whole entry
            return None
        return ResultCache.open(self.cache, self)

    @cached_property
    def runners(self) -> list[Check]:
        """The checks whose functions run: the selected ones, and the parents of selected children."""
        return self.catalog.runners(self.checks)

    @cached_property
    def per_template(self) -> tuple[dict[int, Check], dict[str, list[tuple[int, Check]]]]:
        """The runners of template checks, and those of resource checks by the types they check,
        each by its place among the runners: a template is offered only the checks of the types
        it has, in the runners' order."""
        templates: dict[int, Check] = {}
        by_type: dict[str, list[tuple[int, Check]]] = defaultdict(list)
        for index, entry in enumerate(self.runners):
            if entry.scope == Scope.TEMPLATE:
                templates[index] = entry
            elif entry.scope == Scope.RESOURCE:
                for kind in entry.types:
                    by_type[kind].append((index, entry))
        return templates, dict(by_type)

    @cached_property
    def reported(self) -> frozenset[str]:
        return frozenset(c.id for c in self.checks)

    def checks_file(self, name: str) -> bool:
        return self.only is None or name in self.only

    @cached_property
    def effective_options(self) -> dict[str, dict]:
        return self.catalog.options(self.check_options)


def load_sources(
    sources: Iterable[Source], result: RunResult, phases: Phases | None = None, record: bool = True
) -> list[Template]:
    """Load and model each source; a file that fails becomes an error. ``record``: add the
    sources to the run's list of files (a run names its files up front, children as found)."""
    phases = phases or Phases(result.timings, result.cpu)
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
        except ToolInput as note:
            result.tool_inputs.append(note)
        except LoadError as err:
            result.errors.append(FileError(err.file, err.line, err.message))
        except RecursionError:
            result.errors.append(FileError(source.name, None, "template is nested too deeply to analyse"))
    return templates


def load_children(
    parents: list[Template],
    result: RunResult,
    phases: Phases | None = None,
    candidates: Iterable[Source] = (),
    roots: Iterable[str] = (),
    observed: dict | None = None,
) -> tuple[list[Template], list[Source]]:
    """The templates of nested stacks whose TemplateURL is a local file, not already in the run
    (a child is analysed with its parent even when the command line does not name it), and the
    ``candidates`` (sources of the run not loaded yet) taken as children: those keep their
    place in the run's list of files. A child is read only inside the ``roots`` (the project)
    and only when it is a template: a TemplateURL is the template's to write, and a file outside
    the project, or one that is not a template, is not the template's to show in findings. The
    parent says what was not read (CFN900). What was found at each path goes into ``observed``
    (``Project.observed``)."""
    if not any(nested_template_paths(parent) for parent in parents):
        return [], []
    roots = tuple(roots)
    named = {os.path.realpath(s.path): s for s in candidates if s.path is not None}
    seen = {os.path.realpath(t.file) for t in parents if not t.file.startswith("<")}
    children: list[Template] = []
    taken: list[Source] = []
    pending = list(parents)
    while pending:
        sources, given = [], []
        for parent in pending:
            for resource, path in nested_template_paths(parent):
                real = os.path.realpath(path)
                if real in seen:
                    continue
                seen.add(real)
                if real in named:
                    given.append(named.pop(real))
                    found = (real, "run", given[-1].data)
                elif os.path.isfile(real):
                    source, unread, data = _child(path, roots)
                    found = (real, "read" if data is not None else "unreadable" if source else "outside", data)
                    if source is not None:
                        sources.append(source)
                    else:
                        where = mark_of_child(resource.properties, "TemplateURL")
                        parent.skipped.append(Skipped(unread, (*resource.path, "Properties", "TemplateURL"), where))
                else:
                    found = (real, "absent", None)
                if observed is not None:
                    observed[("file", path)] = found
        taken += given
        pending = load_sources(given, result, phases, record=False) + load_sources(sources, result, phases)
        children += pending
    return children, taken


def _child(path: str, roots: tuple[str, ...]) -> tuple[Source | None, str, bytes | None]:
    """The source of a nested stack's template file, or why it is not read; and its bytes, when read."""
    shown = os.path.normpath(path)
    if not inside(path, roots):
        return (
            None,
            (
                f"{shown} is outside the project, where a template may name files (--project-root widens it): "
                "the nested stack's template was not read"
            ),
            None,
        )
    try:
        data = read_head(path)
    except OSError:
        return Source(shown, path), "", None  # the loader says why it cannot be read
    if not is_template(data):
        return None, f"{shown} is not a CloudFormation template (no top-level Resources): it was not read", data
    return Source(shown, path, data), "", data


def context_templates(
    context: Iterable[Source], run: list[Source], templates: list[Template], phases: Phases
) -> tuple[list[Template], dict[str, str]]:
    """The project's other templates (not in the run), loaded for their exports, and the text of
    those that could not be loaded; nothing is reported about them."""
    seen = {os.path.realpath(s.path) for s in run if s.path is not None}
    seen |= {os.path.realpath(t.file) for t in templates if not t.file.startswith("<")}
    sources = [s for s in context if s.path is not None and os.path.realpath(s.path) not in seen]
    quiet = RunResult()
    loaded = load_sources(sources, quiet, phases, record=False)
    return loaded, unreadable_texts(sources, quiet)


def unreadable_texts(sources: list[Source], result: RunResult) -> dict[str, str]:
    """The text of the files that could not be loaded (or that only another tool can make
    templates of): a project check can tell whether a name it looks for (an export) might be
    written there."""
    failed = {error.file for error in result.errors} | {note.file for note in result.tool_inputs}
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
        given_at={**options.given, **options.file_given.get(template.file, {})},
    )


def analysis(template: Template, project: Project, options: RunOptions, phases: Phases) -> Analysis:
    own = project.resolvers[template.file]
    found = Analysis(
        template, TimedResolver(own, phases) if options.timings else own, project, options.effective_options
    )
    found.timing = phases
    return found


def release(project: Project, analyses: Iterable[Analysis]) -> None:
    """Let reference counting free the templates once checked (the run has the cyclic collector
    off): the analyses forget what the checks computed, and the project its resolvers and
    analyses, which refer back to it (a resolver imports through the project)."""
    for each in analyses:
        each.release()
    project.analyses.clear()
    project.resolvers.clear()


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
    phases = phases or Phases(result.timings, result.cpu)
    with phases("checks"):
        template_checks, checks_by_type = options.per_template
        by_type: dict[str, list] = defaultdict(list)
        for resource in template.resources.values():
            by_type[resource.type].append(resource)
        offered = dict(template_checks)
        for kind in by_type:
            offered.update(checks_by_type.get(kind, ()))
        for index in sorted(offered):
            entry = offered[index]
            context = Context(analysis, entry)
            if entry.scope == Scope.TEMPLATE:
                findings.extend(guarded(entry, (context,), context, None, options, result))
                continue
            for kind in entry.types:
                for resource in by_type.get(kind, ()):
                    findings.extend(guarded(entry, (resource, context), context, resource, options, result))
    bounded = Context(analysis, ANALYSIS_BOUNDED)
    resolver = analysis.resolver
    for skipped in template.skipped + resolver.skipped:
        findings.append(skipped_finding(bounded, skipped))
    for message, condition in resolver.conditions.limits_hit:
        findings.append(
            bounded.finding(None, ("Conditions", condition), f"{message}; findings in that scenario may be wrong")
        )
    return findings


def skipped_finding(context: Context, skipped) -> Finding:
    """The CFN900 finding naming the resource and the property path that was skipped."""
    template = context.template
    path = skipped.path
    resource = template.resources.get(path[1]) if path[:1] == ("Resources",) and len(path) > 1 else None
    if resource is not None:
        path = path[2:]
        where = f"{resource.logical_id}" + (f" {'.'.join(map(str, path))}" if path else "")
    else:
        where = str(path[0]) if path else "the template"  # a section: the message names what in it
    message = f"{where}: {skipped.message}; findings that depend on it may be missing"
    return context.finding(resource, path, message, at=skipped.mark)


def tool_input_findings(result: RunResult, options: RunOptions) -> list[Finding]:
    """CFN903 for each file that only another tool can turn into a template (it was not checked)."""
    entry = options.catalog.find("CFN903")
    if entry is None or entry.id not in options.reported:
        return []
    return [
        Finding(
            entry.id,
            entry.name,
            entry.severity,
            note.file,
            note.line or 1,
            note.column or 1,
            note.line or 1,
            note.column or 1,
            None,
            (),
            tool_input_message(note.tool, note.message),
        )
        for note in result.tool_inputs
    ]


def check_project(project: Project, analyses: list[Analysis], options: RunOptions, result: RunResult) -> list[Finding]:
    """The findings of the checks that look at every template of the run at once."""
    findings: list[Finding] = []
    for entry in options.runners:
        if entry.scope == Scope.PROJECT and analyses:
            context = Context(analyses[0], entry)
            findings.extend(guarded(entry, (project, context), context, None, options, result))
    return findings


def guarded(
    entry: Check, args: tuple, context: Context, resource, options: RunOptions, result: RunResult
) -> list[Finding]:
    """The check's findings that were selected; when it raises, those it gave before and an internal error."""
    found: list[Finding] = []
    try:
        found.extend(entry.function(*args) or ())
    except BaseException as err:  # noqa: BLE001 - one failing check must not hide the others, nor end the run
        if by_user(err):
            raise
        where = f" on resource {resource.logical_id}" if resource is not None else ""
        found.append(
            internal_error_finding(
                context.analysis, resource, f"check {entry.id} {entry.name} failed{where}", err, "its other findings"
            )
        )
        result.internal_errors += 1
    if entry.children:  # a child may be selected without its parent, or ignored with it selected
        return [f for f in found if f.rule_id in options.reported or f.rule_id == INTERNAL_ERROR.id]
    return found


def internal_error_finding(analysis: Analysis, resource, what: str, err: BaseException, lost: str) -> Finding:
    frame = traceback.extract_tb(err.__traceback__)[-1]
    detail = " ".join(str(err).split())[:300]  # a finding is one line of text output
    message = (
        f"{what}: {type(err).__name__}: {detail} (at {frame.filename.rsplit('/', 1)[-1]}:{frame.lineno}); "
        f"{lost} here are missing"
    )
    return Context(analysis, INTERNAL_ERROR).finding(resource, (), message)


Alone = tuple[list[Finding], list[Suppression], list[FileError], int, dict, dict]
"""What checking a template alone gives: findings, suppressions, load errors, internal errors, and
the wall-clock and CPU seconds of each phase."""


def check_alone(source: Source, options: RunOptions) -> Alone:
    """The findings and suppressions, load errors, internal error count and phase times (wall
    clock and CPU) of a template that neither exports, imports nor nests stacks, kept in the
    result cache (the run looked it up there first: ``ResultCache.known``)."""
    checked = _check_alone(source, options)
    if options.results is not None:
        options.results.keep_alone(source, checked)
    return checked


def _check_alone(source: Source, options: RunOptions) -> Alone:
    local = RunResult()
    phases = Phases(local.timings, local.cpu)
    project = Project()
    for template in load_sources([source], local, phases, record=False):
        project.resolvers[template.file] = resolver(template, project, options)
        checked = analysis(template, project, options, phases)
        local.findings = check_template(checked, options, local, phases)
        local.suppressions = read(template)
        release(project, [checked])
    local.findings += tool_input_findings(local, options)
    return local.findings, local.suppressions, local.errors, local.internal_errors, dict(local.timings), dict(local.cpu)
