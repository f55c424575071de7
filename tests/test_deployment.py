"""Deploy failures (issue 19): the probes that got no finding before, and their checks.

Each probe is a small template that the service or CloudFormation refuses; each gives its error on
the line that must change. The samples hold them all, with the fixed versions in good.yaml.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cfncheck.testing import expected, file_findings, only, summary

SAMPLES = Path(__file__).parent.parent / "samples" / "deployment"
CHECKS = ["SG006", "IAM013", "CFN020", "DDB006", "S3009", "LAMBDA012", "LAMBDA030"]
CHECKS += ["CFN040", "CFN041", "CFN042", "CFN043"]
TODAY = {"LAMBDA012": {"today": "2026-12-07"}}  # the runtime table's dates are compared with this day


def sample(name: str) -> list[tuple[str, str, int]]:
    return sorted(summary(file_findings(SAMPLES / name, CHECKS, check_options=TODAY)))


def test_bad_sample_reports_exactly_the_expected_findings():
    assert sample("bad.yaml") == sorted(expected(SAMPLES / "bad.yaml", severity=False))
    assert {rule for rule, _, _ in expected(SAMPLES / "bad.yaml", severity=False)} == set(CHECKS)


def test_good_sample_reports_nothing():
    assert sample("good.yaml") == []


def _function(runtime: str) -> str:
    return f"""
        Resources:
          Handler:
            Type: AWS::Lambda::Function
            Properties:
              Runtime: {runtime}
              Handler: index.handler
              Role: arn:aws:iam::123456789012:role/r
              Code: {{ZipFile: x}}
        """


PROBES = {
    "tcp with only FromPort": (
        "SG006",
        """
        Resources:
          Web:
            Type: AWS::EC2::SecurityGroupIngress
            Properties:
              GroupId: sg-12345678
              IpProtocol: tcp
              FromPort: 80
              CidrIp: 10.0.0.0/8
        """,
        ("Web", 4),
    ),
    "icmp without ports": (
        "SG006",
        """
        Resources:
          Web:
            Type: AWS::EC2::SecurityGroup
            Properties:
              GroupDescription: web
              SecurityGroupIngress:
                - {IpProtocol: icmp, CidrIp: 10.0.0.0/8}
        """,
        ("Web", 7),
    ),
    "CidrIp and SourceSecurityGroupId": (
        "SG006",
        """
        Resources:
          Web:
            Type: AWS::EC2::SecurityGroup
            Properties:
              GroupDescription: web
              SecurityGroupIngress:
                - IpProtocol: tcp
                  FromPort: 443
                  ToPort: 443
                  CidrIp: 10.0.0.0/8
                  SourceSecurityGroupId: sg-12345678
        """,
        ("Web", 11),
    ),
    "Version blah": (
        "IAM013",
        """
        Resources:
          Policy:
            Type: AWS::IAM::ManagedPolicy
            Properties:
              PolicyDocument:
                Version: blah
                Statement: [{Effect: Allow, Action: s3:GetObject, Resource: "*"}]
        """,
        ("Policy", 6),
    ),
    "Effect NotAllow in a JSON string": (
        "IAM013",
        """
        Resources:
          Policy:
            Type: AWS::IAM::ManagedPolicy
            Properties:
              PolicyDocument: '{"Version": "2012-10-17",
                "Statement": [{"Effect": "NotAllow", "Action": "*", "Resource": "*"}]}'
        """,
        ("Policy", 5),
    ),
    "no Statement": (
        "IAM013",
        """
        Resources:
          Topic:
            Type: AWS::SNS::Topic
          Policy:
            Type: AWS::SNS::TopicPolicy
            Properties:
              Topics: [!Ref Topic]
              PolicyDocument:
                Version: "2012-10-17"
        """,
        ("Policy", 8),
    ),
    "ECR repository policy with NotAllow": (
        "IAM013",
        """
        Resources:
          Repo:
            Type: AWS::ECR::Repository
            Properties:
              RepositoryPolicyText:
                Statement:
                  - Effect: NotAllow
                    Principal: "*"
                    Action: ecr:BatchGetImage
        """,
        ("Repo", 7),
    ),
    "DeletionPolicy CopyRegion": (
        "CFN020",
        """
        Resources:
          Queue:
            Type: AWS::SQS::Queue
            DeletionPolicy: CopyRegion
        """,
        ("Queue", 4),
    ),
    "Snapshot on a bucket": (
        "CFN020",
        """
        Resources:
          Bucket:
            Type: AWS::S3::Bucket
            UpdateReplacePolicy: Snapshot
        """,
        ("Bucket", 4),
    ),
    "AttributeDefinitions that miss an index key": (
        "DDB006",
        """
        Resources:
          Table:
            Type: AWS::DynamoDB::Table
            Properties:
              BillingMode: PAY_PER_REQUEST
              AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
              KeySchema: [{AttributeName: pk, KeyType: HASH}]
              GlobalSecondaryIndexes:
                - IndexName: by-status
                  KeySchema: [{AttributeName: status, KeyType: HASH}]
                  Projection: {ProjectionType: ALL}
        """,
        ("Table", 6),
    ),
    "nodejs14.x": ("LAMBDA012", _function("nodejs14.x"), ("Handler", 5)),
    "python3.7": ("LAMBDA012", _function("python3.7"), ("Handler", 5)),
    "an identifier Lambda does not have": ("LAMBDA012", _function("python3.x"), ("Handler", 5)),
    "python3.8 (blocked only from 2027-02-01)": ("LAMBDA030", _function("python3.8"), ("Handler", 5)),
    "Fn::Joinn": (
        "CFN040",
        """
        Resources:
          Topic:
            Type: AWS::SNS::Topic
            Properties:
              TopicName: {"Fn::Joinn": ["-", [a, b]]}
        """,
        ("Topic", 5),
    ),
    "Fn::Length without the transform": (
        "CFN040",
        """
        Resources:
          Topic:
            Type: AWS::SNS::Topic
            Properties:
              TopicName: !Sub
                - "n-${Count}"
                - Count: {"Fn::Length": [a, b]}
        """,
        ("Topic", 7),
    ),
    "!Select [a, [1, 2]]": (
        "CFN041",
        """
        Resources:
          Topic:
            Type: AWS::SNS::Topic
            Properties:
              TopicName: !Select [a, [1, 2]]
        """,
        ("Topic", 5),
    ),
    "!Select past the end": (
        "CFN041",
        """
        Resources:
          Topic:
            Type: AWS::SNS::Topic
            Properties:
              TopicName: !Select [2, [a, b]]
        """,
        ("Topic", 5),
    ),
    "Fn::Join of a string": (
        "CFN041",
        """
        Resources:
          Topic:
            Type: AWS::SNS::Topic
            Properties:
              TopicName: !Join ["-", "a-b"]
        """,
        ("Topic", 5),
    ),
    "Fn::If with two arguments": (
        "CFN041",
        """
        Conditions:
          Yes: !Equals [a, a]
        Resources:
          Topic:
            Type: AWS::SNS::Topic
            Properties:
              TopicName: !If [Yes, a]
        """,
        ("Topic", 7),
    ),
    "Fn::Sub variables in a list": (
        "CFN041",
        """
        Resources:
          Topic:
            Type: AWS::SNS::Topic
            Properties:
              TopicName: !Sub ["${A}", [a]]
        """,
        ("Topic", 5),
    ),
    "Fn::GetStackOutput without OutputName": (
        "CFN041",
        """
        Resources:
          Topic:
            Type: AWS::SNS::Topic
            Properties:
              TopicName: {"Fn::GetStackOutput": {StackName: network}}
        """,
        ("Topic", 5),
    ),
    "DependsOn with a function": (
        "CFN042",
        """
        Resources:
          Topic:
            Type: AWS::SNS::Topic
          Queue:
            Type: AWS::SQS::Queue
            DependsOn: [!Ref Topic]
        """,
        ("Queue", 6),
    ),
    "Fn::Equals in a property": (
        "CFN042",
        """
        Resources:
          Topic:
            Type: AWS::SNS::Topic
            Properties:
              FifoTopic: !Equals [a, a]
        """,
        ("Topic", 5),
    ),
    "${AMIId} outside Fn::Sub": (
        "CFN032",
        """
        Parameters:
          AMIId: {Type: String, Default: ami-0123456789abcdef0}
        Resources:
          Host:
            Type: AWS::EC2::Instance
            Properties:
              ImageId: "${AMIId}"
        """,
        ("Host", 7),
    ),
    "a pseudo parameter outside Fn::Sub": (
        "CFN043",
        """
        Resources:
          Bucket:
            Type: AWS::S3::Bucket
            Properties:
              BucketName: "logs-${AWS::AccountId}"
        """,
        ("Bucket", 5),
    ),
    "LogDeliveryWrite without OwnershipControls": (
        "S3009",
        """
        Resources:
          Logs:
            Type: AWS::S3::Bucket
            Properties:
              AccessControl: LogDeliveryWrite
        """,
        ("Logs", 5),
    ),
}


@pytest.mark.parametrize("probe", list(PROBES))
def test_each_probe_gives_its_error_on_the_line_to_change(probe):
    rule, text, (resource, line) = PROBES[probe]
    assert only(rule, text, check_options=TODAY) == [(rule, resource, line)]


def test_runtime_dates_follow_the_day_of_the_run():
    later = {"LAMBDA012": {"today": "2027-02-01"}}
    assert only("LAMBDA012", _function("python3.8"), check_options=later) == [("LAMBDA012", "Handler", 5)]
    assert only("LAMBDA030", _function("python3.8"), check_options=later) == []


def test_a_runtime_newer_than_the_data_and_unknown_values_are_not_judged():
    assert only("LAMBDA012", _function("python3.99")) == []
    text = """
        Parameters:
          Runtime: {Type: String}
        Resources:
          Handler:
            Type: AWS::Lambda::Function
            Properties:
              Runtime: !Ref Runtime
              Handler: index.handler
              Role: arn:aws:iam::123456789012:role/r
              Code: {ZipFile: x}
        """
    assert only("LAMBDA012", text) == []


def test_functions_are_not_judged_in_a_template_another_macro_rewrites():
    text = """
        Transform: MyMacro
        Resources:
          Topic:
            Type: AWS::SNS::Topic
            Properties:
              TopicName: {"Fn::Joinn": ["-", [a, b]]}
        """
    assert [rule for rule, _, _ in only("CFN040", text)] == ["CFN900"]  # only that the macro was not run


def test_state_machine_substitutions_are_not_variables_outside_sub():
    text = """
        Parameters:
          Table: {Type: String}
        Resources:
          Machine:
            Type: AWS::StepFunctions::StateMachine
            Properties:
              RoleArn: arn:aws:iam::123456789012:role/r
              DefinitionString: '{"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": "${Table}", "End": true}}}'
              DefinitionSubstitutions:
                Table: !Ref Table
        """
    assert only("CFN043", text) == []


def test_every_string_with_a_variable_outside_sub_is_reported():
    # the names the check looks for must not be narrowed by an earlier finding
    text = """
        Parameters:
          Env: {Type: String}
          Team: {Type: String}
        Resources:
          Logs:
            Type: AWS::S3::Bucket
            Properties:
              BucketName: "logs-${Env}"
          Data:
            Type: AWS::S3::Bucket
            Properties:
              BucketName: "data-${Team}"
        """
    assert sorted(only("CFN043", text)) == [("CFN043", "Data", 12), ("CFN043", "Logs", 8)]
