"""What goes into a run and what comes out of it: the files to check, the files that could not be
read, and the findings the checks made."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from .findings import Finding
from .loader import ToolInput
from .suppress import Suppression


@dataclass(frozen=True)
class Source:
    """A file to check: a path on disk, or bytes read from standard input. A file's bytes may
    come with its path, read already (up to what the loader reads)."""

    name: str
    path: str | None = None
    data: bytes | None = None


@dataclass(frozen=True)
class FileError:
    """A file that could not be checked: missing, unreadable, malformed or not a template."""

    file: str
    line: int | None
    message: str

    def as_dict(self) -> dict:
        return {"file": self.file, "line": self.line, "message": self.message}


@dataclass
class RunResult:
    """What one run of the engine found, in the order of its files: the checks' findings as they
    made them, and the suppressions the templates declare (applied after the run, see ``outcome``)."""

    files: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    suppressions: list[Suppression] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    internal_errors: int = 0
    timings: dict[str, float] = field(default_factory=lambda: defaultdict(float))  # wall-clock seconds per phase
    cpu: dict[str, float] = field(default_factory=lambda: defaultdict(float))  # CPU seconds per phase
    tool_inputs: list[ToolInput] = field(default_factory=list)  # files only another tool can make templates of
