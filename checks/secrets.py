"""Plaintext secrets, NoEcho parameters and AWS credentials in templates (catalog section 3.6).

A template is read by everyone who can read the stack, the repository or the S3 bucket it is
uploaded to; a secret written in it is a secret shared with all of them. The places secrets
live and what looks like one are in ``cfncheck.analysis.secrets``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from cfncheck.analysis.policy import text_of
from cfncheck.analysis.secrets import (
    DYNAMIC_REFERENCE,
    ENVIRONMENT_TYPES,
    credential_leaks,
    decoded,
    environment_variables,
    is_literal_secret,
    is_secret_name,
    may_leak_credentials,
    secret_sites,
)
from cfncheck.api import ALWAYS, ERROR, WARNING, Context, Location, Parameter, Scenario, check, guards, iter_uses


@check(
    "SECRET001",
    "secret-hardcoded-in-property",
    ERROR,
    fix="Use a dynamic reference ({{resolve:secretsmanager:…}} or {{resolve:ssm-secure:…}}), a generated "
    "secret, or a NoEcho parameter without Default.",
    tags=("security",),
)
def hardcoded_secret(ctx):
    """A password, token or key written in the template: in a property that holds a secret
    (``MasterUserPassword``, ``AuthToken``, ``LoginProfile.Password``, ``SecretString``…), in a
    secret-named environment variable (Lambda, ECS, CodeBuild plaintext, Elastic Beanstalk) or in
    ``AWS::CloudFormation::Authentication`` credentials.

    Literal means written in the template: directly, in a Mapping, or assembled with
    ``Fn::Sub``/``Fn::Join`` from literals. A value passed through a parameter is judged at the
    parameter (SECRET002, SECRET003); dynamic references, generated secrets and values built from
    anything unknown pass. Empty strings are skipped."""
    for resource in ctx.resources():
        for site in secret_sites(resource, ctx):
            if is_literal_secret(site.value) and not site.parameters:
                yield ctx.finding(
                    resource,
                    site.path,
                    f"{site.label} is written in the template in plaintext: replace it with a dynamic reference "
                    "('{{resolve:secretsmanager:<secret-id>:SecretString:<key>}}') or a NoEcho parameter"
                    + (", or set ManageMasterUserPassword: true" if site.label == "MasterUserPassword" else "")
                    + ".",
                    site.scenario,
                )


@dataclass(frozen=True)
class _SecretParameter:
    """A parameter that holds a secret: why (its name, or the secret it sets), and the places of
    the resources that receive it as a secret, for the finding to name."""

    why: str
    receivers: tuple[Location, ...]


def _secret_parameters(ctx: Context) -> dict[str, _SecretParameter]:
    """The parameters that hold a secret, each with why and where it is received."""
    why: dict[str, str] = {}
    receivers: dict[str, dict[Location, None]] = {}
    for resource in ctx.resources():
        for site in secret_sites(resource, ctx):
            for name in site.holders:
                why.setdefault(name, f"it sets {resource.logical_id} {site.label}")
                receiving = f"{resource.logical_id} {site.label} receives {name}"
                place = ctx.location(resource, site.path, site.scenario, message=receiving)
                receivers.setdefault(name, {})[place] = None
    for name in ctx.template.parameters:
        if is_secret_name(name):
            why.setdefault(name, "its name says it holds a secret")
    return {
        name: _SecretParameter(reason, tuple(receivers.get(name, ())))
        for name, reason in why.items()
        if _may_hold_secret(ctx.template.parameters[name])
    }


def _may_hold_secret(parameter: Parameter) -> bool:
    """AWS-specific types hold names and ids (an SSM parameter type holds a parameter name);
    a parameter with AllowedValues holds one of values everybody can read."""
    return not parameter.type.startswith(("AWS::", "List<AWS::")) and parameter.allowed_values is None


@check(
    "SECRET002",
    "secret-parameter-without-noecho",
    WARNING,
    fix="Add `NoEcho: true` to the parameter.",
    tags=("security",),
    precision="medium",  # a parameter's name alone can make it a secret
)
def parameter_without_noecho(ctx):
    """A parameter that holds a secret — by its name, or because it sets a secret property —
    without ``NoEcho: true``: its value is shown in the console, by DescribeStacks and in stack
    events. NoEcho defaults to false. Parameters of the SSM parameter types hold a parameter
    name, not the secret, and pass."""
    for name, secret in _secret_parameters(ctx).items():
        if not ctx.template.parameters[name].no_echo:
            yield ctx.finding(
                None,
                ("Parameters", name, "NoEcho"),
                f"Parameter {name} holds a secret ({secret.why}) but is shown in the console and API: add NoEcho:"
                " true.",
                related=secret.receivers,
            )


@check(
    "SECRET003",
    "secret-parameter-with-default",
    ERROR,
    fix="Remove the Default and pass the value at deploy time, or use a dynamic reference.",
    tags=("security",),
    precision="medium",  # a parameter's name alone can make it a secret
)
def parameter_with_default(ctx):
    """A secret parameter with a literal Default: the secret is written in the template, for
    everyone who can read it, and used whenever nobody overrides it. A Default that is a dynamic
    reference or a placeholder (``<>``, "enter your password") passes."""
    for name, secret in _secret_parameters(ctx).items():
        parameter = ctx.template.parameters[name]
        default = parameter.default
        if parameter.has_default and isinstance(default, (str, int, float)) and not isinstance(default, bool):
            if is_literal_secret(str(default)):
                yield ctx.finding(
                    None,
                    ("Parameters", name, "Default"),
                    f"Parameter {name} holds a secret and its Default writes it in the template: remove the Default "
                    "(pass the value at deploy time) or use a '{{resolve:secretsmanager:…}}' dynamic reference.",
                    related=secret.receivers,
                )


def _exposing_sections(ctx: Context) -> Iterator[tuple[object, tuple, object, Scenario]]:
    """(resource, path, node, scenario) of the sections NoEcho does not mask."""
    template = ctx.template
    if "Metadata" in template.root:
        yield None, ("Metadata",), template.root["Metadata"], ALWAYS
    for output in template.outputs.values():
        scenario = Scenario({(output.condition, True)}) if output.condition else ALWAYS
        yield None, ("Outputs", output.name), output.node, scenario
    for resource in ctx.resources():
        if "Metadata" in resource.node:
            yield resource, ("Metadata",), resource.node["Metadata"], resource.exists_in


@check(
    "SECRET004",
    "secret-noecho-parameter-exposed",
    ERROR,
    fix="Remove the reference from Outputs/Metadata; read the secret where it is needed instead.",
    tags=("security",),
)
def noecho_exposed(ctx):
    """A NoEcho parameter referenced (``Ref``, ``Fn::Sub``, ``Fn::Join``) in ``Outputs``, the
    template ``Metadata`` or a resource's ``Metadata`` (``AWS::CloudFormation::Init`` included):
    NoEcho masks parameter values only; outputs and metadata show them in plaintext."""
    hidden = {name for name, parameter in ctx.template.parameters.items() if parameter.no_echo}
    if not hidden:
        return
    for resource, path, node, scenario in _exposing_sections(ctx):
        for use in iter_uses(node):
            if use.kind not in ("Ref", "Sub") or use.target not in hidden:
                continue
            where = scenario
            for condition, value in guards(node, use.path):
                where = where.with_condition(condition, value) if where is not None else None
            if where is None or not ctx.resolver.satisfiable(where):
                continue
            section = "an output" if path[0] == "Outputs" else "Metadata"
            yield ctx.finding(
                resource,
                path + use.path,
                f"NoEcho parameter {use.target} is shown in plaintext in {section}: remove this reference.",
                where,
            )


ACCESS_KEY = "AWS::IAM::AccessKey"
_KEY_EXPOSED_AT = {
    "AWS::SSM::Parameter": ("Properties", "Value"),
    "AWS::Lambda::Function": ("Properties", "Environment"),
    "AWS::Serverless::Function": ("Properties", "Environment"),
    "AWS::ECS::TaskDefinition": ("Properties", "ContainerDefinitions"),
    "AWS::CodeBuild::Project": ("Properties", "Environment"),
    "AWS::EC2::Instance": ("Properties", "UserData"),
    "AWS::EC2::LaunchTemplate": ("Properties", "LaunchTemplateData", "UserData"),
    "AWS::AutoScaling::LaunchConfiguration": ("Properties", "UserData"),
}


def _strings(node, path: tuple = ()) -> Iterator[tuple[tuple, str]]:
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, dict):
        for key, value in node.items():
            if isinstance(key, str) and key.endswith(".aws/credentials"):
                yield path + (key,), f"> {key}"  # a cfn-init file written at that path
            yield from _strings(value, path + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _strings(value, path + (index,))


@check(
    "SECRET005",
    "secret-aws-access-key-exposed",
    ERROR,
    fix="Give the workload an IAM role (instance profile, execution role) instead of access keys; "
    "keep generated keys in Secrets Manager.",
    tags=("security",),
)
def access_key_exposed(ctx):
    """AWS access keys in a template: an access key id (AKIA…/ASIA…), a secret access key, a
    script that runs ``aws configure set aws_access_key_id`` or writes ``~/.aws/credentials``, or
    the ``SecretAccessKey`` of an ``AWS::IAM::AccessKey`` passed to an output, an SSM parameter,
    environment variables or UserData. Long-term keys on machines and in templates leak; roles
    give temporary credentials. AWS's documentation keys (…EXAMPLE) are ignored."""
    resources = ctx.template.resources
    walked = _strings(ctx.template.root) if may_leak_credentials(ctx.template.document.text) else ()
    for path, text in walked:
        leaks = credential_leaks(text)
        if not leaks and "UserData" in path and (plain := decoded(text)) is not None:
            leaks = credential_leaks(plain)
        if leaks:
            inside = len(path) > 2 and path[0] == "Resources" and path[1] in resources
            resource, relative = (resources[path[1]], path[2:]) if inside else (None, path)
            yield ctx.finding(
                resource,
                relative,
                f"This value contains {' and '.join(leaks)}: remove the credentials and give the workload an IAM role.",
            )
    places = [(None, ("Outputs", o.name), o.node) for o in ctx.template.outputs.values()]
    for resource in ctx.resources(*_KEY_EXPOSED_AT):
        path = _KEY_EXPOSED_AT[resource.type]
        node = resource.node
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        places.append((resource, path, node))
    for resource, path, node in places:
        for use in iter_uses(node):
            target = resources.get(use.target)
            if use.attribute == "SecretAccessKey" and target is not None and target.type == ACCESS_KEY:
                yield ctx.finding(
                    resource,
                    path + use.path,
                    f"The secret access key of {use.target} is passed here in plaintext: store it in an "
                    "AWS::SecretsManager::Secret instead, or use an IAM role.",
                )


AWS_CREDENTIAL_VARIABLES = frozenset({"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"})


@check(
    "SECRET006",
    "secret-env-var-aws-credentials",
    ERROR,
    fix="Remove the AWS_* credential variables and give the task, project or environment an IAM role "
    "(TaskRoleArn, ServiceRole, instance profile).",
    tags=("security",),
    example="\nEnvironment:\n  - {Name: AWS_SECRET_ACCESS_KEY, Value: !Ref SecretKey}",
)
def env_var_aws_credentials(ctx):
    """``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY`` or ``AWS_SESSION_TOKEN`` set as plain
    environment variables of an ECS container, a CodeBuild project or an Elastic Beanstalk
    environment: the keys are stored readable in the task definition, project or environment, and
    they come first in the SDKs' credentials chain, so they override the role the workload should use.

    Lambda reserves these names: a function that sets them fails to deploy, which is a deploy
    failure (not this check)."""
    for resource in ctx.resources(*ENVIRONMENT_TYPES):
        for variable in environment_variables(ctx, resource):
            if variable.kind != "lambda" and variable.plaintext and variable.name in AWS_CREDENTIAL_VARIABLES:
                yield ctx.finding(
                    resource,
                    variable.path,
                    f"{variable.name} puts AWS access keys in plaintext in the environment and overrides the "
                    "workload's role: remove it and grant the permissions to the role.",
                    variable.value.scenario,
                )


_STORED_AT = {"ecs": "the task definition", "codebuild": "the project"}
_SECRET_STORE = {
    "ecs": "the container's Secrets (ValueFrom: a Secrets Manager or SSM SecureString ARN)",
    "codebuild": "a PARAMETER_STORE or SECRETS_MANAGER variable",
}


@check(
    "SECRET007",
    "secret-env-var-not-from-secret-store",
    WARNING,
    fix="Pass the secret through ECS Secrets (ValueFrom) or a CodeBuild PARAMETER_STORE / SECRETS_MANAGER "
    "variable, so the container or build reads it at start.",
    tags=("security",),
    example="\nEnvironment:\n  - {Name: DB_PASSWORD, Value: !Ref DbPassword}   # a NoEcho parameter",
)
def env_var_not_from_secret_store(ctx):
    """A secret-named plain environment variable of an ECS container or a CodeBuild project whose
    value comes from a parameter (NoEcho or not) or a dynamic reference: CloudFormation writes the
    resolved value into the task definition or project, where anyone who can describe it reads it
    in plaintext. ECS ``Secrets`` and CodeBuild ``PARAMETER_STORE``/``SECRETS_MANAGER`` variables
    keep only a reference there. A literal value is SECRET001's."""
    for resource in ctx.resources(*ENVIRONMENT_TYPES):
        for site in secret_sites(resource, ctx):
            if site.kind not in _STORED_AT:
                continue
            via_reference = DYNAMIC_REFERENCE in (text_of(site.value) or "")
            if site.parameters or via_reference:
                source = f"parameter {site.parameters[0]}" if site.parameters else "a dynamic reference"
                yield ctx.finding(
                    resource,
                    site.path,
                    f"{site.label} gets its value from {source}, which CloudFormation stores in plaintext in "
                    f"{_STORED_AT[site.kind]}: pass it through {_SECRET_STORE[site.kind]} instead.",
                    site.scenario,
                )
