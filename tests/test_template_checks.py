"""Template-correctness checks CFN001-CFN008 and CFN011-CFN014: a failing and a passing case each."""

from __future__ import annotations

import textwrap
from pathlib import Path

from ci_support import cli, write

from cfncheck.testing import findings, only, run_files, run_text, summary

SAMPLES = Path(__file__).parent.parent / "samples" / "template"


def test_cfn001_undefined_names():
    text = """
    Parameters:
      Environment: {Type: String}
    Resources:
      Queue:
        Type: AWS::SQS::Queue
        DependsOn: Missing
        Properties:
          QueueName: !Ref Enviroment
          Tags:
            - Key: a
              Value: !Sub "${Environment}-${Topic.TopicName}-${AWS::Region}-${!Escaped}"
            - Key: b
              Value: !GetAtt Queue.Arn
    Outputs:
      Out:
        Value: !GetAtt Nothing.Arn
    """
    assert only("CFN001", text) == [
        ("CFN001", "Queue", 6),
        ("CFN001", "Queue", 8),
        ("CFN001", "Queue", 11),
        ("CFN001", None, 16),
    ]
    message = findings(text, select=["CFN001"])[1].message
    assert "Did you mean Environment" in message


def test_cfn001_iam_policy_variables_in_sub_must_be_escaped():
    text = """
    Resources:
      Policy:
        Type: AWS::IAM::ManagedPolicy
        Properties:
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: s3:GetObject
                Resource: !Sub "arn:${AWS::Partition}:s3:::home/${aws:username}/*"
              - Effect: Allow
                Action: s3:ListBucket
                Resource: !Sub "arn:${AWS::Partition}:s3:::home/${!aws:username}"
                Condition: {StringLike: {"s3:prefix": "${aws:username}/*"}}
    """
    # the escaped variable and the one outside Fn::Sub are IAM's to substitute
    found = findings(text, select=["CFN001"])
    assert summary(found) == [("CFN001", "Policy", 10)]
    assert "write ${!aws:username}" in found[0].message


def test_cfn001_accepts_defined_names_sam_implicit_names_and_sub_variables():
    text = """
    Transform: AWS::Serverless-2016-10-31
    Parameters:
      Env: {Type: String}
    Resources:
      Function:
        Type: AWS::Serverless::Function
        Properties:
          Environment:
            Variables:
              A: !Sub ["${x}-${Env}", {x: !Ref AWS::StackName}]
              B: !GetAtt FunctionRole.Arn
              C: !Ref ServerlessRestApi
    """
    assert only("CFN001", text) == []


def test_cfn002_duplicate_keys_and_parameter_resource_clash():
    text = """
    Parameters:
      Queue: {Type: String}
    Resources:
      Queue:
        Type: AWS::SQS::Queue
        Properties:
          DelaySeconds: 1
          DelaySeconds: 2
    """
    found = findings(text, select=["CFN002"])
    assert summary(found) == [("CFN002", None, 4), ("CFN002", None, 8)]
    assert "line 7" in found[1].message
    assert only("CFN002", "Resources:\n  Q: {Type: AWS::SQS::Queue}\n") == []


def test_cfn003_resource_type_names():
    text = """
    Resources:
      A:
        Type: AWS:EC2:Instance
      B:
        Type: AWS::Serverless::API
      C:
        Type: AWS::Serverless::Function
      D:
        Type: Custom::Thing
      E:
        Type: MyOrg::Service::Thing
    """
    found = findings(text, select=["CFN003", "CFN019"])
    assert summary(found) == [("CFN003", "A", 3), ("CFN003", "B", 5), ("CFN019", "C", 7)]
    assert "AWS::EC2::Instance" in found[0].message
    assert "AWS::Serverless::Api" in found[1].message
    assert "Transform" in found[2].message


def test_cfn004_circular_dependency_names_the_cycle():
    text = """
    Resources:
      A:
        Type: AWS::SNS::Topic
        Properties:
          TopicName: !GetAtt B.TopicName
      B:
        Type: AWS::SNS::Topic
        DependsOn: A
      C:
        Type: AWS::SNS::Topic
        DependsOn: A
    """
    found = findings(text, select=["CFN004"])
    assert summary(found) == [("CFN004", "A", 5)]
    assert (
        "A (Properties.TopicName: GetAtt) → B" in found[0].message
        and "B (DependsOn: DependsOn) → A" in found[0].message
    )


def test_cfn004_sam_events_do_not_close_a_cycle():
    text = """
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Api:
        Type: AWS::Serverless::Api
        Properties:
          DefinitionBody:
            uri: !Sub "arn:aws:apigateway:${AWS::Region}:lambda:path/functions/${Function.Arn}/invocations"
      Function:
        Type: AWS::Serverless::Function
        Properties:
          Events:
            Get: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /, Method: get}}
    """
    assert only("CFN004", text) == []


def test_cfn005_findinmap_keys():
    text = """
    Parameters:
      Env: {Type: String, AllowedValues: [dev, prod, test]}
    Mappings:
      Regions:
        us-east-1: {Ami: ami-1, Size: small}
        eu-west-1: {Size: large}
      Envs:
        dev: {Size: 1}
        prod: {Size: 2}
    Resources:
      Instance:
        Type: AWS::EC2::Instance
        Properties:
          ImageId: !FindInMap [Regions, !Ref AWS::Region, Ami]
          InstanceType: !FindInMap [Envs, !Ref Env, Size]
          KeyName: !FindInMap [Nope, a, b]
          SubnetId: !FindInMap [Regions, !Ref AWS::Region, Ami, {DefaultValue: ami-0}]
    """
    found = findings(text, select=["CFN005", "CFN013"])
    assert summary(found) == [("CFN005", "Instance", 14), ("CFN005", "Instance", 15), ("CFN005", "Instance", 16)]
    assert "'eu-west-1'" in found[0].message and "'test'" in found[1].message


def test_cfn005_mapping_shape_and_passing_lookup():
    text = """
    Mappings:
      Deep:
        us-east-1:
          nested: {too: deep}
    Resources:
      Topic:
        Type: AWS::SNS::Topic
        Properties:
          TopicName: !FindInMap [Deep, us-east-1, other]
    """
    assert only("CFN005", text) == [("CFN005", None, 4), ("CFN005", "Topic", 9)]
    ok = """
    Mappings:
      Sizes: {dev: {Size: 1}}
    Resources:
      Topic:
        Type: AWS::SNS::Topic
        Properties:
          TopicName: !FindInMap [Sizes, dev, Size]
    """
    assert only("CFN005", ok) == []


def test_cfn006_conditions():
    text = """
    Parameters:
      Env: {Type: String}
    Conditions:
      IsProd: !Equals [!Ref Env, prod]
      OnResource: !Equals [!Ref Topic, x]
      Loop: !Not [!Condition Loop]
      TooFew: !And [!Condition IsProd]
    Resources:
      Topic:
        Type: AWS::SNS::Topic
        Condition: IsProdd
        Properties:
          TopicName: !If [Missing, a, b]
    """
    assert only("CFN006", text) == [
        ("CFN006", None, 5),
        ("CFN006", None, 6),
        ("CFN006", None, 7),
        ("CFN006", "Topic", 11),
        ("CFN006", "Topic", 13),
    ]


def test_cfn007_reference_to_conditional_resource():
    text = """
    Parameters:
      Env: {Type: String, AllowedValues: [dev, prod]}
    Conditions:
      IsProd: !Equals [!Ref Env, prod]
    Resources:
      Topic:
        Type: AWS::SNS::Topic
        Condition: IsProd
      Unguarded:
        Type: AWS::SQS::Queue
        Properties:
          QueueName: !GetAtt Topic.TopicName
      Guarded:
        Type: AWS::SQS::Queue
        Properties:
          QueueName: !If [IsProd, !GetAtt Topic.TopicName, none]
      SameCondition:
        Type: AWS::SQS::Queue
        Condition: IsProd
        DependsOn: Topic
    Outputs:
      TopicArn:
        Value: !Ref Topic
    """
    found = findings(text, select=["CFN007"])
    assert summary(found) == [("CFN007", "Unguarded", 12), ("CFN007", None, 23)]
    assert found[0].conditions == {"IsProd": False}


def test_cfn008_ref_where_arn_required_and_url_where_queue_policy_needs_it():
    text = """
    Resources:
      Dlq:
        Type: AWS::SQS::Queue
      Queue:
        Type: AWS::SQS::Queue
        Properties:
          RedrivePolicy: {deadLetterTargetArn: !Ref Dlq, maxReceiveCount: 3}
      Good:
        Type: AWS::SQS::Queue
        Properties:
          RedrivePolicy: {deadLetterTargetArn: !GetAtt Dlq.Arn, maxReceiveCount: 3}
      Policy:
        Type: AWS::SQS::QueuePolicy
        Properties:
          Queues: [!GetAtt Queue.Arn, !Ref Good]
          PolicyDocument: {}
      Topic:
        Type: AWS::SNS::Topic
      Subscription:
        Type: AWS::SNS::Subscription
        Properties:
          Protocol: sqs
          TopicArn: !Ref Topic
          Endpoint: !Ref Queue
    """
    found = findings(text, select=["CFN008"])
    assert summary(found) == [("CFN008", "Policy", 15), ("CFN008", "Subscription", 24)]
    assert "!Ref Queue" in found[0].message and "!GetAtt Queue.Arn" in found[1].message


def test_cfn011_to_cfn013_unused_definitions():
    text = """
    Metadata:
      AWS::CloudFormation::Interface:
        ParameterLabels: {Unused: {default: label only}}
    Parameters:
      Used: {Type: String}
      InSub: {Type: String}
      Unused: {Type: String}
    Mappings:
      Used: {a: {b: c}}
      Unused: {a: {b: c}}
    Conditions:
      UsedC: !Equals [!Ref Used, x]
      UnusedC: !Equals [!Ref Used, y]
    Resources:
      Topic:
        Type: AWS::SNS::Topic
        Condition: UsedC
        Properties:
          TopicName: !Sub "${InSub}-${AWS::Region}"
          DisplayName: !FindInMap [Used, a, b]
    """
    assert only("CFN011", text) == [("CFN011", None, 7)]
    assert only("CFN012", text) == [("CFN012", None, 13)]
    assert only("CFN013", text) == [("CFN013", None, 10)]


def test_cfn034_parameter_values_the_template_does_not_declare():
    text = """
    Description: a queue
    Parameters:
      Env: {Type: String}
    Resources:
      Queue:
        Type: AWS::SQS::Queue
        Properties:
          QueueName: !Ref Env
    """
    assert only("CFN034", text, parameters={"Evn": "prod", "Env": "dev"}) == [("CFN034", None, 2)]
    assert "Did you mean Env?" in findings(text, select=["CFN034"], parameters={"Evn": "prod"})[0].message
    assert only("CFN034", text, parameters={"Env": "dev"}) == []
    assert only("CFN034", text) == []


def test_cfn034_reports_a_configured_glob_that_gives_a_template_an_undeclared_parameter(tmp_path):
    write(
        tmp_path, "stacks/app.yaml", "Parameters:\n  Env: {Type: String}\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n"
    )
    write(tmp_path, "stacks/net.yaml", "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n")
    write(tmp_path, ".cfncheck.yaml", "select: [CFN034]\nparameters:\n  'stacks/*.yaml': {Env: dev}\n")
    result = cli(["."], tmp_path)
    assert result.exit_code == 1
    first = result.stdout.splitlines()[0]
    assert first.startswith("stacks/net.yaml:1:1: warning: ") and first.endswith(
        "[CFN034 cfn-parameter-value-undeclared]"
    )
    assert len(result.stdout.splitlines()) == 1


def test_cfn014_structure():
    text = """
    AWSTemplateFormatVersion: "2010-09-10"
    Descriptin: typo
    Description: [not, text]
    Parameters:
      Resources: {Topic: {Type: AWS::SNS::Topic}}
    Resources:
      Function:
        Type: AWS::Lambda::Function
        Policies: []
        Properties: {}
      NoType:
        Properties: {}
    """
    assert only("CFN014", text) == [
        ("CFN014", None, 1),
        ("CFN014", None, 2),
        ("CFN014", None, 3),
        ("CFN014", None, 5),
        ("CFN014", "Function", 9),
        ("CFN014", None, 11),
    ]
    assert only("CFN014", "AWSTemplateFormatVersion: 2010-09-09\nResources: {}\n") == [("CFN014", None, 2)]


def test_cfn014_sam_resources_with_stray_keys_are_warnings():
    text = """
    Transform: AWS::Serverless-2016-10-31
    Globals:
      Function: {Timeout: 3}
    Resources:
      Function:
        Type: AWS::Serverless::Function
        Runtime: python3.12
        Properties: {}
      Queue:
        Type: AWS::SQS::Queue
        Description: CloudFormation accepts a Description beside Type
    """
    found = findings(text, select=["CFN014", "CFN035"])
    assert summary(found) == [("CFN035", "Function", 7)]
    assert str(found[0].severity) == "warning"


TEMPLATE_CHECKS = [f"CFN{n:03d}" for n in (1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 13, 14)]


def test_samples_good_and_bad():
    assert run_files([SAMPLES / "good.yaml"], select=TEMPLATE_CHECKS).findings == []
    rules = {f.rule_id for f in run_files([SAMPLES / "bad.yaml"], select=TEMPLATE_CHECKS).findings}
    assert rules == set(TEMPLATE_CHECKS) - {"CFN002"}


RAIN_TEMPLATE = """{
  "Parameters": {"SecretName": {"Type": "String"}},
  "Resources": {
    "Network": {"Type": {"Rain::Module": "vpc.yml"}, "Properties": {"Name": "n"}, "Overrides": {}},
    "Group": {
      "Type": "AWS::EC2::SecurityGroup",
      "Properties": {"GroupDescription": "g", "VpcId": {"Ref": "NetworkVPC"}}
    },
    "Server": {
      "Type": "AWS::EC2::Instance",
      "Properties": {"UserData": {"Fn::Base64": {"Fn::Sub": {"Rain::Embed": "server.sh"}}}}
    }
  }
}
"""


def test_templates_of_other_tools_are_not_judged():
    """Rain sources (Rain::Module creates NetworkVPC, Rain::Embed inserts a script using
    SecretName) and Serverless Framework resource fragments are expanded before CloudFormation
    reads them: their names and uses cannot be judged from the file alone."""
    selected = ["CFN001", "CFN011", "CFN014"]
    assert run_text(RAIN_TEMPLATE, "template.json", select=selected).findings == []
    fragment = """
    Resources:
      Role:
        Type: AWS::IAM::Role
        Properties:
          RoleName: role-${opt:stage, self:provider.stage}
          Policies:
            - PolicyName: p
              PolicyDocument: {Statement: [{Effect: Allow, Action: "s3:*", Resource: !Ref Secret}]}
    """
    assert only("CFN001", fragment) == []
    plain = fragment.replace("${opt:stage, self:provider.stage}", "${AWS::Region}")
    assert only("CFN001", plain) == [("CFN001", "Role", 8)]
    without_rain = RAIN_TEMPLATE.replace('{"Rain::Module": "vpc.yml"}', '"AWS::EC2::VPC"').replace(
        '{"Rain::Embed": "server.sh"}', '"echo"'
    )
    assert sorted(summary(run_text(without_rain, "template.json", select=selected).findings)) == [
        ("CFN001", "Group", 7),
        ("CFN011", None, 2),
        ("CFN014", "Network", 4),
    ]


def test_cfn014_custom_resources_may_keep_version():
    text = """
    Resources:
      Custom:
        Type: Custom::Thing
        Version: "1.0"
        Properties: {ServiceToken: arn:aws:lambda:us-east-1:123456789012:function:f}
      Generic:
        Type: AWS::CloudFormation::CustomResource
        Version: "1.0"
        Properties: {ServiceToken: arn:aws:lambda:us-east-1:123456789012:function:f}
      Queue:
        Type: AWS::SQS::Queue
        Version: "1.0"
    """
    assert only("CFN014", text) == [("CFN014", "Queue", 12)]


def test_cfn019_globals_without_the_sam_transform_says_to_add_it():
    text = """
    Globals:
      Function: {Timeout: 3}
    Resources:
      Queue: {Type: AWS::SQS::Queue}
    """
    found = findings(text, select=["CFN014", "CFN019"])
    assert summary(found) == [("CFN019", None, 1)]
    assert "Transform: AWS::Serverless-2016-10-31" in found[0].message
    sam = "Transform: AWS::Serverless-2016-10-31\n" + textwrap.dedent(text)
    assert findings(sam, select=["CFN019"]) == []
    empty = findings("Parameters:\nResources:\n  Queue: {Type: AWS::SQS::Queue}\n", select=["CFN014"])
    assert summary(empty) == [("CFN014", None, 1)]
    assert "Parameters is empty: remove the key" in empty[0].message


def test_cfn005_finding_lands_on_the_missing_key():
    text = """
    Parameters:
      Mode: {Type: String, AllowedValues: [a, b], Default: a}
    Mappings:
      Modes:
        a: {Value: x}
      Regions:
        us-east-1: {Ami: ami-1}
        eu-west-1: {Other: ami-2}
    Resources:
      Instance:
        Type: AWS::EC2::Instance
        Properties:
          InstanceType:
            Fn::FindInMap:
              - Modes
              - !Ref Mode
              - Value
          ImageId:
            Fn::FindInMap:
              - Regions
              - !Ref AWS::Region
              - Ami
    """
    found = findings(text, select=["CFN005"])
    assert summary(found) == [("CFN005", "Instance", 16), ("CFN005", "Instance", 22)]
    assert "Add the key, or a DefaultValue" in found[0].message


def test_names_equal_to_section_names_are_entries_not_misindented_sections():
    text = """
    Parameters:
      Description: {Type: String, Default: x}
      Outputs: {Type: String, Default: y}
    Conditions:
      Resources: !Equals [!Ref Description, x]
    Resources:
      Queue:
        Type: AWS::SQS::Queue
        Condition: Resources
        Properties:
          QueueName: !Sub "${Description}-${Outputs}"
    Outputs:
      Description: {Value: !Ref Queue, Condition: Resources}
      Parameters:
        Env: {Type: String}
    """
    assert only("CFN014", text) == [("CFN014", None, 14)]


def test_a_mapping_named_by_another_findinmap_is_used():
    text = """
    Mappings:
      Tables:
        prod: {name: ProdSizes}
      ProdSizes:
        queue: {retention: "1209600"}
      Unused:
        a: {b: c}
    Resources:
      Queue:
        Type: AWS::SQS::Queue
        Properties:
          MessageRetentionPeriod: !FindInMap [!FindInMap [Tables, prod, name], queue, retention]
    """
    assert only("CFN013", text) == [("CFN013", None, 6)]
