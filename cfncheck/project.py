"""Several templates analysed together: the exports one template offers and another imports,
and the nested stacks a template creates from a local file.

The project resolves each template's ``Export.Name`` once and indexes them, so a resolver can
answer ``Fn::ImportValue`` with the exporting template's value when that template is in the run;
it indexes every ``Fn::ImportValue`` with its resolved name, and links each
``AWS::CloudFormation::Stack`` whose ``TemplateURL`` is a local path to the child template.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from functools import cached_property
from typing import Any

from .intrinsics import Resolver
from .references import guards, iter_calls
from .template import Output, Resource, Template
from .values import ABSENT, Scenario, is_known

NESTED_STACK = "AWS::CloudFormation::Stack"
CDK_ASSET_PATH = "aws:asset:path"
CDK_ASSET_PROPERTY = "aws:asset:property"


@dataclass(frozen=True)
class Export:
    name: str
    template: Template
    output: Output


@dataclass(frozen=True)
class Import:
    """One ``Fn::ImportValue`` whose name resolves, in the scenario where it is used."""

    name: str
    template: Template
    path: tuple  # from the template root to the ImportValue's mapping
    scenario: Scenario


@dataclass(frozen=True)
class NestedStack:
    """An ``AWS::CloudFormation::Stack`` of ``parent`` whose TemplateURL is the local file of ``child``."""

    parent: Template
    resource: Resource
    child: Template


@dataclass
class Project:
    templates: list[Template] = field(default_factory=list)
    resolvers: dict[str, Resolver] = field(default_factory=dict)  # by template file
    exports: dict[str, list[Export]] = field(default_factory=dict)
    imports: list[Import] = field(default_factory=list)
    nested: list[NestedStack] = field(default_factory=list)
    analyses: dict[str, Any] = field(default_factory=dict)  # by template file, set by the engine
    _following: set[str] = field(default_factory=set, repr=False)  # exports being resolved, against import cycles
    unresolved_exports: list[tuple[str, Export]] = field(default_factory=list)  # (glob, export)
    unreadable: dict[str, str] = field(default_factory=dict)  # text of the files of the run that did not load
    deployments: dict[str, frozenset[str]] = field(default_factory=dict)  # by template file, from the configuration
    partial: bool = False  # the run does not hold the whole project, and its other templates are not known
    observed: dict[tuple[str, str], object] = field(default_factory=dict)
    """What the run learnt of files it was not given, by (question, path): the nested stacks'
    templates it read or did not (``checking.load_children``), whether a TemplateURL names a file
    (``exists``). The result cache asks again before it reuses the run's findings."""

    def exists(self, path: str) -> bool:
        """Whether a file or folder is at ``path`` (relative to the working directory)."""
        found = self.observed[("exists", path)] = os.path.exists(path)
        return found

    def may_export(self, name: str) -> bool:
        """Whether ``name`` might be exported where the project cannot see it: by an export whose
        name is only partly known (``${AWS::StackName}-VpcId``), or in a file that did not load."""
        return any(fnmatchcase(name, pattern) for pattern, _ in self.unresolved_exports) or any(
            name in text for text in self.unreadable.values()
        )

    def same_deployment(self, first: Template, second: Template) -> bool:
        """Whether the two templates may be deployed to one account and region, where export names
        must be unique: they share a configured deployment, or neither is in one."""
        ours, theirs = self._deployments_of(first), self._deployments_of(second)
        return not ours.isdisjoint(theirs) or not (ours or theirs)

    def _deployments_of(self, template: Template, seen: frozenset[str] = frozenset()) -> frozenset[str]:
        """A template's configured deployments; a nested stack's template no glob names is
        deployed where its parents are."""
        own = self.deployments.get(template.file)
        if own:
            return own
        seen |= {template.file}
        return frozenset().union(
            *(
                self._deployments_of(nested.parent, seen)
                for nested in self.nested
                if nested.child is template and nested.parent.file not in seen
            )
        )

    def index_imports(self, templates: Iterable[Template]) -> None:
        for template in templates:
            resolver = self.resolvers[template.file]
            for argument, path, scenario in import_calls(template):
                for alt in resolver.resolve(argument, scenario):
                    if isinstance(alt.value, str):
                        self.imports.append(Import(alt.value, template, path, alt.scenario))

    @cached_property
    def _by_real_path(self) -> dict[str, Template]:
        return {_real(t.file): t for t in self.templates}

    def link_children(self, templates: Iterable[Template]) -> None:
        for template in templates:
            for resource, path in nested_template_paths(template):
                child = self._by_real_path.get(_real(path))
                if child is not None:
                    self.nested.append(NestedStack(template, resource, child))

    def child(self, parent: Template, logical_id: str) -> Template | None:
        """The template of a nested stack of ``parent``, when its TemplateURL is a file of the run."""
        for nested in self.nested:
            if nested.parent is parent and nested.resource.logical_id == logical_id:
                return nested.child
        return None

    def index_exports(self, templates: Iterable[Template]) -> None:
        for template in templates:
            resolver = self.resolvers[template.file]
            for output in template.outputs.values():
                if output.export_name is None:
                    continue
                for alt in resolver.resolve(output.export_name, output_scenario(output)):
                    if isinstance(alt.value, str):
                        self.exports.setdefault(alt.value, []).append(Export(alt.value, template, output))
                    else:
                        pattern = _glob(getattr(alt.value, "text", None))
                        self.unresolved_exports.append((pattern, Export(pattern, template, output)))

    def export_value(self, name: str):
        """The value exported under ``name`` by a template of the run, or ABSENT when there is none
        (or more than one, or its value depends on the exporter's conditions)."""
        exports = self.exports.get(name, [])
        if len(exports) != 1:
            return ABSENT
        export = exports[0]
        if name in self._following:  # the export's value imports itself, directly or through other exports
            return ABSENT
        self._following.add(name)
        try:
            alts = self.resolvers[export.template.file].resolve(export.output.value, output_scenario(export.output))
        finally:
            self._following.discard(name)
        # a Ref or GetAtt names a resource of the exporter, not of the importer: it stays an
        # import, which the reference follower takes to the exporting resource
        return alts[0].value if len(alts) == 1 and is_known(alts[0].value) else ABSENT


def output_scenario(output: Output) -> Scenario:
    return Scenario({(output.condition, True)}) if output.condition else Scenario()


def import_calls(template: Template) -> Iterator[tuple[object, tuple, Scenario]]:
    """Each ``Fn::ImportValue`` of a template: its argument, its path from the root, and the
    scenario in which it is used (its resource's or output's Condition, the Fn::If branches)."""
    for section in ("Resources", "Outputs"):
        entries = template.root.get(section)
        if not isinstance(entries, dict):
            continue
        for name, node in entries.items():
            if not isinstance(node, dict):
                continue
            condition = node.get("Condition")
            base = Scenario({(condition, True)}) if isinstance(condition, str) else Scenario()
            for argument, path in iter_calls(node, "Fn::ImportValue"):
                scenario = base
                for guard in guards(node, path):
                    scenario = scenario.with_condition(*guard) if scenario is not None else None
                if scenario is not None:
                    yield argument, (section, name) + path, scenario


def nested_template_paths(template: Template) -> list[tuple[Resource, str]]:
    """Nested stacks whose template is a local file, with its path relative to the parent's
    directory: a TemplateURL that is a literal local path (as ``aws cloudformation package``
    reads it), or the asset a CDK-synthesized stack names in its ``aws:asset:path`` metadata
    (its TemplateURL is the S3 location the asset is published to)."""
    found = []
    for resource in template.of_type(NESTED_STACK):
        url = resource.properties.get("TemplateURL")
        if not isinstance(url, str) or "://" in url or url.startswith("https:") or not url.strip():
            url = None
        if url is None and resource.metadata.get(CDK_ASSET_PROPERTY) == "TemplateURL":
            asset = resource.metadata.get(CDK_ASSET_PATH)
            url = asset if isinstance(asset, str) and asset.strip() and "://" not in asset else None
        if url is not None:
            found.append((resource, os.path.join(os.path.dirname(template.file), url)))
    return found


def _real(path: str) -> str:
    return os.path.realpath(path) if not path.startswith("<") else path


def _glob(text: str | None) -> str:
    """A name with ``${…}`` placeholders as a glob of the names it can take (anything when not known)."""
    if not text:
        return "*"
    escaped = re.sub(r"([\[\]?*])", r"[\1]", text)
    return re.sub(r"\$\{[^}]*\}", "*", escaped)
