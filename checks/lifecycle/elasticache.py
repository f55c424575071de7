"""ElastiCache for Redis and Valkey: automatic backups."""

from __future__ import annotations

from cfncheck.analysis.custom_resources import handed_to_custom_resources
from cfncheck.api import ABSENT, WARNING, as_number, check

from . import backup_shortfall

REPLICATION_GROUP = "AWS::ElastiCache::ReplicationGroup"
CACHE_CLUSTER = "AWS::ElastiCache::CacheCluster"
MODIFY = {REPLICATION_GROUP: "elasticache:ModifyReplicationGroup", CACHE_CLUSTER: "elasticache:ModifyCacheCluster"}
BACKED_UP_ENGINES = ("redis", "valkey")


@check(
    "EC004",
    "ec-redis-backups-disabled",
    WARNING,
    types=[REPLICATION_GROUP, CACHE_CLUSTER],
    options={"minimum_days": 1},
    fix="Set `SnapshotRetentionLimit` to the number of days of automatic backups to keep (1–35).",
    example="""
    Cache:
      Type: AWS::ElastiCache::ReplicationGroup
      Properties:
        ReplicationGroupDescription: sessions
        Engine: redis
        CacheNodeType: cache.t3.micro
    """,
)
def elasticache_backups(cache, ctx):
    """Redis and Valkey keep their data in memory: without automatic backups, a failure that takes
    the nodes (or a FLUSHALL) loses it for good — "No backup and restore" is what Memcached offers
    (seed notes 001 #124, 002 EC-03).

    `SnapshotRetentionLimit` defaults to 0, which turns automatic backups off. The `minimum_days`
    option (default 1) is the retention the organisation requires. Memcached has no backups (a
    retention on it fails the deployment, which is not this advice); members of a global datastore
    are left to its primary. A custom resource handed the cache, whose code may modify it, may
    turn backups on after creation: the scenarios where one exists are not judged.
    """
    minimum = ctx.options["minimum_days"]
    modified = handed_to_custom_resources(ctx, cache, MODIFY[cache.type])
    for scenario, (engine, days, global_group) in ctx.joint(
        ctx.values(cache, "Properties.Engine"),
        ctx.values(cache, "Properties.SnapshotRetentionLimit"),
        ctx.values(cache, "Properties.GlobalReplicationGroupId"),
    ):
        engine = "redis" if engine is ABSENT and cache.type == REPLICATION_GROUP else engine
        if not isinstance(engine, str) or engine.lower() not in BACKED_UP_ENGINES or global_group is not ABSENT:
            continue
        message = backup_shortfall(as_number(days, 0), minimum, "SnapshotRetentionLimit", days is ABSENT)
        if message:
            for unmodified in ctx.uncovered(modified, scenario) or ():
                yield ctx.finding(cache, "Properties.SnapshotRetentionLimit", message, unmodified)
