"""Encryption at rest and in transit (checks/encryption/) and the analyses it stands on."""

from __future__ import annotations

from pathlib import Path

import pytest

from cfncheck.analysis import tls
from cfncheck.analysis.bucket_policies import resource_coverage
from cfncheck.testing import expected, family, file_findings, findings, summary
from cfncheck.values import ABSENT, Unknown, lookup

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "encryption"
ENCRYPTION = [
    "KMS001", "KMS004", "S3004", "S3005", "RDS002", "RDS008", "DDB002", "DDB003", "EC001", "EC002", "EBS001",
    "EFS001", "ELB001", "ELB002", "ELB004", "CF001", "CF002", "CF003", "SQS002", "SQS003", "SNS001",
    "SNS005", "KIN001", "KIN002", "APIGW001", "LOGS001", "TRAIL003", "REDSHIFT001", "REDSHIFT003",
    "ES001", "ES002",
]  # fmt: skip


def _sample_run(path: Path):
    return summary(file_findings(path, family(path.name.split("-")[0])), severity=True)


def test_every_check_has_a_failing_and_a_passing_sample():
    for rule in ENCRYPTION:
        assert (SAMPLES / f"{rule}-fail.yaml").exists(), rule
        assert (SAMPLES / f"{rule}-pass.yaml").exists(), rule


@pytest.mark.parametrize("path", sorted(SAMPLES.glob("*-fail.yaml")), ids=lambda p: p.stem)
def test_failing_sample(path):
    announced = expected(path)
    assert announced, "a failing sample states its findings"
    assert sorted(_sample_run(path)) == sorted(announced)


@pytest.mark.parametrize("path", sorted(SAMPLES.glob("*-pass.yaml")), ids=lambda p: p.stem)
def test_passing_sample(path):
    assert _sample_run(path) == []


# -- AWS defaults --------------------------------------------------------------------------------

QUEUE = """
Resources:
  Queue:
    Type: AWS::SQS::Queue
"""


def test_queue_without_settings_is_encrypted_by_default_and_gets_only_advice():
    found = findings(QUEUE, select=["SQS002", "SQS003"])
    assert summary(found) == [("SQS003", "Queue", 3)]
    assert str(found[0].severity) == "info"
    assert "KmsMasterKeyId" in found[0].message


def test_queue_turning_sse_off_without_key_is_unencrypted():
    text = QUEUE + "    Properties:\n      SqsManagedSseEnabled: false\n"
    found = findings(text, select=["SQS002", "SQS003"])
    assert summary(found) == [("SQS002", "Queue", 5)]
    assert str(found[0].severity) == "warning"


def test_bucket_without_encryption_gets_only_the_s3005_info():
    text = """
    Resources:
      Bucket:
        Type: AWS::S3::Bucket
      Policy:
        Type: AWS::S3::BucketPolicy
        Properties:
          Bucket: !Ref Bucket
          PolicyDocument:
            Statement:
              - Effect: Deny
                Principal: "*"
                Action: "s3:*"
                Resource: [!GetAtt Bucket.Arn, !Sub "${Bucket.Arn}/*"]
                Condition: {Bool: {"aws:SecureTransport": "false"}}
    """
    found = findings(text, select=ENCRYPTION)
    assert summary(found) == [("S3005", "Bucket", 3)]
    assert str(found[0].severity) == "info"
    assert found[0].path == ("Properties", "BucketEncryption")


def test_dynamodb_table_without_sse_is_info_not_warning():
    text = """
    Resources:
      Table:
        Type: AWS::DynamoDB::Table
        Properties:
          KeySchema: [{AttributeName: id, KeyType: HASH}]
          AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
    """
    found = findings(text, select=ENCRYPTION)
    assert [(f.rule_id, str(f.severity)) for f in found] == [("DDB002", "info")]


# -- conditions, parameters, unknowns ------------------------------------------------------------

CONDITIONAL = """
Parameters:
  Env:
    Type: String
    AllowedValues: [prod, dev]
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Database:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: mysql
      DBInstanceClass: db.t3.micro
      StorageEncrypted: !If [IsProd, true, false]
"""


def test_flag_from_fn_if_is_reported_in_the_failing_scenario_only():
    found = findings(CONDITIONAL, select=["RDS002"])
    assert summary(found) == [("RDS002", "Database", 13)]
    assert found[0].conditions == {"IsProd": False}


def test_conditional_queue_reports_the_scenario_where_sse_is_off():
    text = """
    Conditions:
      Legacy: !Equals [!Ref "AWS::Region", us-east-1]
    Resources:
      Queue:
        Type: AWS::SQS::Queue
        Properties:
          SqsManagedSseEnabled: !If [Legacy, false, !Ref "AWS::NoValue"]
    """
    found = findings(text, select=["SQS002"])
    assert summary(found) == [("SQS002", "Queue", 7)]
    assert found[0].conditions == {"Legacy": True}


VOLUME_FROM_PARAMETER = """
Parameters:
  Encrypt:
    Type: String
    Default: "false"
Resources:
  Volume:
    Type: AWS::EC2::Volume
    Properties:
      AvailabilityZone: us-east-1a
      Size: 10
      Encrypted: !Ref Encrypt
"""


def test_flag_from_parameter_default_is_reported():
    assert summary(findings(VOLUME_FROM_PARAMETER, select=["EBS001"])) == [("EBS001", "Volume", 11)]


def test_parameter_value_given_on_the_command_line_changes_the_verdict():
    assert findings(VOLUME_FROM_PARAMETER, select=["EBS001"], parameters={"Encrypt": "true"}) == []


def test_unknown_flag_is_never_reported():
    text = VOLUME_FROM_PARAMETER.replace('    Default: "false"\n', "")
    assert findings(text, select=["EBS001"]) == []


def test_conditional_resource_is_checked_only_where_it_exists():
    text = """
    Parameters:
      Env: {Type: String, Default: dev}
    Conditions:
      IsProd: !Equals [!Ref Env, prod]
    Resources:
      Topic:
        Type: AWS::SNS::Topic
        Condition: IsProd
    """
    found = findings(text, select=["SNS001"])
    assert summary(found) == [("SNS001", "Topic", 7)]
    assert found[0].conditions == {"IsProd": True}


def test_account_level_ebs_default_makes_absent_flags_pass():
    text = """
    Resources:
      Volume:
        Type: AWS::EC2::Volume
        Properties: {AvailabilityZone: us-east-1a, Size: 10}
    """
    assert summary(findings(text, select=["EBS001"])) == [("EBS001", "Volume", 4)]
    enabled = {"EBS001": {"ebs_encryption_by_default": True}}
    assert findings(text, select=["EBS001"], check_options=enabled) == []


def test_aurora_instance_is_not_checked_for_storage_encryption():
    text = """
    Resources:
      Cluster:
        Type: AWS::RDS::DBCluster
        Properties: {Engine: aurora-mysql, StorageEncrypted: true}
      Instance:
        Type: AWS::RDS::DBInstance
        Properties:
          Engine: aurora-mysql
          DBClusterIdentifier: !Ref Cluster
          DBInstanceClass: db.r6g.large
    """
    assert findings(text, select=["RDS002"]) == []


def test_conditional_block_device_mappings_keep_their_lines():
    text = """
    Conditions:
      WithData: !Equals [!Ref "AWS::Region", us-east-1]
    Resources:
      Instance:
        Type: AWS::EC2::Instance
        Properties:
          ImageId: ami-12345678
          BlockDeviceMappings:
            - !If
              - WithData
              - DeviceName: /dev/sdf
                Ebs: {VolumeSize: 100}
              - !Ref AWS::NoValue
            - DeviceName: /dev/xvda
              Ebs: {VolumeSize: 20, Encrypted: false}
    """
    found = findings(text, select=["EBS001"])
    assert sorted(summary(found)) == [("EBS001", "Instance", 12), ("EBS001", "Instance", 15)]
    assert {tuple(f.path) for f in found} == {
        ("Properties", "BlockDeviceMappings", 0, "Ebs", "Encrypted"),
        ("Properties", "BlockDeviceMappings", 1, "Ebs", "Encrypted"),
    }


def test_bucket_policy_named_by_sub_is_matched():
    text = """
    Resources:
      Bucket:
        Type: AWS::S3::Bucket
        Properties:
          BucketEncryption:
            ServerSideEncryptionConfiguration: [{ServerSideEncryptionByDefault: {SSEAlgorithm: AES256}}]
      Policy:
        Type: AWS::S3::BucketPolicy
        Properties:
          Bucket: !Sub "${Bucket}"
          PolicyDocument:
            Statement:
              - Effect: Deny
                Principal: "*"
                Action: "s3:*"
                Resource: ["arn:aws:s3:::x", "arn:aws:s3:::x/*"]
                Condition: {Bool: {"aws:SecureTransport": false}}
    """
    assert findings(text, select=["S3004"]) == []


# -- analyses ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("policy", "old"),
    [
        ("ELBSecurityPolicy-2016-08", True),
        ("ELBSecurityPolicy-TLS-1-1-2017-01", True),
        ("ELBSecurityPolicy-TLS13-1-1-2021-06", True),
        ("ELBSecurityPolicy-FS-2018-06", True),
        ("ELBSecurityPolicy-TLS13-1-2-2021-06", False),
        ("ELBSecurityPolicy-TLS-1-2-Ext-2018-06", False),
        ("ELBSecurityPolicy-FS-1-2-Res-2020-10", False),
        ("ELBSecurityPolicy-TLS13-1-3-2021-06", False),
    ],
)
def test_elb_policy_table(policy, old):
    assert tls.elb_policy_allows_old_tls(policy) is old


@pytest.mark.parametrize(
    ("engine", "version", "forced"),
    [("postgres", None, True), ("postgres", "15.4", True), ("postgres", "14.9", False), ("mysql", None, False)],
)
def test_rds_default_tls_by_version(engine, version, forced):
    assert tls.rds_default_forces_tls(engine, version) is forced


def test_lookup_tells_absent_from_unknown():
    assert lookup({"Ebs": {"Encrypted": True}}, "Ebs.Encrypted") is True
    assert lookup({"Ebs": {}}, "Ebs.Encrypted") is ABSENT
    assert isinstance(lookup({"Ebs": Unknown("param")}, "Ebs.Encrypted"), Unknown)


def test_resource_coverage_of_bucket_and_objects():
    assert resource_coverage(("arn:aws:s3:::b", "arn:aws:s3:::b/*")) == (True, True)
    assert resource_coverage(("arn:aws:s3:::b/*",)) == (False, True)
    assert resource_coverage((Unknown("x", text="${Bucket.Arn}/*"),)) == (False, True)


# -- audit of the corpus findings ----------------------------------------------------------------


def test_topic_without_key_is_only_advice_because_sns_encrypts_on_disk():
    text = """
    Resources:
      Topic:
        Type: AWS::SNS::Topic
    """
    found = findings(text, select=["SNS001"])
    assert summary(found, severity=True) == [("SNS001", "Topic", 3, "info")]
    assert "alias/aws/sns" in found[0].message


def test_topic_fed_by_aws_services_asks_for_a_customer_key_they_may_use():
    text = """
    Resources:
      Bucket:
        Type: AWS::S3::Bucket
        Properties:
          NotificationConfiguration:
            TopicConfigurations:
              - {Event: "s3:ObjectCreated:*", Topic: !Ref Uploads}
      Uploads:
        Type: AWS::SNS::Topic
      Alarmed:
        Type: AWS::SNS::Topic
      Alarm:
        Type: AWS::CloudWatch::Alarm
        Properties:
          AlarmActions: [!Ref Alarmed]
      Budget:
        Type: AWS::SNS::Topic
      BudgetPolicy:
        Type: AWS::SNS::TopicPolicy
        Properties:
          Topics: [!Ref Budget]
          PolicyDocument:
            Statement:
              - {Effect: Allow, Principal: {Service: budgets.amazonaws.com}, Action: sns:Publish, Resource: "*"}
    """
    found = {f.resource: f.message for f in findings(text, select=["SNS001"])}
    assert set(found) == {"Uploads", "Alarmed", "Budget"}
    for name, service in (("Uploads", "s3"), ("Alarmed", "cloudwatch"), ("Budget", "budgets")):
        assert f"lets {service}.amazonaws.com call kms:GenerateDataKey*" in found[name]
        assert "cannot use the AWS managed alias/aws/sns" in found[name]


WEBSITE = """
Parameters:
  Hosting: {Type: String, AllowedValues: ["on", "off"]}
Conditions:
  IsSite: !Equals [!Ref Hosting, "on"]
Resources:
  Site:
    Type: AWS::S3::Bucket
    Properties:
      WebsiteConfiguration: !If [IsSite, {IndexDocument: index.html}, !Ref AWS::NoValue]
"""


def test_website_bucket_gets_cloudfront_advice_not_a_tls_deny_that_breaks_it():
    found = findings(WEBSITE, select=["S3004", "S3028"])
    assert summary(found, severity=True) == [("S3004", "Site", 8, "warning"), ("S3028", "Site", 9, "info")]
    website = next(f for f in found if f.line == 9)
    assert website.conditions == {"IsSite": True}
    assert "CloudFront" in website.message
    plain = next(f for f in found if f.line == 8)
    assert plain.conditions == {"IsSite": False}
    assert "aws:SecureTransport false" in plain.message


def test_listener_without_ssl_policy_names_the_policy_cloudformation_applies():
    text = """
    Resources:
      Listener:
        Type: AWS::ElasticLoadBalancingV2::Listener
        Properties:
          Protocol: HTTPS
          Port: 443
          LoadBalancerArn: arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/x/1
          Certificates: [{CertificateArn: arn:aws:acm:us-east-1:123456789012:certificate/x}]
          DefaultActions: [{Type: fixed-response, FixedResponseConfig: {StatusCode: "200"}}]
    """
    found = findings(text, select=["ELB002"])
    assert summary(found) == [("ELB002", "Listener", 4)]
    assert "gets ELBSecurityPolicy-2016-08, which accepts TLS 1.0" in found[0].message
