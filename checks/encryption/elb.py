"""Encryption in transit at load balancers: HTTPS listeners, TLS policies and certificates."""

from __future__ import annotations

from cfncheck.analysis import tls
from cfncheck.api import ABSENT, ERROR, INFO, WARNING, Child, Link, as_list, check, is_known, lookup

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


def _alb_exposure(ctx, listener: Link, scenario):
    """(scenario, internet-facing?) of the ALB a listener belongs to, in the run's templates."""
    for alt in listener.values("Properties.LoadBalancerArn"):
        merged = scenario.merge(alt.scenario)
        balancer = listener.follow(alt.value, alt.scenario)
        if merged is None or balancer is None or balancer.type != ALB:
            continue
        for scenario_, (scheme, kind) in ctx.joint(
            balancer.values("Properties.Scheme"), balancer.values("Properties.Type"), within=merged
        ):
            if kind in (ABSENT, "application") and scheme in (ABSENT, "internet-facing", "internal"):
                yield scenario_, scheme != "internal"


@check(
    "ELB001",
    "elb-listener-not-https",
    WARNING,
    types=[LISTENER, LISTENER_RULE, CLB],
    fix="Serve HTTPS (port 443 with a certificate) and make the HTTP listener redirect to HTTPS.",
    tags=("security",),
    children=[
        Child(
            "ELB020",
            "elb-internal-listener-not-https",
            INFO,
            """An internal load balancer that serves plain HTTP: traffic inside the VPC is in
            plaintext. Advice: the VPC limits who can listen, but end-to-end TLS protects against
            anything that can read it.""",
            fix="Serve HTTPS on the internal load balancer too, or accept plaintext inside the VPC.",
            formerly=("ELB001",),
        )
    ],
)
def elb_listener_not_https(resource, ctx):
    """Internet-facing load balancers should not serve plain HTTP.

    AWS default: Scheme internet-facing, Type application. An internet-facing ALB's HTTP
    listener whose default action neither redirects to HTTPS nor answers with a fixed response
    is reported; so are listener rules of such a listener that forward, and an internet-facing
    Classic Load Balancer with only HTTP/TCP listeners; internal load balancers are ELB020.
    NLB TCP listeners are not judged (TLS may pass through to the targets). A listener whose
    load balancer is not in the run (a parameter, an import from a template not checked) is not judged.
    """
    if resource.type == CLB:
        yield from _clb_not_https(resource, ctx)
        return
    if resource.type == LISTENER_RULE:
        for scenario, (listener_ref, actions) in ctx.joint(
            ctx.values(resource, "Properties.ListenerArn"), ctx.values(resource, "Properties.Actions")
        ):
            listener = ctx.follow(listener_ref, scenario)
            if listener is None or listener.type != LISTENER or not _plain_http_actions(actions):
                continue
            for alt in listener.values("Properties.Protocol"):
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
                        rule=None if public else "ELB020",
                    )
        return
    for scenario, (protocol, actions) in ctx.joint(
        ctx.values(resource, "Properties.Protocol"), ctx.values(resource, "Properties.DefaultActions")
    ):
        if protocol != "HTTP" or not _plain_http_actions(actions):
            continue
        for where, public in _alb_exposure(ctx, Link(resource, ctx.analysis, scenario), scenario):
            audience = "the internet" if public else "clients inside the VPC"
            yield ctx.finding(
                resource,
                "Properties.Protocol",
                f"This HTTP listener serves {audience} in plaintext: add an HTTPS listener and make this one redirect"
                " (RedirectConfig Protocol HTTPS, StatusCode HTTP_301).",
                where,
                rule=None if public else "ELB020",
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
            rule=None if public else "ELB020",
        )


@check(
    "ELB002",
    "elb-tls-policy-outdated",
    WARNING,
    types=[LISTENER, CLB],
    fix=f"Set `SslPolicy: {tls.ELB_RECOMMENDED_POLICY}` (or another TLS 1.2+ policy).",
    tags=("security",),
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
    tags=("security",),
    deploy_failure=True,
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
