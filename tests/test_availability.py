"""Multi-AZ checks RDS003, RDS004, RDS007, EC003, EFS002, ASG001, ELB003, VPC001, ES003, and the
problems they report under ids of their own (RDS022, EC010, EC011, EFS009, ELB021), and the
resilience checks RDS013, DDB009, MQ001, ELB008, ECS007."""

from __future__ import annotations

from pathlib import Path

import pytest
from sample_checks import assert_samples

from cfncheck.testing import expected, family, file_findings, findings, only, summary

SAMPLES = Path(__file__).parent.parent / "samples" / "availability"
CHECKS = [
    *family("RDS003"), "RDS004", "RDS007", *family("EC003"), *family("EFS002"), "ASG001", *family("ELB003"),
    "VPC001", "ES003",
]  # fmt: skip


def sample(name: str) -> list[tuple[str, str, int]]:
    return sorted(summary(file_findings(SAMPLES / name, CHECKS)))


def announced(name: str) -> list[tuple[str, str, int]]:
    return sorted(expected(SAMPLES / name, severity=False))


def test_bad_sample_reports_exactly_the_expected_findings():
    assert sample("bad.yaml") == announced("bad.yaml")
    assert {rule for rule, _, _ in announced("bad.yaml")} == set(CHECKS)


def test_good_sample_reports_nothing():
    assert sample("good.yaml") == []


@pytest.mark.parametrize("name", ["zones-provable.yaml", "zones-unprovable.yaml"])
def test_zones_provable_or_unknown_report_nothing(name):
    assert sample(name) == []


def test_zones_single_reports_each_group():
    assert sample("zones-single.yaml") == announced("zones-single.yaml")
    assert len(announced("zones-single.yaml")) == 3


def test_rds003_only_in_the_scenario_without_multi_az():
    found = findings((SAMPLES / "bad.yaml").read_text(), select=["RDS003"])
    database = [f for f in found if f.resource == "Database"]
    assert [f.conditions for f in database] == [{"IsProd": False}]
    assert "MultiAZ: true" in database[0].message


def test_rds003_skips_aurora_members_and_sql_server_express():
    text = """
        Resources:
          Member:
            Type: AWS::RDS::DBInstance
            Properties: {Engine: aurora-mysql, DBClusterIdentifier: c, DBInstanceClass: db.r5.large}
          Express:
            Type: AWS::RDS::DBInstance
            Properties: {Engine: sqlserver-ex, DBInstanceClass: db.t3.small}
          Unknown:
            Type: AWS::RDS::DBInstance
            Properties: {Engine: mysql, DBInstanceClass: db.t3.small, MultiAZ: !ImportValue multi-az}
        """
    assert only("RDS003", text) == []


def test_rds003_parameter_value_changes_the_verdict():
    text = """
        Parameters:
          MultiAz: {Type: String, Default: "false", AllowedValues: ["true", "false"]}
        Resources:
          Db:
            Type: AWS::RDS::DBInstance
            Properties: {Engine: mysql, DBInstanceClass: db.t3.small, MultiAZ: !Ref MultiAz}
        """
    assert only("RDS003", text) == [("RDS003", "Db", 6)]
    assert only("RDS003", text, parameters={"MultiAz": "true"}) == []


def test_rds004_cluster_without_instances_in_template_is_not_reported():
    text = """
        Resources:
          Cluster:
            Type: AWS::RDS::DBCluster
            Properties: {Engine: aurora-postgresql}
        """
    assert only("RDS004", text) == []


def test_rds004_second_instance_only_in_some_scenarios():
    text = """
        Parameters:
          Stage: {Type: String, AllowedValues: [dev, prod]}
        Conditions:
          IsProd: !Equals [!Ref Stage, prod]
        Resources:
          Cluster:
            Type: AWS::RDS::DBCluster
            Properties: {Engine: aurora-postgresql}
          Writer:
            Type: AWS::RDS::DBInstance
            Properties: {Engine: aurora-postgresql, DBClusterIdentifier: !Ref Cluster, DBInstanceClass: db.r6g.large}
          Reader:
            Type: AWS::RDS::DBInstance
            Condition: IsProd
            Properties: {Engine: aurora-postgresql, DBClusterIdentifier: !Ref Cluster, DBInstanceClass: db.r6g.large}
        """
    found = findings(text, select=["RDS004"])
    assert summary(found) == [("RDS004", "Cluster", 8)]
    assert found[0].conditions == {"IsProd": False}


def test_ec003_cluster_mode_without_failover_is_an_error_and_unknown_is_silent():
    text = """
        Parameters:
          Replicas: {Type: Number}
        Resources:
          Sharded:
            Type: AWS::ElastiCache::ReplicationGroup
            Properties:
              ReplicationGroupDescription: x
              NumNodeGroups: 2
              ReplicasPerNodeGroup: 1
          Unknown:
            Type: AWS::ElastiCache::ReplicationGroup
            Properties:
              ReplicationGroupDescription: x
              AutomaticFailoverEnabled: true
              MultiAZEnabled: true
              ReplicasPerNodeGroup: !Ref Replicas
        """
    found = findings(text, select=family("EC003"))
    assert summary(found) == [("EC010", "Sharded", 6)]
    assert str(found[0].severity) == "error"


def test_efs002_mount_targets_with_conditions():
    text = """
        Parameters:
          Stage: {Type: String, AllowedValues: [dev, prod]}
        Conditions:
          IsProd: !Equals [!Ref Stage, prod]
        Resources:
          A:
            Type: AWS::EC2::Subnet
            Properties: {VpcId: vpc-1, CidrBlock: 10.0.0.0/24, AvailabilityZone: !Select [0, !GetAZs ""]}
          B:
            Type: AWS::EC2::Subnet
            Properties: {VpcId: vpc-1, CidrBlock: 10.0.1.0/24, AvailabilityZone: !Select [1, !GetAZs ""]}
          Files:
            Type: AWS::EFS::FileSystem
            Properties: {Encrypted: true}
          MountA:
            Type: AWS::EFS::MountTarget
            Properties: {FileSystemId: !Ref Files, SubnetId: !Ref A, SecurityGroups: [sg-1]}
          MountB:
            Type: AWS::EFS::MountTarget
            Condition: IsProd
            Properties: {FileSystemId: !Ref Files, SubnetId: !Ref B, SecurityGroups: [sg-1]}
        """
    found = findings(text, select=["EFS002"])
    assert summary(found) == [("EFS002", "Files", 14)]
    assert found[0].conditions == {"IsProd": False}


def test_asg001_single_subnet_even_when_its_zone_is_unknown():
    text = """
        Parameters:
          Subnet: {Type: "AWS::EC2::Subnet::Id"}
          Subnets: {Type: "List<AWS::EC2::Subnet::Id>"}
        Resources:
          One:
            Type: AWS::AutoScaling::AutoScalingGroup
            Properties: {MinSize: "1", MaxSize: "1", VPCZoneIdentifier: [!Ref Subnet]}
          Many:
            Type: AWS::AutoScaling::AutoScalingGroup
            Properties: {MinSize: "1", MaxSize: "1", VPCZoneIdentifier: !Ref Subnets}
          Imported:
            Type: AWS::AutoScaling::AutoScalingGroup
            Properties:
              MinSize: "1"
              MaxSize: "1"
              VPCZoneIdentifier: [!ImportValue private-subnets]
        """
    assert only("ASG001", text) == [("ASG001", "One", 7)]


def test_asg001_subnet_list_parameter_default_is_read():
    text = """
        Parameters:
          Subnets: {Type: "List<AWS::EC2::Subnet::Id>", Default: "subnet-1"}
        Resources:
          Group:
            Type: AWS::AutoScaling::AutoScalingGroup
            Properties: {MinSize: "1", MaxSize: "1", VPCZoneIdentifier: !Ref Subnets}
        """
    assert only("ASG001", text) == [("ASG001", "Group", 6)]
    assert only("ASG001", text, parameters={"Subnets": "subnet-1,subnet-2"}) == []


def test_elb003_alb_is_an_error_nlb_a_warning():
    found = findings((SAMPLES / "bad.yaml").read_text(), select=family("ELB003"))
    assert {f.resource: f.rule_id for f in found} == {"Web": "ELB003", "Network": "ELB021", "Classic": "ELB021"}


def test_vpc001_conditional_shared_nat_reported_in_its_scenario():
    text = """
        Parameters:
          Stage: {Type: String, AllowedValues: [dev, prod]}
        Conditions:
          IsProd: !Equals [!Ref Stage, prod]
        Resources:
          PublicA:
            Type: AWS::EC2::Subnet
            Properties: {VpcId: vpc-1, CidrBlock: 10.0.0.0/24, AvailabilityZone: !Select [0, !GetAZs ""]}
          PublicB:
            Type: AWS::EC2::Subnet
            Properties: {VpcId: vpc-1, CidrBlock: 10.0.1.0/24, AvailabilityZone: !Select [1, !GetAZs ""]}
          PrivateB:
            Type: AWS::EC2::Subnet
            Properties: {VpcId: vpc-1, CidrBlock: 10.0.3.0/24, AvailabilityZone: !Select [1, !GetAZs ""]}
          NatA:
            Type: AWS::EC2::NatGateway
            Properties: {SubnetId: !Ref PublicA, AllocationId: eipalloc-1}
          NatB:
            Type: AWS::EC2::NatGateway
            Condition: IsProd
            Properties: {SubnetId: !Ref PublicB, AllocationId: eipalloc-2}
          RoutesB:
            Type: AWS::EC2::RouteTable
            Properties: {VpcId: vpc-1}
          DefaultB:
            Type: AWS::EC2::Route
            Properties:
              RouteTableId: !Ref RoutesB
              DestinationCidrBlock: 0.0.0.0/0
              NatGatewayId: !If [IsProd, !Ref NatB, !Ref NatA]
          AssociationB:
            Type: AWS::EC2::SubnetRouteTableAssociation
            Properties: {SubnetId: !Ref PrivateB, RouteTableId: !Ref RoutesB}
        """
    found = findings(text, select=["VPC001"])
    assert summary(found) == [("VPC001", "DefaultB", 30)]
    assert found[0].conditions == {"IsProd": False}


def test_es003_standby_and_unknown_counts_pass():
    text = """
        Parameters:
          Count: {Type: Number}
        Resources:
          Standby:
            Type: AWS::OpenSearchService::Domain
            Properties:
              ClusterConfig: {InstanceCount: 3, MultiAZWithStandbyEnabled: true, ZoneAwarenessEnabled: true}
          Unknown:
            Type: AWS::OpenSearchService::Domain
            Properties:
              ClusterConfig: {InstanceCount: !Ref Count, ZoneAwarenessEnabled: true}
          Default:
            Type: AWS::OpenSearchService::Domain
        """
    assert only("ES003", text) == [("ES003", "Default", 13)]


EFS_NETWORK = """
        Parameters:
          Stage: {Type: String, AllowedValues: [dev, prod]}
          AppSubnet: {Type: "AWS::EC2::Subnet::Id"}
        Conditions:
          IsProd: !Equals [!Ref Stage, prod]
        Resources:
          A:
            Type: AWS::EC2::Subnet
            Properties: {VpcId: vpc-1, CidrBlock: 10.0.0.0/24, AvailabilityZone: !Select [0, !GetAZs ""]}
          B:
            Type: AWS::EC2::Subnet
            Properties: {VpcId: vpc-1, CidrBlock: 10.0.1.0/24, AvailabilityZone: !Select [1, !GetAZs ""]}
          C:
            Type: AWS::EC2::Subnet
            Properties: {VpcId: vpc-1, CidrBlock: 10.0.2.0/24, AvailabilityZone: !Select [2, !GetAZs ""]}
          Files:
            Type: AWS::EFS::FileSystem
            Properties: {Encrypted: true}
          MountA:
            Type: AWS::EFS::MountTarget
            Properties: {FileSystemId: !Ref Files, SubnetId: !Ref A, SecurityGroups: [sg-1]}
          MountB:
            Type: AWS::EFS::MountTarget
            Properties: {FileSystemId: !Ref Files, SubnetId: !Ref B, SecurityGroups: [sg-1]}
          Point:
            Type: AWS::EFS::AccessPoint
            Properties: {FileSystemId: !Ref Files}
"""


def efs_function(subnets: str, condition: str = "") -> str:
    return (
        EFS_NETWORK
        + f"""
          Function:
            Type: AWS::Lambda::Function
            {condition or "Metadata: {}"}
            Properties:
              Runtime: python3.12
              Handler: app.handler
              Role: arn:aws:iam::123456789012:role/app
              Code: {{ZipFile: "def handler(event, context): pass"}}
              FileSystemConfigs:
                - Arn: !GetAtt Point.Arn
                  LocalMountPath: /mnt/data
              VpcConfig:
                SecurityGroupIds: [sg-1]
                SubnetIds:
                  - !Ref A
                  - {subnets}
"""
    )


def efs_service(subnets: str) -> str:
    return (
        EFS_NETWORK
        + f"""
          Task:
            Type: AWS::ECS::TaskDefinition
            Properties:
              RequiresCompatibilities: [FARGATE]
              NetworkMode: awsvpc
              ContainerDefinitions: [{{Name: app, Image: app}}]
              Volumes:
                - Name: data
                  EFSVolumeConfiguration:
                    FilesystemId: !Ref Files
                    AuthorizationConfig: {{AccessPointId: !Ref Point}}
          Service:
            Type: AWS::ECS::Service
            Properties:
              LaunchType: FARGATE
              TaskDefinition: !Ref Task
              NetworkConfiguration:
                AwsvpcConfiguration:
                  Subnets: [{subnets}, !Ref B]
"""
    )


def test_efs009_lambda_in_a_zone_without_mount_target_is_info():
    found = findings(efs_function("!Ref C"), select=["EFS009"])
    assert summary(found, severity=True) == [("EFS009", "Function", 44, "info")]
    assert "Availability Zone !Select [2" in found[0].message and "add a mount target of Files" in found[0].message
    assert only("EFS009", efs_function("!Ref B")) == []


def test_efs009_ecs_service_in_a_zone_without_mount_target_is_info():
    found = findings(efs_service("!Ref C"), select=["EFS009"])
    assert summary(found, severity=True) == [("EFS009", "Service", 47, "info")]
    assert "Subnet C" in found[0].message
    assert only("EFS009", efs_service("!Ref A")) == []


def test_efs009_client_zone_unknown_is_not_reported():
    assert only("EFS009", efs_function("!Ref C")) == [("EFS009", "Function", 44)]  # the zones known
    assert only("EFS009", efs_function("!Ref AppSubnet")) == []
    assert only("EFS009", efs_service("subnet-0123456789abcdef0")) == []
    unknown_target = efs_function("!Ref C").replace("SubnetId: !Ref B", "SubnetId: !Ref AppSubnet")
    assert only("EFS009", unknown_target) == []


def test_efs009_conditional_client_is_reported_in_its_scenario():
    found = findings(efs_function("!Ref C", condition="Condition: IsProd"), select=["EFS009"])
    assert summary(found) == [("EFS009", "Function", 44)]
    assert found[0].conditions == {"IsProd": True}
    mount_in_prod = efs_function("!Ref C") + (
        "          MountC:\n"
        "            Type: AWS::EFS::MountTarget\n"
        "            Condition: IsProd\n"
        "            Properties: {FileSystemId: !Ref Files, SubnetId: !Ref C, SecurityGroups: [sg-1]}\n"
    )
    found = findings(mount_in_prod, select=["EFS009"])
    assert summary(found) == [("EFS009", "Function", 44)]
    assert found[0].conditions == {"IsProd": False}


@pytest.mark.parametrize("rule", ["RDS013", "DDB009", "MQ001", "ELB008", "ECS007"])
def test_samples(rule):
    assert_samples(SAMPLES, rule)
