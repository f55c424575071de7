"""The catalog of checks: every check a run can select, built once per run from the engine's own
entries, the built-in check modules (``cfncheck.checks``), the modules that installed packages
declare under the ``cfncheck.checks`` entry-point group, and the ``*.py`` files of ``--checks-dir``
folders. The run and the reports are given the catalog; nothing registers itself anywhere.

A check is a function marked with :func:`check`; the mark is data on the function, which the
catalog reads from the modules it loads. A check may report some problems under ids of their own
(``children``): each child has its own name, severity and documentation, is selected, configured,
suppressed and baselined like any check, and is reported by its parent's function.

One id names one problem with one severity: a check reports only at the severity it declares
(``Context.finding`` refuses any other). A check that CloudFormation or the service rejects is a
*deploy failure* (``deploy_failure``): a configured severity never lowers it. An entry that took
over findings reported under other ids before (``formerly``) makes those ids *aliases* for one
release: a selector, severity, suppression or baseline entry naming the old id still means every
id it became, and the run says so once (see :meth:`Catalog.resolve`).
"""

from __future__ import annotations

import difflib
import functools
import importlib
import importlib.util
import inspect
import pkgutil
import sys
import textwrap
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from types import ModuleType

from .findings import ERROR, INFO, Severity

MARK = "__cfncheck__"
"""The attribute :func:`check` sets on a check function: its catalog entry."""
ALIASES_UNTIL = "0.3.0"
"""The release that drops the aliases of ids whose problems were split into ids of their own."""
PRECISIONS = ("very-high", "high", "medium", "low")
"""How often a check's findings are right, as SARIF (and GitHub code scanning) rank rules."""


class Scope(StrEnum):
    """When a check runs, and what its function is given."""

    RESOURCE = "resource"  # f(resource, ctx), once per resource of its types
    TEMPLATE = "template"  # f(ctx), once per template
    PROJECT = "project"  # f(project, ctx), once per run, over every template
    ENGINE = "engine"  # reported by the engine itself; always on, never selected
    SUPPRESSION = "suppression"  # reported about the suppressions of a template, after the other checks


def _snippet(example: str) -> str:
    """An example as written, its common indentation removed (a YAML snippet keeps its nesting,
    which ``inspect.cleandoc`` would not when the first line is not indented)."""
    return textwrap.dedent(example).strip("\n")


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
    deploy_failure: bool = False  # CloudFormation or the service rejects what it reports
    formerly: tuple[str, ...] = ()  # ids its findings were reported under before (aliases for one release)
    precision: str = "high"  # one of PRECISIONS

    @property
    def is_builtin(self) -> bool:
        """Whether the check ships with cfncheck (the engine's, or one of ``cfncheck.checks``)."""
        return self.source.split(".")[0] == "cfncheck"

    @property
    def theme(self) -> str:
        """The catalog section of a built-in check (``encryption`` for ``cfncheck.checks.encryption.s3``),
        ``engine`` for the engine's own entries, else nothing."""
        parts = self.source.split(".")
        if parts[:2] == ["cfncheck", "checks"] and len(parts) > 2:
            return parts[2].rstrip("_")
        return "engine" if self.source == __name__ else ""

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
    deploy_failure: bool = False
    formerly: tuple[str, ...] = ()
    precision: str | None = None  # None: the parent's

    def entry(self, parent: Check) -> Check:
        return _validated(
            Check(
                id=self.id,
                name=self.name,
                severity=_severity(self.severity),
                function=None,
                scope=parent.scope,
                types=parent.types,
                fix=self.fix,
                tags=parent.tags if self.tags is None else tuple(self.tags),
                source=parent.source,
                example=_snippet(self.example),
                doc=self.doc,
                parent=parent.id,
                help_uri=parent.help_uri if self.help_uri is None else self.help_uri,
                deploy_failure=self.deploy_failure,
                formerly=tuple(self.formerly),
                precision=parent.precision if self.precision is None else self.precision,
            )
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
    deploy_failure: bool = False,
    formerly: Iterable[str] = (),
    precision: str = "high",
) -> Callable[[Callable], Callable]:
    """Mark a function as a check. With ``types`` it runs once per resource of those types;
    without, once per template (``scope="project"``: once per run, over every template). Its
    docstring is its rationale. ``children`` are the problems it reports under ids of their own
    (``ctx.finding(..., rule=CHILD_ID)``). ``help_uri`` is the page where a plugin documents the
    check, for SARIF and ``cfncheck explain``. ``deploy_failure``: what it reports makes
    CloudFormation or the service reject the template (an error that configuration cannot lower).
    ``formerly``: ids its findings were reported under before, which keep selecting it for one
    release. ``precision``: how often its findings are right (``PRECISIONS``)."""

    def mark(function: Callable) -> Callable:
        entry = _validated(
            Check(
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
                example=_snippet(example),
                doc=function.__doc__ or "",
                help_uri=help_uri,
                deploy_failure=deploy_failure,
                formerly=tuple(formerly),
                precision=precision,
            )
        )
        setattr(function, MARK, replace(entry, children=tuple(child.entry(entry) for child in children)))
        return function

    return mark


def _severity(severity: Severity | str) -> Severity:
    return Severity.parse(severity) if isinstance(severity, str) else Severity(severity)


def _validated(entry: Check) -> Check:
    """The entry, once it is one a catalog can hold: a deploy failure is an error, and the precision
    is one SARIF knows. A plugin that declares otherwise fails to load, and the run says why."""
    if entry.deploy_failure and entry.severity != ERROR:
        raise ValueError(f"check {entry.id}: a deploy failure is an error, not {entry.severity}")
    if entry.precision not in PRECISIONS:
        raise ValueError(f"check {entry.id}: precision {entry.precision!r} is not one of {', '.join(PRECISIONS)}")
    return entry


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


@dataclass(frozen=True)
class Selection:
    """What a selector names: the ids of the checks it selects and, when it is the id of a check
    whose problems were split into ids of their own, the alias it is until ``ALIASES_UNTIL``."""

    ids: frozenset[str]
    alias: str | None = None  # the old id, when the selector is one and stands for several ids


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

    @functools.cached_property
    def aliases(self) -> dict[str, tuple[str, ...]]:
        """Old id → the ids of the checks that took over its findings (itself first, when it still
        names a problem): how selectors, severities, suppressions and baselines read an old id
        until ``ALIASES_UNTIL``."""
        found: dict[str, list[str]] = {}
        for entry in self:
            for old in entry.formerly:
                found.setdefault(old, [old] if old in self._by_id else []).append(entry.id)
        return {old: tuple(ids) for old, ids in sorted(found.items())}

    def resolve(self, selector: str) -> Selection:
        """The checks a selector names. A selector is an id (``SG001``: that check only), a name
        (``sg-admin-port-open-to-world``) or an id prefix (``SG``, ``SG00``); an id whose problems
        were split into ids of their own names them all (and is an alias, see ``aliases``)."""
        key = selector.strip()
        upper = key.upper()
        if upper in self.aliases:
            return Selection(frozenset(self.aliases[upper]), upper)
        entry = self._by_id.get(upper) or self._by_name.get(key.lower())
        if entry is not None:
            return Selection(frozenset({entry.id}))
        if key.isalnum():
            return Selection(frozenset(i for i in self._by_id if i.startswith(upper)))
        return Selection(frozenset())

    def alias_notice(self, old: str, fix: str = "write the ids you mean") -> str:
        """The one line a run prints when a selector, severity, suppression or baseline uses an
        old id that stands for several ids."""
        became = ", ".join(f"{c.id} ({c.name})" for i in self.aliases[old] if i != old and (c := self._by_id[i]))
        return (
            f"{old} is deprecated as a name for {became}, which it reported before: until cfncheck {ALIASES_UNTIL} "
            f"it still means {', '.join(self.aliases[old])}; {fix}"
        )

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
        included = set().union(*(self.resolve(s).ids for s in include)) if include else None
        excluded = set().union(*(self.resolve(s).ids for s in exclude))
        return [
            c
            for c in self
            if c.scope != Scope.ENGINE and (included is None or c.id in included) and c.id not in excluded
        ]

    def unknown(self, selectors: Iterable[str]) -> list[str]:
        """The selectors that name no check."""
        return [s for s in selectors if not self.resolve(s).ids]

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

    def formerly(self) -> dict[str, tuple[str, ...]]:
        """Each id the ids its findings were reported under before (for reading old baselines)."""
        return {c.id: c.formerly for c in self._by_id.values() if c.formerly}


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
