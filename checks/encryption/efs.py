"""Encryption of EFS file systems."""

from __future__ import annotations

from cfncheck.api import WARNING, as_bool, check

from . import flag_off, key_without_flag


@check(
    "EFS001",
    "efs-unencrypted",
    WARNING,
    types=["AWS::EFS::FileSystem"],
    fix="Set `Encrypted: true` (and KmsKeyId for a customer key) when creating the file system.",
    tags=("security",),
    children=[key_without_flag("EFS008", "efs-kms-key-without-encryption", "Encrypted", "the file system", "EFS001")],
)
def efs_unencrypted(filesystem, ctx):
    """EFS file systems should be encrypted at rest.

    AWS default through CloudFormation and the API: Encrypted false (the console defaults to
    true). Changing it replaces the file system. A KmsKeyId without Encrypted true is EFS008.
    """
    for scenario, (encrypted, key) in ctx.joint(
        ctx.values(filesystem, "Properties.Encrypted"), ctx.values(filesystem, "Properties.KmsKeyId")
    ):
        if as_bool(encrypted, False) is not False:
            continue
        consequence = "the file system is not encrypted at rest."
        yield flag_off(ctx, filesystem, "Properties.Encrypted", key, scenario, consequence, "EFS008")
