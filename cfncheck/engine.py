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
    parallel = options.jobs > 1 and len(sources) >= PARALLEL_MIN_TEMPLATES and can_fork()
    local, alone = partition(sources)
    ours = options.checks_file
    with Alone([s for s in alone if ours(s.name)], options, parallel) as others:
        templates, elsewhere, taken, project, failures = _project(sources, local, alone, options, result, phases)
        analyses = [analysis(t, project, options, phases) for t in templates if ours(t.file)]
        project.analyses.update((a.template.file, a) for a in analyses)
        for template, step, err in failures:
            if template.file not in project.analyses:
                continue  # a template read for its exports only, or another shard's: nothing is reported about it
            what = f"cross-template analysis ({step}) failed on this template"
            result.findings.append(
                internal_error_finding(project.analyses[template.file], None, what, err, "its findings")
            )
            result.internal_errors += 1
        for each in analyses:
            result.findings.extend(check_template(each, options, result, phases))
        with phases("checks"):
            result.findings.extend(check_project(project, analyses, options, result))
        outside = {template.file for template in elsewhere}
        result.findings = [f for f in result.findings if f.file not in outside and ours(f.file)]
        result.errors = [error for error in result.errors if ours(error.file)]
        result.tool_inputs = [note for note in result.tool_inputs if ours(note.file)]
        result.findings += tool_input_findings(result, options)
        result.suppressions = [s for template in templates if ours(template.file) for s in read(template)]
        release(project, analyses)
        others.collect(result, dropped=taken)
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
    project = _project(sources, local, alone, options, result, Phases(result.timings, result.cpu))[3]
    linked = list(shards.links(project))
    release(project, ())
    return result.files, linked


def _project(
    sources: list[Source],
    local: list[Source],
    alone: list[Source],
    options: RunOptions,
    result: RunResult,
    phases: Phases,
) -> tuple[list[Template], list[Template], list[Source], Project, list]:
    """The project of a run, indexed: the templates that may take part in cross-template analysis
    (``local``) with the nested stacks' templates they name (taken from ``alone`` when there), and
    the context's templates; returns the run's templates, the context's, the sources taken as
    children, the project and the failures of its index."""
    templates = load_sources(local, result, phases, record=False)
    # A child of a nested stack is checked with its parent, not on its own.
    children, taken = load_children(templates, result, phases, alone, _roots(options, sources))
    templates += children
    elsewhere, unread = context_templates(options.context or (), sources, templates, phases)
    project = Project(
        templates=templates + elsewhere,
        unreadable={**unreadable_texts(local, result), **unread},
        deployments=options.file_deployments,
        partial=options.context is None,
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
