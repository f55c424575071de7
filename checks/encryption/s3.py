"""Encryption of S3 buckets: HTTPS-only access and default encryption."""

from __future__ import annotations

from cfncheck.analysis import bucket_policies as bp
from cfncheck.api import ABSENT, ERROR, INFO, WARNING, Alt, Child, Unknown, as_bool, check, lookup


@check(
    "S3004",
    "s3-tls-not-enforced",
    WARNING,
    types=["AWS::S3::Bucket"],
    fix='Add a bucket policy statement: Effect Deny, Principal "*", Action "s3:*", Resource the bucket ARN and '
    '"<bucket ARN>/*", Condition Bool aws:SecureTransport "false".',
    tags=("security",),
    children=[
        Child(
            "S3027",
            "s3-policy-allows-anyone-over-tls",
            ERROR,
            """A bucket policy Allow to ``Principal: "*"`` whose only condition is
            ``aws:SecureTransport: true``: the condition does not restrict who may call, so it
            grants anonymous access to anyone who uses HTTPS — usually written meaning to enforce
            TLS, which takes a Deny when aws:SecureTransport is false.""",
            fix='Replace the Allow with a Deny for Principal "*" when aws:SecureTransport is "false", and grant'
            " access to named principals.",
            formerly=("S3004",),
        ),
        Child(
            "S3028",
            "s3-website-served-over-http",
            INFO,
            """A website bucket (WebsiteConfiguration) is served by the S3 website endpoint, which
            only speaks HTTP: a Deny on aws:SecureTransport false would take the site down. Advice:
            serve the site through CloudFront over HTTPS, from the bucket's REST endpoint with
            origin access control.""",
            fix="Serve the site through CloudFront (ViewerProtocolPolicy redirect-to-https) from the bucket's REST"
            " endpoint with origin access control.",
            formerly=("S3004",),
        ),
    ],
)
def s3_tls_not_enforced(bucket, ctx):
    """S3 accepts plain HTTP requests unless the bucket policy denies them.

    AWS default: a bucket without a policy serves authorised requests over HTTP and HTTPS.
    The practice is a Deny for everyone on `s3:*` over the bucket and its objects when
    `aws:SecureTransport` is false (or `s3:TlsVersion` is below 1.2). An Allow to everyone
    guarded only by `aws:SecureTransport: true` grants anonymous access over TLS (S3027).
    Policies are matched to the bucket by Ref, literal name or a name built with Sub/Join;
    a policy whose bucket cannot be known makes the check silent. A website bucket
    (WebsiteConfiguration) is served by the S3 website endpoint, which only speaks HTTP: that Deny
    would take the site down, so the advice there is CloudFront over HTTPS (S3028).
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
                    rule="S3027",
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
            rule="S3028",
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
    tags=("security",),
    children=[
        Child(
            "S3029",
            "s3-kms-key-with-aes256",
            ERROR,
            """A KMSMasterKeyID in a default encryption rule whose SSEAlgorithm is AES256 (SSE-S3):
            S3 rejects a KMS key there, so the stack fails.""",
            fix="Remove KMSMasterKeyID, or set SSEAlgorithm to aws:kms.",
            deploy_failure=True,
            formerly=("S3005",),
        ),
        Child(
            "S3030",
            "s3-kms-upload-deny-without-kms-default",
            WARNING,
            """A bucket policy that denies uploads without ``aws:kms`` encryption while the bucket's
            default encryption is SSE-S3: every upload that relies on the default (no encryption
            header) is denied.""",
            fix="Set the bucket's default SSEAlgorithm to aws:kms, or drop the Deny.",
            formerly=("S3005",),
        ),
    ],
)
def s3_default_encryption(bucket, ctx):
    """State the bucket's default encryption; use SSE-KMS with a customer key where key control matters.

    AWS default: since January 2023 S3 encrypts every new object with SSE-S3, so an absent
    BucketEncryption is advice only. KMSMasterKeyID with SSEAlgorithm AES256 is rejected (S3029);
    a bucket policy that denies uploads without `aws:kms` while the default is SSE-S3 denies
    every upload relying on the default (S3030); `aws:kms` without BucketKeyEnabled costs a
    KMS request per object, and without KMSMasterKeyID uses the AWS managed key, which other
    accounts cannot use (both reported here).
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
                rule="S3029",
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
                        rule="S3030",
                        related=[
                            ctx.location(
                                bucket, "Properties.BucketEncryption", merged, message="the bucket's default encryption"
                            )
                        ],
                    )
