"""Template correctness: what CloudFormation itself rejects (catalog section 3.1)."""

from __future__ import annotations

import difflib
import re

from cfncheck.analysis.other_tools import expanded_elsewhere, tool_uses
from cfncheck.analysis.returns import ARN, ARN_PROPERTIES, URL_PROPERTIES, expand, ref_returns
from cfncheck.api import ERROR, INFO, WARNING, Scenario, check
from cfncheck.graph import RESOURCE, edges_between, has_resource_cycle, resource_cycles
from cfncheck.nodes import MarkedDict, derived
from cfncheck.references import PSEUDO_PARAMETERS, getatt_parts, guards, iter_calls, iter_uses, resource_uses
from cfncheck.schemas import CUSTOM_RESOURCE, attribute_problem, type_problem
from cfncheck.template import SAM_TRANSFORM

SECTIONS = (
    "AWSTemplateFormatVersion",
    "Description",
    "Metadata",
    "Parameters",
    "Rules",
    "Mappings",
    "Conditions",
    "Transform",
    "Resources",
    "Outputs",
)
RESOURCE_KEYS = (
    "Description",  # undocumented but accepted: CodeStar writes it on every resource, cdk's cfn-include reads it
    "Type",
    "Properties",
    "DependsOn",
    "Condition",
    "Metadata",
    "DeletionPolicy",
    "UpdateReplacePolicy",
    "UpdatePolicy",
    "CreationPolicy",
)
SAM_RESOURCE_KEYS = ("Connectors", "IgnoreGlobals")
CUSTOM_RESOURCE_KEYS = ("Version",)
SAM_TYPES = (
    "AWS::Serverless::Function",
    "AWS::Serverless::Api",
    "AWS::Serverless::HttpApi",
    "AWS::Serverless::SimpleTable",
    "AWS::Serverless::LayerVersion",
    "AWS::Serverless::Application",
    "AWS::Serverless::StateMachine",
    "AWS::Serverless::Connector",
    "AWS::Serverless::GraphQLApi",
    "AWS::Serverless::CapacityProvider",
    "AWS::Serverless::WebSocketApi",
)
SAM_IMPLICIT_PREFIXES = (
    "ServerlessRestApi",
    "ServerlessHttpApi",
    "ServerlessDeploymentApplication",
    "ServerlessUsagePlan",
    "ServerlessApiKey",
)
CONDITION_FUNCTIONS = ("Fn::And", "Fn::Or", "Fn::Not", "Fn::Equals", "Condition")
_TYPE_NAME = re.compile(r"^[A-Za-z0-9]+::[A-Za-z0-9]+::[A-Za-z0-9]+(::MODULE)?$")
_CUSTOM_TYPE = re.compile(r"^Custom::[A-Za-z0-9_@-]{1,60}$")


def _did_you_mean(name: str, candidates) -> str:
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f" Did you mean {close[0]}?" if close else ""


def _expanded_elsewhere(template) -> bool:
    """Macros other than SAM, Fn::ForEach and other tools' preprocessors create names (and
    text using parameters) cfncheck cannot see."""
    transforms = set(template.transforms) - {SAM_TRANSFORM, "AWS::LanguageExtensions"}
    if transforms or not all(isinstance(t, str) for t in _as_list(template.root.get("Transform"))):
        return True
    resources = template.root.get("Resources") or {}
    if any(str(key).startswith("Fn::ForEach") for key in resources):
        return True
    return expanded_elsewhere(template)


def _as_list(value) -> list:
    return value if isinstance(value, list) else [] if value is None else [value]


def _sam_implicit(template, name: str) -> bool:
    """SAM creates resources named after the ones it expands (MyFunctionRole, ServerlessRestApi…),
    and a module those it contains (MyModuleMyBucket, MyModule.MyBucket). A template of
    AWS::Serverless resources without the transform line is SAM's too: tools such as SAM's own
    test harness add the line, and CFN003 reports a template deployed without it."""
    if template.module_of(name) is not None:
        return True
    if not (template.is_sam or any(r.type.startswith("AWS::Serverless::") for r in template.resources.values())):
        return False
    if name.split(".", 1)[0] in template.generated or name.startswith(SAM_IMPLICIT_PREFIXES):
        return True
    base = name.split(".", 1)[0]
    return any(
        base.startswith(r.logical_id) for r in template.resources.values() if r.type.startswith("AWS::Serverless::")
    )


def _all_uses(template):
    """(resource or None, path relative to it or to the root, use) for every use in the template."""
    for resource in template.resources.values():
        for use in resource_uses(resource.node):
            yield resource, use.path, use
    for name, output in template.outputs.items():
        for use in iter_uses(output.node, ("Outputs", name)):
            yield None, use.path, use
    for name, node in template.conditions.items():
        for use in iter_uses(node, ("Conditions", name)):
            yield None, use.path, use


@check(
    "CFN001",
    "cfn-undefined-reference",
    ERROR,
    fix="Name a parameter, a resource or a pseudo parameter that exists (check the spelling), or add it.",
)
def undefined_reference(ctx):
    """Every Ref, Fn::GetAtt, DependsOn and Fn::Sub variable must name something the template
    defines; CloudFormation rejects the template otherwise ("Unresolved resource dependencies"
    or a template format error).

    Ref names a parameter, a resource or a pseudo parameter; GetAtt and DependsOn name
    resources. Names created by the SAM transform (MyFunctionRole, ServerlessRestApi…) are
    accepted; templates with other macros, Fn::ForEach, rain directives or Serverless Framework
    variables are not judged, since those create names cfncheck cannot see."""
    template = ctx.template
    if _expanded_elsewhere(template):
        return
    parameters, resources = template.parameters, template.resources
    names = set(parameters) | set(resources) | PSEUDO_PARAMETERS
    for resource, path, use in _all_uses(template):
        if use.kind in ("Condition", "FindInMap"):
            continue
        if use.kind in ("Ref", "Sub") and use.attribute is None:
            if use.target in names or _sam_implicit(template, use.target):
                continue
            what, candidates = "a parameter, resource or pseudo parameter", names
        else:
            if use.target in resources and use.attribute is not None:
                problem = attribute_problem(resources[use.target].type, use.attribute)
                if problem:
                    yield ctx.finding(resource, path, f"Fn::GetAtt {use.target}.{use.attribute}: {problem}")
                continue
            if use.target in resources or _sam_implicit(template, use.target):
                continue
            what, candidates = "a resource", resources
        function = {"Sub": "Fn::Sub variable", "GetAtt": "Fn::GetAtt", "DependsOn": "DependsOn"}.get(use.kind, use.kind)
        shown = use.target + (f".{use.attribute}" if use.attribute else "")
        message = (
            f"{function} {shown}: {use.target} is not {what} of this template.{_did_you_mean(use.target, candidates)}"
        )
        yield ctx.finding(resource, path, message)


@check("CFN002", "cfn-duplicate-key", ERROR, fix="Remove or rename one of the two keys.")
def duplicate_key(ctx):
    """The same key twice in one mapping: YAML and JSON parsers silently keep the last value,
    CloudFormation rejects the template. A name used both as a parameter and as a resource is
    ambiguous for Ref, and rejected too."""
    for duplicate in ctx.template.document.duplicates:
        message = (
            f"Duplicate key {duplicate.key!r}: it is also defined at line {duplicate.first.line}; "
            "CloudFormation rejects the template. Remove or rename one of them."
        )
        yield ctx.finding(None, (), message, at=duplicate.second)
    for name in ctx.template.parameters.keys() & ctx.template.resources.keys():
        message = f"{name} is both a parameter and a resource; Ref {name} is ambiguous. Rename one of them."
        yield ctx.finding(None, ("Resources", name), message)


@check(
    "CFN003",
    "cfn-invalid-resource-type",
    ERROR,
    fix="Use a resource type of the CloudFormation resource specification, spelled Service::Provider::Resource.",
)
def invalid_resource_type(ctx):
    """A resource type must be a CloudFormation type (AWS::Service::Resource), a custom resource
    (Custom::Name or AWS::CloudFormation::CustomResource), a registry type (Org::Service::Resource,
    accepted without verification) or, with the SAM transform, one of SAM's AWS::Serverless types.
    Anything else — single colons, wrong case, a misspelled name — fails the deployment."""
    template = ctx.template
    if _expanded_elsewhere(template):
        return
    for resource in template.resources.values():
        kind = resource.type
        if kind.startswith("AWS::Serverless::"):
            if kind not in SAM_TYPES:
                yield ctx.finding(
                    resource, "Type", f"{kind} is not a SAM resource type.{_did_you_mean(kind, SAM_TYPES)}"
                )
            elif not template.is_sam:
                yield ctx.finding(
                    resource, "Type", f"{kind} needs 'Transform: {SAM_TRANSFORM}' at the top of the template."
                )
        elif not (_TYPE_NAME.match(kind) or _CUSTOM_TYPE.match(kind)):
            hint = kind.replace(":", "::").replace("::::", "::") if "::" not in kind else None
            suggestion = f" Did you mean {hint}?" if hint and _TYPE_NAME.match(hint) else ""
            yield ctx.finding(
                resource,
                "Type",
                f"{kind!r} is not a resource type name (expected Service::Provider::Resource).{suggestion}",
            )
        elif (problem := type_problem(kind)) is not None:
            yield ctx.finding(resource, "Type", problem)


@check(
    "CFN004",
    "cfn-circular-dependency",
    ERROR,
    fix="Break the cycle: build an ARN with Fn::Sub from a name instead of GetAtt, or move a rule into its own "
    "resource (AWS::EC2::SecurityGroupIngress, AWS::Lambda::Permission…).",
)
def circular_dependency(ctx):
    """Resources that depend on each other in a cycle (through Ref, GetAtt, Sub or DependsOn)
    cannot be created in any order; CloudFormation rejects the template. Typical: a bucket's
    notification → a Lambda permission whose SourceArn is the bucket's GetAtt Arn, or two
    security groups referencing each other inline."""
    if not has_resource_cycle(ctx.template):  # most templates: no need to build the graph
        return
    graph = ctx.graph
    for cycle in resource_cycles(graph):
        steps = []
        for index, name in enumerate(cycle):
            following = cycle[(index + 1) % len(cycle)]
            edge = edges_between(graph, (RESOURCE, name), (RESOURCE, following))[0]
            where = ".".join(map(str, edge["path"]))
            steps.append(f"{name} ({where}: {edge['kind']}) → {following}")
        first = ctx.template.resources[cycle[0]]
        first_edge = edges_between(graph, (RESOURCE, cycle[0]), (RESOURCE, cycle[1 % len(cycle)]))[0]
        yield ctx.finding(first, first_edge["path"], "Circular dependency: " + "; ".join(steps) + ".")


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


@check("CFN005", "cfn-findinmap-key-missing", ERROR, fix="Add the missing key to the mapping, or add a DefaultValue.")
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
            message = (
                f"Fn::FindInMap names mapping {map_name}, which is not defined.{_did_you_mean(map_name, mappings)}"
            )
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
                    f"Mapping {map_name} has no top-level key {top!r}.{_did_you_mean(top, mapping)} "
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


@check(
    "CFN006",
    "cfn-undefined-condition",
    ERROR,
    fix="Define the condition, fix its name, or build it only from Fn::Equals/And/Or/Not/Condition over parameters.",
)
def undefined_condition(ctx):
    """Every condition named by a resource, an output, Fn::If or the Condition function must be
    defined, and a condition may only be built from Fn::And, Fn::Or (2–10 operands), Fn::Not,
    Fn::Equals and Condition over parameters, pseudo parameters and mappings — never from a
    resource or an imported value — and must not depend on itself. CloudFormation rejects
    anything else."""
    template = ctx.template
    defined = template.conditions
    for resource, path, use in _all_uses(template):
        if use.kind == "Condition" and use.target not in defined:
            message = f"Condition {use.target} is not defined in Conditions.{_did_you_mean(use.target, defined)}"
            yield ctx.finding(resource, path, message)
    for name, body in defined.items():
        yield from _condition_body(ctx, name, body, ("Conditions", name))
    for cycle in _condition_cycles(defined):
        yield ctx.finding(None, ("Conditions", cycle[0]), "Condition depends on itself: " + " → ".join(cycle) + ".")


def _entry_of(section: str, node) -> bool:
    """Whether ``node`` has the shape of an entry of ``section`` (a parameter named Description
    is a parameter), rather than a section indented under another one."""
    if not isinstance(node, dict):
        return False
    if section == "Parameters":
        return "Type" in node
    if section == "Outputs":
        return "Value" in node
    if section == "Conditions":
        return len(node) == 1 and next(iter(node)) in CONDITION_FUNCTIONS
    if section == "Mappings":
        return bool(node) and all(isinstance(value, dict) for value in node.values())
    return False


def _condition_body(ctx, name, node, path):
    if not (isinstance(node, dict) and len(node) == 1):
        yield ctx.finding(
            None, path, f"Condition {name} must be a single Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition."
        )
        return
    ((function, args),) = node.items()
    if function not in CONDITION_FUNCTIONS:
        yield ctx.finding(
            None, path, f"Condition {name} uses {function}; only {', '.join(CONDITION_FUNCTIONS)} are allowed."
        )
        return
    if function in ("Fn::And", "Fn::Or"):
        if not isinstance(args, list) or not 2 <= len(args) <= 10:
            yield ctx.finding(None, path + (function,), f"{function} takes 2 to 10 conditions.")
            return
        for index, operand in enumerate(args):
            yield from _condition_body(ctx, name, operand, path + (function, index))
    elif function == "Fn::Not":
        if not isinstance(args, list) or len(args) != 1:
            yield ctx.finding(None, path + (function,), "Fn::Not takes a list of exactly one condition.")
            return
        yield from _condition_body(ctx, name, args[0], path + (function, 0))
    elif function == "Fn::Equals":
        if not isinstance(args, list) or len(args) != 2:
            yield ctx.finding(None, path + (function,), "Fn::Equals takes a list of exactly two values.")
            return
        for use in iter_uses(args, path + (function,)):
            if use.kind in ("Ref", "Sub") and use.target in ctx.template.resources or use.kind == "GetAtt":
                message = f"Condition {name} refers to resource {use.target}; conditions may only use parameters."
                yield ctx.finding(None, use.path, message)
        for _, call_path in iter_calls(args, "Fn::ImportValue", path + (function,)):
            yield ctx.finding(None, call_path, f"Condition {name} uses Fn::ImportValue, which conditions cannot use.")


def _condition_cycles(defined) -> list[list[str]]:
    edges = {
        name: [u.target for u in iter_uses(body) if u.kind == "Condition" and u.target in defined]
        for name, body in defined.items()
    }
    cycles, state = [], {}

    def visit(name, stack):
        state[name] = "open"
        stack.append(name)
        for following in edges.get(name, ()):
            if state.get(following) == "open":
                cycles.append(stack[stack.index(following) :] + [following])
            elif following not in state:
                visit(following, stack)
        stack.pop()
        state[name] = "done"

    for name in sorted(edges):
        if name not in state:
            visit(name, [])
    return cycles


@check(
    "CFN007",
    "cfn-ref-to-conditional-resource",
    ERROR,
    fix="Give the referring resource or output the same Condition, or wrap the reference in Fn::If on it.",
)
def ref_to_conditional_resource(ctx):
    """A resource that exists only under a Condition cannot be referenced where that condition
    may be false: in that scenario the stack cannot resolve the reference and fails. The
    reference is safe when the referrer has the same (or an implying) condition, or sits in the
    matching branch of an Fn::If."""
    template = ctx.template
    resolver = ctx.resolver
    referrers = [(r, r.node, r.exists_in) for r in template.resources.values()]
    referrers += [
        (None, o.node, Scenario({(o.condition, True)}) if o.condition else Scenario())
        for o in template.outputs.values()
    ]
    for referrer, node, exists in referrers:
        uses = resource_uses(node) if referrer is not None else iter_uses(node)
        for use in uses:
            target = template.resources.get(use.target)
            if target is None or target.condition is None or use.kind in ("Condition", "FindInMap"):
                continue
            scenario = exists.with_condition(target.condition, False)
            for condition, truth in guards(node, use.path):
                scenario = scenario.with_condition(condition, truth) if scenario is not None else None
            if scenario is None or not resolver.satisfiable(scenario):
                continue
            subject = f"resource {referrer.logical_id}" if referrer is not None else "an output"
            message = (
                f"{use.kind} to {target.logical_id}, which exists only when {target.condition} is true, "
                f"but {subject} uses it when {target.condition} is false."
            )
            path = use.path if referrer is not None else ("Outputs", _output_name(template, node)) + use.path
            yield ctx.finding(referrer, path, message, scenario)


def _output_name(template, node) -> str:
    return next(name for name, output in template.outputs.items() if output.node is node)


@check(
    "CFN008",
    "cfn-ref-where-arn-required",
    ERROR,
    types=sorted({*ARN_PROPERTIES, *URL_PROPERTIES, "AWS::SNS::Subscription"}),
    fix="Use !GetAtt X.Arn (or the ARN attribute the type offers) where an ARN is required, and !Ref of a queue "
    "where a queue URL is required.",
)
def ref_where_arn_required(resource, ctx):
    """Some properties need an ARN, but Ref of an SQS queue returns its URL and Ref of a
    function, role, bucket, stream, table or log group returns its name; the stack fails (or the
    integration never works). QueuePolicy.Queues needs queue URLs, not ARNs. Ref of an SNS
    topic is its ARN and is fine. A queue's RedrivePolicy target is judged by SQS004 with the
    rest of the redrive policy, so one mistake gives one finding."""
    template = ctx.template
    patterns = list(ARN_PROPERTIES.get(resource.type, ()))
    if resource.type == "AWS::SNS::Subscription" and resource.properties.get("Protocol") in ("sqs", "lambda"):
        patterns.append(("Endpoint",))
    for pattern in patterns:
        for value, path in expand(resource.properties, pattern, ("Properties",)):
            target = _ref_target(template, value)
            if target is not None and ref_returns(target.type) not in (None, ARN):
                message = (
                    f"{'.'.join(map(str, path[1:]))} needs an ARN, but Ref {target.logical_id} returns its "
                    f"{ref_returns(target.type)}. Use !GetAtt {target.logical_id}.Arn."
                )
                yield ctx.finding(resource, path, message)
    for pattern in URL_PROPERTIES.get(resource.type, ()):
        for value, path in expand(resource.properties, pattern, ("Properties",)):
            parts = getatt_parts(value.get("Fn::GetAtt")) if isinstance(value, dict) and len(value) == 1 else None
            if parts and parts[0] in template.resources and parts[1] in ("Arn", "QueueArn"):
                message = f"Queues needs queue URLs, but !GetAtt {parts[0]}.{parts[1]} is an ARN. Use !Ref {parts[0]}."
                yield ctx.finding(resource, path, message)


def _ref_target(template, value):
    if isinstance(value, dict) and len(value) == 1 and isinstance(value.get("Ref"), str):
        return template.resources.get(value["Ref"])
    return None


def _used_names(template, kinds: tuple[str, ...]) -> set[str]:
    """Names used with one of ``kinds`` anywhere outside their own definitions (template
    Metadata labels do not count)."""
    return {
        name
        for kind, name in derived(template.root, "used names", lambda: _uses_outside_definitions(template))
        if kind in kinds
    }


def _uses_outside_definitions(template) -> set[tuple[str, str]]:
    """The uses in the template as written (a loop's collection is used) and as expanded."""
    used = set()
    roots = (
        (template.document.root,)
        if template.root is template.document.root
        else (template.document.root, template.root)
    )
    for section, node in (entry for root in roots for entry in root.items()):
        if section in ("Parameters", "Metadata", "Mappings"):
            continue
        if section == "Resources" and isinstance(node, dict):
            uses = (
                use
                for resource in node.values()
                for use in (resource_uses(resource) if isinstance(resource, dict) else iter_uses(resource))
            )
        else:
            uses = iter_uses(node)
        used.update((use.kind, use.target) for use in uses)
        if section == "Outputs" and isinstance(node, dict):
            for output in node.values():
                if isinstance(output, dict) and isinstance(output.get("Condition"), str):
                    used.add(("Condition", output["Condition"]))
    return used


@check(
    "CFN034",
    "cfn-parameter-value-undeclared",
    WARNING,
    fix="Remove the value from the parameter values meant for this template (or narrow the configuration's "
    "glob), or declare the parameter.",
)
def parameter_value_undeclared(ctx):
    """A value given for this template (``--parameters`` or the configuration's ``parameters`` globs)
    names a parameter the template does not declare: a misspelt name whose value is silently
    unused, or a glob that matches a template it was not meant for. CloudFormation refuses such a
    stack: "Parameters: [Name] do not exist in the template"."""
    template = ctx.template
    if _expanded_elsewhere(template):
        return
    for name in sorted(set(ctx.resolver.given) - set(template.parameters)):
        close = _did_you_mean(name, template.parameters)
        yield ctx.finding(
            None,
            ("Parameters",),
            f"A value is given for parameter {name}, which this template does not declare.{close} "
            "Remove it from the parameter values for this template, or declare the parameter.",
        )


CDK_ASSET_PARAMETER = "AssetParameters"
"""The CDK's legacy synthesizer declares three parameters per asset (bucket, key, hash) and uses two."""


def _synthesized_by_cdk(template) -> bool:
    return any(r.type == "AWS::CDK::Metadata" or "aws:cdk:path" in r.metadata for r in template.resources.values())


@check("CFN011", "cfn-unused-parameter", WARNING, fix="Use the parameter, or remove it.")
def unused_parameter(ctx):
    """A parameter that nothing refers to (no Ref, Fn::Sub, FindInMap key, condition, output,
    nested-stack parameter or Metadata) is a dead input — or a typo in the Ref that was meant to
    use it. Interface labels alone do not count as a use. The asset parameters the CDK declares
    in a synthesized template are not reported: nobody edits that template."""
    template = ctx.template
    if _expanded_elsewhere(template):
        return
    used = _used_names(template, ("Ref", "Sub"))
    for name in template.parameters:
        if name not in used and not (name.startswith(CDK_ASSET_PARAMETER) and _synthesized_by_cdk(template)):
            yield ctx.finding(
                None, ("Parameters", name), f"Parameter {name} is declared but never used. Use it or remove it."
            )


@check("CFN012", "cfn-unused-condition", WARNING, fix="Use the condition, or remove it.")
def unused_condition(ctx):
    """A condition that no resource, output, Fn::If or other condition uses is dead code, or a
    sign that the Condition meant to use it is misspelled."""
    template = ctx.template
    if _expanded_elsewhere(template):
        return
    used = _used_names(template, ("Condition",))
    for name in template.conditions:
        if name not in used:
            yield ctx.finding(
                None, ("Conditions", name), f"Condition {name} is defined but never used. Use it or remove it."
            )


def _computed_map_names(ctx) -> set[str | None]:
    """The map names an Fn::FindInMap computes (``!FindInMap [!FindInMap [Maps, k, k2], …]``,
    ``!FindInMap [!Ref MapName, …]``), resolved in every scenario; None for one not known here."""
    names: set[str | None] = set()
    for arguments, _ in iter_calls(ctx.template.root, "Fn::FindInMap"):
        if isinstance(arguments, list) and arguments and not isinstance(arguments[0], str):
            for alt in ctx.resolve(arguments[0]):
                names.add(alt.value if isinstance(alt.value, str) else None)
    return names


@check("CFN013", "cfn-unused-mapping", WARNING, fix="Use the mapping with Fn::FindInMap, or remove it.")
def unused_mapping(ctx):
    """A mapping that no Fn::FindInMap reads is dead data. A map name computed by another
    Fn::FindInMap (or a Ref) counts for the names it can take; one not known here silences the check."""
    template = ctx.template
    if _expanded_elsewhere(template):
        return
    used = _used_names(template, ("FindInMap",))
    if set(template.mappings) <= used:
        return
    used |= _computed_map_names(ctx)
    if None in used:
        return  # a map name that cannot be known here may be any of them
    for name in template.mappings:
        if name not in used:
            yield ctx.finding(
                None, ("Mappings", name), f"Mapping {name} is defined but never used. Use it or remove it."
            )


@check(
    "CFN014",
    "cfn-template-structure-invalid",
    ERROR,
    fix="Keep to the template anatomy: the documented top-level sections, and resource keys Type, Properties, "
    "DependsOn, Condition, Metadata, DeletionPolicy, UpdateReplacePolicy, UpdatePolicy, CreationPolicy.",
)
def template_structure_invalid(ctx):
    """A template must have a non-empty Resources mapping, only the documented top-level
    sections, AWSTemplateFormatVersion "2010-09-09" if any, a string Description, and resources
    made of Type, Properties, DependsOn, Condition, Metadata, DeletionPolicy, UpdateReplacePolicy,
    UpdatePolicy and CreationPolicy (SAM adds Connectors and IgnoreGlobals; custom resources
    may keep the legacy Version). A section name
    nested inside another section is usually mis-indentation. CloudFormation rejects the rest.
    The SAM transform drops unknown keys of its own resources instead of failing, so there the
    finding is a warning: the key has no effect. Templates with other macros or preprocessors
    are not judged."""
    template = ctx.template
    root = template.root
    if _expanded_elsewhere(template):
        return
    sections = SECTIONS + (("Globals",) if template.is_sam else ())
    for key in root:
        if key == "Globals" and not template.is_sam:
            message = f"Globals is a SAM section: add 'Transform: {SAM_TRANSFORM}' at the top of the template."
            yield ctx.finding(None, (key,), message)
        elif key not in sections:
            hint = _did_you_mean(key, sections) or " Remove it."
            yield ctx.finding(None, (key,), f"{key!r} is not a template section.{hint}")
    if "Resources" not in root or not root.get("Resources"):
        yield ctx.finding(
            None, ("Resources",), "The template has no resources: Resources is required and must not be empty."
        )
    version = root.get("AWSTemplateFormatVersion")
    if "AWSTemplateFormatVersion" in root and str(version) != "2010-09-09":
        yield ctx.finding(None, ("AWSTemplateFormatVersion",), 'AWSTemplateFormatVersion must be "2010-09-09".')
    if "Description" in root and not isinstance(root["Description"], str):
        yield ctx.finding(None, ("Description",), "Description must be a string.")
    for section in ("Parameters", "Mappings", "Conditions", "Outputs", "Metadata"):
        node = root.get(section)
        if section in root and not isinstance(node, dict):
            message = f"{section} is empty: remove the key, or add entries under it." if node is None else ""
            yield ctx.finding(None, (section,), message or f"{section} must be a mapping.")
            continue
        for key in node or ():
            if key in SECTIONS and key != "Metadata" and not _entry_of(section, node[key]):
                message = f"{key!r} is nested inside {section}; it looks mis-indented and belongs at the top level."
                yield ctx.finding(None, (section, key), message)
    resource_keys = RESOURCE_KEYS + (SAM_RESOURCE_KEYS if template.is_sam else ())
    for logical_id, node in (root.get("Resources") or {}).items():
        if str(logical_id).startswith("Fn::ForEach"):
            continue
        path = ("Resources", logical_id)
        if not isinstance(node, MarkedDict):
            yield ctx.finding(None, path, f"Resource {logical_id} must be a mapping with a Type.")
            continue
        if not isinstance(node.get("Type"), str):
            what = "has no Type" if "Type" not in node else "has a Type that is not a string"
            yield ctx.finding(None, path + (("Type",) if "Type" in node else ()), f"Resource {logical_id} {what}.")
        sam = template.is_sam and str(node.get("Type", "")).startswith("AWS::Serverless::")
        resource = template.resources.get(logical_id)
        custom = resource is not None and (resource.type == CUSTOM_RESOURCE or resource.type.startswith("Custom::"))
        for key in node:
            if key not in resource_keys and not (custom and key in CUSTOM_RESOURCE_KEYS):
                message = f"{key!r} is not a resource attribute.{_did_you_mean(key, resource_keys)}"
                if sam:
                    message += " SAM ignores it; if it is a property, move it under Properties."
                elif key in ("Policies", "Tags", "Code", "Runtime"):
                    message += " Did you mean to put it under Properties?"
                where = (key,) if resource is not None else path + (key,)
                yield ctx.finding(resource, where, message, severity=WARNING if sam else None)


@check(
    "CFN903",
    "template-for-another-tool",
    INFO,
    fix="Check the template the tool writes as well (the message says how to get it).",
)
def template_for_another_tool(ctx):
    """The file is written for another tool that expands it before CloudFormation reads it:
    rain (``!Rain::Module``, ``!Rain::Embed``, ``!Rain::S3``, ``!Rain::Constant``…), the Serverless
    Framework (``${self:…}``, ``${opt:…}``), Sceptre's Jinja templates, or ``aws cloudformation
    package`` (``Code: ./src``, ``TemplateURL: ./child.yaml``, local modules). That tool's syntax is
    not a CloudFormation error; what it inserts cannot be seen here, so the checks that depend on
    it (undefined names, unused declarations, the values it replaces) are skipped, and the rest of
    the template is checked. One finding per file, at the first use of each tool's syntax."""
    uses = tool_uses(ctx.template)
    if not uses:
        return
    first, *others = uses
    message = f"Written for {first.about.name} ({first.syntax}): {first.about.expand}; check that template too."
    for other in others:
        message += f" It also uses {other.about.name} ({other.syntax}): {other.about.expand}."
    yield ctx.finding(None, first.path or (), message + " cfncheck skipped what the tools insert.", at=first.mark)
