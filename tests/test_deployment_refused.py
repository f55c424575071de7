"""Deploy failures of issue 19's second pass: what the differential against cfn-lint showed we
missed, the deploy failures found inside tier-2 entries, and the tier-2 error checks.

``samples/deployment/refused-bad.yaml`` marks every expected finding with an ``expect:`` comment;
``refused-good.yaml`` holds the fixed versions and must give none. The other tests pin down what
each check must not judge: values it cannot see, other tools' syntax, SAM's own resources.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cfncheck.testing import expected, file_findings, only, summary

SAMPLES = Path(__file__).parent.parent / "samples" / "deployment"
CHECKS = ["CFN046", "CFN047", "CFN016", "SG040", "EC2001", "IAM013", "R53001", "R53004", "EVT001", "EVT002"]
CHECKS += ["CFN030", "APIGW040", "APIGW041", "COG040", "LAMBDA016", "LAMBDA008", "XSTK008", "SFN001", "CFN032"]
CHECKS += ["S3017", "LAMBDA040", "LAMBDA041"]
TODAY = {"CFN047": {"today": "2026-12-07"}}  # the retirement dates are compared with this day


def sample(name: str) -> list[tuple[str, str | None, int]]:
    return sorted(summary(file_findings(SAMPLES / name, CHECKS, check_options=TODAY)), key=str)


def test_bad_sample_reports_exactly_the_expected_findings():
    wanted = expected(SAMPLES / "refused-bad.yaml", severity=False)
    assert sample("refused-bad.yaml") == sorted(wanted, key=str)
    assert {rule for rule, _, _ in wanted} == set(CHECKS)


def test_good_sample_reports_nothing():
    assert sample("refused-good.yaml") == []


TIER2 = "DDB005 DDB007 LAMBDA006 TRAIL004 TRAIL005 TRAIL006 KMS040 ECS002 ECS003 ECS004 ECS005 ECS006 ELB006 ASG003"
TIER2 += " APIGW005 APIGW007 VPC003 VPC006 VPC007 VPC008 VPC009 VPC010 VPC011 S3010 S3012 KMS003 SECRET008 RDS010 CF004"
TIER2 += " CFN021 EBS002 SQS010 SNS006 LAMBDA005"


def test_tier2_bad_sample_reports_exactly_the_expected_findings():
    checks = TIER2.split()
    wanted = expected(SAMPLES / "tier2-bad.yaml", severity=False)
    assert sorted(summary(file_findings(SAMPLES / "tier2-bad.yaml", checks)), key=str) == sorted(wanted, key=str)
    assert {rule for rule, _, _ in wanted} == set(checks)


def test_tier2_good_sample_reports_nothing():
    assert summary(file_findings(SAMPLES / "tier2-good.yaml", TIER2.split())) == []


def test_nulls_are_judged_only_where_the_loader_saw_one():
    text = """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Machine:
            Type: AWS::Serverless::StateMachine
            Properties:
              Definition:
                StartAt: A
                States:
                  A: {Type: Pass, ResultPath: null, End: true}
          Subnet:
            Type: AWS::EC2::Subnet
            Properties:
              VpcId: vpc-12345678
              CidrBlock: 10.0.0.0/24
              AvailabilityZone: !Select [0, !GetAZs null]
              Tags:
                - {Key: zone, Value: {"Fn::GetAZs": null}}
        """
    # SAM rewrites its own resources; `!GetAZs null` is the text "null"; a JSON-style null is a null.
    assert only("CFN046", text) == [("CFN046", "Subnet", 17)]


def test_nulls_are_not_judged_in_templates_another_transform_rewrites():
    text = """
        Transform: AWS::LanguageExtensions
        Resources:
          Table:
            Type: AWS::SNS::Topic
            Properties:
              TopicName:
        """
    assert only("CFN046", text) == []


def test_a_service_is_retired_only_from_its_date():
    text = (
        "Resources:\n  Ledger:\n    Type: AWS::IoTEvents::Input\n    Properties: {InputDefinition: {Attributes: []}}\n"
    )
    assert only("CFN047", text, check_options={"CFN047": {"today": "2026-05-19"}}) == []
    assert only("CFN047", text, check_options={"CFN047": {"today": "2026-05-20"}}) == [("CFN047", "Ledger", 3)]


@pytest.mark.parametrize(
    ("schedule", "valid"),
    [
        ("rate(1 minute)", True),
        ("rate(5 minutes)", True),
        ("rate(1 minutes)", False),
        ("rate(5 hour)", False),
        ("cron(0 12 * * ? *)", True),
        ("cron(0 12 ? * MON-FRI *)", True),
        ("cron(0 12 * * MON *)", False),
        ("cron(0 12 * * ?)", False),
        ("cron(5, 0, 1, *, ?, *)", False),
        ("every day", False),
    ],
)
def test_schedule_expressions(schedule, valid):
    text = (
        f'Resources:\n  Rule:\n    Type: AWS::Events::Rule\n    Properties:\n      ScheduleExpression: "{schedule}"\n'
    )
    assert only("EVT002", text) == ([] if valid else [("EVT002", "Rule", 5)])


def test_state_machine_names_made_of_substitutions_are_not_judged():
    text = """
        Resources:
          Machine:
            Type: AWS::StepFunctions::StateMachine
            Properties:
              RoleArn: arn:aws:iam::123456789012:role/r
              DefinitionString: '{"StartAt": "${First}", "States": {"A": {"Type": "Pass", "Next": "${Then}"}}}'
              DefinitionSubstitutions: {First: A, Then: B}
        """
    assert only("SFN001", text) == []


def test_state_machine_branches_are_machines_of_their_own():
    text = """
        Resources:
          Machine:
            Type: AWS::StepFunctions::StateMachine
            Properties:
              RoleArn: arn:aws:iam::123456789012:role/r
              Definition:
                StartAt: Both
                States:
                  Both:
                    Type: Parallel
                    End: true
                    Branches:
                      - StartAt: Left
                        States:
                          Left: {Type: Pass, Next: Both}
        """
    assert only("SFN001", text) == [("SFN001", "Machine", 15)]


def test_group_names_with_a_subnet_given_by_a_parameter_are_not_judged():
    text = """
        Parameters:
          Subnet: {Type: AWS::EC2::Subnet::Id}
        Resources:
          Host:
            Type: AWS::EC2::Instance
            Properties:
              ImageId: ami-0123456789abcdef0
              SubnetId: !Ref Subnet
              SecurityGroups: [web]
        """
    assert only("EC2001", text) == []


def test_acl_entries_of_exclusive_conditions_may_share_a_number():
    text = """
        Parameters:
          Open: {Type: String, AllowedValues: ["yes", "no"]}
        Conditions:
          IsOpen: !Equals [!Ref Open, "yes"]
          IsClosed: !Not [Condition: IsOpen]
        Resources:
          Acl:
            Type: AWS::EC2::NetworkAcl
            Properties: {VpcId: vpc-12345678}
          Wide:
            Type: AWS::EC2::NetworkAclEntry
            Condition: IsOpen
            Properties: {NetworkAclId: !Ref Acl, RuleNumber: 100, Protocol: -1, RuleAction: allow, CidrBlock: 0.0.0.0/0}
          Narrow:
            Type: AWS::EC2::NetworkAclEntry
            Condition: IsClosed
            Properties:
              {NetworkAclId: !Ref Acl, RuleNumber: 100, Protocol: -1, RuleAction: allow, CidrBlock: 10.0.0.0/8}
        """
    assert only("SG040", text) == []


@pytest.mark.parametrize(
    ("reference", "valid"),
    [
        ("{{resolve:secretsmanager:prod/db:SecretString:password}}", True),
        ("{{resolve:secretsmanager:prod/db}}", True),
        ("{{resolve:secretsmanager:MQ:SecretString:password::}}", True),
        (
            "{{resolve:secretsmanager:arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf:SecretString:pw}}",
            True,
        ),
        ("{{resolve:secretsmanager:${Secret}:password}}", True),  # the id may be an ARN: not judged
        ("{{resolve:ssm:/app/size:1}}", True),
        ("{{resolve:secretsmanager:prod/db:password}}", False),
        ("{{resolve:secrets:prod/db}}", False),
    ],
)
def test_dynamic_references(reference, valid):
    text = f"""
        Parameters:
          Secret: {{Type: String}}
        Resources:
          Topic:
            Type: AWS::SNS::Topic
            Properties:
              TopicName: !Sub "{reference}"
        """
    assert only("SECRET008", text) == ([] if valid else [("SECRET008", "Topic", 7)])


def test_text_markers_spelled_with_escapes_are_still_checked():
    # the checks skip templates whose text cannot hold what they look for; an escape can spell it
    text = """
        {"Parameters": {"Env": {"Type": "String"}},
         "Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {
           "TopicName": "\\u007b\\u007bresolve:secretsmanager:prod/db:password}}",
           "DisplayName": "logs-\\u0024{Env}"}}}}
        """
    assert only("SECRET008", text) == [("SECRET008", "Topic", 3)]
    assert only("CFN043", text) == [("CFN043", "Topic", 4)]


def test_a_signal_from_a_script_it_downloads_is_not_judged():
    text = """
        Resources:
          Host:
            Type: AWS::EC2::Instance
            CreationPolicy:
              ResourceSignal: {Count: 1}
            Properties:
              ImageId: ami-0123456789abcdef0
              UserData: !Base64 "#!/bin/bash\ncurl -s https://example.com/bootstrap.sh | bash"
        """
    assert only("CFN021", text) == []


def test_a_target_group_exported_to_another_stack_is_not_judged():
    text = """
        Resources:
          Targets:
            Type: AWS::ElasticLoadBalancingV2::TargetGroup
            Properties: {Port: 80, Protocol: HTTP, VpcId: vpc-12345678, TargetType: ip}
          Web:
            Type: AWS::ECS::Service
            Properties:
              TaskDefinition: web:1
              NetworkConfiguration: {AwsvpcConfiguration: {Subnets: [subnet-12345678]}}
              LoadBalancers: [{TargetGroupArn: !Ref Targets, ContainerName: web, ContainerPort: 80}]
        Outputs:
          TargetGroup:
            Value: !Ref Targets
            Export: {Name: web-targets}
        """
    assert only("ECS006", text) == []


def test_sam_policy_templates_need_their_parameters():
    text = """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Table:
            Type: AWS::Serverless::SimpleTable
          Reader:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: python3.13
              Handler: index.handler
              InlineCode: pass
              Policies:
                - DynamoDBReadPolicy:
                  TableName: !Ref Table
                - DynamoDBCrudPolicy: {TableName: !Ref Table}
                - AMIDescribePolicy: {}
                - SQSPollerPolicy: {}
        """
    assert only("IAM040", text) == [("IAM040", "Reader", 12), ("IAM040", "Reader", 16)]


def test_fifo_settings_of_a_queue_whose_kind_is_a_parameter_are_not_judged():
    text = """
        Parameters:
          Fifo: {Type: String, AllowedValues: ["true", "false"]}
        Resources:
          Jobs:
            Type: AWS::SQS::Queue
            Properties:
              FifoQueue: !Ref Fifo
              ContentBasedDeduplication: true
              DeduplicationScope: queue
          Plain:
            Type: AWS::SQS::Queue
            Properties:
              ContentBasedDeduplication: false
        """
    assert only("SQS010", text) == []


def test_a_fifo_subscription_is_judged_in_the_scenario_where_the_topic_is_fifo():
    text = """
        Parameters:
          Ordered: {Type: String, AllowedValues: ["yes", "no"]}
        Conditions:
          IsOrdered: !Equals [!Ref Ordered, "yes"]
        Resources:
          Events:
            Type: AWS::SNS::Topic
            Properties:
              FifoTopic: !If [IsOrdered, true, false]
          Mail:
            Type: AWS::SNS::Subscription
            Properties: {TopicArn: !Ref Events, Protocol: email, Endpoint: ops@example.com}
          Imported:
            Type: AWS::SNS::Subscription
            Properties: {TopicArn: !ImportValue events-topic, Protocol: email, Endpoint: ops@example.com}
        """
    assert only("SNS006", text) == [("SNS006", "Mail", 12)]


def test_a_dead_letter_role_with_policies_cfncheck_cannot_read_is_not_judged():
    text = """
        Resources:
          Failures:
            Type: AWS::SQS::Queue
          Role:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument: {Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}}]}
              ManagedPolicyArns: [arn:aws:iam::123456789012:policy/team-managed]
          Handler:
            Type: AWS::Lambda::Function
            Properties:
              Runtime: python3.13
              Handler: index.handler
              Role: !GetAtt Role.Arn
              Code: {ZipFile: pass}
              DeadLetterConfig: {TargetArn: !GetAtt Failures.Arn}
        """
    assert only("LAMBDA005", text) == []
