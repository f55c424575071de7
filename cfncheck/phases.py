"""Time per phase of a run (load, model, resolve, graph, checks, report), for ``--timings``: the
wall-clock seconds and the CPU seconds of the thread that ran it, summed over the worker
processes that ran it too."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator

from .intrinsics import Resolver


class Phases:
    """Wall and CPU time per phase into ``timings`` and ``cpu``. A phase entered inside another
    (the graph built when a check first asks for it, resolution inside a check) is counted for
    itself only, and a phase entered again inside itself (the resolver recursing) is counted once.
    CPU is this thread's (``time.thread_time``): the parent's thread that feeds the workers is
    not counted in the phase its main thread is in."""

    def __init__(self, timings: dict[str, float], cpu: dict[str, float]) -> None:
        self.timings = timings
        self.cpu = cpu
        self._stack: list[list] = []  # [phase, wall started, cpu started, depth]

    @contextlib.contextmanager
    def __call__(self, phase: str) -> Iterator[None]:
        stack = self._stack
        if stack and stack[-1][0] == phase:
            stack[-1][3] += 1
            try:
                yield
            finally:
                stack[-1][3] -= 1
            return
        now, spent = time.perf_counter(), time.thread_time()
        if stack:
            self._add(stack[-1], now, spent)
        stack.append([phase, now, spent, 0])
        try:
            yield
        finally:
            now, spent = time.perf_counter(), time.thread_time()
            self._add(stack.pop(), now, spent)
            if stack:
                stack[-1][1:3] = now, spent

    def _add(self, entry: list, now: float, spent: float) -> None:
        phase, started, cpu_started, _ = entry
        self.timings[phase] += now - started
        self.cpu[phase] += spent - cpu_started


PHASES = ("load", "model", "resolve", "graph", "checks", "report")


def cpu_seconds() -> float:
    """The CPU seconds of this process and of its children it has waited for (the workers, once
    the run has ended them)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def summary(timings: dict[str, float], cpu: dict[str, float], total: float, total_cpu: float) -> str:
    """One line per phase (for ``--timings``, on stderr): its wall-clock seconds, then its CPU
    seconds; a phase that workers ran counts the seconds of each, summed (so with several
    workers a phase's seconds can pass the run's wall-clock total). The total line gives the
    run's wall-clock time and the CPU of the process and its workers."""
    lines = [
        f"cfncheck timing: {phase} {timings.get(phase, 0.0):.4f} cpu {cpu.get(phase, 0.0):.4f}" for phase in PHASES
    ]
    return "\n".join([*lines, f"cfncheck timing: total {total:.4f} cpu {total_cpu:.4f}"]) + "\n"


class TimedResolver:
    """A resolver whose public calls count as the "resolve" phase: the resolver is lazy, so what it
    costs is spent inside the checks. Only a run with ``--timings`` pays for the timing."""

    def __init__(self, resolver: Resolver, phases: Phases) -> None:
        self._resolver = resolver
        self._phases = phases

    def __getattr__(self, name: str):
        return getattr(self._resolver, name)

    def _timed(self, method: str, *args, **kwargs):
        with self._phases("resolve"):
            return getattr(self._resolver, method)(*args, **kwargs)

    def resolve(self, *args, **kwargs):
        return self._timed("resolve", *args, **kwargs)

    def get(self, *args, **kwargs):
        return self._timed("get", *args, **kwargs)

    def elements(self, *args, **kwargs):
        return self._timed("elements", *args, **kwargs)

    def reach(self, *args, **kwargs):
        return self._timed("reach", *args, **kwargs)

    def satisfiable(self, *args, **kwargs):
        return self._timed("satisfiable", *args, **kwargs)
