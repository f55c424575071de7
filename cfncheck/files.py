"""Which files a run checks: named files as given, and templates found in named directories
(in a CDK cloud assembly, the synthesized templates its manifest names)."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from .cdk import ASSEMBLY_DIRECTORY, assembly_templates, is_assembly
from .loader import read_head
from .result import FileError, Source

TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".template")
SKIPPED_DIRECTORIES = {"node_modules", "__pycache__", ".aws-sam", "venv", ".venv"}
_TEMPLATE_MARKER = re.compile(
    rb'^(Resources|AWSTemplateFormatVersion)\s*:|"(Resources|AWSTemplateFormatVersion)"\s*:', re.M
)


def looks_like_template(path: Path) -> bool:
    """A YAML/JSON file with a top-level Resources or AWSTemplateFormatVersion key (cheap text test)."""
    return _template_bytes(path) is not None


def is_template_text(data: bytes) -> bool:
    """Whether text has a top-level Resources or AWSTemplateFormatVersion key (cheap text test)."""
    return _TEMPLATE_MARKER.search(data) is not None


def _template_bytes(path: Path) -> bytes | None:
    """What the loader would read of the file, if it looks like a template; it is kept, so
    that a run reads each file once."""
    try:
        head = read_head(path)
    except OSError:
        return None
    return head if is_template_text(head) else None


def collect(paths: list[str], stdin_name: str | None = None) -> tuple[list[Source], list[FileError]]:
    """The files of the paths: ``-`` is standard input, named ``stdin_name`` (an editor's buffer of
    that file) or ``<stdin>``."""
    sources: list[Source] = []
    errors: list[FileError] = []
    seen: set[str] = set()

    def add(source: Source) -> None:
        if source.name not in seen:
            seen.add(source.name)
            sources.append(source)

    for given in paths:
        if given == "-":
            add(Source(stdin_name or "<stdin>", data=sys.stdin.buffer.read()))
            continue
        path = Path(given)
        if path.is_dir():
            for found, data in _walk(path):
                add(Source(str(found), str(found), data))
        elif path.exists():
            add(Source(given, given))
        else:
            errors.append(FileError(given, None, "no such file or directory"))
    return sources, errors


def _walk(directory: Path):
    if is_assembly(directory):
        yield from _assembly(directory)
        return
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIPPED_DIRECTORIES)
        for name in sorted(files):
            if name.endswith(TEMPLATE_SUFFIXES):
                path = Path(root) / name
                data = _template_bytes(path)
                if data is not None:
                    yield path, data
        if ASSEMBLY_DIRECTORY in dirs:  # its templates, as the manifest names them; not its asset folders
            dirs.remove(ASSEMBLY_DIRECTORY)
            yield from _assembly(Path(root) / ASSEMBLY_DIRECTORY)


def _assembly(directory: Path):
    for path in assembly_templates(directory):
        data = _template_bytes(path)
        if data is not None:
            yield path, data


SHARED_MARKER = b"Export"
"""Text without which a template exports nothing another template could import."""


def is_partial(paths: list[str], templates_only: bool) -> bool:
    """Whether a run may not hold the whole project: files named one by one, standard input,
    or ``--templates-only`` (how pre-commit runs)."""
    return templates_only or any(p == "-" or not Path(p).is_dir() for p in paths)


def project_context(paths: list[str], root: Path, keep) -> list[Source] | None:
    """For a run that names files one by one (pre-commit passes the changed ones), the other
    templates of the project that export names: read for their exports, so that an import of a
    file that did not change is found, and never reported on. ``root`` is the project's folder
    (the configuration's, else the working directory) and ``keep(source)`` applies the
    configured include and exclude. None when a named file is outside the project (or is
    standard input): the run then cannot know the project, and says so."""
    named = [Path(p) for p in paths if p != "-" and not Path(p).is_dir()]
    if "-" in paths:
        return None
    base = root.resolve()
    if not all(_inside(path, base) for path in named):
        return None
    given = {os.path.realpath(p) for p in named}
    context = []
    shown = Path(os.path.relpath(root)) if base.is_relative_to(Path.cwd().resolve()) else root
    for found, data in _walk(shown):
        if SHARED_MARKER not in data or os.path.realpath(found) in given:
            continue
        source = Source(str(found), str(found), data)
        if keep(source):
            context.append(source)
    return context


def _inside(path: Path, base: Path) -> bool:
    try:
        return path.resolve().is_relative_to(base)
    except OSError:
        return False
