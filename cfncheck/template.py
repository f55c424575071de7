"""The template model: a loaded document seen as CloudFormation sees it.

Sections become typed records (``Parameter``, ``Resource``, ``Output``) that still point at
their marked nodes, so every later stage can say where a thing was written. With the SAM
transform, ``Globals`` are merged into each ``AWS::Serverless::*`` resource here, once, so a
check reads a function's effective ``Timeout`` and a finding lands on the line (in the
resource or in ``Globals``) that set it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

from .loader import ESCAPED, Document, LoadError
from .nodes import Mark, MarkedDict, MarkedList, copy_mapping, derived, mark_of_child
from .values import Scenario

SAM_TRANSFORM = "AWS::Serverless-2016-10-31"
LANGUAGE_EXTENSIONS = "AWS::LanguageExtensions"
SAM_GLOBAL_SECTIONS = {
    "AWS::Serverless::Function": "Function",
    "AWS::Serverless::Api": "Api",
    "AWS::Serverless::HttpApi": "HttpApi",
    "AWS::Serverless::SimpleTable": "SimpleTable",
    "AWS::Serverless::StateMachine": "StateMachine",
    "AWS::Serverless::LayerVersion": "LayerVersion",
    "AWS::Serverless::CapacityProvider": "CapacityProvider",
    "AWS::Serverless::WebSocketApi": "WebSocketApi",
}


class Skipped(NamedTuple):
    """A part of the template the analysis gave up on (a loop whose collection is not known, a
    macro it cannot run, a value past a cap): reported once, so nothing goes unchecked in silence."""

    message: str
    path: tuple  # from the template's root, as written
    mark: Mark | None  # where it is written, when known


@dataclass
class Parameter:
    name: str
    node: MarkedDict
    type: str
    default: object  # the raw Default node, None when absent
    has_default: bool
    no_echo: bool
    allowed_values: list | None

    @property
    def is_list(self) -> bool:
        return self.type.startswith("List<") or self.type == "CommaDelimitedList"

    @property
    def from_ssm(self) -> bool:
        """Its value is read from Parameter Store at deploy time; the Default is a parameter name."""
        return self.type.startswith("AWS::SSM::Parameter::Value<")


@dataclass
class Resource:
    logical_id: str
    type: str
    node: MarkedDict  # the resource as CloudFormation will see it (SAM Globals merged in)
    properties: MarkedDict
    condition: str | None
    depends_on: list[str]
    metadata: dict

    @property
    def path(self) -> tuple:
        return ("Resources", self.logical_id)

    @property
    def exists_in(self) -> Scenario:
        """The scenario in which the resource is created."""
        return Scenario({(self.condition, True)}) if self.condition else Scenario()

    def get(self, key: str, default=None):
        """A resource attribute as written (DeletionPolicy, UpdatePolicy…), unresolved."""
        return self.node.get(key, default)


@dataclass
class Output:
    name: str
    node: MarkedDict
    condition: str | None

    @property
    def value(self):
        return self.node.get("Value")

    @property
    def export_name(self):
        export = self.node.get("Export")
        return export.get("Name") if isinstance(export, dict) else None


_ESCAPED = re.compile(ESCAPED.pattern.decode())


@dataclass
class Template:
    document: Document
    parameters: dict[str, Parameter] = field(default_factory=dict)
    mappings: MarkedDict = field(default_factory=MarkedDict)
    conditions: MarkedDict = field(default_factory=MarkedDict)
    resources: dict[str, Resource] = field(default_factory=dict)
    outputs: dict[str, Output] = field(default_factory=dict)
    transforms: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    iterations: dict[tuple[str, str], tuple] = field(default_factory=dict)
    """The ``Fn::ForEach`` iteration that made an entry of a section, by (section, name):
    ``(("Name", "Orders"),)``, outermost loop first."""
    generated: dict[str, Resource] = field(default_factory=dict)
    """The resources the SAM transform generates (``MyFunctionRole``…), by logical id: names a
    template may use, and wiring checks credit; checks of resources read the written ones."""
    expanded: MarkedDict | None = field(default=None, repr=False, compare=False)
    """The root with ``Fn::ForEach`` loops expanded (``AWS::LanguageExtensions``), once expanded."""
    _by_type: dict[str, list[Resource]] | None = field(default=None, init=False, repr=False, compare=False)
    _indexed: int = field(default=0, init=False, repr=False, compare=False)

    @property
    def file(self) -> str:
        return self.document.file

    @property
    def root(self) -> MarkedDict:
        """The template as CloudFormation reads it: the document, with its loops expanded."""
        return self.document.root if self.expanded is None else self.expanded

    def use_expanded(self, root: MarkedDict, skipped: list[Skipped], iterations: dict) -> None:
        """Read Conditions, Resources and Outputs again from ``root``, the document with its
        ``Fn::ForEach`` loops expanded."""
        self.expanded = root
        self.skipped = self.skipped + skipped
        self.iterations = iterations
        self.conditions = _section(root, "Conditions")
        self.resources, self.outputs = {}, {}
        self._by_type = None
        _model_entries(self, root)

    def may_contain(self, text: str) -> bool:
        """Whether some value of the file may hold ``text``: the file shows it, or has an escape
        that could spell it. A cheap test that spares a check walking every value of the many
        templates that cannot hold what it looks for."""
        return text in self.document.text or self.has_escapes

    @property
    def has_escapes(self) -> bool:
        """Whether the file has an escape in a quoted string, which can spell what its text does not show."""
        return derived(self.root, "has escapes", lambda: _ESCAPED.search(self.document.text) is not None)

    def module_of(self, name: str) -> str | None:
        """The module (a resource of a ``…::MODULE`` type) that makes the resource ``name``
        names: ``MyModuleMyBucket`` or ``MyModule.MyBucket``. What a module makes is not in
        the template; a reference to it is unknown, not undefined."""
        modules = derived(
            self.root,
            "modules",
            lambda: [r.logical_id for r in self.resources.values() if r.type.endswith("::MODULE")],
        )
        for module in modules:
            if name.startswith(module) and len(name) > len(module) and name not in self.resources:
                return module
        return None

    def generated_of_type(self, *types: str) -> list[Resource]:
        return [resource for resource in self.generated.values() if resource.type in types]

    def iteration(self, path) -> tuple:
        """The loop iteration that made the entry at ``path`` (from the root), or ``()``."""
        return self.iterations.get(tuple(path[:2]), ()) if len(path) >= 2 else ()

    @property
    def is_sam(self) -> bool:
        return SAM_TRANSFORM in self.transforms

    def of_type(self, *types: str) -> list[Resource]:
        """The resources of these types, in template order (indexed once: checks ask per resource)."""
        if self._by_type is None or self._indexed != len(self.resources):
            self._by_type, self._indexed = {}, len(self.resources)
            for resource in self.resources.values():
                self._by_type.setdefault(resource.type, []).append(resource)
        found = [r for kind in dict.fromkeys(types) for r in self._by_type.get(kind, ())]
        if len(types) > 1:
            order = {id(r): index for index, r in enumerate(self.resources.values())}
            found.sort(key=lambda r: order[id(r)])
        return found

    def place(self, mark: Mark) -> tuple:
        """The path from the root of the property written at ``mark``: the deepest entry whose
        region holds it, stopping at an intrinsic function (the property is what it computes)."""
        node, path = self.root, ()
        target = (mark.line, mark.column, mark.end_line, mark.end_column)
        while isinstance(node, (MarkedDict, MarkedList)) and not _is_intrinsic(node):
            keys = list(node) if isinstance(node, MarkedDict) else range(len(node))
            for key in keys:
                region = mark_of_child(node, key)
                if region is not None and _holds(region, target):
                    node, path = node[key], path + (key,)
                    break
            else:
                break
        return path

    def locate(self, path, scenario: Scenario | None = None, start: MarkedDict | None = None) -> Mark:
        """The region of ``path`` (from the root, or from ``start``), or of its deepest existing part.

        An absent property is reported where it should be added: on the nearest enclosing
        key. ``Fn::If`` nodes on the way are followed into the branch the scenario selects.
        """
        return self._reach(path, scenario, start)[0]

    def encloses(self, path, scenario: Scenario | None = None, start: MarkedDict | None = None) -> bool:
        """Whether ``path`` is absent, so that :meth:`locate` gives the region of a node that
        encloses where it would be (a report showing one line shows that region's first)."""
        return self._reach(path, scenario, start)[1] < len(path)

    def _reach(self, path, scenario: Scenario | None, start: MarkedDict | None) -> tuple[Mark, int]:
        """The region of the deepest existing part of ``path``, and how many of its keys exist."""
        node = self.root if start is None else start
        best = node.mark
        for depth, key in enumerate(path):
            node = _select_branch(node, scenario)
            mark = mark_of_child(node, key)
            if mark is None:
                return best, depth
            best = mark
            node = node[key]
        return best, len(path)


def _holds(region: Mark, target: tuple) -> bool:
    return (region.line, region.column) <= target[:2] and target[2:] <= (region.end_line, region.end_column)


def _select_branch(node, scenario):
    while isinstance(node, MarkedDict) and len(node) == 1 and "Fn::If" in node and scenario:
        args = node["Fn::If"]
        if not (isinstance(args, list) and len(args) == 3 and isinstance(args[0], str)):
            break
        chosen = scenario.get(args[0])
        if chosen is None:
            break
        node = args[1] if chosen else args[2]
    return node


def build(document: Document) -> Template:
    """The model of a loaded document; raises LoadError when there is no model to build."""
    root = document.root
    template = Template(document)
    resources = root.get("Resources")
    if "Resources" in root and not isinstance(resources, MarkedDict):
        kind = "empty" if resources is None else type(resources).__name__.replace("Marked", "").lower()
        raise LoadError(
            document.file, f"Resources must be a mapping of resources, not {kind}", root.key_marks["Resources"].line
        )
    transform = root.get("Transform")
    template.transforms = [t for t in (transform if isinstance(transform, list) else [transform]) if isinstance(t, str)]
    for name in template.transforms:
        if name not in (SAM_TRANSFORM, LANGUAGE_EXTENSIONS):
            message = (
                f"the macro {name} is not run by cfncheck: what it makes or changes was not checked, and the checks "
                "of names, types and properties were skipped"
            )
            template.skipped.append(Skipped(message, ("Transform",), mark_of_child(root, "Transform")))
    template.mappings = _section(root, "Mappings")
    template.conditions = _section(root, "Conditions")
    for name, node in _section(root, "Parameters").items():
        if isinstance(node, MarkedDict):
            template.parameters[name] = _parameter(name, node)
    _model_entries(template, root)
    return template


def _model_entries(template: Template, root: MarkedDict) -> None:
    """The outputs and resources of ``root``, with SAM Globals merged into SAM resources."""
    for name, node in _section(root, "Outputs").items():
        if isinstance(node, MarkedDict):
            condition = node.get("Condition")
            template.outputs[name] = Output(name, node, condition if isinstance(condition, str) else None)
    globals_ = _section(root, "Globals") if template.is_sam else MarkedDict()
    for logical_id, node in _section(root, "Resources").items():
        if not isinstance(node, MarkedDict) or not isinstance(node.get("Type"), str):
            continue  # reported by the structure check; nothing to model
        template.resources[logical_id] = _resource(logical_id, node, globals_)


def _section(root: MarkedDict, name: str) -> MarkedDict:
    value = root.get(name)
    return value if isinstance(value, MarkedDict) else MarkedDict()


def _parameter(name: str, node: MarkedDict) -> Parameter:
    no_echo = node.get("NoEcho")
    allowed = node.get("AllowedValues")
    return Parameter(
        name=name,
        node=node,
        type=str(node.get("Type", "String")),
        default=node.get("Default"),
        has_default="Default" in node,
        no_echo=no_echo is True or (isinstance(no_echo, str) and no_echo.lower() == "true"),
        allowed_values=list(allowed) if isinstance(allowed, list) else None,
    )


def _resource(logical_id: str, node: MarkedDict, globals_: MarkedDict) -> Resource:
    kind = node["Type"]
    properties = node.get("Properties")
    if not isinstance(properties, MarkedDict):
        properties = MarkedDict(mark=node.mark_of("Type"))
    section = globals_.get(SAM_GLOBAL_SECTIONS.get(kind, ""))
    if isinstance(section, MarkedDict) and section:
        properties = _merge_globals(section, properties, node.get("IgnoreGlobals"))
        node = copy_mapping(node)
        node["Properties"] = properties
        node.key_marks.setdefault("Properties", node.mark_of("Type"))
        node.value_marks.setdefault("Properties", properties.mark)
    depends = node.get("DependsOn")
    depends_on = [depends] if isinstance(depends, str) else [d for d in depends or () if isinstance(d, str)]
    condition = node.get("Condition")
    metadata = node.get("Metadata")
    return Resource(
        logical_id=logical_id,
        type=kind,
        node=node,
        properties=properties,
        condition=condition if isinstance(condition, str) else None,
        depends_on=depends_on if isinstance(depends, (str, list)) else [],
        metadata=metadata if isinstance(metadata, dict) else {},
    )


def _merge_globals(globals_: MarkedDict, own: MarkedDict, ignore) -> MarkedDict:
    """SAM's rules: the resource's own scalars win, mappings merge, lists add the global items first."""
    if ignore == "*":
        return own
    ignored = set(ignore) if isinstance(ignore, list) else set()
    merged = copy_mapping(own)
    for key, value in globals_.items():
        if key in ignored:
            continue
        if key not in own:
            merged[key] = value
            merged.key_marks[key] = globals_.key_marks[key]
            merged.value_marks[key] = globals_.value_marks[key]
        elif isinstance(value, MarkedDict) and isinstance(own[key], MarkedDict) and not _is_intrinsic(own[key]):
            merged[key] = _merge_globals(value, own[key], None)
        elif isinstance(value, MarkedList) and isinstance(own[key], MarkedList):
            items = MarkedList(value + own[key], mark=own[key].mark)
            items.item_marks = value.item_marks + own[key].item_marks
            merged[key] = items
    return merged


def _is_intrinsic(node) -> bool:
    return isinstance(node, dict) and len(node) == 1 and next(iter(node)).startswith(("Fn::", "Ref", "Condition"))
