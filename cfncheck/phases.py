"""Wall time per phase of a run (load, model, resolve, graph, checks, report), for ``--timings``."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

from .intrinsics import Resolver


class Phases:
    """Wall time per phase into ``timings``. A phase entered inside another (the graph built when
    a check first asks for it, resolution inside a check) is counted for itself only, and a
    phase entered again inside itself (the resolver recursing) is counted once."""

    def __init__(self, timings: dict[str, float]) -> None:
        self.timings = timings
        self._stack: list[list] = []  # [phase, started, depth]

    @contextlib.contextmanager
    def __call__(self, phase: str) -> Iterator[None]:
        now = time.perf_counter()
        stack = self._stack
        if stack and stack[-1][0] == phase:
            stack[-1][2] += 1
            try:
                yield
            finally:
                stack[-1][2] -= 1
            return
        if stack:
            outer = stack[-1]
            self.timings[outer[0]] += now - outer[1]
        stack.append([phase, now, 0])
        try:
            yield
        finally:
            now = time.perf_counter()
            self.timings[phase] += now - stack.pop()[1]
            if stack:
                stack[-1][1] = now


PHASES = ("load", "model", "resolve", "graph", "checks", "report")


def summary(timings: dict[str, float], total: float) -> str:
    """One line per phase (for ``--timings``, on stderr); with workers, a phase they ran is their
    CPU time summed."""
    lines = [f"cfncheck timing: {phase} {timings.get(phase, 0.0):.4f}" for phase in PHASES]
    return "\n".join([*lines, f"cfncheck timing: total {total:.4f}"]) + "\n"


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
