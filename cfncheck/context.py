"""What a check receives: the template, the resolver, the graph, the resources its values name
(in this template or, through ``Fn::ImportValue``, in another of the run), and a way to report.

Analyses shared by the checks of a template (an index of who delivers to a queue, the statements
of a policy, the classification of security-group rules) are computed once per template through
:meth:`Analysis.memo`, keyed by the function that computes them (see :func:`per_template`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from .findings import Finding, Location, Severity
from .graph import build_graph, drop_views, resource_dependencies, resource_users
from .intrinsics import Resolver
from .nodes import Mark
from .project import output_scenario
from .template import Resource, Template
from .values import ALWAYS, Alt, Reference, Scenario, Unknown, parse_path

if TYPE_CHECKING:
    import networkx as nx

    from .catalog import Check
    from .project import Project
    from .references import Use


T = TypeVar("T")

MAX_CONDITIONS = 6
"""Conditions a question about coverage (:meth:`Context.uncovered`) may involve before it is not answered."""


class SeverityError(ValueError):
    """A check reported a finding at a severity its id does not declare."""


class Analysis:
    """Everything known about one template in this run, shared by all checks."""

    def __init__(
        self, template: Template, resolver: Resolver, project: Project | None = None, options: dict | None = None
    ):
        self.template = template
        self.resolver = resolver
        self.project = project
        self.options = options or {}  # every check's options in this run (defaults under configured values), by id
        self.timing: Callable[[str], AbstractContextManager] = nullcontext  # the engine's phase timer
        self._memo: dict[Hashable, object] = {}

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The value of ``compute()`` for this template, computed on first use. ``key`` starts with
        the function that computes it, so two analyses never share an entry."""
        try:
            return self._memo[key]
        except KeyError:
            value = self._memo[key] = compute()
            return value

    def release(self) -> None:
        """Forget what the checks computed, once they are done with this template: those values
        refer back to the analysis (a link names the analysis of its resource) or to themselves
        (networkx's views of the graph), cycles that would keep the whole template alive while
        the run has the cyclic collector off."""
        graph = self._memo.get(build_graph)
        if graph is not None:
            drop_views(graph)
        self._memo.clear()

    @property
    def graph(self) -> nx.MultiDiGraph:
        """The dependency graph (networkx is imported only when a check asks for it)."""
        return self.memo(build_graph, self._timed_graph)

    def _timed_graph(self) -> nx.MultiDiGraph:
        with self.timing("graph"):
            return build_graph(self.template)

    @property
    def dependencies(self) -> dict[str, set[str]]:
        """The resources each resource uses: the graph's edges between resources, without networkx."""
        return self.memo(resource_dependencies, lambda: resource_dependencies(self.template))

    @property
    def users(self) -> dict[str, list[tuple[tuple[str, str], Use]]]:
        """Who uses each resource, and how: the graph's edges into it, without networkx."""
        return self.memo(resource_users, lambda: resource_users(self.template))

    def follow(self, value, scenario: Scenario = ALWAYS, via: str | None = None) -> Link | None:
        """The resource a resolved value names: a Ref or GetAtt, a string built (with Fn::Sub or
        Fn::Join) from exactly one resource's reference, or an ``Fn::ImportValue`` of an export of
        another template of the run, followed on to the exporting resource. None when it names
        none, or several, or what it names is not in the run."""
        resources = self.template.resources
        if isinstance(value, Reference):
            found = resources.get(value.target)
            return Link(found, self, scenario, via) if found is not None else None
        if not isinstance(value, Unknown):
            return None
        if value.import_name is not None:
            return self._imported(value.import_name, scenario)
        targets = {ref.target for ref in value.refs if isinstance(ref, Reference)}
        if len(targets) == 1:
            found = resources.get(targets.pop())
            return Link(found, self, scenario, via) if found is not None else None
        return None

    def refers_to(self, value, resource: Resource) -> bool:
        """Whether a resolved value of this template names ``resource``."""
        link = self.follow(value)
        return link is not None and link.resource is resource

    def _imported(self, name: str, scenario: Scenario) -> Link | None:
        project = self.project
        exports = project.exports.get(name, []) if project is not None else []
        if len(exports) != 1 or exports[0].template is self.template:
            return None
        export = exports[0]
        exporter = project.analyses.get(export.template.file) or Analysis(
            export.template, project.resolvers[export.template.file], project, self.options
        )
        alts = exporter.resolver.resolve(export.output.value, output_scenario(export.output))
        if len(alts) != 1:
            return None
        found = exporter.follow(alts[0].value)
        return Link(found.resource, exporter, scenario, name) if found is not None else None


def per_template(compute: Callable[[Context], T]) -> Callable[[Context], T]:
    """A shared analysis: ``compute(ctx)`` runs once per template, for whichever check asks first,
    so it must not depend on which check asks (its options included, see ``Context.options_of``)."""

    @functools.wraps(compute)
    def shared(ctx: Context) -> T:
        return ctx.analysis.memo(compute, lambda: compute(ctx))

    return shared


@dataclass(frozen=True)
class Link:
    """A resource a value names, with the scenario (of the naming template) in which it does: the
    one handle for "a resource, possibly in another template".

    ``via`` is the export name when the resource was reached through ``Fn::ImportValue``: it
    then lives in another template, whose conditions are not this template's."""

    resource: Resource
    analysis: Analysis  # of the template the resource is in
    scenario: Scenario = ALWAYS
    via: str | None = None

    @property
    def type(self) -> str:
        return self.resource.type

    @property
    def logical_id(self) -> str:
        return self.resource.logical_id

    @property
    def template(self) -> Template:
        return self.analysis.template

    @property
    def foreign(self) -> bool:
        return self.via is not None

    def values(self, path) -> list[Alt]:
        """The alternatives of the resource's property, in the scenarios of the naming template."""
        path = parse_path(path)
        resolver = self.analysis.resolver
        if not self.foreign:
            start = self.scenario.merge(self.resource.exists_in)
            if start is None or not resolver.satisfiable(start):
                return []
            return resolver.get(self.resource.node, path, start)
        alts = resolver.get(self.resource.node, path, self.resource.exists_in)
        # the exporter's conditions are another stack's: only a value that does not depend on them is used
        if len(alts) == 1:
            return [Alt(alts[0].value, self.scenario)]
        return [Alt(Unknown(f"depends on the conditions of {self.template.file}"), self.scenario)]

    def follow(self, value, scenario: Scenario | None = None) -> Link | None:
        """What a value read from this resource (with :meth:`values`) names, in the resource's template."""
        return self.analysis.follow(value, self.scenario if scenario is None else scenario, self.via)

    def refers_to(self, value, resource: Resource) -> bool:
        """Whether a value read from this resource names ``resource``."""
        return self.analysis.refers_to(value, resource)

    def location(self, ctx: Context, path, scenario: Scenario | None = None, *, message: str = "") -> Location:
        """Where the property is written, in whichever template the resource lives (``scenario``
        picks the ``Fn::If`` branch in this template; another template's branches are not chosen)."""
        chosen = None if self.foreign else self.scenario if scenario is None else scenario
        return ctx.on(self.template).location(self.resource, path, chosen, message=message)

    def describe(self) -> str:
        where = f" (imported as {self.via} from {self.template.file})" if self.foreign else ""
        return f"{self.logical_id}{where}"


class Context:
    """One check's view of an :class:`Analysis`; the findings it makes carry the check's id."""

    def __init__(self, analysis: Analysis, check: Check) -> None:
        self.analysis = analysis
        self.check = check
        self.options = analysis.options.get(check.id, check.options)

    @property
    def template(self) -> Template:
        return self.analysis.template

    @property
    def resolver(self) -> Resolver:
        return self.analysis.resolver

    @property
    def graph(self) -> nx.MultiDiGraph:
        return self.analysis.graph

    @property
    def project(self) -> Project | None:
        return self.analysis.project

    def on(self, template: Template) -> Context:
        """This check's view of another template of the run: a project check reports in any
        template, and a finding about two templates gives the other one as a related location."""
        if template is self.template:
            return self
        analysis = self.project.analyses.get(template.file) if self.project is not None else None
        if analysis is None:
            analysis = Analysis(template, self.project.resolvers[template.file], self.project, self.analysis.options)
        return Context(analysis, self.check)

    def options_of(self, check_id: str) -> dict:
        """The options another check runs with, so checks that share out one practice (each
        finding to the first that matches) agree on where the boundaries are."""
        return self.analysis.options[check_id]

    def resources(self, *types: str) -> list[Resource]:
        return self.template.of_type(*types) if types else list(self.template.resources.values())

    def values(self, resource: Resource, path) -> list[Alt]:
        """The alternatives of a resource's property in the scenarios where the resource exists."""
        return self.resolver.get(resource.node, parse_path(path), resource.exists_in)

    def elements(
        self, resource: Resource, path, scenario: Scenario | None = None, *, resolved: bool = True
    ) -> list[tuple[tuple, Alt]]:
        """Each item of a list property with its own path (``path + (index,)``), for a finding
        on that item; only the items of lists that are known, in the scenarios where they exist
        (within ``scenario`` when given). ``resolved=False`` gives the items as written, for a
        caller that walks further into them (see ``Resolver.elements``)."""
        path = parse_path(path)
        scenario = resource.exists_in if scenario is None else scenario
        return [
            (path + (index,), alt)
            for index, alt in self.resolver.elements(resource.node, path, scenario, resolved=resolved)
        ]

    def resolve(self, node, scenario: Scenario = ALWAYS) -> list[Alt]:
        return self.resolver.resolve(node, scenario)

    def joint(self, *alternatives: Iterable[Alt], within: Scenario = ALWAYS) -> Iterator[tuple[Scenario, tuple]]:
        """Pair values per scenario: each satisfiable combination once, never across scenarios;
        only combinations that can hold ``within`` a scenario (one a caller is already in)."""
        combos: list[tuple[Scenario, tuple]] = [(within, ())] if self.resolver.satisfiable(within) else []
        for alts in alternatives:
            following = []
            for scenario, values in combos:
                for alt in alts:
                    merged = scenario.merge(alt.scenario)
                    if merged is not None and self.resolver.satisfiable(merged):
                        following.append((merged, values + (alt.value,)))
            combos = following
        yield from combos

    def merge(self, *scenarios: Scenario) -> Scenario | None:
        """The scenario in which all of these hold, or None when they cannot hold together
        (opposite choices of a Condition, or Conditions the template makes exclusive)."""
        merged: Scenario | None = ALWAYS
        for scenario in scenarios:
            merged = merged.merge(scenario)
            if merged is None:
                return None
        return merged if self.resolver.satisfiable(merged) else None

    def uncovered(
        self, covered: Iterable[Scenario], within: Scenario = ALWAYS, names: Iterable[str] = ()
    ) -> list[Scenario] | None:
        """The scenarios within ``within`` in which none of ``covered`` holds, as assignments of
        the conditions involved (and of ``names``); None when there are too many conditions to
        enumerate. Where something exists only in ``covered``, these are where it is missing."""
        covered = list(covered)
        if any(within.merge(scenario) == within for scenario in covered):
            return []
        involved = sorted({name for scenario in [within, *covered] for name, _ in scenario} | set(names))
        if len(involved) > MAX_CONDITIONS:
            return None
        return [
            choice
            for choice in _assignments(involved)
            if within <= choice
            and not any(scenario <= choice for scenario in covered)
            and self.resolver.satisfiable(choice)
        ]

    def follow(self, value, scenario: Scenario = ALWAYS) -> Link | None:
        """The resource a resolved value names, in this template or, through an import, in the
        exporting template of the run (see :meth:`Analysis.follow`)."""
        return self.analysis.follow(value, scenario)

    def refers_to(self, value, resource: Resource) -> bool:
        """Whether a resolved value names ``resource`` (of this template or, imported, of another)."""
        return self.analysis.refers_to(value, resource)

    def local(self, value) -> Resource | None:
        """The resource of this template a value names, None for one of another template: for an
        analysis of how one template wires its own resources (route tables, subnet groups)."""
        link = self.follow(value)
        return link.resource if link is not None and not link.foreign else None

    def links(self, resource: Resource, path) -> list[Link]:
        """The resources a property of ``resource`` names, one link per scenario that names one."""
        return [link for alt in self.values(resource, path) if (link := self.follow(alt.value, alt.scenario))]

    def location(
        self, resource: Resource | None, path, scenario: Scenario | None = None, *, message: str = ""
    ) -> Location:
        path = parse_path(path)
        start = resource.node if resource is not None else None
        mark = self.template.locate(path, scenario, start)
        name = resource.logical_id if resource is not None else None
        return Location(self.template.file, mark.line, mark.column, mark.end_line, mark.end_column, message, name)

    def finding(
        self,
        resource: Resource | None,
        path,
        message: str,
        scenario: Scenario = ALWAYS,
        *,
        severity: Severity | None = None,
        related: Iterable[Location] = (),
        at: Mark | None = None,
        rule: str | None = None,
    ) -> Finding:
        """A finding at ``path`` (relative to the resource, or to the template root when
        ``resource`` is None); an absent property is reported on its nearest enclosing key.
        The path is kept relative: with the logical id it identifies the finding across edits.
        ``at`` places the finding on a region the loader saw (a duplicate key) instead. ``rule``:
        the id of one of the check's children, to report that problem under its own id.

        A finding has the severity its id declares: one id names one problem with one severity.
        ``severity``, when given, must be that one; any other raises ``SeverityError`` (the run
        reports the check as failed), so a problem of another severity needs a child of its own."""
        entry = self.check if rule is None else self.check.child(rule)
        if severity is not None and severity != entry.severity:
            raise SeverityError(
                f"{entry.id} is declared {entry.severity} but reported at {severity}: report that problem under a "
                "Child id of its own"
            )
        path = parse_path(path)
        where = self.location(resource, path, scenario) if at is None else Location(self.template.file, *at)
        start = resource.node if resource is not None else None
        entity = path in ((), ("Properties",)) if resource is not None else len(path) <= 2  # a section, or one entry
        whole = entity or self.template.encloses(path, scenario, start)
        return Finding(
            rule_id=entry.id,
            name=entry.name,
            severity=entry.severity,
            file=where.file,
            line=where.line,
            column=where.column,
            end_line=where.end_line,
            end_column=where.end_column,
            resource=resource.logical_id if resource is not None else None,
            path=path,
            message=message,
            conditions=scenario.as_dict(),
            iteration=self.template.iteration(resource.path if resource is not None else path),
            related=tuple(related),
            anchored=at is None and whole,
        )


def _assignments(names: list[str]) -> Iterator[Scenario]:
    """Every assignment of truth values to ``names``."""
    if not names:
        yield Scenario()
        return
    for rest in _assignments(names[1:]):
        for value in (True, False):
            yield Scenario(rest | {(names[0], value)})
