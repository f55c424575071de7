"""Encryption of Redshift clusters: storage, and TLS to clients."""

from __future__ import annotations

from cfncheck.api import ABSENT, WARNING, as_bool, as_list, check, is_known, lookup


@check(
    "REDSHIFT001",
    "redshift-unencrypted",
    WARNING,
    types=["AWS::Redshift::Cluster"],
    fix="Set `Encrypted: true` (and KmsKeyId for a customer key).",
    tags=("security",),
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
    tags=("security",),
)
def redshift_ssl_not_required(cluster, ctx):
    """Redshift should refuse unencrypted client connections.

    AWS default: re-verified — the resource reference does not confirm that default parameter
    groups now set require_ssl true, so, as the catalog directs, a cluster on the default group
    is reported; a custom group (of the run's templates) must set require_ssl "true". A group passed as
    a parameter is unknown.
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
        target = ctx.follow(group, alt.scenario)
        if target is None or target.type != "AWS::Redshift::ClusterParameterGroup":
            continue
        for listed in target.values("Properties.Parameters"):
            if not isinstance(listed.value, list) and listed.value is not ABSENT:
                continue  # not known
            parameters = as_list(listed.value)
            names = [lookup(parameter, "ParameterName") for parameter in parameters]
            if not all(is_known(name) for name in names):
                continue  # an unknown name might be require_ssl
            required = next(
                (lookup(p, "ParameterValue") for n, p in zip(names, parameters, strict=True) if n == "require_ssl"),
                ABSENT,
            )
            if required is ABSENT or is_known(required) and str(required).lower() != "true":
                yield ctx.finding(
                    cluster,
                    "Properties.ClusterParameterGroupName",
                    f"Set require_ssl to true in parameter group {target.describe()}: the cluster accepts unencrypted"
                    " connections.",
                    listed.scenario,
                    related=[
                        target.location(ctx, "Properties.Parameters", listed.scenario, message="the parameter group")
                    ],
                )
