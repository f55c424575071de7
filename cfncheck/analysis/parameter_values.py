"""A parameter's value against its declaration, as CloudFormation validates it when a stack is
created: the Type (``Number``, ``List<Number>``, the shapes of the ``AWS::EC2::…`` id types),
``AllowedValues``, ``AllowedPattern``, the length and value bounds. Used for the values given to
a template (parameter files) and those a parent stack passes to a nested one.

Source: the CloudFormation user guide, "Parameters" (the Type, AllowedPattern, AllowedValues,
MinLength/MaxLength and MinValue/MaxValue properties, and the AWS-specific parameter types).
"""

from __future__ import annotations

import re

from cfncheck.schemas.document import compiled_pattern
from cfncheck.values import as_number, is_known

ID_SHAPES = {
    "AWS::EC2::Image::Id": r"ami-[0-9a-f]{8}([0-9a-f]{9})?",
    "AWS::EC2::Instance::Id": r"i-[0-9a-f]{8}([0-9a-f]{9})?",
    "AWS::EC2::SecurityGroup::Id": r"sg-[0-9a-f]{8}([0-9a-f]{9})?",
    "AWS::EC2::Subnet::Id": r"subnet-[0-9a-f]{8}([0-9a-f]{9})?",
    "AWS::EC2::Volume::Id": r"vol-[0-9a-f]{8}([0-9a-f]{9})?",
    "AWS::EC2::VPC::Id": r"vpc-[0-9a-f]{8}([0-9a-f]{9})?",
    "AWS::EC2::AvailabilityZone::Name": r"[a-z]{2}(-[a-z]+)+-\d[a-z]",
    "AWS::Route53::HostedZone::Id": r"Z[0-9A-Z]{1,32}",
}
"""The form of the ids the AWS-specific parameter types take (EC2 ids: the prefix and 8 or 17 hex
digits). CloudFormation also checks that the resource exists; a value not of this form never does."""


def _type_of(kind: str) -> tuple[str, bool]:
    """The item type of a parameter type, and whether the parameter is a list."""
    if kind == "CommaDelimitedList":
        return "String", True
    match = re.fullmatch(r"List<(.+)>", kind)
    return (match.group(1), True) if match else (kind, False)


def violation(declaration, value) -> str | None:
    """What a known value breaks of a parameter's declared constraints, if anything."""
    if not is_known(value) or isinstance(value, (dict, bool)):
        return None
    text = ",".join(map(str, value)) if isinstance(value, list) else str(value)
    kind = str(declaration.get("Type", "String"))
    if kind.startswith("AWS::SSM::Parameter::"):
        return None  # a Parameter Store name, read at deploy time
    item_type, listed = _type_of(kind)
    items = [item.strip() for item in text.split(",")] if listed else [text]
    allowed = declaration.get("AllowedValues")
    # a list parameter's AllowedValues apply to each of its items
    if isinstance(allowed, list) and all(is_known(a) for a in allowed):
        options = ", ".join(map(str, allowed))
        for item in items:
            if item not in map(str, allowed):
                return (
                    f"has the item {item!r}, which is not one of the AllowedValues {options}"
                    if listed
                    else (f"is not one of the AllowedValues {options}")
                )
    shape = ID_SHAPES.get(item_type)
    if shape is not None:
        for item in items:
            if not re.fullmatch(shape, item):
                what = f"the item {item!r}" if listed else repr(item)
                return f"has {what}, which is not of the form of {item_type} ({shape})"
    pattern = declaration.get("AllowedPattern")
    if isinstance(pattern, str) and kind == "String":
        compiled = compiled_pattern(pattern)
        if compiled is not None and not compiled.fullmatch(text):
            return f"does not match the AllowedPattern {pattern}"
    if item_type == "Number":
        for item in items:
            number = as_number(item)
            if number is None:
                return f"has the item {item!r}, which is not a number" if listed else "is not a number"
            low, high = as_number(declaration.get("MinValue")), as_number(declaration.get("MaxValue"))
            if not listed and ((low is not None and number < low) or (high is not None and number > high)):
                return f"is outside {low if low is not None else '-inf'}..{high if high is not None else 'inf'}"
    if kind == "String":
        low, high = as_number(declaration.get("MinLength")), as_number(declaration.get("MaxLength"))
        if (low is not None and len(text) < low) or (high is not None and len(text) > high):
            return "breaks the MinLength/MaxLength"
    return None
