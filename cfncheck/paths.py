"""Whether a path is inside the project: the one test of every file a run reads that it was not
named on the command line (a nested stack's template, a walked link, a file a repository's
configuration names), so that a template or a repository never makes cfncheck read elsewhere."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path


def inside(path: str | os.PathLike, folders: Iterable[str]) -> bool:
    """Whether ``path``, its links followed, is in one of ``folders`` (real paths)."""
    try:
        real = Path(os.path.realpath(path))
    except (OSError, ValueError):
        return False
    return any(real.is_relative_to(folder) for folder in folders)
