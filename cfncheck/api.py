"""Everything a check needs, in one import: ``from cfncheck.api import check, ERROR, ...``."""

from .catalog import Child, check
from .context import Context, Link, per_template
from .findings import ERROR, INFO, WARNING, Finding, Location, Severity
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
    "Child",
    "Context",
    "Link",
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
    "per_template",
]
