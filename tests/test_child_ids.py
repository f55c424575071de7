"""Children that issue 18 split from a check reporting several problems: each its own failing and
passing template (the parent's tests cover the other problems of the old id)."""

from __future__ import annotations

from cfncheck.testing import only

RULE_TARGETS = """
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Topic:
    Type: AWS::SNS::Topic
  Rule:
    Type: AWS::Events::Rule
    Properties:
      ScheduleExpression: rate(1 hour)
      Targets:
        - {Id: q, Arn: !GetAtt Queue.Arn}
        - {Id: t, Arn: !Ref Topic}
"""

DELIVERY_POLICIES = """
  QueuePolicy:
    Type: AWS::SQS::QueuePolicy
    Properties:
      Queues: [!Ref Queue]
      PolicyDocument:
        Statement:
          - {Effect: Allow, Principal: {Service: events.amazonaws.com}, Action: sqs:SendMessage,
             Resource: !GetAtt Queue.Arn, Condition: {ArnEquals: {aws:SourceArn: !GetAtt Rule.Arn}}}
  TopicPolicy:
    Type: AWS::SNS::TopicPolicy
    Properties:
      Topics: [!Ref Topic]
      PolicyDocument:
        Statement:
          - {Effect: Allow, Principal: {Service: events.amazonaws.com}, Action: sns:Publish,
             Resource: !Ref Topic, Condition: {ArnEquals: {aws:SourceArn: !GetAtt Rule.Arn}}}
"""


def test_deliveries_no_queue_or_topic_policy_allows_are_refused():
    assert only("SQS021", RULE_TARGETS) == [("SQS021", "Rule", 11)]
    assert only("SNS010", RULE_TARGETS) == [("SNS010", "Rule", 12)]
    assert only("SQS021", RULE_TARGETS + DELIVERY_POLICIES) == []
    assert only("SNS010", RULE_TARGETS + DELIVERY_POLICIES) == []


def _website(block_policy: str) -> str:
    return f"""
Resources:
  Site:
    Type: AWS::S3::Bucket
    Properties:
      WebsiteConfiguration: {{IndexDocument: index.html}}
      PublicAccessBlockConfiguration:
        BlockPublicAcls: true
        IgnorePublicAcls: true
        BlockPublicPolicy: {block_policy}
        RestrictPublicBuckets: {block_policy}
"""


def test_a_public_sites_flags_off_by_intent_are_a_note():
    assert only("S3026", _website("false")) == [("S3026", "Site", 9)]
    assert only("S3026", _website("true")) == []


def _topic_policy(account: str) -> str:
    return f"""
Resources:
  Topic:
    Type: AWS::SNS::Topic
  Policy:
    Type: AWS::SNS::TopicPolicy
    Properties:
      Topics: [!Ref Topic]
      PolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {{AWS: "arn:aws:iam::{account}:root"}}
            Action: sns:Publish
            Resource: !Ref Topic
"""


def test_a_topic_policy_granting_another_account_is_a_note():
    assert only("SNS009", _topic_policy("210987654321"), account_id="123456789012") == [("SNS009", "Policy", 11)]
    assert only("SNS009", _topic_policy("123456789012"), account_id="123456789012") == []
