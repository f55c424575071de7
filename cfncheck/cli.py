"""The command line: with its other commands (``commands``: explain, graph), the only place that
reads argv, writes to stdout and chooses the exit status.

Exit status: 0 no finding at or above ``--fail-on``; 1 findings at or above it; 2 a file could
not be read, a check failed internally, an output file could not be written, the command line
(or the configuration) is wrong, or cfncheck itself failed (an internal error: one line, and the
traceback with ``--debug``). Ctrl-C and a closed standard output end the process by their
signals (``__main__``).

A run is: argv → configuration (file, then flags, with the catalog of checks) → session (files,
parameters, one set of run options per region) → engine runs → outcome (merges, severities,
suppressions, baseline) → reports (one to stdout, others to files) → exit status.
"""

from __future__ import annotations

import gc
import os
import sys
import time
import traceback
from collections.abc import Callable

import click

from . import __version__, baseline
from .baseline import BaselineError
from .commands import DEBUG_HELP, TRUST_HELP, explain_command, graph_command, say
from .config import Config, ConfigError, load
from .docs import listing
from .engine import run
from .findings import Severity
from .outcome import Outcome, settle
from .output_files import OutputError, append_text, write_text
from .parameters import ParameterError
from .phases import summary
from .report import FORMATS as REPORTS
from .report import github, render, text
from .report.escape import Where, escape
from .session import Session

FORMATS = (*REPORTS, "markdown")
FAIL_ON = ("error", "warning", "info", "none")


def _split(values: tuple[str, ...]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


@click.command(
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog="Other commands: 'cfncheck explain ID' prints a check's rationale and fix; "
    "'cfncheck graph TEMPLATE --format dot|mermaid|json' prints the dependency graph.",
)
@click.argument("paths", nargs=-1, type=click.Path(readable=False))
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
@click.option("--trust-config", is_flag=True, envvar="CFNCHECK_TRUST_CONFIG", show_envvar=True, help=TRUST_HELP)
@click.option(
    "--project-root",
    type=click.Path(file_okay=False),
    help="The project's folder: templates may read files (nested stacks) only in it and in the folders named. "
    "[default: the configuration file's folder, else the working directory]",
)
@click.option("--list-checks", is_flag=True, help="Print the checks and exit.")
@click.option("--debug", is_flag=True, help=DEBUG_HELP)
@click.version_option(__version__, prog_name="cfncheck")
def check_command(paths, output_format, output_sarif, output_json, list_checks, show_config, write_baseline, **flags):
    """Check CloudFormation templates (files, directories, or - for standard input)."""
    started = time.perf_counter()
    # A run builds millions of small acyclic objects that live until it ends; the cyclic
    # collector would walk them all again and again (a third of the run) to free next to nothing.
    gc.disable()
    config = _configure(flags)
    problems = list(config.catalog.problems)
    for line in (*config.notices, *problems):
        say(line)
    if show_config:
        click.echo("".join(f"{escape(line, Where.TEXT)}\n" for line in config.show().splitlines()), nl=False)
        sys.exit(0)
    if list_checks:
        if output_format not in ("text", "json", "markdown"):
            raise click.UsageError(f"--list-checks prints text, json or markdown, not {output_format}")
        click.echo(listing(list(config.catalog.configured(config.severities)), output_format), nl=False)
        sys.exit(2 if problems else 0)
    if output_format == "markdown":
        raise click.UsageError("--format markdown is for --list-checks; findings are text, json, sarif or github")
    if not paths:
        raise click.UsageError("give at least one template, directory, or - for standard input")
    try:
        session = Session.open(
            config,
            list(paths),
            flags["parameter_specs"],
            templates_only=flags["templates_only"],
            jobs=flags["jobs"],
            timings=flags["timings"],
            compare_baseline=not write_baseline,
            project_root=flags["project_root"],
        )
        for notice in session.notices:
            say(notice)
        outcome = settle(session, [run(session.sources, options) for options in session.runs()])
    except (ParameterError, BaselineError, ConfigError) as err:
        raise click.UsageError(str(err)) from None
    if not outcome.files:
        problem = "no template to check" if flags["require_templates"] else "no template checked"
        say(f"{problem} in {' '.join(paths)} ({NO_TEMPLATE_HINT})")
        if flags["require_templates"]:
            problems.append(problem)
    reporting = time.perf_counter()
    if write_baseline:
        try:
            count = baseline.write(outcome.findings, write_baseline)
            say(f"wrote {count} finding{'s' * (count != 1)} to baseline {write_baseline}")
        except OutputError as err:
            problems.append(str(err))
            say(str(err))
    else:
        problems += _report(outcome, output_format, {"sarif": output_sarif, "json": output_json}, config["baseline"])
    outcome.timings["report"] += time.perf_counter() - reporting
    if flags["timings"]:
        click.echo(summary(outcome.timings, time.perf_counter() - started), nl=False, err=True)
    sys.exit(_status(outcome, problems, config["fail-on"] if not write_baseline else "none"))


NO_TEMPLATE_HINT = (
    "folders are searched for .yaml, .yml, .json and .template files with a top-level Resources or "
    "AWSTemplateFormatVersion key, and cdk.out for the templates its manifest names; see include and exclude"
)


def _configure(flags: dict) -> Config:
    """The configuration file under the flags that were given, with the catalog of its checks."""
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
        return load(
            flags["config_file"], {k: v for k, v in overrides.items() if v is not None}, trust=flags["trust_config"]
        )
    except ConfigError as err:
        raise click.UsageError(str(err)) from None


def _report(outcome: Outcome, output_format: str, also: dict[str, str | None], baseline_file: str | None) -> list[str]:
    """The formats of ``also`` into their files, then the chosen format on stdout, for people
    (text, github) a summary on stderr too; returns the files that could not be written (each
    said on stderr). The files come first: a closed standard output ends the run."""
    counted = outcome.baseline
    if counted and counted.fixed:
        say(
            f"{counted.fixed} baseline entr{'ies' if counted.fixed != 1 else 'y'} fixed; "
            f"drop {'them' if counted.fixed != 1 else 'it'} with --write-baseline {baseline_file}"
        )
    root = github.workspace()
    failed = []
    for kind, path in also.items():
        if path:
            failed += _written(write_text, path, render(kind, outcome, root))
    color = output_format == "text" and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    click.echo(render(output_format, outcome, root, color), nl=False)
    if output_format == "text":
        click.echo(text.render_errors(outcome), nl=False, err=True)
    if output_format in ("text", "github"):
        click.echo(text.summary(outcome), nl=False, err=True)
    if output_format == "github" and os.environ.get("GITHUB_STEP_SUMMARY"):
        notes = (
            [f"Baseline: {counted.accepted} known findings accepted, {counted.fixed} entries fixed."] if counted else []
        )
        summary = github.summary(outcome, root, notes)
        failed += _written(append_text, os.environ["GITHUB_STEP_SUMMARY"], summary)
    return failed


def _written(write: Callable[[str, str], None], path: str, text: str) -> list[str]:
    """Nothing when ``write(path, text)`` wrote the file; else the problem, said on stderr."""
    try:
        write(path, text)
    except OutputError as err:
        say(str(err))
        return [str(err)]
    return []


def _status(outcome: Outcome, problems: list[str], fail_on: str) -> int:
    if outcome.errors or outcome.internal_errors or problems:
        return 2
    if fail_on != "none":
        threshold = Severity.parse(fail_on)
        if any(f.severity >= threshold for f in outcome.findings if f.suppressed is None):
            return 1
    return 0


def main(argv: list[str] | None = None) -> None:
    """Run the command of ``argv`` and exit with its status (SystemExit). Ctrl-C
    (KeyboardInterrupt) and a closed standard output (BrokenPipeError) are raised for the
    process to end by their signals (``__main__``)."""
    args = list(sys.argv[1:] if argv is None else argv)
    command, name = check_command, "cfncheck"
    chosen = {"graph": graph_command, "explain": explain_command}.get(args[0]) if args else None
    if chosen is not None and not os.path.exists(args[0]):
        command, name, args = chosen, f"cfncheck {args[0]}", args[1:]
    debug = "--debug" in args
    try:
        with command.make_context(name, list(args)) as context:  # click consumes the list it is given
            command.invoke(context)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.ClickException as err:
        err.show()
        sys.exit(err.exit_code)
    except click.Abort:
        raise KeyboardInterrupt from None
    except (SystemExit, KeyboardInterrupt, BrokenPipeError):
        raise
    except Exception as err:  # noqa: BLE001 - a bug of cfncheck: one line and status 2, never status 1
        if debug:
            traceback.print_exc()
        detail = " ".join(str(err).split())[:300]
        hint = "" if debug else " (run with --debug for the traceback)"
        say(f"internal error: {type(err).__name__}: {detail}{hint}")
        sys.exit(2)
    sys.exit(0)
