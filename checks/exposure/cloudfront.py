"""CloudFront: S3 origins the distribution reads without origin access control, so the bucket
must be public (catalog section 3.8, tier 2)."""

from __future__ import annotations

from cfncheck.api import ABSENT, WARNING, check

DISTRIBUTION = "AWS::CloudFront::Distribution"


def _unset(value) -> bool:
    return value is ABSENT or value is None or value == ""


@check(
    "CF005",
    "cf-s3-origin-without-oac",
    WARNING,
    types=[DISTRIBUTION],
    fix="Create an AWS::CloudFront::OriginAccessControl, set the origin's OriginAccessControlId, and let only "
    "cloudfront.amazonaws.com (with the distribution's aws:SourceArn) read the bucket.",
    tags=("security",),
    example="\nOrigins:\n  - {Id: site, DomainName: !GetAtt Bucket.RegionalDomainName, S3OriginConfig: {}}",
)
def s3_origin_without_oac(distribution, ctx):
    """An S3 origin (``S3OriginConfig``) with neither an origin access control nor an origin access
    identity is read anonymously: the bucket must allow public reads, so anyone can fetch the
    objects around CloudFront (its WAF, signed URLs, geo restrictions and logs). AWS recommends
    origin access control (OAC); an origin access identity, the legacy way, passes here. S3 website
    endpoints are custom origins and are not judged."""
    origins = ("Properties", "DistributionConfig", "Origins")
    for path, alt in ctx.elements(distribution, origins):
        origin = alt.value
        if not isinstance(origin, dict) or not isinstance(origin.get("S3OriginConfig"), dict):
            continue
        identity = origin["S3OriginConfig"].get("OriginAccessIdentity", ABSENT)
        if _unset(identity) and _unset(origin.get("OriginAccessControlId", ABSENT)):
            yield ctx.finding(
                distribution,
                path + ("S3OriginConfig",),
                f"Origin {origin.get('Id', '')} reads its bucket without origin access control: CloudFront can "
                "serve it only if the bucket is public (else viewers get 403). Set OriginAccessControlId and grant "
                "only CloudFront in the bucket policy.",
                alt.scenario,
            )
