"""Encryption of ElastiCache replication groups and clusters: at rest and in transit."""

from __future__ import annotations

from cfncheck.api import ABSENT, ERROR, INFO, WARNING, as_bool, check

from . import flag_off


@check(
    "EC001",
    "ec-at-rest-encryption-disabled",
    WARNING,
    types=["AWS::ElastiCache::ReplicationGroup"],
    fix="Set `AtRestEncryptionEnabled: true` when creating the replication group.",
    tags=("security",),
)
def elasticache_at_rest(group, ctx):
    """ElastiCache replication groups should encrypt data at rest (disks, swap and backups).

    AWS default: AtRestEncryptionEnabled false (creation-only). A KmsKeyId without it is
    rejected (error). Members of a global datastore (GlobalReplicationGroupId) inherit the
    primary's setting and are skipped; ElastiCache Serverless caches are always encrypted.
    """
    if any(alt.value is not ABSENT for alt in ctx.values(group, "Properties.GlobalReplicationGroupId")):
        return
    for scenario, (enabled, key) in ctx.joint(
        ctx.values(group, "Properties.AtRestEncryptionEnabled"), ctx.values(group, "Properties.KmsKeyId")
    ):
        if as_bool(enabled, False) is not False:
            continue
        yield flag_off(
            ctx,
            group,
            "Properties.AtRestEncryptionEnabled",
            key,
            scenario,
            "cached data and backups are not encrypted at rest.",
        )


@check(
    "EC002",
    "ec-in-transit-encryption-disabled",
    WARNING,
    types=["AWS::ElastiCache::ReplicationGroup", "AWS::ElastiCache::CacheCluster"],
    fix="Set `TransitEncryptionEnabled: true`.",
    tags=("security",),
)
def elasticache_in_transit(cache, ctx):
    """ElastiCache traffic between clients and nodes should be encrypted with TLS.

    AWS default: TransitEncryptionEnabled false. A Redis OSS replication group without it →
    warning; a Valkey group without it → error (required, per the catalog); an AuthToken without
    it is rejected (error); a Memcached cluster without it → info. Redis CacheClusters are
    not judged here (in-transit encryption is a replication-group feature for Redis).
    """
    names = ("TransitEncryptionEnabled", "Engine", "AuthToken")
    for scenario, (enabled, engine, token) in ctx.joint(*(ctx.values(cache, f"Properties.{n}") for n in names)):
        if as_bool(enabled, False) is not False or not isinstance(engine, str) and engine is not ABSENT:
            continue
        engine = "redis" if engine is ABSENT and cache.type.endswith("ReplicationGroup") else engine
        path = "Properties.TransitEncryptionEnabled"
        if token is not ABSENT:
            yield ctx.finding(
                cache,
                path,
                "Set TransitEncryptionEnabled to true: an AuthToken without it is rejected.",
                scenario,
                severity=ERROR,
            )
        elif cache.type.endswith("CacheCluster"):
            if engine == "memcached":
                yield ctx.finding(
                    cache,
                    path,
                    "Set TransitEncryptionEnabled to true: Memcached traffic is in plaintext.",
                    scenario,
                    severity=INFO,
                )
        elif engine == "valkey":
            yield ctx.finding(
                cache,
                path,
                "Set TransitEncryptionEnabled to true: Valkey replication groups require in-transit encryption.",
                scenario,
                severity=ERROR,
            )
        elif engine == "redis":
            yield ctx.finding(
                cache,
                path,
                "Set TransitEncryptionEnabled to true: Redis traffic between clients and nodes is in plaintext.",
                scenario,
            )
