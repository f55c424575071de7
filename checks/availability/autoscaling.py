"""Availability of Auto Scaling groups across Availability Zones."""

from __future__ import annotations

from cfncheck.analysis.zones import Zones
from cfncheck.api import ABSENT, WARNING, check


@check(
    "ASG001",
    "asg-single-az",
    WARNING,
    types=["AWS::AutoScaling::AutoScalingGroup"],
    fix="List subnets in at least two Availability Zones in `VPCZoneIdentifier` (or two `AvailabilityZones`).",
)
def asg_single_az(group, ctx):
    """An Auto Scaling group in one Availability Zone cannot replace instances elsewhere when that
    zone fails: high availability means at least two zones.

    Reads `VPCZoneIdentifier` (subnets) or, without it, `AvailabilityZones`. A single subnet or zone
    is reported even when its zone is unknown; several subnets only when their zones are known.
    """
    zones = Zones(ctx)
    for path, spans in (
        ("Properties.VPCZoneIdentifier", zones.subnets(group, "Properties.VPCZoneIdentifier")),
        ("Properties.AvailabilityZones", zones.zone_list(group, "Properties.AvailabilityZones")),
    ):
        for alt in spans:
            span = alt.value
            if span is ABSENT:
                continue
            if span.single:
                yield ctx.finding(
                    group,
                    path,
                    f"This Auto Scaling group runs {span.describe()}: add a subnet (or zone) in a second Availability "
                    "Zone so it can replace instances when one zone fails.",
                    alt.scenario,
                )
        if any(alt.value is not ABSENT for alt in spans):
            return  # AvailabilityZones is read only when there is no VPCZoneIdentifier
