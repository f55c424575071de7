"""Encryption of OpenSearch and Elasticsearch domains: at rest and in transit."""

from __future__ import annotations

from cfncheck.analysis import tls
from cfncheck.api import ABSENT, WARNING, as_bool, check

from . import flag_off, key_without_flag

DOMAINS = ["AWS::OpenSearchService::Domain", "AWS::Elasticsearch::Domain"]


@check(
    "ES001",
    "es-encryption-at-rest-disabled",
    WARNING,
    types=DOMAINS,
    fix="Set `EncryptionAtRestOptions: {Enabled: true}` (and KmsKeyId for a customer key).",
    tags=("security",),
    children=[
        key_without_flag(
            "ES005", "es-kms-key-without-encryption", "EncryptionAtRestOptions.Enabled", "the domain", "ES001"
        )
    ],
)
def es_encryption_at_rest(domain, ctx):
    """OpenSearch domains should encrypt their indices, logs and snapshots at rest.

    AWS default: EncryptionAtRestOptions.Enabled false. A KmsKeyId without Enabled true is rejected (ES005).
    """
    names = ("EncryptionAtRestOptions.Enabled", "EncryptionAtRestOptions.KmsKeyId")
    for scenario, (enabled, key) in ctx.joint(*(ctx.values(domain, f"Properties.{n}") for n in names)):
        if as_bool(enabled, False) is not False:
            continue
        yield flag_off(
            ctx,
            domain,
            "Properties.EncryptionAtRestOptions.Enabled",
            key,
            scenario,
            "the domain's data is not encrypted at rest.",
            "ES005",
        )


@check(
    "ES002",
    "es-in-transit-encryption-disabled",
    WARNING,
    types=DOMAINS,
    fix="Set NodeToNodeEncryptionOptions.Enabled true, DomainEndpointOptions.EnforceHTTPS true and"
    f" TLSSecurityPolicy {tls.OPENSEARCH_RECOMMENDED_POLICY}.",
    tags=("security",),
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
