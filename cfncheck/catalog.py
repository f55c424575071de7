"""The catalog of checks: every check a run can select, built once per run from the engine's own
entries, the built-in check modules (``cfncheck.checks``), the modules that installed packages
declare under the ``cfncheck.checks`` entry-point group, and the ``*.py`` files of ``--checks-dir``
folders. The run and the reports are given the catalog; nothing registers itself anywhere.

A check is a function marked with :func:`check`; the mark is data on the function, which the
catalog reads from the modules it loads. A check may report some problems under ids of their own
(``children``): each child has its own name, severity and documentation, is selected, configured,
suppressed and baselined like any check, and is reported by its parent's function.
"""

from __future__ import annotations

import difflib
import functools
import importlib
import importlib.util
import inspect
import pkgutil
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from types import ModuleType

from .findings import ERROR, INFO, Severity

MARK = "__cfncheck__"
"""The attribute :func:`check` sets on a check function: its catalog entry."""


class Scope(StrEnum):
    """When a check runs, and what its function is given."""

    RESOURCE = "resource"  # f(resource, ctx), once per resource of its types
    TEMPLATE = "template"  # f(ctx), once per template
    PROJECT = "project"  # f(project, ctx), once per run, over every template
    ENGINE = "engine"  # reported by the engine itself; always on, never selected
    SUPPRESSION = "suppression"  # reported about the suppressions of a template, after the other checks


@dataclass(frozen=True)
class Check:
    """One entry of the catalog: what a finding with this id means, and the function that reports it."""

    id: str
    name: str
    severity: Severity
    function: Callable | None  # None: reported by the engine, or by the parent of a child
    scope: Scope
    types: tuple[str, ...] = ()
    fix: str = ""
    tags: tuple[str, ...] = ()
    options: dict = field(default_factory=dict, hash=False, compare=False)
    source: str = ""  # the module that defines it
    example: str = ""  # a template snippet that the check reports, for the documentation
    doc: str = ""  # what it reports and why; the first paragraph is the summary
    parent: str | None = None  # a child's parent: the check whose function reports it
    children: tuple[Check, ...] = ()
    help_uri: str = ""  # where a plugin documents the check (built-in checks: docs/checks.md)

    @property
    def is_builtin(self) -> bool:
        """Whether the check ships with cfncheck (the engine's, or one of ``cfncheck.checks``)."""
        return self.source.split(".")[0] == "cfncheck"

    @property
    def rationale(self) -> str:
        return inspect.cleandoc(self.doc)

    @property
    def summary(self) -> str:
        return self.rationale.split("\n\n", 1)[0].replace("\n", " ")

    def child(self, rule_id: str) -> Check:
        """The entry a finding of this check's function is made under: itself or one of its children."""
        if rule_id == self.id:
            return self
        for entry in self.children:
            if entry.id == rule_id:
                return entry
        raise KeyError(f"check {self.id} has no child {rule_id}")


@dataclass(frozen=True)
class Child:
    """A problem a check reports under an id of its own (see :func:`check`)."""

    id: str
    name: str
    severity: Severity | str
    doc: str
    fix: str = ""
    example: str = ""
    tags: tuple[str, ...] | None = None  # None: the parent's
    help_uri: str | None = None  # None: the parent's

    def entry(self, parent: Check) -> Check:
        return Check(
            id=self.id,
            name=self.name,
            severity=_severity(self.severity),
            function=None,
            scope=parent.scope,
            types=parent.types,
            fix=self.fix,
            tags=parent.tags if self.tags is None else tuple(self.tags),
            source=parent.source,
            example=inspect.cleandoc(self.example),
            doc=self.doc,
            parent=parent.id,
            help_uri=parent.help_uri if self.help_uri is None else self.help_uri,
        )


def check(
    id: str,
    name: str,
    severity: Severity | str,
    *,
    types: Iterable[str] | None = None,
    scope: Scope | str | None = None,
    fix: str = "",
    tags: Iterable[str] = (),
    options: dict | None = None,
    example: str = "",
    children: Iterable[Child] = (),
    help_uri: str = "",
) -> Callable[[Callable], Callable]:
    """Mark a function as a check. With ``types`` it runs once per resource of those types;
    without, once per template (``scope="project"``: once per run, over every template). Its
    docstring is its rationale. ``children`` are the problems it reports under ids of their own
    (``ctx.finding(..., rule=CHILD_ID)``). ``help_uri`` is the page where a plugin documents the
    check, for SARIF and ``cfncheck explain``."""

    def mark(function: Callable) -> Callable:
        entry = Check(
            id=id,
            name=name,
            severity=_severity(severity),
            function=function,
            scope=Scope(scope) if scope else Scope.RESOURCE if types else Scope.TEMPLATE,
            types=tuple(types or ()),
            fix=fix,
            tags=tuple(tags),
            options=dict(options or {}),
            source=function.__module__,
            example=inspect.cleandoc(example),
            doc=function.__doc__ or "",
            help_uri=help_uri,
        )
        setattr(function, MARK, replace(entry, children=tuple(child.entry(entry) for child in children)))
        return function

    return mark


def _severity(severity: Severity | str) -> Severity:
    return Severity.parse(severity) if isinstance(severity, str) else Severity(severity)


INTERNAL_ERROR = Check(
    "CFN000",
    "internal-error",
    ERROR,
    None,
    Scope.ENGINE,
    source=__name__,
    doc="""A check raised an exception instead of reporting; its findings for that resource are lost.

    This is a bug in the check, not in the template: please report it with the template.""",
)
ANALYSIS_BOUNDED = Check(
    "CFN900",
    "analysis-bounded",
    INFO,
    None,
    Scope.ENGINE,
    source=__name__,
    doc="""cfncheck gave up on part of the template and says which: a value with too many condition
    scenarios to enumerate (or too long a text), an ``Fn::ForEach`` loop whose collection is not
    known, a macro it cannot run (a ``Transform`` other than SAM and the language extensions,
    ``Fn::Transform``), a nested stack's local template it did not read (outside the project, or
    not a template). The finding names the resource and the property path, or the loop; checks
    treated what was skipped as unknown, so findings about it may be missing.""",
)
SUPPRESSION_WITHOUT_REASON = Check(
    "CFN901",
    "suppression-without-reason",
    INFO,
    None,
    Scope.SUPPRESSION,
    fix="Write the entry as `{id: ID, reason: why this finding does not apply here}`.",
    source=__name__,
    doc="""A suppression in Metadata should say why the finding does not apply, so that a reviewer
    can judge it and a later reader knows when it can go.""",
)
SUPPRESSION_UNUSED = Check(
    "CFN902",
    "suppression-unused",
    INFO,
    None,
    Scope.SUPPRESSION,
    fix="Remove the entry from `Metadata.cfncheck.ignore`.",
    source=__name__,
    doc="""A suppression that matches no finding is stale: the problem was fixed, or the id is
    misspelled. Left in place, it would silently hide the problem if it came back.

    Only suppressions of checks that ran are judged: with ``--select``, an entry for a check
    that was not selected is left alone.""",
)
ENGINE_CHECKS = (INTERNAL_ERROR, ANALYSIS_BOUNDED, SUPPRESSION_WITHOUT_REASON, SUPPRESSION_UNUSED)
"""What the engine reports itself: failures, limits of the analysis, and suppressions."""


def matches(entry: Check, selector: str) -> bool:
    """A selector is an id (``SG001``), a name (``sg-admin-port-open-to-world``) or an id prefix (``SG``)."""
    key = selector.strip()
    return key.upper() == entry.id or key.lower() == entry.name or (key.isalnum() and entry.id.startswith(key.upper()))


class Catalog:
    """The checks of a run, by id and by name. ``problems``: the plugins and check folders that
    failed to load (the run goes on without them, and its exit status says so); ``notices``:
    the plugins not loaded because the repository under check put them there (the run goes on)."""

    def __init__(
        self, entries: Iterable[Check] = (), problems: Iterable[str] = (), notices: Iterable[str] = ()
    ) -> None:
        self._by_id: dict[str, Check] = {}
        self._by_name: dict[str, Check] = {}
        self.problems = list(problems)
        self.notices = list(notices)
        for entry in entries:
            self._add(entry)

    def _add(self, entry: Check) -> None:
        existing = self._by_id.get(entry.id)
        if existing is not None and existing.source != entry.source:
            self.problems.append(f"check id {entry.id} is defined twice: in {existing.source} and {entry.source}")
            return
        for each in (entry, *entry.children):
            self._by_id[each.id] = each
            self._by_name[each.name] = each

    @classmethod
    def load(cls, directories: Iterable[str | Path] = (), trust: bool = False) -> Catalog:
        """The engine's checks, the built-in ones, those of installed plugins and of ``directories``.
        A plugin installed in the working directory (on the import path of ``python -m``) is the
        repository's own code: it is loaded only with ``trust``."""
        catalog = cls(_builtin())
        plugins = _entry_point_modules(trust, catalog.notices)
        for module, problem in (*plugins, *(m for d in directories for m in _directory_modules(d))):
            if problem is not None:
                catalog.problems.append(problem)
            for entry in _marked(module):
                catalog._add(entry)
        return catalog

    @classmethod
    def builtin(cls) -> Catalog:
        """The checks that ship with cfncheck: the engine's and the ``cfncheck.checks`` package's."""
        return cls(_builtin())

    def __iter__(self) -> Iterator[Check]:
        return iter(sorted(self._by_id.values(), key=lambda c: c.id))

    def __len__(self) -> int:
        return len(self._by_id)

    def find(self, id_or_name: str) -> Check | None:
        key = id_or_name.strip()
        return self._by_id.get(key.upper()) or self._by_name.get(key.lower())

    def nearest(self, selector: str) -> str | None:
        """The check id or name closest to a misspelled one, for a "did you mean" hint."""
        candidates = {c.id.lower(): c.id for c in self._by_id.values()} | {name: name for name in self._by_name}
        close = difflib.get_close_matches(selector.strip().lower(), list(candidates), n=1, cutoff=0.6)
        return candidates[close[0]] if close else None

    def select(self, include: Iterable[str] = (), exclude: Iterable[str] = ()) -> list[Check]:
        """The checks to run: those ``include`` names (all when empty) but ``exclude`` does not;
        the engine's own are always on and never listed."""
        include, exclude = list(include), list(exclude)
        return [
            c
            for c in self
            if c.scope != Scope.ENGINE
            and (not include or any(matches(c, s) for s in include))
            and not any(matches(c, s) for s in exclude)
        ]

    def unknown(self, selectors: Iterable[str]) -> list[str]:
        """The selectors that name no check."""
        return [s for s in selectors if not any(matches(c, s) for c in self)]

    def runners(self, selected: Iterable[Check]) -> list[Check]:
        """The checks whose functions report the ``selected`` ones: each itself, or a child's parent."""
        found: dict[str, Check] = {}
        for entry in selected:
            runner = self._by_id.get(entry.parent, entry) if entry.parent else entry
            if runner.function is not None:
                found.setdefault(runner.id, runner)
        return sorted(found.values(), key=lambda c: c.id)

    def options(self, configured: Mapping[str, dict]) -> dict[str, dict]:
        """Every check's options: its defaults under the configured values."""
        return {c.id: {**c.options, **configured.get(c.id, {})} for c in self._by_id.values() if c.options}

    def configured(self, severities: Mapping[str, Severity]) -> Catalog:
        """The same checks, with the configured severities as their own."""
        entries = [replace(c, severity=severities[c.id]) if c.id in severities else c for c in self._by_id.values()]
        configured = Catalog(problems=self.problems, notices=self.notices)
        for entry in entries:  # children are entries of their own here, each with its severity
            configured._by_id[entry.id] = entry
            configured._by_name[entry.name] = entry
        return configured


@functools.cache
def _builtin() -> tuple[Check, ...]:
    package = _builtin_package()
    entries = list(ENGINE_CHECKS)
    for module in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
        if not module.name.rsplit(".", 1)[-1].startswith("_"):
            entries += _marked(importlib.import_module(module.name))
    return tuple(entries)


def _builtin_package() -> ModuleType:
    """``cfncheck.checks``: installed from ``checks/`` by pyproject's package-dir mapping. Run from a
    source tree that is not installed editable (``python -m cfncheck`` at the repository root after
    ``pip install .``), the local ``cfncheck`` package shadows the installed one and has no ``checks``:
    the repository's ``checks/`` folder beside it is mapped the same way here."""
    name = f"{__package__}.checks"
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as err:
        folder = Path(__file__).resolve().parent.parent / "checks"
        if err.name != name or not (folder / "__init__.py").is_file():
            raise
    spec = importlib.util.spec_from_file_location(
        name, folder / "__init__.py", submodule_search_locations=[str(folder)]
    )
    package = importlib.util.module_from_spec(spec)
    sys.modules[name] = package
    spec.loader.exec_module(package)
    return package


def _marked(module: ModuleType | None) -> list[Check]:
    """The checks a module defines or imports; for a package, also those of its loaded submodules."""
    if module is None:
        return []
    found = {}
    prefix = f"{module.__name__}."
    modules = [module] + [m for name, m in list(sys.modules.items()) if name.startswith(prefix) and m is not None]
    for each in modules:
        for value in list(vars(each).values()):
            entry = getattr(value, MARK, None) if callable(value) else None
            if isinstance(entry, Check):
                found[entry.id] = entry
    return list(found.values())


def _entry_point_modules(trust: bool, notices: list[str]) -> Iterator[tuple[ModuleType | None, str | None]]:
    """The modules of installed plugins; a plugin that fails to load is a problem, never a crash.
    One the working directory holds is noted in ``notices`` and not loaded, unless ``trust``."""
    from importlib.metadata import entry_points

    for entry in entry_points(group="cfncheck.checks"):
        if not trust and _in_working_directory(entry):
            notices.append(
                f"check plugin {entry.name} ({entry.value}) not loaded: it is installed in the working directory, "
                "by the repository itself; run it only with --trust-config (or CFNCHECK_TRUST_CONFIG=1)"
            )
            continue
        try:
            loaded = entry.load()
        except Exception as err:  # noqa: BLE001 - any failure of a plugin is reported, not raised
            yield None, f"check plugin {entry.name} ({entry.value}) failed to load: {err}"
            continue
        yield (loaded if isinstance(loaded, ModuleType) else sys.modules.get(entry.module)), None


def _in_working_directory(entry) -> bool:
    distribution = getattr(entry, "dist", None)
    if distribution is None:
        return False
    try:
        return Path(distribution.locate_file("")).resolve() == Path.cwd().resolve()
    except (OSError, RuntimeError, TypeError):  # no file behind it, or a symbolic link loop
        return False


def _directory_modules(directory: str | Path) -> Iterator[tuple[ModuleType | None, str | None]]:
    for path in sorted(Path(directory).glob("*.py")):
        name = f"cfncheck_local_checks.{path.stem}"
        try:
            spec = importlib.util.spec_from_file_location(name, path)
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module
            spec.loader.exec_module(module)
        except Exception as err:  # noqa: BLE001 - reported, the run goes on
            yield None, f"{path}: check module failed to load: {err}"
            continue
        yield module, None
