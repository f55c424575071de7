"""CloudFront access logs."""

from __future__ import annotations

from cfncheck.analysis.log_delivery import delivery_sources
from cfncheck.api import ABSENT, WARNING, check


@check(
    "CF006",
    "cf-access-logging-disabled",
    WARNING,
    types=["AWS::CloudFront::Distribution"],
    fix="Add `DistributionConfig.Logging` with a log `Bucket`, or an `AWS::Logs::DeliverySource` for the "
    "distribution's ACCESS_LOGS.",
    example="""
    Distribution:
      Type: AWS::CloudFront::Distribution
      Properties:
        DistributionConfig:
          Enabled: true
          DefaultCacheBehavior: {TargetOriginId: site, ViewerProtocolPolicy: redirect-to-https}
    """,
)
def cf_access_logging_disabled(distribution, ctx):
    """CloudFront access logs hold "detailed information about every user request" a distribution
    receives; without them a viewer's request cannot be traced (seed notes 001 #172, 002 CF-06).

    Either standard logging (`DistributionConfig.Logging`) or standard logging v2 (a CloudWatch
    Logs `AWS::Logs::DeliverySource` of the run whose `ResourceArn` names the distribution) counts.
    A legacy log bucket with ACLs disabled makes the distribution fail to deploy: that is a deploy
    failure, not this advice.
    """
    if delivery_sources(ctx, distribution):
        return
    for alt in ctx.values(distribution, "Properties.DistributionConfig.Logging"):
        if alt.value is ABSENT:
            yield ctx.finding(
                distribution,
                "Properties.DistributionConfig",
                "Turn on access logs: add DistributionConfig.Logging with a log Bucket (or a CloudWatch Logs "
                "delivery source for the distribution), so every viewer request is recorded.",
                alt.scenario,
            )
