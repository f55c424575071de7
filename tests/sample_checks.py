"""A check's samples: ``<ID>-fail.yaml`` states each finding it must produce with an ``# expect:``
comment (rule, logical id, line, severity), ``<ID>-pass.yaml`` must produce none. The check is
run with its children (the problems it reports under ids of their own)."""

from __future__ import annotations

from pathlib import Path

from cfncheck.catalog import Catalog
from cfncheck.testing import expected, file_findings, summary


def with_children(rule: str) -> list[str]:
    entry = Catalog.builtin().find(rule)
    assert entry is not None, f"{rule} is not a check"
    return [rule, *(child.id for child in entry.children)]


def assert_samples(folder: Path, rule: str, **settings) -> None:
    """The failing sample reports exactly what it announces, the passing one nothing."""
    select = with_children(rule)
    failing, passing = folder / f"{rule}-fail.yaml", folder / f"{rule}-pass.yaml"
    announced = expected(failing)
    assert announced, f"{failing.name} states no finding"
    assert all(severity for *_, severity in announced), f"{failing.name}: state each finding's severity"
    assert sorted(summary(file_findings(failing, select, **settings), severity=True)) == sorted(announced)
    assert summary(file_findings(passing, select, **settings)) == []
