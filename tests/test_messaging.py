"""Messaging checks (catalog 3.10): SQS001 (and SQS014, its six-times guidance) through every path,
and a failing and a passing template for each other check and the problems it reports apart."""

from pathlib import Path

import pytest

from cfncheck.findings import ERROR, INFO, WARNING
from cfncheck.testing import family, findings, run_files, summary

SAMPLES = Path(__file__).parent.parent / "samples" / "messaging"
SQS001 = SAMPLES / "sqs001"


def sqs001(*paths, **options):
    result = run_files([SQS001 / p for p in paths], select=family("SQS001"), **options)
    assert not result.errors and not result.internal_errors
    return result.findings


def test_sqs001_each_path_of_one_template():
    found = sqs001("paths.yaml")
    assert summary(found) == [
        ("SQS001", "LiteralMapping", 27),
        ("SQS014", "DefaultMapping", 40),
        ("SQS001", "ParameterMapping", 55),
        ("SQS001", "MappedMapping", 70),
        ("SQS014", "AliasMapping", 95),
        ("SQS001", "SubMapping", 110),
    ]
    assert [f.severity for f in found] == [ERROR, WARNING, ERROR, ERROR, WARNING, ERROR]
    assert "VisibilityTimeout 30 s" in found[1].message  # the queue's default
    literal = found[0]
    assert [r.line for r in literal.related] == [19, 23]  # the queue's VisibilityTimeout, the function's Timeout


def test_sqs001_fn_if_on_either_side_paired_per_scenario():
    found = sqs001("conditions.yaml")
    assert summary(found) == [("SQS001", "BranchMapping", 23), ("SQS001", "SlowMapping", 38)]
    assert [f.conditions for f in found] == [{"IsProd": False}, {"IsProd": True}]


def test_sqs001_parameters_change_the_verdict():
    assert sqs001("parameters.yaml") == []
    assert summary(sqs001("parameters.yaml", parameters={"WorkerTimeout": "100"})) == [("SQS001", "Mapping", 19)]


def test_sqs001_sam_events_with_globals_and_own_timeout():
    found = sqs001("sam.yaml")
    assert summary(found) == [("SQS001", "GlobalTimeoutFunction", 23)]
    assert found[0].related[1].line == 6  # the Timeout in Globals


def test_sqs001_queue_imported_from_another_template_of_the_run():
    found = sqs001("imported/consumer.yaml", "imported/producer.yaml")
    assert summary(found) == [("SQS001", "Mapping", 11)]
    assert found[0].file.endswith("consumer.yaml")
    assert found[0].related[0].file.endswith("producer.yaml") and found[0].related[0].line == 7


def test_sqs001_imported_queue_outside_the_run_and_unknown_values_are_not_reported():
    assert sqs001("unknown.yaml") == []
    assert sqs001("imported/consumer.yaml") == []


def test_sqs001_multiple_is_an_option():
    found = sqs001("paths.yaml", check_options={"SQS001": {"multiple": 2}})
    assert ("SQS001", "DefaultMapping", 40) not in summary(found)  # 30 >= 2 x 10


DLQ = """
Resources:
  Dlq:
    Type: AWS::SQS::Queue
    Properties:
      MessageRetentionPeriod: 1209600
  DlqAlarm:
    Type: AWS::CloudWatch::Alarm
    Properties:
      MetricName: ApproximateNumberOfMessagesVisible
      Dimensions: [{Name: QueueName, Value: !GetAtt Dlq.QueueName}]
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      RedrivePolicy: {deadLetterTargetArn: !GetAtt Dlq.Arn, maxReceiveCount: 5}
"""


def test_sqs004_redrive_policy_invalid():
    text = """
    Resources:
      Dlq:
        Type: AWS::SQS::Queue
      ByUrl:
        Type: AWS::SQS::Queue
        Properties:
          RedrivePolicy: {deadLetterTargetArn: !Ref Dlq, maxReceiveCount: 5}
      TooMany:
        Type: AWS::SQS::Queue
        Properties:
          RedrivePolicy: {deadLetterTargetArn: !GetAtt Dlq.Arn, maxReceiveCount: 5000}
      Missing:
        Type: AWS::SQS::Queue
        Properties:
          RedrivePolicy: '{"deadLetterTargetArn": "arn:aws:sqs:us-east-1:123456789012:dlq"}'
    """
    found = findings(text, select=["SQS004"])
    assert summary(found) == [("SQS004", "ByUrl", 7), ("SQS004", "TooMany", 11), ("SQS004", "Missing", 15)]
    assert "GetAtt Dlq.Arn" in found[0].message


def test_sqs004_dlq_refusing_the_queue_and_low_receive_count_on_a_consumed_queue():
    text = """
    Resources:
      Dlq:
        Type: AWS::SQS::Queue
        Properties:
          RedriveAllowPolicy: {redrivePermission: denyAll}
      Queue:
        Type: AWS::SQS::Queue
        Properties:
          RedrivePolicy: {deadLetterTargetArn: !GetAtt Dlq.Arn, maxReceiveCount: 2}
      Fn:
        Type: AWS::Lambda::Function
      Mapping:
        Type: AWS::Lambda::EventSourceMapping
        Properties: {EventSourceArn: !GetAtt Queue.Arn, FunctionName: !Ref Fn}
    """
    found = findings(text, select=family("SQS004"))
    assert sorted(summary(found, severity=True)) == [("SQS004", "Queue", 9, "error"), ("SQS016", "Queue", 9, "warning")]


def test_sqs004_passes():
    assert findings(DLQ, select=family("SQS004")) == []


def test_sqs005_dlq_type_mismatch():
    text = """
    Resources:
      Dlq:
        Type: AWS::SQS::Queue
      Queue:
        Type: AWS::SQS::Queue
        Properties:
          FifoQueue: true
          RedrivePolicy: {deadLetterTargetArn: !GetAtt Dlq.Arn, maxReceiveCount: 5}
    """
    assert summary(findings(text, select=["SQS005"])) == [("SQS005", "Queue", 8)]
    assert findings(DLQ, select=["SQS005"]) == []


def test_sqs006_dlq_retention_and_alarm():
    text = """
    Resources:
      Dlq:
        Type: AWS::SQS::Queue
        Properties:
          MessageRetentionPeriod: 345600
      Queue:
        Type: AWS::SQS::Queue
        Properties:
          MessageRetentionPeriod: 345600
          RedrivePolicy: {deadLetterTargetArn: !GetAtt Dlq.Arn, maxReceiveCount: 5}
    """
    found = findings(text, select=family("SQS006"))
    assert summary(found, severity=True) == [("SQS017", "Dlq", 3, "info"), ("SQS006", "Dlq", 5, "warning")]
    assert findings(DLQ, select=family("SQS006")) == []


CONSUMED = """
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Dlq:
    Type: AWS::SQS::Queue
  Worker:
    Type: AWS::Lambda::Function
  Mapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties: {EventSourceArn: !GetAtt Queue.Arn, FunctionName: !Ref Worker}
"""


def test_sqs007_consumed_queue_without_dlq():
    found = findings(CONSUMED, select=["SQS007"])
    assert summary(found) == [("SQS007", "Queue", 3)]
    assert found[0].related[0].line == 10
    with_dlq = CONSUMED.replace(
        "    Type: AWS::SQS::Queue\n  Dlq:",
        "    Type: AWS::SQS::Queue\n    Properties:\n"
        "      RedrivePolicy: {deadLetterTargetArn: !GetAtt Dlq.Arn, maxReceiveCount: 5}\n  Dlq:",
        1,
    )
    assert findings(with_dlq, select=["SQS007"]) == []


BUCKET_TO_QUEUE = """
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Bucket:
    Type: AWS::S3::Bucket
    DependsOn: QueuePolicy
    Properties:
      NotificationConfiguration:
        QueueConfigurations:
          - Event: s3:ObjectCreated:*
            Queue: !GetAtt Queue.Arn
  QueuePolicy:
    Type: AWS::SQS::QueuePolicy
    Properties:
      Queues: [!Ref Queue]
      PolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: s3.amazonaws.com}
            Action: sqs:SendMessage
            Resource: !GetAtt Queue.Arn
"""


def test_sqs009_producer_without_queue_policy():
    without = BUCKET_TO_QUEUE.replace("s3.amazonaws.com", "sns.amazonaws.com")
    found = findings(without, select=["SQS009"])
    assert summary(found) == [("SQS009", "Bucket", 11)]
    assert found[0].severity == ERROR
    no_depends = BUCKET_TO_QUEUE.replace("    DependsOn: QueuePolicy\n", "")
    assert summary(findings(no_depends, select=["SQS009"])) == [("SQS009", "Bucket", 5)]


def test_sqs009_passes():
    assert findings(BUCKET_TO_QUEUE, select=["SQS009"]) == []


SUBSCRIPTION = """
Resources:
  Topic:
    Type: AWS::SNS::Topic
  Queue:
    Type: AWS::SQS::Queue
  Subscription:
    Type: AWS::SNS::Subscription
    Properties:
      TopicArn: !Ref Topic
      Protocol: sqs
      Endpoint: !GetAtt Queue.Arn
  QueuePolicy:
    Type: AWS::SQS::QueuePolicy
    Properties:
      Queues: [!Ref Queue]
      PolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: sns.amazonaws.com}
            Action: sqs:SendMessage
            Resource: !GetAtt Queue.Arn
            Condition: {ArnEquals: {aws:SourceArn: !Ref Topic}}
"""


def test_sns002_subscription_without_queue_policy():
    without = SUBSCRIPTION[: SUBSCRIPTION.index("  QueuePolicy:")]
    found = findings(without, select=family("SNS002"))
    assert summary(found) == [("SNS002", "Subscription", 11)]
    unscoped = SUBSCRIPTION.replace("            Condition: {ArnEquals: {aws:SourceArn: !Ref Topic}}\n", "")
    found = findings(unscoped, select=family("SNS002"))
    assert summary(found) == [("SNS008", "QueuePolicy", 16)] and found[0].severity == INFO


def test_sns002_passes():
    assert findings(SUBSCRIPTION, select=family("SNS002")) == []


TRAIL = """
Resources:
  Topic:
    Type: AWS::SNS::Topic
  TopicPolicy:
    Type: AWS::SNS::TopicPolicy
    Properties:
      Topics: [!Ref Topic]
      PolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: cloudtrail.amazonaws.com}
            Action: SNS:Publish
            Resource: "*"
  Trail:
    Type: AWS::CloudTrail::Trail
    Properties:
      IsLogging: true
      S3BucketName: logs
      SnsTopicName: !GetAtt Topic.TopicName
"""


def test_sns004_producer_without_topic_policy():
    found = findings(TRAIL.replace("cloudtrail.amazonaws.com", "events.amazonaws.com"), select=["SNS004"])
    assert summary(found) == [("SNS004", "Trail", 19)]
    assert found[0].severity == ERROR


def test_sns004_passes():
    assert findings(TRAIL, select=["SNS004"]) == []


INVOKED = """
Resources:
  Fn:
    Type: AWS::Lambda::Function
  Rule:
    Type: AWS::Events::Rule
    Properties:
      ScheduleExpression: rate(1 hour)
      Targets: [{Id: fn, Arn: !GetAtt Fn.Arn}]
  Permission:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: !Ref Fn
      Principal: events.amazonaws.com
      SourceArn: !GetAtt Rule.Arn
"""


def test_lambda001_invoker_without_permission():
    found = findings(INVOKED.replace("events.amazonaws.com", "s3.amazonaws.com"), select=family("LAMBDA001"))
    assert summary(found) == [("LAMBDA022", "Rule", 8)]
    assert found[0].severity == WARNING
    bucket = """
    Resources:
      Fn:
        Type: AWS::Lambda::Function
      Bucket:
        Type: AWS::S3::Bucket
        Properties:
          NotificationConfiguration:
            LambdaConfigurations: [{Event: "s3:ObjectCreated:*", Function: !GetAtt Fn.Arn}]
    """
    found = findings(bucket, select=family("LAMBDA001"))
    assert summary(found) == [("LAMBDA001", "Bucket", 8)] and found[0].severity == ERROR


def test_lambda001_passes():
    assert findings(INVOKED, select=family("LAMBDA001")) == []


ESM_ROLE = """
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {}
      ManagedPolicyArns:
        - !Sub arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Role: !GetAtt Role.Arn
  Mapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties: {EventSourceArn: !GetAtt Queue.Arn, FunctionName: !Ref Fn}
"""


def test_lambda002_esm_role_missing_permissions():
    basic = ESM_ROLE.replace("AWSLambdaSQSQueueExecutionRole", "AWSLambdaBasicExecutionRole")
    found = findings(basic, select=family("LAMBDA002"))
    assert summary(found) == [("LAMBDA002", "Mapping", 16)]
    assert "sqs:ReceiveMessage" in found[0].message


def test_lambda002_separate_policy_without_depends_on_is_a_race():
    separate = (
        ESM_ROLE.replace("AWSLambdaSQSQueueExecutionRole", "AWSLambdaBasicExecutionRole")
        + """
  ReadQueue:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: read
      Roles: [!Ref Role]
      PolicyDocument:
        Statement: [{Effect: Allow, Action: "sqs:*", Resource: !GetAtt Queue.Arn}]
"""
    )
    found = findings(separate, select=family("LAMBDA002"))
    assert summary(found) == [("LAMBDA023", "Mapping", 16)] and found[0].severity == WARNING


def test_lambda002_passes_and_unknown_policies_are_not_reported():
    assert findings(ESM_ROLE, select=family("LAMBDA002")) == []
    custom = ESM_ROLE.replace(
        "!Sub arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole",
        "arn:aws:iam::123456789012:policy/custom",
    )
    assert findings(custom, select=family("LAMBDA002")) == []


# LAMBDA013: the shape of cloud-migration-factory's automation template, where a WebSocket API
# exists only when the deployment is public, beside an HTTP API of the same condition
API_V2_CALLERS = """
Parameters:
  IsDeploymentPrivate: {Type: String, AllowedValues: ["true", "false"], Default: "false"}
  Protocol: {Type: String, AllowedValues: [HTTP, WEBSOCKET]}
Conditions:
  DeploymentPublic: !Equals [!Ref IsDeploymentPrivate, "false"]
Resources:
  SocketApi:
    Condition: DeploymentPublic
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: socket, ProtocolType: WEBSOCKET, RouteSelectionExpression: $request.body.message}
  ConnectInteg:
    Condition: DeploymentPublic
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref SocketApi
      IntegrationType: AWS_PROXY
      IntegrationUri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Socket.Arn}/invocations
  Socket:
    Type: AWS::Lambda::Function
    Properties:
      Handler: index.handler
      Runtime: python3.12
      Role: arn:aws:iam::111111111111:role/fn
      Code: {ZipFile: "def handler(event, context): pass"}
      Timeout: '300'
  HttpApi:
    Condition: DeploymentPublic
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: http, ProtocolType: HTTP}
  HttpInteg:
    Condition: DeploymentPublic
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref HttpApi
      IntegrationType: AWS_PROXY
      PayloadFormatVersion: "2.0"
      IntegrationUri: !GetAtt Report.Arn
  Report:
    Type: AWS::Lambda::Function
    Properties:
      Handler: index.handler
      Runtime: python3.12
      Role: arn:aws:iam::111111111111:role/fn
      Code: {ZipFile: "def handler(event, context): pass"}
      Timeout: 60
  AnyApi:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: any, ProtocolType: !Ref Protocol}
  AnyInteg:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref AnyApi
      IntegrationType: AWS_PROXY
      IntegrationUri: !GetAtt Unknown.Arn
  ImportedInteg:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !ImportValue shared-api
      IntegrationType: AWS_PROXY
      IntegrationUri: !GetAtt Unknown.Arn
  Unknown:
    Type: AWS::Lambda::Function
    Properties:
      Handler: index.handler
      Runtime: python3.12
      Role: arn:aws:iam::111111111111:role/fn
      Code: {ZipFile: "def handler(event, context): pass"}
      Timeout: 900
"""


def test_lambda013_judges_http_apis_only_in_the_scenario_where_the_caller_exists():
    found = findings(API_V2_CALLERS, select=["LAMBDA013"])
    assert summary(found) == [("LAMBDA013", "Report", 45)]
    assert found[0].conditions == {"DeploymentPublic": True}
    assert "HttpInteg (HTTP API) stops waiting after 30 s" in found[0].message
    assert [(r.resource, r.line) for r in found[0].related] == [("HttpInteg", 37)]


# LAMBDA014: the shape of serverless-patterns/s3-lambda-transcribe-sam, whose output goes to
# another bucket; only the statement's Resource changes between cases
S3_TRIGGERED = """
Transform: AWS::Serverless-2016-10-31
Resources:
  SpeechToTextFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.lambda_handler
      Runtime: python3.12
      Environment:
        Variables:
          OUTPUT_BUCKET: !Ref OutputBucket
      Events:
        S3Event:
          Type: S3
          Properties: {Bucket: !Ref InputBucket, Events: s3:ObjectCreated:*}
      Policies:
        - Statement:
            - Effect: Allow
              Action: [transcribe:StartTranscriptionJob, s3:GetObject, s3:PutObject]
              Resource: RESOURCE
  InputBucket:
    Type: AWS::S3::Bucket
    Properties: {BucketName: speech2text-input-bucket}
  OutputBucket:
    Type: AWS::S3::Bucket
    Properties: {BucketName: speech2text-output-bucket}
"""


@pytest.mark.parametrize(
    ("resource", "expected"),
    [
        ('"*"', []),
        ("arn:aws:s3:::*/*", []),
        ("arn:aws:s3:::*", []),
        ("!Sub ${OutputBucket.Arn}/*", []),
        ("arn:aws:s3:::speech2text-input-bucket-archive/*", []),
        ("arn:aws:s3:::Speech2Text-Input-Bucket/*", []),
        ("!Sub ${InputBucket.Arn}/*", [("LAMBDA014", "SpeechToTextFunction", 4)]),
        ("arn:aws:s3:::speech2text-input-*/*", [("LAMBDA014", "SpeechToTextFunction", 4)]),
        ("!Sub arn:${AWS::Partition}:s3:::speech2text-input-bucket/*", [("LAMBDA014", "SpeechToTextFunction", 4)]),
    ],
)
def test_lambda014_counts_only_grants_that_name_the_trigger_bucket(resource, expected):
    assert summary(findings(S3_TRIGGERED.replace("RESOURCE", resource), select=["LAMBDA014"])) == expected
