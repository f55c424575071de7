"""Parameter values for a run: ``--parameters FILE`` in any of the forms AWS tools write, or ``Key=Value``."""

from __future__ import annotations

from pathlib import Path

from .inputs import InputError, read_json


class ParameterError(Exception):
    pass


def parse_parameters(specs: list[str]) -> dict[str, str]:
    """Each spec is a file (AWS CLI JSON list, CodePipeline ``{"Parameters": {...}}``, or a plain
    ``{"Key": "Value"}`` object) or a ``Key=Value`` pair; later specs override earlier ones."""
    values: dict[str, str] = {}
    for spec in specs:
        if "=" in spec and not _is_file(spec):
            key, _, value = spec.partition("=")
            if not key.strip():
                raise ParameterError(f"parameter {spec!r} has no name before '='")
            values[key.strip()] = value
            continue
        values.update(_parse_file(spec))
    return values


def _is_file(spec: str) -> bool:
    try:
        return Path(spec).is_file()
    except (OSError, ValueError):  # a name too long, or with a NUL byte: a value, not a file
        return False


def _parse_file(path: str) -> dict[str, str]:
    try:
        data = read_json(path)
    except OSError as err:
        raise ParameterError(f"{path}: cannot read parameters file: {err.strerror or err}") from None
    except InputError as err:
        raise ParameterError(f"{path}: parameters file {err}") from None
    if isinstance(data, list):
        values = {}
        for index, item in enumerate(data):
            if not (isinstance(item, dict) and "ParameterKey" in item):
                raise ParameterError(f'{path}: item {index} is not {{"ParameterKey": …, "ParameterValue": …}}')
            if item.get("UsePreviousValue"):
                continue
            values[str(item["ParameterKey"])] = _text(item.get("ParameterValue", ""))
        return values
    if isinstance(data, dict):
        section = data.get("Parameters", data)
        if isinstance(section, dict):
            return {str(k): _text(v) for k, v in section.items()}
    raise ParameterError(f"{path}: expected a list of ParameterKey/ParameterValue or an object of parameters")


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)
