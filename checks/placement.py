"""What is placed in which subnet: private tiers in public subnets, public IPs on private subnets
(catalog sections 3.3 and 3.13, tier 2).

Subnets are classified by ``cfncheck.analysis.subnets`` from what the template shows: a subnet
passed as a parameter or imported, or one whose route table is not in the template, is not
judged.
"""

from __future__ import annotations

from collections.abc import Iterator

from cfncheck.analysis.subnets import default_routes_known, public_route_tables, public_subnets, route_tables_of
from cfncheck.api import ABSENT, WARNING, Context, Resource, Scenario, as_bool, check, iter_uses

PRIVATE_TIER: dict[str, tuple[str, ...]] = {
    "AWS::ElastiCache::SubnetGroup": ("Properties", "SubnetIds"),
    "AWS::DAX::SubnetGroup": ("Properties", "SubnetIds"),
    "AWS::EFS::MountTarget": ("Properties", "SubnetId"),
}
LOAD_BALANCER = "AWS::ElasticLoadBalancingV2::LoadBalancer"
FUNCTIONS = ("AWS::Lambda::Function", "AWS::Serverless::Function")


def _public_in(ctx: Context, resource: Resource, path: tuple) -> Iterator[tuple[tuple, Resource, Scenario]]:
    """(path, subnet, scenario) for each public subnet of the template a property names (one subnet
    or a list of them)."""
    public = public_subnets(ctx)
    places = list(ctx.elements(resource, path))
    places += [(path, alt) for alt in ctx.values(resource, path) if not isinstance(alt.value, list)]
    for item_path, alt in places:
        subnet = ctx.local(alt.value)
        for found, scenario in public:
            merged = ctx.merge(alt.scenario, scenario)
            if found is subnet and merged is not None:
                yield item_path, subnet, merged


@check(
    "VPC004",
    "vpc-private-tier-in-public-subnet",
    WARNING,
    types=[*PRIVATE_TIER, LOAD_BALANCER],
    fix="Place caches, file-system mount targets and internal load balancers in private subnets (no route "
    "to an internet gateway).",
    tags=("security",),
    example="\nMountTarget:\n  Type: AWS::EFS::MountTarget\n  Properties: {SubnetId: !Ref PublicSubnet, ...}",
)
def private_tier_in_public_subnet(resource, ctx):
    """Caches (ElastiCache, DAX), EFS mount targets and internal load balancers serve only the VPC:
    in a public subnet — one whose route table sends ``0.0.0.0/0`` to an internet gateway — one
    security-group mistake away from the internet. Keep them in private subnets. (RDS is RDS001's,
    Lambda LAMBDA009's.)"""
    if resource.type == LOAD_BALANCER:
        if not any(alt.value == "internal" for alt in ctx.values(resource, "Properties.Scheme")):
            return
        places = [("Properties", "Subnets")]
        places += [item + ("SubnetId",) for item, _ in ctx.elements(resource, ("Properties", "SubnetMappings"))]
    else:
        places = [PRIVATE_TIER[resource.type]]
    for place in places:
        for path, subnet, scenario in _public_in(ctx, resource, place):
            yield ctx.finding(
                resource,
                path,
                f"{subnet.logical_id} is a public subnet (its route table reaches an internet gateway): place "
                f"this {resource.type.split('::')[-1]} in a private subnet.",
                scenario,
                related=(ctx.location(subnet, "Type", scenario, message="the public subnet"),),
            )


@check(
    "LAMBDA009",
    "lambda-vpc-subnet-placement",
    WARNING,
    types=FUNCTIONS,
    fix="Attach the function to private subnets whose route table sends 0.0.0.0/0 to a NAT gateway (or "
    "add VPC endpoints for the AWS services it calls).",
    example="\nVpcConfig:\n  SubnetIds: [!Ref PublicSubnet]   # Lambda's interfaces get no public IP",
)
def lambda_in_public_subnet(resource, ctx):
    """A function attached to a public subnet gets no internet access from it: Lambda's network
    interfaces never receive a public IP, so the route to the internet gateway leads nowhere and
    calls to the internet and to AWS APIs time out. Functions that need the internet belong in
    private subnets behind a NAT gateway."""
    for path, subnet, scenario in _public_in(ctx, resource, ("Properties", "VpcConfig", "SubnetIds")):
        yield ctx.finding(
            resource,
            path,
            f"{subnet.logical_id} is a public subnet, where the function gets no public IP and so no internet "
            "access: use private subnets with a NAT gateway.",
            scenario,
            related=(ctx.location(subnet, "Type", scenario, message="the public subnet"),),
        )


@check(
    "VPC005",
    "vpc-subnet-auto-public-ip",
    WARNING,
    types=["AWS::EC2::Subnet"],
    fix="Remove MapPublicIpOnLaunch from subnets without a route to an internet gateway (or assign public "
    "IPs per instance where one is needed).",
    tags=("security",),
    example="\nSubnet:\n  Type: AWS::EC2::Subnet\n  Properties: {MapPublicIpOnLaunch: true}   # private route table",
)
def subnet_auto_public_ip(resource, ctx):
    """``MapPublicIpOnLaunch: true`` on a subnet whose route table has no route to an internet
    gateway gives every instance a public address that leads nowhere today and exposes them the day
    someone adds the route. Reported only when the subnet's route table is in the template and none
    of its default routes could be to an internet gateway; the advice for public subnets (assign
    public IPs per instance) is not this check's."""
    tables = route_tables_of(ctx).get(resource.logical_id)
    if not tables:
        return
    public = {(table.logical_id, scenario) for table, scenario in public_route_tables(ctx)}
    for alt in ctx.values(resource, "Properties.MapPublicIpOnLaunch"):
        if as_bool(alt.value, False) is not True:
            continue
        for table, scenario in tables:
            merged = ctx.merge(alt.scenario, scenario)
            if merged is None or not default_routes_known(ctx, table):
                continue
            if any(name == table.logical_id and ctx.merge(merged, s) is not None for name, s in public):
                continue
            yield ctx.finding(
                resource,
                "Properties.MapPublicIpOnLaunch",
                f"The subnet's route table {table.logical_id} has no route to an internet gateway: its instances "
                "get public IPs that lead nowhere. Remove MapPublicIpOnLaunch.",
                merged,
                related=(ctx.location(table, "Type", merged, message="the route table"),),
            )
            break


VPC_ONLY_ENDPOINTS: dict[str, tuple[str, ...]] = {
    "AWS::RDS::DBInstance": ("Endpoint.Address",),
    "AWS::RDS::DBCluster": ("Endpoint.Address", "ReadEndpoint.Address"),
    "AWS::DocDB::DBCluster": ("Endpoint", "ReadEndpoint"),
    "AWS::Neptune::DBCluster": ("Endpoint", "ReadEndpoint"),
    "AWS::ElastiCache::ReplicationGroup": (
        "PrimaryEndPoint.Address",
        "ReaderEndPoint.Address",
        "ConfigurationEndPoint.Address",
    ),
    "AWS::ElastiCache::CacheCluster": ("RedisEndpoint.Address", "ConfigurationEndpoint.Address"),
    "AWS::DAX::Cluster": ("ClusterDiscoveryEndpoint", "ClusterDiscoveryEndpointURL"),
    LOAD_BALANCER: ("DNSName",),
    "AWS::OpenSearchService::Domain": ("DomainEndpoint",),
    "AWS::Elasticsearch::Domain": ("DomainEndpoint",),
}
"""Attributes that name an endpoint reachable only from inside the resource's VPC (when the
resource is private: see ``_vpc_only``)."""


def _vpc_only(ctx: Context, target: Resource) -> bool:
    """Whether the template shows the resource reachable only from its VPC."""
    if target.type == "AWS::RDS::DBInstance":  # without the setting, RDS decides by the VPC's internet gateway
        return _private_instance(ctx, target)
    if target.type == "AWS::RDS::DBCluster":  # Aurora: private when every instance of the cluster is
        members = [
            instance
            for instance in ctx.resources("AWS::RDS::DBInstance")
            if any(ctx.refers_to(alt.value, target) for alt in ctx.values(instance, "Properties.DBClusterIdentifier"))
        ]
        return bool(members) and all(_private_instance(ctx, instance) for instance in members)
    if target.type == LOAD_BALANCER:
        return all(alt.value == "internal" for alt in ctx.values(target, "Properties.Scheme"))
    if target.type in ("AWS::OpenSearchService::Domain", "AWS::Elasticsearch::Domain"):
        return all(alt.value is not ABSENT for alt in ctx.values(target, "Properties.VPCOptions"))
    return True


def _private_instance(ctx: Context, instance: Resource) -> bool:
    return all(as_bool(alt.value, True) is False for alt in ctx.values(instance, "Properties.PubliclyAccessible"))


@check(
    "LAMBDA010",
    "lambda-needs-vpc",
    WARNING,
    types=FUNCTIONS,
    fix="Attach the function to the VPC (VpcConfig with private subnets and a security group the target admits).",
    example="\nEnvironment:\n  Variables: {DB_HOST: !GetAtt Database.Endpoint.Address}   # no VpcConfig",
)
def lambda_needs_vpc(function, ctx):
    """A function outside any VPC cannot reach endpoints that live only inside one: a private RDS
    instance or Aurora cluster, DocumentDB, Neptune, ElastiCache, DAX, an internal load balancer, a
    VPC OpenSearch domain. Wiring such an endpoint into its environment without ``VpcConfig`` gives a
    function whose connections time out. (Every function in a VPC as a rule is LAMBDA021's, opt-in.)"""
    if any(alt.value is not ABSENT for alt in ctx.values(function, "Properties.VpcConfig")):
        return
    environment = function.properties.get("Environment")
    for use in iter_uses(environment):
        target = ctx.template.resources.get(use.target)
        if use.kind not in ("GetAtt", "Sub") or target is None or use.attribute is None:
            continue
        if use.attribute in VPC_ONLY_ENDPOINTS.get(target.type, ()) and _vpc_only(ctx, target):
            yield ctx.finding(
                function,
                ("Properties", "Environment") + use.path,
                f"The function is outside any VPC but connects to {use.target}'s {use.attribute}, which only its VPC "
                "reaches: add a VpcConfig.",
                related=(ctx.location(target, "Type", target.exists_in, message="the VPC-only endpoint"),),
            )
