"""Which files a run checks: named files as given, and templates found in named directories
(in a CDK cloud assembly, the synthesized templates its manifest names).

A walk takes what the loader reads as a template (``loader.is_template``). A file it cannot read
is an error, never a silent skip; what is not a regular file (a named pipe, a device, a socket,
a link to one, such as ``/dev/stdin``) is skipped with a notice, never opened in a way that could
block; a link to a file outside the project is not followed. The walk keeps its own stack, so a
deep tree does not exhaust Python's.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .cdk import ASSEMBLY_DIRECTORY, assembly_templates, is_assembly
from .loader import MAX_BYTES, is_template, read_head
from .paths import inside
from .result import FileError, Source

TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".template")
SKIPPED_DIRECTORIES = {"node_modules", "__pycache__", ".aws-sam", "venv", ".venv"}
SEARCHED = (
    "folders are searched for .yaml, .yml, .json and .template files with a top-level Resources or "
    "AWSTemplateFormatVersion key, and cdk.out for the templates its manifest names; see include and exclude"
)
"""What a walk looks for, told to a user whose run found no template."""
_KINDS = {
    stat.S_IFIFO: "a named pipe",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a folder",
}


def looks_like_template(path: Path) -> bool:
    """A file the loader reads as a template (a YAML/JSON mapping with a top-level Resources or
    AWSTemplateFormatVersion key)."""
    try:
        return is_template(read_head(path))
    except OSError:
        return False


@dataclass
class Found:
    """What a run checks: its sources, the files it could not read, and what it skipped and why."""

    sources: list[Source] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


def roots(paths: Iterable[str], project: Path) -> tuple[str, ...]:
    """Where the files of a run may come from: the project's folder, and every folder named on
    the command line or holding a named file (real paths)."""
    folders = [project, *(Path(p) if Path(p).is_dir() else Path(p).parent for p in paths if p != "-")]
    return tuple(dict.fromkeys(os.path.realpath(folder) for folder in folders))


def collect(paths: list[str], project: Path | None = None, stdin_name: str | None = None) -> Found:
    """The sources of the named paths: files as named, templates in named folders; the files
    that could not be read, and what was skipped. ``project``: the project's folder (default:
    the working directory), where a walked link may point. ``-`` is standard input, named
    ``stdin_name`` (an editor's buffer of that file) or ``<stdin>``."""
    found = Found()
    seen: set[str] = set()
    allowed = roots(paths, project or Path.cwd())

    def add(source: Source) -> None:
        if source.name not in seen:
            seen.add(source.name)
            found.sources.append(source)

    for given in paths:
        if given == "-":  # no more than the loader reads: endless input ends in an error, not in memory
            add(Source(stdin_name or "<stdin>", data=sys.stdin.buffer.read(MAX_BYTES + 1)))
            continue
        path = Path(given)
        if path.is_dir():
            for walked, data in walk(path, allowed, found):
                add(Source(str(walked), str(walked), data))
        elif path.exists():
            add(Source(given, given))
        else:
            found.errors.append(FileError(given, None, "no such file or directory"))
    return found


def walk(
    directory: Path,
    allowed: Iterable[str],
    found: Found | None = None,
    wanted: Callable[[bytes], bool] | None = None,
) -> Iterator[tuple[Path, bytes]]:
    """The templates of a folder with the bytes the loader reads of each, in name order, folders
    depth first; errors and notices go to ``found`` (dropped without one). ``wanted`` passes over
    files before they are read as templates (which costs more than a test of the bytes)."""
    found = found or Found()
    allowed = tuple(allowed)
    if is_assembly(directory):
        yield from _assembly(directory, allowed, found, wanted)
        return
    pending = [directory]
    while pending:
        folder = pending.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as err:
            found.errors.append(FileError(str(folder), None, f"cannot read folder: {err.strerror or err}"))
            continue
        folders = []
        for entry in entries:
            if _is_folder(entry):
                if not entry.name.startswith(".") and entry.name not in SKIPPED_DIRECTORIES:
                    folders.append(entry)
            elif entry.name.endswith(TEMPLATE_SUFFIXES):
                data = _read(Path(entry.path), entry.is_symlink(), allowed, found)
                if data is not None and (wanted is None or wanted(data)) and is_template(data):
                    yield Path(entry.path), data
        assembly = next((entry for entry in folders if entry.name == ASSEMBLY_DIRECTORY), None)
        if assembly is not None:  # its templates, as the manifest names them; not its asset folders
            yield from _assembly(Path(assembly.path), allowed, found, wanted)
        # a linked folder is listed, as os.walk lists it, but not entered: no loop, no escape
        pending.extend(
            Path(entry.path) for entry in reversed(folders) if entry is not assembly and not entry.is_symlink()
        )


def _is_folder(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _assembly(
    directory: Path, allowed: tuple[str, ...], found: Found, wanted: Callable[[bytes], bool] | None
) -> Iterator[tuple[Path, bytes]]:
    for path in assembly_templates(directory):
        data = _read(path, path.is_symlink(), allowed, found)
        if data is not None and (wanted is None or wanted(data)) and is_template(data):
            yield path, data


def _read(path: Path, linked: bool, allowed: tuple[str, ...], found: Found) -> bytes | None:
    """What the loader would read of a walked file; None when it is not a regular file of the
    project (with a notice) or cannot be read (an error)."""
    try:
        if linked:
            kind = _kind(os.stat(path).st_mode)
            if kind is None and not inside(path, allowed):
                found.notices.append(f"{path}: not read: a link to a file outside the project")
                return None
        else:
            kind = _kind(os.lstat(path).st_mode)
        if kind is not None:
            found.notices.append(f"{path}: not read: {kind}, not a file")
            return None
        return _read_regular(path, found)
    except FileNotFoundError:  # a dangling link, or a file gone since the folder was listed: nothing to read
        return None
    except OSError as err:
        found.errors.append(FileError(str(path), None, f"cannot read file: {err.strerror or err}"))
        return None


def _kind(mode: int) -> str | None:
    """What a file that is not a regular one is (None for a regular file)."""
    return None if stat.S_ISREG(mode) else _KINDS.get(stat.S_IFMT(mode), "not a regular file")


def _read_regular(path: Path, found: Found) -> bytes | None:
    """The file's head, opened without blocking and read only if it is still a regular file."""
    handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    with open(handle, "rb", closefd=True) as stream:
        kind = _kind(os.fstat(handle).st_mode)
        if kind is not None:  # replaced since it was listed
            found.notices.append(f"{path}: not read: {kind}, not a file")
            return None
        return stream.read(MAX_BYTES + 1)


SHARED_MARKER = b"Export"
"""Text without which a template exports nothing another template could import."""


def is_partial(paths: list[str], templates_only: bool) -> bool:
    """Whether a run may not hold the whole project: files named one by one, standard input,
    or ``--templates-only`` (how pre-commit runs)."""
    return templates_only or any(p == "-" or not Path(p).is_dir() for p in paths)


def project_context(paths: list[str], root: Path, keep: Callable[[Source], bool]) -> list[Source] | None:
    """For a run that names files one by one (pre-commit passes the changed ones), the other
    templates of the project that export names: read for their exports, so that an import of a
    file that did not change is found, and never reported on. ``root`` is the project's folder
    (the configuration's, else the working directory) and ``keep(source)`` applies the
    configured include and exclude. None when a named file is outside the project (or is
    standard input): the run then cannot know the project, and says so."""
    named = [Path(p) for p in paths if p != "-" and not Path(p).is_dir()]
    if "-" in paths:
        return None
    base = os.path.realpath(root)
    if not all(inside(path, (base,)) for path in named):
        return None
    given = {os.path.realpath(p) for p in named}
    context = []
    shown = Path(os.path.relpath(root)) if Path(base).is_relative_to(Path.cwd().resolve()) else root
    # read for exports only: what it cannot read, it says nothing of
    for found, data in walk(shown, (base,), wanted=lambda data: SHARED_MARKER in data):
        if os.path.realpath(found) in given:
            continue
        source = Source(str(found), str(found), data)
        if keep(source):
            context.append(source)
    return context
