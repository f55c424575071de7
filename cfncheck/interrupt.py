"""The user's Ctrl-C, told apart from a ``KeyboardInterrupt`` that a check raises.

A check cannot end a run: whatever it raises is its own failure (CFN000), ``SystemExit`` and
``KeyboardInterrupt`` included. But the user's Ctrl-C must stop the run at once. The command line
installs :func:`on_interrupt`, so that SIGINT raises :class:`Interrupted`; under it (and in a
worker, which ignores SIGINT) only that is the user's. Elsewhere (a test, a program using
cfncheck) Python's own handler raises a plain ``KeyboardInterrupt``, which is then the user's.
"""

from __future__ import annotations

import signal


class Interrupted(KeyboardInterrupt):
    """SIGINT reached this process: the user pressed Ctrl-C."""


def on_interrupt(signum: int, frame: object) -> None:
    raise Interrupted


def by_user(err: BaseException) -> bool:
    """Whether ``err`` is the user's interruption, which must end the run."""
    if not isinstance(err, KeyboardInterrupt):
        return False
    return isinstance(err, Interrupted) or signal.getsignal(signal.SIGINT) is signal.default_int_handler
