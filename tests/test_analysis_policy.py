"""The policy-document walker and its helpers on their own (cfncheck.analysis.policy, cfncheck.analysis.subnets)."""

from __future__ import annotations

import textwrap

import pytest

from cfncheck.analysis import policy
from cfncheck.analysis.subnets import public_subnets
from cfncheck.catalog import Catalog
from cfncheck.context import Analysis, Context
from cfncheck.intrinsics import Resolver
from cfncheck.loader import load_bytes
from cfncheck.template import build
from cfncheck.values import ABSENT, Scenario, Unknown


def context(text: str, **resolver_options) -> Context:
    template = build(load_bytes(textwrap.dedent(text).lstrip("\n").encode(), "t.yaml"))
    return Context(Analysis(template, Resolver(template, **resolver_options)), Catalog.builtin().find("IAM001"))


def statements(ctx: Context, logical_id: str, kinds=(policy.IDENTITY, policy.TRUST, policy.RESOURCE)):
    return list(policy.policy_statements(ctx, ctx.template.resources[logical_id], kinds))


ROLE = """
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Parameters:
  Env: {Type: String, Default: dev}
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          Effect: Allow
          Principal: {Service: [lambda.amazonaws.com]}
          Action: sts:AssumeRole
      Policies:
        - PolicyName: a
          PolicyDocument:
            Statement:
              - !If [IsProd, {Effect: Allow, Action: "*", Resource: "*"}, !Ref AWS::NoValue]
              - Effect: Allow
                Action: [s3:GetObject]
                Resource: !Sub arn:aws:s3:::b-${Env}/*
                Condition:
                  StringEquals: {aws:SourceVpce: vpce-1}
"""


def test_statements_keep_written_indices_kinds_and_scenarios():
    ctx = context(ROLE)
    found = statements(ctx, "Role")
    by_path = {s.path: s for s in found}
    trust = by_path[("Properties", "AssumeRolePolicyDocument", "Statement")]
    assert trust.document.kind == policy.TRUST
    assert trust.principal == {"Service": ("lambda.amazonaws.com",)}
    admin = by_path[("Properties", "Policies", 0, "PolicyDocument", "Statement", 0)]
    assert admin.scenario == Scenario({("IsProd", True)})
    assert admin.actions == ("*",) and admin.resources == ("*",)
    scoped = by_path[("Properties", "Policies", 0, "PolicyDocument", "Statement", 1)]
    assert scoped.resources == ("arn:aws:s3:::b-dev/*",)
    assert scoped.conditions == (policy.Condition("StringEquals", "aws:sourcevpce", ("vpce-1",)),)
    assert scoped.at("Action") == ("Properties", "Policies", 0, "PolicyDocument", "Statement", 1, "Action")
    assert len(found) == 3


@pytest.mark.parametrize(
    "document",
    [
        """'{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}'""",
        """!Sub '{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "${Arn}"}]}'""",
        """!Join ["", ['{"Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "', !Ref Arn, '"}}']]""",
        """!Sub ['{"Statement": [{"Effect": "Allow", "Action": "${A}", "Resource": "*"}]}', {A: "s3:*"}]""",
    ],
)
def test_documents_as_json_strings_and_built_with_sub_or_join(document):
    ctx = context(
        f"""
        Parameters:
          Arn: {{Type: String, Default: "*"}}
        Resources:
          Policy:
            Type: AWS::IAM::ManagedPolicy
            Properties:
              PolicyDocument: {document}
        """
    )
    (statement,) = statements(ctx, "Policy")
    assert statement.actions == ("s3:*",) and statement.resources == ("*",)
    assert statement.path[:3] == ("Properties", "PolicyDocument", "Statement")
    assert ctx.location(ctx.template.resources["Policy"], statement.at("Action")).line == 7


def test_unknown_or_malformed_documents_are_not_read():
    ctx = context(
        """
        Parameters:
          Document: {Type: String}
        Resources:
          FromSub:
            Type: AWS::IAM::ManagedPolicy
            Properties:
              PolicyDocument: !Sub '{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "${AWS::AccountId}"}}'
          FromParameter:
            Type: AWS::IAM::ManagedPolicy
            Properties:
              PolicyDocument: !Ref Document
          NotJson:
            Type: AWS::IAM::ManagedPolicy
            Properties:
              PolicyDocument: "{not json"
        """
    )
    assert statements(ctx, "FromSub") == statements(ctx, "FromParameter") == statements(ctx, "NotJson") == []


def test_sam_policies_mix_documents_names_and_templates():
    ctx = context(
        """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Function:
            Type: AWS::Serverless::Function
            Properties:
              Policies:
                - AWSLambdaBasicExecutionRole
                - S3ReadPolicy: {BucketName: b}
                - Statement: [{Effect: Allow, Action: sqs:SendMessage, Resource: "*"}]
          Single:
            Type: AWS::Serverless::Function
            Properties:
              Policies:
                Statement: {Effect: Allow, Action: sns:Publish, Resource: "*"}
        """
    )
    (listed,) = statements(ctx, "Function")
    assert listed.path == ("Properties", "Policies", 2, "Statement", 0)
    (single,) = statements(ctx, "Single")
    assert single.path == ("Properties", "Policies", "Statement")
    function = ctx.template.resources["Function"]
    assert [(p, v) for p, v, _ in policy.managed_policies(ctx, function)] == [
        (("Properties", "Policies", 0), "AWSLambdaBasicExecutionRole")
    ]


def test_principal_and_field_forms():
    ctx = context(
        """
        Parameters:
          Account: {Type: String}
        Resources:
          Queue:
            Type: AWS::SQS::QueuePolicy
            Properties:
              Queues: [q]
              PolicyDocument:
                Statement:
                  - {Effect: Allow, Principal: "*", NotAction: sqs:DeleteQueue, NotResource: [a, b]}
                  - {Effect: Allow, NotPrincipal: {AWS: [!Ref Account]}, Action: sqs:*}
                  - {Effect: Allow, Principal: {AWS: "*"}, Action: sqs:SendMessage, Condition: !Ref Account}
        """
    )
    first, second, third = statements(ctx, "Queue")
    assert policy.is_public(first.principal) and first.not_actions == ("sqs:DeleteQueue",)
    assert first.not_resources == ("a", "b") and first.actions is None
    assert policy.grants(first, "sqs:SendMessage") and not policy.grants(first, "sqs:deletequeue")
    assert isinstance(second.not_principal["AWS"][0], Unknown) and not policy.is_public(second.principal)
    assert policy.is_public(third.principal) and not third.conditions_known and policy.restricted(third)


@pytest.mark.parametrize(
    "condition, restricting",
    [
        ({"StringEquals": {"aws:SourceAccount": "123456789012"}}, True),
        ({"ArnLike": {"AWS:SourceArn": "arn:aws:sns:*:*:topic"}}, True),
        ({"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": "o-a/r-b/*"}}, True),
        ({"IpAddress": {"aws:SourceIp": ["203.0.113.0/24"]}}, True),
        ({"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}, False),
        ({"StringLike": {"aws:SourceArn": "*"}}, False),
        ({"StringEqualsIfExists": {"aws:SourceAccount": "123456789012"}}, False),
        ({"StringNotEquals": {"aws:SourceVpce": "vpce-1"}}, False),
        ({"ForAllValues:StringEquals": {"aws:PrincipalOrgID": "o-1"}}, False),
        ({"StringEquals": {"s3:DataAccessPointAccount": "123456789012"}}, True),
        ({"Bool": {"aws:SecureTransport": "true"}}, False),
        ({"StringEquals": {"s3:prefix": "home/"}}, False),
    ],
)
def test_restricting_conditions(condition, restricting):
    conditions, known = policy._conditions(condition)
    statement = policy.Statement(None, (), Scenario(), "Allow", ("*",), None, None, None, None, None, conditions, known)
    assert policy.restricted(statement) is restricting


@pytest.mark.parametrize(
    "pattern, action, expected",
    [
        ("*", "iam:PassRole", True),
        ("iam:*", "IAM:PassRole", True),
        ("iam:Pass*", "iam:passrole", True),
        ("iam:Pass?ole", "iam:PassRole", True),
        ("s3:Get*", "s3:PutObject", False),
        ("s3:GetObject", "s3:GetObjectAcl", False),
    ],
)
def test_action_matching(pattern, action, expected):
    assert policy.action_matches(pattern, action) is expected


@pytest.mark.parametrize(
    "value, sam, expected",
    [
        ("arn:aws:iam::aws:policy/AdministratorAccess", False, "AdministratorAccess"),
        ("arn:aws-us-gov:iam::aws:policy/job-function/ViewOnlyAccess", False, "ViewOnlyAccess"),
        (
            Unknown("partition", text="arn:${AWS::Partition}:iam::aws:policy/AdministratorAccess"),
            False,
            "AdministratorAccess",
        ),
        (Unknown("account", text="arn:aws:iam::${AWS::AccountId}:policy/AdministratorAccess"), False, None),
        ("AdministratorAccess", True, "AdministratorAccess"),
        ("AdministratorAccess", False, None),
        (Unknown("parameter"), False, None),
    ],
)
def test_aws_managed_policy_names(value, sam, expected):
    assert policy.aws_managed_policy(value, sam) == expected


def test_foreign_accounts_need_the_deploy_account():
    principal = {"AWS": ("arn:aws:iam::111111111111:root", "222222222222", "arn:aws:iam::333333333333:role/x")}
    text = "Resources: {}"
    assert policy.foreign_accounts(context(text), principal) == []
    ctx = context(text, account_id="222222222222")
    assert policy.foreign_accounts(ctx, principal) == ["111111111111", "333333333333"]


TRUSTS = """
Conditions:
  Edge: !Equals [!Ref Kind, edge]
Parameters:
  Kind: {Type: String, Default: plain}
  Principal: {Type: String}
Resources:
  LambdaRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{Effect: Allow, Principal: {Service: [ec2.amazonaws.com, lambda.amazonaws.com.cn]}, Action: sts:*}]
  Ec2Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: [sts:AssumeRole, sts:TagSession]}]
  UnknownRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{Effect: Allow, Principal: {Service: !Ref Principal}, Action: sts:AssumeRole}]
  Function:
    Type: AWS::Lambda::Function
    Properties:
      Role: !If [Edge, !GetAtt Ec2Role.Arn, !Sub "arn:aws:iam::${AWS::AccountId}:role/${LambdaRole}"]
  Profile:
    Type: AWS::IAM::InstanceProfile
    Properties:
      Roles: [!Ref UnknownRole, !Ref LambdaRole]
"""


def test_role_uses_and_trust_verdicts():
    ctx = context(TRUSTS)
    uses = {(u.consumer.logical_id, u.path, u.role.logical_id, u.service, u.scenario) for u in policy.role_uses(ctx)}
    assert uses == {
        ("Function", ("Properties", "Role"), "Ec2Role", "lambda.amazonaws.com", Scenario({("Edge", True)})),
        ("Function", ("Properties", "Role"), "LambdaRole", "lambda.amazonaws.com", Scenario({("Edge", False)})),
        ("Profile", ("Properties", "Roles", 0), "UnknownRole", "ec2.amazonaws.com", Scenario()),
        ("Profile", ("Properties", "Roles", 1), "LambdaRole", "ec2.amazonaws.com", Scenario()),
    }
    roles = ctx.template.resources
    assert policy.trust_verdict(ctx, roles["LambdaRole"], "lambda.amazonaws.com", Scenario()) is True
    assert policy.trust_verdict(ctx, roles["LambdaRole"], "ec2.amazonaws.com", Scenario()) is True
    assert policy.trust_verdict(ctx, roles["Ec2Role"], "lambda.amazonaws.com", Scenario()) is False
    assert policy.trust_verdict(ctx, roles["UnknownRole"], "ec2.amazonaws.com", Scenario()) is None


def test_public_subnets_follow_routes_to_internet_gateways():
    ctx = context(
        """
        Conditions:
          Open: !Equals [!Ref Mode, open]
        Parameters:
          Mode: {Type: String, Default: closed}
        Resources:
          Gateway: {Type: AWS::EC2::InternetGateway}
          Nat: {Type: AWS::EC2::NatGateway, Properties: {SubnetId: !Ref A}}
          PublicTable: {Type: AWS::EC2::RouteTable, Properties: {VpcId: v}}
          PrivateTable: {Type: AWS::EC2::RouteTable, Properties: {VpcId: v}}
          ToGateway:
            Type: AWS::EC2::Route
            Properties: {RouteTableId: !Ref PublicTable, DestinationIpv6CidrBlock: "::/0", GatewayId: !Ref Gateway}
          ToNat:
            Type: AWS::EC2::Route
            Properties: {RouteTableId: !Ref PrivateTable, DestinationCidrBlock: 0.0.0.0/0, NatGatewayId: !Ref Nat}
          A: {Type: AWS::EC2::Subnet, Properties: {VpcId: v, CidrBlock: 10.0.0.0/24}}
          B: {Type: AWS::EC2::Subnet, Properties: {VpcId: v, CidrBlock: 10.0.1.0/24}}
          AssociateA:
            Type: AWS::EC2::SubnetRouteTableAssociation
            Properties: {SubnetId: !Ref A, RouteTableId: !Ref PublicTable}
          AssociateB:
            Type: AWS::EC2::SubnetRouteTableAssociation
            Properties: {SubnetId: !Ref B, RouteTableId: !If [Open, !Ref PublicTable, !Ref PrivateTable]}
        """
    )
    found = {(subnet.logical_id, scenario) for subnet, scenario in public_subnets(ctx)}
    assert found == {("A", Scenario()), ("B", Scenario({("Open", True)}))}


def test_resolver_reach_keeps_the_nodes_as_written():
    ctx = context(
        """
        Parameters:
          P: {Type: String}
        Conditions:
          C: !Equals [!Ref P, b]
        Resources:
          Policy:
            Type: AWS::IAM::ManagedPolicy
            Properties:
              PolicyDocument: !If [C, {Statement: [{Effect: !If [C, Allow, Deny]}]}, !Sub "{}"]
        """
    )
    node = ctx.template.resources["Policy"].node
    reached = ctx.resolver.reach(node, ("Properties", "PolicyDocument"))
    assert [(type(alt.value).__name__, alt.scenario) for alt in reached] == [
        ("MarkedDict", Scenario({("C", True)})),
        ("str", Scenario({("C", False)})),
    ]
    assert "Fn::If" in reached[0].value["Statement"][0]["Effect"]  # written, not resolved
    assert ctx.resolver.reach(node, ("Properties", "Missing")) == [(ABSENT, Scenario())]
