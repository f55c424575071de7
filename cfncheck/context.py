"""What a check receives: the template, the resolver, the graph, and a way to report."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from functools import cached_property
from typing import TYPE_CHECKING

from .findings import Finding, Location, Severity
from .graph import build_graph, resource_dependencies, resource_users
from .intrinsics import Resolver
from .nodes import Mark
from .registry import find
from .template import Resource, Template
from .values import ALWAYS, Alt, Reference, Scenario, Unknown, parse_path

if TYPE_CHECKING:
    import networkx as nx

    from .project import Project
    from .references import Use
    from .registry import Check


class Analysis:
    """Everything known about one template in this run, shared by all checks."""

    def __init__(
        self, template: Template, resolver: Resolver, project: Project | None = None, options: dict | None = None
    ):
        self.template = template
        self.resolver = resolver
        self.project = project
        self.options = options or {}  # the run's per-check options, by check id
        self.cache: dict = {}  # shared analyses computed once per template (indexes of wiring, policies…)
        self.timing: Callable[[str], AbstractContextManager] = nullcontext  # the engine's phase timer

    @cached_property
    def graph(self) -> nx.MultiDiGraph:
        with self.timing("graph"):
            return build_graph(self.template)  # networkx is imported only when a check asks for the graph

    @cached_property
    def dependencies(self) -> dict[str, set[str]]:
        """The resources each resource uses: the graph's edges between resources, without networkx."""
        return resource_dependencies(self.template)

    @cached_property
    def users(self) -> dict[str, list[tuple[tuple[str, str], Use]]]:
        """Who uses each resource, and how: the graph's edges into it, without networkx."""
        return resource_users(self.template)


class Context:
    """One check's view of an :class:`Analysis`; the findings it makes carry the check's id."""

    def __init__(self, analysis: Analysis, check: Check, options: dict | None = None) -> None:
        self.analysis = analysis
        self.check = check
        self.options = {**check.options, **(options or {})}

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
            analysis = Analysis(template, self.project.resolvers[template.file], self.project)
        context = Context(analysis, self.check)
        context.options = self.options
        return context

    def options_of(self, check_id: str) -> dict:
        """The options another check runs with, so checks that share out one practice (each
        finding to the first that matches) agree on where the boundaries are."""
        entry = find(check_id)
        return {**(entry.options if entry else {}), **self.analysis.options.get(check_id, {})}

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

    def target(self, value) -> Resource | None:
        """The resource of this template a resolved value names: a Ref, a GetAtt, or a string
        built (with Fn::Sub or Fn::Join) from exactly one resource's reference."""
        if isinstance(value, Reference):
            return self.template.resources.get(value.target)
        if isinstance(value, Unknown) and value.refs:
            targets = {ref.target for ref in value.refs if isinstance(ref, Reference)}
            if len(targets) == 1:
                return self.template.resources.get(targets.pop())
        return None

    def location(
        self, resource: Resource | None, path, scenario: Scenario | None = None, *, message: str = ""
    ) -> Location:
        path = parse_path(path)
        start = resource.node if resource is not None else None
        mark = self.template.locate(path, scenario, start)
        return Location(self.template.file, mark.line, mark.column, mark.end_line, mark.end_column, message)

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
    ) -> Finding:
        """A finding at ``path`` (relative to the resource, or to the template root when
        ``resource`` is None); an absent property is reported on its nearest enclosing key.
        The path is kept relative: with the logical id it identifies the finding across edits.
        ``at`` places the finding on a region the loader saw (a duplicate key) instead."""
        path = parse_path(path)
        where = self.location(resource, path, scenario) if at is None else Location(self.template.file, *at)
        return Finding(
            rule_id=self.check.id,
            name=self.check.name,
            severity=severity or self.check.severity,
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
        )
