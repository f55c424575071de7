"""The ``cfncheck`` command as a process: ``python -m cfncheck``, and the installed script."""

import contextlib
import os
import sys

from .cli import main


def console() -> None:
    """The ``cfncheck`` command: ``main``, then an exit that skips tearing the interpreter down.
    A large run leaves millions of objects that would be freed one by one for nothing (a tenth
    of a second on the corpus); everything the run writes is flushed first."""
    try:
        main()
        status = 0
    except SystemExit as stop:
        status = stop.code if isinstance(stop.code, int) else 0 if stop.code is None else 1
        if not isinstance(stop.code, int | None):
            print(stop.code, file=sys.stderr)
    if _observed():
        sys.exit(status)
    for stream in (sys.stdout, sys.stderr):
        # A closed pipe (there is no one left to tell), or a stream closed already (the
        # language server closes standard output when the editor says exit).
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(status)


def _observed() -> bool:
    """Whether a profiler, a debugger or a coverage tool watches the process: it writes what it
    saw at a normal exit."""
    monitoring = getattr(sys, "monitoring", None)  # Python 3.12+
    tools = monitoring is not None and any(monitoring.get_tool(tool) is not None for tool in range(6))
    return sys.getprofile() is not None or sys.gettrace() is not None or tools


if __name__ == "__main__":
    console()
