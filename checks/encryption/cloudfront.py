"""Encryption in transit through CloudFront: viewers, minimum TLS version and origins."""

from __future__ import annotations

from cfncheck.analysis import tls
from cfncheck.api import ABSENT, INFO, WARNING, Child, Unknown, as_list, check, lookup

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
    tags=("security",),
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
    tags=("security",),
    children=[
        Child(
            "CF013",
            "cf-default-certificate-tls",
            INFO,
            """A distribution served with the default *.cloudfront.net certificate, which accepts
            TLS 1.0 whatever MinimumProtocolVersion says: enforcing TLS 1.2 takes an alias (a
            custom domain) with an ACM certificate. Advice, since the default domain is often
            used on purpose.""",
            fix=f"Add Aliases and an ACM certificate (AcmCertificateArn) with MinimumProtocolVersion"
            f" {tls.CLOUDFRONT_RECOMMENDED}.",
            formerly=("CF002",),
        ),
        Child(
            "CF014",
            "cf-tls-policy-not-latest",
            INFO,
            f"""A TLS 1.2 security policy older than {tls.CLOUDFRONT_RECOMMENDED} (TLSv1.2_2018,
            TLSv1.2_2019): it refuses TLS 1.0 and 1.1 but keeps weaker TLS 1.2 ciphers.""",
            fix=f"Set `MinimumProtocolVersion: {tls.CLOUDFRONT_RECOMMENDED}`.",
            formerly=("CF002",),
        ),
    ],
)
def cf_minimum_tls(distribution, ctx):
    """CloudFront viewers should need TLS 1.2 or later.

    AWS default: re-verified in the ViewerCertificate reference and the CloudFront API — with a
    custom certificate and MinimumProtocolVersion absent the security policy is TLSv1; with the
    default `*.cloudfront.net` certificate CloudFront sets TLSv1 whatever is specified. So: a
    custom certificate with the version absent or SSLv3/TLSv1/TLSv1_2016/TLSv1.1_2016 is
    reported; TLSv1.2_2018/2019 is CF014 (prefer TLSv1.2_2021 or later); the default certificate
    is CF013 (a custom domain with an ACM certificate is needed to enforce TLS 1.2).
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
                rule="CF013",
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
                rule="CF014",
            )


def _is_s3_website(ctx, domain) -> bool | None:
    """Whether an origin domain is an S3 website endpoint (HTTP only by design); None when unknown."""
    if isinstance(domain, str):
        return ".s3-website" in domain or domain.startswith("s3-website")
    target = ctx.follow(domain)
    if target is None:
        return None
    return target.type == "AWS::S3::Bucket"


@check(
    "CF003",
    "cf-origin-protocol-http",
    WARNING,
    types=[DISTRIBUTION],
    fix="Set `OriginProtocolPolicy: https-only` and `OriginSSLProtocols: [TLSv1.2]`.",
    tags=("security",),
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
