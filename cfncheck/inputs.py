"""The files cfncheck reads besides templates — the configuration, parameter files, baselines, a
CDK assembly's manifest — read with the same bounds as templates (``loader``): in size, nesting,
nodes after YAML aliases and the digits of a number, so that a hostile or broken file is a clear
error naming it, never a traceback, a recursion error or a machine out of memory.
"""

from __future__ import annotations

import json
import os
import tomllib

import yaml

MAX_BYTES = 1_000_000
"""A configuration or parameters file: real ones are a few kilobytes."""
MAX_GENERATED_BYTES = 100_000_000
"""A file a tool writes: a baseline (about 300 bytes a finding) or a CDK manifest, for the largest projects."""
MAX_DEPTH = 100
"""Nesting: real files nest a few levels; past this the file is hostile or broken."""
MAX_NODES = 1_000_000
"""Values after expanding YAML aliases ("billion laughs" stays small on disk, not in memory)."""
MAX_DIGITS = 4_300
"""A number's digits: Python's own bound on converting text to an integer."""


class InputError(Exception):
    """What is wrong with a file: a phrase the caller puts after the file's name."""


def read_text(path: str | os.PathLike, limit: int = MAX_BYTES) -> str:
    """The file's text (UTF-8, without a byte-order mark). Raises OSError and InputError."""
    with open(path, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise InputError(f"is larger than {limit:,} bytes")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(f"is not UTF-8 text (byte {err.start})") from None


def read_json(path: str | os.PathLike, limit: int = MAX_BYTES) -> object:
    """A JSON file's value. Raises OSError and InputError."""
    return parse_json(read_text(path, limit))


def parse_json(text: str) -> object:
    try:
        value = json.loads(text, parse_int=_integer)
    except RecursionError:
        raise InputError(_NESTED) from None
    except json.JSONDecodeError as err:
        raise InputError(f"is not valid JSON: {err}") from None
    return bounded(value)


def parse_yaml(text: str) -> object:
    loader = _YamlLoader(text)
    try:
        value = loader.get_single_data()
    except yaml.YAMLError as err:
        raise InputError(f"is not valid YAML: {err}") from None
    except ValueError as err:  # a date that does not exist, say
        raise InputError(f"is not valid YAML: {err}") from None
    finally:
        loader.dispose()
    return bounded(value)


def parse_toml(text: str) -> dict:
    try:
        value = tomllib.loads(text)
    except RecursionError:
        raise InputError(_NESTED) from None
    except tomllib.TOMLDecodeError as err:
        raise InputError(f"is not valid TOML: {err}") from None
    except ValueError:  # the only other one: an integer past Python's bound on digits
        raise InputError(_DIGITS) from None
    return bounded(value)


_NESTED = f"is nested deeper than {MAX_DEPTH} levels"
_DIGITS = f"holds a number of more than {MAX_DIGITS:,} digits"


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise InputError(_DIGITS)
    return int(text)


class _YamlLoader(yaml.SafeLoader):
    """PyYAML's safe loader, composing no deeper than ``MAX_DEPTH`` (its composer recurses) and
    converting no integer of more than ``MAX_DIGITS`` digits."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.depth = 0

    def compose_node(self, parent, index):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise InputError(_NESTED)
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_yaml_int(self, node):
        if len(node.value) > MAX_DIGITS:
            raise InputError(_DIGITS)
        return super().construct_yaml_int(node)


_YamlLoader.add_constructor("tag:yaml.org,2002:int", _YamlLoader.construct_yaml_int)


def bounded(value: object) -> object:
    """``value``, once its nesting and its size with every alias expanded are known to be within
    the bounds; computed over each distinct mapping and list once, so an alias bomb costs
    nothing to measure. Raises InputError, also for a value that contains itself."""
    measured: dict[int, tuple[int, int]] = {}  # id → (depth, nodes)
    open_: set[int] = set()
    stack: list[tuple[object, bool]] = [(value, False)]
    while stack:
        node, closing = stack.pop()
        if not isinstance(node, dict | list):
            continue
        key = id(node)
        items = list(node.values()) if isinstance(node, dict) else node
        if closing:
            inner = [measured[id(item)] for item in items if isinstance(item, dict | list)]
            depth = 1 + max((d for d, _ in inner), default=0)
            nodes = 1 + sum(n for _, n in inner) + sum(1 for item in items if not isinstance(item, dict | list))
            if depth > MAX_DEPTH:
                raise InputError(_NESTED)
            if nodes > MAX_NODES:
                raise InputError(f"has more than {MAX_NODES:,} values after expanding aliases (alias bomb?)")
            measured[key] = (depth, nodes)
            open_.discard(key)
        elif key in open_:
            raise InputError("contains itself (a recursive alias)")
        elif key not in measured:
            open_.add(key)
            stack.append((node, True))
            stack.extend((item, False) for item in items)
    return value
