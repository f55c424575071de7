"""Exposure of ECR repositories through their repository policies."""

from __future__ import annotations

from cfncheck.analysis.policy import fully_known, grants
from cfncheck.api import ERROR, WARNING, Child, check

from . import allowing_statements, public_grant

ECR_PUSH_ACTIONS = ("ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload")


@check(
    "ECR001",
    "ecr-repository-policy-public",
    ERROR,
    types=["AWS::ECR::Repository"],
    fix="Name the accounts that may push, or add an aws:PrincipalOrgID condition.",
    tags=("security",),
    children=[
        Child(
            "ECR005",
            "ecr-repository-public-pull",
            WARNING,
            """A repository policy that lets anyone (``Principal: "*"``), with no organization or
            account condition, pull the images: they are public, with whatever they contain.""",
            fix="Name the accounts that may pull, or add an aws:PrincipalOrgID condition (or publish in ECR Public"
            " on purpose).",
            formerly=("ECR001",),
        )
    ],
)
def ecr_repository_policy_public(repository, ctx):
    """A repository policy that lets anyone (``Principal: "*"``), with no organization or account
    condition, push images: anyone can replace the images the workloads run. A public pull only is
    ECR005."""
    for statement in allowing_statements(repository, ctx):
        key = public_grant(statement)
        if key is None or not (fully_known(statement.actions) or statement.not_actions is not None):
            continue
        push = [a for a in ECR_PUSH_ACTIONS if grants(statement, a)]
        yield ctx.finding(
            repository,
            statement.at(key),
            (
                f"Anyone can push images ({', '.join(push)}) to this repository: name the accounts, or add an "
                "aws:PrincipalOrgID condition."
                if push
                else "Anyone can pull images from this repository: name the accounts, or add an aws:PrincipalOrgID "
                "condition."
            ),
            statement.scenario,
            rule=None if push else "ECR005",
        )
