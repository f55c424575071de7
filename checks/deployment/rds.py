"""RDS databases the service refuses."""

from __future__ import annotations

from cfncheck.api import ABSENT, ERROR, as_number, check

INSTANCE = "AWS::RDS::DBInstance"


@check(
    "RDS010",
    "rds-replica-source-without-backups",
    ERROR,
    types=[INSTANCE],
    fix="Give the source instance a BackupRetentionPeriod of at least 1 day (read replicas need automated "
    "backups on their source).",
    example="Resources:\n  Primary:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      Engine: mysql\n"
    "      DBInstanceClass: db.t3.micro\n      AllocatedStorage: '20'\n      MasterUsername: admin\n"
    "      ManageMasterUserPassword: true\n      BackupRetentionPeriod: 0\n  Replica:\n"
    "    Type: AWS::RDS::DBInstance\n    Properties:\n      DBInstanceClass: db.t3.micro\n"
    "      SourceDBInstanceIdentifier: !Ref Primary",
    deploy_failure=True,
)
def replica_source_without_backups(replica, ctx):
    """A read replica of an instance of this template whose BackupRetentionPeriod is 0: RDS
    refuses to create the replica ("Automated backups are not enabled for this database instance.
    To enable automated backups, use ModifyDBInstance to set the backup retention period to a
    non-zero value."). Source: the RDS user guide, "Working with DB instance read replicas"."""
    for alt in ctx.values(replica, "Properties.SourceDBInstanceIdentifier"):
        source = ctx.local(alt.value)
        if source is None or source.type != INSTANCE:
            continue
        for retention in ctx.values(source, "Properties.BackupRetentionPeriod"):
            both = ctx.merge(alt.scenario, retention.scenario)
            if both is not None and retention.value is not ABSENT and as_number(retention.value) == 0:
                message = (
                    f"The source {source.logical_id} keeps no automated backups (BackupRetentionPeriod 0): RDS refuses "
                    'the read replica ("Automated backups are not enabled for this database instance").'
                )
                related = [
                    ctx.location(source, "Properties.BackupRetentionPeriod", retention.scenario, message="0 days")
                ]
                yield ctx.finding(replica, "Properties.SourceDBInstanceIdentifier", message, both, related=related)
