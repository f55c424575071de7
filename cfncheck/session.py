"""A session: the configuration and the files of one invocation, turned into what the engine runs.

Configuration (file, then flags) and paths in; out: the files to check (named files, templates
in named folders, filtered by the include/exclude globs), the checks selected, the parameter
values of each template (the flags over the configured globs), the deployments of each template,
and one set of run options per deploy region. A partial run (files named one by one, as pre-commit
passes them) also reads the project's other exporting templates, for their exports only. The
command line and ``cfncheck.testing`` both start a run here.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from .baseline import relative_file
from .catalog import Catalog, Check
from .checking import RunOptions
from .config import Config, ConfigError, matches
from .engine import links, run
from .files import Found, collect, is_partial, looks_like_template, project_context, roots
from .findings import Severity
from .loader import is_template, read_head
from .outcome import Outcome, settle
from .parameters import Environment, Given, read_given
from .parameters import environments as read_environments
from .result import FileError, Source
from .shards import Shard, members


@dataclass(frozen=True)
class Session:
    config: Config
    sources: tuple[Source, ...]
    missing: tuple[FileError, ...] = ()  # named files that do not exist, files and folders that cannot be read
    parameters: Mapping[str, str] = field(default_factory=dict)  # given for every template (the flags)
    jobs: int = 1
    timings: bool = False
    compare_baseline: bool = True  # False while a new baseline is written
    context: tuple[Source, ...] | None = ()
    """The project's other templates that export names, read for their exports only (a partial
    run); None when the run cannot know the rest of the project."""
    environments: tuple[Environment, ...] = ()
    """The environments of a run with several parameter files: each file's values (over which the
    flags' Key=Value pairs), by the file's name; empty for a run of one set of values (``parameters``)."""
    skipped: tuple[str, ...] = ()  # what the walks did not read, and why
    roots: tuple[str, ...] | None = None
    """Where the templates may read other files (nested stacks): the project's folder and the
    named ones; None: the folders of the run's files."""
    shard: Shard | None = None  # the part of the templates this session checks (``shards``)
    cache: str | None = None  # the result cache's folder (``cache``); None: every template is checked

    @classmethod
    def open(
        cls,
        config: Config,
        paths: list[str],
        parameters: list[str] = (),
        *,
        templates_only: bool = False,
        jobs: int | None = None,
        timings: bool = False,
        compare_baseline: bool = True,
        stdin_filename: str | None = None,
        project_root: str | None = None,
        shard: Shard | None = None,
        cache: str | None = None,
    ) -> Session:
        """The session of a command line: its paths, and its parameter specs (files or Key=Value).
        ``jobs``: the number of CPUs this process may use when not given. ``stdin_filename``: the
        file standard input (``-``) holds, as an editor pipes its buffer: the run names it so, the
        globs of the configuration apply to it, and the project around it is read for its exports.
        ``project_root``: the project's folder (default: the configuration's, else the working
        directory). ``shard``: check only that part of the templates;
        ``cache``: the folder of the result cache.

        Raises ``ParameterError`` when a parameters file cannot be read, ``ConfigError`` when a shard
        would write a baseline (which records a whole run)."""
        if shard is not None and not compare_baseline:
            raise ConfigError("--write-baseline records a whole run: not one shard of it")
        project = Path(project_root) if project_root else config.root
        found = sources(paths, config, templates_only, project, stdin_filename)
        sets = read_environments(list(parameters))
        given = {name: value.value for name, value in sets[0][1].items()} if len(sets) == 1 else {}
        context = ()
        named = [stdin_filename if path == "-" and stdin_filename else path for path in paths]
        if is_partial(named, templates_only):
            context = project_context(named, project, lambda source: _kept(source, set(), config, False))
        return cls(
            config,
            tuple(found.sources),
            tuple(found.errors),
            given,
            jobs or _cpus(),
            timings,
            compare_baseline,
            context=None if context is None else tuple(context),
            environments=tuple(sets) if len(sets) > 1 else ((None, sets[0][1]),),
            skipped=tuple(found.notices),
            roots=roots(named, project),
            shard=shard,
            cache=cache,
        )

    @classmethod
    def edited(
        cls, config: Config, path: str, text: bytes, buffers: Mapping[str, bytes] | None = None
    ) -> Session | None:
        """The session of an editor's buffer: the unsaved ``text`` of the file at ``path`` (relative
        to the working directory), checked as a partial run checks a file named on the command line,
        with the project's other exporting templates as its context (their unsaved text where
        ``buffers``, by real path, has it). None when the configuration excludes the file or its
        text is not a template."""
        source = Source(path, path, text)
        if not is_template(text) or not _kept(source, {path}, config, False):
            return None
        context = project_context([path], config.root, lambda found: _kept(found, set(), config, False))
        if context is not None and buffers:
            context = [Source(s.name, s.path, buffers.get(os.path.realpath(s.path), s.data)) for s in context]
        return cls(
            config,
            (source,),
            context=None if context is None else tuple(context),
            roots=roots([path], config.root),
        )

    def check(self) -> Outcome:
        """The one way to run: the engine once per deploy region, then the outcome users see."""
        runs = self.runs()
        if self.shard is None:
            return settle(self, [run(self.sources, options) for options in runs])
        ours = self._shard_files(runs)
        return settle(self, [run(self.sources, replace(options, only=ours)) for options in runs], ours)

    def _shard_files(self, runs: list[RunOptions]) -> frozenset[str]:
        """The files of this session's shard: its sets are linked in any of the runs."""
        files, linked = {error.file for error in self.missing}, []
        for options in runs:
            found, pairs = links(self.sources, options)
            files.update(found)
            linked += pairs
        project = Path(self.roots[0]) if self.roots else self.config.root
        return members(files, linked, project, self.shard)

    @property
    def digest(self) -> str:
        """What shapes the findings, hashed: the configuration, the checks selected (plugins' included)
        and the parameters given, so that the shards of different runs are not merged."""
        given = [[name, {k: v.value for k, v in values.items()}] for name, values in self._environments]
        shown = {
            "config": self.config.values,
            "selected": [entry.id for entry in self.checks],
            "given": given,
        }
        return hashlib.sha256(json.dumps(shown, sort_keys=True, default=str).encode()).hexdigest()[:32]

    @property
    def catalog(self) -> Catalog:
        return self.config.catalog

    @cached_property
    def checks(self) -> list[Check]:
        """The checks selected to run."""
        return self.catalog.select(self.config["select"], self.config["ignore"])

    @cached_property
    def severities(self) -> dict[str, Severity]:
        return self.config.severities

    @property
    def baseline(self) -> str | None:
        """The baseline file the findings are compared with."""
        return self.config["baseline"] if self.compare_baseline else None

    @property
    def regions(self) -> list[str | None]:
        return self.config["regions"] or [None]

    @property
    def _environments(self) -> tuple[Environment, ...]:
        """The environments of the run: those of the parameter files, else one of ``parameters``."""
        return self.environments or ((None, {name: Given(value) for name, value in self.parameters.items()}),)

    @property
    def run_labels(self) -> list[str | None]:
        """What names each run of ``runs()`` in a finding that holds in only some: its environment
        and region (only what varies)."""
        names = [name for name, _ in self._environments]
        return [
            " ".join(part for part in (name if len(names) > 1 else None, region) if part) or None
            for name in names
            for region in self.regions
        ]

    @property
    def notices(self) -> list[str]:
        """What the user is told before the run: files not read, imports that cannot be checked
        against exports."""
        if self.context is not None or not any(_imports(source) for source in self.sources):
            return list(self.skipped)
        return [
            *self.skipped,
            f"this run does not hold the whole project (a file outside {self.config.root} or standard input): "
            "imports are not checked against exports (XSTK001)",
        ]

    def runs(self) -> list[RunOptions]:
        """The options of each run: one per environment (parameter file) and deploy region."""
        deployments = self._deployments()
        checks = self.checks
        return [
            RunOptions(
                checks=checks,
                catalog=self.catalog,
                parameters={name: value.value for name, value in given.items()},
                file_parameters={file: {n: v.value for n, v in found.items()} for file, found in per_file.items()},
                given=given,
                file_given=per_file,
                file_deployments=deployments,
                region=region,
                account_id=self.config["account-id"],
                check_options=self.config["options"],
                jobs=self.jobs,
                timings=self.timings,
                context=None if self.context is None else list(self.context),
                roots=self.roots,
                cache=self.cache,
            )
            for _, given in self._environments
            for per_file in (self._file_parameters(given),)
            for region in self.regions
        ]

    def _file(self, source: Source) -> str:
        return relative_file(source.name, self.config.root)

    def _file_parameters(self, given: Mapping[str, Given]) -> dict[str, dict[str, Given]]:
        """Values per template: the configured globs that match it, under the given ones.

        Raises ``ParameterError`` when a configured parameters file cannot be read."""
        config = self.config
        per_file = {}
        for source in self.sources if config["parameters"] else ():
            file = self._file(source)
            values = {}
            for pattern, items in config["parameters"].items():
                if matches(file, [pattern]):
                    for item in items:
                        spec = (
                            [f"{k}={v}" for k, v in item.items()]
                            if isinstance(item, dict)
                            else [config.path(item, read=True)]
                        )
                        values.update(read_given(spec))
            if values:
                per_file[source.name] = {**values, **given}
        return per_file

    def _deployments(self) -> dict[str, frozenset[str]]:
        """The configured deployments of each template its globs match."""
        deployments = self.config["deployments"]
        per_file = {}
        for source in self.sources if deployments else ():
            file = self._file(source)
            names = frozenset(name for name, patterns in deployments.items() if matches(file, patterns))
            if names:
                per_file[source.name] = names
        return per_file


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the CPUs this process may use, not all the machine has
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def sources(
    paths: list[str],
    config: Config,
    templates_only: bool = False,
    project: Path | None = None,
    stdin_filename: str | None = None,
) -> Found:
    """The files to check: named files and templates in named folders, filtered by the globs
    (standard input, ``-``, is named ``stdin_filename`` when given)."""
    found = collect(paths, project or config.root, stdin_filename)
    if config["exclude"] or config["include"] or templates_only:
        named = {stdin_filename if path == "-" and stdin_filename else path for path in paths}
        found.sources = [s for s in found.sources if _kept(s, named, config, templates_only)]
    return found


def _kept(source: Source, named: set[str], config: Config, templates_only: bool) -> bool:
    file = relative_file(source.name, config.root)
    if matches(file, config["exclude"]):
        return False
    if config["include"] and source.name not in named and not matches(file, config["include"]):
        return False
    return not (templates_only and source.path is not None and not looks_like_template(Path(source.path)))


def _imports(source: Source) -> bool:
    try:
        data = source.data if source.data is not None else read_head(source.path)
    except OSError:
        return False
    return b"ImportValue" in data
