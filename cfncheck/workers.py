"""Splitting a run: the templates that take part in cross-template analysis stay together in this
process; the others are checked alone, each loaded, checked and freed, in forked worker processes
when the run is large enough to pay for them.

A template whose text takes no part in cross-template analysis (no export, import or nested
stack) is loaded and checked on its own and then freed, so memory does not grow with
the number of files. Workers send back only findings and errors; everything is collected in the
order of the sources, which is the order ``jobs=1`` gives.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Collection, Iterable, Iterator

from .checking import Alone as Checked
from .checking import RunOptions, check_alone
from .loader import read_head
from .project import NESTED_STACK
from .result import RunResult, Source

PARALLEL_MIN_TEMPLATES = 32
"""Fewer templates than this are checked in the main process: starting workers would cost more."""
_CHUNK = 8  # templates a worker takes at a time: small enough to even out, large enough to batch

_SHARED_MARKERS = (b"Export", b"ImportValue", NESTED_STACK.encode())
"""Text without which a template neither offers nor uses anything across templates: no export,
no import, no nested stack."""
_ESCAPE = re.compile(rb"\\[uUx\r\n]")
"""An escape in a quoted string (JSON's ``\\u``, YAML's also ``\\x``, ``\\U`` and an escaped line
break) can spell a marker that the text does not show."""


def partition(sources: list[Source]) -> tuple[list[Source], list[Source]]:
    """The sources the parent loads, since they may take part in cross-template analysis (their
    text may export, import or nest stacks), and those a worker can load and check alone; each
    with its bytes, read once here."""
    if len(sources) < 2:
        return sources, []
    local, alone = [], []
    for source in sources:
        data = source.data
        if data is None:
            try:
                data = read_head(source.path)
            except OSError:
                local.append(source)  # the parent reports the error
                continue
            source = Source(source.name, source.path, data)
        if any(marker in data for marker in _SHARED_MARKERS) or _ESCAPE.search(data):
            local.append(source)
        else:
            alone.append(source)
    return local, alone


def can_fork() -> bool:
    import multiprocessing  # only for large runs: it is slow to import

    return "fork" in multiprocessing.get_all_start_methods()


_work: tuple[list[Source], RunOptions] | None = None
"""In a worker only: what its chunks index, handed over when the pool forks it, never pickled."""


def _start_worker(sources: list[Source], options: RunOptions) -> None:
    global _work
    _work = (sources, options)


def _check_chunk(indexes: range) -> list[Checked]:
    sources, options = _work
    return [check_alone(sources[index], options) for index in indexes]


class Alone:
    """The templates that take no part in cross-template analysis, each loaded and checked on
    its own and then freed, so that a run's memory does not grow with its size:
    in worker processes started on entering (``parallel``), or in this process when collected."""

    def __init__(self, sources: list[Source], options: RunOptions, parallel: bool) -> None:
        self.sources = sources
        self.options = options
        self.parallel = parallel and bool(sources)
        self.pool = None
        self.chunks: list[range] = []
        self.pending: Iterable = ()

    def __enter__(self) -> Alone:
        if not self.parallel:
            return self
        import multiprocessing

        count = len(self.sources)
        self.chunks = [range(start, min(start + _CHUNK, count)) for start in range(0, count, _CHUNK)]
        gc.freeze()  # the workers share the parent's objects: no collection should touch (and copy) them
        # A forked worker inherits the initializer's arguments: the sources and options are not pickled.
        self.pool = multiprocessing.get_context("fork").Pool(
            min(self.options.jobs, len(self.chunks)), _start_worker, (self.sources, self.options)
        )
        self.pending = self.pool.imap(_check_chunk, self.chunks)
        return self

    def collect(self, result: RunResult, dropped: Collection[Source] = ()) -> None:
        """Add to ``result``, in the order of the sources, the findings, suppressions, load errors
        and internal error counts, except for the ``dropped`` sources (a worker may have checked
        those already), and the timings (CPU seconds of the workers, summed)."""
        for index, (found, suppressions, errors, internal_errors, timings) in self._outcomes(dropped):
            for phase, seconds in timings.items():
                result.timings[phase] += seconds
            if self.sources[index] in dropped:
                continue
            result.findings.extend(found)
            result.suppressions.extend(suppressions)
            result.errors.extend(errors)
            result.internal_errors += internal_errors

    def _outcomes(self, dropped: Collection[Source]) -> Iterator[tuple[int, tuple]]:
        if self.pool is None:
            for index, source in enumerate(self.sources):
                if source not in dropped:
                    yield index, check_alone(source, self.options)
            return
        for indexes, done in zip(self.chunks, self.pending, strict=True):
            yield from zip(indexes, done, strict=True)

    def __exit__(self, *exc_info) -> None:
        if self.pool is not None:
            self.pool.terminate()
            gc.unfreeze()
