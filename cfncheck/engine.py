"""Running checks: load every file, model it, resolve, check, and collect findings and errors.

A check that raises never hides the others: its exception becomes an ``internal-error``
finding naming the check, the file and the resource, and the run's exit status says so.

A template whose text takes no part in cross-template analysis (no export, import or nested
stack) is loaded, checked and suppressed on its own and then freed, so memory does not grow with
the number of files. The others, with the children of their nested stacks, are kept together as
the project: indexed, checked, and given to the project checks. With ``jobs`` > 1 and many
templates, forked workers check the first kind while the parent does the second, sending back
only findings and errors; everything is put in the order ``jobs=1`` gives.
"""

from __future__ import annotations

import contextlib
import gc
import os
import re
import time
import traceback
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field

from . import suppress
from .analysis.other_tools import tool_input_message
from .context import Analysis, Context
from .findings import ERROR, INFO, Finding
from .intrinsics import Resolver
from .loader import LoadError, ToolInput, load_bytes, load_file, read_head
from .project import NESTED_STACK, Project, nested_template_paths
from .registry import PROJECT, RESOURCE, TEMPLATE, Check, check, find
from .template import Template, build
from .values import Scenario


@check("CFN000", "internal-error", ERROR, scope="engine")
def internal_error():
    """A check raised an exception instead of reporting; its findings for that resource are lost.

    This is a bug in the check, not in the template: please report it with the template."""


@check("CFN900", "analysis-bounded", INFO, scope="engine")
def analysis_bounded():
    """cfncheck gave up on part of the template and says which: a value with too many condition
    scenarios to enumerate (or too long a text), an ``Fn::ForEach`` loop whose collection is not
    known, a macro it cannot run (a ``Transform`` other than SAM and the language extensions,
    ``Fn::Transform``). The finding names the resource and the property path, or the loop; checks
    treated what was skipped as unknown, so findings about it may be missing."""


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


@dataclass(frozen=True)
class Source:
    """A file to check: a path on disk, or bytes read from standard input. A file's bytes may
    come with its path, read already (up to what the loader reads)."""

    name: str
    path: str | None = None
    data: bytes | None = None


@dataclass(frozen=True)
class FileError:
    file: str
    line: int | None
    message: str

    def as_dict(self) -> dict:
        return {"file": self.file, "line": self.line, "message": self.message}


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
    context: list[Source] | None = field(default_factory=list)
    """Other templates of the project, read for their exports only (a partial run); None when the
    run cannot know the rest of the project."""


@dataclass
class RunResult:
    files: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    internal_errors: int = 0
    timings: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    tool_inputs: list[ToolInput] = field(default_factory=list)  # files only another tool can make templates of


PARALLEL_MIN_TEMPLATES = 32
"""Fewer templates than this are checked in the main process: starting workers would cost more."""
_CHUNK = 8  # templates a worker takes at a time: small enough to even out, large enough to batch


class Phases:
    """Wall time per phase into ``timings``. A phase entered inside another (the graph built when
    a check first asks for it, resolution inside a check) is counted for itself only, and a
    phase entered again inside itself (the resolver recursing) is counted once."""

    def __init__(self, timings: dict[str, float]) -> None:
        self.timings = timings
        self._stack: list[list] = []  # [phase, started, depth]

    @contextlib.contextmanager
    def __call__(self, phase: str):
        now = time.perf_counter()
        stack = self._stack
        if stack and stack[-1][0] == phase:
            stack[-1][2] += 1
            try:
                yield
            finally:
                stack[-1][2] -= 1
            return
        if stack:
            outer = stack[-1]
            self.timings[outer[0]] += now - outer[1]
        stack.append([phase, now, 0])
        try:
            yield
        finally:
            now = time.perf_counter()
            self.timings[phase] += now - stack.pop()[1]
            if stack:
                stack[-1][1] = now


def _time_resolution(analysis: Analysis) -> None:
    """Count the time the analysis's resolver spends as "resolve", in whichever phases the
    analysis is timed with (the worker's own, in a worker)."""
    resolver = analysis.resolver

    def timed(method: Callable) -> Callable:
        def call(*args, **kwargs):
            with analysis.timing("resolve"):
                return method(*args, **kwargs)

        return call

    for name in ("resolve", "get", "elements", "reach", "satisfiable"):
        setattr(resolver, name, timed(getattr(resolver, name)))


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
        except ToolInput as note:
            result.tool_inputs.append(note)
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


_SHARED_MARKERS = (b"Export", b"ImportValue", NESTED_STACK.encode())
"""Text without which a template neither offers nor uses anything across templates: no export,
no import, no nested stack."""
_ESCAPE = re.compile(rb"\\[uUx\r\n]")
"""An escape in a quoted string (JSON's ``\\u``, YAML's also ``\\x``, ``\\U`` and an escaped line
break) can spell a marker that the text does not show."""


def _partition(sources: list[Source]) -> tuple[list[Source], list[Source]]:
    """The sources the parent loads, since they may take part in cross-template analysis (their
    text may export, import or nest stacks), and those a worker can load and check alone; each
    with its bytes, read once here."""
    local, alone = [], []
    for source in sources:
        data = source.data
        if data is None:
            try:
                data = read_head(source.path)
            except OSError:
                local.append(source)  # the parent reports the error
                continue
            source = Source(source.name, source.path, data)
        if any(marker in data for marker in _SHARED_MARKERS) or _ESCAPE.search(data):
            local.append(source)
        else:
            alone.append(source)
    return local, alone


def _resolver(template: Template, project: Project, options: RunOptions) -> Resolver:
    return Resolver(
        template,
        {**options.parameters, **options.file_parameters.get(template.file, {})},
        options.region,
        options.account_id,
        importer=project.export_value,
    )


def _analysis(template: Template, project: Project, options: RunOptions, phases: Phases) -> Analysis:
    analysis = Analysis(template, project.resolvers[template.file], project, options.check_options)
    analysis.timing = phases
    if options.timings:  # the resolver is lazy: what it costs is spent inside the checks
        _time_resolution(analysis)
    return analysis


def run(sources: Iterable[Source], options: RunOptions) -> RunResult:
    result = RunResult()
    phases = Phases(result.timings)
    sources = list(sources)
    result.files = [source.name for source in sources]
    parallel = options.jobs > 1 and len(sources) >= PARALLEL_MIN_TEMPLATES and _can_fork()
    local, alone = _partition(sources) if len(sources) > 1 else (sources, [])
    with _Alone(alone, options, parallel) as others:
        templates = load_sources(local, result, phases, record=False)
        # A child of a nested stack is checked with its parent, not on its own.
        children, taken = load_children(templates, result, phases, alone)
        templates += children
        elsewhere, unread = _context_templates(options.context or (), sources, templates, phases)
        project = Project(
            templates=templates + elsewhere,
            unreadable={**unreadable_texts(local, result), **unread},
            deployments=options.file_deployments,
            partial=options.context is None,
        )
        for template in project.templates:
            project.resolvers[template.file] = _resolver(template, project, options)
        with phases("resolve"):
            failures = _index(project, project.templates)
        analyses = [_analysis(t, project, options, phases) for t in templates]
        project.analyses.update((a.template.file, a) for a in analyses)
        for template, step, err in failures:
            what = f"cross-template analysis ({step}) failed on this template"
            result.findings.append(_internal_error(project.analyses[template.file], None, what, err, "its findings"))
            result.internal_errors += 1
        for analysis in analyses:
            result.findings.extend(check_template(analysis, options, result, phases))
        with phases("checks"):
            for entry in options.checks:
                if entry.scope == PROJECT and analyses:
                    context = Context(analyses[0], entry, options.check_options.get(entry.id))
                    result.findings.extend(_guarded(entry, (project, context), context, None, result))
        outside = {template.file for template in elsewhere}
        found = [finding for finding in result.findings if finding.file not in outside]
        findings = suppress.apply(merge_scenarios(found), templates, options.checks)
        findings += _tool_input_findings(result, options) + others.collect(result, dropped=taken)
    order = {name: index for index, name in enumerate(result.files)}
    result.findings = sorted(findings, key=lambda f: (order.get(f.file, len(order)), f.sort_key))
    result.errors.sort(key=lambda error: order.get(error.file, len(order)))
    return result


def _context_templates(
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


def _can_fork() -> bool:
    import multiprocessing  # only for large runs: it is slow to import

    return "fork" in multiprocessing.get_all_start_methods()


_WORK: tuple[list[Source], RunOptions] | None = None
"""What forked workers check: set by the parent just before it forks, inherited, never sent."""


class _Alone:
    """The templates that take no part in cross-template analysis, each loaded, checked and
    suppressed on its own and then freed, so that a run's memory does not grow with its size:
    in worker processes started on entering (``parallel``), or in this process when collected."""

    def __init__(self, sources: list[Source], options: RunOptions, parallel: bool) -> None:
        self.sources = sources
        self.options = options
        self.parallel = parallel and bool(sources)
        self.pool = None
        self.chunks: list[range] = []
        self.pending: Iterable = ()

    def __enter__(self) -> _Alone:
        global _WORK
        if not self.parallel:
            return self
        import multiprocessing

        count = len(self.sources)
        self.chunks = [range(start, min(start + _CHUNK, count)) for start in range(0, count, _CHUNK)]
        _WORK = (self.sources, self.options)
        gc.freeze()  # the workers share the parent's objects: no collection should touch (and copy) them
        self.pool = multiprocessing.get_context("fork").Pool(min(self.options.jobs, len(self.chunks)))
        self.pending = self.pool.imap(_check_chunk, self.chunks)
        return self

    def collect(self, result: RunResult, dropped: Collection[Source] = ()) -> list[Finding]:
        """The findings, in the order of the sources, except for the ``dropped`` sources (a worker
        may have checked those already); load errors, internal error counts and timings (CPU
        seconds of the workers, summed) go into ``result``."""
        findings: list[Finding] = []
        for index, (found, errors, internal_errors, timings) in self._outcomes(dropped):
            for phase, seconds in timings.items():
                result.timings[phase] += seconds
            if self.sources[index] in dropped:
                continue
            findings.extend(found)
            result.errors.extend(errors)
            result.internal_errors += internal_errors
        return findings

    def _outcomes(self, dropped: Collection[Source]) -> Iterator[tuple[int, tuple]]:
        if self.pool is None:
            for index, source in enumerate(self.sources):
                if source not in dropped:
                    yield index, _check_alone(source, self.options)
            return
        for indexes, done in zip(self.chunks, self.pending, strict=True):
            yield from zip(indexes, done, strict=True)

    def __exit__(self, *exc_info) -> None:
        global _WORK
        if self.pool is not None:
            self.pool.terminate()
            _WORK = None
            gc.unfreeze()


def _check_chunk(indexes: range) -> list[tuple[list[Finding], list[FileError], int, dict]]:
    sources, options = _WORK
    return [_check_alone(sources[index], options) for index in indexes]


def _check_alone(source: Source, options: RunOptions) -> tuple[list[Finding], list[FileError], int, dict]:
    """Findings (merged and suppressed), load errors, internal error count and timings of a
    template that neither exports, imports nor nests stacks."""
    local = RunResult()
    phases = Phases(local.timings)
    project = Project()
    findings = []
    for template in load_sources([source], local, phases, record=False):
        project.resolvers[template.file] = _resolver(template, project, options)
        checked = check_template(_analysis(template, project, options, phases), options, local, phases)
        findings = suppress.apply(merge_scenarios(checked), [template], options.checks)
        # The resolver refers back to the project: dropping it lets reference counting free the
        # template's whole analysis now (the cyclic collector is off for the run).
        del project.resolvers[template.file]
    return findings + _tool_input_findings(local, options), local.errors, local.internal_errors, dict(local.timings)


def _tool_input_findings(result: RunResult, options: RunOptions) -> list[Finding]:
    """CFN903 for each file that only another tool can turn into a template (it was not checked)."""
    entry = find("CFN903")
    if entry is None or entry not in options.checks:
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
                findings.extend(_guarded(entry, (context,), context, None, result))
                continue
            for kind in entry.types:
                for resource in by_type.get(kind, ()):
                    findings.extend(_guarded(entry, (resource, context), context, resource, result))
    bounded = Context(analysis, find("CFN900"))
    resolver = analysis.resolver
    for skipped in template.skipped + resolver.skipped:
        findings.append(skipped_finding(bounded, skipped))
    for message, condition in resolver.conditions.limits_hit:
        findings.append(
            bounded.finding(None, ("Conditions", condition), f"{message}; findings in that scenario may be wrong")
        )
    return findings


def _guarded(entry: Check, args: tuple, context: Context, resource, result: RunResult) -> list[Finding]:
    """The check's findings; when it raises, those it gave before and an internal error."""
    found: list[Finding] = []
    try:
        found.extend(entry.function(*args) or ())
    except Exception as err:  # noqa: BLE001 - one failing check must not hide the others
        where = f" on resource {resource.logical_id}" if resource is not None else ""
        found.append(
            _internal_error(
                context.analysis, resource, f"check {entry.id} {entry.name} failed{where}", err, "its other findings"
            )
        )
        result.internal_errors += 1
    return found


def _index(project: Project, templates: list[Template]) -> list[tuple[Template, str, Exception]]:
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


def _internal_error(analysis: Analysis, resource, what: str, err: Exception, lost: str) -> Finding:
    frame = traceback.extract_tb(err.__traceback__)[-1]
    detail = " ".join(str(err).split())[:300]  # a finding is one line of text output
    message = (
        f"{what}: {type(err).__name__}: {detail} (at {frame.filename.rsplit('/', 1)[-1]}:{frame.lineno}); "
        f"{lost} here are missing"
    )
    return Context(analysis, find("CFN000")).finding(resource, (), message)


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
