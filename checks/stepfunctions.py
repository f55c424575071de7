"""Step Functions: states whose errors end the whole execution (catalog section 3.12, tier 2)."""

from __future__ import annotations

import json
from collections.abc import Iterator

from cfncheck.analysis.policy import text_of
from cfncheck.api import WARNING, check


def _unhandled(states, path: tuple) -> Iterator[tuple[tuple, str, str]]:
    """(path, state name, what is wrong) for each Task without Retry or Catch and each Choice
    without Default, in the state machine and its Parallel branches and Map iterators."""
    if not isinstance(states, dict):
        return
    for name, state in states.items():
        if not isinstance(state, dict):
            continue
        here = path + (name,)
        kind = state.get("Type")
        if kind == "Task" and "Retry" not in state and "Catch" not in state:
            yield here, name, "has no Retry or Catch: one error of the service it calls fails the whole execution"
        elif kind == "Choice" and "Default" not in state:
            yield here, name, "has no Default: when no rule matches, the execution fails (States.NoChoiceMatched)"
        for index, branch in enumerate(state.get("Branches", ()) if isinstance(state.get("Branches"), list) else ()):
            if isinstance(branch, dict):
                yield from _unhandled(branch.get("States"), here + ("Branches", index, "States"))
        for key in ("Iterator", "ItemProcessor"):
            inner = state.get(key)
            if isinstance(inner, dict):
                yield from _unhandled(inner.get("States"), here + (key, "States"))


@check(
    "SFN002",
    "sfn-task-without-error-handling",
    WARNING,
    types=["AWS::StepFunctions::StateMachine", "AWS::Serverless::StateMachine"],
    fix="Give each Task a Retry for transient errors (States.TaskFailed, Lambda.ServiceException…) and a Catch "
    "that routes to a failure path; give each Choice a Default.",
    example='"Charge": {"Type": "Task", "Resource": "...", "Next": "Ship"}   # no Retry, no Catch',
)
def task_without_error_handling(machine, ctx):
    """By default an error in a state fails the whole execution. A Task without Retry gives up on
    the first throttle or timeout of the service it calls, and without Catch it cannot route the
    failure to compensation or notification; a Choice whose rules all miss and that has no Default
    fails with States.NoChoiceMatched. A definition kept in a file (``DefinitionUri``,
    ``DefinitionS3Location``) is not read."""
    for alt in ctx.values(machine, "Properties.Definition"):
        if isinstance(alt.value, dict):
            for path, name, wrong in _unhandled(alt.value.get("States"), ("Properties", "Definition", "States")):
                yield ctx.finding(machine, path, f"State {name} {wrong}: add it.", alt.scenario)
    for alt in ctx.values(machine, "Properties.DefinitionString"):
        try:
            definition = json.loads(text_of(alt.value) or "")
        except ValueError:
            continue
        found = list(_unhandled(definition.get("States") if isinstance(definition, dict) else None, ()))
        if found:
            names = ", ".join(name for _, name, _ in found[:5]) + (" …" if len(found) > 5 else "")
            yield ctx.finding(
                machine,
                "Properties.DefinitionString",
                f"States {names} have no Retry/Catch (Tasks) or Default (Choices): one error fails the whole "
                "execution. Add them.",
                alt.scenario,
            )
