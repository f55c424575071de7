"""Availability of ElastiCache: replicas and automatic failover."""

from __future__ import annotations

from cfncheck.api import ABSENT, ERROR, INFO, WARNING, Child, as_bool, as_number, check, lookup

from . import engine_name

REDIS_ENGINES = ("redis", "valkey")


@check(
    "EC003",
    "ec-no-automatic-failover",
    WARNING,
    types=["AWS::ElastiCache::ReplicationGroup", "AWS::ElastiCache::CacheCluster"],
    fix="Set `AutomaticFailoverEnabled: true` and `MultiAZEnabled: true` with at least one replica per shard.",
    children=[
        Child(
            "EC010",
            "ec-failover-config-invalid",
            ERROR,
            """Failover settings ElastiCache rejects, so creating the replication group fails:
            automatic failover with fewer than two nodes (cluster mode disabled), Multi-AZ without
            automatic failover, or cluster mode (several shards) without automatic failover.""",
            fix="Turn on AutomaticFailoverEnabled with at least one replica per shard.",
            deploy_failure=True,
            formerly=("EC003",),
        ),
        Child(
            "EC011",
            "ec-standalone-redis-cluster",
            INFO,
            """A standalone Redis or Valkey cache cluster (AWS::ElastiCache::CacheCluster) is a single
            node with no failover: fine for a cache that can be rebuilt, not for data that must
            stay available.""",
            fix="Use an AWS::ElastiCache::ReplicationGroup with a replica and automatic failover for data that must"
            " stay available.",
            formerly=("EC003",),
        ),
    ],
)
def elasticache_failover(cache, ctx):
    """A Redis or Valkey replication group without automatic failover and Multi-AZ, or without a
    replica, stays down when its primary fails or its AZ goes out, until someone promotes a
    replica by hand.

    CloudFormation's defaults are `AutomaticFailoverEnabled: false` and `MultiAZEnabled: false`.
    Settings ElastiCache rejects are EC010: failover with fewer than two nodes (cluster mode
    disabled), Multi-AZ without failover, cluster mode (several shards) without failover. A
    standalone Redis cache cluster is a single node: EC011.
    """
    if cache.type == "AWS::ElastiCache::CacheCluster":
        for alt in ctx.values(cache, "Properties.Engine"):
            if engine_name(alt.value) in REDIS_ENGINES:
                yield ctx.finding(
                    cache,
                    "Properties.Engine",
                    "A standalone Redis cache cluster is a single node with no failover: use an "
                    "AWS::ElastiCache::ReplicationGroup with a replica and automatic failover for data that must "
                    "stay available.",
                    alt.scenario,
                    rule="EC011",
                )
        return
    for scenario, values in ctx.joint(
        *(
            ctx.values(cache, f"Properties.{name}")
            for name in (
                "Engine",
                "AutomaticFailoverEnabled",
                "MultiAZEnabled",
                "NumCacheClusters",
                "NumNodeGroups",
                "ReplicasPerNodeGroup",
                "NodeGroupConfiguration",
                "PrimaryClusterId",
            )
        )
    ):
        engine, failover, multi_az, clusters, shards, replicas, groups, primary = values
        if engine_name(engine if engine is not ABSENT else "redis") not in REDIS_ENGINES or primary is not ABSENT:
            continue  # a group built around an existing primary has nodes outside the template
        failover, multi_az = as_bool(failover, False), as_bool(multi_az, False)
        shard_count = _shards(shards, groups)
        replica_count = _replicas(clusters, replicas, groups)
        if failover is None or multi_az is None or shard_count is None or replica_count is None:
            continue
        problem = _failover_problem(failover, multi_az, shard_count, replica_count, clusters is not ABSENT)
        if problem is not None:
            path, message, rule = problem
            yield ctx.finding(cache, f"Properties.{path}", message, scenario, rule=rule)


def _shards(shards, groups) -> int | None:
    if isinstance(groups, list):
        return len(groups)
    if groups is not ABSENT:
        return None
    count = as_number(shards, 1)
    return count if isinstance(count, int) else None


def _replicas(clusters, replicas, groups) -> int | None:
    """Replicas per shard (the fewest, for NodeGroupConfiguration)."""
    if clusters is not ABSENT:
        count = as_number(clusters)
        return count - 1 if isinstance(count, int) else None
    if replicas is not ABSENT:
        count = as_number(replicas)
        return count if isinstance(count, int) else None
    if isinstance(groups, list) and groups:
        counts = [as_number(lookup(group, "ReplicaCount"), 0) for group in groups]
        return min(counts) if all(isinstance(c, int) for c in counts) else None
    return 0  # one primary and no replica


def _failover_problem(failover: bool, multi_az: bool, shards: int, replicas: int, counted: bool):
    """The most severe failover problem of a replication group: (property, message, the child that
    reports it or None for EC003 itself), or None."""
    if failover and replicas < 1 and shards == 1:
        path = "NumCacheClusters" if counted else "AutomaticFailoverEnabled"
        return path, "Automatic failover needs at least two nodes: set NumCacheClusters to 2 or more.", "EC010"
    if multi_az and not failover:
        return "MultiAZEnabled", "MultiAZEnabled requires AutomaticFailoverEnabled: true; set it.", "EC010"
    if shards > 1 and not failover:
        return (
            "AutomaticFailoverEnabled",
            "A cluster-mode replication group with several shards requires AutomaticFailoverEnabled: true; set it.",
            "EC010",
        )
    if replicas < 1:
        path = "NumCacheClusters" if counted else "AutomaticFailoverEnabled"
        return (
            path,
            (
                "Add a replica per shard (NumCacheClusters 2 or more, or ReplicasPerNodeGroup 1 or more) and turn on "
                "AutomaticFailoverEnabled and MultiAZEnabled: with no replica a node failure loses the cache."
            ),
            None,
        )
    if not failover or not multi_az:
        missing = [
            name for name, on in (("AutomaticFailoverEnabled", failover), ("MultiAZEnabled", multi_az)) if not on
        ]
        return (
            missing[0],
            f"Set {' and '.join(f'{name}: true' for name in missing)} (the default is false) so a replica in another "
            "Availability Zone takes over when the primary fails.",
            None,
        )
    return None
