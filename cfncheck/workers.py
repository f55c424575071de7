"""Splitting a run: the templates that take part in cross-template analysis stay together in this
process; the others are checked alone, each loaded, checked and freed, in forked worker processes
when the run is large enough to pay for them.

A template whose text takes no part in cross-template analysis (no export, import or nested
stack) is loaded and checked on its own and then freed, so memory does not grow with
the number of files. Workers send back only findings and errors; everything is collected in the
order of the sources, which is the order ``jobs=1`` gives.

A worker can die: the out-of-memory killer sends SIGKILL, a check may call ``os._exit``. The run
never waits for it: the template it was checking is an error that names it, the rest of its
share goes to the other workers (or to this process, when none is left), and the run completes.
Ctrl-C is this process's to handle: the workers ignore it, and are ended with the run.
"""

from __future__ import annotations

import gc
import signal
import threading
from collections import deque
from collections.abc import Collection, Iterator
from dataclasses import dataclass

from .checking import Alone as Checked
from .checking import RunOptions, check_alone
from .loader import ESCAPED, read_head
from .project import NESTED_STACK
from .result import FileError, RunResult, Source

PARALLEL_MIN_TEMPLATES = 32
"""Fewer templates than this are checked in the main process: starting workers would cost more."""
_CHUNK = 8  # templates a worker takes at a time: small enough to even out, large enough to batch

_SHARED_MARKERS = (b"Export", b"ImportValue", NESTED_STACK.encode())
"""Text without which a template neither offers nor uses anything across templates: no export,
no import, no nested stack (unless an escape spells one: ``loader.ESCAPED``)."""


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
        if any(marker in data for marker in _SHARED_MARKERS) or ESCAPED.search(data):
            local.append(source)
        else:
            alone.append(source)
    return local, alone


def can_fork() -> bool:
    import multiprocessing  # only for large runs: it is slow to import

    return "fork" in multiprocessing.get_all_start_methods()


class Alone:
    """The templates that take no part in cross-template analysis, each loaded and checked on
    its own and then freed, so that a run's memory does not grow with its size:
    in worker processes started on entering (``parallel``), or in this process when collected."""

    def __init__(self, sources: list[Source], options: RunOptions, parallel: bool) -> None:
        self.sources = sources
        self.options = options
        self.parallel = parallel and bool(sources)
        self.pool: _Pool | None = None

    def __enter__(self) -> Alone:
        if self.parallel:
            gc.freeze()  # the workers share the parent's objects: no collection should touch (and copy) them
            self.pool = _Pool(self.sources, self.options)
        return self

    def collect(self, result: RunResult, dropped: Collection[Source] = ()) -> None:
        """Add to ``result``, in the order of the sources, the findings, suppressions, load errors
        and internal error counts, except for the ``dropped`` sources (a worker may have checked
        those already), and the phase times (the wall-clock and CPU seconds of each template,
        summed over the workers). A template whose worker died is an error naming it."""
        for index, outcome in self._outcomes(dropped):
            source = self.sources[index]
            if isinstance(outcome, str):
                if source not in dropped:
                    result.errors.append(FileError(source.name, None, outcome))
                continue
            found, suppressions, errors, internal_errors, timings, cpu = outcome
            for phase, seconds in timings.items():
                result.timings[phase] += seconds
            for phase, seconds in cpu.items():
                result.cpu[phase] += seconds
            if source in dropped:
                continue
            result.findings.extend(found)
            result.suppressions.extend(suppressions)
            result.errors.extend(errors)
            result.internal_errors += internal_errors

    def _outcomes(self, dropped: Collection[Source]) -> Iterator[tuple[int, Checked | str]]:
        if self.pool is None:
            for index, source in enumerate(self.sources):
                if source not in dropped:
                    yield index, check_alone(source, self.options)
            return
        yield from self.pool.outcomes()

    def __exit__(self, *exc_info) -> None:
        if self.pool is not None:
            self.pool.close()
            gc.unfreeze()


@dataclass
class _Worker:
    process: object  # multiprocessing's forked Process
    connection: object  # this end of its pipe
    chunk: range = range(0)  # the indexes it was given last
    took: bool = False  # whether it said it received them (and is checking them in order)
    done: int = 0  # how many of them it has answered


class _Pool:
    """Worker processes, forked with the sources and options (never pickled), each fed one chunk
    of indexes at a time over its own pipe by a thread of this process, and answering each
    template as it is checked. Unlike ``multiprocessing.Pool``, it knows which template a worker
    was checking when it died, and it never waits for a dead worker."""

    def __init__(self, sources: list[Source], options: RunOptions) -> None:
        import multiprocessing

        self.sources = sources
        self.options = options
        count = len(sources)
        self.pending = deque(range(start, min(start + _CHUNK, count)) for start in range(0, count, _CHUNK))
        self.outcome: dict[int, Checked | str] = {}
        self.changed = threading.Condition()
        context = multiprocessing.get_context("fork")
        self.workers: list[_Worker] = []
        for _ in range(min(options.jobs, len(self.pending))):
            ours, theirs = context.Pipe()
            process = context.Process(target=_serve, args=(theirs, sources, options), daemon=True)
            process.start()  # forked before the thread below exists: a fork copies no thread's locks
            theirs.close()
            self.workers.append(_Worker(process, ours))
        self.thread = threading.Thread(target=self._schedule, name="cfncheck-workers", daemon=True)
        self.thread.start()

    def outcomes(self) -> Iterator[tuple[int, Checked | str]]:
        """Each template's outcome in the order of the sources, as the workers give them; those no
        worker could check (every worker died) are checked here."""
        for index in range(len(self.sources)):
            with self.changed:
                while index not in self.outcome and self.thread.is_alive():
                    self.changed.wait(0.5)
                outcome = self.outcome.pop(index, None)
            yield index, check_alone(self.sources[index], self.options) if outcome is None else outcome

    def _schedule(self) -> None:
        from multiprocessing.connection import wait

        try:
            busy = {id(worker): worker for worker in self.workers if self._give(worker)}
            while busy:
                waiting = {}
                for worker in busy.values():
                    waiting[worker.connection] = worker
                    waiting[worker.process.sentinel] = worker
                for ready in wait(list(waiting)):
                    worker = waiting[ready]
                    if id(worker) in busy and not self._answer(worker):
                        del busy[id(worker)]
        except Exception:  # noqa: BLE001, S110 - what no worker answered is checked in this process (outcomes)
            pass
        finally:
            with self.changed:
                self.changed.notify_all()

    def _give(self, worker: _Worker) -> bool:
        """Send the worker the next chunk; without one, tell it to stop. Whether it has work."""
        worker.chunk = self.pending.popleft() if self.pending else range(0)
        worker.took, worker.done = False, 0
        try:
            worker.connection.send(worker.chunk or None)
        except OSError:
            return self._died(worker)
        return bool(worker.chunk)

    def _answer(self, worker: _Worker) -> bool:
        """Take what the worker sent (or see that it died); whether it still has work."""
        try:
            index, outcome = worker.connection.recv()
        except (EOFError, OSError):
            return self._died(worker)
        if index is None:  # it received its chunk
            worker.took = True
            return True
        with self.changed:
            self.outcome[index] = outcome
            self.changed.notify_all()
        worker.done += 1
        return worker.done < len(worker.chunk) or self._give(worker)

    def _died(self, worker: _Worker) -> bool:
        """A worker is gone: the template it was checking failed, the rest of its chunk goes back
        (all of it when the worker died before it received the chunk)."""
        worker.process.join(1)
        left = worker.chunk[worker.done :]
        if left and not worker.took:
            self.pending.appendleft(left)
        elif left:
            with self.changed:
                self.outcome[left[0]] = _death(worker.process.exitcode)
                self.changed.notify_all()
            if len(left) > 1:
                self.pending.appendleft(left[1:])
        worker.chunk = range(0)
        return False

    def close(self) -> None:
        """End the workers (at once, when the run was interrupted) and the thread."""
        for worker in self.workers:
            if worker.process.is_alive():
                worker.process.terminate()
        for worker in self.workers:
            worker.process.join(1)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
        self.thread.join(2)  # it sees the workers gone; their pipes are closed after it is done with them
        if not self.thread.is_alive():
            for worker in self.workers:
                worker.connection.close()


def _serve(connection, sources: list[Source], options: RunOptions) -> None:
    """A worker: check the templates of each chunk it is given, answering each, until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's: it ends its workers
    while True:
        try:
            chunk = connection.recv()
        except EOFError:
            return
        if chunk is None:
            return
        connection.send((None, None))  # received: a death from now on is one of these templates'
        for index in chunk:
            try:
                outcome = check_alone(sources[index], options)
            except BaseException as err:  # noqa: BLE001 - a bug of the engine, not of a check: this template's error
                outcome = f"internal error while checking this file: {type(err).__name__}: {err}"
            connection.send((index, outcome))


def _death(status: int | None) -> str:
    if status is not None and status < 0:
        name = signal.Signals(-status).name
        why = f"was killed by {name}" + (" (what the out-of-memory killer sends)" if name == "SIGKILL" else "")
    else:
        why = f"ended (exit status {status})"
    return f"the worker process checking this file {why} before it finished; its findings are missing"
