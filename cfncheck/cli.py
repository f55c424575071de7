"""The command line: the only place that reads argv, writes to stdout and chooses the exit status.

Exit status: 0 no finding at or above ``--fail-on``; 1 findings at or above it; 2 a file could
not be read, a check failed internally, or the command line (or the configuration) is wrong.

A run is: configuration (file, then flags) → files → engine (checks, template suppressions) →
severity overrides → baseline → reports (one to stdout, others to files).
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import os
import sys
import time
from pathlib import Path

import click

from . import __version__

FORMATS = ("text", "json", "sarif", "github", "markdown")
FAIL_ON = ("error", "warning", "info", "none")


def _split(values: tuple[str, ...]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _load_registry(checks_dirs=()) -> list[str]:
    from . import engine, registry  # noqa: F401 - the engine module registers the engine's own checks

    registry.load_builtin()
    problems = registry.load_entry_points()
    for directory in checks_dirs:
        problems.extend(registry.load_directory(directory))
    return problems


@click.command(
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog="Other commands: 'cfncheck explain ID' prints a check's rationale and fix; "
    "'cfncheck graph TEMPLATE --format dot|mermaid|json' prints the dependency graph.",
)
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="Output on stdout: findings as text, json, sarif or github workflow commands; "
    "with --list-checks: text, json or markdown.",
)
@click.option("--output-sarif", type=click.Path(dir_okay=False), help="Also write SARIF 2.1.0 to this file.")
@click.option("--output-json", type=click.Path(dir_okay=False), help="Also write the JSON report to this file.")
@click.option("--select", multiple=True, help="Run only these checks (ids, names or id prefixes; comma-separated).")
@click.option("--ignore", multiple=True, help="Skip these checks (ids, names or id prefixes; comma-separated).")
@click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON),
    help="Exit 1 when a finding has this severity or a higher one.  [default: warning]",
)
@click.option(
    "--parameters",
    "parameter_specs",
    multiple=True,
    help="Parameter values: a JSON file (AWS CLI or CodePipeline form) or Key=Value; repeatable.",
)
@click.option("--region", help="Deploy region, for AWS::Region and friends.")
@click.option("--account-id", help="Deploy account, for AWS::AccountId.")
@click.option(
    "--checks-dir", multiple=True, type=click.Path(file_okay=False), help="Load extra checks from *.py files here."
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False),
    help="Configuration file to use (default: .cfncheck.yaml or pyproject.toml [tool.cfncheck], searched upward).",
)
@click.option("--show-config", is_flag=True, help="Print the effective configuration and where each value comes from.")
@click.option("--baseline", type=click.Path(dir_okay=False), help="Report only findings that are not in this baseline.")
@click.option("--write-baseline", type=click.Path(dir_okay=False), help="Record the current findings in this file.")
@click.option("--templates-only", is_flag=True, help="Skip named files that are not CloudFormation templates.")
@click.option(
    "--require-templates",
    is_flag=True,
    help="Exit 2 when the run finds no template to check (a CI step pointed at the wrong folder).",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    help="Worker processes for runs over many files; output is the same with any number.  [default: number of CPUs]",
)
@click.option(
    "--timings",
    is_flag=True,
    help="Print the time of each phase (load, model, resolve, graph, checks, report) on stderr.",
)
@click.option("--list-checks", is_flag=True, help="Print the checks and exit.")
@click.version_option(__version__, prog_name="cfncheck")
def check_command(paths, output_format, output_sarif, output_json, list_checks, show_config, write_baseline, **flags):
    """Check CloudFormation templates (files, directories, or - for standard input)."""
    started = time.perf_counter()
    # A run builds millions of small acyclic objects that live until it ends; the cyclic
    # collector would walk them all again and again (a third of the run) to free next to nothing.
    gc.disable()
    problems: list[str] = []
    config = _configure(flags, lambda folders: problems.extend(_load_registry(folders)))
    for problem in problems:
        click.echo(f"cfncheck: {problem}", err=True)
    if show_config:
        click.echo(config.show(), nl=False)
        sys.exit(0)
    if list_checks:
        _print_checks(_checks(config, everything=True), output_format)
        sys.exit(2 if problems else 0)
    if output_format == "markdown":
        raise click.UsageError("--format markdown is for --list-checks; findings are text, json, sarif or github")
    if not paths:
        raise click.UsageError("give at least one template, directory, or - for standard input")
    checks = _checks(config)
    result = _run(list(paths), config, checks, flags)
    if not result.files:
        problem = "no template to check" if flags["require_templates"] else "no template checked"
        click.echo(f"cfncheck: {problem} in {' '.join(paths)} ({_NO_TEMPLATE_HINT})", err=True)
        if flags["require_templates"]:
            problems.append(problem)
    reporting = time.perf_counter()
    if write_baseline:
        _write_baseline(result, write_baseline)
    else:
        outcome = _compare_baseline(result, config)
        _report(result, checks, output_format, outcome)
        for path, kind in ((output_sarif, "sarif"), (output_json, "json")):
            if path:
                _write(path, _render(kind, result, checks, outcome))
    result.timings["report"] += time.perf_counter() - reporting
    if flags["timings"]:
        _print_timings(result.timings, time.perf_counter() - started)
    sys.exit(_status(result, problems, config["fail-on"] if not write_baseline else "none"))


_NO_TEMPLATE_HINT = (
    "folders are searched for .yaml, .yml, .json and .template files with a top-level Resources or "
    "AWSTemplateFormatVersion key, and cdk.out for the templates its manifest names; see include and exclude"
)


def _print_timings(timings: dict, total: float) -> None:
    """One line per phase on stderr; with --jobs, the phases run in workers are their CPU time summed."""
    for phase in ("load", "model", "resolve", "graph", "checks", "report"):
        click.echo(f"cfncheck timing: {phase} {timings.get(phase, 0.0):.4f}", err=True)
    click.echo(f"cfncheck timing: total {total:.4f}", err=True)


def _jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the CPUs this process may use, not all the machine has
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def _configure(flags: dict, prepare):
    """The configuration file under the flags that were given; ``prepare`` loads the checks."""
    from .config import ConfigError, load

    overrides = {
        "select": _split(flags["select"]) or None,
        "ignore": _split(flags["ignore"]) or None,
        "fail-on": flags["fail_on"],
        "regions": [flags["region"]] if flags["region"] else None,
        "account-id": flags["account_id"],
        "checks-dir": list(flags["checks_dir"]) or None,
        "baseline": flags["baseline"],
    }
    try:
        return load(flags["config_file"], {k: v for k, v in overrides.items() if v is not None}, prepare)
    except ConfigError as err:
        raise click.UsageError(str(err)) from None


def _checks(config, everything: bool = False) -> list:
    """The checks to run (or, with ``everything``, to list), with the configured severities."""
    from . import registry

    checks = (
        registry.all_checks()
        if everything
        else registry.select(registry.all_checks(), config["select"], config["ignore"])
    )
    overrides = config["severity"]
    return [dataclasses.replace(c, severity=_severity(overrides[c.id])) if c.id in overrides else c for c in checks]


def _severity(level: str):
    from .findings import Severity

    return Severity.parse(level)


def _sources(paths: list[str], config, templates_only: bool):
    """The files to check: named files and templates in named folders, filtered by the globs."""
    from .files import collect

    sources, missing = collect(paths)
    if not (config["exclude"] or config["include"] or templates_only):
        return sources, missing
    return [s for s in sources if _kept(s, set(paths), config, templates_only)], missing


def _kept(source, named: set[str], config, templates_only: bool) -> bool:
    from .baseline import relative_file
    from .config import matches
    from .files import looks_like_template

    file = relative_file(source.name, config.root)
    if matches(file, config["exclude"]):
        return False
    if config["include"] and source.name not in named and not matches(file, config["include"]):
        return False
    return not (templates_only and source.path is not None and not looks_like_template(Path(source.path)))


def _imports(source) -> bool:
    from .loader import read_head

    try:
        data = source.data if source.data is not None else read_head(source.path)
    except OSError:
        return False
    return b"ImportValue" in data


def _context(paths: list[str], sources: list, config, templates_only: bool):
    """For a partial run, the project's other templates that export names (see
    ``files.project_context``); None when the project cannot be known, which is said once."""
    from .files import is_partial, project_context

    if not is_partial(paths, templates_only):
        return []
    context = project_context(paths, config.root, lambda source: _kept(source, set(), config, False))
    if context is None and any(_imports(source) for source in sources):
        click.echo(
            "cfncheck: this run does not hold the whole project (a file outside "
            f"{config.root} or standard input): imports are not checked against exports (XSTK001)",
            err=True,
        )
    return context


def _parameters(sources, config, specs: tuple[str, ...]) -> tuple[dict, dict]:
    """Values for every template (the flags) and per template (the configured globs, under the flags)."""
    from .baseline import relative_file
    from .config import matches
    from .parameters import ParameterError, parse_parameters

    try:
        given = parse_parameters(list(specs))
        per_file = {}
        for source in sources if config["parameters"] else ():
            file = relative_file(source.name, config.root)
            values = {}
            for pattern, items in config["parameters"].items():
                if matches(file, [pattern]):
                    for item in items:
                        spec = [f"{k}={v}" for k, v in item.items()] if isinstance(item, dict) else [config.path(item)]
                        values.update(parse_parameters(spec))
            if values:
                per_file[source.name] = {**values, **given}
    except ParameterError as err:
        raise click.UsageError(str(err)) from None
    return given, per_file


def _deployments(sources, config) -> dict[str, frozenset[str]]:
    """The configured deployments of each template its globs match."""
    from .baseline import relative_file
    from .config import matches

    per_file = {}
    for source in sources if config["deployments"] else ():
        file = relative_file(source.name, config.root)
        names = frozenset(name for name, patterns in config["deployments"].items() if matches(file, patterns))
        if names:
            per_file[source.name] = names
    return per_file


def _run(paths: list[str], config, checks: list, flags: dict):
    from .engine import RunOptions, run

    sources, missing = _sources(paths, config, flags["templates_only"])
    context = _context(paths, sources, config, flags["templates_only"])
    given, per_file = _parameters(sources, config, flags["parameter_specs"])
    deployments = _deployments(sources, config)
    regions = config["regions"] or [None]
    results = []
    for region in regions:
        options = RunOptions(
            checks=checks,
            parameters=given,
            file_parameters=per_file,
            file_deployments=deployments,
            region=region,
            account_id=config["account-id"],
            check_options=config["options"],
            jobs=flags["jobs"] or _jobs(),
            timings=flags["timings"],
            context=context,
        )
        results.append(run(sources, options))
    result = _merge_regions(results, regions)
    overrides = config["severity"]
    for finding in result.findings:
        if finding.rule_id in overrides:
            finding.severity = _severity(overrides[finding.rule_id])
    result.errors[:0] = missing
    result.files.extend(e.file for e in missing)
    return result


def _merge_regions(results: list, regions: list):
    """One result for several deploy regions: a finding of only some regions says which."""
    first = results[0]
    if len(results) == 1:
        return first
    seen: dict = {}
    for region, result in zip(regions, results, strict=True):
        for finding in result.findings:
            key = (
                finding.rule_id,
                finding.file,
                finding.line,
                finding.column,
                finding.message,
                tuple(sorted(finding.conditions.items())),
            )
            seen.setdefault(key, (finding, []))[1].append(region)
    first.findings = []
    for finding, where in seen.values():
        if len(where) < len(regions):
            finding.message += f" [in {', '.join(where)}]"
        first.findings.append(finding)
    first.internal_errors = sum(r.internal_errors for r in results)
    for result in results[1:]:
        for phase, seconds in result.timings.items():
            first.timings[phase] += seconds
    return first


def _write_baseline(result, path: str) -> None:
    from . import baseline

    count = baseline.write(result.findings, path)
    click.echo(f"cfncheck: wrote {count} finding{'s' * (count != 1)} to baseline {path}", err=True)


def _compare_baseline(result, config) -> dict | None:
    from . import baseline

    if not config["baseline"]:
        return None
    try:
        outcome = baseline.apply(result.findings, config["baseline"])
    except baseline.BaselineError as err:
        raise click.UsageError(str(err)) from None
    if outcome.fixed:
        click.echo(
            f"cfncheck: {outcome.fixed} baseline entr{'ies' if outcome.fixed != 1 else 'y'} fixed; "
            f"drop {'them' if outcome.fixed != 1 else 'it'} with --write-baseline {config['baseline']}",
            err=True,
        )
    return {"accepted": outcome.matched, "fixed": outcome.fixed}


def _render(kind: str, result, checks: list, outcome: dict | None) -> str:
    if kind == "json":
        from .report import json as report

        return report.render(result, outcome)
    if kind == "sarif":
        from .report import github, sarif

        return sarif.render(result, checks, github.workspace())
    from .report import github

    return github.render(result, github.workspace())


def _report(result, checks: list, output_format: str, outcome: dict | None) -> None:
    """The chosen format on stdout; for people (text, github) a summary on stderr too."""
    from .report import text

    if output_format == "text":
        color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
        click.echo(text.render(result, color), nl=False)
        click.echo(text.render_errors(result), nl=False, err=True)
    else:
        click.echo(_render(output_format, result, checks, outcome), nl=False)
    if output_format in ("text", "github"):
        click.echo(text.summary(result), nl=False, err=True)
    if output_format == "github" and os.environ.get("GITHUB_STEP_SUMMARY"):
        from .report import github

        notes = []
        if outcome:
            notes.append(f"Baseline: {outcome['accepted']} known findings accepted, {outcome['fixed']} entries fixed.")
        with open(os.environ["GITHUB_STEP_SUMMARY"], "a", encoding="utf-8") as handle:
            handle.write(github.summary(result, github.workspace(), notes))


def _write(path: str, text: str) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(text, encoding="utf-8")


def _status(result, problems: list[str], fail_on: str) -> int:
    from .findings import Severity

    if result.errors or result.internal_errors or problems:
        return 2
    if fail_on != "none":
        threshold = Severity.parse(fail_on)
        if any(f.severity >= threshold for f in result.findings if f.suppressed is None):
            return 1
    return 0


def _print_checks(checks, output_format: str) -> None:
    if output_format == "markdown":
        from .docs import render

        click.echo(render(checks), nl=False)
        return
    if output_format == "json":
        import json

        from .docs import help_uri

        rows = [
            {
                "id": c.id,
                "name": c.name,
                "severity": str(c.severity),
                "types": list(c.types),
                "scope": c.scope,
                "tags": list(c.tags),
                "options": c.options,
                "summary": c.summary,
                "fix": c.fix,
                "help_uri": help_uri(c),
            }
            for c in checks
        ]
        click.echo(json.dumps(rows, indent=2))
        return
    if output_format != "text":
        raise click.UsageError(f"--list-checks prints text, json or markdown, not {output_format}")
    for c in checks:
        click.echo(f"{c.id:<12} {str(c.severity):<8} {c.name:<45} {c.summary}")


@click.command("explain", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("check_id")
@click.option(
    "--checks-dir", multiple=True, type=click.Path(file_okay=False), help="Also load the checks of *.py files here."
)
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Configuration file to use.")
def explain_command(check_id: str, checks_dir: tuple[str, ...], config_file: str | None) -> None:
    """Print a check's documentation: what it reports, why, and how to fix it. Checks of the
    configuration's checks-dir and of --checks-dir are known too."""
    from . import registry
    from .config import ConfigError, load
    from .docs import check_markdown, help_uri

    problems: list[str] = []
    try:
        load(
            config_file,
            {"checks-dir": list(checks_dir)} if checks_dir else {},
            lambda dirs: problems.extend(_load_registry(dirs)),
        )
    except ConfigError as err:
        raise click.UsageError(str(err)) from None
    for problem in problems:
        click.echo(f"cfncheck: {problem}", err=True)
    entry = registry.find(check_id)
    if entry is None:
        hint = registry.nearest(check_id)
        suggestion = f"; did you mean {hint}?" if hint else ""
        click.echo(f"cfncheck: no check {check_id!r}{suggestion} (see cfncheck --list-checks)", err=True)
        sys.exit(2)
    click.echo(check_markdown(entry))
    online = help_uri(entry)
    if online:
        click.echo(f"Online: {online}")


@click.command("graph", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("template", type=click.Path())
@click.option(
    "--format", "output_format", type=click.Choice(("dot", "mermaid", "json")), default="dot", show_default=True
)
def graph_command(template: str, output_format: str) -> None:
    """Print a template's dependency graph (resources, parameters, conditions, mappings, outputs)."""
    from . import graph
    from .loader import LoadError, load_bytes, load_file
    from .template import build

    try:
        document = load_bytes(sys.stdin.buffer.read(), "<stdin>") if template == "-" else load_file(template)
        model = build(document)
    except LoadError as err:
        click.echo(f"cfncheck: {err}", err=True)
        sys.exit(2)
    render = {"dot": graph.to_dot, "mermaid": graph.to_mermaid, "json": graph.to_json}[output_format]
    click.echo(render(graph.build_graph(model)), nl=False)


def console() -> None:
    """The ``cfncheck`` command: ``main``, then an exit that skips tearing the interpreter down.
    A large run leaves millions of objects that would be freed one by one for nothing (a tenth
    of a second on the corpus); everything the run writes is flushed first."""
    try:
        main()
        status = 0
    except SystemExit as stop:
        status = stop.code if isinstance(stop.code, int) else 0 if stop.code is None else 1
        if not isinstance(stop.code, int | None):
            print(stop.code, file=sys.stderr)
    if _observed():
        sys.exit(status)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError):  # a closed pipe: there is no one left to tell
            stream.flush()
    os._exit(status)


def _observed() -> bool:
    """Whether a profiler, a debugger or a coverage tool watches the process: it writes what it
    saw at a normal exit."""
    monitoring = getattr(sys, "monitoring", None)  # Python 3.12+
    tools = monitoring is not None and any(monitoring.get_tool(tool) is not None for tool in range(6))
    return sys.getprofile() is not None or sys.gettrace() is not None or tools


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    command = {"graph": graph_command, "explain": explain_command}.get(args[0]) if args else None
    if command is not None and not os.path.exists(args[0]):
        command.main(args[1:], prog_name=f"cfncheck {args[0]}")
    else:
        check_command.main(args, prog_name="cfncheck")
