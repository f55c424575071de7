"""What CloudFormation itself refuses to create: types of services AWS has shut down, custom
resources it cannot call."""

from __future__ import annotations

import re

from cfncheck.analysis.other_tools import expanded_elsewhere
from cfncheck.api import ABSENT, ERROR, check
from cfncheck.schemas import CUSTOM_RESOURCE
from cfncheck.schemas.retired import retirement

from . import today


@check(
    "CFN047",
    "cfn-resource-type-retired",
    ERROR,
    options={"today": ""},
    fix="Remove the resource, or move to the service AWS names as its replacement (the source page says which).",
    example="Resources:\n  Ledger:\n    Type: AWS::QLDB::Ledger\n    Properties:\n      PermissionsMode: STANDARD",
    deploy_failure=True,
)
def resource_type_retired(ctx):
    """A resource of a service AWS has shut down for every customer (OpsWorks Stacks and
    OpsWorks CM, QLDB, RoboMaker, IoT Analytics, IoT Events, Kinesis Data Analytics for SQL):
    creating it fails, so a new stack with it fails. A service only closed to new customers is
    not reported. The services, the day each stopped creating resources and the AWS page that
    says so are data (``cfncheck/schemas/retired_services.json``); the ``today`` option fixes
    the date they are compared with (default: the day of the run). The legacy types that still
    work are CFN031's."""
    day = today(ctx)
    for resource in ctx.template.resources.values():
        retired = retirement(resource.type)
        if retired is None or retired.date > day:
            continue
        message = (
            f"{resource.type} belongs to {retired.service}, which no longer creates resources since {retired.date} "
            f'(AWS: "{retired.says}"): the stack fails to create it.'
        )
        yield ctx.finding(resource, "Type", message)


@check(
    "CFN030",
    "cfn-custom-resource-wiring",
    ERROR,
    fix="Set ServiceToken to the ARN of the Lambda function or SNS topic that provides the custom resource.",
    example="Resources:\n  Seed:\n    Type: Custom::SeedTable\n    Properties:\n      TableName: orders",
    deploy_failure=True,
)
def custom_resource_wiring(ctx):
    """A custom resource without ServiceToken: CloudFormation has nothing to send the create
    request to and refuses the resource (ServiceToken is required). Only the scenarios in which
    the resource exists are judged. Source: the AWS::CloudFormation::CustomResource reference."""
    if expanded_elsewhere(ctx.template):  # another tool's module may add the properties
        return
    for resource in ctx.template.resources.values():
        if resource.type != CUSTOM_RESOURCE and not resource.type.startswith("Custom::"):
            continue
        for alt in ctx.values(resource, "Properties"):
            if alt.value is ABSENT or isinstance(alt.value, dict) and "ServiceToken" not in alt.value:
                message = (
                    f"Custom resource {resource.logical_id} has no ServiceToken: CloudFormation cannot call its "
                    "provider and the stack fails. Set ServiceToken to the provider's Lambda function or SNS topic ARN."
                )
                yield ctx.finding(resource, "Properties", message, alt.scenario)


_REFERENCE = re.compile(r"\{\{resolve:([^}]*)\}\}")
SERVICES = ("ssm", "ssm-secure", "secretsmanager")
ARN_PARTS = 7  # arn:partition:secretsmanager:region:account:secret:name


def reference_problem(body: str) -> str | None:
    """Why CloudFormation cannot resolve ``{{resolve:BODY}}``, or None (or when it is not known)."""
    service, _, rest = body.partition(":")
    if service not in SERVICES:
        return f"{service!r} is not a dynamic reference service: use ssm, ssm-secure or secretsmanager"
    if service != "secretsmanager" or not rest:
        return None if rest else f"the {service} reference names nothing"
    parts = rest.split(":")
    size = ARN_PARTS if parts[0] == "arn" else 1
    if "${" in ":".join(parts[:size]) or len(parts) < size:
        return None  # an id built at deploy time may hold colons of its own
    fields = parts[size:]
    if len(fields) > 4:
        return "after the secret id come at most SecretString, the JSON key, the version stage and the version id"
    if fields and fields[0] not in ("", "SecretString") and "${" not in fields[0]:
        return f"the field after the secret id is SecretString, not {fields[0]!r} (write SecretString:{fields[0]})"
    if len(fields) == 4 and fields[2] and fields[3]:
        return "give a version stage or a version id, not both"
    return None


def _strings(node, path: tuple = ()):
    """(path, text) of every string written under ``node``, Fn::Sub templates included."""
    if isinstance(node, str):
        yield path, node
        return
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        if isinstance(value, str):  # yielded here: a call per string would cost more than the walk
            yield path + (key,), value
        elif isinstance(value, (dict, list)):
            yield from _strings(value, path + (key,))


@check(
    "SECRET008",
    "secret-dynamic-reference-invalid",
    ERROR,
    fix="Write {{resolve:ssm:NAME}}, {{resolve:ssm-secure:NAME}} or "
    "{{resolve:secretsmanager:SECRET-ID:SecretString:JSON-KEY}} (a version stage or id may follow).",
    example="Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      Engine: mysql\n"
    "      DBInstanceClass: db.t3.micro\n      AllocatedStorage: '20'\n      MasterUsername: admin\n"
    "      MasterUserPassword: '{{resolve:secretsmanager:prod/db:password}}'",
    deploy_failure=True,
)
def dynamic_reference_invalid(ctx):
    """A dynamic reference CloudFormation cannot resolve, which fails the stack: a service other
    than ssm, ssm-secure and secretsmanager, or a Secrets Manager reference whose fields are out
    of place — the most common, ``{{resolve:secretsmanager:prod/db:password}}``, misses the
    ``SecretString`` field before the JSON key. A reference whose secret id is built with
    ``Fn::Sub`` (an ARN holds colons of its own) is not judged. Source: the CloudFormation user
    guide, "Get values stored in other services using dynamic references"."""
    if not ctx.template.may_contain("{{resolve:"):
        return
    for resource in ctx.template.resources.values():
        for path, text in _strings(resource.node.get("Properties")):
            if "{{resolve:" not in text:
                continue
            for found in _REFERENCE.finditer(text):
                problem = reference_problem(found.group(1))
                if problem:
                    message = f"{found.group(0)}: {problem}; CloudFormation cannot resolve it and the stack fails."
                    yield ctx.finding(resource, ("Properties",) + path, message)


SIGNALS = ("cfn-signal", "SignalResource", "signal-resource")
"""What sends a resource signal: the helper script, the API action and its CLI command."""
WAITING = ("AWS::EC2::Instance", "AWS::AutoScaling::AutoScalingGroup")


def _user_data(ctx, resource, scenario) -> list[str | None]:
    """The text of the UserData that instances of ``resource`` run (its own, or its launch template's
    or launch configuration's); None for text that is not fully known."""
    if resource.type == "AWS::EC2::Instance":
        sources = [(resource, "Properties.UserData")]
    else:
        sources = []
        for alt in ctx.values(resource, "Properties.LaunchConfigurationName"):
            if (found := ctx.local(alt.value)) is not None:
                sources.append((found, "Properties.UserData"))
        for alt in ctx.values(resource, "Properties.LaunchTemplate.LaunchTemplateId"):
            if (found := ctx.local(alt.value)) is not None:
                sources.append((found, "Properties.LaunchTemplateData.UserData"))
    texts = []
    for owner, path in sources:
        for alt in ctx.values(owner, path):
            if ctx.merge(alt.scenario, scenario) is not None:
                value = alt.value
                texts.append(value if isinstance(value, str) else None)
    return texts


@check(
    "CFN021",
    "cfn-creation-policy-without-signal",
    ERROR,
    types=list(WAITING),
    fix="Call cfn-signal (or the SignalResource API) at the end of the instances' UserData, or remove the "
    "CreationPolicy.",
    example="Resources:\n  Web:\n    Type: AWS::EC2::Instance\n    CreationPolicy:\n"
    "      ResourceSignal: {Count: 1, Timeout: PT15M}\n    Properties:\n      ImageId: ami-0123456789abcdef0\n"
    "      UserData: !Base64 |\n        #!/bin/bash\n        yum install -y httpd",
    deploy_failure=True,
)
def creation_policy_without_signal(resource, ctx):
    """A CreationPolicy that waits for resource signals from instances whose UserData never sends
    one (no cfn-signal, no SignalResource): the stack waits out the Timeout and fails ("Failed to
    receive 1 resource signal(s) within the specified duration"). Only UserData whose whole text
    is known and that runs no other script (cfn-init, a downloaded file may signal) is judged.
    Source: the CloudFormation CreationPolicy attribute reference and the cfn-signal reference."""
    policy = resource.node.get("CreationPolicy")
    if not isinstance(policy, dict) or "ResourceSignal" not in policy:
        return
    for alt in ctx.values(resource, "Properties"):
        texts = _user_data(ctx, resource, alt.scenario)
        if not texts or any(text is None or _may_signal(text) for text in texts):
            continue
        message = (
            "The CreationPolicy waits for resource signals, and the instances' UserData sends none (no cfn-signal): "
            'the stack fails after the Timeout ("Failed to receive … resource signal(s) within the specified '
            'duration"). Call cfn-signal when the instance is ready.'
        )
        yield ctx.finding(resource, ("CreationPolicy", "ResourceSignal"), message, alt.scenario)


def _may_signal(text: str) -> bool:
    """Whether a UserData script signals, or runs something else that may (cfn-init, a downloaded or
    included script)."""
    lowered = text.lower()
    return any(word.lower() in lowered for word in SIGNALS) or any(
        hint in lowered
        for hint in (
            "cfn-init",
            "curl",
            "wget",
            "aws s3",
            "http://",
            "https://",
            "#include",
            "ansible",
            "chef",
            "puppet",
        )
    )
