"""IAM policy variables (``${aws:username}``): the policy language version they need (tier 2).

A variable IAM is meant to substitute but CloudFormation tries to (one inside ``Fn::Sub`` not
written ``${!…}``) is CFN001's.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from cfncheck.analysis.policy import LOCATIONS, documents
from cfncheck.api import ABSENT, WARNING, Unknown, check

POLICY_VARIABLE = re.compile(r"\$\{([A-Za-z0-9.-]+:[^}]+)\}")
"""A policy variable: a key of the request context (``${aws:username}``, ``${s3:prefix}``,
``${cognito-identity.amazonaws.com:sub}``) in ``${…}``."""


@check(
    "IAM014",
    "iam-policy-variables-without-version",
    WARNING,
    types=list(LOCATIONS),
    fix='Set Version: "2012-10-17" on the document, so that IAM substitutes its policy variables.',
    example="Resources:\n  Home:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n"
    "        Statement:\n          - Effect: Allow\n            Action: s3:GetObject\n"
    "            Resource: !Sub 'arn:${AWS::Partition}:s3:::home/${!aws:username}/*'",
)
def policy_variables_without_version(resource, ctx):
    """Policy variables were introduced with policy language version 2012-10-17: in a document
    without that Version (absent, or "2008-10-17"), ``${aws:username}`` is not substituted but
    matched as literal text, so the statement never grants (or never denies) what it means to.
    IAM accepts the document. Source: the IAM user guide, "IAM policy elements: Variables and
    tags" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html)."""
    for document in documents(ctx, resource):
        for alt in ctx.resolver.get(resource.node, document.path, document.scenario):
            value = alt.value
            if isinstance(value, str):
                try:
                    value = json.loads(value)
                except ValueError:
                    continue
            if not isinstance(value, dict) or value.get("Version", ABSENT) not in (ABSENT, "2008-10-17"):
                continue
            variable = next(_policy_variables(value.get("Statement")), None)
            if variable is not None:
                version = "no Version" if value.get("Version", ABSENT) is ABSENT else 'Version "2008-10-17"'
                message = (
                    f"The document uses the policy variable ${{{variable}}} but has {version}: IAM matches it as "
                    'literal text. Set Version: "2012-10-17".'
                )
                yield ctx.finding(resource, document.path, message, alt.scenario)


def _policy_variables(node) -> Iterator[str]:
    """The policy variables written in a resolved document: in its strings, and in the known text
    of a string built with Fn::Sub from values that are not known (an escaped ``${!aws:userid}``
    beside ``${AWS::Partition}``)."""
    if isinstance(node, Unknown):
        node = node.text
    if isinstance(node, str):
        yield from (
            match.group(1) for match in POLICY_VARIABLE.finditer(node) if not match.group(1).startswith("AWS::")
        )
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _policy_variables(key)
            yield from _policy_variables(value)
    elif isinstance(node, list):
        for item in node:
            yield from _policy_variables(item)
