"""CloudTrail trails: every region, validated log files, logging on."""

from __future__ import annotations

from cfncheck.api import INFO, WARNING, Child, as_bool, check


@check(
    "TRAIL001",
    "cloudtrail-not-multi-region",
    WARNING,
    types=["AWS::CloudTrail::Trail"],
    fix="Set `IsMultiRegionTrail: true`.",
    children=[
        Child(
            "TRAIL010",
            "cloudtrail-organization-trail-single-region",
            INFO,
            """An organization trail that records one region only: the accounts' activity in every
            other region goes unrecorded, unless other trails cover it. A note, since organization
            trails are often one of several.""",
            fix="Set `IsMultiRegionTrail: true`.",
            formerly=("TRAIL001",),
        )
    ],
)
def trail_multi_region(trail, ctx):
    """A single-region trail misses API activity in every other region — exactly where an
    attacker or a mistake may act unnoticed.

    In CloudFormation `IsMultiRegionTrail` defaults to false (the console's default is all
    regions). An organization trail is TRAIL010.
    """
    for scenario, (multi_region, organization) in ctx.joint(
        ctx.values(trail, "Properties.IsMultiRegionTrail"), ctx.values(trail, "Properties.IsOrganizationTrail")
    ):
        if as_bool(multi_region, False) is not False:
            continue
        organization = as_bool(organization, False)
        if organization is None:
            continue
        yield ctx.finding(
            trail,
            "Properties.IsMultiRegionTrail",
            "Set IsMultiRegionTrail: true (the CloudFormation default is false) so the trail records API activity "
            "in every region, not only this one.",
            scenario,
            rule="TRAIL010" if organization else None,
        )


@check(
    "TRAIL002",
    "cloudtrail-log-validation-disabled",
    WARNING,
    types=["AWS::CloudTrail::Trail"],
    fix="Set `EnableLogFileValidation: true`.",
)
def trail_log_validation(trail, ctx):
    """Without log file validation nobody can prove that a trail's log files were not modified or
    deleted after delivery; CloudTrail writes signed digest files only when it is on.

    The default is `EnableLogFileValidation: false`.
    """
    for alt in ctx.values(trail, "Properties.EnableLogFileValidation"):
        if as_bool(alt.value, False) is False:
            yield ctx.finding(
                trail,
                "Properties.EnableLogFileValidation",
                "Set EnableLogFileValidation: true (the default is false) so CloudTrail writes digest files that "
                "prove the logs were not altered.",
                alt.scenario,
            )


@check(
    "TRAIL007",
    "cloudtrail-not-logging",
    WARNING,
    types=["AWS::CloudTrail::Trail"],
    fix="Set `IsLogging: true`.",
    example="""
    Trail:
      Type: AWS::CloudTrail::Trail
      Properties:
        S3BucketName: audit-logs
        IsLogging: false
    """,
)
def trail_not_logging(trail, ctx):
    """A trail with `IsLogging: false` is created stopped: it records nothing until someone starts
    it, and CloudTrail's own 90-day event history keeps management events only.

    `IsLogging` is required; each scenario in which it resolves to false is reported (seed notes
    002 CT-07, 000 #120).
    """
    for alt in ctx.values(trail, "Properties.IsLogging"):
        if as_bool(alt.value) is False:
            yield ctx.finding(
                trail,
                "Properties.IsLogging",
                "Set IsLogging: true: this trail is created stopped and records no API activity.",
                alt.scenario,
            )
