"""Renderers of a run's outcome, one module per output format.

A new format is a module here with ``render(outcome, root) -> str``, named in ``FORMATS`` and
``render`` below (``root``: where the paths it prints are relative to).
"""

from __future__ import annotations

from pathlib import Path

from ..outcome import Outcome

FORMATS = ("text", "json", "sarif", "github")


def render(kind: str, outcome: Outcome, root: Path, color: bool = False) -> str:
    """The findings of ``outcome`` in the format ``kind`` (text: without the errors, which go to stderr)."""
    from . import github, json, sarif, text

    if kind == "text":
        return text.render(outcome, color)
    if kind == "json":
        return json.render(outcome)
    if kind == "sarif":
        return sarif.render(outcome, root)
    return github.render(outcome, root)
