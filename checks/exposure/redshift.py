"""Exposure of Redshift clusters to the internet."""

from __future__ import annotations

from cfncheck.api import ERROR, as_bool, check


@check(
    "REDSHIFT002",
    "redshift-publicly-accessible",
    ERROR,
    types=["AWS::Redshift::Cluster"],
    fix="Set PubliclyAccessible: false and reach the cluster from inside the VPC.",
    tags=("security",),
)
def redshift_publicly_accessible(cluster, ctx):
    """A Redshift cluster reachable from the internet exposes the warehouse to password guessing.
    Absent means private (the default for clusters created since 2025 is not publicly accessible)."""
    for alt in ctx.values(cluster, "Properties.PubliclyAccessible"):
        if as_bool(alt.value) is True:
            yield ctx.finding(
                cluster,
                "Properties.PubliclyAccessible",
                "Set PubliclyAccessible to false: the cluster is reachable from the internet.",
                alt.scenario,
            )
