"""Redshift clusters: automated snapshots."""

from __future__ import annotations

from cfncheck.api import ABSENT, WARNING, as_number, check

from . import backup_shortfall


@check(
    "REDSHIFT004",
    "redshift-snapshot-retention",
    WARNING,
    types=["AWS::Redshift::Cluster"],
    options={"minimum_days": 1},
    fix="Set `AutomatedSnapshotRetentionPeriod` to 1–35 days (the default is 1).",
    example="""
    Warehouse:
      Type: AWS::Redshift::Cluster
      Properties:
        ClusterType: single-node
        NodeType: ra3.large
        DBName: analytics
        MasterUsername: admin
        ManageMasterPassword: true
        AutomatedSnapshotRetentionPeriod: 0
    """,
)
def redshift_snapshot_retention(cluster, ctx):
    """ "Automatic snapshots feature is enabled by default" (seed notes 002 RS-04, 004 #130): a
    cluster with `AutomatedSnapshotRetentionPeriod: 0` has them turned off, and can only be restored
    from manual snapshots.

    The default is 1 day. The `minimum_days` option (default 1) is the retention the organisation
    requires. A value outside 0–35 fails the deployment: that is a deploy failure, not this advice.
    """
    minimum = ctx.options["minimum_days"]
    for alt in ctx.values(cluster, "Properties.AutomatedSnapshotRetentionPeriod"):
        message = backup_shortfall(
            as_number(alt.value, 1), minimum, "AutomatedSnapshotRetentionPeriod", alt.value is ABSENT
        )
        if message:
            yield ctx.finding(cluster, "Properties.AutomatedSnapshotRetentionPeriod", message, alt.scenario)
