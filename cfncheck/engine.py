"""A run: load every file, model it, resolve, check, and collect the findings, the suppressions the
templates declare, and the files that could not be read. What the user is shown is settled after
the run (see ``outcome``).

The templates that export, import or nest stacks, with the children of their nested stacks, are
kept together as the project: indexed, checked, and given to the project checks. The others are
checked alone (see ``workers``), in worker processes when the run is large. A partial run adds the
project's other exporting templates, read for their exports and never reported on. A file that
only another tool can make a template of is reported as such (CFN903), not checked.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from . import shards
from .checking import (
    RunOptions,
    analysis,
    check_project,
    check_template,
    context_templates,
    index,
    internal_error_finding,
    load_children,
    load_sources,
    release,
    resolver,
    tool_input_findings,
    unreadable_texts,
)
from .module_files import module_files
from .phases import Phases
from .project import Project
from .result import RunResult, Source
from .suppress import read
from .template import Template
from .workers import PARALLEL_MIN_TEMPLATES, Alone, can_fork, partition

__all__ = ["RunOptions", "RunResult", "Source", "run"]


def run(sources: Iterable[Source], options: RunOptions) -> RunResult:
    result = RunResult()
    phases = Phases(result.timings, result.cpu)
    sources = list(sources)
    result.files = [source.name for source in sources]
    modules = module_files(sources)  # the tool's input, not CloudFormation's: not checked
    if modules:
        merged = {note.file for note in modules}
        sources = [source for source in sources if source.name not in merged]
    local, alone = partition(sources)
    context = options.context
    cache = options.results  # opened here, before the workers are forked with it
    together = cache.together(local, alone, context) if cache is not None else None
    if together is not None:
        local, context = together.sources, together.context  # with the bytes its key was made of
    known = cache.known(alone) if cache is not None else {}  # no worker is started for those
    ours = options.checks_file
    unknown = [source for at, source in enumerate(alone) if at not in known and ours(source.name)]
    parallel = options.jobs > 1 and len(sources) - len(known) >= PARALLEL_MIN_TEMPLATES and can_fork()
    with Alone(unknown, options, parallel) as others:
        taken = together.load(result, alone) if together is not None else None
        if taken is None:
            taken, observed = _check_together(local, alone, context, options, result, phases)
            if together is not None:
                together.keep(result, taken, observed)
        first = len(result.suppressions)
        others.collect(result, dropped=taken)
    if known:
        _add_known(result, alone, known, taken, first)
    modules = [note for note in modules if ours(note.file)]
    result.tool_inputs += modules
    result.findings += tool_input_findings(RunResult(tool_inputs=modules), options)
    order = {name: index for index, name in enumerate(result.files)}
    result.findings.sort(key=lambda f: (order.get(f.file, len(order)), f.sort_key))
    result.errors.sort(key=lambda error: order.get(error.file, len(order)))
    return result


def links(sources: Iterable[Source], options: RunOptions) -> tuple[list[str], list[tuple[str, str]]]:
    """The files of a run (its sources, then the nested stacks' templates it reads) and the pairs
    of them that cross-template checks read together (see ``shards``); nothing is checked."""
    result = RunResult()
    sources = list(sources)
    result.files = [source.name for source in sources]
    local, alone = partition(sources)
    project = _project(local, alone, options.context, options, result, Phases(result.timings, result.cpu))[3]
    linked = list(shards.links(project))
    release(project, ())
    return result.files, linked


def _add_known(result: RunResult, alone: list[Source], known: dict, taken: list[Source], first: int) -> None:
    """Add the results the cache knew of templates checked alone (``known``, by index in
    ``alone``) but those ``taken`` as nested stacks' templates, as ``Alone.collect`` adds the
    others': the suppressions from ``first`` on put back in the order of the sources (the findings
    and errors are sorted by file)."""
    dropped = {source.name for source in taken}
    for at, (findings, suppressions, errors, *_) in known.items():
        if alone[at].name not in dropped:
            result.findings += findings
            result.suppressions += suppressions
            result.errors += errors
    position = {source.name: at for at, source in enumerate(alone)}
    result.suppressions[first:] = sorted(result.suppressions[first:], key=lambda s: position.get(s.where.file, -1))


def _check_together(
    local: list[Source],
    alone: list[Source],
    context: list[Source] | None,
    options: RunOptions,
    result: RunResult,
    phases: Phases,
) -> tuple[list[Source], dict]:
    """Load, index and check together, into ``result``, the templates that may take part in
    cross-template analysis (with the ``context`` ones, for their exports), reporting only this
    run's files (a shard's: ``options.only``); returns the sources of ``alone`` taken as children
    of their nested stacks, and what was learnt of files the run was not given (``Project.observed``)."""
    templates, elsewhere, taken, project, failures = _project(local, alone, context, options, result, phases)
    ours = options.checks_file
    analyses = [analysis(t, project, options, phases) for t in templates if ours(t.file)]
    project.analyses.update((a.template.file, a) for a in analyses)
    for template, step, err in failures:
        if template.file not in project.analyses:
            continue  # a template read for its exports only, or another shard's: nothing is reported about it
        what = f"cross-template analysis ({step}) failed on this template"
        result.findings.append(internal_error_finding(project.analyses[template.file], None, what, err, "its findings"))
        result.internal_errors += 1
    for each in analyses:
        result.findings.extend(check_template(each, options, result, phases))
        each.release()  # what the project checks ask again is computed again: less than a run's templates keep
        each.resolver.forget()
    with phases("checks"):
        result.findings.extend(check_project(project, analyses, options, result))
    outside = {template.file for template in elsewhere}
    result.findings = [f for f in result.findings if f.file not in outside and ours(f.file)]
    result.errors = [error for error in result.errors if ours(error.file)]
    result.tool_inputs = [note for note in result.tool_inputs if ours(note.file)]
    result.findings += tool_input_findings(result, options)
    result.suppressions = [s for template in templates if ours(template.file) for s in read(template)]
    observed = project.observed
    release(project, analyses)
    return taken, observed


def _project(
    local: list[Source],
    alone: list[Source],
    context: list[Source] | None,
    options: RunOptions,
    result: RunResult,
    phases: Phases,
) -> tuple[list[Template], list[Template], list[Source], Project, list]:
    """The project of a run, indexed: the templates that may take part in cross-template analysis
    (``local``) with the nested stacks' templates they name (taken from ``alone`` when there), and
    the ``context``'s templates; returns the run's templates, the context's, the sources taken as
    children, the project and the failures of its index."""
    sources = [*local, *alone]
    templates = load_sources(local, result, phases, record=False)
    # A child of a nested stack is checked with its parent, not on its own.
    observed: dict = {}
    children, taken = load_children(templates, result, phases, alone, _roots(options, sources), observed)
    templates += children
    elsewhere, unread = context_templates(context or (), sources, templates, phases)
    project = Project(
        templates=templates + elsewhere,
        unreadable={**unreadable_texts(local, result), **unread},
        deployments=options.file_deployments,
        partial=context is None,
        observed=observed,
    )
    for template in project.templates:
        project.resolvers[template.file] = resolver(template, project, options)
    with phases("resolve"):
        failures = index(project, project.templates)
    return templates, elsewhere, taken, project, failures


def _roots(options: RunOptions, sources: list[Source]) -> tuple[str, ...]:
    """Where nested stacks' templates may be read: the run's roots, else the folders of its files."""
    if options.roots is not None:
        return options.roots
    return tuple({os.path.realpath(os.path.dirname(s.path) or ".") for s in sources if s.path is not None})
