"""Multi-AZ and high availability (catalog section 3.8).

Zones come from :mod:`cfncheck.analysis.zones`: a check reports only what the template proves
(a single subnet, or subnets all in the same zone); subnet ids passed in from outside have unknown
zones and are never reported.
"""

from __future__ import annotations

from cfncheck.analysis.wiring import FUNCTIONS, file_system_mounts
from cfncheck.analysis.zones import Zones, distinct
from cfncheck.api import ABSENT, ERROR, INFO, WARNING, Alt, Unknown, as_bool, as_number, check, lookup

RDS_SUBNET_GROUPS = ("AWS::RDS::DBSubnetGroup", "AWS::DocDB::DBSubnetGroup", "AWS::Neptune::DBSubnetGroup")
AURORA_ENGINES = ("aurora", "aurora-mysql", "aurora-postgresql")
NO_MULTI_AZ_ENGINES = ("sqlserver-ex",)  # SQL Server Express cannot run Multi-AZ
REDIS_ENGINES = ("redis", "valkey")


def _engine(value) -> str | None:
    return value.lower() if isinstance(value, str) else None


@check(
    "RDS003",
    "rds-multi-az-disabled",
    WARNING,
    types=["AWS::RDS::DBInstance"],
    fix="Set `MultiAZ: true` so RDS keeps a synchronous standby in another Availability Zone.",
)
def rds_multi_az(db, ctx):
    """A standalone RDS instance without Multi-AZ has no standby: an AZ outage or a host failure
    stops the database until it is restored.

    CloudFormation's default is `MultiAZ: false`. Aurora members (`DBClusterIdentifier`) get
    their availability from the cluster and are skipped; a read replica without Multi-AZ is only
    info (its source still serves writes). SQL Server Express cannot run Multi-AZ and is skipped.
    Suppress for development stacks if a single AZ is intended.
    """
    for scenario, (multi_az, engine, cluster, source) in ctx.joint(
        ctx.values(db, "Properties.MultiAZ"),
        ctx.values(db, "Properties.Engine"),
        ctx.values(db, "Properties.DBClusterIdentifier"),
        ctx.values(db, "Properties.SourceDBInstanceIdentifier"),
    ):
        engine = _engine(engine)
        if cluster is not ABSENT or (engine or "").startswith(AURORA_ENGINES) or engine in NO_MULTI_AZ_ENGINES:
            continue
        if as_bool(multi_az, False) is not False:
            continue
        if source is not ABSENT:
            yield ctx.finding(
                db,
                "Properties.MultiAZ",
                "This read replica runs in a single Availability Zone: set MultiAZ: true if it must survive "
                "an AZ outage (for example when it may be promoted).",
                scenario,
                severity=INFO,
            )
        else:
            yield ctx.finding(
                db,
                "Properties.MultiAZ",
                "Set MultiAZ: true: without it (the default is false) the instance has no standby in another "
                "Availability Zone and an AZ outage stops the database.",
                scenario,
            )


@check(
    "RDS004",
    "rds-aurora-single-instance",
    WARNING,
    types=["AWS::RDS::DBCluster"],
    fix="Add a second `AWS::RDS::DBInstance` with this `DBClusterIdentifier`, in another Availability Zone.",
)
def aurora_single_instance(cluster, ctx):
    """An Aurora cluster with one instance has no failover target: when the writer fails, Aurora
    must re-create it, which takes minutes instead of the ~30 s of a failover to a replica.

    Applies to provisioned Aurora clusters (EngineMode absent or provisioned) whose instances are
    in the template; a cluster with no instance here is not reported (they may live elsewhere).
    Two or more instances all pinned to the same `AvailabilityZone` are reported too.
    """
    zones = Zones(ctx)
    for scenario, (engine, mode) in ctx.joint(
        ctx.values(cluster, "Properties.Engine"), ctx.values(cluster, "Properties.EngineMode")
    ):
        if _engine(engine) not in AURORA_ENGINES or mode not in (ABSENT, "provisioned"):
            continue
        members = []
        for instance in ctx.resources("AWS::RDS::DBInstance"):
            linked = zones.linked(instance, "Properties.DBClusterIdentifier", cluster)
            if linked:
                members.append((instance, zones.placed(instance, linked, zone="Properties.AvailabilityZone")))
        for span_alt in zones.members(members):
            merged = ctx.merge(span_alt.scenario, scenario)
            if merged is None:
                continue
            span = span_alt.value
            if span.count == 1:
                yield ctx.finding(
                    cluster,
                    "Properties",
                    "This Aurora cluster has a single DB instance in the template: add a second instance (a reader "
                    "in another Availability Zone) so Aurora can fail over instead of re-creating the writer.",
                    merged,
                )
            elif span.single:
                yield ctx.finding(
                    cluster,
                    "Properties",
                    f"Every DB instance of this Aurora cluster is pinned to {span.zone}: place one in another "
                    "Availability Zone (or remove AvailabilityZone) so a failover survives an AZ outage.",
                    merged,
                )


@check(
    "RDS007",
    "rds-subnet-group-single-az",
    ERROR,
    types=list(RDS_SUBNET_GROUPS),
    fix="List subnets in at least two Availability Zones in `SubnetIds`.",
)
def subnet_group_single_az(group, ctx):
    """RDS (and DocumentDB, Neptune) refuse a DB subnet group that does not span at least two
    Availability Zones; creating it fails.

    Reported only when the zones are known: one subnet, or in-template subnets all in the same zone.
    """
    for alt in Zones(ctx).subnets(group, "Properties.SubnetIds"):
        span = alt.value
        if span is not ABSENT and span.single:
            yield ctx.finding(
                group,
                "Properties.SubnetIds",
                f"The subnets of this DB subnet group are {span.describe()}: add a subnet in a second Availability "
                "Zone (RDS rejects a subnet group that covers fewer than two).",
                alt.scenario,
            )


@check(
    "EC003",
    "ec-no-automatic-failover",
    WARNING,
    types=["AWS::ElastiCache::ReplicationGroup", "AWS::ElastiCache::CacheCluster"],
    fix="Set `AutomaticFailoverEnabled: true` and `MultiAZEnabled: true` with at least one replica per shard.",
)
def elasticache_failover(cache, ctx):
    """A Redis or Valkey replication group without automatic failover and Multi-AZ stays down when
    its primary fails or its AZ goes out, until someone promotes a replica by hand.

    CloudFormation's defaults are `AutomaticFailoverEnabled: false` and `MultiAZEnabled: false`.
    Settings ElastiCache rejects are errors: failover with fewer than two nodes (cluster mode
    disabled), Multi-AZ without failover, cluster mode (several shards) without failover. A
    standalone Redis cache cluster is a single node: info.
    """
    if cache.type == "AWS::ElastiCache::CacheCluster":
        for alt in ctx.values(cache, "Properties.Engine"):
            if _engine(alt.value) in REDIS_ENGINES:
                yield ctx.finding(
                    cache,
                    "Properties.Engine",
                    "A standalone Redis cache cluster is a single node with no failover: use an "
                    "AWS::ElastiCache::ReplicationGroup with a replica and automatic failover for data that must "
                    "stay available.",
                    alt.scenario,
                    severity=INFO,
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
        if _engine(engine if engine is not ABSENT else "redis") not in REDIS_ENGINES or primary is not ABSENT:
            continue  # a group built around an existing primary has nodes outside the template
        failover, multi_az = as_bool(failover, False), as_bool(multi_az, False)
        shard_count = _shards(shards, groups)
        replica_count = _replicas(clusters, replicas, groups)
        if failover is None or multi_az is None or shard_count is None or replica_count is None:
            continue
        problem = _failover_problem(failover, multi_az, shard_count, replica_count, clusters is not ABSENT)
        if problem is not None:
            path, message, severity = problem
            yield ctx.finding(cache, f"Properties.{path}", message, scenario, severity=severity)


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
    """The most severe failover problem of a replication group: (property, message, severity), or None."""
    if failover and replicas < 1 and shards == 1:
        path = "NumCacheClusters" if counted else "AutomaticFailoverEnabled"
        return path, "Automatic failover needs at least two nodes: set NumCacheClusters to 2 or more.", ERROR
    if multi_az and not failover:
        return "MultiAZEnabled", "MultiAZEnabled requires AutomaticFailoverEnabled: true; set it.", ERROR
    if shards > 1 and not failover:
        return (
            "AutomaticFailoverEnabled",
            "A cluster-mode replication group with several shards requires AutomaticFailoverEnabled: true; set it.",
            ERROR,
        )
    if replicas < 1:
        path = "NumCacheClusters" if counted else "AutomaticFailoverEnabled"
        return (
            path,
            (
                "Add a replica per shard (NumCacheClusters 2 or more, or ReplicasPerNodeGroup 1 or more) and turn on "
                "AutomaticFailoverEnabled and MultiAZEnabled: with no replica a node failure loses the cache."
            ),
            WARNING,
        )
    if not failover or not multi_az:
        missing = [
            name for name, on in (("AutomaticFailoverEnabled", failover), ("MultiAZEnabled", multi_az)) if not on
        ]
        return (
            missing[0],
            f"Set {' and '.join(f'{name}: true' for name in missing)} (the default is false) so a replica in another "
            "Availability Zone takes over when the primary fails.",
            WARNING,
        )
    return None


@check(
    "EFS002",
    "efs-single-az",
    WARNING,
    types=["AWS::EFS::FileSystem"],
    fix="Use a Regional file system (remove `AvailabilityZoneName`) with a mount target in each Availability Zone.",
)
def efs_single_az(fs, ctx):
    """A One Zone EFS file system keeps all its data in one Availability Zone, and a file system
    whose mount targets are all in one zone is unreachable from the others when that zone fails.

    Without `AvailabilityZoneName` the file system is Regional (stored across zones). Mount targets
    are those of the template whose `FileSystemId` names this file system; their zones must be known.

    A client in a zone where a Regional file system has no mount target is info, on the client's
    subnet: a Lambda function (`FileSystemConfigs` naming an access point of the file system) and an
    ECS service's tasks (a task definition volume's `EFSVolumeConfiguration.FilesystemId`) connect
    through the mount target in their own zone. Reported only when the subnet's zone and every mount
    target's zone are known. Auto Scaling groups mount EFS from UserData, which is not followed.
    """
    for alt in ctx.values(fs, "Properties.AvailabilityZoneName"):
        if alt.value is not ABSENT:
            yield ctx.finding(
                fs,
                "Properties.AvailabilityZoneName",
                "This is a One Zone file system: all its data is lost with that Availability Zone. Remove "
                "AvailabilityZoneName for a Regional file system if the data must survive an AZ outage.",
                alt.scenario,
            )
    zones = Zones(ctx)
    regional = [alt.scenario for alt in ctx.values(fs, "Properties.AvailabilityZoneName") if alt.value is ABSENT]
    members = []
    for target in ctx.resources("AWS::EFS::MountTarget"):
        linked = zones.linked(target, "Properties.FileSystemId", fs)
        if linked:
            members.append((target, zones.placed(target, linked, subnet="Properties.SubnetId")))
    regional_spans = [
        Alt(span.value, merged)
        for span in zones.members(members)
        for scenario in regional
        if (merged := ctx.merge(span.scenario, scenario)) is not None
    ]
    for span in regional_spans:
        if span.value.single:
            yield ctx.finding(
                fs,
                "Properties",
                f"The mount targets of this file system are {span.value.describe()}: add a mount target in "
                "another Availability Zone so clients there keep access when this zone fails.",
                span.scenario,
            )
    yield from _clients_without_mount_target(fs, regional_spans, zones, ctx)


def _clients_without_mount_target(fs, spans, zones, ctx):
    """Info on a client's subnet in a zone where none of the file system's mount targets is."""
    reported = set()
    for mount in file_system_mounts(ctx, fs):
        for path, subnet in ctx.elements(mount.client, mount.subnets, mount.scenario):
            for scenario, (zone, targets) in ctx.joint(zones.of_subnet(subnet.value, subnet.scenario), spans):
                key = (mount.client.logical_id, zone, scenario)
                if zone is None or key in reported or not all(distinct(zone, target) for target in targets.zones):
                    continue
                reported.add(key)
                yield ctx.finding(
                    mount.client,
                    path,
                    _missing_mount_target(mount.client, ctx.local(subnet.value), zone, fs),
                    scenario,
                    severity=INFO,
                )


def _missing_mount_target(client, subnet, zone, fs) -> str:
    how = (
        "Lambda connects through the mount target in the function's own zone, and checks for one when it "
        "configures the function"
        if client.type in FUNCTIONS
        else "each task mounts through the mount target in its own zone"
    )
    return (
        f"Subnet {subnet.logical_id} is in Availability Zone {zone}, where file system {fs.logical_id} has no mount "
        f"target: add a mount target of {fs.logical_id} in that zone ({how})."
    )


@check(
    "ASG001",
    "asg-single-az",
    WARNING,
    types=["AWS::AutoScaling::AutoScalingGroup"],
    fix="List subnets in at least two Availability Zones in `VPCZoneIdentifier` (or two `AvailabilityZones`).",
)
def asg_single_az(group, ctx):
    """An Auto Scaling group in one Availability Zone cannot replace instances elsewhere when that
    zone fails: high availability means at least two zones.

    Reads `VPCZoneIdentifier` (subnets) or, without it, `AvailabilityZones`. A single subnet or zone
    is reported even when its zone is unknown; several subnets only when their zones are known.
    """
    zones = Zones(ctx)
    for path, spans in (
        ("Properties.VPCZoneIdentifier", zones.subnets(group, "Properties.VPCZoneIdentifier")),
        ("Properties.AvailabilityZones", zones.zone_list(group, "Properties.AvailabilityZones")),
    ):
        for alt in spans:
            span = alt.value
            if span is ABSENT:
                continue
            if span.single:
                yield ctx.finding(
                    group,
                    path,
                    f"This Auto Scaling group runs {span.describe()}: add a subnet (or zone) in a second Availability "
                    "Zone so it can replace instances when one zone fails.",
                    alt.scenario,
                )
        if any(alt.value is not ABSENT for alt in spans):
            return  # AvailabilityZones is read only when there is no VPCZoneIdentifier


@check(
    "ELB003",
    "elb-single-az",
    ERROR,
    types=["AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::ElasticLoadBalancing::LoadBalancer"],
    fix="Give the load balancer subnets in at least two Availability Zones.",
)
def load_balancer_single_az(lb, ctx):
    """A load balancer in one Availability Zone fails with that zone.

    An Application Load Balancer (`Type` absent or application) must have subnets in at least two
    zones: creation fails otherwise (error). A Network, Gateway or Classic load balancer in a
    single zone deploys but is not highly available (warning).
    """
    zones = Zones(ctx)
    if lb.type == "AWS::ElasticLoadBalancing::LoadBalancer":
        kinds = [Alt("classic", lb.exists_in)]
        sources = [
            ("Properties.Subnets", zones.subnets(lb, "Properties.Subnets")),
            ("Properties.AvailabilityZones", zones.zone_list(lb, "Properties.AvailabilityZones")),
        ]
    else:
        kinds = [Alt(alt.value or "application", alt.scenario) for alt in ctx.values(lb, "Properties.Type")]
        sources = [
            ("Properties.Subnets", zones.subnets(lb, "Properties.Subnets")),
            ("Properties.SubnetMappings", zones.subnet_mappings(lb, "Properties.SubnetMappings")),
        ]
    for path, spans in sources:
        for scenario, (kind, span) in ctx.joint(kinds, spans):
            if span is ABSENT or not span.single or isinstance(kind, Unknown):
                continue
            if kind == "application":
                yield ctx.finding(
                    lb,
                    path,
                    f"The subnets of this Application Load Balancer are {span.describe()}: an ALB needs subnets in at "
                    "least two Availability Zones (creation fails otherwise).",
                    scenario,
                )
            else:
                yield ctx.finding(
                    lb,
                    path,
                    f"This load balancer runs {span.describe()}: add a subnet in a second Availability Zone so it "
                    "keeps serving when one zone fails.",
                    scenario,
                    severity=WARNING,
                )


@check(
    "VPC001",
    "vpc-nat-gateway-not-per-az",
    WARNING,
    types=["AWS::EC2::NatGateway"],
    fix="Create one NAT gateway per Availability Zone and route each private subnet to the one in its own zone.",
)
def nat_gateway_per_az(nat, ctx):
    """Private subnets that send their internet traffic through a NAT gateway in another zone lose
    egress when that zone fails, and pay for cross-AZ data: use one NAT gateway per zone.

    Follows each private subnet's route table association to its 0.0.0.0/0 route and the NAT
    gateway's own subnet; reported only when the zones involved are known to differ.
    """
    zones = Zones(ctx)
    routes = [route for route in zones.nat_routes() if route.nat is nat]
    served = []
    for route in routes:
        served.extend((route, zone) for zone in zones.subnet_zone(route.subnet, route.scenario))
    for index, (first, first_zone) in enumerate(served):
        for second, second_zone in served[index + 1 :]:
            scenario = ctx.merge(first_zone.scenario, second_zone.scenario)
            if scenario is None:
                continue
            if distinct(first_zone.value, second_zone.value):
                yield ctx.finding(
                    nat,
                    "Properties.SubnetId",
                    f"This NAT gateway serves private subnets in several Availability Zones ({first.subnet.logical_id} "
                    f"in {first_zone.value}, {second.subnet.logical_id} in {second_zone.value}): create a NAT gateway "
                    "in each zone and route each zone's private subnets to their own.",
                    scenario,
                )
                return
    reported = set()
    for route, zone in served:
        for nat_zone in zones.nat_zone(nat, zone.scenario):
            if distinct(zone.value, nat_zone.value) and (route.route.logical_id, nat_zone.scenario) not in reported:
                reported.add((route.route.logical_id, nat_zone.scenario))
                yield ctx.finding(
                    route.route,
                    "Properties.NatGatewayId",
                    f"Private subnet {route.subnet.logical_id} ({zone.value}) sends its internet traffic to NAT "
                    f"gateway {nat.logical_id} in {nat_zone.value}: route it to a NAT gateway in its own zone.",
                    nat_zone.scenario,
                )


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
