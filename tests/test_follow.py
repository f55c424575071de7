"""Following a reference across templates: every check family reads what an imported resource
(``Fn::ImportValue`` of an export of another template of the run) really is, and says nothing when
the exporting template is not in the run."""

from __future__ import annotations

import textwrap
from pathlib import Path

from cfncheck.testing import Source, expected, run_files, run_sources, summary

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "encryption" / "imported-key"


def _run(select: list[str], **texts: str):
    sources = [Source(name, data=textwrap.dedent(text).lstrip().encode()) for name, text in texts.items()]
    result = run_sources(sources, select=select)
    assert not result.errors and not result.internal_errors
    return result.findings


def test_an_encryption_check_follows_a_key_imported_from_another_template():
    together = run_files([SAMPLE / "keys.yaml", SAMPLE / "alerts.yaml"], select=["KMS004"]).findings
    assert summary(together, severity=True) == expected(SAMPLE / "alerts.yaml")
    (finding,) = together
    assert finding.file.endswith("alerts.yaml") and "SharedKey (imported as shared-key-arn from" in finding.message
    (policy,) = finding.related
    assert policy.file.endswith("keys.yaml") and policy.line == 8 and policy.message == "the key policy"
    assert run_files([SAMPLE / "alerts.yaml"], select=["KMS004"]).findings == []  # the key is not in the run


PARAMETER_GROUP = """
    Resources:
      Strict:
        Type: AWS::RDS::DBParameterGroup
        Properties: {Family: mysql8.0, Description: x, Parameters: {require_secure_transport: "ON"}}
      Loose:
        Type: AWS::RDS::DBParameterGroup
        Properties: {Family: mysql8.0, Description: x, Parameters: {max_connections: "100"}}
    Outputs:
      Strict: {Value: !Ref Strict, Export: {Name: strict-group}}
      Loose: {Value: !Ref Loose, Export: {Name: loose-group}}
"""

DATABASES = """
    Resources:
      Good:
        Type: AWS::RDS::DBInstance
        Properties: {Engine: mysql, DBInstanceClass: db.t3.micro, DBParameterGroupName: !ImportValue strict-group}
      Bad:
        Type: AWS::RDS::DBInstance
        Properties: {Engine: mysql, DBInstanceClass: db.t3.micro, DBParameterGroupName: !ImportValue loose-group}
"""


def test_rds_tls_reads_an_imported_parameter_group():
    found = _run(["RDS008"], **{"groups.yaml": PARAMETER_GROUP, "databases.yaml": DATABASES})
    assert summary(found) == [("RDS008", "Bad", 7)]
    assert "parameter group Loose (imported as loose-group from groups.yaml)" in found[0].message
    assert found[0].related[0].file == "groups.yaml"
    assert _run(["RDS008"], **{"databases.yaml": DATABASES}) == []


BALANCER = """
    Resources:
      Balancer:
        Type: AWS::ElasticLoadBalancingV2::LoadBalancer
        Properties: {Subnets: [subnet-1, subnet-2]}
    Outputs:
      Arn: {Value: !Ref Balancer, Export: {Name: public-alb}}
"""

LISTENER = """
    Resources:
      Http:
        Type: AWS::ElasticLoadBalancingV2::Listener
        Properties:
          LoadBalancerArn: !ImportValue public-alb
          Port: 80
          Protocol: HTTP
          DefaultActions: [{Type: forward, TargetGroupArn: arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/x/1}]
"""


def test_a_listener_is_judged_on_the_imported_load_balancer():
    checks = ["ELB001", "ELB020"]
    found = _run(checks, **{"alb.yaml": BALANCER, "listener.yaml": LISTENER})
    assert summary(found, severity=True) == [("ELB001", "Http", 7, "warning")]
    assert "serves the internet in plaintext" in found[0].message
    internal = BALANCER.replace("Properties: {Subnets", "Properties: {Scheme: internal, Subnets")
    assert summary(_run(checks, **{"alb.yaml": internal, "listener.yaml": LISTENER}), severity=True) == [
        ("ELB020", "Http", 7, "info")
    ]
    assert _run(checks, **{"listener.yaml": LISTENER}) == []  # the load balancer is not in the run


GROUP = """
    Resources:
      Data:
        Type: AWS::EC2::SecurityGroup
        Properties: {GroupDescription: data tier, VpcId: vpc-1}
    Outputs:
      Data: {Value: !GetAtt Data.GroupId, Export: {Name: data-sg}}
"""

OPENED = """
    Resources:
      Open:
        Type: AWS::EC2::SecurityGroupIngress
        Properties: {GroupId: !ImportValue data-sg, IpProtocol: tcp, FromPort: 8080, ToPort: 8080, CidrIp: 0.0.0.0/0}
      Database:
        Type: AWS::RDS::DBInstance
        Properties: {Engine: mysql, DBInstanceClass: db.t3.micro, VPCSecurityGroups: [!ImportValue data-sg]}
"""


def test_a_rule_on_an_imported_group_attached_to_a_database_here_opens_the_data_tier():
    found = _run(["SG"], **{"group.yaml": GROUP, "app.yaml": OPENED})
    assert summary(found, severity=True) == [("SG005", "Open", 4, "error")]
    assert "on security group Data (imported as data-sg from group.yaml), which Database" in found[0].message
    alone = _run(["SG"], **{"app.yaml": OPENED})  # the group is not known: any other port is SG004
    assert summary(alone, severity=True) == [("SG004", "Open", 4, "warning")]


WEBSITE = """
    Resources:
      Site:
        Type: AWS::S3::Bucket
        Properties: {WebsiteConfiguration: {IndexDocument: index.html}}
    Outputs:
      Site: {Value: !Ref Site, Export: {Name: site-bucket}}
"""

READABLE = """
    Resources:
      Policy:
        Type: AWS::S3::BucketPolicy
        Properties:
          Bucket: !ImportValue site-bucket
          PolicyDocument:
            Statement: [{Effect: Allow, Principal: "*", Action: s3:GetObject, Resource: arn:aws:s3:::site/*}]
"""


def test_an_exposure_check_sees_that_an_imported_bucket_is_a_website():
    checks = ["S3002", "S3023", "S3024"]
    found = _run(checks, **{"site.yaml": WEBSITE, "policy.yaml": READABLE})
    assert summary(found, severity=True) == [("S3024", "Policy", 7, "info")]
    assert summary(_run(checks, **{"policy.yaml": READABLE}), severity=True) == [("S3023", "Policy", 7, "warning")]
