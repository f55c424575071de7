"""Settings that another template of the run provides: a flow log for an exported VPC, a log bucket
of another stack, an instance of an exported cluster. Nothing is said when that template is not
in the run."""

from __future__ import annotations

import textwrap

from cfncheck.testing import Source, run_sources, summary

NETWORK = """
    Resources:
      Vpc:
        Type: AWS::EC2::VPC
        Properties: {CidrBlock: 10.0.0.0/16}
      Logs:
        Type: AWS::S3::Bucket
      Cluster:
        Type: AWS::DocDB::DBCluster
        Properties: {MasterUsername: admin, ManageMasterUserPassword: true}
      Primary:
        Type: AWS::DocDB::DBInstance
        Properties: {DBClusterIdentifier: !Ref Cluster, DBInstanceClass: db.r6g.large}
    Outputs:
      VpcId: {Value: !Ref Vpc, Export: {Name: vpc-id}}
      LogBucket: {Value: !Ref Logs, Export: {Name: log-bucket}}
      ClusterId: {Value: !Ref Cluster, Export: {Name: docdb-cluster}}
"""
AUDIT = """
    Resources:
      FlowLog:
        Type: AWS::EC2::FlowLog
        Properties:
          ResourceId: !ImportValue vpc-id
          ResourceType: VPC
          TrafficType: ALL
          LogDestinationType: s3
          LogDestination: !Sub
            - "arn:aws:s3:::${Bucket}"
            - Bucket: !ImportValue log-bucket
      Data:
        Type: AWS::S3::Bucket
        Properties:
          VersioningConfiguration: {Status: Enabled}
          LoggingConfiguration: {DestinationBucketName: !ImportValue log-bucket}
      Replica:
        Type: AWS::DocDB::DBInstance
        Properties: {DBClusterIdentifier: !ImportValue docdb-cluster, DBInstanceClass: db.r6g.large}
"""
CHECKS = ["VPC002", "S3006", "S3007", "S3008", "S3011", "RDS013"]


def _run(**texts: str) -> list[tuple]:
    sources = [Source(f"{name}.yaml", data=textwrap.dedent(text).lstrip().encode()) for name, text in texts.items()]
    result = run_sources(sources, select=CHECKS)
    assert not result.errors and not result.internal_errors
    return summary(result.findings)


def test_what_another_template_of_the_run_provides_counts():
    found = _run(network=NETWORK, audit=AUDIT)
    assert ("VPC002", "Vpc", 3) not in found  # the flow log is in audit.yaml
    assert ("RDS013", "Cluster", 8) not in found  # its replica too
    # the log bucket receives the flow logs and the access logs of audit.yaml: no versioning or
    # logging of its own asked for, but deleting the stack that holds it fails while it has logs
    assert [f for f in found if f[1] == "Logs"] == [("S3011", "Logs", 6)]
    # and S3 may not write to it: it has no policy for logging.s3.amazonaws.com
    assert ("S3008", "Data", 16) in found


def test_alone_the_exporting_template_gets_the_advice():
    found = _run(network=NETWORK)
    assert ("VPC002", "Vpc", 3) in found and ("RDS013", "Cluster", 8) in found
    assert {rule for rule, resource, _ in found if resource == "Logs"} == {"S3006", "S3007"}
