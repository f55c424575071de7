"""Exposure checks (KMS002, S3001-S3003, RDS001, SQS008, SNS003, LAMBDA003, ECR001, REDSHIFT002) and the
problems they report under ids of their own: a failing and a passing sample each, scenarios and parameters."""

from __future__ import annotations

from pathlib import Path

import pytest

from cfncheck.testing import expected, family, file_findings, findings, only, summary

SAMPLES = Path(__file__).parent.parent / "samples" / "exposure"


def sample(name: str, rule: str):
    return file_findings(SAMPLES / name, family(rule))


def severities(found) -> list[str]:
    return [str(f.severity) for f in found]


RULES = [
    "ECR001",
    "KMS002",
    "LAMBDA003",
    "RDS001",
    "RDS011",
    "REDSHIFT002",
    "S3001",
    "S3002",
    "S3003",
    "SNS003",
    "SQS008",
]


@pytest.mark.parametrize("rule", RULES)
def test_failing_sample(rule):
    announced = expected(SAMPLES / f"{rule}-fail.yaml")
    assert announced, "a failing sample states its findings"
    assert summary(sample(f"{rule}-fail.yaml", rule), severity=True) == announced


@pytest.mark.parametrize("rule", RULES)
def test_passing_sample(rule):
    assert sample(f"{rule}-pass.yaml", rule) == []


def test_findings_land_on_the_public_principal():
    found = sample("S3002-fail.yaml", "S3002")
    assert found[0].path == ("Properties", "PolicyDocument", "Statement", 0, "Principal")


def test_public_access_block_off_in_one_branch_names_the_scenario():
    text = """
    Parameters:
      Public: {Type: String, AllowedValues: ["yes", "no"], Default: "no"}
    Conditions:
      IsPublic: !Equals [!Ref Public, "yes"]
    Resources:
      Bucket:
        Type: AWS::S3::Bucket
        Properties:
          PublicAccessBlockConfiguration:
            BlockPublicAcls: true
            BlockPublicPolicy: !If [IsPublic, false, true]
            IgnorePublicAcls: true
            RestrictPublicBuckets: true
    """
    (finding,) = findings(text, select=["S3003"])
    assert summary([finding]) == [("S3003", "Bucket", 11)]
    assert finding.conditions == {"IsPublic": True}


def test_bucket_policy_as_json_string_and_parameters_change_the_verdict():
    text = """
    Parameters:
      Vpce: {Type: String, Default: "*"}
    Resources:
      Policy:
        Type: AWS::S3::BucketPolicy
        Properties:
          Bucket: shared
          PolicyDocument: !Sub >-
            {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
              "Resource": "arn:aws:s3:::shared/*", "Condition": {"StringLike": {"aws:SourceVpce": "${Vpce}"}}}]}
    """
    found = findings(text, select=family("S3002"))
    assert (summary(found), severities(found)) == ([("S3023", "Policy", 8)], ["warning"])
    assert findings(text, select=family("S3002"), parameters={"Vpce": "vpce-0123"}) == []


def test_unknown_principal_and_secure_transport_only_are_left_alone():
    text = """
    Parameters:
      Who: {Type: String}
    Resources:
      Policy:
        Type: AWS::S3::BucketPolicy
        Properties:
          Bucket: b
          PolicyDocument:
            Statement:
              - {Effect: Allow, Principal: {AWS: !Ref Who}, Action: "s3:*", Resource: "arn:aws:s3:::b/*"}
              - Effect: Allow
                Principal: "*"
                Action: s3:GetObject
                Resource: "arn:aws:s3:::b/*"
                Condition: {Bool: {aws:SecureTransport: "true"}}
    """
    assert only("S3002", text) == []
    assert only("S3002", text, parameters={"Who": "*"}) == [("S3002", "Policy", 10)]


def test_s3001_public_acl_rejected_when_block_public_access_is_default():
    text = """
    Resources:
      Bucket:
        Type: AWS::S3::Bucket
        Properties:
          AccessControl: PublicRead
          OwnershipControls:
            Rules: [{ObjectOwnership: BucketOwnerPreferred}]
    """
    found = findings(text, select=family("S3001"))
    assert (summary(found), severities(found)) == ([("S3021", "Bucket", 5)], ["error"])
    assert "BlockPublicAcls is on" in found[0].message


def test_rds001_public_in_one_scenario_and_aurora_cluster_subnet_group():
    text = """
    Parameters:
      Exposed: {Type: String, Default: "false", AllowedValues: ["true", "false"]}
    Conditions:
      IsExposed: !Equals [!Ref Exposed, "true"]
    Resources:
      Instance:
        Type: AWS::RDS::DBInstance
        Properties:
          Engine: mysql
          DBInstanceClass: db.t3.micro
          DBSubnetGroupName: private-group
          PubliclyAccessible: !If [IsExposed, true, false]
      Cluster:
        Type: AWS::RDS::DBCluster
        Properties:
          Engine: aurora-mysql
      AuroraInstance:
        Type: AWS::RDS::DBInstance
        Properties:
          Engine: aurora-mysql
          DBInstanceClass: db.r6g.large
          DBClusterIdentifier: !Ref Cluster
      Replica:
        Type: AWS::RDS::DBInstance
        Properties:
          DBInstanceClass: db.t3.micro
          SourceDBInstanceIdentifier: !Ref Instance
    """
    found = findings(text, select=family("RDS001"))
    assert summary(found) == [("RDS001", "Instance", 12), ("RDS020", "AuroraInstance", 19)]
    assert found[0].conditions == {"IsExposed": True}
    assert severities(found) == ["error", "warning"]


def test_foreign_accounts_are_reported_only_when_the_deploy_account_is_known():
    text = """
    Resources:
      Key:
        Type: AWS::KMS::Key
        Properties:
          KeyPolicy:
            Statement:
              - {Effect: Allow, Principal: {AWS: "arn:aws:iam::111111111111:root"}, Action: "kms:*", Resource: "*"}
              - {Effect: Allow, Principal: {AWS: "arn:aws:iam::222222222222:root"}, Action: "kms:*", Resource: "*"}
      QueuePolicy:
        Type: AWS::SQS::QueuePolicy
        Properties:
          Queues: [q]
          PolicyDocument:
            Statement:
              - {Effect: Allow, Principal: {AWS: "222222222222"}, Action: "sqs:*", Resource: "*"}
              - {Effect: Allow, Principal: {AWS: "222222222222"}, Action: "sqs:SendMessage", Resource: "*"}
    """
    checks = [*family("KMS002"), *family("SQS008")]
    assert findings(text, select=checks) == []
    found = findings(text, select=checks, account_id="111111111111")
    assert summary(found) == [("KMS010", "Key", 8), ("SQS019", "QueuePolicy", 15), ("SQS020", "QueuePolicy", 16)]
    assert severities(found) == ["info", "warning", "info"]


def test_sns003_ignores_non_publishing_grants_and_notprincipal_is_open():
    text = """
    Resources:
      TopicPolicy:
        Type: AWS::SNS::TopicPolicy
        Properties:
          Topics: [t]
          PolicyDocument:
            Statement:
              - {Effect: Allow, NotPrincipal: {AWS: "arn:aws:iam::111111111111:root"}, Action: "sns:*", Resource: "*"}
              - {Effect: Allow, Principal: "*", Action: "sns:ListSubscriptionsByTopic", Resource: "*"}
    """
    assert only("SNS003", text) == [("SNS003", "TopicPolicy", 8)]


def test_lambda003_service_principals_need_their_source():
    text = """
    Resources:
      FromEvents:
        Type: AWS::Lambda::Permission
        Properties:
          FunctionName: f
          Action: lambda:InvokeFunction
          Principal: events.amazonaws.com
      FromS3WithArnOnly:
        Type: AWS::Lambda::Permission
        Properties:
          FunctionName: f
          Action: lambda:InvokeFunction
          Principal: s3.amazonaws.com
          SourceArn: arn:aws:s3:::bucket
      FromAccount:
        Type: AWS::Lambda::Permission
        Properties:
          FunctionName: f
          Action: lambda:InvokeFunction
          Principal: "123456789012"
    """
    found = findings(text, select=family("LAMBDA003"))
    assert summary(found) == [("LAMBDA024", "FromEvents", 7), ("LAMBDA024", "FromS3WithArnOnly", 13)]
    assert "SourceAccount" in found[1].message and "SourceArn" not in found[1].message.split("so that")[0]


def test_inline_queue_and_topic_policies_are_read_like_the_others():
    text = """
    Resources:
      Queue:
        Type: AWS::SQS::QueueInlinePolicy
        Properties:
          Queue: https://sqs.us-east-1.amazonaws.com/123456789012/q
          PolicyDocument:
            Statement: {Effect: Allow, Principal: "*", Action: "sqs:*", Resource: "*"}
      Topic:
        Type: AWS::SNS::TopicInlinePolicy
        Properties:
          TopicArn: arn:aws:sns:us-east-1:123456789012:t
          PolicyDocument:
            Statement: {Effect: Allow, Principal: "*", Action: "sns:Publish", Resource: "*"}
    """
    assert summary(findings(text, select=["SQS008", "SNS003"])) == [("SQS008", "Queue", 7), ("SNS003", "Topic", 13)]


def test_load_balancer_permission_says_how_to_name_the_target_group():
    text = """
    Resources:
      FromAlb:
        Type: AWS::Lambda::Permission
        Properties:
          FunctionName: f
          Action: lambda:InvokeFunction
          Principal: elasticloadbalancing.amazonaws.com
      FromAlbScoped:
        Type: AWS::Lambda::Permission
        Properties:
          FunctionName: f
          Action: lambda:InvokeFunction
          Principal: elasticloadbalancing.amazonaws.com
          SourceArn: !Sub arn:${AWS::Partition}:elasticloadbalancing:${AWS::Region}:${AWS::AccountId}:targetgroup/tg/*
    """
    (finding,) = findings(text, select=family("LAMBDA003"))
    assert (finding.resource, finding.line) == ("FromAlb", 7)
    assert "built with Fn::Sub from its Name" in finding.message and "targetgroup/<name>/*" in finding.message
