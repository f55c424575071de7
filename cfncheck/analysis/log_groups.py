"""The log group a Lambda function writes to, and whether the template manages it.

Lambda writes to ``/aws/lambda/<function name>`` unless ``LoggingConfig.LogGroup`` names another
group, and creates that group itself (never expiring, outliving the stack) when it does not
exist. A template manages it with an ``AWS::Logs::LogGroup`` of that name — written literally,
or built from the function (``!Sub /aws/lambda/${Function}``) — or with the CDK's
``Custom::LogRetention``, which sets the retention of the group it names.
"""

from __future__ import annotations

from ..context import Context, per_template
from ..template import Resource
from ..values import ABSENT, Scenario, Unknown

LOG_GROUP = "AWS::Logs::LogGroup"
FUNCTIONS = ("AWS::Lambda::Function", "AWS::Serverless::Function")
LOG_RETENTION = "Custom::LogRetention"
PREFIX = "/aws/lambda/"
_UNKNOWN_PART = "${?}"  # what the resolver writes in a text for a part it cannot know


def manages_log_group(ctx: Context, function: Resource, scenario: Scenario) -> bool | None:
    """Whether the template gives the function's logs a group of its own in ``scenario``: True,
    False, or None when a group's name (or the function's) is not known well enough to say."""
    if any(alt.value is not ABSENT for alt in ctx.resolver.get(function.node, _LOGGING_GROUP, scenario)):
        return True
    # the function's name as Ref gives it (``${Function}`` in a text), and as FunctionName writes it
    names = [f"${{{function.logical_id}}}"] + [
        name
        for alt in ctx.resolver.get(function.node, ("Properties", "FunctionName"), scenario)
        if (name := _text(alt.value)) is not ABSENT
    ]
    exact, vague = _group_names(ctx)
    for name in names:
        if isinstance(name, str) and any(ctx.merge(s, scenario) is not None for s in exact.get(PREFIX + name, ())):
            return True
    verdict: bool | None = False
    for group, named_in in vague:
        if ctx.merge(named_in, scenario) is not None:
            match = _names_group(group, names)
            if match:
                return True
            verdict = None if match is None else verdict
    if verdict is False and exact and any(not _generated(name) and _vague(name) for name in names):
        verdict = None  # a function name partly unknown may be any of the groups' names
    return verdict


@per_template
def _group_names(ctx: Context) -> tuple[dict[str, list[Scenario]], list[tuple[object, Scenario]]]:
    """The log groups of the template by name (with the scenarios they exist in), and those whose
    name is only partly known (or not at all)."""
    exact: dict[str, list[Scenario]] = {}
    vague = []
    for group in ctx.resources(LOG_GROUP, LOG_RETENTION):
        for alt in ctx.values(group, "Properties.LogGroupName"):
            name = _text(alt.value)
            if isinstance(name, str) and not _vague(name):
                exact.setdefault(name, []).append(alt.scenario)
            elif name is not ABSENT:
                vague.append((name, alt.scenario))
    return exact, vague


def _vague(name) -> bool:
    return name is None or _UNKNOWN_PART in name


def _generated(name) -> bool:
    """A name CloudFormation generates, written ``${Function}``: only a name built from it matches it."""
    return isinstance(name, str) and name.startswith("${") and name.endswith("}") and "?" not in name


_LOGGING_GROUP = ("Properties", "LoggingConfig", "LogGroup")


@per_template
def manages_function_logs(ctx: Context) -> Resource | None:
    """A resource through which the template takes charge of a Lambda function's logs: a log group
    named ``/aws/lambda/…``, the CDK's ``Custom::LogRetention``, or a function's
    ``LoggingConfig.LogGroup``; None when there is none."""
    for resource in ctx.resources(LOG_GROUP, LOG_RETENTION, *FUNCTIONS):
        path = _LOGGING_GROUP if resource.type in FUNCTIONS else ("Properties", "LogGroupName")
        for alt in ctx.values(resource, path):
            text = _text(alt.value)
            if resource.type == LOG_RETENTION or (resource.type in FUNCTIONS and alt.value is not ABSENT):
                return resource
            if isinstance(text, str) and text.startswith(PREFIX):
                return resource
    return None


def _text(value):
    """A name as text (unknown parts as ``${?}``, a function's own name as ``${Function}``); None
    when nothing of it is known; ABSENT when not written."""
    if value is ABSENT or isinstance(value, str):
        return value
    if isinstance(value, Unknown):
        return value.text
    return None


def _names_group(group, function_names: list) -> bool | None:
    """Whether a group name only partly known is the default group of a function with one of
    these names (a name CloudFormation generates is matched only by a name built from it)."""
    if group is None:
        return None
    if not group.startswith((PREFIX, _UNKNOWN_PART)):
        return False
    verdict: bool | None = False
    for name in function_names:
        if isinstance(name, str) and group == PREFIX + name:
            return True
        if not _generated(name):
            verdict = None
    return verdict
