"""The files of a run that its other templates name as their modules: rain's ``!Rain::Module
./x.yaml`` and the ``Source`` of an ``aws cloudformation package`` ``Modules`` entry.

The tool merges a module into its parent, filling in the module's parameters and resolving some of
its functions (``Condition: !Ref ConditionName`` in a rain module names the parent's condition), so
CloudFormation never reads the file as it is written: a run reports it as that tool's input
(CFN903) instead of checking it. Found from the files' bytes, before anything is loaded, so that
the whole run decides it once, before the result cache or a shard applies.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

from .loader import PACKAGE_MODULES, RAIN, ToolInput, read_head
from .result import Source

RAIN_MODULE = re.compile(rb"""Rain::Module["']?\s*:?\s*["']?([^"'\s,}\]]+)""")
PACKAGE_MODULES_SECTION = re.compile(rb"""^(?:Modules\s*:|\s*"Modules"\s*:)""", re.M)
MODULE_SOURCE = re.compile(rb"""["']?Source["']?\s*:\s*["']?([^"'\s,}\]]+)""")
REMOTE = re.compile(r"^[a-z][a-z0-9+.-]*://", re.I)
"""A module named by address (https://, s3://) is not a file of the run."""


def module_files(sources: Iterable[Source]) -> list[ToolInput]:
    """A CFN903 note for each source that another source of the run names as its module."""
    sources = list(sources)
    by_path = {os.path.realpath(source.path): source for source in sources if source.path is not None}
    notes: dict[str, ToolInput] = {}
    for parent in sources:
        if parent.path is None:
            continue
        for tool, name in _named_modules(_text(parent)):
            if REMOTE.match(name):
                continue
            found = by_path.get(os.path.realpath(os.path.join(os.path.dirname(parent.path), name)))
            if found is not None and found is not parent and found.name not in notes:
                reason = f"a module of {parent.name}, which the tool merges into it (filling in its parameters)"
                notes[found.name] = ToolInput(found.name, tool, reason)
    return [notes[source.name] for source in sources if source.name in notes]


def _named_modules(data: bytes) -> Iterable[tuple[str, str]]:
    for match in RAIN_MODULE.finditer(data):
        yield RAIN, match.group(1).decode("utf-8", "replace")
    if b"Modules" in data and PACKAGE_MODULES_SECTION.search(data):  # the search is slow on large files
        for match in MODULE_SOURCE.finditer(data):
            yield PACKAGE_MODULES, match.group(1).decode("utf-8", "replace")


def _text(source: Source) -> bytes:
    if source.data is not None:
        return source.data
    try:
        return read_head(source.path)
    except OSError:
        return b""  # the load says why it cannot be read
