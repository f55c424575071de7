"""RDS, Aurora, DocumentDB and Neptune databases: deletion protection and backups."""

from __future__ import annotations

from cfncheck.api import ABSENT, ERROR, INFO, WARNING, Child, as_bool, as_number, check

DB_CLUSTERS = ("AWS::RDS::DBCluster", "AWS::DocDB::DBCluster", "AWS::Neptune::DBCluster")


@check(
    "RDS005",
    "rds-deletion-protection-disabled",
    WARNING,
    types=["AWS::RDS::DBInstance", *DB_CLUSTERS],
    fix="Set `DeletionProtection: true`.",
)
def deletion_protection(db, ctx):
    """Deletion protection stops anyone (a stack deletion, a console click, an API call) from
    deleting the database until it is turned off.

    The default is `DeletionProtection: false`. Aurora member instances are skipped: the cluster
    carries the setting. Suppress for development stacks if intended.
    """
    for scenario, (protection, cluster) in ctx.joint(
        ctx.values(db, "Properties.DeletionProtection"), ctx.values(db, "Properties.DBClusterIdentifier")
    ):
        if db.type == "AWS::RDS::DBInstance" and cluster is not ABSENT:
            continue
        if as_bool(protection, False) is False:
            yield ctx.finding(
                db,
                "Properties.DeletionProtection",
                "Set DeletionProtection: true (the default is false) so the database cannot be deleted by accident.",
                scenario,
            )


@check(
    "RDS006",
    "rds-backup-retention",
    WARNING,
    types=["AWS::RDS::DBInstance", *DB_CLUSTERS],
    fix="Set `BackupRetentionPeriod` between 7 and 35 days.",
    children=[
        Child(
            "RDS023",
            "rds-backup-retention-out-of-range",
            ERROR,
            """A BackupRetentionPeriod RDS rejects, so creating the database fails: above 35 days, or
            0 on a DB cluster (the range is 0-35 days for an instance, 1-35 for a cluster).""",
            fix="Set `BackupRetentionPeriod` between 1 and 35 days (7 or more).",
            deploy_failure=True,
            formerly=("RDS006",),
        ),
        Child(
            "RDS024",
            "rds-backup-retention-short",
            INFO,
            """Automated backups kept less than 7 days (CloudFormation's default is 1 day, the
            console's 7): little time to notice a mistake and restore from before it.""",
            fix="Set `BackupRetentionPeriod` to 7 days or more.",
            formerly=("RDS006",),
        ),
    ],
)
def backup_retention(db, ctx):
    """Automated backups are what point-in-time restore and read replicas are made from: a DB
    instance with BackupRetentionPeriod 0 has none.

    CloudFormation's default BackupRetentionPeriod is 1 day (the console's is 7); the range is 0–35
    for an instance (0 turns backups off) and 1–35 for a cluster: a value outside is RDS023, and
    fewer than 7 days is RDS024. Aurora member instances and read replicas are skipped.
    """
    is_instance = db.type == "AWS::RDS::DBInstance"
    for scenario, (period, cluster, source) in ctx.joint(
        ctx.values(db, "Properties.BackupRetentionPeriod"),
        ctx.values(db, "Properties.DBClusterIdentifier"),
        ctx.values(db, "Properties.SourceDBInstanceIdentifier"),
    ):
        if is_instance and (cluster is not ABSENT or source is not ABSENT):
            continue
        days = as_number(period, 1)
        if days is None:
            continue
        if days > 35 or (days == 0 and not is_instance):
            yield ctx.finding(
                db,
                "Properties.BackupRetentionPeriod",
                f"BackupRetentionPeriod {days} is out of range: set it between {0 if is_instance else 1} and 35 days "
                "(creation fails otherwise).",
                scenario,
                rule="RDS023",
            )
        elif days == 0:
            yield ctx.finding(
                db,
                "Properties.BackupRetentionPeriod",
                "BackupRetentionPeriod 0 turns automated backups off (no point-in-time restore, no read replicas): "
                "set it to 7 days or more.",
                scenario,
            )
        elif days < 7:
            stated = "defaults to 1 day" if period is ABSENT else f"is {days} day{'s' if days != 1 else ''}"
            yield ctx.finding(
                db,
                "Properties.BackupRetentionPeriod",
                f"BackupRetentionPeriod {stated}: set it to 7 days or more so there is time to notice a mistake "
                "and restore from before it.",
                scenario,
                rule="RDS024",
            )
