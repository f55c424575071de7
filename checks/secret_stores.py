"""Where secrets are kept: SSM parameters, Secrets Manager rotation and resource policies
(catalog section 3.6, tier 2). What counts as a secret is in ``cfncheck.analysis.secrets``."""

from __future__ import annotations

import re

from cfncheck.analysis.policy import RESOURCE, is_public, policy_statements, restricted, text_of
from cfncheck.analysis.secrets import is_secret_name, secret_sites
from cfncheck.api import ERROR, WARNING, Context, Resource, check, iter_uses

PLAIN_SSM_REFERENCE = re.compile(r"\{\{resolve:ssm:")
SECRET = "AWS::SecretsManager::Secret"


@check(
    "SECRET009",
    "secret-ssm-parameter-plaintext",
    WARNING,
    fix="Keep the secret in Secrets Manager (or an SSM SecureString created outside CloudFormation) and "
    "reference it with '{{resolve:secretsmanager:…}}' or '{{resolve:ssm-secure:…}}'.",
    tags=("security",),
    example="MasterUserPassword: '{{resolve:ssm:/prod/db/password}}'",
)
def ssm_parameter_plaintext(ctx):
    """A secret kept in a plain (``String``) SSM parameter: anyone allowed ``ssm:GetParameter`` reads
    it, it is shown in the console, and it is not encrypted with a key you control. Reported for an
    ``AWS::SSM::Parameter`` of type String or StringList whose name ends in a secret word
    (``/prod/db/password``) or whose value is a secret parameter, and for a ``{{resolve:ssm:…}}``
    dynamic reference in a property that holds a secret (only ``ssm-secure`` and
    ``secretsmanager`` references read an encrypted value).

    CloudFormation cannot create SecureString parameters, so the fix is Secrets Manager, or a
    SecureString made outside the stack and read with ``ssm-secure``."""
    secret_parameters = {name for name, parameter in ctx.template.parameters.items() if parameter.no_echo}
    secret_parameters |= {name for name in ctx.template.parameters if is_secret_name(name)}
    for parameter in ctx.resources("AWS::SSM::Parameter"):
        for scenario, (kind, name) in ctx.joint(
            ctx.values(parameter, "Properties.Type"), ctx.values(parameter, "Properties.Name")
        ):
            if kind not in ("String", "StringList"):
                continue
            if isinstance(name, str) and is_secret_name(name.rstrip("/").rsplit("/", 1)[-1]):
                yield ctx.finding(
                    parameter,
                    "Properties.Name",
                    f"Parameter {name} is named as a secret but stored as a plain {kind}: keep the secret in "
                    "Secrets Manager instead.",
                    scenario,
                )
                continue
            value = parameter.properties.get("Value")
            held = sorted({use.target for use in iter_uses(value) if use.target in secret_parameters})
            if held:
                yield ctx.finding(
                    parameter,
                    "Properties.Value",
                    f"This plain {kind} parameter stores the secret of parameter {held[0]}: keep it in Secrets "
                    "Manager instead.",
                    scenario,
                )
    for resource in ctx.resources():
        for site in secret_sites(resource, ctx):
            if PLAIN_SSM_REFERENCE.search(text_of(site.value) or ""):
                yield ctx.finding(
                    resource,
                    site.path,
                    f"{site.label} reads a plain SSM String parameter ('{{{{resolve:ssm:…}}}}'): use "
                    "'{{resolve:secretsmanager:…}}' or '{{resolve:ssm-secure:…}}' for a secret.",
                    site.scenario,
                )


DATABASE_TARGETS = ("AWS::RDS::DBInstance", "AWS::RDS::DBCluster", "AWS::Redshift::Cluster", "AWS::DocDB::DBCluster")


@check(
    "SECRET010",
    "secret-rotation-missing",
    WARNING,
    types=[SECRET],
    fix="Add an AWS::SecretsManager::RotationSchedule for the secret (HostedRotationLambda for RDS, "
    "Redshift and DocumentDB), or let the database manage it (ManageMasterUserPassword: true).",
    tags=("security",),
    example="\nDbSecret:\n  Type: AWS::SecretsManager::Secret   # attached to a DB, no RotationSchedule",
)
def rotation_missing(secret, ctx):
    """A database credential in Secrets Manager that is never rotated stays valid for as long as it
    exists, wherever it has leaked. A secret counts as a database credential when a
    ``SecretTargetAttachment`` attaches it to an RDS, Redshift or DocumentDB resource, or a
    database's master password reads it with ``{{resolve:secretsmanager:…}}``; it is rotated when a
    ``RotationSchedule`` of the template names the secret or its attachment. Other secrets are not
    judged: many hold values that cannot be rotated (third-party API keys)."""
    database = _database_of(secret, ctx)
    if database is None or _rotated(secret, ctx):
        return
    yield ctx.finding(
        secret,
        "Type",
        f"This secret holds the credentials of {database.logical_id} and is never rotated: add an "
        "AWS::SecretsManager::RotationSchedule.",
        related=(ctx.location(database, "Type", database.exists_in, message="the database that uses it"),),
    )


def _database_of(secret: Resource, ctx: Context) -> Resource | None:
    for attachment in ctx.resources("AWS::SecretsManager::SecretTargetAttachment"):
        for alt in ctx.values(attachment, "Properties.SecretId"):
            if ctx.refers_to(alt.value, secret):
                for target in ctx.values(attachment, "Properties.TargetId"):
                    found = ctx.local(target.value)
                    if found is not None and found.type in DATABASE_TARGETS:
                        return found
    for database in ctx.resources(*DATABASE_TARGETS):
        node = database.properties.get("MasterUserPassword")
        if any(use.target == secret.logical_id for use in iter_uses(node)):
            return database
    return None


def _rotated(secret: Resource, ctx: Context) -> bool:
    named = {secret.logical_id}
    for attachment in ctx.resources("AWS::SecretsManager::SecretTargetAttachment"):
        if any(ctx.refers_to(alt.value, secret) for alt in ctx.values(attachment, "Properties.SecretId")):
            named.add(attachment.logical_id)
    for schedule in ctx.resources("AWS::SecretsManager::RotationSchedule"):
        node = schedule.properties.get("SecretId")
        if isinstance(node, str) or any(use.target in named for use in iter_uses(node)):
            return True  # a literal SecretId may name it too: not reported
    return False


@check(
    "SECRET011",
    "secret-resource-policy-and-key",
    ERROR,
    types=["AWS::SecretsManager::ResourcePolicy"],
    fix="Name the accounts or roles that may read the secret in Principal, or add an aws:PrincipalOrgID "
    "or aws:SourceVpce condition.",
    tags=("security",),
    example='ResourcePolicy:\n  Statement: [{Effect: Allow, Principal: "*", Action: secretsmanager:GetSecretValue}]',
)
def resource_policy_public(resource, ctx):
    """A secret's resource policy that allows anyone (``Principal: "*"``) with no condition limiting
    the callers exposes the secret to every AWS account; Secrets Manager refuses such a policy when
    ``BlockPublicPolicy`` is true, so the stack then fails instead. Either way the policy must name
    who may read the secret.

    The catalog's other branches (a cross-account policy on a secret without a customer key,
    ``BlockPublicPolicy`` false) are not this check's."""
    for statement in policy_statements(ctx, resource, (RESOURCE,)):
        if statement.allows and is_public(statement.principal) and not restricted(statement):
            yield ctx.finding(
                resource,
                statement.at("Principal"),
                "Anyone in any AWS account may use this secret: name the principals, or add an "
                "aws:PrincipalOrgID (or aws:SourceVpce) condition.",
                statement.scenario,
            )
