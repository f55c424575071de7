"""Exposure: public access through resource policies, ACLs and network placement (catalog section 3.4, tier 1).

Resource policies are read through ``cfncheck.analysis.policy``; "public" means ``Principal: "*"``,
``{"AWS": "*"}`` or an Allow with NotPrincipal, and a public grant is acceptable when a condition
limits it to known accounts, organizations, sources or networks (``policy.restricted``).
"""

from __future__ import annotations

from cfncheck.analysis.policy import (
    RESOURCE,
    SOURCE_KEYS,
    Statement,
    foreign_accounts,
    fully_known,
    grants,
    is_public,
    only_secure_transport,
    policy_statements,
    restricted,
    service_name,
    services,
    strings,
)
from cfncheck.analysis.subnets import public_subnets
from cfncheck.api import ABSENT, ERROR, INFO, WARNING, Context, Resource, Scenario, as_bool, check

PUBLIC_ACCESS_FLAGS = ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")
ECR_PUSH_ACTIONS = ("ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload")
QUEUE_DEPUTIES = ("sns", "s3", "events")
FUNCTION_DEPUTIES = ("s3", "sns", "events", "apigateway", "elasticloadbalancing", "cognito-idp", "logs")
INVOKE_ACTIONS = ("lambda:invokefunction", "lambda:invokefunctionurl")
CONDITIONS_HINT = "aws:SourceArn, aws:SourceAccount, aws:PrincipalOrgID or aws:SourceVpce"
# A target group registers its Lambda target only once the permission exists, so the permission
# cannot Ref the target group (a circular dependency): the fix needs its ARN built by hand.
_SOURCE_ARN_HINTS = {
    "elasticloadbalancing": ": the target group's ARN, built with Fn::Sub from its Name "
    "(arn:${AWS::Partition}:elasticloadbalancing:${AWS::Region}:${AWS::AccountId}:targetgroup/<name>/*), "
    "since the target group depends on this permission",
}


def _resource_policy(resource: Resource, ctx: Context):
    return (s for s in policy_statements(ctx, resource, (RESOURCE,)) if s.allows)


def _open(statement: Statement) -> str | None:
    """The key of a public grant that no condition restricts (Principal or NotPrincipal), else None."""
    if restricted(statement):
        return None
    if statement.not_principal is not None:
        return "NotPrincipal"
    return "Principal" if is_public(statement.principal) else None


@check(
    "KMS002",
    "kms-key-policy-open-principal",
    ERROR,
    types=["AWS::KMS::Key"],
    fix="Name the accounts or roles that may use the key, or add a kms:CallerAccount, kms:ViaService or "
    "aws:PrincipalOrgID condition.",
    tags=("security",),
)
def kms_key_policy_open(key, ctx):
    """A key policy that allows anyone (``Principal: "*"``) to use a key, with no condition on the
    caller's account, service or organization, lets any AWS account decrypt with it.

    A statement granting a foreign account (known only when the deploy account is configured) without
    a ``kms:ViaService`` condition is info: cross-account use is sometimes intended."""
    for statement in _resource_policy(key, ctx):
        key_name = _open(statement)
        if key_name:
            yield ctx.finding(
                key,
                statement.at(key_name),
                "Anyone can use this key: name the trusted principals, or add a kms:CallerAccount, kms:ViaService "
                "or aws:PrincipalOrgID condition.",
                statement.scenario,
            )
            continue
        foreign = foreign_accounts(ctx, statement.principal)
        if foreign and not restricted(statement, frozenset({"kms:viaservice"})):
            yield ctx.finding(
                key,
                statement.at("Principal"),
                f"Account {', '.join(foreign)} can use this key directly: add a kms:ViaService condition if it "
                "only needs the key through a service.",
                statement.scenario,
                severity=INFO,
            )


@check(
    "S3001",
    "s3-public-acl",
    ERROR,
    types=["AWS::S3::Bucket"],
    fix="Remove AccessControl (or set Private) and grant access with a bucket policy to named principals.",
    tags=("security",),
)
def s3_public_acl(bucket, ctx):
    """A public canned ACL (PublicRead, PublicReadWrite, AuthenticatedRead) opens the bucket's listing to
    everyone, and PublicReadWrite lets anyone write to it.

    Since April 2023 new buckets have ACLs disabled (``ObjectOwnership: BucketOwnerEnforced``) and Block
    Public Access on: a public ACL then makes the stack fail (error). Only where ObjectOwnership allows
    ACLs and BlockPublicAcls is explicitly off does a read ACL deploy — and the bucket is public (warning).
    PublicReadWrite is always an error."""
    for scenario, (acl, ownership, block_config, block_acls) in ctx.joint(
        ctx.values(bucket, "Properties.AccessControl"),
        ctx.values(bucket, "Properties.OwnershipControls.Rules.0.ObjectOwnership"),
        ctx.values(bucket, "Properties.PublicAccessBlockConfiguration"),
        ctx.values(bucket, "Properties.PublicAccessBlockConfiguration.BlockPublicAcls"),
    ):
        if acl not in ("PublicRead", "PublicReadWrite", "AuthenticatedRead"):
            continue
        acls_disabled = ownership is ABSENT or ownership == "BucketOwnerEnforced"
        blocked = block_config is ABSENT or as_bool(block_acls) is True
        if acl == "PublicReadWrite":
            message = "Remove AccessControl PublicReadWrite: it lets anyone write to and delete from the bucket."
            severity = ERROR
        elif acls_disabled or blocked:
            reason = (
                "ACLs are disabled (ObjectOwnership BucketOwnerEnforced, the default)"
                if acls_disabled
                else "BlockPublicAcls is on"
            )
            message = f"Remove AccessControl {acl}: {reason}, so the stack fails; grant access with a bucket policy."
            severity = ERROR
        elif ownership in ("ObjectWriter", "BucketOwnerPreferred") and as_bool(block_acls) is False:
            message = f"Remove AccessControl {acl}: it makes the bucket readable by everyone."
            severity = WARNING
        else:
            continue  # the ownership or block setting is not known
        yield ctx.finding(bucket, "Properties.AccessControl", message, scenario, severity=severity)


def _read_only(action: str) -> bool:
    return action.lower().startswith(("s3:get", "s3:list"))


@check(
    "S3002",
    "s3-bucket-policy-public",
    ERROR,
    types=["AWS::S3::BucketPolicy"],
    fix="Grant named principals (or CloudFront through OAC) instead of '*', or add a condition such as "
    "aws:SourceVpce, aws:SourceArn or aws:PrincipalOrgID.",
    tags=("security",),
)
def s3_bucket_policy_public(policy, ctx):
    """A bucket policy that allows anyone (``Principal: "*"`` or NotPrincipal), with no condition on
    source, network or organization, makes the bucket public.

    Write, delete, ``s3:*``, policy or ACL actions are errors; read-only actions (``s3:Get*``,
    ``s3:List*``) are warnings, and info on a bucket with WebsiteConfiguration (an intentional website).
    A statement whose only condition is ``aws:SecureTransport: true`` is left to S3004."""
    for statement in _resource_policy(policy, ctx):
        key = _open(statement)
        if key is None or only_secure_transport(statement):
            continue
        if statement.not_actions is not None:
            writes = ["every action but " + ", ".join(strings(statement.not_actions))]
        elif strings(statement.actions):
            writes = [a for a in strings(statement.actions) if not _read_only(a)]
        else:
            continue
        if writes:
            yield ctx.finding(
                policy,
                statement.at(key),
                f"Anyone can call {', '.join(writes)} on this bucket: grant named principals instead of '*', or "
                "add a condition (aws:SourceVpce, aws:SourceArn, aws:PrincipalOrgID).",
                statement.scenario,
            )
            continue
        for scenario, website in _website(ctx, policy, statement.scenario):
            if website:
                message = (
                    "This website bucket is readable by everyone: if that is intended, consider serving it "
                    "through CloudFront with origin access control and keeping the bucket private."
                )
            else:
                message = (
                    "Anyone can read this bucket: grant CloudFront (origin access control) or named principals "
                    "instead of '*', or add a condition (aws:SourceVpce, aws:SourceArn, aws:PrincipalOrgID)."
                )
            yield ctx.finding(policy, statement.at(key), message, scenario, severity=INFO if website else WARNING)


def _website(ctx: Context, policy: Resource, scenario: Scenario) -> list[tuple[Scenario, bool]]:
    """Whether the policy's bucket (when in the run) has WebsiteConfiguration, per scenario."""
    result = []
    for merged, (value,) in ctx.joint(ctx.values(policy, "Properties.Bucket"), within=scenario):
        bucket = ctx.follow(value, merged)
        if bucket is None or bucket.type != "AWS::S3::Bucket":
            result.append((merged, False))
            continue
        for inner, (website,) in ctx.joint(bucket.values("Properties.WebsiteConfiguration"), within=merged):
            result.append((inner, website is not ABSENT))
    return result


@check(
    "S3003",
    "s3-public-access-block-disabled",
    WARNING,
    types=["AWS::S3::Bucket"],
    fix="Set all four PublicAccessBlockConfiguration flags (BlockPublicAcls, BlockPublicPolicy, IgnorePublicAcls, "
    "RestrictPublicBuckets) to true.",
    options={"public_intent_tags": []},
    tags=("security",),
)
def s3_public_access_block(bucket, ctx):
    """Block Public Access is the account's safety net against a public ACL or policy; a bucket that
    turns a flag off (explicitly, or by omitting it from a configuration it writes: omitted flags are
    false) can be made public by a later change.

    Since April 2023 new buckets have all four flags on by default, so an absent configuration exposes
    nothing: info only, to document the intent. A flag off on a bucket with WebsiteConfiguration, or
    with a tag listed in the ``public_intent_tags`` option, is info."""
    intent_tags = {str(tag) for tag in ctx.options.get("public_intent_tags", ())}
    for scenario, (config, website, tags) in ctx.joint(
        ctx.values(bucket, "Properties.PublicAccessBlockConfiguration"),
        ctx.values(bucket, "Properties.WebsiteConfiguration"),
        ctx.values(bucket, "Properties.Tags"),
    ):
        path = "Properties.PublicAccessBlockConfiguration"
        if config is ABSENT:
            yield ctx.finding(
                bucket,
                path,
                "Add PublicAccessBlockConfiguration with all four flags true to state that the bucket is never "
                "public (new buckets block public access by default).",
                scenario,
                severity=INFO,
            )
            continue
        if not isinstance(config, dict):
            continue
        off = [flag for flag in PUBLIC_ACCESS_FLAGS if as_bool(config.get(flag, False)) is False]
        if not off:
            continue
        explicit = [flag for flag in off if flag in config]
        tagged = isinstance(tags, list) and any(isinstance(t, dict) and t.get("Key") in intent_tags for t in tags)
        intended = website is not ABSENT or tagged
        yield ctx.finding(
            bucket,
            f"{path}.{explicit[0]}" if explicit else path,
            f"Set {', '.join(off)} to true in PublicAccessBlockConfiguration"
            + (" (omitted flags are false)." if len(explicit) < len(off) else "."),
            scenario,
            severity=INFO if intended else WARNING,
        )


@check(
    "RDS001",
    "rds-publicly-accessible",
    ERROR,
    types=["AWS::RDS::DBInstance"],
    fix="Set PubliclyAccessible: false and place the instance in a DB subnet group of private subnets.",
    tags=("security",),
)
def rds_publicly_accessible(instance, ctx):
    """A database reachable from the internet is one leaked password away from a breach; databases
    belong in private subnets.

    PubliclyAccessible true is an error. When it is absent, AWS decides: the instance is public when
    its subnets route to an internet gateway, so a subnet group with a public subnet of the template
    is a warning, and so is an instance without DBSubnetGroupName (it lands in the default VPC, whose
    subnets are public). Aurora instances take the subnet group of their cluster. Subnets the
    template does not show are unknown and not reported."""
    for scenario, (public, group, cluster, source) in ctx.joint(
        ctx.values(instance, "Properties.PubliclyAccessible"),
        ctx.values(instance, "Properties.DBSubnetGroupName"),
        ctx.values(instance, "Properties.DBClusterIdentifier"),
        ctx.values(instance, "Properties.SourceDBInstanceIdentifier"),
    ):
        if as_bool(public) is True:
            yield ctx.finding(
                instance,
                "Properties.PubliclyAccessible",
                "Set PubliclyAccessible to false: the database is reachable from the internet.",
                scenario,
            )
            continue
        if public is not ABSENT or source is not ABSENT:
            continue  # private, not known, or a read replica placed like its source
        if group is ABSENT and cluster is not ABSENT:
            owner = ctx.local(cluster)  # subnets are classified from the route tables this template shows
            if owner is None or owner.type != "AWS::RDS::DBCluster":
                continue
            for joint, (value,) in ctx.joint(ctx.values(owner, "Properties.DBSubnetGroupName"), within=scenario):
                yield from _placement(ctx, instance, value, joint)
            continue
        yield from _placement(ctx, instance, group, scenario)


def _placement(ctx: Context, instance: Resource, group, scenario: Scenario):
    if group is ABSENT:
        yield ctx.finding(
            instance,
            "Properties.PubliclyAccessible",
            "Set PubliclyAccessible: false (or a DBSubnetGroupName of private subnets): without a subnet group the "
            "instance goes to the default VPC, whose subnets are public.",
            scenario,
            severity=WARNING,
        )
        return
    subnet_group = ctx.local(group)
    if subnet_group is None or subnet_group.type != "AWS::RDS::DBSubnetGroup":
        return
    public = {subnet.logical_id: when for subnet, when in public_subnets(ctx)}
    for joint, (subnets,) in ctx.joint(ctx.values(subnet_group, "Properties.SubnetIds"), within=scenario):
        for subnet in subnets if isinstance(subnets, list) else ():
            target = ctx.local(subnet)
            when = public.get(target.logical_id) if target is not None else None
            merged = ctx.merge(when, joint) if when is not None else None
            if merged is not None:
                yield ctx.finding(
                    instance,
                    "Properties.PubliclyAccessible",
                    f"Set PubliclyAccessible: false: the subnet group has public subnet {target.logical_id} (routed to "
                    "an internet gateway), where the instance is public by default.",
                    merged,
                    severity=WARNING,
                )
                return


@check(
    "SQS008",
    "sqs-queue-policy-open",
    ERROR,
    types=["AWS::SQS::QueuePolicy", "AWS::SQS::QueueInlinePolicy"],
    fix=f"Name the principals, or add a condition ({CONDITIONS_HINT}); give service principals an aws:SourceArn.",
    tags=("security",),
)
def sqs_queue_policy_open(policy, ctx):
    """A queue policy that allows anyone (``Principal: "*"`` or NotPrincipal), with no condition on
    source or organization, lets any AWS account send, read or purge messages.

    A service principal (SNS, S3, EventBridge) without ``aws:SourceArn``/``aws:SourceAccount`` lets the
    service act for any account (confused deputy: warning); ``sqs:*`` or ``*`` to a foreign account is a
    warning, other foreign-account grants info (foreign accounts are known only when the deploy account
    is configured)."""
    for statement in _resource_policy(policy, ctx):
        key = _open(statement)
        if key:
            yield ctx.finding(
                policy,
                statement.at(key),
                f"Anyone can use this queue: name the principals, or add a condition ({CONDITIONS_HINT}).",
                statement.scenario,
            )
            continue
        yield from _deputies(ctx, policy, statement, QUEUE_DEPUTIES)
        foreign = foreign_accounts(ctx, statement.principal)
        if foreign:
            everything = grants(statement, "sqs:DeleteQueue")
            yield ctx.finding(
                policy,
                statement.at("Principal"),
                f"Account {', '.join(foreign)} is granted "
                + ("every queue action: grant only the actions it needs." if everything else "access to this queue.")
                + " Check that this cross-account access is intended.",
                statement.scenario,
                severity=WARNING if everything else INFO,
            )


def _deputies(ctx: Context, resource: Resource, statement: Statement, deputies: tuple[str, ...]):
    unguarded = [s for s in services(statement.principal) if service_name(s) in deputies]
    if unguarded and not restricted(statement, SOURCE_KEYS):
        yield ctx.finding(
            resource,
            statement.at("Principal"),
            f"Add an aws:SourceArn (or aws:SourceAccount) condition for {', '.join(unguarded)}: without it the "
            "service can be made to act for any account (confused deputy).",
            statement.scenario,
            severity=WARNING,
        )


@check(
    "SNS003",
    "sns-topic-policy-open",
    ERROR,
    types=["AWS::SNS::TopicPolicy", "AWS::SNS::TopicInlinePolicy"],
    fix="Name the principals, or add an aws:SourceArn, aws:SourceAccount or aws:PrincipalOrgID condition.",
    tags=("security",),
)
def sns_topic_policy_open(policy, ctx):
    """A topic policy that lets anyone (``Principal: "*"`` or NotPrincipal) publish or subscribe, with no
    condition on source or organization, lets any AWS account send messages to every subscriber or read
    them all. A grant to a foreign account (known when the deploy account is configured) is info."""
    for statement in _resource_policy(policy, ctx):
        key = _open(statement)
        if key and (grants(statement, "sns:Publish") or grants(statement, "sns:Subscribe")):
            yield ctx.finding(
                policy,
                statement.at(key),
                "Anyone can publish to or subscribe to this topic: name the principals, or add an aws:SourceArn, "
                "aws:SourceAccount or aws:PrincipalOrgID condition.",
                statement.scenario,
            )
        elif not key and (foreign := foreign_accounts(ctx, statement.principal)):
            yield ctx.finding(
                policy,
                statement.at("Principal"),
                f"Account {', '.join(foreign)} is granted access to this topic: check that it is intended.",
                statement.scenario,
                severity=INFO,
            )


@check(
    "LAMBDA003",
    "lambda-permission-too-broad",
    ERROR,
    types=["AWS::Lambda::Permission", "AWS::Lambda::Url"],
    fix="Set SourceArn (and SourceAccount for S3) on service permissions, avoid Principal '*', grant only "
    "lambda:InvokeFunction, and use AuthType AWS_IAM for function URLs.",
    tags=("security",),
)
def lambda_permission_too_broad(resource, ctx):
    """A Lambda permission for ``Principal: "*"`` without SourceArn, SourceAccount or PrincipalOrgID lets
    anyone invoke the function (error); a service principal without SourceArn lets that service invoke it
    for any account's resources (confused deputy), and S3 also needs SourceAccount because bucket ARNs
    carry no account (warnings); an Action other than lambda:InvokeFunction(Url) grants more than invoking
    (warning). A function URL with AuthType NONE is publicly invocable (warning)."""
    if resource.type == "AWS::Lambda::Url":
        for alt in ctx.values(resource, "Properties.AuthType"):
            if alt.value == "NONE":
                yield ctx.finding(
                    resource,
                    "Properties.AuthType",
                    "Set AuthType to AWS_IAM: with NONE anyone on the internet can invoke the function URL.",
                    alt.scenario,
                    severity=WARNING,
                )
        return
    for scenario, (principal, source_arn, source_account, org, url_auth, action) in ctx.joint(
        *(
            ctx.values(resource, f"Properties.{key}")
            for key in ("Principal", "SourceArn", "SourceAccount", "PrincipalOrgID", "FunctionUrlAuthType", "Action")
        )
    ):
        if principal == "*":
            if source_arn is ABSENT and source_account is ABSENT and org is ABSENT and url_auth != "AWS_IAM":
                yield ctx.finding(
                    resource,
                    "Properties.Principal",
                    "Anyone can invoke this function: set SourceArn, SourceAccount or PrincipalOrgID, or name the "
                    "principal.",
                    scenario,
                )
        elif (
            isinstance(principal, str)
            and service_name(principal) in FUNCTION_DEPUTIES
            and ".amazonaws.com" in principal
        ):
            needed = {"SourceArn": source_arn, "SourceAccount": source_account}
            if service_name(principal) != "s3":
                needed.pop("SourceAccount")
            missing = [k for k, v in needed.items() if v is ABSENT]
            if missing:
                yield ctx.finding(
                    resource,
                    "Properties.Principal",
                    f"Set {' and '.join(missing)} so that {principal} can invoke the function only for your own "
                    f"resources (confused deputy){_SOURCE_ARN_HINTS.get(service_name(principal), '')}.",
                    scenario,
                    severity=WARNING,
                )
        if isinstance(action, str) and action.lower() not in INVOKE_ACTIONS:
            yield ctx.finding(
                resource,
                "Properties.Action",
                f"Grant lambda:InvokeFunction (or lambda:InvokeFunctionUrl) instead of {action}.",
                scenario,
                severity=WARNING,
            )


@check(
    "ECR001",
    "ecr-repository-policy-public",
    ERROR,
    types=["AWS::ECR::Repository"],
    fix="Name the accounts that may pull (and push), or add an aws:PrincipalOrgID condition.",
    tags=("security",),
)
def ecr_repository_policy_public(repository, ctx):
    """A repository policy for ``Principal: "*"`` without an organization or account condition makes the
    images public (warning); if it also allows push actions anyone can replace them (error)."""
    for statement in _resource_policy(repository, ctx):
        key = _open(statement)
        if key is None or not (fully_known(statement.actions) or statement.not_actions is not None):
            continue
        push = [a for a in ECR_PUSH_ACTIONS if grants(statement, a)]
        yield ctx.finding(
            repository,
            statement.at(key),
            (
                f"Anyone can push images ({', '.join(push)}) to this repository: name the accounts, or add an "
                "aws:PrincipalOrgID condition."
                if push
                else "Anyone can pull images from this repository: name the accounts, or add an aws:PrincipalOrgID "
                "condition."
            ),
            statement.scenario,
            severity=ERROR if push else WARNING,
        )


@check(
    "REDSHIFT002",
    "redshift-publicly-accessible",
    ERROR,
    types=["AWS::Redshift::Cluster"],
    fix="Set PubliclyAccessible: false and reach the cluster from inside the VPC.",
    tags=("security",),
)
def redshift_publicly_accessible(cluster, ctx):
    """A Redshift cluster reachable from the internet exposes the warehouse to password guessing.
    Absent means private (the default for clusters created since 2025 is not publicly accessible)."""
    for alt in ctx.values(cluster, "Properties.PubliclyAccessible"):
        if as_bool(alt.value) is True:
            yield ctx.finding(
                cluster,
                "Properties.PubliclyAccessible",
                "Set PubliclyAccessible to false: the cluster is reachable from the internet.",
                alt.scenario,
            )
