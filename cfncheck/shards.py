"""Shards: a stable 1/N of a run's templates, for CI matrices (``--shard K/N``).

The unit of assignment is a *set*: the templates cross-template checks must see together (an
export and its importers, two exports of one name, a parent and its nested stacks' templates, as
the project's index links them) and every template of one CDK cloud assembly; any other template
is a set of its own. A set goes to the shard its key hashes to, its key being the smallest path
(relative to the project's folder) among its templates and assemblies. So a template's shard
depends on its own path and on those it is linked to, never on the order the files are found in
nor on unrelated files being added or removed. Balancing by size would even the shards out
better, but a deterministic balance moves templates between shards whenever one is added; with
many sets per shard, hashing evens out the count anyway.

A shard still reads and indexes every template that may take part in cross-template analysis
(as any run does, see ``workers.partition``), so that the sets, and the project checks' view of
the project, are those of the unsharded run; it analyses, checks and reports only its own.
"""

from __future__ import annotations

import hashlib
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

from .baseline import baseline_file, relative_file
from .cdk import is_assembly
from .project import Project


@dataclass(frozen=True)
class Shard:
    index: int  # 1-based
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        """``K/N`` with 1 ≤ K ≤ N; raises ``ValueError`` saying what is wrong."""
        parts = text.split("/")
        if len(parts) != 2 or not all(part.strip().isdigit() for part in parts):
            raise ValueError(f"{text!r} is not K/N (this shard and the number of shards, such as 2/3)")
        index, count = (int(part) for part in parts)
        if not 1 <= index <= count:
            raise ValueError(f"{text!r}: K must be between 1 and N")
        return cls(index, count)

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    def holds(self, key: str) -> bool:
        """Whether the set of this key is this shard's."""
        digest = hashlib.sha256(key.encode("utf-8", "surrogateescape")).digest()
        return int.from_bytes(digest[:8], "big") % self.count == self.index - 1


def links(project: Project) -> Iterator[tuple[str, str]]:
    """Pairs of template files that cross-template checks read together: an export and each
    import of its name (or of a name its partly known name may take), the exports of one name,
    a parent and its nested stack's template."""
    importers = defaultdict(list)
    for imp in project.imports:
        importers[imp.name].append(imp.template.file)
    for name, exports in project.exports.items():
        for other in (*(export.template.file for export in exports[1:]), *importers[name]):
            yield exports[0].template.file, other
    for pattern, export in project.unresolved_exports:
        for imp in project.imports:
            if fnmatchcase(imp.name, pattern):
                yield export.template.file, imp.template.file
    for nested in project.nested:
        yield nested.parent.file, nested.child.file


def members(files: Iterable[str], linked: Iterable[tuple[str, str]], root: Path, shard: Shard) -> frozenset[str]:
    """The files of ``files`` (and of ``linked``) that are this shard's."""
    parent: dict[str, str] = {}

    def find(key: str) -> str:
        parent.setdefault(key, key)
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    def join(first: str, second: str) -> None:
        first, second = find(first), find(second)
        if first != second:  # the smaller key names the set
            parent[max(first, second)] = min(first, second)

    names: dict[str, str] = {}  # key → file name
    for name in files:
        names[relative_file(name, root)] = name
    for first, second in linked:
        names.setdefault(relative_file(first, root), first)
        names.setdefault(relative_file(second, root), second)
        join(relative_file(first, root), relative_file(second, root))
    assemblies: dict[Path, bool] = {}
    for key, name in names.items():
        find(key)
        assembly = _assembly(name, root, assemblies)
        if assembly is not None:
            join(key, relative_file(assembly, root))
    return frozenset(name for key, name in names.items() if shard.holds(find(key)))


def _assembly(name: str, root: Path, known: dict[Path, bool]) -> str | None:
    """The outermost CDK cloud assembly inside the project that holds the file, if any (``known``:
    the folders seen so far, whether each is one)."""
    if name.startswith("<") or not name.endswith(".template.json"):
        return None
    found = None
    folder = Path(os.path.abspath(name)).parent
    top = Path(os.path.abspath(root))
    while folder != top and top in folder.parents:
        if folder not in known:
            known[folder] = is_assembly(folder)
        if known[folder]:
            found = str(folder)
        folder = folder.parent
    return found


def entries(shard: Shard, members: frozenset[str], files: list[str], baseline: str) -> Callable[[str], bool]:
    """Which entries of the ``baseline`` file a shard compares, by the file they name: those of its
    own files, and those of files not in the run (fixed since) whose name hashes to it, so that
    the shards count every entry once."""
    folder = Path(baseline).resolve().parent
    ours = {baseline_file(name, folder) for name in members}
    run = {baseline_file(name, folder) for name in files}
    return lambda file: file in ours or (file not in run and shard.holds(file))


@dataclass(frozen=True)
class Part:
    """What a shard's JSON or SARIF output records so that ``merge`` can put the shards together
    as one run would have written them: which shard, the run and the configuration it belongs to
    (hashed), the ``--fail-on`` threshold, and where its files and errors go in the run's order."""

    shard: Shard
    run: str  # the files of the whole run, in order, hashed
    configuration: str  # Session.digest
    fail_on: str
    ranks: dict[str, int]  # each file's place in the run's order
    error_ranks: tuple[int, ...]  # each error's place among the run's errors

    def as_dict(self, internal_errors: int, **ranks: list[int]) -> dict:
        return {
            "shard": str(self.shard),
            "run": self.run,
            "configuration": self.configuration,
            "fail_on": self.fail_on,
            "internal_errors": internal_errors,
            "ranks": ranks,
        }

    def rank(self, file: str) -> int:
        return self.ranks.get(file, len(self.ranks))


def part(shard: Shard, files: list[str], missing: int, errors: list, configuration: str, fail_on: str) -> Part:
    """The ``Part`` of a shard whose run has ``files`` (in order) and ``errors`` (this shard's: the
    first ``missing`` of the run's errors are the named files that could not be read)."""
    ranks = {name: index for index, name in enumerate(files)}
    run = hashlib.sha256("\n".join(files).encode("utf-8", "surrogateescape")).hexdigest()[:32]
    error_ranks = tuple(index if index < missing else missing + ranks.get(e.file, len(files)) for index, e in errors)
    return Part(shard, run, configuration, fail_on, ranks, error_ranks)
