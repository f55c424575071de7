"""Policy documents the policy language refuses, wherever a template writes one."""

from __future__ import annotations

import json

from cfncheck.analysis.policy import LOCATIONS, documents
from cfncheck.api import ABSENT, ERROR, check

VERSIONS = ("2012-10-17", "2008-10-17")
EFFECTS = ("allow", "deny")  # compared without case: only a word that is neither is judged


def _effect_problem(statement) -> str | None:
    if not isinstance(statement, dict):
        return None
    effect = statement.get("Effect", ABSENT)
    if effect is ABSENT:
        return "A statement with no Effect: Effect must be Allow or Deny."
    if isinstance(effect, str) and effect.lower() not in EFFECTS:
        return f"A statement with Effect {effect!r}: Effect must be Allow or Deny."
    return None


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
        statements = document.path + ("Statement",)
        if not written:
            body = value["Statement"]
            for item in body if isinstance(body, list) else [body]:
                problem = _effect_problem(item)
                if problem:
                    yield document.path, problem, scenario
            continue
        items = ctx.elements(resource, statements, scenario)
        if not items:
            items = [((), item) for item in ctx.resolver.get(resource.node, statements, scenario)]
            items = [(statements, item) for _, item in items if isinstance(item.value, dict)]
        for path, item in items:
            problem = _effect_problem(item.value)
            if problem:
                at = path + (("Effect",) if "Effect" in item.value else ())
                yield at, problem, item.scenario


@check(
    "IAM013",
    "iam-policy-malformed",
    ERROR,
    types=list(LOCATIONS),
    fix='Set Version to "2012-10-17", give the document a Statement, and each statement Effect Allow or Deny.',
    example="Resources:\n  Repo:\n    Type: AWS::ECR::Repository\n    Properties:\n      RepositoryPolicyText:\n"
    "        Version: '2012-10-17'\n        Statement:\n          - Effect: NotAllow\n"
    "            Principal: {AWS: arn:aws:iam::123456789012:root}\n            Action: ecr:BatchGetImage",
    deploy_failure=True,
)
def policy_malformed(resource, ctx):
    """A policy document the policy language refuses: a Version other than "2012-10-17" or
    "2008-10-17" (IAM: "The policy must contain a valid version string"), no Statement, or a
    statement whose Effect is not Allow or Deny. IAM rejects identity and trust policies with
    MalformedPolicyDocument; S3, SQS, SNS, KMS, ECR and the other services reject resource
    policies the same way, failing the stack. Source: the IAM JSON policy element reference
    (Version, Statement, Effect)."""
    for document in documents(ctx, resource):
        for path, message, scenario in document_problems(ctx, document):
            yield ctx.finding(resource, path, message, scenario)
