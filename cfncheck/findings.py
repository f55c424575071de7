"""What a check reports: a severity, a place in a file, and a message that says what to change."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum


class Severity(IntEnum):
    INFO = 1
    WARNING = 2
    ERROR = 3

    def __str__(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls[text.strip().upper()]


ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO


@dataclass(frozen=True)
class Location:
    file: str
    line: int
    column: int
    end_line: int
    end_column: int
    message: str = ""  # what is there, for a related location
    resource: str | None = None  # the logical id of the resource the place is in

    def as_dict(self) -> dict:
        return {**region(self), "resource": self.resource, "message": self.message}


def region(place: Location | Finding) -> dict:
    """Where a finding or a related place is, as JSON gives it."""
    return {
        "file": place.file,
        "line": place.line,
        "column": place.column,
        "end_line": place.end_line,
        "end_column": place.end_column,
    }


@dataclass(frozen=True)
class Finding:
    """One problem found; a step after the checks that changes it (merging scenarios or regions,
    overriding the severity, suppressing) makes a new one."""

    rule_id: str
    name: str
    severity: Severity
    file: str
    line: int
    column: int
    end_line: int
    end_column: int
    resource: str | None
    path: tuple
    message: str
    conditions: dict[str, bool] = field(default_factory=dict)
    iteration: tuple[
        tuple[str, str], ...
    ] = ()  # the Fn::ForEach iteration that made the resource: (("Name", "Orders"),)
    related: tuple[Location, ...] = ()
    suppressed: str | None = None  # the justification, when a suppression matched
    suppressed_by: str | None = None  # "metadata" (in the template) or "baseline" (an external file)
    anchored: bool = False
    """The region encloses the place rather than being it (a whole resource, its Properties, a whole
    parameter or section, the key an absent property goes under): a report that shows one line
    shows the region's first."""

    @property
    def sort_key(self) -> tuple:
        return (
            self.file,
            self.line,
            self.column,
            self.rule_id,
            self.resource or "",
            tuple(map(str, self.path)),
            self.message,
        )

    def as_dict(self) -> dict:
        return {
            "rule_id": self.rule_id,
            "name": self.name,
            "severity": str(self.severity),
            **region(self),
            "resource": self.resource,
            "path": list(self.path),
            "message": self.message,
            "conditions": dict(self.conditions),
            **({"iteration": dict(self.iteration)} if self.iteration else {}),
            "related": [place.as_dict() for place in self.related],
        }

    @property
    def scenario_text(self) -> str:
        return ", ".join(f"{k}={'true' if v else 'false'}" for k, v in sorted(self.conditions.items()))

    @property
    def shown_message(self) -> str:
        """The message with the loop iteration (``[for Name=Orders]``) and the scenario
        (``[when IsProd=true]``) in which it holds, as people read it."""
        message = self.message
        if self.iteration:
            message += " [for " + ", ".join(f"{name}={item}" for name, item in self.iteration) + "]"
        if self.conditions:
            message += f" [when {self.scenario_text}]"
        return message
