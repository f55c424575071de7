"""CloudFront distributions the service refuses."""

from __future__ import annotations

import re

from cfncheck.analysis.policy import text_of
from cfncheck.api import ERROR, check

_CERTIFICATE_REGION = re.compile(r"^arn:[\w-]+:acm:([a-z0-9-]+):")


@check(
    "CF004",
    "cf-viewer-certificate-invalid",
    ERROR,
    types=["AWS::CloudFront::Distribution"],
    fix="Use an ACM certificate issued in us-east-1, and set SslSupportMethod (sni-only) with it.",
    example="Resources:\n  Cdn:\n    Type: AWS::CloudFront::Distribution\n    Properties:\n      DistributionConfig:\n"
    "        Enabled: true\n        DefaultCacheBehavior: {TargetOriginId: site, ViewerProtocolPolicy: https-only,\n"
    "          CachePolicyId: 658327ea-f89d-4fab-a63d-7e88639e58f6}\n"
    "        Origins: [{Id: site, DomainName: example.com, CustomOriginConfig: {OriginProtocolPolicy: https-only}}]\n"
    "        ViewerCertificate:\n"
    "          AcmCertificateArn: arn:aws:acm:eu-west-1:123456789012:certificate/0123abcd-0123-abcd-0123-0123456789ab\n"
    "          SslSupportMethod: sni-only",
    deploy_failure=True,
)
def viewer_certificate_invalid(distribution, ctx):
    """A viewer certificate CloudFront refuses: an ACM certificate from another region than
    us-east-1 ("The specified SSL certificate doesn't exist, isn't in us-east-1 region, isn't
    valid, or doesn't include a valid certificate chain"), or an ACM or IAM certificate without
    SslSupportMethod. Source: the AWS::CloudFront::Distribution ViewerCertificate reference
    ("you must also specify a value for SslSupportMethod"; "the ACM certificate must be in the US
    East (N. Virginia) Region")."""
    for alt in ctx.values(distribution, "Properties.DistributionConfig.ViewerCertificate"):
        certificate = alt.value
        if not isinstance(certificate, dict):
            continue
        arn = text_of(certificate.get("AcmCertificateArn"))
        region = _CERTIFICATE_REGION.match(arn) if arn else None
        if region and "${" not in region.group(1) and region.group(1) != "us-east-1":
            message = (
                f"The ACM certificate is in {region.group(1)}: CloudFront takes certificates from us-east-1 only "
                "(\"The specified SSL certificate doesn't exist, isn't in us-east-1 region…\")."
            )
            path = "Properties.DistributionConfig.ViewerCertificate.AcmCertificateArn"
            yield ctx.finding(distribution, path, message, alt.scenario)
        named = [key for key in ("AcmCertificateArn", "IamCertificateId") if key in certificate]
        if named and "SslSupportMethod" not in certificate:
            message = f"{named[0]} without SslSupportMethod: CloudFront refuses it. Set SslSupportMethod sni-only."
            yield ctx.finding(distribution, "Properties.DistributionConfig.ViewerCertificate", message, alt.scenario)
