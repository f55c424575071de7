"""The EBS volumes a resource creates through block-device mappings.

Instances, launch templates, launch configurations and Spot Fleet launch specifications all
describe volumes as ``BlockDeviceMappings[].Ebs``; this module finds them, wherever each type
keeps its list, and leaves out instance-store (``VirtualName``) and suppressed (``NoDevice``)
devices, which create no EBS volume.
"""

from __future__ import annotations

from collections.abc import Iterator

from cfncheck.context import Context
from cfncheck.template import Resource
from cfncheck.values import ABSENT, Scenario, lookup

MAPPING_LISTS = {
    "AWS::EC2::Instance": ("Properties", "BlockDeviceMappings"),
    "AWS::EC2::LaunchTemplate": ("Properties", "LaunchTemplateData", "BlockDeviceMappings"),
    "AWS::AutoScaling::LaunchConfiguration": ("Properties", "BlockDeviceMappings"),
}
SPOT_FLEET = "AWS::EC2::SpotFleet"
TYPES = (*MAPPING_LISTS, SPOT_FLEET)


def ebs_mappings(ctx: Context, resource: Resource) -> Iterator[tuple[tuple, dict, Scenario]]:
    """``(path of the Ebs mapping, resolved Ebs mapping, scenario)`` for each EBS volume it creates."""
    if resource.type == SPOT_FLEET:
        lists = [
            (path + ("BlockDeviceMappings",), scenario)
            for path, (_, scenario) in ctx.elements(
                resource, "Properties.SpotFleetRequestConfigData.LaunchSpecifications"
            )
        ]
    else:
        lists = [(MAPPING_LISTS[resource.type], resource.exists_in)]
    for list_path, list_scenario in lists:
        for path, (mapping, scenario) in ctx.elements(resource, list_path):
            if scenario.merge(list_scenario) is None or not isinstance(mapping, dict):
                continue
            if lookup(mapping, "VirtualName") is not ABSENT or lookup(mapping, "NoDevice") is not ABSENT:
                continue
            ebs = lookup(mapping, "Ebs")
            if isinstance(ebs, dict):
                yield path + ("Ebs",), ebs, scenario
