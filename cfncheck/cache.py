"""The result cache: what the engine found in a template, kept between runs, so that a template
that has not changed is neither loaded nor checked again.

An entry holds what the engine gives before the outcome settles it (``outcome``): the findings as
the checks made them, the suppressions the templates declare and the files that could not be
read, for one template checked alone or for the templates a run checks together (those that may
export, import or nest stacks, see ``workers.partition``). Everything after the engine (merging
scenarios and regions, suppressions, configured severities, the baseline) runs as without the
cache, so a cached run's output is the uncached one's, byte for byte.

The key of an entry is a SHA-256 of everything that can change those results:

- the code: cfncheck's version, the bytes of every file of its packages (checks, schemas, data),
  Python's version and the versions of the libraries cfncheck requires;
- the run: the checks selected, the options of every check, the parameters (and where each was
  given), the region and the account; the day, when a check that runs compares dated data with
  it (a ``today`` option left empty: runtime and service retirements);
- the templates: each one's name (findings name it) and bytes, its own parameters and
  deployments; for templates checked together, every one of them, and the project's other
  templates a partial run reads for their exports.

Templates that nest stacks depend on files the run was not given: the nested stacks' templates
it reads, and whether a TemplateURL names a file (XSTK008). What the run learnt of them
(``Project.observed``: each path's real path, and the bytes read there or that nothing was) is
kept with the entry and asked again before the entry is used; anything different is a miss.

What is never cached, so checked every run: a run with a plugin or a checks-dir (their code, and
whatever it imports, cannot be fingerprinted); results with an internal error (a check that failed
may not fail again), or with a nested stack's template that could not be read.

Each entry is a small file (a few KB, more for a template with many findings). Entries written
more than ``MAX_AGE_DAYS`` ago are removed, at most once a day (``prune``): those of templates
that changed and of versions of cfncheck no longer used go, one still needed is written again by
the next run that needs it. ``clear`` removes them all (``cfncheck --clear-cache``).

An entry is JSON, one file per key, written whole (a temporary file renamed over it: runs that
share the folder never see half an entry) and read strictly: an entry whose format, key or any
field is not what is expected is a miss, never trusted. An entry is written only when reading it
back gives exactly what the engine gave.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import json
import os
import re
import shutil
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from importlib.metadata import PackageNotFoundError, requires, version
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from . import __version__
from .findings import Finding, Location, Severity
from .loader import ESCAPED, read_head
from .output_files import OutputError, write_text
from .project import NESTED_STACK
from .result import FileError, RunResult, Source
from .suppress import Suppression

if TYPE_CHECKING:
    from .checking import Alone, RunOptions

FORMAT = 1
"""The layout of an entry; a change of it starts a new folder of entries."""
_ENTRIES = f"v{FORMAT}"
_DISTRIBUTION = "cfncheck-cli"
MAX_AGE_DAYS = 30
_DAY = 24 * 3600
_DIGEST = re.compile(r"[0-9a-f]{64}")
_READ = {"run": True, "read": True, "outside": False, "absent": False}
"""What a run found at a path a nested stack names (``checking.load_children``): one of the run's
files, a file it read, a file outside the project (not read), nothing; and whether its bytes were read."""


def default_folder() -> Path | None:
    """The per-user cache folder: ``$XDG_CACHE_HOME/cfncheck`` when that is set, else the
    platform's (``~/.cache/cfncheck``, ``~/Library/Caches/cfncheck`` on macOS,
    ``%LOCALAPPDATA%\\cfncheck\\Cache`` on Windows); None when there is no home folder."""
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if os.path.isabs(xdg):  # the XDG specification ignores a relative path
        return Path(xdg) / "cfncheck"
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "cfncheck" / "Cache"
    try:
        home = Path.home()
    except RuntimeError:
        return None
    return home / "Library" / "Caches" / "cfncheck" if sys.platform == "darwin" else home / ".cache" / "cfncheck"


def clear(folder: str | os.PathLike) -> None:
    """Remove every entry of the cache in ``folder`` (of this format and of earlier ones), and
    nothing else that the folder holds. Raises OSError."""
    for child in Path(folder).iterdir() if os.path.isdir(folder) else ():
        if re.fullmatch(r"v\d+", child.name) and child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)


def prune(folder: str | os.PathLike, days: int = MAX_AGE_DAYS) -> None:
    """Remove the entries written more than ``days`` ago, unless that was done less than a day
    ago (a run then only reads the time of the last pruning)."""
    root = Path(folder) / _ENTRIES
    marker = root / "pruned"
    now = time.time()
    try:
        if not root.is_dir() or marker.exists() and now - marker.stat().st_mtime < _DAY:
            return
        write_text(marker, "")
        entries = [*root.glob("*/*.json"), *root.glob("code/*")]
    except (OSError, OutputError):
        return  # a folder this run cannot read or write: left to its owner
    for entry in entries:
        try:
            if entry.stat().st_mtime < now - days * _DAY:
                entry.unlink()
        except OSError:
            pass  # another run removed it first


class Entry(NamedTuple):
    """What an entry holds: the engine's results for its templates; for templates checked
    together, also the files the run added (nested stacks' templates it read), the run's files
    it took as nested stacks' templates, and what it learnt of files it was not given."""

    findings: list[Finding]
    suppressions: list[Suppression]
    errors: list[FileError]
    files: list[str] = []
    taken: list[str] = []
    observed: list[list] = []


class ResultCache:
    """The entries of one run of the engine (``RunOptions``) in a cache folder."""

    def __init__(self, folder: Path, options: RunOptions, run: str) -> None:
        self.folder = folder
        self.options = options
        self.run = run  # the digest of the code and of what the run's options give every template

    @classmethod
    def open(cls, folder: str | os.PathLike, options: RunOptions) -> ResultCache | None:
        """The cache of a run; None when the run's results cannot be cached (see the module)."""
        if any(not entry.is_builtin for entry in options.catalog):
            return None
        folder = Path(folder)
        try:
            run = _digest(
                _canonical(
                    [
                        FORMAT,
                        __version__,
                        _code(folder),
                        sys.version,
                        _libraries(),
                        [entry.id for entry in options.checks],
                        options.effective_options,
                        options.parameters,
                        _given(options.given),
                        options.region,
                        options.account_id,
                        _day(options),
                    ]
                )
            )
        except (TypeError, ValueError, OSError, PackageNotFoundError):
            return None  # a setting that does not serialise, a package that cannot be read: no cache
        return cls(folder, options, run)

    def known(self, sources: list[Source]) -> dict[int, Alone]:
        """What checking each of ``sources`` alone gave before, by index, for those in the cache."""
        known = {}
        for index, source in enumerate(sources):
            found = self._read(self._alone_key(source)) if source.data is not None else None
            if found is not None:
                known[index] = (found.findings, found.suppressions, found.errors, 0, {}, {})
        return known

    def keep_alone(self, source: Source, checked: Alone) -> None:
        findings, suppressions, errors, internal_errors, *_ = checked
        if source.data is not None and not internal_errors:
            self._write(self._alone_key(source), Entry(findings, suppressions, errors))

    def together(self, sources: list[Source], alone: list[Source], context: list[Source] | None) -> Together | None:
        """The entry of the templates a run checks together (``sources``, with the project's
        ``context`` templates read for their exports; ``alone``: the run's other sources), both
        returned with their bytes: read once, here, so that what is checked is what the key
        names. None when they cannot be cached."""
        read = _with_data(sources)
        others = _with_data(context or [])
        if not read or others is None:
            return None
        named = [[context is None], [[s.name, self._per_file(s.name)] for s in read], [s.name for s in others]]
        if any(NESTED_STACK.encode() in source.data or ESCAPED.search(source.data) for source in read):
            # Where a nested stack's template may be read, and which of the run's files it may be.
            named.append([self.options.roots, [[s.name, s.path] for s in read + alone]])
        key = self._key(named, [source.data for source in read + others])
        return Together(self, key, read, None if context is None else others)

    def _alone_key(self, source: Source) -> str:
        return self._key([source.name, self._per_file(source.name)], [source.data])

    def _per_file(self, name: str) -> list:
        options = self.options
        return [
            options.file_parameters.get(name),
            _given(options.file_given.get(name, {})),
            sorted(options.file_deployments.get(name, ())),
        ]

    def _key(self, named: list, data: Iterable[bytes]) -> str:
        digest = hashlib.sha256(self.run.encode())
        digest.update(_canonical(named).encode())
        for each in data:
            digest.update(hashlib.sha256(each).digest())
        return digest.hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / _ENTRIES / key[:2] / f"{key}.json"

    def _read(self, key: str) -> Entry | None:
        try:
            with open(self._path(key), "rb") as stream:
                return _decode(json.loads(stream.read()), key)
        except (OSError, ValueError, TypeError, KeyError, RecursionError):  # missing, truncated, foreign: a miss
            return None

    def _write(self, key: str, entry: Entry) -> None:
        """Write the entry when it reads back as what the engine gave; a folder that cannot be
        written costs the next run its time only."""
        text = json.dumps(
            {
                "format": FORMAT,
                "key": key,
                "findings": [_finding_row(f) for f in entry.findings],
                "suppressions": [_suppression_row(s) for s in entry.suppressions],
                "errors": [[e.file, e.line, e.message] for e in entry.errors],
                "files": entry.files,
                "taken": entry.taken,
                "observed": entry.observed,
            },
            separators=(",", ":"),
        )
        try:
            if _decode(json.loads(text), key) != entry:
                return
        except (ValueError, TypeError, KeyError):
            return  # a value JSON cannot carry as it is (a float in a path, say): not cached
        try:
            write_text(self._path(key), text)
        except OutputError:
            pass


@dataclass
class Together:
    """The entry of the templates a run checks together, and those templates with their bytes."""

    cache: ResultCache
    key: str
    sources: list[Source]
    context: list[Source] | None
    files: int = 0  # the files the run named before these templates were checked

    def load(self, result: RunResult, alone: list[Source]) -> list[Source] | None:
        """Add the entry's findings, suppressions, errors and files to ``result``, and return the
        sources of ``alone`` (the run's other files) taken as nested stacks' templates; None when
        the entry is not there, or the files the run learnt of are not as they were."""
        self.files = len(result.files)
        found = self.cache._read(self.key)
        if found is None or not _unchanged(found.observed, alone):
            return None
        result.findings += found.findings
        result.suppressions += found.suppressions
        result.errors += found.errors
        result.files += found.files
        taken = set(found.taken)
        return [source for source in alone if source.name in taken]

    def keep(self, result: RunResult, taken: list[Source], observed: dict) -> None:
        """Keep what the run found in these templates (all that ``result`` holds so far), the
        sources it ``taken`` as nested stacks' templates, and what it learnt of other files
        (``Project.observed``)."""
        if result.internal_errors:
            return
        rows = []
        for (question, path), found in observed.items():
            if question == "exists":
                rows.append([question, path, found])
                continue
            real, kind, data = found
            if kind == "unreadable":
                return  # why it could not be read may not hold next time
            rows.append([question, path, real, kind, None if data is None else hashlib.sha256(data).hexdigest()])
        files = result.files[self.files :]
        found = Entry(result.findings, result.suppressions, result.errors, files, [s.name for s in taken], rows)
        self.cache._write(self.key, found)


def _unchanged(observed: list, alone: list[Source]) -> bool:
    """Whether the files a run learnt of (the rows of ``Together.keep``) are still as it found them."""
    try:
        return _still(observed, alone)
    except (OSError, ValueError):  # a path that cannot be looked at now (or a NUL in a damaged entry)
        return False


def _still(observed: list, alone: list[Source]) -> bool:
    run = None
    for row in observed:
        if row[0] == "exists":
            if os.path.exists(row[1]) != row[2]:
                return False
            continue
        _, path, real, kind, digest = row
        if os.path.realpath(path) != real:
            return False
        if run is None:  # the run's other files, which a nested stack may name
            run = {os.path.realpath(s.path): s for s in alone if s.path is not None}
        if (kind == "run") != (real in run) or (kind == "absent") == os.path.isfile(real):
            return False
        if kind in ("run", "read"):
            data = run[real].data if kind == "run" else read_head(real)
            if data is None or hashlib.sha256(data).hexdigest() != digest:
                return False
    return True


def _with_data(sources: list[Source]) -> list[Source] | None:
    """The sources with their bytes; None when one cannot be read (the run says why)."""
    read = []
    for source in sources:
        if source.data is None:
            if source.path is None:
                return None
            try:
                source = Source(source.name, source.path, read_head(source.path))
            except OSError:
                return None
        read.append(source)
    return read


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _canonical(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _given(given: dict) -> dict:
    """Where each parameter value was given (``parameters.Given``): findings about a value land there."""
    return {name: [g.value, g.file, g.line, g.column, g.end_line, g.end_column] for name, g in given.items()}


def _day(options: RunOptions) -> str | None:
    """The day of the run when a check that runs compares dated data with it (its ``today`` option
    left empty: Lambda runtime and service retirements), so that entries last that day only."""
    dated = any(
        "today" in entry.options and not options.effective_options.get(entry.id, {}).get("today")
        for entry in options.runners
    )
    return date.today().isoformat() if dated else None


def _libraries() -> list[list[str]]:
    """The versions of the libraries cfncheck requires (those of its extras are not used by a run)."""
    names = [re.match(r"[\w.-]+", spec).group() for spec in requires(_DISTRIBUTION) or () if ";" not in spec]
    return [[name, version(name)] for name in names]


@functools.cache
def _code(folder: Path) -> str:
    """A digest of the bytes of every file of cfncheck's packages (a development install changes
    them without a new version), kept in the cache folder under the files' names, sizes and times
    of change: read again only after an install or an edit."""
    files = []  # (path, name in the packages)
    for package in ("cfncheck", "cfncheck.checks"):
        root = os.path.dirname(importlib.import_module(package).__file__)
        for where, folders, names in os.walk(root):
            folders[:] = sorted(name for name in folders if name != "__pycache__")
            inner = package + where[len(root) :].replace(os.sep, "/")
            files += [(os.path.join(where, name), f"{inner}/{name}") for name in sorted(names)]
    stamp = hashlib.sha256()
    for path, _ in files:
        status = os.stat(path)
        stamp.update(f"{path}\0{status.st_size}\0{status.st_mtime_ns}\n".encode(errors="surrogateescape"))
    memo = folder / _ENTRIES / "code" / stamp.hexdigest()
    try:
        known = memo.read_text(encoding="ascii")
    except (OSError, ValueError):
        known = ""
    if _DIGEST.fullmatch(known):
        return known
    content = hashlib.sha256()
    for path, name in files:
        with open(path, "rb") as stream:
            content.update(f"{name}\0".encode(errors="surrogateescape") + hashlib.sha256(stream.read()).digest())
    try:
        write_text(memo, content.hexdigest())
    except OutputError:
        pass
    return content.hexdigest()


def _finding_row(finding: Finding) -> list:
    f = finding
    return [
        f.rule_id,
        f.name,
        int(f.severity),
        f.file,
        f.line,
        f.column,
        f.end_line,
        f.end_column,
        f.resource,
        list(f.path),
        f.message,
        list(f.conditions.items()),
        [list(pair) for pair in f.iteration],
        [_location_row(place) for place in f.related],
        f.suppressed,
        f.suppressed_by,
        f.anchored,
    ]


def _location_row(place: Location) -> list:
    return [place.file, place.line, place.column, place.end_line, place.end_column, place.message, place.resource]


def _suppression_row(entry: Suppression) -> list:
    return [entry.selector, entry.reason, entry.resource, list(entry.path), _location_row(entry.where)]


def _decode(entry, key: str) -> Entry:
    """The entry's contents, every value checked for its type. Raises ValueError (or TypeError,
    KeyError) on anything else: the entry is not used."""
    if type(entry) is not dict or entry["format"] != FORMAT or entry["key"] != key:
        raise ValueError("not an entry of this cache")
    return Entry(
        [_finding(row) for row in _list(entry["findings"])],
        [_suppression(row) for row in _list(entry["suppressions"])],
        [_error(row) for row in _list(entry["errors"])],
        [_of(str, name) for name in _list(entry["files"])],
        [_of(str, name) for name in _list(entry["taken"])],
        [_observation(row) for row in _list(entry["observed"])],
    )


def _finding(row) -> Finding:
    rule_id, name, severity, file, line, column, end_line, end_column, resource, path, *rest = _list(row)
    message, conditions, iteration, related, suppressed, suppressed_by, anchored = rest
    return Finding(
        _of(str, rule_id),
        _of(str, name),
        Severity(_of(int, severity)),
        _of(str, file),
        _of(int, line),
        _of(int, column),
        _of(int, end_line),
        _of(int, end_column),
        _maybe(str, resource),
        _path(path),
        _of(str, message),
        {_of(str, condition): _of(bool, value) for condition, value in map(_pair, _list(conditions))},
        tuple((_of(str, loop), _of(str, item)) for loop, item in map(_pair, _list(iteration))),
        tuple(_location(place) for place in _list(related)),
        _maybe(str, suppressed),
        _maybe(str, suppressed_by),
        _of(bool, anchored),
    )


def _error(row) -> FileError:
    file, line, message = _list(row)
    return FileError(_of(str, file), _maybe(int, line), _of(str, message))


def _observation(row) -> list:
    """A row of ``Together.keep``: ``["exists", path, found]`` or ``["file", path, real, kind, digest]``."""
    question, path, *rest = _list(row)
    _of(str, path)
    if question == "exists" and len(rest) == 1:
        _of(bool, rest[0])
    elif question == "file" and len(rest) == 3 and type(rest[1]) is str and rest[1] in _READ:
        real, kind, digest = rest
        _of(str, real)
        if _READ[kind] != (type(digest) is str and _DIGEST.fullmatch(digest) is not None) or not _READ[kind] and digest:
            raise ValueError("not a file's digest")
    else:
        raise ValueError("not an observation")
    return row


def _location(row) -> Location:
    file, line, column, end_line, end_column, message, resource = _list(row)
    numbers = [_of(int, number) for number in (line, column, end_line, end_column)]
    return Location(_of(str, file), *numbers, _of(str, message), _maybe(str, resource))


def _suppression(row) -> Suppression:
    selector, reason, resource, path, where = _list(row)
    return Suppression(_of(str, selector), _maybe(str, reason), _maybe(str, resource), _path(path), _location(where))


def _of(kind: type, value):
    """``value`` when its type is ``kind`` itself (a bool is no int, a subclass is not trusted)."""
    if type(value) is not kind:
        raise ValueError(f"expected a {kind.__name__}")
    return value


def _list(value) -> list:
    return _of(list, value)


def _pair(value) -> list:
    if len(_list(value)) != 2:
        raise ValueError("expected a pair")
    return value


def _maybe(kind: type, value):
    return None if value is None else _of(kind, value)


def _path(value) -> tuple:
    """A path into a template: keys and list indexes."""
    if any(type(part) not in (str, int) for part in _list(value)):
        raise ValueError("expected keys and indexes")
    return tuple(value)
