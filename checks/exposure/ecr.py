"""Exposure of ECR repositories through their repository policies."""

from __future__ import annotations

from cfncheck.analysis.policy import fully_known, grants
from cfncheck.api import ERROR, WARNING, check

from . import allowing_statements, public_grant

ECR_PUSH_ACTIONS = ("ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload")


@check(
    "ECR001",
    "ecr-repository-policy-public",
    ERROR,
    types=["AWS::ECR::Repository"],
    fix="Name the accounts that may pull (and push), or add an aws:PrincipalOrgID condition.",
    tags=("security",),
)
def ecr_repository_policy_public(repository, ctx):
    """A repository policy for ``Principal: "*"`` without an organization or account condition makes the
    images public (warning); if it also allows push actions anyone can replace them (error)."""
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
            severity=ERROR if push else WARNING,
        )
