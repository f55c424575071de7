"""Encryption in transit at API Gateway custom domain names."""

from __future__ import annotations

from cfncheck.analysis import tls
from cfncheck.api import ABSENT, ERROR, WARNING, Child, check, lookup


@check(
    "APIGW001",
    "apigw-domain-tls-policy",
    WARNING,
    types=["AWS::ApiGateway::DomainName", "AWS::ApiGatewayV2::DomainName", "AWS::Serverless::Api"],
    fix=f"Set `SecurityPolicy: {tls.APIGW_RECOMMENDED_POLICY}`.",
    tags=("security",),
    children=[
        Child(
            "APIGW020",
            "apigw-domain-certificate-invalid",
            ERROR,
            """An API Gateway custom domain name whose certificate does not fit its endpoint type, which
            API Gateway rejects: an edge-optimized domain (EDGE, the default) needs an ACM
            certificate issued in us-east-1 (CertificateArn), a REGIONAL one a certificate of its
            own region (RegionalCertificateArn).""",
            fix="Give an EDGE domain a us-east-1 CertificateArn, a REGIONAL domain a RegionalCertificateArn.",
            deploy_failure=True,
            formerly=("APIGW001",),
        )
    ],
)
def apigw_domain_tls(resource, ctx):
    """API custom domains should refuse TLS 1.0.

    AWS default: re-verified — the AWS::ApiGateway::DomainName reference lists TLS_1_0 and TLS_1_2
    without stating a default, and API Gateway's guide says REST endpoints without a chosen policy
    use TLS 1.0, so an absent SecurityPolicy on a REST domain (and on a SAM Api `Domain`) is
    reported. HTTP APIs accept only TLS 1.2 (AWS::ApiGatewayV2::DomainName): only an explicit
    TLS_1_0 is reported there. An EDGE domain (the REST default) needs CertificateArn from
    us-east-1 and a REGIONAL domain needs RegionalCertificateArn (APIGW020 otherwise).
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
            rule="APIGW020",
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
            rule="APIGW020",
        )
