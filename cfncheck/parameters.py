"""Parameter values for a run: ``--parameters FILE`` in any of the forms AWS tools write, or ``Key=Value``.

Each value keeps where it was given (the file and line of a parameters file), so a finding about it
lands there. Several parameter files are several environments (one deployment each): the run is
repeated for each, and ``Key=Value`` pairs apply to all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .inputs import InputError, read_text
from .loader import LoadError, parse_json


class ParameterError(Exception):
    pass


@dataclass(frozen=True)
class Given:
    """One value given for a parameter, and where: a parameters file's line, or the command line."""

    value: str
    file: str | None = None  # None for Key=Value
    line: int = 1
    column: int = 1
    end_line: int = 1
    end_column: int = 1


Environment = tuple[str | None, dict[str, Given]]
"""An environment's name (None when the run has one) and the values given for it."""


def parse_parameters(specs: list[str]) -> dict[str, str]:
    """Each spec is a file (AWS CLI JSON list, CodePipeline ``{"Parameters": {...}}``, or a plain
    ``{"Key": "Value"}`` object) or a ``Key=Value`` pair; later specs override earlier ones."""
    return {name: given.value for name, given in read_given(specs).items()}


def read_given(specs: list[str]) -> dict[str, Given]:
    """The values of the specs, with where each was given; later specs override earlier ones."""
    values: dict[str, Given] = {}
    for spec in specs:
        if _is_pair(spec):
            key, _, value = spec.partition("=")
            if not key.strip():
                raise ParameterError(f"parameter {spec!r} has no name before '='")
            values[key.strip()] = Given(value)
            continue
        values.update(_parse_file(spec))
    return values


def environments(specs: list[str]) -> list[Environment]:
    """One environment per parameters file when there are several (named by the file), each with
    the ``Key=Value`` pairs over its values; else one environment without a name."""
    files = [spec for spec in specs if not _is_pair(spec)]
    if len(files) <= 1:
        return [(None, read_given(specs))]
    pairs = read_given([spec for spec in specs if _is_pair(spec)])
    names = [Path(file).stem for file in files]
    if len(set(names)) < len(names):  # prod/params.json and staging/params.json
        names = [str(Path(file).with_suffix("")) for file in files]
    return [(name, {**read_given([file]), **pairs}) for name, file in zip(names, files, strict=True)]


def _is_pair(spec: str) -> bool:
    return "=" in spec and not _is_file(spec)


def _is_file(spec: str) -> bool:
    try:
        return Path(spec).is_file()
    except (OSError, ValueError):  # a name too long, or with a NUL byte: a value, not a file
        return False


def _parse_file(path: str) -> dict[str, Given]:
    """The values of a parameters file, each with its place; read within the bounds of every input
    (``inputs``: size, UTF-8) and parsed by the loader's JSON reader (nesting, digits), which keeps
    the places."""
    try:
        text = read_text(path)
    except OSError as err:
        raise ParameterError(f"{path}: cannot read parameters file: {err.strerror or err}") from None
    except InputError as err:
        raise ParameterError(f"{path}: parameters file {err}") from None
    try:
        data = parse_json(path, text)
    except LoadError as err:
        where = f" (line {err.line})" if err.line else ""
        raise ParameterError(f"{path}: parameters file is not valid JSON{where}: {err.message}") from None
    if isinstance(data, list):
        values = {}
        for index, item in enumerate(data):
            if not (isinstance(item, dict) and "ParameterKey" in item):
                raise ParameterError(f'{path}: item {index} is not {{"ParameterKey": …, "ParameterValue": …}}')
            if item.get("UsePreviousValue"):
                continue
            mark = item.value_marks.get("ParameterValue") or item.mark
            values[str(item["ParameterKey"])] = Given(_text(item.get("ParameterValue", "")), path, *mark)
        return values
    if isinstance(data, dict):
        section = data.get("Parameters", data)
        if isinstance(section, dict):
            return {str(k): Given(_text(v), path, *section.value_marks[k]) for k, v in section.items()}
    raise ParameterError(f"{path}: expected a list of ParameterKey/ParameterValue or an object of parameters")


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(_text(v) for v in value)
    return str(value)
