"""Everything a check needs, in one import: ``from cfncheck.api import check, ERROR, ...``.

Shared analyses (policy documents, ports, zones, wiring…) are imported from ``cfncheck.analysis``.
"""

from .catalog import Child, check
from .context import Context, Link, per_template
from .findings import ERROR, INFO, WARNING, Finding, Location, Severity
from .project import import_calls, output_scenario
from .references import PSEUDO_PARAMETERS, getatt_parts, guards, iter_calls, iter_uses, resource_uses
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
    "PSEUDO_PARAMETERS",
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
    "getatt_parts",
    "guards",
    "import_calls",
    "is_known",
    "iter_calls",
    "iter_uses",
    "lookup",
    "output_scenario",
    "per_template",
    "resource_uses",
]
