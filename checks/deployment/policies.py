"""Policy documents the policy language refuses, wherever a template writes one."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import cfncheck.analysis
from cfncheck.analysis.policy import IDENTITY, LOCATIONS, documents
from cfncheck.api import ABSENT, ERROR, check

DATA = Path(cfncheck.analysis.__file__).parent / "data"
VERSIONS = ("2012-10-17", "2008-10-17")
EFFECTS = ("allow", "deny")  # compared without case: only a word that is neither is judged
RESOURCE_REQUIRED = ("AWS::KMS::Key", "AWS::S3::BucketPolicy")
"""Resource policies whose statements must name their Resource, as identity policies' must (a
trust policy's, an ECR or SQS policy's need not)."""


def _statement_problems(statement, needs_resource: bool) -> list[tuple[str | None, str]]:
    """(key, message) for what the policy language refuses in one statement."""
    if not isinstance(statement, dict):
        return []
    problems: list[tuple[str | None, str]] = []
    effect = statement.get("Effect", ABSENT)
    if effect is ABSENT:
        problems.append((None, "A statement with no Effect: Effect must be Allow or Deny."))
    elif isinstance(effect, str) and effect.lower() not in EFFECTS:
        problems.append(("Effect", f"A statement with Effect {effect!r}: Effect must be Allow or Deny."))
    for key in ("Action", "NotAction", "Resource", "NotResource"):
        value = statement.get(key, ABSENT)
        if any(_literal_mapping(item) for item in (value if isinstance(value, list) else [value])):
            message = (
                f'{key} holds a mapping, not a string or a list of strings: IAM refuses it ("Syntax errors in policy").'
            )
            problems.append((key, message + _mapping_hint(value)))
    if needs_resource and "Resource" not in statement and "NotResource" not in statement:
        problems.append(
            (None, 'A statement without Resource: the policy is refused ("Policy statement must contain resources").')
        )
    return problems


def _literal_mapping(value) -> bool:
    """A mapping written where a string belongs, not a function another tool or a macro expands."""
    return isinstance(value, dict) and not any(str(key).startswith(("Fn::", "Ref", "Rain::")) for key in value)


def _mapping_hint(value) -> str:
    items = value if isinstance(value, list) else [value]
    pairs = [(k, v) for item in items if isinstance(item, dict) and len(item) == 1 for k, v in item.items()]
    if pairs and all(isinstance(v, str) for _, v in pairs):
        return f" Write {', '.join(f'{k}:{v}' for k, v in pairs)} as one string (no space after the colon)."
    return ""


def document_problems(ctx, document):
    """(path, message, scenario) for what the policy language refuses in one document."""
    resource = document.resource
    for alt in ctx.resolver.reach(resource.node, document.path, document.scenario):
        value, scenario = alt.value, alt.scenario
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                continue
            written = False
        else:
            written = True
        if not isinstance(value, dict) or any(str(k).startswith("Fn::") or k == "Ref" for k in value):
            continue
        version = value.get("Version", ABSENT)
        if isinstance(version, str) and version not in VERSIONS:
            message = (
                f'Version {version!r} is not a policy language version: use "2012-10-17" '
                '(IAM: "The policy must contain a valid version string").'
            )
            yield document.path + (("Version",) if written else ()), message, scenario
        if "Statement" not in value:
            yield document.path, "The policy document has no Statement: the policy language requires one.", scenario
            continue
        needs_resource = document.kind == IDENTITY or resource.type in RESOURCE_REQUIRED
        statements = document.path + ("Statement",)
        if not written:
            body = value["Statement"]
            for item in body if isinstance(body, list) else [body]:
                for _, problem in _statement_problems(item, needs_resource):
                    yield document.path, problem, scenario
            continue
        items = ctx.elements(resource, statements, scenario)
        if not items:
            items = [((), item) for item in ctx.resolver.get(resource.node, statements, scenario)]
            items = [(statements, item) for _, item in items if isinstance(item.value, dict)]
        for path, item in items:
            for key, problem in _statement_problems(item.value, needs_resource):
                yield path + ((key,) if key else ()), problem, item.scenario


@check(
    "IAM013",
    "iam-policy-malformed",
    ERROR,
    types=list(LOCATIONS),
    fix='Set Version to "2012-10-17", give the document a Statement, each statement Effect Allow or Deny, its '
    "actions and resources as strings, and a Resource where the policy needs one.",
    example="Resources:\n  Repo:\n    Type: AWS::ECR::Repository\n    Properties:\n      RepositoryPolicyText:\n"
    "        Version: '2012-10-17'\n        Statement:\n          - Effect: NotAllow\n"
    "            Principal: {AWS: arn:aws:iam::123456789012:root}\n            Action: ecr:BatchGetImage",
    deploy_failure=True,
)
def policy_malformed(resource, ctx):
    """A policy document the policy language refuses: a Version other than "2012-10-17" or
    "2008-10-17" (IAM: "The policy must contain a valid version string"), no Statement, a
    statement whose Effect is not Allow or Deny, an Action or Resource written as a mapping
    (``- codebuild: '*'``: "Syntax errors in policy"), or a statement of an identity policy, a
    key policy or a bucket policy without Resource ("Policy statement must contain resources").
    IAM rejects identity and trust policies with MalformedPolicyDocument; S3, SQS, SNS, KMS, ECR
    and the other services reject resource policies the same way, failing the stack. Source:
    the IAM JSON policy element reference (Version, Statement, Effect, Action, Resource) and the
    KMS key policy reference (Resource is required)."""
    for document in documents(ctx, resource):
        for path, message, scenario in document_problems(ctx, document):
            yield ctx.finding(resource, path, message, scenario)


@cache
def sam_policy_templates() -> dict[str, list[str]]:
    """SAM policy templates and their parameters (``tools/sam_policy_templates.py``)."""
    data = json.loads((DATA / "sam-policy-templates.json").read_text(encoding="utf-8"))
    return data["templates"]


@check(
    "IAM040",
    "iam-sam-policy-template-parameters",
    ERROR,
    types=["AWS::Serverless::Function", "AWS::Serverless::StateMachine"],
    fix="Give the policy template its parameters, indented under its name (- DynamoDBCrudPolicy: "
    "{TableName: !Ref Table}).",
    example="Transform: AWS::Serverless-2016-10-31\nResources:\n  Reader:\n    Type: AWS::Serverless::Function\n"
    "    Properties:\n      Runtime: python3.13\n      Handler: index.handler\n      InlineCode: pass\n"
    "      Policies:\n        - DynamoDBReadPolicy: {}",
    deploy_failure=True,
)
def sam_policy_template_parameters(resource, ctx):
    """A SAM policy template without the parameters it needs — often a mis-indented ``TableName``
    that ended up beside the template name: the SAM transform refuses the template ("Following
    required parameters of template 'DynamoDBCrudPolicy' don't have values: ['TableName']", or
    for the stray key "Policy at index 0 in the 'Policies' property is not valid"), so nothing
    deploys. The templates and their parameters come from the SAM translator's own table
    (``tools/sam_policy_templates.py``). Source: the AWS SAM developer guide, "AWS SAM policy
    templates"."""
    templates = sam_policy_templates()
    for path, alt in ctx.elements(resource, "Properties.Policies"):
        item = alt.value
        if not isinstance(item, dict) or not item:
            continue
        name = next(iter(item))
        if name not in templates or not templates[name]:
            continue
        given = item[name] if isinstance(item[name], dict) else {}
        missing = [parameter for parameter in templates[name] if parameter not in given]
        if missing:
            stray = [key for key in item if key != name]
            refused = (
                f"Policy at index {path[-1]} in the 'Policies' property is not valid"
                if stray
                else f"Following required parameters of template '{name}' don't have values"
            )
            hint = f" ({', '.join(stray)} is written beside {name}, not under it)" if stray else ""
            message = (
                f'Policy template {name} needs {", ".join(missing)}{hint}: the SAM transform refuses it ("{refused}").'
            )
            yield ctx.finding(resource, path + (name,), message, alt.scenario)
