"""ECR repositories: image scanning and immutable tags."""

from __future__ import annotations

from cfncheck.analysis.referrers import run_views
from cfncheck.api import ABSENT, INFO, as_bool, as_list, check, lookup

REPOSITORY = "AWS::ECR::Repository"
REGISTRY_SCANNING = "AWS::ECR::RegistryScanningConfiguration"
SCANS = ("SCAN_ON_PUSH", "CONTINUOUS_SCAN")


@check(
    "ECR002",
    "ecr-scan-on-push-disabled",
    INFO,
    types=[REPOSITORY],
    fix="Scan images on push: an `AWS::ECR::RegistryScanningConfiguration` with a SCAN_ON_PUSH (or CONTINUOUS_SCAN) "
    "rule for the repository, or `ImageScanningConfiguration: {ScanOnPush: true}`.",
    example="""
    Images:
      Type: AWS::ECR::Repository
      Properties:
        RepositoryName: web
    """,
)
def ecr_scan_on_push(repository, ctx):
    """Scanning pushed images finds known vulnerabilities (CVEs) before they run (seed notes 000
    #50 "Supports image vulnerability scanning").

    Info, not the catalog's warning: AWS has deprecated the repository's `ScanOnPush` in favour of
    the registry's scanning configuration, an account setting that is usually outside the template.
    So a repository without `ScanOnPush: true` is only a note, and nothing is said when an
    `AWS::ECR::RegistryScanningConfiguration` of the run scans on push or continuously.
    """
    if _registry_scans(ctx):
        return
    for alt in ctx.values(repository, "Properties.ImageScanningConfiguration.ScanOnPush"):
        if as_bool(alt.value, False) is False:
            yield ctx.finding(
                repository,
                "Properties.ImageScanningConfiguration" + (".ScanOnPush" if alt.value is not ABSENT else ""),
                "Images pushed here are not scanned, unless the account's registry scanning configuration does it: "
                "scan on push (a registry scanning rule, or ScanOnPush: true).",
                alt.scenario,
            )


def _registry_scans(ctx) -> bool:
    """Whether a registry scanning configuration of the run (an account setting, wherever it is
    written) scans images as they are pushed; a rule that cannot be read counts as scanning."""
    return any(
        lookup(rule, "ScanFrequency") in SCANS or not isinstance(lookup(rule, "ScanFrequency"), str)
        for view in run_views(ctx)
        for config in view.resources(REGISTRY_SCANNING)
        for alt in view.values(config, "Properties.Rules")
        for rule in as_list(alt.value)
    )


@check(
    "ECR003",
    "ecr-tags-mutable",
    INFO,
    types=[REPOSITORY],
    fix="Set `ImageTagMutability: IMMUTABLE` (or IMMUTABLE_WITH_EXCLUSION for tags such as `latest`).",
    example="""
    Images:
      Type: AWS::ECR::Repository
      Properties:
        RepositoryName: web
    """,
)
def ecr_tags_mutable(repository, ctx):
    """A mutable tag can be pushed again with another image: `v1.2` deployed today may not be what
    was tested yesterday. Immutable tags make every deployment of a tag reproducible (seed notes 000
    #51).

    `ImageTagMutability` defaults to MUTABLE; MUTABLE_WITH_EXCLUSION keeps most tags mutable.
    """
    for alt in ctx.values(repository, "Properties.ImageTagMutability"):
        if alt.value in (ABSENT, "MUTABLE", "MUTABLE_WITH_EXCLUSION"):
            stated = "default to MUTABLE" if alt.value is ABSENT else f"are {alt.value}"
            yield ctx.finding(
                repository,
                "Properties.ImageTagMutability",
                f"Image tags {stated}: a tag can be pushed again with another image. Set ImageTagMutability: "
                "IMMUTABLE so a tag always names the same image.",
                alt.scenario,
            )
