"""Which TLS settings AWS services accept that still let clients (or origins) use TLS 1.0/1.1.

This is data, kept here so checks only state the practice: when AWS publishes a new
security policy, only this module changes. Names are AWS's predefined policy names. The name
lists are tuples, not sets: a template value tested against them may be a mapping, and ``in``
on a set would raise for it.
"""

from __future__ import annotations

import re

# Elastic Load Balancing (ALB/NLB SslPolicy, and the Reference-Security-Policy of a CLB).
# Policies whose minimum protocol is TLS 1.2 or 1.3 carry one of these markers in their name;
# every other predefined policy (2015-05, 2016-08, TLS-1-0-*, TLS-1-1-*, FS-2018-06,
# FS-1-1-*, TLS13-1-0-*, TLS13-1-1-*) also accepts TLS 1.0 or 1.1.
_ELB_TLS12 = re.compile(r"-(TLS13-1-[23]|TLS-1-2|FS-1-2)-", re.IGNORECASE)


def elb_policy_allows_old_tls(name: str) -> bool:
    return not _ELB_TLS12.search(name)


ELB_RECOMMENDED_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
ELB_API_DEFAULT_POLICY = "ELBSecurityPolicy-2016-08"  # what a listener created outside the console gets
CLB_RECOMMENDED_POLICY = "ELBSecurityPolicy-TLS-1-2-2017-01"

# CloudFront ViewerCertificate.MinimumProtocolVersion.
CLOUDFRONT_OLD_TLS = ("SSLv3", "TLSv1", "TLSv1_2016", "TLSv1.1_2016")
CLOUDFRONT_OLDER_TLS12 = ("TLSv1.2_2018", "TLSv1.2_2019")
CLOUDFRONT_RECOMMENDED = "TLSv1.2_2021"

# CloudFront CustomOriginConfig.OriginSSLProtocols.
ORIGIN_OLD_PROTOCOLS = ("SSLv3", "TLSv1", "TLSv1.1")

# API Gateway DomainName SecurityPolicy: TLS_1_0 accepts TLS 1.0; TLS_1_2 and the enhanced
# SecurityPolicy_TLS13_* policies do not.
APIGW_OLD_TLS = ("TLS_1_0",)
APIGW_RECOMMENDED_POLICY = "TLS_1_2"


# OpenSearch DomainEndpointOptions.TLSSecurityPolicy (default Policy-Min-TLS-1-0-2019-07).
OPENSEARCH_RECOMMENDED_POLICY = "Policy-Min-TLS-1-2-2019-07"


def opensearch_policy_allows_old_tls(name: str) -> bool:
    return not name.startswith("Policy-Min-TLS-1-2")


# RDS and Aurora: the parameter that refuses unencrypted connections, per engine family.
RDS_FORCE_SSL = "rds.force_ssl"
MYSQL_REQUIRE_TLS = "require_secure_transport"
RDS_TLS_PARAMETER = {
    "postgres": RDS_FORCE_SSL,
    "aurora-postgresql": RDS_FORCE_SSL,
    "sqlserver-ee": RDS_FORCE_SSL,
    "sqlserver-se": RDS_FORCE_SSL,
    "sqlserver-ex": RDS_FORCE_SSL,
    "sqlserver-web": RDS_FORCE_SSL,
    "mysql": MYSQL_REQUIRE_TLS,
    "mariadb": MYSQL_REQUIRE_TLS,
    "aurora-mysql": MYSQL_REQUIRE_TLS,
    "aurora": MYSQL_REQUIRE_TLS,
}
"""Engines whose TLS enforcement is a parameter-group setting (Oracle uses an option group; not judged)."""

# Engines whose default parameter group already sets rds.force_ssl=1, from this major version
# on: RDS for PostgreSQL 15 and later (an absent EngineVersion means the current default, 15+).
RDS_DEFAULT_FORCES_TLS_FROM = {"postgres": 15}


def rds_tls_parameter_on(value) -> bool:
    """rds.force_ssl 1, require_secure_transport ON/1 (parameter values are strings or numbers)."""
    return str(value).strip().lower() in ("1", "on", "true")


def rds_default_forces_tls(engine: str, version) -> bool:
    """The default parameter group of this engine version already refuses plaintext connections."""
    first = RDS_DEFAULT_FORCES_TLS_FROM.get(engine)
    if first is None:
        return False
    if version is None:
        return True
    major = re.match(r"\d+", str(version))
    return major is not None and int(major.group()) >= first
