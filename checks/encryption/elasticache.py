"""Encryption of ElastiCache replication groups and clusters: at rest and in transit."""

from __future__ import annotations

from cfncheck.api import ABSENT, ERROR, INFO, WARNING, Child, as_bool, check

from . import flag_off, key_without_flag


@check(
    "EC001",
    "ec-at-rest-encryption-disabled",
    WARNING,
    types=["AWS::ElastiCache::ReplicationGroup"],
    fix="Set `AtRestEncryptionEnabled: true` when creating the replication group.",
    tags=("security",),
    children=[
        key_without_flag(
            "EC007",
            "ec-kms-key-without-at-rest-encryption",
            "AtRestEncryptionEnabled",
            "the replication group",
            "EC001",
        )
    ],
)
def elasticache_at_rest(group, ctx):
    """ElastiCache replication groups should encrypt data at rest (disks, swap and backups).

    AWS default: AtRestEncryptionEnabled false (creation-only). A KmsKeyId without it is
    EC007. Members of a global datastore (GlobalReplicationGroupId) inherit the
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
            "EC007",
        )


@check(
    "EC002",
    "ec-in-transit-encryption-disabled",
    WARNING,
    types=["AWS::ElastiCache::ReplicationGroup", "AWS::ElastiCache::CacheCluster"],
    fix="Set `TransitEncryptionEnabled: true`.",
    tags=("security",),
    children=[
        Child(
            "EC008",
            "ec-auth-token-without-transit-encryption",
            ERROR,
            """An AuthToken given while TransitEncryptionEnabled is not true: ElastiCache accepts an
            AUTH token only with in-transit encryption, so creating the cache fails.""",
            fix="Set `TransitEncryptionEnabled: true`, or remove AuthToken.",
            deploy_failure=True,
            formerly=("EC002",),
        ),
        Child(
            "EC009",
            "ec-memcached-transit-encryption-disabled",
            INFO,
            """A Memcached cache cluster without in-transit encryption: its traffic is in plaintext.

            Memcached keeps no data worth a password and is usually reached only from the
            application's security group, so this is advice: turn TLS on where the cached data is
            sensitive (it needs a TLS-capable client).""",
            fix="Set `TransitEncryptionEnabled: true` (Memcached 1.6.12 or later).",
            formerly=("EC002",),
        ),
    ],
)
def elasticache_in_transit(cache, ctx):
    """ElastiCache traffic between clients and nodes should be encrypted with TLS.

    AWS default: TransitEncryptionEnabled false. A Redis OSS or Valkey replication group without
    it is reported (in-transit encryption is optional on node-based clusters, re-verified in the
    ElastiCache guide: only serverless caches always have it); an AuthToken without it is EC008;
    a Memcached cluster without it is EC009. Redis CacheClusters are not judged here (in-transit
    encryption is a replication-group feature for Redis).
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
                rule="EC008",
            )
        elif cache.type.endswith("CacheCluster"):
            if engine == "memcached":
                yield ctx.finding(
                    cache,
                    path,
                    "Set TransitEncryptionEnabled to true: Memcached traffic is in plaintext.",
                    scenario,
                    rule="EC009",
                )
        elif engine in ("redis", "valkey"):
            product = "Valkey" if engine == "valkey" else "Redis"
            yield ctx.finding(
                cache,
                path,
                f"Set TransitEncryptionEnabled to true: {product} traffic between clients and nodes is in plaintext.",
                scenario,
            )
