"""Encryption of EBS volumes, and of the block devices of instances and launch templates."""

from __future__ import annotations

from cfncheck.analysis.block_devices import TYPES as BLOCK_DEVICE_TYPES
from cfncheck.analysis.block_devices import ebs_mappings
from cfncheck.api import ABSENT, WARNING, as_bool, check, lookup

from . import flag_off, key_without_flag


@check(
    "EBS001",
    "ebs-unencrypted",
    WARNING,
    types=["AWS::EC2::Volume", *BLOCK_DEVICE_TYPES],
    options={"ebs_encryption_by_default": False},
    fix="Set `Encrypted: true` on the volume or the block-device mapping's Ebs.",
    tags=("security",),
    children=[key_without_flag("EBS010", "ebs-kms-key-without-encryption", "Encrypted", "the volume", "EBS001")],
)
def ebs_unencrypted(resource, ctx):
    """EBS volumes should be encrypted, whether declared alone or in block-device mappings.

    AWS default: Encrypted false, unless the account-level EBS encryption by default is on —
    invisible to a template, so set the check option `ebs_encryption_by_default: true` for such
    accounts. A volume created from a SnapshotId inherits the snapshot's encryption; root volumes
    not listed in the mappings come from the AMI; both are unknown and not reported. Instance-store
    and NoDevice mappings create no EBS volume. A KmsKeyId without Encrypted true is EBS010.
    """
    default = bool(ctx.options.get("ebs_encryption_by_default"))
    if resource.type == "AWS::EC2::Volume":
        volumes = [
            ((), alt.value, alt.scenario) for alt in ctx.values(resource, "Properties") if isinstance(alt.value, dict)
        ]
        volumes = [(("Properties",), v, s) for _, v, s in volumes]
    else:
        volumes = list(ebs_mappings(ctx, resource))
    for path, ebs, scenario in volumes:
        encrypted, key, snapshot = (lookup(ebs, n) for n in ("Encrypted", "KmsKeyId", "SnapshotId"))
        flag = as_bool(encrypted, True if default or snapshot is not ABSENT else False)
        if flag is not False:
            continue
        if key is not ABSENT or snapshot is ABSENT:  # a volume from a snapshot is encrypted like the snapshot
            consequence = "this EBS volume is not encrypted."
            yield flag_off(ctx, resource, path + ("Encrypted",), key, scenario, consequence, "EBS010")
