"""Data service configuration checks (checks/data/): DynamoDB capacity planning."""

from __future__ import annotations

from pathlib import Path

from sample_checks import assert_samples

from cfncheck.testing import only

SAMPLES = Path(__file__).parent.parent / "samples" / "data"


def test_ddb008_samples():
    assert_samples(SAMPLES, "DDB008")


def test_ddb008_a_scalable_target_on_an_unknown_resource_may_be_the_tables():
    text = """
        Parameters:
          Resource: {Type: String}
        Resources:
          Orders:
            Type: AWS::DynamoDB::Table
            Properties:
              KeySchema: [{AttributeName: id, KeyType: HASH}]
              AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
              ProvisionedThroughput: {ReadCapacityUnits: 5, WriteCapacityUnits: 5}
          Target:
            Type: AWS::ApplicationAutoScaling::ScalableTarget
            Properties:
              ServiceNamespace: dynamodb
              ResourceId: !Ref Resource
              ScalableDimension: dynamodb:table:ReadCapacityUnits
              MinCapacity: 1
              MaxCapacity: 2
        """
    assert only("DDB008", text) == []
