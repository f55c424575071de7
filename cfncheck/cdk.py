"""CDK cloud assemblies (``cdk.out``): which of their files are the synthesized templates.

``cdk synth`` writes one template per stack into the assembly folder, beside asset folders
(``asset.<hash>/``, the code and files a stack uploads), asset manifests and ``tree.json``. The
assembly's ``manifest.json`` names each stack's template file (``templateFile`` of each
``aws:cloudformation:stack`` artifact) and each nested assembly (a CDK Stage, in
``cdk:cloud-assembly`` artifacts). Nested stacks' templates (``*.nested.template.json``) are
file assets of their parent: the parent's ``AWS::CloudFormation::Stack`` says which one in its
``aws:asset:path`` metadata, which :mod:`cfncheck.project` follows.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from .inputs import MAX_GENERATED_BYTES, InputError, read_json

ASSEMBLY_DIRECTORY = "cdk.out"
MANIFEST = "manifest.json"
STACK = "aws:cloudformation:stack"
NESTED_ASSEMBLY = "cdk:cloud-assembly"
NESTED_TEMPLATE_SUFFIX = ".nested.template.json"
MAX_NESTING = 16
"""Nested assemblies (Stages within Stages) deeper than this are not followed."""


def is_assembly(directory: Path) -> bool:
    """A folder ``cdk synth`` wrote: named cdk.out, or holding a cloud assembly manifest."""
    return directory.name == ASSEMBLY_DIRECTORY or _manifest(directory) is not None


def assembly_templates(directory: Path, depth: int = 0) -> Iterator[Path]:
    """The templates of an assembly, in the manifest's order, then the nested stacks' templates;
    without a readable manifest, the folder's ``*.template.json`` files. Asset folders are never read."""
    manifest = _manifest(directory)
    found: list[Path] = []
    if manifest is None:
        found = sorted(directory.glob("*.template.json"))
    else:
        for artifact in (manifest.get("artifacts") or {}).values():
            if not isinstance(artifact, dict):
                continue
            properties = artifact.get("properties") if isinstance(artifact.get("properties"), dict) else {}
            if artifact.get("type") == STACK and isinstance(properties.get("templateFile"), str):
                found.append(directory / properties["templateFile"])
            elif artifact.get("type") == NESTED_ASSEMBLY and isinstance(properties.get("directoryName"), str):
                if depth < MAX_NESTING:
                    found.extend(assembly_templates(directory / properties["directoryName"], depth + 1))
        found += sorted(p for p in directory.glob("*" + NESTED_TEMPLATE_SUFFIX) if p not in found)
    for path in found:
        if path.is_file() and _inside(path, directory):
            yield path


def _manifest(directory: Path) -> dict | None:
    path = directory / MANIFEST
    if not path.is_file():
        return None
    try:
        data = read_json(path, MAX_GENERATED_BYTES)
    except (OSError, InputError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("artifacts"), dict) else None


def _inside(path: Path, directory: Path) -> bool:
    """A manifest names files of its own assembly; a path that leaves it is not followed."""
    try:
        return path.resolve().is_relative_to(directory.resolve())
    except OSError:
        return False
