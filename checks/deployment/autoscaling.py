"""Auto Scaling groups the service refuses."""

from __future__ import annotations

from cfncheck.api import ABSENT, ERROR, as_number, check


@check(
    "ASG003",
    "asg-capacity-bounds-invalid",
    ERROR,
    types=["AWS::AutoScaling::AutoScalingGroup"],
    fix="Keep MinSize ≤ DesiredCapacity ≤ MaxSize (check the parameters and mappings they come from).",
    example="Resources:\n  Web:\n    Type: AWS::AutoScaling::AutoScalingGroup\n    Properties:\n"
    "      MinSize: '2'\n      MaxSize: '1'\n      AvailabilityZones: [us-east-1a]\n"
    "      LaunchTemplate: {LaunchTemplateId: lt-0123456789abcdef0, Version: '1'}",
    deploy_failure=True,
)
def capacity_bounds_invalid(group, ctx):
    """Sizes Auto Scaling refuses: MinSize above MaxSize, or a DesiredCapacity outside them
    ("ValidationError: Desired capacity:3 must be between the specified min size:1 and max
    size:2"). The sizes are read per condition scenario, with the parameter values and mappings
    they come from. Source: the Auto Scaling CreateAutoScalingGroup API reference."""
    for alt in ctx.values(group, "Properties"):
        body = alt.value
        if not isinstance(body, dict):
            continue
        low, high = as_number(body.get("MinSize", ABSENT)), as_number(body.get("MaxSize", ABSENT))
        desired = as_number(body.get("DesiredCapacity", ABSENT))
        known = all(isinstance(v, (int, float)) for v in (low, high))
        if known and low > high:
            message = f"MinSize {low:g} is above MaxSize {high:g}: Auto Scaling refuses the group."
            yield ctx.finding(group, "Properties.MinSize", message, alt.scenario)
        elif known and isinstance(desired, (int, float)) and not low <= desired <= high:
            message = (
                f"DesiredCapacity {desired:g} is outside MinSize {low:g} and MaxSize {high:g}: Auto Scaling refuses "
                f'the group ("Desired capacity:{desired:g} must be between the specified min size:{low:g} and max '
                f'size:{high:g}").'
            )
            yield ctx.finding(group, "Properties.DesiredCapacity", message, alt.scenario)
