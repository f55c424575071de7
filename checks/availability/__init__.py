"""Multi-AZ and high availability (catalog section 3.8).

Zones come from :mod:`cfncheck.analysis.zones`: a check reports only what the template proves
(a single subnet, or subnets all in the same zone); subnet ids passed in from outside have unknown
zones and are never reported.
"""

from __future__ import annotations


def engine_name(value) -> str | None:
    """A database or cache engine as a lower-case name, None when it is not a known string."""
    return value.lower() if isinstance(value, str) else None
