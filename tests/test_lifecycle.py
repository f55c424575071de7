"""Data lifecycle checks: CFN009, CFN010, RDS005, RDS006, DDB001 (and CFN036, RDS023, RDS024 they report
apart), DDB004, S3006, S3011, EC004, REDSHIFT004."""

from __future__ import annotations

from pathlib import Path

import pytest
from sample_checks import assert_samples

from cfncheck.testing import expected, family, file_findings, findings, only, summary

SAMPLES = Path(__file__).parent.parent / "samples" / "lifecycle"
CHECKS = [*family("CFN009"), "CFN010", "RDS005", *family("RDS006"), "DDB001"]


def sample(name: str) -> list[tuple[str, str, int]]:
    return sorted(summary(file_findings(SAMPLES / name, CHECKS)))


def announced(name: str) -> list[tuple[str, str, int]]:
    return sorted(expected(SAMPLES / name, severity=False))


def test_bad_sample_reports_exactly_the_expected_findings():
    assert sample("bad.yaml") == announced("bad.yaml")
    assert {rule for rule, _, _ in announced("bad.yaml")} == set(CHECKS)


def test_good_sample_reports_nothing():
    assert sample("good.yaml") == []


def test_cfn009_id_by_list_and_message_names_both_policies():
    everywhere = findings((SAMPLES / "bad.yaml").read_text(), select=family("CFN009"))
    found = {f.resource: f for f in everywhere if f.conditions != {"IsProd": True}}
    assert (found["Orders"].rule_id, str(found["Orders"].severity)) == ("CFN009", "warning")
    assert (found["Logs"].rule_id, str(found["Logs"].severity)) == ("CFN036", "info")
    assert "Set DeletionPolicy to Retain" in found["Orders"].message
    assert "UpdateReplacePolicy" in found["Orders"].message
    assert "Retain or Snapshot" in found["Volume"].message


def test_cfn009_rds_defaults_to_snapshot_and_members_and_memcached_are_not_stateful():
    text = """
        Resources:
          Db:
            Type: AWS::RDS::DBInstance
            Properties: {Engine: mysql, DBInstanceClass: db.t3.micro}
          Cluster:
            Type: AWS::RDS::DBCluster
            Properties: {Engine: aurora-mysql}
          Member:
            Type: AWS::RDS::DBInstance
            DeletionPolicy: Delete
            Properties: {Engine: aurora-mysql, DBClusterIdentifier: !Ref Cluster, DBInstanceClass: db.r5.large}
          Memcached:
            Type: AWS::ElastiCache::CacheCluster
            Properties: {Engine: memcached, CacheNodeType: cache.t3.micro, NumCacheNodes: 1}
          Redis:
            Type: AWS::ElastiCache::ReplicationGroup
            Properties: {ReplicationGroupDescription: r}
        """
    assert only("CFN009", text) == [("CFN009", "Redis", 16)]


def test_cfn009_deletion_policy_per_scenario_with_language_extensions():
    text = """
        Transform: AWS::LanguageExtensions
        Parameters:
          Stage: {Type: String, AllowedValues: [dev, prod]}
        Conditions:
          IsProd: !Equals [!Ref Stage, prod]
        Resources:
          Table:
            Type: AWS::DynamoDB::Table
            DeletionPolicy: !If [IsProd, Retain, Delete]
            UpdateReplacePolicy: !If [IsProd, Retain, Delete]
            Properties:
              KeySchema: [{AttributeName: id, KeyType: HASH}]
              AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
        """
    found = findings(text, select=["CFN009", "CFN010"])
    assert summary(found) == [("CFN009", "Table", 9)]
    assert found[0].conditions == {"IsProd": False}


def test_cfn010_names_the_create_only_properties_and_skips_info_types():
    text = """
        Resources:
          Files:
            Type: AWS::EFS::FileSystem
            DeletionPolicy: Retain
            Properties: {Encrypted: true, PerformanceMode: generalPurpose}
          Queue:
            Type: AWS::SQS::Queue
            DeletionPolicy: Retain
          Unknown:
            Type: AWS::EFS::FileSystem
            DeletionPolicy: Retain
            UpdateReplacePolicy: !ImportValue policy
        """
    found = findings(text, select=["CFN010"])
    assert summary(found) == [("CFN010", "Files", 3)]
    assert "Encrypted, PerformanceMode" in found[0].message
    assert "UpdateReplacePolicy: Retain" in found[0].message


def test_rds005_skips_aurora_members_and_unknown_values():
    text = """
        Parameters:
          Protect: {Type: String}
        Resources:
          Member:
            Type: AWS::RDS::DBInstance
            Properties: {Engine: aurora-mysql, DBClusterIdentifier: c, DBInstanceClass: db.r5.large}
          Unknown:
            Type: AWS::RDS::DBInstance
            Properties: {Engine: mysql, DBInstanceClass: db.t3.micro, DeletionProtection: !Ref Protect}
        """
    assert only("RDS005", text) == []
    assert only("RDS005", text, parameters={"Protect": "false"}) == [("RDS005", "Unknown", 9)]


def test_rds006_levels():
    found = {f.resource: f.rule_id for f in findings((SAMPLES / "bad.yaml").read_text(), select=family("RDS006"))}
    assert found == {"Database": "RDS006", "Cluster": "RDS024", "Graph": "RDS023", "Documents": "RDS024"}


def test_rds006_skips_read_replicas_and_members():
    text = """
        Resources:
          Replica:
            Type: AWS::RDS::DBInstance
            Properties: {SourceDBInstanceIdentifier: db-1, DBInstanceClass: db.t3.micro}
          Member:
            Type: AWS::RDS::DBInstance
            Properties: {Engine: aurora-mysql, DBClusterIdentifier: c, DBInstanceClass: db.r5.large}
        """
    assert findings(text, select=family("RDS006")) == []


def test_ddb001_per_scenario():
    found = [f for f in findings((SAMPLES / "bad.yaml").read_text(), select=["DDB001"]) if f.resource == "Orders"]
    assert [f.conditions for f in found] == [{"IsProd": False}]


def test_cfn009_skips_resources_whose_deletion_the_service_refuses():
    text = """
        Resources:
          Table:
            Type: AWS::DynamoDB::Table
            Properties:
              DeletionProtectionEnabled: true
              KeySchema: [{AttributeName: id, KeyType: HASH}]
              AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
          Cluster:
            Type: AWS::DocDB::DBCluster
            DeletionPolicy: Delete
            Properties: {DeletionProtection: true}
          Users:
            Type: AWS::Cognito::UserPool
            Properties: {DeletionProtection: ACTIVE}
          Ledger:
            Type: AWS::QLDB::Ledger
            Properties: {PermissionsMode: STANDARD}
          Images:
            Type: AWS::ECR::Repository
          Vault:
            Type: AWS::Backup::BackupVault
            Properties: {BackupVaultName: vault}
          OpenLedger:
            Type: AWS::QLDB::Ledger
            Properties: {PermissionsMode: STANDARD, DeletionProtection: false}
          EmptiedImages:
            Type: AWS::ECR::Repository
            Properties: {EmptyOnDelete: true}
          OpenUsers:
            Type: AWS::Cognito::UserPool
            Properties: {DeletionProtection: INACTIVE}
        """
    found = {f.resource: f for f in findings(text, select=family("CFN009"))}
    assert sorted(found) == ["EmptiedImages", "OpenLedger", "OpenUsers"]
    assert "deletes every image in it" in found["EmptiedImages"].message
    assert str(found["OpenLedger"].severity) == "warning"


def test_cfn010_skips_a_deletion_protected_database():
    text = """
        Resources:
          Protected:
            Type: AWS::RDS::DBInstance
            Properties: {Engine: postgres, StorageEncrypted: true, DeletionProtection: true}
          Open:
            Type: AWS::RDS::DBInstance
            Properties: {Engine: postgres, StorageEncrypted: true}
        """
    assert only("CFN010", text) == [("CFN010", "Open", 6)]


def test_cfn009_secret_is_info_and_skipped_when_the_template_writes_its_value():
    text = """
        Parameters:
          Token: {Type: String, NoEcho: true}
        Resources:
          Written:
            Type: AWS::SecretsManager::Secret
            Properties: {SecretString: !Ref Token}
          Generated:
            Type: AWS::SecretsManager::Secret
            Properties: {GenerateSecretString: {PasswordLength: 30}}
          Rotated:
            Type: AWS::SecretsManager::Secret
            Properties: {SecretString: '{"password": "initial"}'}
          Rotation:
            Type: AWS::SecretsManager::RotationSchedule
            Properties:
              SecretId: !Ref Rotated
              RotationLambdaARN: arn:aws:lambda:us-east-1:123456789012:function:rotate
        """
    found = findings(text, select=family("CFN009"))
    assert summary(found, severity=True) == [
        ("CFN036", "Generated", 8, "info"),
        ("CFN036", "Rotated", 11, "info"),
    ]
    assert "skips the recovery window" in found[0].message


def test_cfn009_names_what_survives_a_pitr_table_and_a_key():
    text = """
        Resources:
          Table:
            Type: AWS::DynamoDB::Table
            Properties:
              KeySchema: [{AttributeName: id, KeyType: HASH}]
              AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
              PointInTimeRecoverySpecification: {PointInTimeRecoveryEnabled: true}
          Key:
            Type: AWS::KMS::Key
            Properties: {PendingWindowInDays: 7}
        """
    found = {f.resource: f for f in findings(text, select=family("CFN009"))}
    assert (found["Table"].rule_id, str(found["Table"].severity)) == ("CFN036", "info")
    assert "system backup that DynamoDB keeps 35 days" in found["Table"].message
    assert str(found["Key"].severity) == "warning"
    assert "7 days later (PendingWindowInDays) nothing encrypted under it can be decrypted" in found["Key"].message


def test_cfn009_sam_simple_table_keeps_its_policies_on_the_generated_table():
    text = """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Items:
            Type: AWS::Serverless::SimpleTable
          Kept:
            Type: AWS::Serverless::SimpleTable
            DeletionPolicy: Retain
            UpdateReplacePolicy: Retain
        """
    assert summary(findings(text, select=["CFN009", "CFN010", "DDB001"]), severity=True) == [
        ("CFN009", "Items", 4, "warning")
    ]


@pytest.mark.parametrize("rule", ["S3006", "S3011", "DDB004", "EC004", "REDSHIFT004"])
def test_samples(rule):
    assert_samples(SAMPLES, rule)


def test_s3006_exempts_buckets_by_tag_and_log_buckets_only_when_configured():
    text = """
        Resources:
          Scratch:
            Type: AWS::S3::Bucket
            Properties:
              Tags: [{Key: lifecycle, Value: scratch}]
          Kept:
            Type: AWS::S3::Bucket
            Properties:
              Tags: [{Key: lifecycle, Value: keep}]
          Logs:
            Type: AWS::S3::Bucket
            Properties: {AccessControl: LogDeliveryWrite}
        """
    exempt = {"S3006": {"exempt_tags": ["lifecycle=scratch"]}}
    assert only("S3006", text, options=exempt) == [("S3006", "Kept", 8)]
    everything = {"S3006": {"exempt_log_buckets": False}}
    assert [r for _, r, _ in only("S3006", text, options=everything)] == ["Scratch", "Kept", "Logs"]


def test_backups_shorter_than_the_configured_minimum_are_reported_with_the_minimum():
    text = """
        Resources:
          Sessions:
            Type: AWS::ElastiCache::ReplicationGroup
            Properties: {ReplicationGroupDescription: s, SnapshotRetentionLimit: 3}
          Warehouse:
            Type: AWS::Redshift::Cluster
            Properties: {ClusterType: single-node, NodeType: ra3.large, DBName: a, MasterUsername: a}
        """
    assert only("EC004", text) == [] and only("REDSHIFT004", text) == []
    week = {"EC004": {"minimum_days": 7}, "REDSHIFT004": {"minimum_days": 7}}
    found = findings(text, select=["EC004", "REDSHIFT004"], options=week)
    assert summary(found) == [("EC004", "Sessions", 4), ("REDSHIFT004", "Warehouse", 7)]
    assert "fewer than the 7 days" in found[0].message and "defaults to 1 day" in found[1].message


# the shape of aws-cloudformation-templates' ElastiCache/Elasticache-snapshot.yaml: a custom
# resource, under EnableBackups, hands the group to a function allowed to modify it
SNAPSHOT_TRIGGER = """
    Parameters:
      EnableSnapshotting: {Type: String, AllowedValues: ["True", "False"], Default: "True"}
    Conditions:
      EnableBackups: !Equals [!Ref EnableSnapshotting, "True"]
    Resources:
      RedisReplicationGroup:
        Type: AWS::ElastiCache::ReplicationGroup
        Properties: {ReplicationGroupDescription: r, Engine: redis, CacheNodeType: cache.t3.micro}
      IamRoleLambda:
        Type: AWS::IAM::Role
        Condition: EnableBackups
        Properties:
          AssumeRolePolicyDocument:
            Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}]
          Policies:
            - PolicyName: snapshots
              PolicyDocument:
                Statement: [{Effect: Allow, Action: [ACTION], Resource: !Ref RedisReplicationGroup}]
      EnableShapshotTrigger:
        Type: Custom::Region
        Condition: EnableBackups
        Properties:
          ServiceToken: !GetAtt EnableShapshot.Arn
          SSClusterId: !Ref RedisReplicationGroup
          SSRetentionLimit: 28
      EnableShapshot:
        Type: AWS::Lambda::Function
        Condition: EnableBackups
        Properties:
          Code: {ZipFile: "exports.handler = async () => {}"}
          Handler: index.handler
          Role: !GetAtt IamRoleLambda.Arn
          Runtime: nodejs20.x
    """


def test_ec004_judges_only_the_scenarios_without_a_custom_resource_that_may_modify_the_group():
    found = findings(SNAPSHOT_TRIGGER.replace("ACTION", "elasticache:ModifyReplicationGroup"), select=["EC004"])
    assert summary(found) == [("EC004", "RedisReplicationGroup", 8)]
    assert found[0].conditions == {"EnableBackups": False}
    unconditional = SNAPSHOT_TRIGGER.replace("ACTION", "elasticache:*").replace("Condition: EnableBackups", "")
    assert only("EC004", unconditional) == []


def test_ec004_a_custom_resource_whose_role_cannot_modify_the_group_changes_nothing():
    found = findings(SNAPSHOT_TRIGGER.replace("ACTION", "elasticache:DescribeReplicationGroups"), select=["EC004"])
    assert summary(found) == [("EC004", "RedisReplicationGroup", 8)]
    assert found[0].conditions == {}


def test_s3011_a_bucket_emptied_by_a_custom_resource_in_one_scenario_is_reported_in_the_others():
    text = """
        Parameters:
          Cleanup: {Type: String, AllowedValues: ["yes", "no"]}
        Conditions:
          CleanUp: !Equals [!Ref Cleanup, "yes"]
        Resources:
          Logs:
            Type: AWS::S3::Bucket
          Data:
            Type: AWS::S3::Bucket
            Properties:
              LoggingConfiguration: {DestinationBucketName: !Ref Logs}
          EmptyLogs:
            Type: Custom::EmptyBucket
            Condition: CleanUp
            Properties:
              ServiceToken: arn:aws:lambda:us-east-1:111111111111:function:empty
              BucketName: !Ref Logs
        """
    found = findings(text, select=["S3011"])
    assert summary(found) == [("S3011", "Logs", 7)]
    assert found[0].conditions == {"CleanUp": False}
