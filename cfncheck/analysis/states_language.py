"""Amazon States Language: what Step Functions refuses in a state machine definition.

``problems`` walks a definition (the machine, and each Parallel branch and Map processor as a
machine of its own) and gives, with the path of each, what CreateStateMachine rejects as an
invalid definition: no States or StartAt, a state of no known Type, a transition (StartAt,
Next, Default, a Choice rule's or a Catcher's Next) to a state the scope does not have, a state
nothing transitions to, a state that neither ends nor goes on (or does both), a Choice without
rules, a Wait without exactly one of its time fields, a Task without Resource. A name written
with ``${…}`` (a substitution filled in at deploy time) or any value that is not known is not
judged. Source: the Amazon States Language specification (https://states-language.net/spec.html)
and the Step Functions developer guide; the quoted codes are Step Functions' own
(``MISSING_TRANSITION_TARGET``, ``SCHEMA_VALIDATION_FAILED``).
"""

from __future__ import annotations

from collections.abc import Iterator

from cfncheck.values import Unknown

TYPES = ("Task", "Pass", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map")
FLOWING = ("Task", "Pass", "Wait", "Parallel", "Map")
"""States that end the machine or go on to Next: exactly one of End true and Next."""
TERMINAL = ("Choice", "Succeed", "Fail")
"""States that take neither End nor Next (a Choice goes on through its rules)."""
WAIT_FIELDS = ("Seconds", "Timestamp", "SecondsPath", "TimestampPath")
MAX_NAME = 80


def problems(definition, path: tuple = ()) -> Iterator[tuple[tuple, str]]:
    """(path inside the definition, message) for each part Step Functions refuses."""
    if not isinstance(definition, dict):
        return
    states = definition.get("States")
    if not isinstance(states, dict) or not states:
        yield path, "The definition has no States: a state machine needs at least one state."
        return
    start = definition.get("StartAt")
    if "StartAt" not in definition:
        yield path, "The definition has no StartAt: name the state the machine begins with."
    elif _judged(start) and start not in states:
        yield path + ("StartAt",), f'StartAt {start!r} is not a state of {_scope(path)} ("MISSING_TRANSITION_TARGET").'
    targets = [start]
    for name, state in states.items():
        here = path + ("States", name)
        if not isinstance(state, dict):
            if not isinstance(state, Unknown):
                yield here, f"State {name} is not an object."
            targets.append(state)  # what it would go to is not known
            continue
        if len(str(name)) > MAX_NAME:
            yield here, f"State name {name!r} is longer than {MAX_NAME} characters."
        for key, target in _transitions(state, here):
            targets.append(target)
            if _judged(target) and target not in states:
                message = f"{key[-1]} {target!r} of state {name} is not a state of {_scope(path)}"
                yield key, message + " (\"MISSING_TRANSITION_TARGET: Missing 'Next' target\")."
        yield from _state_problems(name, state, here)
    if all(_judged(target) for target in targets):
        for name in states:
            if name not in targets:
                message = f'State {name} is not reachable: nothing goes to it ("MISSING_TRANSITION_TARGET").'
                yield path + ("States", name), message


def _state_problems(name, state: dict, here: tuple) -> Iterator[tuple[tuple, str]]:
    kind = state.get("Type")
    if isinstance(kind, Unknown) or isinstance(state.get("End"), Unknown):
        return
    if "Type" not in state:
        yield here, f"State {name} has no Type: give it one of {', '.join(TYPES)}."
        return
    if not isinstance(kind, str) or kind not in TYPES:
        yield here + ("Type",), f"State {name} has Type {kind!r}: Step Functions knows {', '.join(TYPES)}."
        return
    ends = state.get("End") is True
    if kind in FLOWING and ends == ("Next" in state):
        how = "both Next and End" if ends else "neither Next nor End: true"
        yield here, f"{kind} state {name} has {how}: give it exactly one."
    if kind in TERMINAL:
        for key in ("Next", "End"):
            if key in state:
                yield (
                    here + (key,),
                    f'A {kind} state takes no {key} ("SCHEMA_VALIDATION_FAILED"): remove it from {name}.',
                )
    if kind == "Choice" and not (isinstance(state.get("Choices"), list) and state["Choices"]):
        yield here, f"Choice state {name} has no Choices: give it at least one rule."
    if kind == "Wait":
        given = [field for field in WAIT_FIELDS if field in state]
        if len(given) != 1:
            what = ", ".join(given) if given else "none"
            yield here, f"Wait state {name} needs exactly one of {', '.join(WAIT_FIELDS)} ({what} given)."
    if kind == "Task" and "Resource" not in state:
        yield here, f"Task state {name} has no Resource: name the service or function it calls."
    if kind == "Parallel":
        branches = state.get("Branches")
        if not isinstance(branches, list) or not branches:
            yield here, f"Parallel state {name} has no Branches."
        else:
            for index, branch in enumerate(branches):
                yield from problems(branch, here + ("Branches", index))
    if kind == "Map":
        key = next((k for k in ("ItemProcessor", "Iterator") if k in state), None)
        if key is None:
            yield here, f"Map state {name} has no ItemProcessor: give it the states each item runs through."
        else:
            yield from problems(state[key], here + (key,))


def _transitions(state: dict, here: tuple) -> Iterator[tuple[tuple, object]]:
    """(path, target name) of each transition a state writes."""
    if "Next" in state:
        yield here + ("Next",), state["Next"]
    if "Default" in state and state.get("Type") == "Choice":
        yield here + ("Default",), state["Default"]
    for key in ("Choices", "Catch"):
        items = state.get(key)
        for index, item in enumerate(items if isinstance(items, list) else ()):
            if isinstance(item, dict) and "Next" in item:
                yield here + (key, index, "Next"), item["Next"]


def _judged(name) -> bool:
    """A state name that is known: a string with no substitution left in it."""
    return isinstance(name, str) and "${" not in name


def _scope(path: tuple) -> str:
    return "this branch" if path else "the state machine"
