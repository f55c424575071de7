"""Which files a run checks: named files as given, and templates found in named directories
(in a CDK cloud assembly, the synthesized templates its manifest names)."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from .cdk import ASSEMBLY_DIRECTORY, assembly_templates, is_assembly
from .engine import FileError, Source
from .loader import read_head

TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".template")
SKIPPED_DIRECTORIES = {"node_modules", "__pycache__", ".aws-sam", "venv", ".venv"}
_TEMPLATE_MARKER = re.compile(
    rb'^(Resources|AWSTemplateFormatVersion)\s*:|"(Resources|AWSTemplateFormatVersion)"\s*:', re.M
)


def looks_like_template(path: Path) -> bool:
    """A YAML/JSON file with a top-level Resources or AWSTemplateFormatVersion key (cheap text test)."""
    return _template_bytes(path) is not None


def _template_bytes(path: Path) -> bytes | None:
    """What the loader would read of the file, if it looks like a template; it is kept, so
    that a run reads each file once."""
    try:
        head = read_head(path)
    except OSError:
        return None
    return head if _TEMPLATE_MARKER.search(head) else None


def collect(paths: list[str]) -> tuple[list[Source], list[FileError]]:
    sources: list[Source] = []
    errors: list[FileError] = []
    seen: set[str] = set()

    def add(source: Source) -> None:
        if source.name not in seen:
            seen.add(source.name)
            sources.append(source)

    for given in paths:
        if given == "-":
            add(Source("<stdin>", data=sys.stdin.buffer.read()))
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
