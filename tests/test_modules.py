"""Modules (``…::MODULE`` types): the resources a module makes are named ``<Module><Resource>``
or ``<Module>.<Resource>``; references to them are unknown, not undefined."""

from __future__ import annotations

import textwrap

from cfncheck.intrinsics import Resolver
from cfncheck.loader import load_bytes
from cfncheck.template import build
from cfncheck.testing import findings, summary
from cfncheck.values import Unknown

TEMPLATE = """
Parameters:
  BucketName: {Type: String}
Resources:
  MyBucket:
    Type: My::S3::SampleBucket::MODULE
    Properties:
      BucketName: !Ref BucketName
  Queue:
    Type: AWS::SQS::Queue
    DependsOn: MyBucketS3Bucket
    Properties:
      QueueName: !Ref MyBucket.S3Bucket
      Tags:
        - {Key: a, Value: !Ref MyBucketS3Bucket}
        - {Key: b, Value: !Ref Missing}
Outputs:
  BucketArn:
    Value: !GetAtt MyBucket.S3Bucket.Arn
  Other:
    Value: !GetAtt MyBucketS3Bucket.Arn
"""


def test_references_to_what_a_module_makes_are_not_undefined():
    assert summary(findings(TEMPLATE, select=["CFN001"])) == [("CFN001", "Queue", 15)]


def test_their_values_are_unknown_and_say_why():
    resolver = Resolver(build(load_bytes(textwrap.dedent(TEMPLATE).encode(), "t.yaml")))
    for node, reason in (
        ({"Ref": "MyBucket.S3Bucket"}, "MyBucket.S3Bucket is made by the module MyBucket"),
        ({"Ref": "MyBucketS3Bucket"}, "MyBucketS3Bucket is made by the module MyBucket"),
        ({"Fn::GetAtt": "MyBucket.S3Bucket.Arn"}, "MyBucket is a module"),
    ):
        [alt] = resolver.resolve(node)
        assert isinstance(alt.value, Unknown) and alt.value.reason.startswith(reason)


def test_the_queue_depends_on_the_module():
    from cfncheck.graph import resource_dependencies

    template = build(load_bytes(textwrap.dedent(TEMPLATE).encode(), "t.yaml"))
    assert resource_dependencies(template)["Queue"] == {"MyBucket"}
