"""Configuration: ``.cfncheck.yaml`` or ``[tool.cfncheck]`` in ``pyproject.toml``, found from the
working directory upward (or named with ``--config``), merged under the command line's flags.

Every value remembers where it came from, for ``cfncheck --show-config``. A key or value the
configuration does not know is an error that names it and suggests the nearest valid one, so
a typo never silently turns a setting off.
"""

from __future__ import annotations

import difflib
import json
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .catalog import Catalog, Check
from .findings import Severity
from .inputs import InputError, parse_toml, parse_yaml, read_text
from .paths import inside

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
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise ConfigError(f"{key}: expected a list of strings, got {value!r}")


def _choice(choices: tuple[str, ...]) -> Callable[[str, object], str]:
    def parse(key: str, value) -> str:
        text = str(value).lower() if isinstance(value, str) else None
        if text not in choices:
            raise ConfigError(f"{key}: {value!r} is not one of {', '.join(choices)}{_hint(str(value), choices)}")
        return text

    return parse


def _text(key: str, value) -> str:
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise ConfigError(f"{key}: expected a string, got {value!r}")
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


def _severities(key: str, value, catalog: Catalog) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ConfigError(f"{key}: expected a mapping of check id to severity, got {value!r}")
    return {_check(key, name, catalog).id: _choice(SEVERITIES)(f"{key}.{name}", level) for name, level in value.items()}


def _options(key: str, value, catalog: Catalog) -> dict[str, dict]:
    if not isinstance(value, dict):
        raise ConfigError(f"{key}: expected a mapping of check id to options, got {value!r}")
    parsed = {}
    for name, settings in value.items():
        entry = _check(key, name, catalog)
        if not isinstance(settings, dict):
            raise ConfigError(f"{key}.{name}: expected a mapping of option to value, got {settings!r}")
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
    number = (int, float)
    if isinstance(default, bool) or default is None:
        ok = default is None or isinstance(value, bool)
    elif isinstance(default, number):
        ok = isinstance(value, number) and not isinstance(value, bool)
    else:
        ok = isinstance(value, type(default))
    if not ok:
        raise ConfigError(f"{where}: expected a {type(default).__name__} like the default {default!r}, got {value!r}")


def _parameters(key: str, value) -> dict[str, list]:
    """Template glob → parameter specs: files (relative to the configuration) or mappings of values."""
    if not isinstance(value, dict):
        raise ConfigError(f"{key}: expected a mapping of template glob to parameters file or values, got {value!r}")
    parsed = {}
    for pattern, specs in value.items():
        items = specs if isinstance(specs, list) else [specs]
        for item in items:
            if not isinstance(item, (str, dict)):
                raise ConfigError(f"{key}.{pattern}: expected a parameters file or a mapping of values, got {item!r}")
        parsed[str(pattern)] = items
    return parsed


def _deployments(key: str, value) -> dict[str, list[str]]:
    """Deployment name → template globs (relative to the configuration): the templates deployed together."""
    if not isinstance(value, dict):
        raise ConfigError(f"{key}: expected a mapping of deployment name to template globs, got {value!r}")
    parsed = {}
    for name, globs in value.items():
        patterns = [globs] if isinstance(globs, str) else globs
        if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
            raise ConfigError(f"{key}.{name}: expected a template glob or a list of them, got {globs!r}")
        parsed[str(name)] = patterns
    return parsed


@dataclass(frozen=True)
class Key:
    parse: Callable[..., object]  # (key, value), or (key, value, catalog) for a key that names checks
    default: object
    help: str
    names_checks: bool = False


KEYS: dict[str, Key] = {
    "select": Key(_selectors, [], "run only these checks (ids, names or id prefixes)", True),
    "ignore": Key(_selectors, [], "skip these checks", True),
    "fail-on": Key(_choice(FAIL_ON), "warning", "exit 1 when a finding has this severity or a higher one"),
    "severity": Key(_severities, {}, "per-check severity overrides, e.g. {SG004: error}", True),
    "options": Key(_options, {}, "per-check options, e.g. {SQS001: {multiple: 6}}", True),
    "include": Key(_strings, [], "globs of templates to check inside the given directories (default: all)"),
    "exclude": Key(_strings, [], "globs of files never to check"),
    "parameters": Key(_parameters, {}, "template glob → parameters file(s) or values"),
    "deployments": Key(_deployments, {}, "deployment name → template globs deployed together (XSTK002)"),
    "regions": Key(_strings, [], "deploy regions; findings are reported for each (default: unknown region)"),
    "account-id": Key(_text, None, "deploy account, for AWS::AccountId"),
    "checks-dir": Key(_strings, [], "folders of extra check modules"),
    "baseline": Key(_text, None, "baseline file: report only findings that are not in it"),
}


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
    def notices(self) -> list[str]:
        """What the configuration did not load, and why: one line each."""
        skipped = []
        if self.untrusted:
            skipped.append(
                f"{self.file}: checks-dir {', '.join(self.untrusted)} not loaded: it is code of the repository, "
                f"run only with {TRUST_HINT}; settings about its checks are ignored"
            )
        return skipped + self.catalog.notices

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
        """The configured severities, by check id."""
        return {rule_id: Severity.parse(level) for rule_id, level in self.values["severity"].items()}

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
