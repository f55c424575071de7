"""Build ``cfncheck/schemas/botocore_patterns.json``: the shapes of ARNs and resource ids the AWS
APIs accept, for the CloudFormation properties that pass them on, generated from botocore.

CloudFormation's resource schemas often type an ARN or an id as any string (or ``arn:.*``),
while the service's API model says what it accepts: a role ARN with a 12-digit account, a KMS
key or alias ARN, ``subnet-`` and 8 or 17 hex digits. The service refuses anything else, so a
placeholder (``"arn"``, ``"aws-kms-key-arn"``, ``arn:aws:iam::12345:role/x``) fails the stack.

For each resource type of ``PAIRS`` (reviewed by hand: the type passes its properties to that
API operation unchanged), the properties of the vendored CloudFormation schema are matched by
name (case aside) with the members of the operation's input, recursively; where the member's
shape has a pattern of an ARN or of a resource id (``PATTERN_KINDS``) that Python's ``re``
compiles, the pattern is added to the property, with the shape it came from. Patterns are
matched as JSON Schema does (a search), so a longer value that holds a valid ARN passes.

A development tool, run by hand when botocore or the schemas change (botocore is not a
dependency of cfncheck)::

    pip install botocore && python tools/botocore_patterns.py
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESOURCES = ROOT / "cfncheck" / "schemas" / "resources"
OUTPUT = ROOT / "cfncheck" / "schemas" / "botocore_patterns.json"

PAIRS = {
    "AWS::KinesisFirehose::DeliveryStream": ("firehose", "CreateDeliveryStream"),
    "AWS::Lambda::Function": ("lambda", "CreateFunction"),
    "AWS::Lambda::EventSourceMapping": ("lambda", "CreateEventSourceMapping"),
    "AWS::StepFunctions::StateMachine": ("stepfunctions", "CreateStateMachine"),
    "AWS::DirectoryService::MicrosoftAD": ("ds", "CreateMicrosoftAD"),
    "AWS::DirectoryService::SimpleAD": ("ds", "CreateDirectory"),
    "AWS::Scheduler::Schedule": ("scheduler", "CreateSchedule"),
    "AWS::Kinesis::Stream": ("kinesis", "CreateStream"),
    "AWS::KinesisAnalyticsV2::Application": ("kinesisanalyticsv2", "CreateApplication"),
    "AWS::SageMaker::Model": ("sagemaker", "CreateModel"),
    "AWS::SageMaker::NotebookInstance": ("sagemaker", "CreateNotebookInstance"),
    "AWS::Glue::Crawler": ("glue", "CreateCrawler"),
    "AWS::Pipes::Pipe": ("pipes", "CreatePipe"),
    "AWS::DataSync::Task": ("datasync", "CreateTask"),
    "AWS::Batch::ComputeEnvironment": ("batch", "CreateComputeEnvironment"),
}
"""CloudFormation types and the API operation their handler calls with the same properties."""

PATTERN_KINDS = re.compile(r"^\^?\(?(arn:|subnet-|sg-|vpc-)")
"""Patterns that say what an ARN or a resource id looks like; other patterns (free text,
character sets) are left to the CloudFormation schema."""


def load_operation(service: str, operation: str):
    import botocore.session  # a development dependency of this tool only

    return botocore.session.get_session().get_service_model(service).operation_model(operation).input_shape


def _pointer(schema: dict, ref: str) -> dict:
    node = schema
    for part in ref.lstrip("#/").split("/"):
        node = node[part]
    return node


def _members(shape) -> dict:
    return {name.lower(): member for name, member in getattr(shape, "members", {}).items()}


def patterns_for(type_name: str, schema: dict, shape) -> list[dict]:
    """Patches adding the API's ARN and id patterns to the matching properties of one type."""
    found: list[dict] = []
    seen: set[str] = set()

    def walk(node: dict, pointer: str, shape, trail: str) -> None:
        while "$ref" in node:
            pointer = node["$ref"].lstrip("#")
            node = _pointer(schema, node["$ref"])
        if pointer in seen:
            return
        seen.add(pointer)
        if node.get("type") == "array" or "items" in node:
            items = node.get("items", {})
            member = getattr(shape, "member", None)
            if isinstance(items, dict) and member is not None:
                walk(items, pointer + "/items", member, trail + "[]")
            return
        members = _members(shape)
        for name, child in node.get("properties", {}).items():
            member = members.get(name.lower())
            if member is not None and isinstance(child, dict):
                walk(child, f"{pointer}/properties/{name}", member, f"{trail}.{member.name}")
        pattern = getattr(shape, "metadata", {}).get("pattern")
        if shape.type_name == "string" and pattern and PATTERN_KINDS.match(pattern) and _compiles(pattern):
            if node.get("pattern") != pattern:
                found.append(
                    {
                        "type": type_name,
                        "path": pointer,
                        "set": {"allOf": [{"pattern": pattern}]},
                        "why": f"botocore {trail.lstrip('.')} (shape {shape.name})",
                    }
                )

    walk(schema, "", shape, "")
    return found


def _compiles(pattern: str) -> bool:
    try:
        re.compile(pattern)
    except re.error:
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    import botocore

    patches = []
    for type_name, (service, operation) in sorted(PAIRS.items()):
        schema = json.loads((RESOURCES / (type_name.lower().replace("::", "-") + ".json")).read_text(encoding="utf-8"))
        for patch in patterns_for(type_name, schema, load_operation(service, operation)):
            patch["why"] = f"{service} {operation}: {patch['why']}"
            patches.append(patch)
    data = {
        "about": "ARN and resource-id patterns of the AWS APIs, for the CloudFormation properties passed to them "
        "unchanged; generated by tools/botocore_patterns.py: do not edit.",
        "source": f"botocore {botocore.__version__}",
        "patches": patches,
    }
    args.output.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(f"{args.output}: {len(patches)} patterns", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
