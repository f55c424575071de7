"""SG001-SG005 and SG014: security-group ingress open to the world."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cfncheck.testing import expected, findings, run_files, summary

SAMPLES = Path(__file__).parent.parent / "samples" / "network"
SG = ["SG001", "SG002", "SG003", "SG004", "SG005", "SG014"]


def test_bad_sample_reports_each_rule_on_its_line():
    result = run_files([SAMPLES / "bad.yaml"], select=SG)
    assert result.errors == [] and result.internal_errors == 0
    wanted = expected(SAMPLES / "bad.yaml")
    assert len(wanted) == 15
    assert sorted(summary(result.findings)) == sorted((rule, resource, line) for rule, resource, line, _ in wanted)
    severities = {(f.rule_id, f.line): str(f.severity) for f in result.findings}
    for rule, _, line, severity in wanted:
        assert severities[(rule, line)] == (severity or "error")


def test_good_sample_is_clean():
    result = run_files([SAMPLES / "good.yaml"], select=SG)
    assert result.errors == [] and result.findings == []


def only(text: str, **options):
    return summary(findings(text, select=SG, **options))


PARAMETER_CIDR = """
Parameters:
  SshCidr:
    Type: String
    Default: 0.0.0.0/0
Resources:
  Group:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: ssh
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 22
          ToPort: 22
          CidrIp: !Ref SshCidr
"""


def test_cidr_from_parameter_default_and_override():
    assert only(PARAMETER_CIDR) == [("SG001", "Group", 14)]
    assert only(PARAMETER_CIDR, parameters={"SshCidr": "198.51.100.7/32"}) == []
    assert only(PARAMETER_CIDR, parameters={"SshCidr": "::/0"}) == [("SG001", "Group", 14)]


def test_cli_parameters_change_the_verdict(tmp_path):
    template = tmp_path / "ssh.yaml"
    template.write_text(PARAMETER_CIDR.lstrip())

    def cli(*args):
        return subprocess.run(
            [sys.executable, "-m", "cfncheck", "--select", "SG001", "--format", "json", str(template), *args],
            capture_output=True,
            text=True,
        )

    opened = cli()
    assert opened.returncode == 1 and '"SG001"' in opened.stdout and '"line": 14' in opened.stdout
    closed = cli("--parameters", "SshCidr=10.0.0.0/8")
    assert closed.returncode == 0 and '"SG001"' not in closed.stdout


def test_world_only_in_one_if_branch_names_the_scenario():
    text = """
    Parameters:
      Stage: {Type: String, AllowedValues: [dev, prod]}
    Conditions:
      IsDev: !Equals [!Ref Stage, dev]
    Resources:
      Group:
        Type: AWS::EC2::SecurityGroup
        Properties:
          GroupDescription: ssh
          SecurityGroupIngress:
            - IpProtocol: tcp
              FromPort: 22
              ToPort: 22
              CidrIp: !If [IsDev, 0.0.0.0/0, 10.0.0.0/8]
    """
    (finding,) = findings(text, select=SG)
    assert (finding.rule_id, finding.resource, finding.line) == ("SG001", "Group", 14)
    assert finding.conditions == {"IsDev": True}
    assert "CidrIp 0.0.0.0/0" in finding.message and "SSH" in finding.message


def test_a_description_never_changes_the_verdict():
    rule = "{IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0%s}"
    template = """
    Resources:
      Group:
        Type: AWS::EC2::SecurityGroup
        Properties:
          GroupDescription: ssh
          SecurityGroupIngress:
            - %s
    """
    plain = only(template % (rule % ""))
    described = only(template % (rule % ", Description: 'SSH from the office'"))
    assert plain == described == [("SG001", "Group", 7)]


@pytest.mark.parametrize(
    "protocol, ports, rule",
    [
        ("tcp", "FromPort: 0, ToPort: 1024", "SG001"),
        ("tcp", "FromPort: 3000, ToPort: 4000", "SG001"),  # covers RDP 3389
        ("'-1'", "FromPort: 22, ToPort: 22", "SG002"),
        ("udp", "FromPort: 1, ToPort: 65535", "SG002"),
        ("tcp", "FromPort: 27017, ToPort: 27017", "SG003"),
        ("tcp", "FromPort: 8000, ToPort: 9999", "SG003"),  # covers DAX 8111, Neptune 8182, 9200
        ("udp", "FromPort: 53, ToPort: 53", "SG004"),
    ],
)
def test_each_rule_gets_the_first_matching_check(protocol, ports, rule):
    text = f"""
    Resources:
      Rule:
        Type: AWS::EC2::SecurityGroupIngress
        Properties:
          GroupId: sg-123
          IpProtocol: {protocol}
          {ports.replace(", ", chr(10) + "          ")}
          CidrIpv6: ::/0
    """
    assert only(text) == [(rule, "Rule", 9)]


def test_admin_ports_are_configurable():
    text = """
    Resources:
      Group:
        Type: AWS::EC2::SecurityGroup
        Properties:
          GroupDescription: g
          SecurityGroupIngress:
            - {IpProtocol: tcp, FromPort: 2222, ToPort: 2222, CidrIp: 0.0.0.0/0}
    """
    assert only(text) == [("SG004", "Group", 7)]
    configured = findings(text, select=SG, check_options={"SG001": {"ports": ["tcp/2222"]}})
    assert summary(configured) == [("SG001", "Group", 7)]  # and SG004 agrees to leave it to SG001


def test_data_tier_attachment_in_a_scenario():
    text = """
    Parameters:
      WithDb: {Type: String, AllowedValues: ["yes", "no"]}
    Conditions:
      HasDb: !Equals [!Ref WithDb, "yes"]
    Resources:
      Group:
        Type: AWS::EC2::SecurityGroup
        Properties:
          GroupDescription: g
          SecurityGroupIngress:
            - {IpProtocol: tcp, FromPort: 8080, ToPort: 8080, CidrIp: 0.0.0.0/0}
      Files:
        Type: AWS::EFS::MountTarget
        Condition: HasDb
        Properties:
          FileSystemId: fs-1
          SubnetId: subnet-1
          SecurityGroups: [!GetAtt Group.GroupId]
    """
    (finding,) = findings(text, select=SG)
    assert (finding.rule_id, finding.resource, finding.line, finding.conditions) == (
        "SG005",
        "Group",
        11,
        {"HasDb": True},
    )
    assert [r.line for r in finding.related] == [18]


def test_unknown_values_are_never_reported():
    text = """
    Parameters:
      Cidr: {Type: String}
      Port: {Type: Number}
    Resources:
      Group:
        Type: AWS::EC2::SecurityGroup
        Properties:
          GroupDescription: g
          SecurityGroupIngress:
            - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !Ref Cidr}
            - {IpProtocol: tcp, FromPort: !Ref Port, ToPort: !Ref Port, CidrIp: 0.0.0.0/0}
            - {IpProtocol: !Ref Cidr, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}
          SecurityGroupEgress:
            - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}
    """
    assert only(text) == []


def test_conditional_group_is_reported_in_its_scenario():
    text = """
    Parameters:
      Env: {Type: String}
    Conditions:
      Open: !Equals [!Ref Env, test]
    Resources:
      Group:
        Type: AWS::EC2::SecurityGroup
        Condition: Open
        Properties:
          GroupDescription: g
          SecurityGroupIngress:
            - {IpProtocol: "-1", CidrIp: 0.0.0.0/0}
    """
    (finding,) = findings(text, select=SG)
    assert (finding.rule_id, finding.line, finding.conditions) == ("SG002", 12, {"Open": True})


def test_world_from_a_parameter_default_names_the_parameter_to_change():
    (finding,) = findings(PARAMETER_CIDR, select=SG)
    assert (finding.rule_id, finding.line) == ("SG001", 14)
    assert "CidrIp 0.0.0.0/0, the Default of parameter SshCidr" in finding.message
    assert "restrict parameter SshCidr (and its Default)" in finding.message
    assert [(r.line, r.message) for r in finding.related] == [(4, "the Default of SshCidr is the world")]
    (passed,) = findings(PARAMETER_CIDR, select=SG, parameters={"SshCidr": "0.0.0.0/0"})
    assert "the value passed for parameter SshCidr" in passed.message and passed.related == ()


def test_world_written_in_the_rule_names_the_rule_key():
    literal = PARAMETER_CIDR.replace("!Ref SshCidr", "192.168.1.0/0")
    (finding,) = findings(literal, select=SG)
    assert (finding.rule_id, finding.line) == ("SG001", 14)
    assert "(CidrIp 192.168.1.0/0 = 0.0.0.0/0)" in finding.message  # a /0 prefix is every address
    assert "restrict CidrIp to" in finding.message and "parameter" not in finding.message
    assert finding.related == ()


LAMBDA_GROUP = """
Transform: AWS::Serverless-2016-10-31
Resources:
  FunctionGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: function
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 27017, ToPort: 27017, CidrIp: 0.0.0.0/0}
  Function:
    Type: AWS::Serverless::Function
    DependsOn: FunctionGroup
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      VpcConfig:
        SubnetIds: [subnet-1]
        SecurityGroupIds: [!Ref FunctionGroup]
  Plain:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Role: arn:aws:iam::123456789012:role/r
      Code: {ZipFile: "def handler(e, c): pass"}
      VpcConfig:
        SubnetIds: [subnet-1]
        SecurityGroupIds: [!GetAtt FunctionGroup.GroupId]
"""


def test_group_attached_only_to_lambda_functions_admits_nothing():
    assert only(LAMBDA_GROUP) == []


@pytest.mark.parametrize(
    "extra",
    [
        # also on an instance: the instance listens
        """
  Instance:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-12345678
      SecurityGroupIds: [!Ref FunctionGroup]
""",
        # exported: another stack may attach it to anything
        """
Outputs:
  Group:
    Value: !Ref FunctionGroup
    Export: {Name: function-group}
""",
    ],
)
def test_group_that_may_face_anything_else_is_still_reported(extra):
    assert only(LAMBDA_GROUP + extra) == [("SG003", "FunctionGroup", 8)]


def test_group_attached_to_nothing_here_is_still_reported():
    unattached = LAMBDA_GROUP.split("  Function:")[0]
    assert only(unattached) == [("SG003", "FunctionGroup", 8)]


def test_r53002_private_zone_in_a_vpc_without_dns_hostnames():
    text = """
    Resources:
      Network:
        Type: AWS::EC2::VPC
        Properties: {CidrBlock: 10.0.0.0/16, EnableDnsSupport: true}
      Resolving:
        Type: AWS::EC2::VPC
        Properties: {CidrBlock: 10.1.0.0/16, EnableDnsHostnames: true}
      Internal:
        Type: AWS::Route53::HostedZone
        Properties:
          Name: internal.example.com
          VPCs:
            - {VPCId: !Ref Network, VPCRegion: !Ref AWS::Region}
            - {VPCId: !Ref Resolving, VPCRegion: !Ref AWS::Region}
            - {VPCId: vpc-12345678, VPCRegion: !Ref AWS::Region}
    """
    assert summary(findings(text, select=["R53002"])) == [("R53002", "Internal", 13)]
