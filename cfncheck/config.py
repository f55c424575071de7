"""Configuration: ``.cfncheck.yaml`` or ``[tool.cfncheck]`` in ``pyproject.toml``, found from the
working directory upward (or named with ``--config``), merged under the command line's flags.

Every value remembers where it came from, for ``cfncheck --show-config``. A key or value the
configuration does not know is an error that names it and suggests the nearest valid one, so
a typo never silently turns a setting off.
"""

from __future__ import annotations

import difflib
import functools
import json
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .catalog import Catalog, Check
from .findings import Severity
from .inputs import InputError, parse_toml, parse_yaml, read_text
from .paths import inside

if TYPE_CHECKING:
    import jsonschema

FILE_NAMES = (".cfncheck.yaml", ".cfncheck.yml")
DEFAULT = "default"
COMMAND_LINE = "command line"
FAIL_ON = ("error", "warning", "info", "none")
SEVERITIES = ("error", "warning", "info")


class ConfigError(Exception):
    pass


def _hint(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.5)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _strings(key: str, value) -> list[str]:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return list(value)


def _boolean(key: str, value: bool) -> bool:
    return value


def _text(key: str, value) -> str:
    return str(value)


def _check(key: str, selector: str, catalog: Catalog) -> Check:
    entry = catalog.find(str(selector))
    if entry is None:
        hint = catalog.nearest(str(selector))
        raise ConfigError(f"{key}: no check {selector!r}" + (f" (did you mean {hint!r}?)" if hint else ""))
    return entry


def _selectors(key: str, value, catalog: Catalog) -> list[str]:
    selectors = _strings(key, value)
    for selector in catalog.unknown(selectors):
        hint = catalog.nearest(selector)
        raise ConfigError(f"{key}: no check matches {selector!r}" + (f" (did you mean {hint!r}?)" if hint else ""))
    return selectors


def _severities(key: str, value: dict, catalog: Catalog) -> dict[str, str]:
    """Check id → configured severity, as written: an old id that stands for several ids (an
    alias) is expanded by ``Config.severities``, which also keeps deploy failures errors."""
    return {_check(key, name, catalog).id: level for name, level in value.items()}


def _options(key: str, value: dict, catalog: Catalog) -> dict[str, dict]:
    parsed = {}
    for name, settings in value.items():
        entry = _check(key, name, catalog)
        for option, setting in settings.items():
            where = f"{key}.{name}.{option}"
            if option not in entry.options:
                known = ", ".join(entry.options) or "none"
                raise ConfigError(
                    f"{where}: {entry.id} has no option {option!r}{_hint(option, entry.options)} (its options: {known})"
                )
            _same_type(where, entry.options[option], setting)
        parsed[entry.id] = dict(settings)
    return parsed


def _same_type(where: str, default, value) -> None:
    """An option's value against its default's type: each check has its own options, so this is
    not in the file's schema."""
    number = (int, float)
    if isinstance(default, bool) or default is None:
        ok = default is None or isinstance(value, bool)
    elif isinstance(default, number):
        ok = isinstance(value, number) and not isinstance(value, bool)
    else:
        ok = isinstance(value, type(default))
    if not ok:
        raise ConfigError(f"{where}: expected a {type(default).__name__} like the default {default!r}, got {value!r}")


def _parameters(key: str, value: dict) -> dict[str, list]:
    """Template glob → parameter specs: files (relative to the configuration) or mappings of values."""
    return {str(pattern): specs if isinstance(specs, list) else [specs] for pattern, specs in value.items()}


def _deployments(key: str, value: dict) -> dict[str, list[str]]:
    """Deployment name → template globs (relative to the configuration): the templates deployed together."""
    return {str(name): [globs] if isinstance(globs, str) else globs for name, globs in value.items()}


# The JSON Schema of each key's value as a file writes it. A schema's ``title`` says what is
# expected, in the words of the error that a value not matching it gets.
_STRING = {"type": "string"}
_STRINGS = {"title": "a list of strings", "anyOf": [_STRING, {"type": "array", "items": _STRING}]}
_FILE_OR_VALUES = [_STRING, {"type": "object"}]


@dataclass(frozen=True)
class Key:
    """A setting: the JSON Schema of its value, and ``parse``, which turns a valid value into the
    setting (and, for a key that names checks, resolves the names against the catalog)."""

    schema: dict
    parse: Callable[..., object]  # (key, value), or (key, value, catalog) for a key that names checks
    default: object
    help: str
    names_checks: bool = False


KEYS: dict[str, Key] = {
    "select": Key(_STRINGS, _selectors, [], "run only these checks (ids, names or id prefixes)", True),
    "ignore": Key(_STRINGS, _selectors, [], "skip these checks", True),
    "fail-on": Key(
        {"enum": list(FAIL_ON)}, _text, "warning", "exit 1 when a finding has this severity or a higher one"
    ),
    "severity": Key(
        {
            "title": "a mapping of check id to severity",
            "type": "object",
            "additionalProperties": {"enum": list(SEVERITIES)},
        },
        _severities,
        {},
        "per-check severity overrides, e.g. {SG004: error}",
        True,
    ),
    "options": Key(
        {
            "title": "a mapping of check id to options",
            "type": "object",
            "additionalProperties": {"title": "a mapping of option to value", "type": "object"},
        },
        _options,
        {},
        "per-check options, e.g. {SQS001: {multiple: 6}} (each check's are in docs/checks.md)",
        True,
    ),
    "include": Key(_STRINGS, _strings, [], "globs of templates to check inside the given directories (default: all)"),
    "exclude": Key(_STRINGS, _strings, [], "globs of files never to check"),
    "parameters": Key(
        {
            "title": "a mapping of template glob to parameters file or values",
            "type": "object",
            "additionalProperties": {
                "title": "a parameters file or a mapping of values, or a list of them",
                "anyOf": [*_FILE_OR_VALUES, {"type": "array", "items": {"anyOf": _FILE_OR_VALUES}}],
            },
        },
        _parameters,
        {},
        "template glob → parameters file(s) or values",
    ),
    "deployments": Key(
        {
            "title": "a mapping of deployment name to template globs",
            "type": "object",
            "additionalProperties": {
                "title": "a template glob or a list of them",
                "anyOf": [_STRING, {"type": "array", "items": _STRING}],
            },
        },
        _deployments,
        {},
        "deployment name → template globs deployed together (XSTK002)",
    ),
    "regions": Key(_STRINGS, _strings, [], "deploy regions; findings are reported for each (default: unknown region)"),
    "account-id": Key(
        {"title": "a string", "type": ["string", "integer"]}, _text, None, "deploy account, for AWS::AccountId"
    ),
    "checks-dir": Key(_STRINGS, _strings, [], "folders of extra check modules"),
    "baseline": Key(
        {"title": "a file name", "type": "string"},
        _text,
        None,
        "baseline file: report only findings that are not in it",
    ),
    "cache": Key(
        {"title": "true or false", "type": "boolean"},
        _boolean,
        True,
        "keep each template's results in the per-user cache folder and reuse them while nothing that can change "
        "them has changed (--cache DIR names another folder; a configuration cannot: --no-cache)",
    ),
}


def schema() -> dict:
    """The JSON Schema of a configuration file, for editors (``docs/config.schema.json``, written by
    ``python -m cfncheck.docs --config-schema --output docs/config.schema.json``)."""
    properties = {}
    for name, key in KEYS.items():
        properties[name] = {**key.schema, "description": key.help}
        if key.default is not None:
            properties[name]["default"] = key.default
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",  # the draft editors' YAML servers know best
        "title": "cfncheck configuration (.cfncheck.yaml, or [tool.cfncheck] in pyproject.toml)",
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }


@functools.cache
def _validator(key: str) -> jsonschema.protocols.Validator:
    import jsonschema  # 50 ms at start-up, for runs that read no configuration file

    return jsonschema.Draft7Validator(KEYS[key].schema)


def _validate(key: str, value) -> None:
    """Raises ``ConfigError`` naming the setting (``key.sub``) whose value does not match the key's
    schema (the outermost, when several do not)."""
    errors = list(_validator(key).iter_errors(value))
    if not errors:
        return
    error = min(errors, key=lambda e: len(e.path))
    where = ".".join([key, *map(str, error.path)])
    if error.validator == "enum":
        choices = [str(choice) for choice in error.validator_value]
        hint = _hint(str(error.instance), choices)
        raise ConfigError(f"{where}: {error.instance!r} is not one of {', '.join(choices)}{hint}")
    expected = error.schema.get("title") or f"a {error.validator_value}"
    raise ConfigError(f"{where}: expected {expected}, got {error.instance!r}")


PATH_KEYS = ("checks-dir", "baseline")
"""Settings that name files: written in the file, they are relative to its folder."""
TRUST_HINT = "--trust-config (or CFNCHECK_TRUST_CONFIG=1)"


@dataclass
class Config:
    values: dict = field(default_factory=lambda: {k: key.default for k, key in KEYS.items()})
    sources: dict = field(default_factory=lambda: dict.fromkeys(KEYS, DEFAULT))
    file: Path | None = None
    catalog: Catalog = field(default_factory=Catalog)  # the checks its settings name, its checks-dir's included
    trusted: bool = True
    """Whether the file may make cfncheck run code (its checks-dir) and read files outside its folder:
    a repository's configuration may not, unless the user says so (``--trust-config``)."""
    untrusted: list[str] = field(default_factory=list)  # the file's check folders, not loaded

    def __getitem__(self, key: str):
        return self.values[key]

    @property
    def partial(self) -> bool:
        """Whether checks the configuration may name were not loaded (see ``notices``)."""
        return bool(self.untrusted or self.catalog.notices)

    @property
    def root(self) -> Path:
        """Where the file's relative paths and globs start: its folder, else the working directory."""
        return self.file.parent if self.file else Path.cwd()

    def set(self, key: str, value, source: str) -> None:
        spec = KEYS[key]
        _validate(key, value)
        if spec.names_checks and self.partial and source != COMMAND_LINE:
            value = self._known(key, value)
        value = spec.parse(key, value, self.catalog) if spec.names_checks else spec.parse(key, value)
        if key in PATH_KEYS and source != COMMAND_LINE:
            value = [self.path(v) for v in value] if isinstance(value, list) else self.path(value, key == "baseline")
        self.values[key] = value
        self.sources[key] = source

    def _known(self, key: str, value):
        """A file's setting without the checks that were not loaded (``partial``): they cannot be
        validated. The flags keep naming checks strictly: the user typed them."""
        if isinstance(value, dict):
            return {name: setting for name, setting in value.items() if self.catalog.find(str(name))}
        return [selector for selector in _strings(key, value) if not self.catalog.unknown([selector])]

    @property
    def severities(self) -> dict[str, Severity]:
        """The configured severities, by check id: an alias (an old id that stands for several)
        gives its severity to each id it stands for, unless that id is configured itself; a deploy
        failure is never lowered below error (see ``notices``)."""
        written = {rule_id: Severity.parse(level) for rule_id, level in self.values["severity"].items()}
        found: dict[str, Severity] = {}
        for rule_id, severity in written.items():
            for member in self.catalog.aliases.get(rule_id, (rule_id,)):
                entry = self.catalog.find(member)
                if member in written and member != rule_id or entry is None:
                    continue
                if entry.deploy_failure and severity < Severity.ERROR:
                    continue
                found[member] = severity
        return found

    @property
    def aliases_used(self) -> list[str]:
        """The old ids (aliases of several ids) that the selectors and severities name."""
        named = [*self.values["select"], *self.values["ignore"], *self.values["severity"]]
        return sorted({alias for selector in named if (alias := self.catalog.resolve(selector).alias)})

    @property
    def notices(self) -> list[str]:
        """What the user is told about the configuration, one line each: what it did not load and
        why, each alias it uses (once), and each severity it cannot apply because the check is a
        deploy failure."""
        lines = []
        if self.untrusted:
            lines.append(
                f"{self.file}: checks-dir {', '.join(self.untrusted)} not loaded: it is code of the repository, "
                f"run only with {TRUST_HINT}; settings about its checks are ignored"
            )
        lines += self.catalog.notices
        lines += [self.catalog.alias_notice(old) for old in self.aliases_used]
        for rule_id, level in self.values["severity"].items():
            entry = self.catalog.find(rule_id)
            if entry is not None and entry.deploy_failure and Severity.parse(level) < Severity.ERROR:
                lines.append(
                    f"severity: {entry.id} ({entry.name}) is a deploy failure (CloudFormation or the service rejects "
                    f"the template), so it stays an error, not {level}; suppress a finding that does not apply"
                )
        return lines

    def path(self, value: str, read: bool = False) -> str:
        """A path written in the file, relative to the file's folder. ``read``: a file cfncheck
        reads, which an untrusted file may name only inside its folder."""
        if not self.file:
            return value
        path = value if os.path.isabs(value) else str(self.root / value)
        if read and not self.trusted and not inside(path, (os.path.realpath(self.root),)):
            raise ConfigError(
                f"{value}: outside the configuration's folder {self.root}, where a repository's configuration "
                f"names files; read it with {TRUST_HINT}"
            )
        return path

    def show(self) -> str:
        width = max(len(k) for k in KEYS)
        lines = [f"# configuration file: {self.file or 'none found'}"]
        for key in KEYS:
            value = json.dumps(self.values[key], sort_keys=True)
            source = self.sources[key]
            if key == "checks-dir" and self.untrusted:
                source += f" (not loaded: needs {TRUST_HINT})"
            lines.append(f"{key + ':':<{width + 1}} {value:<40} # {source}")
        return "\n".join(lines) + "\n"


def find_file(start: Path | None = None) -> Path | None:
    """The nearest ``.cfncheck.yaml``, or ``pyproject.toml`` with a ``[tool.cfncheck]`` table."""
    directory = (start or Path.cwd()).resolve()
    for folder in (directory, *directory.parents):
        for name in FILE_NAMES:
            if (folder / name).is_file():
                return folder / name
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and "cfncheck" in _read_toml(pyproject).get("tool", {}):
            return pyproject
    return None


def _read_toml(path: Path) -> dict:
    return _read(path, parse_toml)


def _read(path: Path, parse: Callable[[str], object]):
    try:
        return parse(read_text(path))
    except OSError as err:
        raise ConfigError(f"{path}: cannot read: {err.strerror or err}") from None
    except InputError as err:
        raise ConfigError(f"{path}: {err}") from None


def read_file(path: Path) -> dict:
    if path.name == "pyproject.toml" or path.suffix == ".toml":
        tool = _read_toml(path).get("tool", {})
        section = tool.get("cfncheck", {}) if isinstance(tool, dict) else {}
    else:
        section = _read(path, parse_yaml)
    if section is None:
        return {}
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: expected a mapping of settings, got {type(section).__name__}")
    return section


def load(
    explicit: str | None = None,
    overrides: dict | None = None,
    catalog: Callable[[list[str], bool], Catalog] = Catalog.load,
    discover: bool = True,
    trust: bool = False,
) -> Config:
    """The effective configuration: defaults, then the file (``explicit``, or the nearest one when
    ``discover``), then the command line's ``overrides``.

    ``catalog`` builds the catalog from the check folders before any setting that names a check is
    read, so that the checks of a ``checks-dir`` are selected and configured like built-in ones.
    Unless ``trust``, the file's check folders are not loaded (they would run the repository's
    code: a CI job checking a pull request would run the pull request), nor the plugins a
    repository installs in the working directory, and the file reads no file outside its folder."""
    config = Config(trusted=trust)
    path = Path(explicit) if explicit else find_file() if discover else None
    settings = []
    if path is not None:
        if explicit and not path.is_file():
            raise ConfigError(f"{path}: no such configuration file")
        config.file = path.resolve()
        for key, value in read_file(path).items():
            normal = str(key).replace("_", "-")
            if normal not in KEYS:
                raise ConfigError(f"{path}: unknown key {key!r}{_hint(str(key), KEYS)}")
            settings.append((normal, value, str(path)))
    settings += [(key, value, COMMAND_LINE) for key, value in (overrides or {}).items()]
    settings.sort(key=lambda setting: setting[0] != "checks-dir")  # stable: the flags still come last
    ready = False
    for key, value, source in settings:
        if not ready and key != "checks-dir":
            config.catalog = _catalog(config, catalog, trust)
            ready = True
        try:
            config.set(key, value, source)
        except ConfigError as err:
            raise ConfigError(f"{source}: {err}" if source != COMMAND_LINE else str(err)) from None
    if not ready:
        config.catalog = _catalog(config, catalog, trust)
    return config


def _catalog(config: Config, catalog: Callable[[list[str], bool], Catalog], trust: bool) -> Catalog:
    """The catalog of the configured check folders; those the file names only when trusted."""
    folders = config["checks-dir"]
    if folders and not trust and config.sources["checks-dir"] not in (DEFAULT, COMMAND_LINE):
        config.untrusted = list(folders)
        folders = []
    return catalog(folders, trust)


def glob_regex(pattern: str) -> re.Pattern:
    """A glob over '/'-separated paths: ``*`` and ``?`` stay in one folder, ``**`` spans folders.
    A pattern without '/' matches a file name in any folder."""
    if "/" not in pattern:
        pattern = "**/" + pattern
    parts, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            parts.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            parts.append(".*")
            i += 2
        else:
            char = pattern[i]
            parts.append({"*": "[^/]*", "?": "[^/]"}.get(char, re.escape(char)))
            i += 1
    return re.compile("".join(parts) + "$")


def matches(file: str, patterns: Iterable[str]) -> bool:
    return any(glob_regex(p.removeprefix("./")).match(file) for p in patterns)
