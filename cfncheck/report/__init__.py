"""Renderers of a run's outcome, one module per output format.

A new format is a module here with ``render(outcome, root) -> str``, named in ``FORMATS`` and
``render`` below (``root``: where the paths it prints are relative to); a format a CI system reads
from a file is named in ``FILE_FORMATS`` too, which gives it an ``--output-FORMAT FILE`` flag
(written whole, never through a link: ``output_files``). What a format prints that it did not
write itself (names, messages) goes through ``escape.escape`` for its destination.
"""

from __future__ import annotations

from pathlib import Path

from ..outcome import Outcome

FORMATS = ("text", "json", "sarif", "github", "junit", "gitlab")
FILE_FORMATS = {
    "sarif": "SARIF 2.1.0",
    "json": "the JSON report",
    "junit": "JUnit XML",
    "gitlab": "GitLab Code Quality JSON",
}
"""The formats written beside the one on standard output (``--output-FORMAT FILE``), described."""


def render(kind: str, outcome: Outcome, root: Path, color: bool = False, fail_on: str = "warning") -> str:
    """The findings of ``outcome`` in the format ``kind`` (text: without the errors, which go to
    stderr); ``fail_on``: the threshold of a failed test in JUnit."""
    from . import github, gitlab, json, junit, sarif, text

    if kind == "text":
        return text.render(outcome, color)
    if kind == "json":
        return json.render(outcome)
    if kind == "sarif":
        return sarif.render(outcome, root)
    if kind == "junit":
        return junit.render(outcome, root, fail_on)
    if kind == "gitlab":
        return gitlab.render(outcome, root)
    return github.render(outcome, root)
