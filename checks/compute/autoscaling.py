"""Auto Scaling groups: health checks behind load balancers, launch settings and how updates reach
the instances."""

from __future__ import annotations

from cfncheck.analysis.referrers import referrers
from cfncheck.api import ABSENT, INFO, WARNING, Child, Reference, check, lookup

GROUP = "AWS::AutoScaling::AutoScalingGroup"
LAUNCH_CONFIGURATION = "AWS::AutoScaling::LaunchConfiguration"
LAUNCH_TEMPLATE = "AWS::EC2::LaunchTemplate"
LIFECYCLE_HOOK = "AWS::AutoScaling::LifecycleHook"
LOAD_BALANCER_HEALTH = ("ELB", "VPC_LATTICE")
TEMPLATE_REFERENCES = (
    ("Properties", "LaunchTemplate"),
    ("Properties", "MixedInstancesPolicy", "LaunchTemplate", "LaunchTemplateSpecification"),
)


@check(
    "ASG002",
    "asg-ec2-health-check-behind-lb",
    WARNING,
    types=[GROUP],
    fix="Set `HealthCheckType: ELB` and a `HealthCheckGracePeriod` long enough for an instance to start.",
    example="""
    Group:
      Type: AWS::AutoScaling::AutoScalingGroup
      Properties:
        MinSize: '2'
        MaxSize: '4'
        TargetGroupARNs: [!Ref TargetGroup]
        VPCZoneIdentifier: [!Ref SubnetA, !Ref SubnetB]
        LaunchTemplate: {LaunchTemplateId: !Ref Template, Version: !GetAtt Template.LatestVersionNumber}
    """,
    children=[
        Child(
            "ASG012",
            "asg-health-check-grace-period-missing",
            INFO,
            "A group that uses the load balancer's health checks without `HealthCheckGracePeriod`: the default is "
            "0 seconds through the API and CloudFormation (the console's is 300), so an instance that is still "
            "starting fails its first checks and is replaced, again and again.",
            fix="Set `HealthCheckGracePeriod` to the time an instance needs to start serving (or use a launch "
            "lifecycle hook).",
        )
    ],
)
def asg_health_check_behind_lb(group, ctx):
    """An Auto Scaling group "can terminate instances marked as unhealthy by an LB (and hence replace
    them)" (seed notes 001 #105, 002 ASG-02) only with `HealthCheckType: ELB`: with the default EC2
    checks, an instance whose application stopped answering keeps its place, and the load balancer
    just stops sending to it.

    Reported for a group attached to target groups or Classic Load Balancers. `HealthCheckType` may
    list several types (`ELB,EBS`); ELB or VPC_LATTICE count. ASG012 notes ELB checks without a
    grace period, unless a launch lifecycle hook holds new instances back.
    """
    hooked = _lifecycle_hooks(ctx, group)
    for scenario, (targets, balancers, kind, grace) in ctx.joint(
        ctx.values(group, "Properties.TargetGroupARNs"),
        ctx.values(group, "Properties.LoadBalancerNames"),
        ctx.values(group, "Properties.HealthCheckType"),
        ctx.values(group, "Properties.HealthCheckGracePeriod"),
    ):
        if not (_non_empty(targets) or _non_empty(balancers)) or not (kind is ABSENT or isinstance(kind, str)):
            continue
        kinds = {part.strip().upper() for part in ("EC2" if kind is ABSENT else kind).split(",")}
        if not kinds & set(LOAD_BALANCER_HEALTH):
            yield ctx.finding(
                group,
                "Properties.HealthCheckType",
                "This group is behind a load balancer but uses EC2 health checks"
                f"{' (the default)' if kind is ABSENT else ''}: an instance the load balancer finds unhealthy is "
                "never replaced. Set HealthCheckType: ELB.",
                scenario,
            )
        elif grace is ABSENT and not hooked:
            yield ctx.finding(
                group,
                "Properties.HealthCheckGracePeriod",
                "HealthCheckGracePeriod defaults to 0 seconds: a new instance is judged by the load balancer's "
                "health checks before it has started, and replaced. Set it to the time an instance needs to start.",
                scenario,
                rule="ASG012",
            )


def _non_empty(value) -> bool:
    return isinstance(value, list) and bool(value)


def _lifecycle_hooks(ctx, group) -> bool:
    written = any(alt.value is not ABSENT for alt in ctx.values(group, "Properties.LifecycleHookSpecificationList"))
    return written or bool(referrers(ctx, group, (LIFECYCLE_HOOK,), ("Properties", "AutoScalingGroupName")))


@check(
    "ASG004",
    "asg-launch-configuration-legacy",
    WARNING,
    types=[LAUNCH_CONFIGURATION, GROUP],
    fix="Use an `AWS::EC2::LaunchTemplate` and the group's `LaunchTemplate` instead of a launch configuration.",
    example="""
    Config:
      Type: AWS::AutoScaling::LaunchConfiguration
      Properties:
        ImageId: !Ref LatestAmiId
        InstanceType: t3.micro
    """,
)
def asg_launch_configuration(resource, ctx):
    """Launch configurations are deprecated: "ASGs use Launch configurations or Launch Templates
    (newer)" (seed notes 001 #106, 002 ASG-03, 003 #68), and AWS no longer adds instance types or
    features to launch configurations; new accounts cannot create them.

    Each `AWS::AutoScaling::LaunchConfiguration` is reported; a group naming a launch configuration
    made elsewhere (a name or a parameter) is reported on its `LaunchConfigurationName`.
    """
    if resource.type == LAUNCH_CONFIGURATION:
        yield ctx.finding(
            resource,
            "Type",
            "Launch configurations are deprecated (no new instance types or features): replace this one with an "
            "AWS::EC2::LaunchTemplate.",
            resource.exists_in,
        )
        return
    for alt in ctx.values(resource, "Properties.LaunchConfigurationName"):
        if alt.value is ABSENT:
            continue
        named = ctx.follow(alt.value, alt.scenario)
        if named is None or named.type != LAUNCH_CONFIGURATION:
            yield ctx.finding(
                resource,
                "Properties.LaunchConfigurationName",
                "This group launches from a launch configuration, which is deprecated: use a launch template "
                "(LaunchTemplate) instead.",
                alt.scenario,
            )


@check(
    "ASG005",
    "asg-no-update-policy",
    WARNING,
    types=[GROUP],
    fix="Add an `UpdatePolicy` with `AutoScalingRollingUpdate` (or `AutoScalingReplacingUpdate`).",
    example="""
    Group:
      Type: AWS::AutoScaling::AutoScalingGroup
      Properties:
        MinSize: '1'
        MaxSize: '2'
        VPCZoneIdentifier: [!Ref SubnetA, !Ref SubnetB]
        LaunchTemplate: {LaunchTemplateId: !Ref Template, Version: !GetAtt Template.LatestVersionNumber}
    """,
)
def asg_no_update_policy(group, ctx):
    """Without an UpdatePolicy, a stack update that changes the group's launch template (or launch
    configuration) changes only what future instances get: the running instances keep the old
    image and settings (seed notes 002 ASG-04 "To update the underlying EC2 in an ASG … use an
    UpdatePolicy", 001 #107).

    Reported for a group that launches from a launch template, a launch configuration or a mixed
    instances policy, without `AutoScalingRollingUpdate` or `AutoScalingReplacingUpdate`.
    """
    launches = [
        what
        for path, what in (
            ("Properties.LaunchTemplate", "launch template"),
            ("Properties.LaunchConfigurationName", "launch configuration"),
            ("Properties.MixedInstancesPolicy", "launch template"),
        )
        if any(alt.value is not ABSENT for alt in ctx.values(group, path))
    ]
    if not launches:
        return
    for alt in ctx.values(group, "UpdatePolicy"):
        if alt.value is ABSENT or (
            isinstance(alt.value, dict)
            and lookup(alt.value, "AutoScalingRollingUpdate") is ABSENT
            and lookup(alt.value, "AutoScalingReplacingUpdate") is ABSENT
        ):
            yield ctx.finding(
                group,
                "UpdatePolicy",
                "Without an UpdatePolicy (AutoScalingRollingUpdate or AutoScalingReplacingUpdate), a change to the "
                f"{launches[0]} reaches only instances launched later; the running ones keep the old settings.",
                alt.scenario,
            )


@check(
    "ASG006",
    "asg-launch-template-version-stale",
    WARNING,
    types=[GROUP],
    fix="Use `Version: !GetAtt <LaunchTemplate>.LatestVersionNumber`.",
    example="""
    Template:
      Type: AWS::EC2::LaunchTemplate
      Properties:
        LaunchTemplateData: {InstanceType: t3.micro}
    Group:
      Type: AWS::AutoScaling::AutoScalingGroup
      Properties:
        MinSize: '1'
        MaxSize: '2'
        VPCZoneIdentifier: [!Ref SubnetA, !Ref SubnetB]
        LaunchTemplate: {LaunchTemplateId: !Ref Template, Version: '1'}
    """,
    children=[
        Child(
            "ASG013",
            "asg-launch-template-version-latest",
            INFO,
            "A group that names the template's `$Latest` version: a new version is used by instances launched "
            "later, but the group itself does not change, so CloudFormation never rolls it out to the running "
            "instances (and the version used depends on when an instance starts).",
            fix="Use `Version: !GetAtt <LaunchTemplate>.LatestVersionNumber`.",
        )
    ],
)
def asg_launch_template_version(group, ctx):
    """ "To update an ASG, you must provide a new launch configuration / launch template" (seed notes
    001 #107): when a group names a launch template of the same template by a fixed version (`1`)
    or `$Default`, editing the launch template creates a new version that the group never uses.

    `!GetAtt <LaunchTemplate>.LatestVersionNumber` changes with each edit and so updates the group
    (with its UpdatePolicy). `$Latest` (ASG013, info) reaches new instances only. Launch templates
    made elsewhere are not judged.
    """
    for base in TEMPLATE_REFERENCES:
        for alt in ctx.values(group, base):
            spec = alt.value
            if not isinstance(spec, dict) or not _local_template(ctx, spec, alt.scenario):
                continue
            version = lookup(spec, "Version")
            path = base + ("Version",)
            if version == "$Latest":
                yield ctx.finding(
                    group,
                    path,
                    "Version $Latest reaches only instances launched later: the group does not change when the "
                    "launch template does. Use !GetAtt <LaunchTemplate>.LatestVersionNumber.",
                    alt.scenario,
                    rule="ASG013",
                )
            elif version == "$Default" or (isinstance(version, (str, int)) and str(version).isdigit()):
                yield ctx.finding(
                    group,
                    path,
                    f"Version {version} does not follow edits to the launch template: the versions they create never "
                    "reach this group. Use !GetAtt <LaunchTemplate>.LatestVersionNumber.",
                    alt.scenario,
                )


def _local_template(ctx, spec: dict, scenario) -> bool:
    """Whether the spec names a launch template of this template (by id or by name)."""
    for key in ("LaunchTemplateId", "LaunchTemplateName"):
        value = spec.get(key, ABSENT)
        link = ctx.follow(value, scenario) if isinstance(value, Reference) or not isinstance(value, str) else None
        if link is not None and link.type == LAUNCH_TEMPLATE and not link.foreign:
            return True
    return False
