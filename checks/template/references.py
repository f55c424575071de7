"""References between the parts of a template: what a Ref or GetAtt names, cycles, and conditional targets."""

from __future__ import annotations

from cfncheck.analysis.returns import ARN, ARN_PROPERTIES, URL_PROPERTIES, expand, ref_returns
from cfncheck.api import ERROR, PSEUDO_PARAMETERS, Scenario, check, getatt_parts, guards, iter_uses, resource_uses
from cfncheck.graph import RESOURCE, edges_between, has_resource_cycle, resource_cycles
from cfncheck.schemas import attribute_problem

from . import all_uses, did_you_mean, expanded_elsewhere

SAM_IMPLICIT_PREFIXES = (
    "ServerlessRestApi",
    "ServerlessHttpApi",
    "ServerlessDeploymentApplication",
    "ServerlessUsagePlan",
    "ServerlessApiKey",
)


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


def _policy_variable(name: str) -> bool:
    """An IAM policy variable (``aws:username``, ``s3:prefix``, ``cognito-identity.amazonaws.com:sub``):
    a service prefix and a key, which no parameter or resource can be named."""
    prefix, colon, key = name.partition(":")
    return bool(colon and key and prefix and not name.startswith("AWS::"))


@check(
    "CFN001",
    "cfn-undefined-reference",
    ERROR,
    fix="Name a parameter, a resource or a pseudo parameter that exists (check the spelling), or add it.",
    deploy_failure=True,
)
def undefined_reference(ctx):
    """Every Ref, Fn::GetAtt, DependsOn and Fn::Sub variable must name something the template
    defines; CloudFormation rejects the template otherwise ("Unresolved resource dependencies"
    or a template format error).

    Ref names a parameter, a resource or a pseudo parameter; GetAtt and DependsOn name
    resources. An IAM policy variable inside Fn::Sub (``${aws:username}``) is such a name too:
    CloudFormation tries to substitute it, and it must be written ``${!aws:username}`` (the
    Fn::Sub reference: "To write a dollar sign and curly braces (${}) literally, add an
    exclamation point (!) after the open curly brace").

    Names created by the SAM transform (MyFunctionRole, ServerlessRestApi…) are accepted;
    templates with other macros, Fn::ForEach, rain directives or Serverless Framework
    variables are not judged, since those create names cfncheck cannot see."""
    template = ctx.template
    if expanded_elsewhere(template):
        return
    parameters, resources = template.parameters, template.resources
    names = set(parameters) | set(resources) | PSEUDO_PARAMETERS
    for resource, path, use in all_uses(template):
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
        if use.kind == "Sub" and _policy_variable(use.target):
            message = (
                f"Fn::Sub variable {shown}: Fn::Sub substitutes every ${{…}}, and {use.target} is not {what} of this "
                f"template. To keep the IAM policy variable, write ${{!{use.target}}}."
            )
            yield ctx.finding(resource, path, message)
            continue
        message = (
            f"{function} {shown}: {use.target} is not {what} of this template.{did_you_mean(use.target, candidates)}"
        )
        yield ctx.finding(resource, path, message)


@check(
    "CFN004",
    "cfn-circular-dependency",
    ERROR,
    fix="Break the cycle: build an ARN with Fn::Sub from a name instead of GetAtt, or move a rule into its own "
    "resource (AWS::EC2::SecurityGroupIngress, AWS::Lambda::Permission…).",
    deploy_failure=True,
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


@check(
    "CFN007",
    "cfn-ref-to-conditional-resource",
    ERROR,
    fix="Give the referring resource or output the same Condition, or wrap the reference in Fn::If on it.",
    deploy_failure=True,
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
            condition = ctx.location(
                target, "Condition", message=f"{target.logical_id} has Condition {target.condition}"
            )
            yield ctx.finding(referrer, path, message, scenario, related=[condition])


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
