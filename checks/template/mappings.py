"""The Mappings section, as Fn::FindInMap reads it."""

from __future__ import annotations

from cfncheck.api import ERROR, check, iter_calls

from . import did_you_mean


def _mapping_keys(ctx, node):
    """The values a FindInMap key can take: every allowed value of a parameter, else its resolved values."""
    if isinstance(node, dict) and isinstance(node.get("Ref"), str) and len(node) == 1:
        parameter = ctx.template.parameters.get(node["Ref"])
        if parameter is not None and parameter.allowed_values and node["Ref"] not in ctx.resolver.given:
            return [str(v) for v in parameter.allowed_values], None
    values = [alt.value for alt in ctx.resolve(node)]
    if all(isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in values):
        return [str(v) for v in values], None
    return None, values


@check(
    "CFN005",
    "cfn-findinmap-key-missing",
    ERROR,
    fix="Add the missing key to the mapping, or add a DefaultValue.",
    deploy_failure=True,
)
def findinmap_key_missing(ctx):
    """Fn::FindInMap must name a mapping that exists and keys that exist in it; CloudFormation
    fails otherwise. A top-level key from AWS::Region needs the second-level key under every
    region; a top-level key from a parameter with AllowedValues needs every allowed value.
    Mappings are exactly MapName → TopKey → SecondKey → value. Keys that cannot be resolved are
    not judged; a DefaultValue (language extensions) removes the error."""
    template = ctx.template
    mappings = template.mappings
    for name, node in mappings.items():
        yield from _mapping_shape(ctx, name, node)
    for resource, args, path in _find_in_map_calls(template):
        if not (isinstance(args, list) and len(args) >= 3):
            continue
        if len(args) == 4:
            continue  # DefaultValue: a missing key is not an error
        map_name = args[0]
        if not isinstance(map_name, str):
            continue
        if map_name not in mappings:
            message = f"Fn::FindInMap names mapping {map_name}, which is not defined.{did_you_mean(map_name, mappings)}"
            yield ctx.finding(resource, path, message)
            continue
        mapping = mappings[map_name]
        if not isinstance(mapping, dict):
            continue
        tops, _ = _mapping_keys(ctx, args[1])
        seconds, _ = _mapping_keys(ctx, args[2])
        region = (
            isinstance(args[1], dict)
            and args[1].get("Ref") == "AWS::Region"
            and "AWS::Region" not in ctx.resolver.pseudo
        )
        if region:
            tops = list(mapping)
        if tops is None:
            continue
        call = path + ("Fn::FindInMap",)
        for top in tops:
            if top not in mapping:
                message = (
                    f"Mapping {map_name} has no top-level key {top!r}.{did_you_mean(top, mapping)} "
                    "Add the key, or a DefaultValue."
                )
                yield ctx.finding(resource, call + (1,), message)
        for second in seconds or ():
            lacking = [top for top in tops if isinstance(mapping.get(top), dict) and second not in mapping[top]]
            if lacking:
                where = "regions" if region else "top-level keys"
                message = (
                    f"Mapping {map_name} has no key {second!r} under {', '.join(map(repr, lacking))}: "
                    f"Fn::FindInMap fails for those {where}. Add the key, or a DefaultValue."
                )
                yield ctx.finding(resource, call + (2,), message)


def _find_in_map_calls(template):
    for resource in template.resources.values():
        for args, path in iter_calls(resource.node, "Fn::FindInMap"):
            yield resource, args, path
    for section in ("Outputs", "Conditions"):
        node = template.root.get(section)
        for args, path in iter_calls(node, "Fn::FindInMap", (section,)):
            yield None, args, path


def _mapping_shape(ctx, name, node):
    where = ("Mappings", name)
    if not isinstance(node, dict):
        yield ctx.finding(None, where, f"Mapping {name} must be a mapping of top-level keys.")
        return
    for top, entry in node.items():
        if not isinstance(entry, dict):
            yield ctx.finding(None, where + (top,), f"Mappings.{name}.{top} must be a mapping of second-level keys.")
            continue
        for second, value in entry.items():
            leaf_ok = isinstance(value, (str, int, float)) or (
                isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value)
            )
            if not leaf_ok:
                message = (
                    f"Mappings.{name}.{top}.{second} must be a string or a list of strings; "
                    "mappings are exactly three levels deep."
                )
                yield ctx.finding(None, where + (top, second), message)
