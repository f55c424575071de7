"""AWS::LanguageExtensions: Fn::ForEach expanded in Resources, Conditions, Outputs and properties,
findings on the loop body naming the iteration; the transform's other functions."""

from __future__ import annotations

from pathlib import Path

from cfncheck.findings import INFO
from cfncheck.testing import expected, file_findings, findings, summary

SAMPLES = Path(__file__).parent.parent / "samples" / "language_extensions"
CORPUS = Path(__file__).parent.parent.parent / "shared" / "corpus" / "aws-cloudformation-templates" / "CloudFormation"


def test_findings_in_a_loop_land_on_its_body_and_name_the_iteration():
    found = [f for f in file_findings(SAMPLES / "foreach.yaml") if f.severity > INFO]
    assert sorted(summary(found)) == sorted(expected(SAMPLES / "foreach.yaml", severity=False))
    shown = {(f.resource, f.shown_message.rsplit(" [", 1)[1]) for f in found}
    assert shown == {
        ("BlueBastionGroup", "for Team=Blue]"),
        ("GreenBastionGroup", "for Team=Green]"),
        ("OrdersQueue", "for Name=Orders]"),
        ("InvoicesQueue", "for Name=Invoices]"),
    }
    assert {tuple(f.as_dict()["iteration"].items()) for f in found if f.rule_id == "SG001"} == {
        (("Team", "Blue"),),
        (("Team", "Green"),),
    }


def test_a_run_over_several_regions_keeps_each_iteration():
    # The copies of a loop body share its line and message: only the iteration tells them apart.
    found = [
        f for f in file_findings(SAMPLES / "foreach.yaml", regions=["us-east-1", "eu-west-1"]) if f.severity > INFO
    ]
    assert sorted(summary(found)) == sorted(expected(SAMPLES / "foreach.yaml", severity=False))
    assert not [f.message for f in found if "[in " in f.message]


def test_a_collection_given_on_the_command_line_is_the_one_expanded():
    found = file_findings(SAMPLES / "foreach.yaml", select=["CFN032"], parameters={"Queues": "Refunds"})
    assert summary(found) == [("CFN032", "RefundsQueue", 42)]


GROUPS = """
Transform: AWS::LanguageExtensions
Parameters:
  Names: {Type: CommaDelimitedList}
Resources:
  Fn::ForEach::Groups:
    - Name
    - !Ref Names
    - ${Name}Group:
        Type: AWS::EC2::SecurityGroup
        Properties:
          GroupDescription: ssh
          SecurityGroupIngress: [{IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}]
"""


def test_a_collection_that_is_not_known_gives_one_info_naming_the_loop():
    found = findings(GROUPS)
    assert summary(found, severity=True) == [("CFN900", None, 7, "info")]
    assert found[0].path == ("Resources", "Fn::ForEach::Groups", 1)
    assert "the collection of Fn::ForEach::Groups is not known (parameter Names has no Default" in found[0].message
    assert summary(findings(GROUPS, select=["SG001"], parameters={"Names": "a,b"})) == [
        ("SG001", "aGroup", 12),
        ("SG001", "bGroup", 12),
    ]


def test_nested_loops_conditions_outputs_and_loops_in_properties():
    text = """
    Transform: AWS::LanguageExtensions
    Conditions:
      Fn::ForEach::Envs:
        - Env
        - [dev, prod]
        - Is${Env}: !Equals [!Ref "AWS::Region", !Ref Env]
    Resources:
      Fn::ForEach::Outer:
        - Kind
        - [Fast, Slow]
        - Fn::ForEach::Inner:
            - Env
            - [dev, prod]
            - ${Kind}&{Env}Queue:
                Type: AWS::SQS::Queue
                Condition: Is${Env}
                Properties:
                  DelaySeconds: 1000
                  Tags:
                    - Key: kind
                      Value: !Ref Kind
      Tagged:
        Type: AWS::SNS::Topic
        Properties:
          Fn::ForEach::Attributes:
            - Attribute
            - [DisplayName, TopicName]
            - ${Attribute}: !Sub "${Attribute}-x"
    Outputs:
      Fn::ForEach::Urls:
        - Kind
        - [Fast, Slow]
        - ${Kind}Url:
            Value: !Ref ${Kind}devQueue
    """
    found = findings(text, select=["CFN032", "CFN001", "CFN012", "CFN011", "CFN014", "CFN015"])
    assert sorted((f.resource, f.line, f.conditions, f.iteration) for f in found) == [
        ("FastdevQueue", 18, {"Isdev": True}, (("Kind", "Fast"), ("Env", "dev"))),
        ("FastprodQueue", 18, {"Isprod": True}, (("Kind", "Fast"), ("Env", "prod"))),
        ("SlowdevQueue", 18, {"Isdev": True}, (("Kind", "Slow"), ("Env", "dev"))),
        ("SlowprodQueue", 18, {"Isprod": True}, (("Kind", "Slow"), ("Env", "prod"))),
    ]
    assert {f.rule_id for f in found} == {"CFN032"}


def test_the_identifier_without_its_other_characters():
    text = """
    Transform: AWS::LanguageExtensions
    Resources:
      Fn::ForEach::Queues:
        - Name
        - [order-events, "invoice.events"]
        - "&{Name}Queue":
            Type: AWS::SQS::Queue
            Properties:
              QueueName: ${Name}
              DelaySeconds: 1000
    """
    found = findings(text, select=["CFN032"])
    assert sorted((f.resource, f.path[-1]) for f in found) == [
        ("invoiceeventsQueue", "DelaySeconds"),
        ("invoiceeventsQueue", "QueueName"),  # the name keeps its dot, which SQS refuses
        ("ordereventsQueue", "DelaySeconds"),
    ]


def test_without_the_transform_loops_are_not_expanded():
    assert findings(GROUPS.replace("Transform: AWS::LanguageExtensions", ""), select=["SG001", "CFN900"]) == []


def test_the_transforms_other_functions():
    text = """
    Transform: AWS::LanguageExtensions
    Parameters:
      Env: {Type: String, AllowedValues: [dev, prod], Default: dev}
      Policy: {Type: String, Default: Delete}
    Conditions:
      IsProd: !Equals [!Ref Env, prod]
    Mappings:
      Retention:
        dev: {Seconds: 345600}
    Resources:
      Table:
        Type: AWS::DynamoDB::Table
        DeletionPolicy: !If [IsProd, Retain, Delete]
        UpdateReplacePolicy: !If [IsProd, Retain, Delete]
        Properties:
          BillingMode: PAY_PER_REQUEST
          KeySchema: [{AttributeName: id, KeyType: HASH}]
          AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      Queue:
        Type: AWS::SQS::Queue
        DeletionPolicy: !Ref Policy
        Properties:
          MessageRetentionPeriod: !FindInMap [Retention, !Ref Env, Seconds, {DefaultValue: 30}]
          DelaySeconds: !Length [a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p]
    """
    found = findings(text, select=["CFN009", "CFN036", "CFN032"])
    assert sorted((f.rule_id, f.resource, f.line, f.conditions) for f in found) == [
        ("CFN009", "Table", 13, {"IsProd": False}),
        ("CFN036", "Queue", 21, {}),
    ]
    found = findings(text, select=["CFN032"], parameters={"Env": "prod"})
    assert summary(found) == [("CFN032", "Queue", 23)]  # the DefaultValue: 30 is below 60


def test_the_corpus_loops_are_checked():
    found = file_findings(CORPUS / "fn-foreach-ddb.yaml", select=["DDB001"])
    assert sorted(f.resource for f in found) == [
        "DynamoDBLeaderboard",
        "DynamoDBName",
        "DynamoDBPoints",
        "DynamoDBScore",
    ]
    assert {f.line for f in found} == {16}
