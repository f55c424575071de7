"""What ``Ref`` returns for each resource type, and which properties need an ARN or a URL.

Data, not code: the CloudFormation resource reference's "Return values" sections. A type
that is not listed returns something cfncheck does not claim to know.
"""

from __future__ import annotations

ARN, URL, NAME, ID = "ARN", "URL", "name", "id"

REF_RETURNS: dict[str, str] = {
    "AWS::SQS::Queue": URL,
    "AWS::SNS::Topic": ARN,
    "AWS::Lambda::Function": NAME,
    "AWS::Lambda::Alias": ARN,
    "AWS::Lambda::Version": ARN,
    "AWS::Lambda::LayerVersion": ARN,
    "AWS::Serverless::Function": NAME,
    "AWS::Serverless::StateMachine": ARN,
    "AWS::Serverless::SimpleTable": NAME,
    "AWS::Serverless::LayerVersion": ARN,
    "AWS::StepFunctions::StateMachine": ARN,
    "AWS::StepFunctions::Activity": ARN,
    "AWS::IAM::Role": NAME,
    "AWS::IAM::User": NAME,
    "AWS::IAM::Group": NAME,
    "AWS::IAM::InstanceProfile": NAME,
    "AWS::IAM::ManagedPolicy": ARN,
    "AWS::S3::Bucket": NAME,
    "AWS::Kinesis::Stream": NAME,
    "AWS::KinesisFirehose::DeliveryStream": NAME,
    "AWS::DynamoDB::Table": NAME,
    "AWS::Logs::LogGroup": NAME,
    "AWS::Events::Rule": NAME,
    "AWS::Events::EventBus": NAME,
    "AWS::KMS::Key": ID,
    "AWS::KMS::Alias": NAME,
    "AWS::SecretsManager::Secret": ARN,
    "AWS::SSM::Parameter": NAME,
    "AWS::ECS::Cluster": NAME,
    "AWS::ECS::Service": ARN,
    "AWS::ECS::TaskDefinition": ARN,
    "AWS::ElasticLoadBalancingV2::LoadBalancer": ARN,
    "AWS::ElasticLoadBalancingV2::TargetGroup": ARN,
    "AWS::ElasticLoadBalancingV2::Listener": ARN,
    "AWS::CloudWatch::Alarm": NAME,
    "AWS::CodeBuild::Project": NAME,
    "AWS::CertificateManager::Certificate": ARN,
    "AWS::EC2::VPC": ID,
    "AWS::EC2::Subnet": ID,
    "AWS::EC2::SecurityGroup": ID,
    "AWS::EC2::Instance": ID,
}

ARN_PROPERTIES: dict[str, tuple[tuple, ...]] = {
    "AWS::Lambda::EventSourceMapping": (("EventSourceArn",),),
    "AWS::Events::Rule": (("Targets", "[]", "Arn"),),
    "AWS::S3::Bucket": (
        ("NotificationConfiguration", "QueueConfigurations", "[]", "Queue"),
        ("NotificationConfiguration", "LambdaConfigurations", "[]", "Function"),
        ("NotificationConfiguration", "TopicConfigurations", "[]", "Topic"),
    ),
    "AWS::Lambda::Function": (("DeadLetterConfig", "TargetArn"), ("Role",)),
}
"""Properties whose value must be an ARN (``[]`` stands for every item of a list). A queue's
``RedrivePolicy.deadLetterTargetArn`` is left to SQS004, which judges the whole redrive policy."""

URL_PROPERTIES: dict[str, tuple[tuple, ...]] = {
    "AWS::SQS::QueuePolicy": (("Queues", "[]"),),
}
"""Properties whose value must be a queue URL."""


def ref_returns(resource_type: str) -> str | None:
    return REF_RETURNS.get(resource_type)


def expand(node, pattern: tuple, path: tuple = ()):
    """The (value, path) pairs a pattern such as ``("Targets", "[]", "Arn")`` reaches in raw nodes."""
    if not pattern:
        yield node, path
        return
    head, rest = pattern[0], pattern[1:]
    if head == "[]":
        if isinstance(node, list):
            for index, item in enumerate(node):
                yield from expand(item, rest, path + (index,))
    elif isinstance(node, dict) and head in node:
        yield from expand(node[head], rest, path + (head,))
