"""Exposure: public access through resource policies, ACLs and network placement (catalog section 3.4, tier 1).

Resource policies are read through ``cfncheck.analysis.policy``; "public" means ``Principal: "*"``,
``{"AWS": "*"}`` or an Allow with NotPrincipal, and a public grant is acceptable when a condition
limits it to known accounts, organizations, sources or networks (``policy.restricted``).
"""

from __future__ import annotations

from cfncheck.analysis.policy import RESOURCE, Statement, is_public, policy_statements, restricted
from cfncheck.api import Context, Resource


def allowing_statements(resource: Resource, ctx: Context):
    """The Allow statements of the resource policies ``resource`` holds."""
    return (s for s in policy_statements(ctx, resource, (RESOURCE,)) if s.allows)


def public_grant(statement: Statement) -> str | None:
    """The key of a public grant that no condition restricts (Principal or NotPrincipal), else None."""
    if restricted(statement):
        return None
    if statement.not_principal is not None:
        return "NotPrincipal"
    return "Principal" if is_public(statement.principal) else None
