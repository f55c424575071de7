"""The command line: with its other commands (``commands``: explain, graph), the only place that
reads argv, writes to stdout and chooses the exit status.

Exit status: 0 no finding at or above ``--fail-on``; 1 findings at or above it; 2 a file could
not be read, a check failed internally, an output file could not be written, the command line
(or the configuration) is wrong, or cfncheck itself failed (an internal error: one line, and the
traceback with ``--debug``; see ``commands.invoke``). Ctrl-C and a closed standard output end the
process by their signals (``__main__``).

A run is: argv → configuration (file, then flags, with the catalog of checks) → session (files,
parameters, one set of run options per region) → engine runs → outcome (merges, severities,
suppressions, baseline) → reports (one to stdout, others to files) → exit status.
"""

from __future__ import annotations

import gc
import os
import sys
import time

import click

from . import __version__, baseline, commands
from .baseline import BaselineError
from .commands import COMMANDS, DEBUG_HELP, OTHER_COMMANDS, TRUST_HELP, invoke, say, shard_option, written
from .config import Config, ConfigError, load
from .files import SEARCHED
from .outcome import Outcome
from .output_files import OutputError, append_text, write_text
from .parameters import ParameterError
from .phases import cpu_seconds, summary
from .report import FILE_FORMATS, github, render, text
from .report import FORMATS as REPORTS
from .report.escape import Where, escape
from .session import Session

FORMATS = (*REPORTS, "markdown")
FAIL_ON = ("error", "warning", "info", "none")


def _file_outputs(command):
    """An ``--output-FORMAT FILE`` flag for each format a CI system reads from a file."""
    for kind, described in reversed(FILE_FORMATS.items()):
        command = click.option(
            f"--output-{kind}", metavar="FILE", type=click.Path(dir_okay=False), help=f"Also write {described} to FILE."
        )(command)
    return command


def _split(values: tuple[str, ...]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


@click.command(
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog=OTHER_COMMANDS,
)
@click.argument("paths", nargs=-1, type=click.Path(readable=False))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="Output on stdout: findings as text, json, sarif, github workflow commands, junit XML or gitlab "
    "Code Quality; with --list-checks: text, json or markdown.",
)
@_file_outputs
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
    "--stdin-filename",
    metavar="PATH",
    help="The file that standard input (-) holds, as an editor pipes its buffer: findings name it, and the "
    "configuration's globs and the project's exports apply to it.",
)
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
    help="Print the wall-clock and CPU seconds of each phase (load, model, resolve, graph, checks, report) "
    "on stderr, summed over the worker processes that ran it, and of the whole run.",
)
@commands.cache_options
@click.option("--trust-config", is_flag=True, envvar="CFNCHECK_TRUST_CONFIG", show_envvar=True, help=TRUST_HELP)
@click.option(
    "--project-root",
    type=click.Path(file_okay=False),
    help="The project's folder: templates may read files (nested stacks) only in it and in the folders named. "
    "[default: the configuration file's folder, else the working directory]",
)
@shard_option
@click.option("--list-checks", is_flag=True, help="Print the checks and exit.")
@click.option("--debug", is_flag=True, help=DEBUG_HELP)
@click.version_option(__version__, prog_name="cfncheck")
def check_command(paths, output_format, list_checks, show_config, write_baseline, **flags):
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
    cache = commands.result_cache(flags, config)
    if list_checks:
        commands.list_checks(config, output_format, problems)
    if output_format == "markdown":
        raise click.UsageError(f"--format markdown is for --list-checks; findings are {', '.join(REPORTS)}")
    if not paths:
        raise click.UsageError("give at least one template, directory, or - for standard input")
    if flags["stdin_filename"] and "-" not in paths:
        raise click.UsageError("--stdin-filename names what standard input holds: give - among the paths")
    try:
        session = Session.open(
            config,
            list(paths),
            flags["parameter_specs"],
            templates_only=flags["templates_only"],
            jobs=flags["jobs"],
            timings=flags["timings"],
            compare_baseline=not write_baseline,
            stdin_filename=flags["stdin_filename"],
            project_root=flags["project_root"],
            shard=flags["shard"],
            cache=cache,
        )
        for notice in session.notices:
            say(notice)
        outcome = session.check()
    except (ParameterError, BaselineError, ConfigError) as err:
        raise click.UsageError(str(err)) from None
    for notice in outcome.notices:
        say(notice)
    if not outcome.files:
        problem = "no template to check" if flags["require_templates"] else "no template checked"
        say(f"{problem} in {' '.join(paths)} ({SEARCHED})")
        if flags["require_templates"]:
            problems.append(problem)
    reporting, reporting_cpu = time.perf_counter(), time.thread_time()
    if write_baseline:
        try:
            count = baseline.write(outcome.findings, write_baseline)
            say(f"wrote {count} finding{'s' * (count != 1)} to baseline {write_baseline}")
        except OutputError as err:
            problems.append(str(err))
            say(str(err))
    else:
        also = {kind: flags[f"output_{kind}"] for kind in FILE_FORMATS}
        problems += _report(outcome, output_format, also, config["fail-on"])
    outcome.timings["report"] += time.perf_counter() - reporting
    outcome.cpu["report"] += time.thread_time() - reporting_cpu
    if flags["timings"]:
        total = time.perf_counter() - started
        click.echo(summary(outcome.timings, outcome.cpu, total, cpu_seconds()), nl=False, err=True)
    sys.exit(outcome.status(problems, config["fail-on"] if not write_baseline else "none"))


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
        "cache": False if flags["no_cache"] else True if flags["cache_dir"] else None,
    }
    try:
        return load(
            flags["config_file"], {k: v for k, v in overrides.items() if v is not None}, trust=flags["trust_config"]
        )
    except ConfigError as err:
        raise click.UsageError(str(err)) from None


def _report(outcome: Outcome, output_format: str, also: dict[str, str | None], fail_on: str) -> list[str]:
    """The formats of ``also`` into their files, then the chosen format on stdout, for people
    (text, github) a summary on stderr too; returns the files that could not be written (each
    said on stderr). The files come first: a closed standard output ends the run."""
    root = github.workspace()
    failed = []
    for kind, path in also.items():
        if path:
            failed += written(write_text, path, render(kind, outcome, root, fail_on=fail_on))
    color = output_format == "text" and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    click.echo(render(output_format, outcome, root, color, fail_on), nl=False)
    if output_format == "text":
        click.echo(text.render_errors(outcome), nl=False, err=True)
    if output_format in ("text", "github"):
        click.echo(text.summary(outcome), nl=False, err=True)
    if output_format == "github" and os.environ.get("GITHUB_STEP_SUMMARY"):
        failed += written(append_text, os.environ["GITHUB_STEP_SUMMARY"], github.summary(outcome, root))
    return failed


def main(argv: list[str] | None = None) -> None:
    """Run the command of ``argv`` and exit with its status (SystemExit). Ctrl-C
    (KeyboardInterrupt) and a closed standard output (BrokenPipeError) are raised for the
    process to end by their signals (``__main__``)."""
    args = list(sys.argv[1:] if argv is None else argv)
    command = COMMANDS.get(args[0]) if args else None
    if command is not None and not os.path.exists(args[0]):
        invoke(command, f"cfncheck {args[0]}", args[1:])
    invoke(check_command, "cfncheck", args)
