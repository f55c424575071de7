"""Everything a check needs, in one import: ``from cfncheck.api import check, ERROR, ...``."""

from .context import Context
from .findings import ERROR, INFO, WARNING, Finding, Location, Severity
from .registry import check
from .template import Output, Parameter, Resource, Template
from .values import (
    ABSENT,
    ALWAYS,
    AZ,
    Alt,
    AvailabilityZones,
    Reference,
    Scenario,
    Unknown,
    as_bool,
    as_list,
    as_number,
    is_known,
    lookup,
)

__all__ = [
    "ABSENT",
    "ALWAYS",
    "AZ",
    "Alt",
    "AvailabilityZones",
    "Context",
    "ERROR",
    "Finding",
    "INFO",
    "Location",
    "Output",
    "Parameter",
    "Reference",
    "Resource",
    "Scenario",
    "Severity",
    "Template",
    "Unknown",
    "WARNING",
    "as_bool",
    "as_list",
    "as_number",
    "check",
    "is_known",
    "lookup",
]
