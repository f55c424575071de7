"""IAM checks IAM001-IAM008: a failing and a passing sample each, and the policy-document traps."""

from __future__ import annotations

from pathlib import Path

import pytest

from cfncheck.findings import ERROR, WARNING
from cfncheck.testing import expected, family, file_findings, findings, only, summary

SAMPLES = Path(__file__).parent.parent / "samples" / "iam"


def sample(name: str, rule: str):
    return file_findings(SAMPLES / name, family(rule), account_id="111111111111")  # the deploy account, for IAM012


RULES = ["IAM001", "IAM002", "IAM003", "IAM004", "IAM005", "IAM006", "IAM007", "IAM008"]
RULES += ["IAM009", "IAM010", "IAM011", "IAM012", "IAM015"]


@pytest.mark.parametrize("rule", RULES)
def test_failing_sample(rule):
    announced = expected(SAMPLES / f"{rule}-fail.yaml", severity=False)
    assert announced, "a failing sample states its findings"
    assert summary(sample(f"{rule}-fail.yaml", rule)) == announced


@pytest.mark.parametrize("rule", RULES)
def test_passing_sample(rule):
    assert sample(f"{rule}-pass.yaml", rule) == []


def test_each_branch_of_the_catalog_has_its_id_and_severity():
    found = sample("IAM002-fail.yaml", "IAM002")
    assert [(f.rule_id, f.severity) for f in found] == [("IAM002", ERROR), ("IAM002", ERROR), ("IAM023", WARNING)]
    found = sample("IAM004-fail.yaml", "IAM004")
    assert [(f.rule_id, f.severity) for f in found] == [("IAM004", ERROR), ("IAM025", WARNING), ("IAM024", WARNING)]


def test_findings_land_on_the_statement_key():
    found = sample("IAM001-fail.yaml", "IAM001")
    assert found[1].path == ("Properties", "Policies", 0, "PolicyDocument", "Statement", 0, "Action")
    assert found[2].path == ("Properties", "PolicyDocument", "Statement", "Action")  # Statement as an object
    assert (found[1].column, found[1].end_column) == (17, 27)


def test_policy_document_as_json_string():
    text = """
    Resources:
      Policy:
        Type: AWS::IAM::ManagedPolicy
        Properties:
          Description: JSON text, as many older templates write it
          PolicyDocument: |
            {"Version": "2012-10-17",
             "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    """
    found = findings(text, select=["IAM001"])
    assert summary(found) == [("IAM001", "Policy", 6)]
    assert found[0].path == ("Properties", "PolicyDocument", "Statement", 0, "Action")


def test_policy_document_built_with_sub_and_join():
    text = """
    Parameters:
      Service: {Type: String, Default: "kms"}
    Resources:
      FromSub:
        Type: AWS::IAM::ManagedPolicy
        Properties:
          PolicyDocument: !Sub |
            {"Statement": [{"Effect": "Allow", "Action": "${Service}:*",
                            "Resource": "arn:aws:kms:us-east-1:123456789012:key/k"}]}
      FromJoin:
        Type: AWS::IAM::ManagedPolicy
        Properties:
          PolicyDocument: !Join
            - ""
            - ['{"Statement": {"Effect": "Allow", "Action": "', !Ref Service, ':*", "Resource": "*"}}']
    """
    assert summary(findings(text, select=family("IAM002"))) == [("IAM002", "FromSub", 7), ("IAM002", "FromJoin", 13)]
    with_s3 = findings(text, select=family("IAM002"), parameters={"Service": "s3"})
    assert summary(with_s3) == [("IAM023", "FromSub", 7), ("IAM023", "FromJoin", 13)]


def test_unknown_document_is_not_reported():
    text = """
    Parameters:
      Action: {Type: String}
    Resources:
      Policy:
        Type: AWS::IAM::ManagedPolicy
        Properties:
          PolicyDocument: !Sub '{"Statement": [{"Effect": "Allow", "Action": "${Action}", "Resource": "*"}]}'
      Inline:
        Type: AWS::IAM::ManagedPolicy
        Properties:
          PolicyDocument:
            Statement: [{Effect: Allow, Action: !Ref Action, Resource: "*"}]
    """
    assert only("IAM001", text) == [] and only("IAM002", text) == []
    assert only("IAM001", text, parameters={"Action": "*"}) == [("IAM001", "Policy", 7), ("IAM001", "Inline", 12)]


def test_violation_in_one_if_branch_names_the_scenario():
    text = """
    Parameters:
      Env: {Type: String, Default: dev, AllowedValues: [dev, prod]}
    Conditions:
      IsProd: !Equals [!Ref Env, prod]
    Resources:
      Role:
        Type: AWS::IAM::Role
        Properties:
          AssumeRolePolicyDocument:
            Statement:
              - Effect: Allow
                Principal: {Service: ecs-tasks.amazonaws.com}
                Action: sts:AssumeRole
          Policies:
            - PolicyName: ops
              PolicyDocument:
                Statement:
                  - Effect: Allow
                    Action: !If [IsProd, "s3:GetObject", "s3:*"]
                    Resource: arn:aws:s3:::bucket/*
    """
    (finding,) = findings(text, select=["IAM002", "IAM023"])
    assert summary([finding]) == [("IAM023", "Role", 19)]
    assert finding.conditions == {"IsProd": False}
    assert "s3:*" in finding.message


def test_no_value_statement_keeps_the_other_statements_on_their_lines():
    text = """
    Conditions:
      Never: !Equals [a, b]
    Resources:
      Policy:
        Type: AWS::IAM::Policy
        Properties:
          PolicyName: p
          Roles: [r]
          PolicyDocument:
            Statement:
              - !If [Never, {Effect: Allow, Action: s3:GetObject, Resource: "*"}, !Ref AWS::NoValue]
              - Effect: Allow
                Action: iam:*
                Resource: arn:aws:iam::123456789012:role/x
    """
    found = findings(text, select=["IAM002"])
    assert summary(found) == [("IAM002", "Policy", 13)]
    assert found[0].path[-2:] == (1, "Action")


def test_iam003_ignores_admin_and_iam004_ignores_deny():
    text = """
    Resources:
      Policy:
        Type: AWS::IAM::Policy
        Properties:
          PolicyName: p
          Groups: [g]
          PolicyDocument:
            Statement:
              - {Effect: Allow, Action: "*", Resource: "*"}
              - {Effect: Deny, NotAction: "s3:GetObject", Resource: "*"}
    """
    assert only("IAM003", text) == [] and only("IAM004", text) == [] and only("IAM005", text) == []
    assert only("IAM001", text) == [("IAM001", "Policy", 9)]


def test_iam007_names_the_scenario_of_the_mismatch_and_points_at_the_consumer():
    text = """
    Parameters:
      Edge: {Type: String, Default: "no"}
    Conditions:
      AtEdge: !Equals [!Ref Edge, "yes"]
    Resources:
      EdgeRole:
        Type: AWS::IAM::Role
        Properties:
          AssumeRolePolicyDocument:
            Statement: [{Effect: Allow, Principal: {Service: edgelambda.amazonaws.com}, Action: sts:AssumeRole}]
      PlainRole:
        Type: AWS::IAM::Role
        Properties:
          AssumeRolePolicyDocument:
            Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}]
      Function:
        Type: AWS::Lambda::Function
        Properties:
          Role: !If [AtEdge, !GetAtt EdgeRole.Arn, !GetAtt PlainRole.Arn]
    """
    (finding,) = findings(text, select=["IAM007"])
    assert summary([finding]) == [("IAM007", "EdgeRole", 9)]
    assert finding.conditions == {"AtEdge": True}
    assert finding.related[0].line == 19


def test_iam006_public_trust_with_conditions():
    text = """
    Resources:
      Role:
        Type: AWS::IAM::Role
        Properties:
          AssumeRolePolicyDocument:
            Statement:
              - Effect: Allow
                Principal: {AWS: ["arn:aws:iam::123456789012:root", "*"]}
                Action: sts:AssumeRole
                Condition:
                  StringEquals: {sts:ExternalId: "!"}
              - Effect: Allow
                Principal: {AWS: "*"}
                Action: sts:AssumeRole
                Condition:
                  Bool: {aws:MultiFactorAuthPresent: "true"}
    """
    assert only("IAM006", text) == [("IAM006", "Role", 13)]


def test_iam003_passes_a_wildcard_narrowed_by_a_resource_condition():
    text = """
    Resources:
      Role:
        Type: AWS::IAM::Role
        Properties:
          AssumeRolePolicyDocument:
            Statement:
              - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}
          Policies:
            - PolicyName: keys
              PolicyDocument:
                Statement:
                  - Effect: Allow
                    Action: kms:Encrypt
                    Resource: "*"
                    Condition: {StringEquals: {kms:RequestAlias: alias/app}}
                  - Effect: Allow
                    Action: sqs:SendMessage
                    Resource: "*"
                    Condition: {StringEquals: {aws:ResourceTag/team: payments}}
                  - Effect: Allow
                    Action: sqs:SendMessage
                    Resource: "*"
                    Condition: {StringNotEquals: {aws:ResourceTag/team: payments}}
    """
    assert only("IAM003", text) == [("IAM003", "Role", 22)]


def test_iam014_policy_variables_need_version_2012_10_17():
    text = """
    Resources:
      Unversioned:
        Type: AWS::IAM::ManagedPolicy
        Properties:
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: s3:GetObject
                Resource: !Sub "arn:${AWS::Partition}:s3:::home/${!aws:username}/*"
      Old:
        Type: AWS::SQS::QueuePolicy
        Properties:
          Queues: [https://sqs.us-east-1.amazonaws.com/123456789012/q]
          PolicyDocument: '{"Version": "2008-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
            "Action": "sqs:SendMessage", "Resource": "*", "Condition": {"StringEquals": {"aws:SourceAccount":
            "${aws:PrincipalAccount}"}}}]}'
      Current:
        Type: AWS::IAM::ManagedPolicy
        Properties:
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - {Effect: Allow, Action: s3:GetObject, Resource: "arn:aws:s3:::home/${aws:username}/*"}
      NoVariables:
        Type: AWS::IAM::ManagedPolicy
        Properties:
          PolicyDocument:
            Statement:
              - {Effect: Allow, Action: s3:GetObject, Resource: !Sub "arn:aws:s3:::${AWS::StackName}/*"}
    """
    assert only("IAM014", text) == [("IAM014", "Unversioned", 5), ("IAM014", "Old", 14)]
