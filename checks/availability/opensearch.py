"""Availability of OpenSearch and Elasticsearch domains: zone awareness."""

from __future__ import annotations

from cfncheck.api import ABSENT, WARNING, as_bool, as_number, check, lookup


@check(
    "ES003",
    "es-no-zone-awareness",
    WARNING,
    types=["AWS::OpenSearchService::Domain", "AWS::Elasticsearch::Domain"],
    fix="Set `InstanceCount` to 2 or more and `ZoneAwarenessEnabled: true` in the cluster configuration.",
)
def search_zone_awareness(domain, ctx):
    """An OpenSearch domain without zone awareness keeps all its shards in one Availability Zone:
    an AZ outage makes the domain unavailable and may lose data without replicas elsewhere.

    Defaults: `InstanceCount` 1 and `ZoneAwarenessEnabled` false. `MultiAZWithStandbyEnabled: true`
    implies zone awareness.
    """
    config = "ClusterConfig" if domain.type == "AWS::OpenSearchService::Domain" else "ElasticsearchClusterConfig"
    for alt in ctx.values(domain, f"Properties.{config}"):
        cluster = alt.value if alt.value is not ABSENT else {}
        if not isinstance(cluster, dict):
            continue
        count = as_number(lookup(cluster, "InstanceCount"), 1)
        aware = as_bool(lookup(cluster, "ZoneAwarenessEnabled"), False)
        standby = as_bool(lookup(cluster, "MultiAZWithStandbyEnabled"), False)
        if count is None or aware is None or standby is None or standby:
            continue
        if count < 2:
            path = "InstanceCount" if lookup(cluster, "InstanceCount") is not ABSENT else ""
            message = (
                f"The domain has {count} data node: set InstanceCount to 2 or more and ZoneAwarenessEnabled: true "
                "so its shards are spread over two Availability Zones."
            )
        elif not aware:
            path = "ZoneAwarenessEnabled" if lookup(cluster, "ZoneAwarenessEnabled") is not ABSENT else ""
            message = (
                "Set ZoneAwarenessEnabled: true (the default is false) so the domain spreads its nodes and replica "
                "shards over two or more Availability Zones."
            )
        else:
            continue
        yield ctx.finding(domain, f"Properties.{config}.{path}".rstrip("."), message, alt.scenario)
