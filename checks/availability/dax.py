"""Availability of DynamoDB Accelerator (DAX) clusters."""

from __future__ import annotations

from cfncheck.analysis.zones import Zones
from cfncheck.api import ABSENT, INFO, WARNING, Child, as_number, check

SUBNET_GROUP = "AWS::DAX::SubnetGroup"


@check(
    "DDB009",
    "dax-cluster-size",
    WARNING,
    types=["AWS::DAX::Cluster"],
    fix="Set `ReplicationFactor: 3` (or more) and let the nodes spread over three Availability Zones.",
    example="""
    Cache:
      Type: AWS::DAX::Cluster
      Properties:
        NodeType: dax.r5.large
        ReplicationFactor: 1
        IAMRoleARN: !GetAtt DaxRole.Arn
    """,
    children=[
        Child(
            "DDB011",
            "dax-nodes-single-az",
            INFO,
            "A DAX cluster with several nodes placed in one Availability Zone (its `AvailabilityZones`, or the "
            "subnets of its subnet group): the replicas do not survive that zone's outage.",
            fix="List nodes in different `AvailabilityZones`, or give the subnet group subnets in several zones.",
        )
    ],
)
def dax_cluster_size(cluster, ctx):
    """DAX serves reads from a primary node and its read replicas: "Multi AZ (3 nodes minimum
    recommended for production)" (seed notes 001 #127, 002 DAX-01 DAX-03, 000 #104). With fewer
    than three nodes, losing one leaves the cluster without room to fail over or to absorb load.

    `ReplicationFactor` is the number of nodes (required). DDB011 notes several nodes all placed in
    one zone, as far as the zones can be proved. More nodes than DAX allows, or more zones listed
    than nodes, fail the deployment: deploy failures, not this advice.
    """
    zones = Zones(ctx)
    for alt in ctx.values(cluster, "Properties.ReplicationFactor"):
        nodes = as_number(alt.value)
        if nodes is None:
            continue
        if nodes < 3:
            yield ctx.finding(
                cluster,
                "Properties.ReplicationFactor",
                f"This DAX cluster has {nodes:g} node{'s' if nodes != 1 else ''}: run three or more (a primary and "
                "two replicas in other zones) so it survives a node or zone failure.",
                alt.scenario,
            )
        if nodes < 2:
            continue
        for path, spans in _placements(ctx, zones, cluster):
            for span in spans:
                merged = ctx.merge(alt.scenario, span.scenario)
                if merged is not None and span.value is not ABSENT and span.value.single:
                    yield ctx.finding(
                        cluster,
                        path,
                        f"The {nodes:g} nodes of this DAX cluster are {span.value.describe()}: spread them over "
                        "several zones so the replicas survive a zone outage.",
                        merged,
                        rule="DDB011",
                    )


def _placements(ctx, zones: Zones, cluster):
    """Where the nodes go: the listed zones, else the subnets of a subnet group of the template."""
    listed = zones.zone_list(cluster, "Properties.AvailabilityZones")
    if any(alt.value is not ABSENT for alt in listed):
        yield "Properties.AvailabilityZones", listed
        return
    for link in ctx.links(cluster, "Properties.SubnetGroupName"):
        if link.type == SUBNET_GROUP and not link.foreign:
            yield "Properties.SubnetGroupName", zones.subnets(link.resource, "Properties.SubnetIds")
