"""The Availability Zone analysis on its own: what a subnet or zone list provably covers."""

from __future__ import annotations

import textwrap

from cfncheck.analysis.zones import ParameterZone, RegionZone, Span, ZoneId, Zones, distinct
from cfncheck.catalog import Check
from cfncheck.context import Analysis, Context
from cfncheck.intrinsics import Resolver
from cfncheck.loader import load_bytes
from cfncheck.template import build
from cfncheck.values import ABSENT, ALWAYS, AZ

SUBNETS = textwrap.dedent(
    """
    Parameters:
      Zone: {Type: "AWS::EC2::AvailabilityZone::Name"}
      Zones: {Type: "List<AWS::EC2::AvailabilityZone::Name>"}
      Subnet: {Type: "AWS::EC2::Subnet::Id"}
      Subnets: {Type: "List<AWS::EC2::Subnet::Id>"}
      Named: {Type: "AWS::EC2::AvailabilityZone::Name", Default: us-east-1c}
    Conditions:
      IsProd: !Equals [!Ref "AWS::StackName", prod]
    Resources:
      First: {Type: AWS::EC2::Subnet, Properties: {AvailabilityZone: !Select [0, !GetAZs ""]}}
      Second: {Type: AWS::EC2::Subnet, Properties: {AvailabilityZone: !Select [1, !GetAZs ""]}}
      Literal: {Type: AWS::EC2::Subnet, Properties: {AvailabilityZone: us-east-1a}}
      ById: {Type: AWS::EC2::Subnet, Properties: {AvailabilityZoneId: use1-az1}}
      Picked: {Type: AWS::EC2::Subnet, Properties: {VpcId: v, CidrBlock: 10.0.4.0/24}}
      FromParameter: {Type: AWS::EC2::Subnet, Properties: {AvailabilityZone: !Ref Zone}}
      FromList: {Type: AWS::EC2::Subnet, Properties: {AvailabilityZone: !Select [1, !Ref Zones]}}
      RegionA: {Type: AWS::EC2::Subnet, Properties: {AvailabilityZone: !Sub "${AWS::Region}a"}}
      RegionB: {Type: AWS::EC2::Subnet, Properties: {AvailabilityZone: !Join ["", [!Ref "AWS::Region", b]]}}
      FromDefault: {Type: AWS::EC2::Subnet, Properties: {AvailabilityZone: !Ref Named}}
      Switching:
        Type: AWS::EC2::Subnet
        Properties: {AvailabilityZone: !If [IsProd, !Select [1, !GetAZs ""], !Select [0, !GetAZs ""]]}
    """
).lstrip("\n")


def zones_of(text: str, **resolver_options) -> Zones:
    template = build(load_bytes(textwrap.dedent(text).lstrip("\n").encode(), "t.yaml"))
    check = Check("TST900", "zones-test", "info", lambda *a: None, "resource")
    return Zones(Context(Analysis(template, Resolver(template, **resolver_options)), check))


def with_property(value: str) -> str:
    return SUBNETS + f"  User: {{Type: AWS::AutoScaling::AutoScalingGroup, Properties: {{List: {value}}}}}\n"


def spans(value: str, kind: str = "subnets", **options) -> list:
    zones = zones_of(with_property(value), **options)
    user = zones.template.resources["User"]
    reader = zones.subnets if kind == "subnets" else zones.zone_list
    return [
        (alt.value if alt.value is ABSENT else alt.value.zones, dict(alt.scenario))
        for alt in reader(user, "Properties.List")
    ]


def test_each_kind_of_subnet_zone():
    zones = zones_of(SUBNETS)
    found = {
        name: [alt.value for alt in zones.subnet_zone(zones.template.resources[name], ALWAYS)]
        for name in (
            "First",
            "Second",
            "Literal",
            "ById",
            "Picked",
            "FromParameter",
            "FromList",
            "FromDefault",
            "RegionA",
            "RegionB",
        )
    }
    assert found == {
        "First": [AZ(0, None)],
        "Second": [AZ(1, None)],
        "Literal": ["us-east-1a"],
        "ById": [ZoneId("use1-az1")],
        "Picked": [None],
        "FromParameter": [ParameterZone("Zone")],
        "FromList": [ParameterZone("Zones", 1)],
        "FromDefault": ["us-east-1c"],
        "RegionA": [RegionZone("a")],
        "RegionB": [RegionZone("b")],
    }


def test_region_is_filled_in_when_configured():
    zones = zones_of(SUBNETS, region="eu-west-1")
    assert [alt.value for alt in zones.subnet_zone(zones.template.resources["RegionA"], ALWAYS)] == ["eu-west-1a"]
    assert [alt.value for alt in zones.subnet_zone(zones.template.resources["First"], ALWAYS)] == [AZ(0, "eu-west-1")]


def test_distinct_is_proven_only_between_comparable_zones():
    assert distinct(AZ(0, None), AZ(1, None)) is True
    assert distinct(AZ(0, None), AZ(0, None)) is False
    assert distinct("us-east-1a", "us-east-1b") is True
    assert distinct(ZoneId("use1-az1"), ZoneId("use1-az2")) is True
    assert distinct(ParameterZone("Zone"), ParameterZone("Zone")) is False
    assert distinct(ParameterZone("A"), ParameterZone("B")) is None  # the same zone may be passed twice
    assert distinct("us-east-1a", AZ(0, None)) is None
    assert distinct("us-east-1a", ZoneId("use1-az1")) is None
    assert distinct(None, None) is None
    assert distinct(RegionZone("a"), RegionZone("b")) is True
    assert distinct(RegionZone("a"), "us-east-1a") is None


def test_span_single_and_spans_two():
    assert Span((None,)).single  # one member is one zone, whatever it is
    assert Span((AZ(0, None), AZ(0, None))).single
    assert not Span((None, None)).single  # two unknown subnets prove nothing
    assert not Span((AZ(0, None), AZ(1, None))).single
    assert Span((AZ(0, None), AZ(1, None))).spans_two()
    assert not Span(None).single and not Span(()).single
    assert not Span(("us-east-1a", AZ(0, None))).single and not Span(("us-east-1a", AZ(0, None))).spans_two()


def test_in_template_subnets_in_two_indexes():
    assert spans("[!Ref First, !GetAtt Second.SubnetId]") == [((AZ(0, None), AZ(1, None)), {})]


def test_subnet_ids_from_parameters_are_unknown_and_lists_of_them_unknown_in_length():
    assert spans("[!Ref Subnet, !Ref Subnet]") == [((None, None), {})]
    assert spans("!Ref Subnets") == [(None, {})]
    assert spans("[!ImportValue shared-subnet]") == [(None, {})]
    assert spans("[subnet-1, subnet-2]") == [((None, None), {})]
    assert spans("'subnet-1,subnet-2'") == [((None, None), {})]


def test_list_parameter_with_a_value_is_read():
    assert spans("!Ref Subnets", parameters={"Subnets": "subnet-1"}) == [((None,), {})]


def test_absent_list_is_absent():
    assert spans("!Ref AWS::NoValue") == [(ABSENT, {})]


def test_conditions_give_one_span_per_scenario():
    assert spans("[!Ref First, !Ref Switching]") == [
        ((AZ(0, None), AZ(1, None)), {"IsProd": True}),
        ((AZ(0, None), AZ(0, None)), {"IsProd": False}),
    ]
    assert spans("!If [IsProd, [!Ref First, !Ref Second], [!Ref First]]") == [
        ((AZ(0, None), AZ(1, None)), {"IsProd": True}),
        ((AZ(0, None),), {"IsProd": False}),
    ]


def test_zone_lists():
    assert spans("[!Select [0, !GetAZs ''], !Select [1, !GetAZs '']]", "zones") == [((AZ(0, None), AZ(1, None)), {})]
    assert spans("[!Ref Zone, !Ref Zone]", "zones") == [((ParameterZone("Zone"), ParameterZone("Zone")), {})]
    assert spans("[!GetAtt Literal.AvailabilityZone]", "zones") == [(("us-east-1a",), {})]
    assert spans("!GetAZs ''", "zones") == [(None, {})]
    assert spans("!Ref Zones", "zones") == [(None, {})]


def test_subnet_mappings():
    zones = zones_of(
        SUBNETS
        + "  Lb: {Type: AWS::ElasticLoadBalancingV2::LoadBalancer, Properties: {SubnetMappings: "
        + "[{SubnetId: !Ref First}, {SubnetId: !Ref Literal}]}}\n"
    )
    result = zones.subnet_mappings(zones.template.resources["Lb"], "Properties.SubnetMappings")
    assert [alt.value.zones for alt in result] == [(AZ(0, None), "us-east-1a")]


NAT = """
    Resources:
      PublicA: {Type: AWS::EC2::Subnet, Properties: {AvailabilityZone: us-east-1a}}
      PrivateA: {Type: AWS::EC2::Subnet, Properties: {AvailabilityZone: us-east-1a}}
      PrivateB: {Type: AWS::EC2::Subnet, Properties: {AvailabilityZone: us-east-1b}}
      Nat: {Type: AWS::EC2::NatGateway, Properties: {SubnetId: !Ref PublicA}}
      Table: {Type: AWS::EC2::RouteTable, Properties: {VpcId: v}}
      Default:
        Type: AWS::EC2::Route
        Properties: {RouteTableId: !Ref Table, DestinationCidrBlock: 0.0.0.0/0, NatGatewayId: !Ref Nat}
      Local:
        Type: AWS::EC2::Route
        Properties: {RouteTableId: !Ref Table, DestinationCidrBlock: 10.1.0.0/16, NatGatewayId: !Ref Nat}
      A: {Type: AWS::EC2::SubnetRouteTableAssociation, Properties: {SubnetId: !Ref PrivateA, RouteTableId: !Ref Table}}
      B: {Type: AWS::EC2::SubnetRouteTableAssociation, Properties: {SubnetId: !Ref PrivateB, RouteTableId: !Ref Table}}
"""


def test_nat_routes_follow_associations_to_the_default_route():
    zones = zones_of(NAT)
    routes = sorted((r.subnet.logical_id, r.nat.logical_id, r.route.logical_id) for r in zones.nat_routes())
    assert routes == [("PrivateA", "Nat", "Default"), ("PrivateB", "Nat", "Default")]

    assert [alt.value for alt in zones.nat_zone(zones.template.resources["Nat"], ALWAYS)] == ["us-east-1a"]


def test_members_of_a_set_follow_their_conditions():
    zones = zones_of(
        SUBNETS
        + "  Files: {Type: AWS::EFS::FileSystem}\n"
        + "  MountA: {Type: AWS::EFS::MountTarget, Properties: {FileSystemId: !Ref Files, SubnetId: !Ref First}}\n"
        + "  MountB: {Type: AWS::EFS::MountTarget, Condition: IsProd,"
        + " Properties: {FileSystemId: !Ref Files, SubnetId: !Ref Second}}\n"
        + "  Other: {Type: AWS::EFS::MountTarget, Properties: {FileSystemId: fs-1, SubnetId: !Ref Second}}\n"
    )
    files = zones.template.resources["Files"]
    members = []
    for name in ("MountA", "MountB", "Other"):
        target = zones.template.resources[name]
        linked = zones.linked(target, "Properties.FileSystemId", files)
        if linked:
            members.append((target, zones.placed(target, linked, subnet="Properties.SubnetId")))
    result = sorted((alt.value.zones, dict(alt.scenario)["IsProd"]) for alt in zones.members(members))
    assert result == [((AZ(0, None),), False), ((AZ(0, None), AZ(1, None)), True)]
