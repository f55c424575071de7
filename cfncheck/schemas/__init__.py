"""CloudFormation resource provider schemas, read one type at a time when first asked for.

The schemas are AWS's published resource provider schemas, vendored as compact JSON (one file
per type under ``resources/``, see ``update.py`` for the version and how to refresh them), with
the service limits the schemas omit added from ``patches.json``. Nothing is read at import time:
the type index is read on the first type lookup, a type's schema on the first question about it,
and each schema is prepared once (local ``$ref`` inlined, patches applied) and cached.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

HERE = Path(__file__).parent
RESOURCES = HERE / "resources"
CUSTOM_RESOURCE = "AWS::CloudFormation::CustomResource"
SCHEMA_NAMESPACES = ("AWS::", "Alexa::")
"""Type namespaces the schemas cover: a type there that has no schema does not exist."""
UNREGISTERED_TYPES = frozenset({"AWS::CDK::Metadata"})
"""Types CloudFormation accepts that the registry does not list: the CDK's version and analytics
record, in every template ``cdk synth`` writes (CloudFormation creates nothing for it)."""


@dataclass
class ResourceSchema:
    """The schema of one resource type, prepared for validation, and what Fn::GetAtt can read."""

    type_name: str
    schema: dict
    attributes: dict[str, dict] = field(default_factory=dict)
    registry_read_only: frozenset[str] = frozenset()
    """The top-level read-only properties the registry declares (the service sets them)."""

    @property
    def properties(self) -> dict:
        return self.schema.get("properties", {})

    @cached_property
    def read_only(self) -> frozenset[str]:
        """Attributes that are not properties: the service sets them, a template cannot."""
        names = {name for name in self.attributes if "." not in name} | self.registry_read_only
        return frozenset(names - set(self.properties))

    def attribute_kind(self, name: str) -> str | None:
        """The JSON type an attribute yields ("string", "array"…) when the schema says so."""
        kind = self.attributes.get(name, {}).get("type")
        return kind if isinstance(kind, str) else None


@cache
def index() -> dict:
    return json.loads((RESOURCES / "index.json").read_text(encoding="utf-8"))


@cache
def _types() -> frozenset[str]:
    return frozenset(index()["types"])


def version() -> str:
    """The versions of the specifications the vendored data was built from."""
    return ", ".join(f"{name} {number}" for name, number in index()["sources"].items())


def is_resource_type(type_name: str) -> bool:
    return type_name in _types()


def covered(type_name: str) -> bool:
    """The type is in a namespace the schemas cover (AWS, Alexa), so it must have a schema."""
    return (
        type_name.startswith(SCHEMA_NAMESPACES)
        and not type_name.startswith("AWS::Serverless::")
        and type_name not in UNREGISTERED_TYPES
    )


def closest_type(type_name: str) -> str | None:
    """The existing type nearest to a misspelled one (case, colons and plurals forgiven)."""
    normal = type_name.replace(":", "").lower()
    by_normal = {t.replace(":", "").lower(): t for t in _types()}
    if normal in by_normal:
        return by_normal[normal]
    for trimmed in (normal[:-1], normal[:-2]) if normal.endswith("s") else ():
        if trimmed in by_normal:
            return by_normal[trimmed]
    close = difflib.get_close_matches(normal, list(by_normal), n=1, cutoff=0.8)
    return by_normal[close[0]] if close else None


@cache
def resource_schema(type_name: str) -> ResourceSchema | None:
    """The prepared schema of a type, or None when there is none (custom, SAM, registry types)."""
    if type_name not in _types():
        return None
    path = RESOURCES / (type_name.lower().replace("::", "-") + ".json")
    schema = json.loads(path.read_text(encoding="utf-8"))
    for patch in _patches().get(type_name, ()):
        _apply(schema, patch)
    attributes = schema.pop("attributes", {})
    read_only = frozenset(schema.pop("readOnly", ()))
    _inline_refs(schema)
    return ResourceSchema(type_name, schema, attributes, read_only)


def closest_name(name: str, candidates) -> str | None:
    """A did-you-mean: the candidate that differs only in case, the one that completes it
    (``Url`` → ``QueueUrl``), or the nearest by spelling."""
    candidates = [c for c in candidates if isinstance(c, str)]
    lower = name.lower()
    for candidate in candidates:
        if candidate.lower() == lower:
            return candidate
    partial = [c for c in candidates if len(lower) >= 3 and (c.lower().endswith(lower) or c.lower().startswith(lower))]
    if len(partial) == 1:
        return partial[0]
    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    return close[0] if close else None


PATCH_FILES = ("patches.json", "botocore_patterns.json")
"""The service limits the schemas omit, typed from the AWS documentation (``patches.json``), and
the API's ARN and id patterns, generated from botocore (``tools/botocore_patterns.py``)."""


@cache
def _patches() -> dict[str, list[dict]]:
    """What the schemas omit, by type (``PATCH_FILES``)."""
    result: dict[str, list[dict]] = {}
    for name in PATCH_FILES:
        for patch in json.loads((HERE / name).read_text(encoding="utf-8"))["patches"]:
            result.setdefault(patch["type"], []).append(patch)
    return result


def _apply(schema: dict, patch: dict) -> None:
    """Merge ``patch["set"]`` into the subschema at ``patch["path"]`` (a JSON pointer); the
    ``allOf`` of a patch adds to the subschema's own."""
    node = schema
    for part in patch.get("path", "").strip("/").split("/") if patch.get("path") else ():
        while "$ref" in node:  # a path may pass through a definition (`/properties/RotationRules/properties/…`)
            node = _pointer(schema, node["$ref"])
        node = node[part]  # a patch for a property the schema no longer has fails loudly (tests load them all)
    while "$ref" in node:
        node = _pointer(schema, node["$ref"])
    for key, value in patch.get("set", {}).items():
        if key == "allOf":
            node[key] = node.get(key, []) + value
        else:
            node[key] = value


def _pointer(schema: dict, ref: str):
    node = schema
    for part in ref.lstrip("#").strip("/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _inline_refs(schema: dict) -> None:
    """Replace each local ``{"$ref": "#/definitions/X"}`` by the definition itself (shared, so
    recursive definitions stay finite): validation then never resolves a reference."""
    seen: set[int] = set()
    pending = [schema]  # a stack, not a closure that calls itself: that would be a reference cycle
    while pending:
        node = pending.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        children = node.items() if isinstance(node, dict) else enumerate(node)
        for key, child in list(children):
            if isinstance(child, dict) and isinstance(child.get("$ref"), str) and child["$ref"].startswith("#"):
                child = _target(schema, child["$ref"])
                node[key] = child
            if isinstance(child, (dict, list)):
                pending.append(child)


def _target(schema: dict, ref: str):
    """The definition a reference names, following references to references."""
    node = _pointer(schema, ref)
    while isinstance(node, dict) and "$ref" in node:
        node = _pointer(schema, node["$ref"])
    return node


def type_problem(type_name: str) -> str | None:
    """Why a well-formed type name in the AWS namespace names no resource type, with the nearest
    one; None for a type that exists or that the schemas do not cover (custom, SAM, registry)."""
    if not covered(type_name) or is_resource_type(type_name):
        return None
    nearest = closest_type(type_name)
    hint = f" Did you mean {nearest}?" if nearest else ""
    spec = next(iter(index()["sources"].items()))
    return f"{type_name} is not a CloudFormation resource type (as of {spec[0]} {spec[1]}).{hint}"


def attribute_problem(type_name: str, attribute: str) -> str | None:
    """Why ``Fn::GetAtt`` cannot read ``attribute`` from a resource of this type, with the nearest
    attribute; None when it can, or when the type has no schema (custom resources accept any)."""
    schema = resource_schema(type_name)
    if schema is None or type_name == CUSTOM_RESOURCE or attribute in schema.attributes:
        return None
    if type_name == "AWS::CloudFormation::Stack" and attribute.startswith("Outputs."):
        return None  # a nested stack's outputs are checked against its template (XSTK006)
    if "." in attribute and schema.attribute_kind(attribute.split(".", 1)[0]) == "object":
        return None  # a key of a map attribute (a provisioned product's Outputs.Name): only known at deploy
    hint = closest_name(attribute, schema.attributes)
    names = sorted(schema.attributes)
    listed = f" Its attributes: {', '.join(names)}." if names and len(names) <= 12 else ""
    return f"{type_name} has no attribute {attribute}.{f' Did you mean {hint}?' if hint else ''}{listed}"
