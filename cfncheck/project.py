"""Several templates analysed together: the exports one template offers and another imports.

The project resolves each template's ``Export.Name`` once and indexes them, so a resolver can
answer ``Fn::ImportValue`` with the exporting template's value when that template is in the run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .intrinsics import Resolver
from .template import Output, Template
from .values import ABSENT, Scenario


@dataclass(frozen=True)
class Export:
    name: str
    template: Template
    output: Output


@dataclass
class Project:
    templates: list[Template] = field(default_factory=list)
    resolvers: dict[str, Resolver] = field(default_factory=dict)  # by template file
    exports: dict[str, list[Export]] = field(default_factory=dict)

    def index_exports(self, templates: Iterable[Template]) -> None:
        for template in templates:
            resolver = self.resolvers[template.file]
            for output in template.outputs.values():
                if output.export_name is None:
                    continue
                for alt in resolver.resolve(output.export_name, output_scenario(output)):
                    if isinstance(alt.value, str):
                        self.exports.setdefault(alt.value, []).append(Export(alt.value, template, output))

    def export_value(self, name: str):
        """The value exported under ``name`` by a template of the run, or ABSENT when there is none
        (or more than one, or its value depends on the exporter's conditions)."""
        exports = self.exports.get(name, [])
        if len(exports) != 1:
            return ABSENT
        export = exports[0]
        alts = self.resolvers[export.template.file].resolve(export.output.value, output_scenario(export.output))
        return alts[0].value if len(alts) == 1 else ABSENT


def output_scenario(output: Output) -> Scenario:
    return Scenario({(output.condition, True)}) if output.condition else Scenario()
