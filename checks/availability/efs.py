"""Availability of EFS file systems: mount targets in the zones of their clients."""

from __future__ import annotations

from cfncheck.analysis.wiring import FUNCTIONS, file_system_mounts
from cfncheck.analysis.zones import Zones, distinct
from cfncheck.api import ABSENT, INFO, WARNING, Alt, Child, check


@check(
    "EFS002",
    "efs-single-az",
    WARNING,
    types=["AWS::EFS::FileSystem"],
    fix="Use a Regional file system (remove `AvailabilityZoneName`) with a mount target in each Availability Zone.",
    children=[
        Child(
            "EFS009",
            "efs-client-zone-without-mount-target",
            INFO,
            """A client of a Regional EFS file system in an Availability Zone where the file system has
            no mount target, reported on the client's subnet: a Lambda function (`FileSystemConfigs`
            naming an access point of the file system) and an ECS service's tasks (a task
            definition volume's `EFSVolumeConfiguration.FilesystemId`) connect through the mount
            target in their own zone. Reported only when the subnet's zone and every mount target's
            zone are known. Auto Scaling groups mount EFS from UserData, which is not followed.""",
            fix="Add a mount target of the file system in the client's Availability Zone.",
            formerly=("EFS002",),
        )
    ],
)
def efs_single_az(fs, ctx):
    """A One Zone EFS file system keeps all its data in one Availability Zone, and a file system
    whose mount targets are all in one zone is unreachable from the others when that zone fails.

    Without `AvailabilityZoneName` the file system is Regional (stored across zones). Mount targets
    are those of the template whose `FileSystemId` names this file system; their zones must be known.
    A client in a zone where a Regional file system has no mount target is EFS009.
    """
    for alt in ctx.values(fs, "Properties.AvailabilityZoneName"):
        if alt.value is not ABSENT:
            yield ctx.finding(
                fs,
                "Properties.AvailabilityZoneName",
                "This is a One Zone file system: all its data is lost with that Availability Zone. Remove "
                "AvailabilityZoneName for a Regional file system if the data must survive an AZ outage.",
                alt.scenario,
            )
    zones = Zones(ctx)
    regional = [alt.scenario for alt in ctx.values(fs, "Properties.AvailabilityZoneName") if alt.value is ABSENT]
    members = []
    for target in ctx.resources("AWS::EFS::MountTarget"):
        linked = zones.linked(target, "Properties.FileSystemId", fs)
        if linked:
            members.append((target, zones.placed(target, linked, subnet="Properties.SubnetId")))
    regional_spans = [
        Alt(span.value, merged)
        for span in zones.members(members)
        for scenario in regional
        if (merged := ctx.merge(span.scenario, scenario)) is not None
    ]
    for span in regional_spans:
        if span.value.single:
            yield ctx.finding(
                fs,
                "Properties",
                f"The mount targets of this file system are {span.value.describe()}: add a mount target in "
                "another Availability Zone so clients there keep access when this zone fails.",
                span.scenario,
            )
    yield from _clients_without_mount_target(fs, regional_spans, zones, ctx)


def _clients_without_mount_target(fs, spans, zones, ctx):
    """Info on a client's subnet in a zone where none of the file system's mount targets is."""
    reported = set()
    for mount in file_system_mounts(ctx, fs):
        for path, subnet in ctx.elements(mount.client, mount.subnets, mount.scenario):
            for scenario, (zone, targets) in ctx.joint(zones.of_subnet(subnet.value, subnet.scenario), spans):
                key = (mount.client.logical_id, zone, scenario)
                if zone is None or key in reported or not all(distinct(zone, target) for target in targets.zones):
                    continue
                reported.add(key)
                yield ctx.finding(
                    mount.client,
                    path,
                    _missing_mount_target(mount.client, ctx.local(subnet.value), zone, fs),
                    scenario,
                    rule="EFS009",
                )


def _missing_mount_target(client, subnet, zone, fs) -> str:
    how = (
        "Lambda connects through the mount target in the function's own zone, and checks for one when it "
        "configures the function"
        if client.type in FUNCTIONS
        else "each task mounts through the mount target in its own zone"
    )
    return (
        f"Subnet {subnet.logical_id} is in Availability Zone {zone}, where file system {fs.logical_id} has no mount "
        f"target: add a mount target of {fs.logical_id} in that zone ({how})."
    )
