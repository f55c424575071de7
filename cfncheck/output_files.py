"""The files a run writes (``--output-sarif``, ``--output-json``, ``--write-baseline``): whole or
not at all, and never through a symbolic link.

A file is written to a temporary file beside it and renamed over it, so a full disk or a killed
run leaves the old file (a baseline still in use) as it was. A symbolic link where the file
should be is refused: a link committed to a repository (``cfncheck.sarif`` pointing elsewhere)
would otherwise make a run overwrite its target.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


class OutputError(Exception):
    """A file that could not be written: one line, naming it and why."""


def write_text(path: str | os.PathLike, text: str) -> None:
    """Replace the file at ``path`` with ``text`` (UTF-8), creating its folder. Raises OutputError."""
    target = Path(path)
    try:
        if target.is_symlink():
            raise OutputError(
                f"cannot write {path}: it is a symbolic link, and cfncheck writes through none "
                "(remove it, or name the file it points to)"
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        mode = target.stat().st_mode & 0o777 if target.exists() else 0o666 & ~_umask()
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(text)
            os.chmod(temporary, mode)
            os.replace(temporary, target)  # replaces the name, never a link's target
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
    except OSError as err:
        raise OutputError(f"cannot write {path}: {err.strerror or err}") from None


def append_text(path: str | os.PathLike, text: str) -> None:
    """Add ``text`` to the end of a file another program gave (GitHub's job summary). Raises OutputError."""
    try:
        with open(path, "a", encoding="utf-8") as stream:
            stream.write(text)
    except OSError as err:
        raise OutputError(f"cannot write {path}: {err.strerror or err}") from None


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
