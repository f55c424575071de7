"""What the language server knows of a buffer: the one run pipeline — configuration, session,
engine, outcome — on the buffer's unsaved text, as a partial run of the command line checks a file
it names: the configuration found from the file's folder upward, the project's other exporting
templates as context (their unsaved text where the editor has them open), nothing reported on
any other file. As on the command line, the configuration's checks-dir (the workspace's code) is
loaded only when the user trusts it: ``cfncheck lsp --trust-config``, or ``CFNCHECK_TRUST_CONFIG``
in the server's environment, both set where the editor starts the server, never by the workspace."""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..baseline import BaselineError
from ..catalog import Catalog
from ..config import ConfigError, find_file, load
from ..findings import Finding
from ..parameters import ParameterError
from ..result import FileError
from ..session import Session


@dataclass(frozen=True)
class BufferReport:
    """The findings on one buffer and why it could not be read, or the problem that kept it from
    being checked (a configuration or parameters file that cannot be read)."""

    name: str  # the file as findings name it: relative to the working directory when inside it
    findings: list[Finding] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    problem: str | None = None
    catalog: Catalog | None = None
    notices: list[str] = field(default_factory=list)  # what the configuration did not load, and why


@functools.cache
def _catalog(folders: tuple[str, ...], trust: bool) -> Catalog:
    """The checks of a set of check folders, loaded once per server (a changed check module is
    read again when the server restarts)."""
    return Catalog.load(list(folders), trust)


def shown_name(path: Path) -> str:
    """The name the command line would give the file when run from the working directory."""
    relative = os.path.relpath(path)
    return path.as_posix() if relative.startswith("..") else Path(relative).as_posix()


def check_buffer(
    path: Path, text: str, buffers: Mapping[str, bytes] | None = None, trust: bool = False
) -> BufferReport | None:
    """The report on the unsaved ``text`` of the file at ``path``; ``buffers``: the unsaved text of
    the editor's other open files, by real path; ``trust``: whether the configuration may load
    its checks-dir (``--trust-config``). None when the file is not a template, or the
    configuration excludes it."""
    name = shown_name(path)
    found = find_file(path.parent)
    try:
        config = load(
            str(found) if found else None,
            {},
            lambda folders, trusted: _catalog(tuple(folders), trusted),
            discover=False,
            trust=trust,
        )
    except ConfigError as err:
        return BufferReport(name, problem=f"configuration: {err}")
    session = Session.edited(config, name, text.encode("utf-8"), buffers)
    if session is None:
        return None
    try:
        outcome = session.check()
    except (ParameterError, BaselineError, ConfigError) as err:
        return BufferReport(name, problem=str(err), catalog=config.catalog, notices=config.notices)
    return BufferReport(
        name,
        findings=[f for f in outcome.findings if f.file == name and f.suppressed is None],
        errors=[e for e in outcome.errors if e.file == name],
        catalog=config.catalog,
        notices=config.notices,
    )


def warm(trust: bool = False) -> None:
    """Load the built-in checks before the first buffer arrives."""
    _catalog((), trust)
