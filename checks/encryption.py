"""Encryption at rest and in transit (catalog section 3.7).

A check never flags what AWS already encrypts by default (catalog §1.3): S3 objects (SSE-S3),
SQS queues (SSE-SQS), SNS topics (disk encryption; re-verified, the catalog lists them as
unencrypted), DynamoDB tables, CloudWatch Logs and CloudTrail files are encrypted without any
setting, and get at most an info suggesting a customer-managed key.
"""

from __future__ import annotations

from cfncheck.analysis import bucket_policies as bp
from cfncheck.analysis import tls
from cfncheck.analysis.block_devices import TYPES as BLOCK_DEVICE_TYPES
from cfncheck.analysis.block_devices import ebs_mappings
from cfncheck.analysis.wiring import service_senders
from cfncheck.api import (
    ABSENT,
    ERROR,
    INFO,
    WARNING,
    Alt,
    Reference,
    Unknown,
    as_bool,
    as_list,
    as_number,
    check,
    is_known,
    lookup,
)

DEFAULT_TAGS = ("security",)  # every check here is rated for code scanning (SARIF security-severity)


def _left_off(ctx, resource, path, key, scenario, consequence: str):
    """The finding on an encryption flag that is off: AWS rejects a KMS key given without it
    (error); otherwise ``consequence`` says what stays unencrypted. The flag is named as written
    under Properties, or by its own key in a list item (a block-device mapping's Encrypted)."""
    flag = str(path[-1]) if isinstance(path, tuple) else path.removeprefix("Properties.")
    if key is not ABSENT:
        return ctx.finding(
            resource, path, f"Set {flag} to true: a KmsKeyId without it is rejected.", scenario, severity=ERROR
        )
    return ctx.finding(resource, path, f"Set {flag} to true: {consequence}", scenario)


# -- KMS ---------------------------------------------------------------------------------------


@check(
    "KMS001",
    "kms-key-rotation-disabled",
    WARNING,
    types=["AWS::KMS::Key"],
    fix="Set `EnableKeyRotation: true` on symmetric keys; remove it from asymmetric, HMAC and imported keys.",
)
def kms_key_rotation(key, ctx):
    """Symmetric KMS keys should rotate their key material every year (or RotationPeriodInDays).

    AWS default: EnableKeyRotation false. Only symmetric ENCRYPT_DECRYPT keys whose material KMS
    generates (Origin AWS_KMS, the default) support automatic rotation; KMS rejects it on
    asymmetric, HMAC, imported (EXTERNAL) and custom-key-store keys, and RotationPeriodInDays
    must be 90-2560. Verified in the AWS::KMS::Key reference: KeySpec default SYMMETRIC_DEFAULT,
    KeyUsage default ENCRYPT_DECRYPT, Origin default AWS_KMS.
    """
    names = ("EnableKeyRotation", "KeySpec", "KeyUsage", "Origin", "RotationPeriodInDays")
    for scenario, (rotation, spec, usage, origin, period) in ctx.joint(
        *(ctx.values(key, f"Properties.{n}") for n in names)
    ):
        rotates = as_bool(rotation, False)
        kind = [v for v in (spec, usage, origin) if v is not ABSENT]
        if rotates is None or not all(isinstance(v, str) for v in kind):
            continue
        symmetric = (
            spec in (ABSENT, "SYMMETRIC_DEFAULT")
            and usage in (ABSENT, "ENCRYPT_DECRYPT")
            and origin in (ABSENT, "AWS_KMS")
        )
        if symmetric and not rotates:
            yield ctx.finding(
                key,
                "Properties.EnableKeyRotation",
                "Set EnableKeyRotation to true: the key material of this symmetric key is never rotated.",
                scenario,
            )
        elif not symmetric and rotates:
            kind = ", ".join(
                f"{n} {v}" for n, v in zip(names[1:4], (spec, usage, origin), strict=True) if v is not ABSENT
            )
            yield ctx.finding(
                key,
                "Properties.EnableKeyRotation",
                f"Remove EnableKeyRotation (or set it to false): KMS cannot rotate a key with {kind} automatically;"
                " the stack fails.",
                scenario,
                severity=ERROR,
            )
        days = as_number(period)
        if days is not None and not 90 <= days <= 2560:
            yield ctx.finding(
                key,
                "Properties.RotationPeriodInDays",
                f"Set RotationPeriodInDays between 90 and 2560 (it is {days}); KMS rejects it.",
                scenario,
                severity=ERROR,
            )


# -- S3 ----------------------------------------------------------------------------------------


@check(
    "S3004",
    "s3-tls-not-enforced",
    WARNING,
    types=["AWS::S3::Bucket"],
    fix='Add a bucket policy statement: Effect Deny, Principal "*", Action "s3:*", Resource the bucket ARN and '
    '"<bucket ARN>/*", Condition Bool aws:SecureTransport "false".',
)
def s3_tls_not_enforced(bucket, ctx):
    """S3 accepts plain HTTP requests unless the bucket policy denies them.

    AWS default: a bucket without a policy serves authorised requests over HTTP and HTTPS.
    The practice is a Deny for everyone on `s3:*` over the bucket and its objects when
    `aws:SecureTransport` is false (or `s3:TlsVersion` is below 1.2). An Allow to everyone
    guarded only by `aws:SecureTransport: true` grants anonymous access over TLS: error.
    Policies are matched to the bucket by Ref, literal name or a name built with Sub/Join;
    a policy whose bucket cannot be known makes the check silent. A website bucket
    (WebsiteConfiguration) is served by the S3 website endpoint, which only speaks HTTP: that Deny
    would take the site down, so the advice there is CloudFront over HTTPS (info).
    """
    policies = bp.policies_of(ctx, bucket)
    if policies is None:
        return
    if not policies:
        for alt in ctx.values(bucket, "Properties.WebsiteConfiguration"):
            yield from _plain_http_finding(
                ctx,
                bucket,
                alt,
                "Add an AWS::S3::BucketPolicy that denies requests with aws:SecureTransport false: this bucket"
                " accepts plain HTTP.",
                bucket.exists_in,
            )
        return
    enforced, weak = False, []
    for policy in policies:
        if not bp.document_known(ctx, policy):
            return
        statements = bp.bucket_statements(ctx, policy)
        for statement in statements:
            if bp.grants_anonymous_over_tls(statement):
                yield ctx.finding(
                    policy,
                    statement.path,
                    'Remove this Allow to Principal "*": aws:SecureTransport true does not restrict who may call,'
                    " it grants anonymous access over HTTPS.",
                    statement.scenario,
                    severity=ERROR,
                )
        problem = _tls_deny_problem(statements)
        if problem is None:
            enforced = True
        else:
            weak.append((problem, policy))
    if not enforced:
        for problem, policy in weak:
            related = [ctx.location(policy, "Properties.PolicyDocument", policy.exists_in, message="the bucket policy")]
            for alt in ctx.values(bucket, "Properties.WebsiteConfiguration"):
                yield from _plain_http_finding(
                    ctx, bucket, alt, problem, policy.exists_in.merge(bucket.exists_in), related
                )


def _plain_http_finding(ctx, bucket, website: Alt, problem: str, scenario, related=()):
    """The finding on a bucket that accepts plain HTTP, in the scenarios of ``website`` (its
    WebsiteConfiguration): ``problem`` for a bucket, the CloudFront advice for a website bucket."""
    merged = ctx.merge(scenario, website.scenario) if scenario is not None else None
    if merged is None or isinstance(website.value, Unknown):
        return
    if website.value is ABSENT:
        yield ctx.finding(bucket, "Properties", problem, merged, related=related)
    else:
        yield ctx.finding(
            bucket,
            "Properties.WebsiteConfiguration",
            "This website bucket is served over plain HTTP by the S3 website endpoint, which cannot do HTTPS (a Deny"
            " on aws:SecureTransport false would block the site): serve it through CloudFront with"
            " ViewerProtocolPolicy redirect-to-https, from the bucket's REST endpoint with origin access control.",
            merged,
            severity=INFO,
            related=related,
        )


def _tls_deny_problem(statements: list) -> str | None:
    """What the policy's secure-transport Deny misses, or None when it is complete."""
    denies = [s for s in statements if bp.refuses_plain_http(s)]
    if not denies:
        return (
            'The bucket policy has no Deny on aws:SecureTransport "false": add one for Principal "*",'
            ' Action "s3:*", on the bucket ARN and "<bucket ARN>/*".'
        )
    for statement in denies:
        bucket, objects = bp.resource_coverage(statement.resources)
        if (
            bp.applies_to_everyone(statement)
            and any(a in ("s3:*", "*") for a in bp.actions(statement))
            and bucket
            and objects
        ):
            return None
    return (
        'The bucket policy\'s aws:SecureTransport Deny must apply to Principal "*", Action "s3:*",'
        ' and both the bucket ARN and "<bucket ARN>/*".'
    )


@check(
    "S3005",
    "s3-default-encryption",
    INFO,
    types=["AWS::S3::Bucket"],
    fix="Declare BucketEncryption (SSE-S3 `AES256`, or `aws:kms` with a customer KMSMasterKeyID and"
    " BucketKeyEnabled true).",
)
def s3_default_encryption(bucket, ctx):
    """State the bucket's default encryption; use SSE-KMS with a customer key where key control matters.

    AWS default: since January 2023 S3 encrypts every new object with SSE-S3, so an absent
    BucketEncryption is info only. KMSMasterKeyID with SSEAlgorithm AES256 is rejected (error);
    a bucket policy that denies uploads without `aws:kms` while the default is SSE-S3 denies
    every upload relying on the default (warning); `aws:kms` without BucketKeyEnabled costs a
    KMS request per object, and without KMSMasterKeyID uses the AWS managed key, which other
    accounts cannot use (info).
    """
    default_algorithm = {}
    for alt in ctx.values(bucket, "Properties.BucketEncryption"):
        if alt.value is ABSENT:
            default_algorithm[alt.scenario] = "AES256"
            yield ctx.finding(
                bucket,
                "Properties.BucketEncryption",
                "Add BucketEncryption to state the default encryption (S3 applies SSE-S3 anyway); use SSEAlgorithm"
                " aws:kms with a customer key where key control is needed.",
                alt.scenario,
            )
    for path, (rule, scenario) in ctx.elements(bucket, "Properties.BucketEncryption.ServerSideEncryptionConfiguration"):
        algorithm = lookup(rule, "ServerSideEncryptionByDefault.SSEAlgorithm")
        key = lookup(rule, "ServerSideEncryptionByDefault.KMSMasterKeyID")
        bucket_key = as_bool(lookup(rule, "BucketKeyEnabled"), False)
        if not isinstance(algorithm, str):
            continue
        default_algorithm[scenario] = algorithm
        if algorithm == "AES256" and key is not ABSENT:
            yield ctx.finding(
                bucket,
                path + ("ServerSideEncryptionByDefault", "KMSMasterKeyID"),
                "Remove KMSMasterKeyID, or set SSEAlgorithm to aws:kms: S3 rejects a KMS key with AES256.",
                scenario,
                severity=ERROR,
            )
        elif algorithm.startswith("aws:kms"):
            advice = []
            if key is ABSENT:
                advice.append(
                    "set KMSMasterKeyID to a customer managed key (the AWS managed aws/s3 key cannot be used by"
                    " other accounts)"
                )
            if bucket_key is False:
                advice.append("set BucketKeyEnabled to true (fewer KMS requests, lower cost)")
            if advice:
                yield ctx.finding(
                    bucket,
                    path + ("ServerSideEncryptionByDefault", "SSEAlgorithm"),
                    "With aws:kms, " + " and ".join(advice) + ".",
                    scenario,
                )
    for policy in bp.policies_of(ctx, bucket) or []:
        for statement in bp.bucket_statements(ctx, policy):
            if not bp.requires_kms_uploads(statement):
                continue
            for scenario, algorithm in default_algorithm.items():
                merged = ctx.merge(scenario, statement.scenario)
                if algorithm == "AES256" and merged is not None:
                    yield ctx.finding(
                        policy,
                        statement.path,
                        "This Deny refuses uploads without aws:kms while the bucket's default encryption is"
                        " SSE-S3: set the bucket's SSEAlgorithm to aws:kms, or drop the Deny.",
                        merged,
                        severity=WARNING,
                        related=[
                            ctx.location(
                                bucket, "Properties.BucketEncryption", merged, message="the bucket's default encryption"
                            )
                        ],
                    )


# -- RDS, Aurora, DocumentDB, Neptune ------------------------------------------------------------

RDS_INSTANCE = "AWS::RDS::DBInstance"
RDS_CLUSTER = "AWS::RDS::DBCluster"
CLUSTERS = (RDS_CLUSTER, "AWS::DocDB::DBCluster", "AWS::Neptune::DBCluster")
INHERITED = {
    RDS_INSTANCE: (
        "DBClusterIdentifier",
        "SourceDBInstanceIdentifier",
        "DBSnapshotIdentifier",
        "SourceDBClusterIdentifier",
        "SourceDbiResourceId",
    ),
    RDS_CLUSTER: ("SnapshotIdentifier", "SourceDBClusterIdentifier", "ReplicationSourceIdentifier"),
    "AWS::DocDB::DBCluster": ("SnapshotIdentifier", "SourceDBClusterIdentifier"),
    "AWS::Neptune::DBCluster": ("SnapshotIdentifier", "SourceDBClusterIdentifier"),
}


def _restored_or_member(ctx, database) -> bool:
    """Encryption comes from elsewhere: an Aurora cluster, a source database or a snapshot."""
    return any(
        alt.value is not ABSENT
        for name in INHERITED[database.type]
        for alt in ctx.values(database, f"Properties.{name}")
    )


@check(
    "RDS002",
    "rds-storage-unencrypted",
    WARNING,
    types=[RDS_INSTANCE, *CLUSTERS],
    fix="Set `StorageEncrypted: true` (and KmsKeyId for a customer key) when creating the database.",
)
def rds_storage_unencrypted(database, ctx):
    """Databases must be encrypted at rest, and that is decided when they are created.

    AWS default: StorageEncrypted false for RDS instances, Aurora, DocumentDB and Neptune clusters
    created through CloudFormation (changing it later replaces the database). Aurora encryption
    is a cluster property: an instance with DBClusterIdentifier is not checked for it, but if it
    sets StorageEncrypted differently from its in-template cluster the stack fails (error).
    Databases restored from a snapshot or created as replicas or clones inherit their source's
    encryption and are skipped. Aurora Serverless v1 (EngineMode serverless) is always encrypted.
    KmsKeyId without StorageEncrypted true is rejected (error).
    """
    if database.type == RDS_INSTANCE:
        yield from _member_mismatch(database, ctx)
    if _restored_or_member(ctx, database):
        return
    values = (ctx.values(database, f"Properties.{n}") for n in ("StorageEncrypted", "KmsKeyId", "EngineMode"))
    for scenario, (encrypted, key, mode) in ctx.joint(*values):
        flag = as_bool(encrypted, mode == "serverless")
        if flag is None or flag:
            continue
        yield _left_off(
            ctx,
            database,
            "Properties.StorageEncrypted",
            key,
            scenario,
            "the database storage, its snapshots and backups are not encrypted.",
        )


def _member_mismatch(instance, ctx):
    for scenario, (cluster_id, encrypted) in ctx.joint(
        ctx.values(instance, "Properties.DBClusterIdentifier"), ctx.values(instance, "Properties.StorageEncrypted")
    ):
        cluster = ctx.target(cluster_id)
        own = as_bool(encrypted)
        if cluster is None or cluster.type != RDS_CLUSTER or own is None:
            continue
        for alt in ctx.values(cluster, "Properties.StorageEncrypted"):
            merged = ctx.merge(scenario, alt.scenario)
            theirs = as_bool(alt.value, False)
            if merged is not None and theirs is not None and theirs != own:
                yield ctx.finding(
                    instance,
                    "Properties.StorageEncrypted",
                    f"Remove StorageEncrypted from this Aurora instance: it says {str(own).lower()} while cluster"
                    f" {cluster.logical_id} is {'encrypted' if theirs else 'not encrypted'}; encryption is set on the"
                    " cluster.",
                    merged,
                    severity=ERROR,
                    related=[
                        ctx.location(cluster, "Properties.StorageEncrypted", merged, message="the cluster's setting")
                    ],
                )


@check(
    "RDS008",
    "rds-tls-not-enforced",
    WARNING,
    types=[RDS_INSTANCE, RDS_CLUSTER],
    fix="Use a custom parameter group with `rds.force_ssl: 1` (PostgreSQL, SQL Server) or"
    " `require_secure_transport: 'ON'` (MySQL, MariaDB).",
)
def rds_tls_not_enforced(database, ctx):
    """Databases should refuse unencrypted client connections.

    AWS default: the default parameter groups accept plaintext connections, except RDS for
    PostgreSQL 15 and later, whose default sets rds.force_ssl 1 (verified in the RDS user guide:
    "By default, RDS for PostgreSQL uses and expects all clients to connect using SSL/TLS";
    an absent EngineVersion means the current default version, 15 or later). Aurora cluster
    members are judged on their cluster's DBClusterParameterGroupName. Oracle (option groups) is
    not judged; a parameter group passed as a parameter or imported is unknown and not reported.
    """
    if database.type == RDS_INSTANCE:
        if any(alt.value is not ABSENT for alt in ctx.values(database, "Properties.DBClusterIdentifier")):
            return
        group_key, group_type = "DBParameterGroupName", "AWS::RDS::DBParameterGroup"
    else:
        group_key, group_type = "DBClusterParameterGroupName", "AWS::RDS::DBClusterParameterGroup"
    values = (ctx.values(database, f"Properties.{n}") for n in ("Engine", "EngineVersion", group_key))
    for scenario, (engine, version, group) in ctx.joint(*values):
        if not isinstance(engine, str) or engine.lower() not in tls.RDS_TLS_PARAMETER:
            continue
        engine = engine.lower()
        parameter = tls.RDS_TLS_PARAMETER[engine]
        wanted = "1" if parameter == tls.RDS_FORCE_SSL else "'ON'"
        if group is ABSENT or isinstance(group, str):
            if version is not ABSENT and not isinstance(version, (str, int, float)):
                continue
            if group is ABSENT and tls.rds_default_forces_tls(engine, None if version is ABSENT else version):
                continue
            yield ctx.finding(
                database,
                f"Properties.{group_key}",
                f"Set {group_key} to a custom parameter group with {parameter}: {wanted}: the default group accepts"
                " unencrypted connections.",
                scenario,
            )
            continue
        target = ctx.target(group)
        if target is None or target.type != group_type:
            continue
        for alt in ctx.values(target, ("Properties", "Parameters", parameter)):
            merged = ctx.merge(scenario, alt.scenario)
            if merged is None or isinstance(alt.value, (Unknown, Reference)):
                continue
            if alt.value is ABSENT or not tls.rds_tls_parameter_on(alt.value):
                yield ctx.finding(
                    database,
                    f"Properties.{group_key}",
                    f"Set {parameter}: {wanted} in parameter group {target.logical_id}: it accepts unencrypted"
                    " connections.",
                    merged,
                    related=[ctx.location(target, "Properties.Parameters", merged, message="the parameter group")],
                )


# -- DynamoDB and DAX --------------------------------------------------------------------------


@check(
    "DDB002",
    "ddb-encryption-aws-owned-key",
    INFO,
    types=["AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable", "AWS::Serverless::SimpleTable"],
    fix="Set `SSESpecification: {SSEEnabled: true}` (AWS managed key), with SSEType KMS and KMSMasterKeyId"
    " for a customer key.",
)
def ddb_encryption_key(table, ctx):
    """DynamoDB always encrypts tables at rest; choose a KMS key when key use must be auditable.

    AWS default: without SSESpecification (or with SSEEnabled false) the table is encrypted with
    an AWS owned key, invisible in CloudTrail and not controllable: info only. SSEEnabled true
    uses the AWS managed `aws/dynamodb` key or the customer key in KMSMasterKeyId; a
    KMSMasterKeyId without SSEEnabled true is rejected (error). Applies to SAM SimpleTable too.
    """
    enabled = ctx.values(table, "Properties.SSESpecification.SSEEnabled")
    if table.type == "AWS::DynamoDB::GlobalTable":
        replicas = ctx.elements(table, "Properties.Replicas")
        keys = [
            Alt(lookup(replica, "SSESpecification.KMSMasterKeyId"), scenario) for _, (replica, scenario) in replicas
        ]
    else:
        keys = ctx.values(table, "Properties.SSESpecification.KMSMasterKeyId")
    keyed = [alt for alt in keys if alt.value is not ABSENT] or [Alt(ABSENT)]
    for scenario, (flag, key) in ctx.joint(enabled, keyed):
        if as_bool(flag, False) is not False:
            continue
        if key is not ABSENT:
            message = "Set SSESpecification.SSEEnabled to true: a KMSMasterKeyId without it is rejected."
            yield ctx.finding(table, "Properties.SSESpecification.SSEEnabled", message, scenario, severity=ERROR)
        else:
            message = (
                "Set SSESpecification.SSEEnabled to true to use a KMS key you can audit"
                " (the table is encrypted with an AWS owned key)."
            )
            yield ctx.finding(table, "Properties.SSESpecification.SSEEnabled", message, scenario)


@check(
    "DDB003",
    "dax-encryption-disabled",
    WARNING,
    types=["AWS::DAX::Cluster"],
    fix="Set `SSESpecification: {SSEEnabled: true}` and `ClusterEndpointEncryptionType: TLS` when creating"
    " the cluster.",
)
def dax_encryption(cluster, ctx):
    """DAX clusters should encrypt their cache at rest and their client traffic.

    AWS default: SSESpecification.SSEEnabled false and ClusterEndpointEncryptionType NONE; both
    can only be set at creation (changing them replaces the cluster).
    """
    for alt in ctx.values(cluster, "Properties.SSESpecification.SSEEnabled"):
        if as_bool(alt.value, False) is False:
            yield ctx.finding(
                cluster,
                "Properties.SSESpecification.SSEEnabled",
                "Set SSESpecification.SSEEnabled to true: the cache is not encrypted at rest.",
                alt.scenario,
            )
    for alt in ctx.values(cluster, "Properties.ClusterEndpointEncryptionType"):
        if alt.value in (ABSENT, "NONE"):
            yield ctx.finding(
                cluster,
                "Properties.ClusterEndpointEncryptionType",
                "Set ClusterEndpointEncryptionType to TLS: clients talk to the cluster in plaintext.",
                alt.scenario,
            )


# -- ElastiCache -------------------------------------------------------------------------------


@check(
    "EC001",
    "ec-at-rest-encryption-disabled",
    WARNING,
    types=["AWS::ElastiCache::ReplicationGroup"],
    fix="Set `AtRestEncryptionEnabled: true` when creating the replication group.",
)
def elasticache_at_rest(group, ctx):
    """ElastiCache replication groups should encrypt data at rest (disks, swap and backups).

    AWS default: AtRestEncryptionEnabled false (creation-only). A KmsKeyId without it is
    rejected (error). Members of a global datastore (GlobalReplicationGroupId) inherit the
    primary's setting and are skipped; ElastiCache Serverless caches are always encrypted.
    """
    if any(alt.value is not ABSENT for alt in ctx.values(group, "Properties.GlobalReplicationGroupId")):
        return
    for scenario, (enabled, key) in ctx.joint(
        ctx.values(group, "Properties.AtRestEncryptionEnabled"), ctx.values(group, "Properties.KmsKeyId")
    ):
        if as_bool(enabled, False) is not False:
            continue
        yield _left_off(
            ctx,
            group,
            "Properties.AtRestEncryptionEnabled",
            key,
            scenario,
            "cached data and backups are not encrypted at rest.",
        )


@check(
    "EC002",
    "ec-in-transit-encryption-disabled",
    WARNING,
    types=["AWS::ElastiCache::ReplicationGroup", "AWS::ElastiCache::CacheCluster"],
    fix="Set `TransitEncryptionEnabled: true`.",
)
def elasticache_in_transit(cache, ctx):
    """ElastiCache traffic between clients and nodes should be encrypted with TLS.

    AWS default: TransitEncryptionEnabled false. A Redis OSS replication group without it →
    warning; a Valkey group without it → error (required, per the catalog); an AuthToken without
    it is rejected (error); a Memcached cluster without it → info. Redis CacheClusters are
    not judged here (in-transit encryption is a replication-group feature for Redis).
    """
    names = ("TransitEncryptionEnabled", "Engine", "AuthToken")
    for scenario, (enabled, engine, token) in ctx.joint(*(ctx.values(cache, f"Properties.{n}") for n in names)):
        if as_bool(enabled, False) is not False or not isinstance(engine, str) and engine is not ABSENT:
            continue
        engine = "redis" if engine is ABSENT and cache.type.endswith("ReplicationGroup") else engine
        path = "Properties.TransitEncryptionEnabled"
        if token is not ABSENT:
            yield ctx.finding(
                cache,
                path,
                "Set TransitEncryptionEnabled to true: an AuthToken without it is rejected.",
                scenario,
                severity=ERROR,
            )
        elif cache.type.endswith("CacheCluster"):
            if engine == "memcached":
                yield ctx.finding(
                    cache,
                    path,
                    "Set TransitEncryptionEnabled to true: Memcached traffic is in plaintext.",
                    scenario,
                    severity=INFO,
                )
        elif engine == "valkey":
            yield ctx.finding(
                cache,
                path,
                "Set TransitEncryptionEnabled to true: Valkey replication groups require in-transit encryption.",
                scenario,
                severity=ERROR,
            )
        elif engine == "redis":
            yield ctx.finding(
                cache,
                path,
                "Set TransitEncryptionEnabled to true: Redis traffic between clients and nodes is in plaintext.",
                scenario,
            )


# -- EBS and EFS -------------------------------------------------------------------------------


@check(
    "EBS001",
    "ebs-unencrypted",
    WARNING,
    types=["AWS::EC2::Volume", *BLOCK_DEVICE_TYPES],
    options={"ebs_encryption_by_default": False},
    fix="Set `Encrypted: true` on the volume or the block-device mapping's Ebs.",
)
def ebs_unencrypted(resource, ctx):
    """EBS volumes should be encrypted, whether declared alone or in block-device mappings.

    AWS default: Encrypted false, unless the account-level EBS encryption by default is on —
    invisible to a template, so set the check option `ebs_encryption_by_default: true` for such
    accounts. A volume created from a SnapshotId inherits the snapshot's encryption; root volumes
    not listed in the mappings come from the AMI; both are unknown and not reported. Instance-store
    and NoDevice mappings create no EBS volume. A KmsKeyId without Encrypted true is rejected (error).
    """
    default = bool(ctx.options.get("ebs_encryption_by_default"))
    if resource.type == "AWS::EC2::Volume":
        volumes = [
            ((), alt.value, alt.scenario) for alt in ctx.values(resource, "Properties") if isinstance(alt.value, dict)
        ]
        volumes = [(("Properties",), v, s) for _, v, s in volumes]
    else:
        volumes = list(ebs_mappings(ctx, resource))
    for path, ebs, scenario in volumes:
        encrypted, key, snapshot = (lookup(ebs, n) for n in ("Encrypted", "KmsKeyId", "SnapshotId"))
        flag = as_bool(encrypted, True if default or snapshot is not ABSENT else False)
        if flag is not False:
            continue
        if key is not ABSENT or snapshot is ABSENT:  # a volume from a snapshot is encrypted like the snapshot
            yield _left_off(ctx, resource, path + ("Encrypted",), key, scenario, "this EBS volume is not encrypted.")


@check(
    "EFS001",
    "efs-unencrypted",
    WARNING,
    types=["AWS::EFS::FileSystem"],
    fix="Set `Encrypted: true` (and KmsKeyId for a customer key) when creating the file system.",
)
def efs_unencrypted(filesystem, ctx):
    """EFS file systems should be encrypted at rest.

    AWS default through CloudFormation and the API: Encrypted false (the console defaults to
    true). Changing it replaces the file system. A KmsKeyId without Encrypted true is rejected (error).
    """
    for scenario, (encrypted, key) in ctx.joint(
        ctx.values(filesystem, "Properties.Encrypted"), ctx.values(filesystem, "Properties.KmsKeyId")
    ):
        if as_bool(encrypted, False) is not False:
            continue
        yield _left_off(
            ctx, filesystem, "Properties.Encrypted", key, scenario, "the file system is not encrypted at rest."
        )


# -- Elastic Load Balancing --------------------------------------------------------------------

LISTENER = "AWS::ElasticLoadBalancingV2::Listener"
LISTENER_RULE = "AWS::ElasticLoadBalancingV2::ListenerRule"
ALB = "AWS::ElasticLoadBalancingV2::LoadBalancer"
CLB = "AWS::ElasticLoadBalancing::LoadBalancer"


def _plain_http_actions(actions) -> bool:
    """Actions that serve the request (forward, authenticate…) instead of redirecting it to HTTPS
    or answering with a fixed response."""
    if not isinstance(actions, list):
        return False
    for action in actions:
        kind = lookup(action, "Type")
        if not isinstance(kind, str):
            return False
        if kind == "fixed-response":
            continue
        if kind == "redirect":
            protocol = lookup(action, "RedirectConfig.Protocol")
            if protocol == "HTTPS" or not is_known(protocol):
                continue
            return True
        if kind in ("forward", "authenticate-oidc", "authenticate-cognito"):
            return True
    return False


def _alb_exposure(ctx, listener, scenario):
    """(scenario, internet-facing?) of the in-template ALB a listener belongs to."""
    for alt in ctx.values(listener, "Properties.LoadBalancerArn"):
        merged = scenario.merge(alt.scenario)
        balancer = ctx.target(alt.value)
        if merged is None or balancer is None or balancer.type != ALB:
            continue
        for scenario_, (scheme, kind) in ctx.joint(
            ctx.values(balancer, "Properties.Scheme"), ctx.values(balancer, "Properties.Type"), within=merged
        ):
            if kind in (ABSENT, "application") and scheme in (ABSENT, "internet-facing", "internal"):
                yield scenario_, scheme != "internal"


@check(
    "ELB001",
    "elb-listener-not-https",
    WARNING,
    types=[LISTENER, LISTENER_RULE, CLB],
    fix="Serve HTTPS (port 443 with a certificate) and make the HTTP listener redirect to HTTPS.",
)
def elb_listener_not_https(resource, ctx):
    """Internet-facing load balancers should not serve plain HTTP.

    AWS default: Scheme internet-facing, Type application. An internet-facing ALB's HTTP
    listener whose default action neither redirects to HTTPS nor answers with a fixed response
    → warning; listener rules of such a listener that forward → warning; an internet-facing
    Classic Load Balancer with only HTTP/TCP listeners → warning; internal load balancers → info.
    NLB TCP listeners are not judged (TLS may pass through to the targets). A listener whose
    load balancer is not in the template is not judged.
    """
    if resource.type == CLB:
        yield from _clb_not_https(resource, ctx)
        return
    if resource.type == LISTENER_RULE:
        for scenario, (listener_ref, actions) in ctx.joint(
            ctx.values(resource, "Properties.ListenerArn"), ctx.values(resource, "Properties.Actions")
        ):
            listener = ctx.target(listener_ref)
            if listener is None or listener.type != LISTENER or not _plain_http_actions(actions):
                continue
            for alt in ctx.values(listener, "Properties.Protocol"):
                merged = scenario.merge(alt.scenario)
                if alt.value != "HTTP" or merged is None:
                    continue
                for where, public in _alb_exposure(ctx, listener, merged):
                    yield ctx.finding(
                        resource,
                        "Properties.Actions",
                        "This rule serves plain HTTP on an HTTP listener: redirect to HTTPS instead, or attach it to"
                        " an HTTPS listener.",
                        where,
                        severity=None if public else INFO,
                    )
        return
    for scenario, (protocol, actions) in ctx.joint(
        ctx.values(resource, "Properties.Protocol"), ctx.values(resource, "Properties.DefaultActions")
    ):
        if protocol != "HTTP" or not _plain_http_actions(actions):
            continue
        for where, public in _alb_exposure(ctx, resource, scenario):
            audience = "the internet" if public else "clients inside the VPC"
            yield ctx.finding(
                resource,
                "Properties.Protocol",
                f"This HTTP listener serves {audience} in plaintext: add an HTTPS listener and make this one redirect"
                " (RedirectConfig Protocol HTTPS, StatusCode HTTP_301).",
                where,
                severity=None if public else INFO,
            )


def _clb_not_https(balancer, ctx):
    for scenario, (scheme, listeners) in ctx.joint(
        ctx.values(balancer, "Properties.Scheme"), ctx.values(balancer, "Properties.Listeners")
    ):
        if scheme not in (ABSENT, "internet-facing", "internal") or not isinstance(listeners, list) or not listeners:
            continue
        protocols = [lookup(listener, "Protocol") for listener in listeners]
        if not all(isinstance(p, str) for p in protocols) or any(p.upper() in ("HTTPS", "SSL") for p in protocols):
            continue
        public = scheme != "internal"
        audience = "internet-facing" if public else "internal"
        yield ctx.finding(
            balancer,
            "Properties.Listeners",
            f"Add an HTTPS (or SSL) listener with SSLCertificateId: this {audience} Classic Load Balancer"
            " only serves HTTP/TCP in plaintext.",
            scenario,
            severity=None if public else INFO,
        )


@check(
    "ELB002",
    "elb-tls-policy-outdated",
    WARNING,
    types=[LISTENER, CLB],
    fix=f"Set `SslPolicy: {tls.ELB_RECOMMENDED_POLICY}` (or another TLS 1.2+ policy).",
)
def elb_tls_policy_outdated(resource, ctx):
    """HTTPS and TLS listeners should refuse TLS 1.0 and 1.1.

    AWS default: the AWS::ElasticLoadBalancingV2::Listener reference gives no default for
    SslPolicy, but the Elastic Load Balancing guide does (re-verified): the console proposes
    ELBSecurityPolicy-TLS13-1-2-Res-2021-06, while listeners created by other means (CLI,
    CloudFormation, CDK) get ELBSecurityPolicy-2016-08, which accepts TLS 1.0 — so an absent
    SslPolicy is reported. Policies whose name marks a TLS 1.2 minimum (TLS13-1-2, TLS13-1-3,
    TLS-1-2, FS-1-2) pass. A Classic Load Balancer HTTPS/SSL listener passes only with an
    SSLNegotiationPolicyType policy referencing such a policy (or disabling TLSv1 and TLSv1.1).
    """
    if resource.type == CLB:
        yield from _clb_tls_policy(resource, ctx)
        return
    for scenario, (protocol, policy) in ctx.joint(
        ctx.values(resource, "Properties.Protocol"), ctx.values(resource, "Properties.SslPolicy")
    ):
        if protocol not in ("HTTPS", "TLS"):
            continue
        if policy is ABSENT:
            yield ctx.finding(
                resource,
                "Properties.SslPolicy",
                f"Set SslPolicy to {tls.ELB_RECOMMENDED_POLICY}: without it the listener gets"
                f" {tls.ELB_API_DEFAULT_POLICY}, which accepts TLS 1.0 and 1.1.",
                scenario,
            )
        elif isinstance(policy, str) and tls.elb_policy_allows_old_tls(policy):
            yield ctx.finding(
                resource,
                "Properties.SslPolicy",
                f"Replace SslPolicy {policy} with {tls.ELB_RECOMMENDED_POLICY}: it accepts TLS versions below 1.2.",
                scenario,
            )


def _clb_tls_policy(balancer, ctx):
    for path, (listener, scenario) in ctx.elements(balancer, "Properties.Listeners"):
        protocol = lookup(listener, "Protocol")
        names = lookup(listener, "PolicyNames")
        if (
            not isinstance(protocol, str)
            or protocol.upper() not in ("HTTPS", "SSL")
            or not isinstance(names, (list, type(ABSENT)))
        ):
            continue
        verdicts = [_clb_policy_is_modern(ctx, balancer, name, scenario) for name in as_list(names)]
        if any(v is None for v in verdicts) or any(verdicts):
            continue
        yield ctx.finding(
            balancer,
            path + ("PolicyNames",),
            f"Attach an SSLNegotiationPolicyType policy with Reference-Security-Policy {tls.CLB_RECOMMENDED_POLICY}:"
            " this listener accepts TLS 1.0 and 1.1.",
            scenario,
        )


def _clb_policy_is_modern(ctx, balancer, name, scenario) -> bool | None:
    """Whether the CLB policy ``name`` refuses TLS < 1.2; None when that cannot be known."""
    if not isinstance(name, str):
        return None
    for _, (policy, policy_scenario) in ctx.elements(balancer, "Properties.Policies"):
        if lookup(policy, "PolicyName") != name or scenario.merge(policy_scenario) is None:
            continue
        attributes = {}
        for attribute in as_list(lookup(policy, "Attributes")):
            key, value = lookup(attribute, "Name"), lookup(attribute, "Value")
            if not isinstance(key, str) or not is_known(value):
                return None
            attributes[key] = str(value).lower()
        reference = attributes.get("Reference-Security-Policy")
        if reference is not None:
            return not tls.elb_policy_allows_old_tls(reference)
        return attributes.get("Protocol-TLSv1") == "false" and attributes.get("Protocol-TLSv1.1") == "false"
    return False


@check(
    "ELB004",
    "elb-secure-listener-without-certificate",
    ERROR,
    types=[LISTENER, CLB],
    fix="Give the HTTPS/TLS listener exactly one default certificate in `Certificates`; add more with"
    " AWS::ElasticLoadBalancingV2::ListenerCertificate.",
)
def elb_secure_listener_without_certificate(resource, ctx):
    """A secure listener needs exactly one default certificate; CloudFormation fails otherwise.

    An HTTPS or TLS listener must list exactly one entry in Certificates (the default
    certificate; SNI certificates go in AWS::ElasticLoadBalancingV2::ListenerCertificate); a
    Classic Load Balancer HTTPS/SSL listener needs SSLCertificateId.
    """
    if resource.type == CLB:
        for path, (listener, scenario) in ctx.elements(resource, "Properties.Listeners"):
            protocol = lookup(listener, "Protocol")
            if (
                isinstance(protocol, str)
                and protocol.upper() in ("HTTPS", "SSL")
                and lookup(listener, "SSLCertificateId") is ABSENT
            ):
                yield ctx.finding(
                    resource,
                    path + ("SSLCertificateId",),
                    f"Add SSLCertificateId (an ACM or IAM certificate ARN) to this {protocol} listener: it cannot be"
                    " created without one.",
                    scenario,
                )
        return
    for scenario, (protocol, certificates) in ctx.joint(
        ctx.values(resource, "Properties.Protocol"), ctx.values(resource, "Properties.Certificates")
    ):
        if protocol not in ("HTTPS", "TLS") or not (certificates is ABSENT or isinstance(certificates, list)):
            continue
        count = len(certificates) if isinstance(certificates, list) else 0
        if count == 0:
            yield ctx.finding(
                resource,
                "Properties.Certificates",
                f"Add Certificates with one CertificateArn: an {protocol} listener cannot be created without a"
                " default certificate.",
                scenario,
            )
        elif count > 1:
            yield ctx.finding(
                resource,
                "Properties.Certificates",
                "Keep exactly one certificate in Certificates (the default); add the others with"
                " AWS::ElasticLoadBalancingV2::ListenerCertificate.",
                scenario,
            )


# -- CloudFront --------------------------------------------------------------------------------

DISTRIBUTION = "AWS::CloudFront::Distribution"


def _behaviors(ctx, distribution):
    """(path, behavior, scenario) of the default and every ordered cache behavior."""
    for alt in ctx.values(distribution, "Properties.DistributionConfig.DefaultCacheBehavior"):
        if isinstance(alt.value, dict):
            yield ("Properties", "DistributionConfig", "DefaultCacheBehavior"), alt.value, alt.scenario
    for path, (behavior, scenario) in ctx.elements(distribution, "Properties.DistributionConfig.CacheBehaviors"):
        yield path, behavior, scenario


@check(
    "CF001",
    "cf-viewer-protocol-allows-http",
    WARNING,
    types=[DISTRIBUTION],
    fix="Set `ViewerProtocolPolicy: redirect-to-https` (or https-only) on every cache behavior.",
)
def cf_viewer_protocol(distribution, ctx):
    """CloudFront should not serve viewers over plain HTTP.

    ViewerProtocolPolicy is required on every behavior; `allow-all` serves HTTP and HTTPS alike,
    `redirect-to-https` and `https-only` pass.
    """
    for path, behavior, scenario in _behaviors(ctx, distribution):
        if lookup(behavior, "ViewerProtocolPolicy") == "allow-all":
            yield ctx.finding(
                distribution,
                path + ("ViewerProtocolPolicy",),
                "Set ViewerProtocolPolicy to redirect-to-https: allow-all serves viewers over plain HTTP.",
                scenario,
            )


@check(
    "CF002",
    "cf-minimum-tls-version",
    WARNING,
    types=[DISTRIBUTION],
    fix=f"Use an ACM certificate with `MinimumProtocolVersion: {tls.CLOUDFRONT_RECOMMENDED}`.",
)
def cf_minimum_tls(distribution, ctx):
    """CloudFront viewers should need TLS 1.2 or later.

    AWS default: re-verified in the ViewerCertificate reference and the CloudFront API — with a
    custom certificate and MinimumProtocolVersion absent the security policy is TLSv1; with the
    default `*.cloudfront.net` certificate CloudFront sets TLSv1 whatever is specified. So: a
    custom certificate with the version absent or SSLv3/TLSv1/TLSv1_2016/TLSv1.1_2016 → warning;
    TLSv1.2_2018/2019 → info (prefer TLSv1.2_2021 or later); the default certificate → info (a
    custom domain with an ACM certificate is needed to enforce TLS 1.2).
    """
    base = ("Properties", "DistributionConfig", "ViewerCertificate")
    for alt in ctx.values(distribution, base):
        certificate = alt.value
        if isinstance(certificate, Unknown):
            continue
        custom = any(lookup(certificate, n) is not ABSENT for n in ("AcmCertificateArn", "IamCertificateId"))
        if not custom:
            yield ctx.finding(
                distribution,
                base,
                "The default *.cloudfront.net certificate accepts TLS 1.0: use an alias with an ACM certificate"
                f" (AcmCertificateArn) and MinimumProtocolVersion {tls.CLOUDFRONT_RECOMMENDED}.",
                alt.scenario,
                severity=INFO,
            )
            continue
        version = lookup(certificate, "MinimumProtocolVersion")
        path = base + ("MinimumProtocolVersion",)
        if version is ABSENT or version in tls.CLOUDFRONT_OLD_TLS:
            stated = "absent (TLSv1)" if version is ABSENT else version
            yield ctx.finding(
                distribution,
                path,
                f"Set MinimumProtocolVersion to {tls.CLOUDFRONT_RECOMMENDED}: it is {stated}, which accepts TLS"
                " 1.0/1.1.",
                alt.scenario,
            )
        elif version in tls.CLOUDFRONT_OLDER_TLS12:
            yield ctx.finding(
                distribution,
                path,
                f"Prefer MinimumProtocolVersion {tls.CLOUDFRONT_RECOMMENDED}: {version} keeps weaker TLS 1.2 ciphers.",
                alt.scenario,
                severity=INFO,
            )


def _is_s3_website(ctx, domain) -> bool | None:
    """Whether an origin domain is an S3 website endpoint (HTTP only by design); None when unknown."""
    if isinstance(domain, str):
        return ".s3-website" in domain or domain.startswith("s3-website")
    target = ctx.target(domain)
    if target is None:
        return None
    return target.type == "AWS::S3::Bucket"


@check(
    "CF003",
    "cf-origin-protocol-http",
    WARNING,
    types=[DISTRIBUTION],
    fix="Set `OriginProtocolPolicy: https-only` and `OriginSSLProtocols: [TLSv1.2]`.",
)
def cf_origin_protocol(distribution, ctx):
    """CloudFront should reach custom origins over HTTPS with TLS 1.2.

    `http-only` to an origin that is not an S3 website endpoint (which only speaks HTTP) →
    warning; `match-viewer` while a behavior targeting that origin is `allow-all` → warning
    (viewers on HTTP reach the origin on HTTP); OriginSSLProtocols listing SSLv3, TLSv1 or
    TLSv1.1 → warning. An origin whose domain cannot be known is not judged for http-only.
    """
    allow_all = {
        target
        for _, behavior, _ in _behaviors(ctx, distribution)
        if lookup(behavior, "ViewerProtocolPolicy") == "allow-all"
        and isinstance(target := lookup(behavior, "TargetOriginId"), str)
    }
    for path, (origin, scenario) in ctx.elements(distribution, "Properties.DistributionConfig.Origins"):
        config = lookup(origin, "CustomOriginConfig")
        if not isinstance(config, dict):
            continue
        policy = lookup(config, "OriginProtocolPolicy")
        where = path + ("CustomOriginConfig", "OriginProtocolPolicy")
        if policy == "http-only" and _is_s3_website(ctx, lookup(origin, "DomainName")) is False:
            yield ctx.finding(
                distribution,
                where,
                "Set OriginProtocolPolicy to https-only: CloudFront reaches this origin over plain HTTP.",
                scenario,
            )
        elif policy == "match-viewer" and isinstance(name := lookup(origin, "Id"), str) and name in allow_all:
            yield ctx.finding(
                distribution,
                where,
                "Set OriginProtocolPolicy to https-only (or the behaviors to redirect-to-https): viewers on HTTP"
                " reach this origin over HTTP.",
                scenario,
            )
        protocols = lookup(config, "OriginSSLProtocols")
        weak = (
            sorted(p for p in as_list(protocols) if p in tls.ORIGIN_OLD_PROTOCOLS)
            if isinstance(protocols, list)
            else []
        )
        if weak:
            yield ctx.finding(
                distribution,
                path + ("CustomOriginConfig", "OriginSSLProtocols"),
                f"Remove {', '.join(weak)} from OriginSSLProtocols: keep TLSv1.2.",
                scenario,
            )


# -- SQS and SNS -------------------------------------------------------------------------------


@check(
    "SQS002",
    "sqs-encryption-disabled",
    WARNING,
    types=["AWS::SQS::Queue"],
    fix="Remove `SqsManagedSseEnabled: false`, or set KmsMasterKeyId.",
)
def sqs_encryption_disabled(queue, ctx):
    """A queue that turns SSE-SQS off without a KMS key stores messages in plaintext.

    AWS default: new queues are encrypted with SSE-SQS unless SqsManagedSseEnabled is false, so a
    queue with neither setting passes (SQS003 suggests a customer key). SqsManagedSseEnabled true
    together with KmsMasterKeyId is rejected (the two are mutually exclusive): error.
    """
    for scenario, (sse, key) in ctx.joint(
        ctx.values(queue, "Properties.SqsManagedSseEnabled"), ctx.values(queue, "Properties.KmsMasterKeyId")
    ):
        flag = as_bool(sse)
        if flag is False and key is ABSENT:
            yield ctx.finding(
                queue,
                "Properties.SqsManagedSseEnabled",
                "Remove SqsManagedSseEnabled: false (SSE-SQS is the default), or set KmsMasterKeyId: the queue is"
                " not encrypted.",
                scenario,
            )
        elif flag is True and key is not ABSENT:
            yield ctx.finding(
                queue,
                "Properties.SqsManagedSseEnabled",
                "Remove SqsManagedSseEnabled: it cannot be true together with KmsMasterKeyId.",
                scenario,
                severity=ERROR,
            )


@check(
    "SQS003",
    "sqs-no-customer-managed-key",
    INFO,
    types=["AWS::SQS::Queue"],
    fix="Set KmsMasterKeyId to a customer managed KMS key when key policies or audits are needed.",
)
def sqs_no_customer_key(queue, ctx):
    """Queues encrypted only with SSE-SQS or the AWS managed key cannot restrict who decrypts.

    AWS default: SSE-SQS (SQS owned keys) when neither SqsManagedSseEnabled nor KmsMasterKeyId
    is set. A customer managed key is needed for key policies, cross-account producers or an
    audit of key use; `alias/aws/sqs` is the AWS managed key and cannot be shared either.
    """
    for scenario, (sse, key) in ctx.joint(
        ctx.values(queue, "Properties.SqsManagedSseEnabled"), ctx.values(queue, "Properties.KmsMasterKeyId")
    ):
        if key is ABSENT and as_bool(sse, True) is True:
            yield ctx.finding(
                queue,
                "Properties.KmsMasterKeyId",
                "Set KmsMasterKeyId to a customer managed key where key control is needed: the queue uses SSE-SQS.",
                scenario,
            )
        elif isinstance(key, str) and key.endswith("alias/aws/sqs"):
            yield ctx.finding(
                queue,
                "Properties.KmsMasterKeyId",
                "Replace alias/aws/sqs with a customer managed key where key control is needed.",
                scenario,
            )


@check(
    "SNS001",
    "sns-topic-unencrypted",
    INFO,
    types=["AWS::SNS::Topic"],
    fix="Set KmsMasterKeyId to a KMS key (a customer managed key whose policy allows the AWS services that"
    " publish to the topic; alias/aws/sns only for topics that no AWS service publishes to).",
)
def sns_topic_unencrypted(topic, ctx):
    """Encrypt topics that carry sensitive messages with a KMS key, to control who can read them.

    AWS default: re-verified — without KmsMasterKeyId SNS stores messages with its own disk
    encryption (Security Hub's SNS.1 control says so, and was retired from the AWS Foundational
    Security Best Practices in April 2024), so an absent key is info, like SQS003. AWS services
    that publish to the topic (S3 notifications, EventBridge rules, CloudWatch alarms, CloudTrail,
    services its topic policy allows) cannot use the AWS managed alias/aws/sns key: for such a
    topic the message asks for a customer managed key whose policy allows them.
    """
    for alt in ctx.values(topic, "Properties.KmsMasterKeyId"):
        if alt.value is not ABSENT:
            continue
        senders = service_senders(ctx, topic)
        if senders:
            key = (
                f"a customer managed key whose key policy lets {', '.join(senders)} call kms:GenerateDataKey* and"
                " kms:Decrypt (AWS services cannot use the AWS managed alias/aws/sns)"
            )
        else:
            key = "alias/aws/sns, or a customer managed key to control who can read the messages"
        yield ctx.finding(
            topic,
            "Properties.KmsMasterKeyId",
            "Set KmsMasterKeyId where the messages are sensitive (SNS applies only its own disk encryption): use"
            f" {key}.",
            alt.scenario,
        )


@check(
    "SNS005",
    "sns-http-subscription",
    WARNING,
    types=["AWS::SNS::Subscription", "AWS::SNS::Topic"],
    fix="Subscribe with Protocol https and an https:// endpoint.",
)
def sns_http_subscription(resource, ctx):
    """SNS delivers to HTTP endpoints in plaintext; subscribe with HTTPS."""
    if resource.type == "AWS::SNS::Topic":
        subscriptions = [
            (path, alt.value, alt.scenario) for path, alt in ctx.elements(resource, "Properties.Subscription")
        ]
    else:
        subscriptions = [
            (("Properties",), alt.value, alt.scenario)
            for alt in ctx.values(resource, "Properties")
            if isinstance(alt.value, dict)
        ]
    for path, subscription, scenario in subscriptions:
        protocol, endpoint = lookup(subscription, "Protocol"), lookup(subscription, "Endpoint")
        if protocol == "http" or (
            protocol == "https" and isinstance(endpoint, str) and endpoint.lower().startswith("http://")
        ):
            yield ctx.finding(
                resource,
                path + ("Protocol",),
                "Use Protocol https with an https:// endpoint: SNS delivers to this subscriber in plaintext.",
                scenario,
            )


# -- Kinesis -----------------------------------------------------------------------------------


@check(
    "KIN001",
    "kinesis-stream-unencrypted",
    WARNING,
    types=["AWS::Kinesis::Stream"],
    fix="Set `StreamEncryption: {EncryptionType: KMS, KeyId: alias/aws/kinesis}` (or a customer key).",
)
def kinesis_stream_unencrypted(stream, ctx):
    """Kinesis data streams should be encrypted at rest.

    AWS default: no StreamEncryption means records are stored unencrypted. EncryptionType KMS
    needs a KeyId (error without); `alias/aws/kinesis` passes.
    """
    for alt in ctx.values(stream, "Properties.StreamEncryption"):
        if alt.value is ABSENT:
            yield ctx.finding(
                stream,
                "Properties.StreamEncryption",
                "Add StreamEncryption with EncryptionType KMS and KeyId (alias/aws/kinesis or a customer key): the"
                " stream is not encrypted.",
                alt.scenario,
            )
        elif lookup(alt.value, "EncryptionType") == "KMS" and lookup(alt.value, "KeyId") is ABSENT:
            yield ctx.finding(
                stream,
                "Properties.StreamEncryption.EncryptionType",
                "Add StreamEncryption.KeyId: EncryptionType KMS requires a key.",
                alt.scenario,
                severity=ERROR,
            )


@check(
    "KIN002",
    "firehose-unencrypted",
    INFO,
    types=["AWS::KinesisFirehose::DeliveryStream"],
    fix="Set DeliveryStreamEncryptionConfigurationInput (KeyType AWS_OWNED_CMK or CUSTOMER_MANAGED_CMK)"
    " on DirectPut streams.",
)
def firehose_unencrypted(stream, ctx):
    """Firehose buffers records before delivery; encrypt the buffer and the destination.

    AWS default: DeliveryStreamType DirectPut; without DeliveryStreamEncryptionConfigurationInput
    the buffered records are not server-side encrypted (info). An S3 destination with
    NoEncryptionConfig still gets the bucket's default SSE-S3 (info). Encryption input on a
    KinesisStreamAsSource stream is rejected: the source stream's encryption applies (error).
    """
    names = ("DeliveryStreamType", "DeliveryStreamEncryptionConfigurationInput")
    for scenario, (kind, encryption) in ctx.joint(*(ctx.values(stream, f"Properties.{n}") for n in names)):
        if kind in (ABSENT, "DirectPut") and encryption is ABSENT:
            yield ctx.finding(
                stream,
                "Properties.DeliveryStreamEncryptionConfigurationInput",
                "Add DeliveryStreamEncryptionConfigurationInput with KeyType AWS_OWNED_CMK or CUSTOMER_MANAGED_CMK"
                " to encrypt buffered records.",
                scenario,
            )
        elif kind == "KinesisStreamAsSource" and encryption is not ABSENT:
            yield ctx.finding(
                stream,
                "Properties.DeliveryStreamEncryptionConfigurationInput",
                "Remove DeliveryStreamEncryptionConfigurationInput: a stream reading from Kinesis uses the source"
                " stream's encryption.",
                scenario,
                severity=ERROR,
            )
    for destination in ("S3DestinationConfiguration", "ExtendedS3DestinationConfiguration"):
        path = ("Properties", destination, "EncryptionConfiguration", "NoEncryptionConfig")
        for alt in ctx.values(stream, path):
            if alt.value == "NoEncryption":
                yield ctx.finding(
                    stream,
                    path,
                    "Set EncryptionConfiguration.KMSEncryptionConfig to encrypt delivered objects with your key"
                    " (only the bucket default applies now).",
                    alt.scenario,
                )


# -- API Gateway -------------------------------------------------------------------------------


@check(
    "APIGW001",
    "apigw-domain-tls-policy",
    WARNING,
    types=["AWS::ApiGateway::DomainName", "AWS::ApiGatewayV2::DomainName", "AWS::Serverless::Api"],
    fix=f"Set `SecurityPolicy: {tls.APIGW_RECOMMENDED_POLICY}`.",
)
def apigw_domain_tls(resource, ctx):
    """API custom domains should refuse TLS 1.0.

    AWS default: re-verified — the AWS::ApiGateway::DomainName reference lists TLS_1_0 and TLS_1_2
    without stating a default, and API Gateway's guide says REST endpoints without a chosen policy
    use TLS 1.0, so an absent SecurityPolicy on a REST domain (and on a SAM Api `Domain`) is
    reported. HTTP APIs accept only TLS 1.2 (AWS::ApiGatewayV2::DomainName): only an explicit
    TLS_1_0 is reported there. An EDGE domain (the REST default) needs CertificateArn from
    us-east-1 and a REGIONAL domain needs RegionalCertificateArn (error otherwise).
    """
    if resource.type == "AWS::ApiGatewayV2::DomainName":
        for path, (config, scenario) in ctx.elements(resource, "Properties.DomainNameConfigurations"):
            if lookup(config, "SecurityPolicy") in tls.APIGW_OLD_TLS:
                yield ctx.finding(
                    resource,
                    path + ("SecurityPolicy",),
                    f"Set SecurityPolicy to {tls.APIGW_RECOMMENDED_POLICY}: TLS_1_0 accepts TLS 1.0 and 1.1.",
                    scenario,
                )
        return
    base = ("Properties",) if resource.type == "AWS::ApiGateway::DomainName" else ("Properties", "Domain")
    for alt in ctx.values(resource, base):
        domain = alt.value
        if not isinstance(domain, dict):
            continue
        policy = lookup(domain, "SecurityPolicy")
        if policy is ABSENT or policy in tls.APIGW_OLD_TLS:
            stated = "absent (TLS 1.0 is used)" if policy is ABSENT else policy
            yield ctx.finding(
                resource,
                base + ("SecurityPolicy",),
                f"Set SecurityPolicy to {tls.APIGW_RECOMMENDED_POLICY}: it is {stated}.",
                alt.scenario,
            )
        if resource.type == "AWS::ApiGateway::DomainName":
            yield from _apigw_certificate(ctx, resource, domain, alt.scenario)


def _apigw_certificate(ctx, domain_name, domain, scenario):
    types = lookup(domain, "EndpointConfiguration.Types")
    if not (types is ABSENT or isinstance(types, list) and all(isinstance(t, str) for t in types)):
        return
    endpoint = "EDGE" if types is ABSENT or not types else types[0]
    if endpoint == "REGIONAL" and lookup(domain, "RegionalCertificateArn") is ABSENT:
        yield ctx.finding(
            domain_name,
            "Properties.RegionalCertificateArn",
            "Add RegionalCertificateArn: a REGIONAL domain name needs a certificate from its own region.",
            scenario,
            severity=ERROR,
        )
    certificate = lookup(domain, "CertificateArn")
    if (
        endpoint == "EDGE"
        and isinstance(certificate, str)
        and certificate.startswith("arn:")
        and certificate.split(":")[3] != "us-east-1"
    ):
        yield ctx.finding(
            domain_name,
            "Properties.CertificateArn",
            "Use a certificate from us-east-1: edge-optimized domain names only accept ACM certificates issued there.",
            scenario,
            severity=ERROR,
        )


# -- Logs and trails ---------------------------------------------------------------------------


@check(
    "LOGS001",
    "logs-not-kms-encrypted",
    INFO,
    types=["AWS::Logs::LogGroup"],
    fix="Set KmsKeyId to a customer managed key whose policy allows logs.<region>.amazonaws.com.",
)
def logs_not_kms_encrypted(group, ctx):
    """CloudWatch Logs encrypts log groups with a service key; a customer key adds control.

    AWS default: always encrypted at rest with CloudWatch Logs' own key; KmsKeyId absent is info,
    worth acting on for groups that receive CloudTrail, VPC flow or API access logs.
    """
    for alt in ctx.values(group, "Properties.KmsKeyId"):
        if alt.value is ABSENT:
            yield ctx.finding(
                group,
                "Properties.KmsKeyId",
                "Set KmsKeyId to a customer managed key where you need to control or audit who reads these logs"
                " (they are encrypted with a service key).",
                alt.scenario,
            )


@check(
    "TRAIL003",
    "cloudtrail-no-kms-key",
    INFO,
    types=["AWS::CloudTrail::Trail"],
    fix="Set KMSKeyId to a customer managed key whose policy allows cloudtrail.amazonaws.com.",
)
def cloudtrail_no_kms_key(trail, ctx):
    """Trail log files are encrypted with SSE-S3; a KMS key adds an access check on reading them.

    AWS default: SSE-S3 on the log files. CIS-style baselines require KMSKeyId: raise this
    check's severity in configuration where they apply.
    """
    for alt in ctx.values(trail, "Properties.KMSKeyId"):
        if alt.value is ABSENT:
            yield ctx.finding(
                trail,
                "Properties.KMSKeyId",
                "Set KMSKeyId to a customer managed key so that reading the logs also needs kms:Decrypt (files use"
                " SSE-S3 now).",
                alt.scenario,
            )


# -- Redshift ----------------------------------------------------------------------------------


@check(
    "REDSHIFT001",
    "redshift-unencrypted",
    WARNING,
    types=["AWS::Redshift::Cluster"],
    fix="Set `Encrypted: true` (and KmsKeyId for a customer key).",
)
def redshift_unencrypted(cluster, ctx):
    """Redshift clusters should be encrypted at rest.

    AWS default: re-verified — the AWS::Redshift::Cluster reference does not state that new
    clusters are encrypted when Encrypted is absent (the 2025 secure-by-default change could not be
    confirmed there), so, as the catalog directs, an absent Encrypted is a warning like false.
    """
    for alt in ctx.values(cluster, "Properties.Encrypted"):
        if as_bool(alt.value, False) is False:
            yield ctx.finding(
                cluster,
                "Properties.Encrypted",
                "Set Encrypted to true: the cluster's data and snapshots are not encrypted at rest.",
                alt.scenario,
            )


@check(
    "REDSHIFT003",
    "redshift-ssl-not-required",
    WARNING,
    types=["AWS::Redshift::Cluster"],
    fix="Use a cluster parameter group with `require_ssl: 'true'`.",
)
def redshift_ssl_not_required(cluster, ctx):
    """Redshift should refuse unencrypted client connections.

    AWS default: re-verified — the resource reference does not confirm that default parameter
    groups now set require_ssl true, so, as the catalog directs, a cluster on the default group
    is reported; a custom group must set require_ssl "true". A group passed as a parameter is unknown.
    """
    for alt in ctx.values(cluster, "Properties.ClusterParameterGroupName"):
        group = alt.value
        if group is ABSENT or isinstance(group, str):
            yield ctx.finding(
                cluster,
                "Properties.ClusterParameterGroupName",
                "Use a custom cluster parameter group with require_ssl set to true: the default group accepts"
                " unencrypted connections.",
                alt.scenario,
            )
            continue
        target = ctx.target(group)
        if target is None or target.type != "AWS::Redshift::ClusterParameterGroup":
            continue
        settings = {
            name: lookup(parameter, "ParameterValue")
            for _, (parameter, _) in ctx.elements(target, "Properties.Parameters")
            if isinstance(name := lookup(parameter, "ParameterName"), str)
        }
        required = settings.get("require_ssl", ABSENT)
        if required is ABSENT or is_known(required) and str(required).lower() != "true":
            yield ctx.finding(
                cluster,
                "Properties.ClusterParameterGroupName",
                f"Set require_ssl to true in parameter group {target.logical_id}: the cluster accepts unencrypted"
                " connections.",
                alt.scenario,
                related=[ctx.location(target, "Properties.Parameters", alt.scenario, message="the parameter group")],
            )


# -- OpenSearch --------------------------------------------------------------------------------

DOMAINS = ["AWS::OpenSearchService::Domain", "AWS::Elasticsearch::Domain"]


@check(
    "ES001",
    "es-encryption-at-rest-disabled",
    WARNING,
    types=DOMAINS,
    fix="Set `EncryptionAtRestOptions: {Enabled: true}` (and KmsKeyId for a customer key).",
)
def es_encryption_at_rest(domain, ctx):
    """OpenSearch domains should encrypt their indices, logs and snapshots at rest.

    AWS default: EncryptionAtRestOptions.Enabled false. A KmsKeyId without Enabled true is rejected (error).
    """
    names = ("EncryptionAtRestOptions.Enabled", "EncryptionAtRestOptions.KmsKeyId")
    for scenario, (enabled, key) in ctx.joint(*(ctx.values(domain, f"Properties.{n}") for n in names)):
        if as_bool(enabled, False) is not False:
            continue
        yield _left_off(
            ctx,
            domain,
            "Properties.EncryptionAtRestOptions.Enabled",
            key,
            scenario,
            "the domain's data is not encrypted at rest.",
        )


@check(
    "ES002",
    "es-in-transit-encryption-disabled",
    WARNING,
    types=DOMAINS,
    fix="Set NodeToNodeEncryptionOptions.Enabled true, DomainEndpointOptions.EnforceHTTPS true and"
    f" TLSSecurityPolicy {tls.OPENSEARCH_RECOMMENDED_POLICY}.",
)
def es_in_transit(domain, ctx):
    """OpenSearch domains should encrypt traffic between nodes and require HTTPS with TLS 1.2.

    AWS default: NodeToNodeEncryptionOptions.Enabled false, DomainEndpointOptions.EnforceHTTPS
    false, TLSSecurityPolicy Policy-Min-TLS-1-0-2019-07 (judged only where HTTPS is enforced).
    """
    for alt in ctx.values(domain, "Properties.NodeToNodeEncryptionOptions.Enabled"):
        if as_bool(alt.value, False) is False:
            yield ctx.finding(
                domain,
                "Properties.NodeToNodeEncryptionOptions.Enabled",
                "Set NodeToNodeEncryptionOptions.Enabled to true: traffic between nodes is in plaintext.",
                alt.scenario,
            )
    names = ("DomainEndpointOptions.EnforceHTTPS", "DomainEndpointOptions.TLSSecurityPolicy")
    for scenario, (https, policy) in ctx.joint(*(ctx.values(domain, f"Properties.{n}") for n in names)):
        enforced = as_bool(https, False)
        if enforced is False:
            yield ctx.finding(
                domain,
                "Properties.DomainEndpointOptions.EnforceHTTPS",
                "Set DomainEndpointOptions.EnforceHTTPS to true: the domain accepts plain HTTP.",
                scenario,
            )
        elif enforced and (
            policy is ABSENT or isinstance(policy, str) and tls.opensearch_policy_allows_old_tls(policy)
        ):
            stated = "absent (Policy-Min-TLS-1-0-2019-07)" if policy is ABSENT else policy
            yield ctx.finding(
                domain,
                "Properties.DomainEndpointOptions.TLSSecurityPolicy",
                f"Set TLSSecurityPolicy to {tls.OPENSEARCH_RECOMMENDED_POLICY}: it is {stated}, which accepts TLS 1.0.",
                scenario,
            )
