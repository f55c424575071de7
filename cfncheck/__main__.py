"""The ``cfncheck`` command as a process: ``python -m cfncheck``, and the installed script.

Ctrl-C ends the run at once, its workers with it, without a traceback; so does a standard output
closed early (``cfncheck … | head``). The process then ends by that signal, SIGINT or SIGPIPE, as
a command killed by it does: a shell shows the status 130 or 141, and a script that runs
cfncheck stops when the user interrupts it.
"""

import contextlib
import os
import signal
import sys

from .cli import main
from .interrupt import on_interrupt


def console() -> None:
    """The ``cfncheck`` command: ``main``, then an exit that skips tearing the interpreter down.
    A large run leaves millions of objects that would be freed one by one for nothing (a tenth
    of a second on the corpus); everything the run writes is flushed first."""
    signal.signal(signal.SIGINT, on_interrupt)  # the user's Ctrl-C, told apart from a check's KeyboardInterrupt
    try:
        main()
        status = 0
    except SystemExit as stop:
        status = stop.code if isinstance(stop.code, int) else 0 if stop.code is None else 1
        if not isinstance(stop.code, int | None):
            print(stop.code, file=sys.stderr)
    except KeyboardInterrupt:
        _end_by(signal.SIGINT)
    except BrokenPipeError:
        _end_by(_SIGPIPE)
    if _observed():
        sys.exit(status)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BrokenPipeError:  # the reader left while the last of the output was written
            _end_by(_SIGPIPE)
        except (OSError, ValueError):
            # Another failure of a stream there is no one left to tell about, or a stream closed
            # already (the language server closes standard output when the editor says exit).
            pass
    os._exit(status)


_SIGPIPE = getattr(signal, "SIGPIPE", 13)  # Windows has no SIGPIPE: its number, for the status


def _end_by(signum: int) -> None:
    """End the process by ``signum``, quietly: what is still buffered for a closed or abandoned
    output is dropped."""
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    with contextlib.suppress(OSError, ValueError):  # ValueError: no such signal here
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
    os._exit(128 + signum)  # where the signal did not end the process: the status a shell would show


def _observed() -> bool:
    """Whether a profiler, a debugger or a coverage tool watches the process: it writes what it
    saw at a normal exit."""
    monitoring = getattr(sys, "monitoring", None)  # Python 3.12+
    tools = monitoring is not None and any(monitoring.get_tool(tool) is not None for tool in range(6))
    return sys.getprofile() is not None or sys.gettrace() is not None or tools


if __name__ == "__main__":
    console()
