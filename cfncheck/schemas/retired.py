"""AWS services that no longer create resources (``retired_services.json``, each entry with the
AWS page that announces its end)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import cache

from . import HERE


@dataclass(frozen=True)
class Retirement:
    service: str
    date: date
    source: str
    says: str


@cache
def _services() -> list[tuple[tuple[str, ...], Retirement]]:
    data = json.loads((HERE / "retired_services.json").read_text(encoding="utf-8"))
    return [
        (tuple(e["prefixes"]), Retirement(e["service"], date.fromisoformat(e["date"]), e["source"], e["says"]))
        for e in data["services"]
    ]


def retirement(type_name: str) -> Retirement | None:
    """The end of the service a resource type belongs to, if AWS has announced one."""
    return next((retired for prefixes, retired in _services() if type_name.startswith(prefixes)), None)
