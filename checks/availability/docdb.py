"""Availability of DocumentDB clusters: a replica to fail over to."""

from __future__ import annotations

from cfncheck.analysis.referrers import handed_to_nested_stack, referrers
from cfncheck.api import ALWAYS, WARNING, Alt, check

INSTANCE = "AWS::DocDB::DBInstance"


@check(
    "RDS013",
    "rds-docdb-cluster-ha",
    WARNING,
    types=["AWS::DocDB::DBCluster"],
    fix="Add a second `AWS::DocDB::DBInstance` to the cluster (a replica in another Availability Zone).",
    example="""
    Cluster:
      Type: AWS::DocDB::DBCluster
      Properties:
        MasterUsername: admin
        ManageMasterUserPassword: true
    Primary:
      Type: AWS::DocDB::DBInstance
      Properties:
        DBClusterIdentifier: !Ref Cluster
        DBInstanceClass: db.r6g.large
    """,
)
def docdb_cluster_ha(cluster, ctx):
    """DocumentDB "replicates six copies of your data across three AWS Availability Zones" (seed
    notes 002 DOC-01), but only instances serve it: a cluster with one instance has nothing to fail
    over to, and is unavailable until that instance is replaced.

    Counts the `AWS::DocDB::DBInstance` resources of the run that name the cluster, per scenario;
    one is reported. None is not (the instances are then made somewhere the run does not show),
    nor a cluster handed to a nested stack. More than 16 instances fail the deployment, which is
    not this advice.
    """
    if handed_to_nested_stack(ctx, cluster):
        return
    members = []
    for member in referrers(ctx, cluster, (INSTANCE,), ("Properties", "DBClusterIdentifier")):
        present = ALWAYS if member.foreign else member.scenario
        absent = ctx.uncovered([present], cluster.exists_in)
        if absent is None:
            return
        members.append([Alt(1, present)] + [Alt(0, scenario) for scenario in absent])
    for scenario, counts in ctx.joint(*members, within=cluster.exists_in):
        if sum(counts) == 1:
            yield ctx.finding(
                cluster,
                (),
                "This DocumentDB cluster has one instance: when it fails, the cluster is down until it is replaced. "
                "Add a second instance, a replica the cluster can fail over to.",
                scenario,
            )
