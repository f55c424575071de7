"""Checks and where they come from.

A check is a function decorated with :func:`check`. Built-in checks live in the
``cfncheck.checks`` package (``checks/`` in the repository); third-party packages declare
modules under the ``cfncheck.checks`` entry-point group; ``--checks-dir`` imports every
``*.py`` file of a folder. All three register the same way: importing the module runs the
decorators.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import pkgutil
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .findings import Severity

RESOURCE, TEMPLATE, PROJECT = "resource", "template", "project"


@dataclass(frozen=True)
class Check:
    id: str
    name: str
    severity: Severity
    function: Callable
    scope: str  # resource: f(resource, ctx); template: f(ctx); project: f(project_ctx)
    types: tuple[str, ...] = ()
    fix: str = ""
    tags: tuple[str, ...] = ()
    options: dict = field(default_factory=dict, hash=False, compare=False)
    source: str = ""  # the module that defined it
    example: str = ""  # a template snippet that the check reports, for the documentation
    help_uri: str = ""  # where a plugin documents the check (built-in checks: docs/checks.md)

    @property
    def rationale(self) -> str:
        return inspect.cleandoc(self.function.__doc__ or "")

    @property
    def summary(self) -> str:
        return self.rationale.split("\n\n", 1)[0].replace("\n", " ")


_REGISTRY: dict[str, Check] = {}


class RegistryError(Exception):
    pass


def check(
    id: str,
    name: str,
    severity: Severity | str,
    *,
    types: Iterable[str] | None = None,
    scope: str | None = None,
    fix: str = "",
    tags: Iterable[str] = (),
    options: dict | None = None,
    example: str = "",
    help_uri: str = "",
) -> Callable[[Callable], Callable]:
    """Register a check. With ``types`` it runs once per resource of those types; without, once
    per template (``scope="project"``: once per run, over every template). Without ``tags``, a
    check takes its module's ``DEFAULT_TAGS``. ``help_uri`` is the page where a plugin documents
    the check, for SARIF and ``cfncheck explain``."""

    def register(function: Callable) -> Callable:
        kind = scope or (RESOURCE if types else TEMPLATE)
        entry = Check(
            id=id,
            name=name,
            severity=Severity.parse(severity) if isinstance(severity, str) else severity,
            function=function,
            scope=kind,
            types=tuple(types or ()),
            fix=fix,
            tags=tuple(tags) or tuple(function.__globals__.get("DEFAULT_TAGS", ())),
            options=dict(options or {}),
            source=function.__module__,
            example=inspect.cleandoc(example),
            help_uri=help_uri,
        )
        existing = _REGISTRY.get(id)
        if existing is not None and existing.source != entry.source:
            raise RegistryError(f"check id {id} is defined twice: in {existing.source} and {entry.source}")
        _REGISTRY[id] = entry
        return function

    return register


def load_builtin() -> None:
    package = _builtin_package()
    for module in pkgutil.iter_modules(package.__path__):
        if not module.name.startswith("_"):
            importlib.import_module(f"{package.__name__}.{module.name}")


def _builtin_package():
    """``cfncheck.checks``: installed from ``checks/`` by pyproject's package-dir mapping. Run from a
    source tree that is not installed editable (``python -m cfncheck`` at the repository root after
    ``pip install .``), the local ``cfncheck`` package shadows the installed one and has no ``checks``:
    the repository's ``checks/`` folder beside it is mapped the same way here."""
    try:
        return importlib.import_module(f"{__package__}.checks")
    except ModuleNotFoundError as err:
        folder = Path(__file__).resolve().parent.parent / "checks"
        if err.name != f"{__package__}.checks" or not (folder / "__init__.py").is_file():
            raise
    name = f"{__package__}.checks"
    spec = importlib.util.spec_from_file_location(
        name, folder / "__init__.py", submodule_search_locations=[str(folder)]
    )
    package = importlib.util.module_from_spec(spec)
    sys.modules[name] = package
    spec.loader.exec_module(package)
    return package


def load_entry_points() -> list[str]:
    """Import third-party check modules; returns the errors met (a broken plugin never stops a run)."""
    from importlib.metadata import entry_points

    errors = []
    for entry in entry_points(group="cfncheck.checks"):
        try:
            entry.load()
        except Exception as err:  # noqa: BLE001 - any failure of a plugin is reported, not raised
            errors.append(f"check plugin {entry.name} ({entry.value}) failed to load: {err}")
    return errors


def load_directory(directory: str | Path) -> list[str]:
    errors = []
    for path in sorted(Path(directory).glob("*.py")):
        name = f"cfncheck_local_checks.{path.stem}"
        try:
            spec = importlib.util.spec_from_file_location(name, path)
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module
            spec.loader.exec_module(module)
        except Exception as err:  # noqa: BLE001 - reported, the run goes on
            errors.append(f"{path}: check module failed to load: {err}")
    return errors


def all_checks() -> list[Check]:
    return sorted(_REGISTRY.values(), key=lambda c: c.id)


def find(id_or_name: str) -> Check | None:
    key = id_or_name.strip()
    for entry in _REGISTRY.values():
        if key.upper() == entry.id or key.lower() == entry.name:
            return entry
    return None


def nearest(selector: str) -> str | None:
    """The check id or name closest to a misspelled one, for a "did you mean" hint."""
    import difflib

    candidates = {c.id.lower(): c.id for c in _REGISTRY.values()} | {c.name: c.name for c in _REGISTRY.values()}
    close = difflib.get_close_matches(selector.strip().lower(), list(candidates), n=1, cutoff=0.6)
    return candidates[close[0]] if close else None


def matches(entry: Check, selector: str) -> bool:
    """A selector is an id (``SG001``), a name (``sg-admin-port-open-to-world``) or an id prefix (``SG``)."""
    key = selector.strip()
    return key.upper() == entry.id or key.lower() == entry.name or (key.isalnum() and entry.id.startswith(key.upper()))


def select(checks: Iterable[Check], include: Iterable[str] = (), exclude: Iterable[str] = ()) -> list[Check]:
    include, exclude = list(include), list(exclude)
    return [
        c
        for c in checks
        if c.scope != "engine"
        and (not include or any(matches(c, s) for s in include))
        and not any(matches(c, s) for s in exclude)
    ]


def unknown_selectors(checks: Iterable[Check], selectors: Iterable[str]) -> list[str]:
    checks = list(checks)
    return [s for s in selectors if not any(matches(c, s) for c in checks)]
