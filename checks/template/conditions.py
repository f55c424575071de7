"""The Conditions section: conditions that are used but not defined, and bodies CloudFormation rejects."""

from __future__ import annotations

from cfncheck.api import ERROR, check, iter_calls, iter_uses

from . import all_uses, did_you_mean

CONDITION_FUNCTIONS = ("Fn::And", "Fn::Or", "Fn::Not", "Fn::Equals", "Condition")


@check(
    "CFN006",
    "cfn-undefined-condition",
    ERROR,
    fix="Define the condition, fix its name, or build it only from Fn::Equals/And/Or/Not/Condition over parameters.",
    deploy_failure=True,
)
def undefined_condition(ctx):
    """Every condition named by a resource, an output, Fn::If or the Condition function must be
    defined, and a condition may only be built from Fn::And, Fn::Or (2–10 operands), Fn::Not,
    Fn::Equals and Condition over parameters, pseudo parameters and mappings — never from a
    resource or an imported value — and must not depend on itself. CloudFormation rejects
    anything else."""
    template = ctx.template
    defined = template.conditions
    for resource, path, use in all_uses(template):
        if use.kind == "Condition" and use.target not in defined:
            message = f"Condition {use.target} is not defined in Conditions.{did_you_mean(use.target, defined)}"
            yield ctx.finding(resource, path, message)
    for name, body in defined.items():
        yield from _condition_body(ctx, name, body, ("Conditions", name))
    for cycle in _condition_cycles(defined):
        yield ctx.finding(None, ("Conditions", cycle[0]), "Condition depends on itself: " + " → ".join(cycle) + ".")


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
    for name in sorted(edges):
        if name not in state:
            _visit(name, edges, state, [], cycles)
    return cycles


def _visit(name: str, edges: dict, state: dict, stack: list, cycles: list) -> None:
    """Depth first from ``name``, adding each cycle met. A function of its own, not a closure that
    calls itself: that would be a reference cycle left for the collector after every template."""
    state[name] = "open"
    stack.append(name)
    for following in edges.get(name, ()):
        if state.get(following) == "open":
            cycles.append(stack[stack.index(following) :] + [following])
        elif following not in state:
            _visit(following, edges, state, stack, cycles)
    stack.pop()
    state[name] = "done"
