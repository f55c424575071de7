"""The command line: the only place that reads argv, writes to stdout and chooses the exit status.

Exit status: 0 no finding at or above ``--fail-on``; 1 findings at or above it; 2 a file could
not be read, a check failed internally, or the command line is wrong.
"""

from __future__ import annotations

import os
import sys

import click

from . import __version__

FORMATS = ("text", "json")
FAIL_ON = ("error", "warning", "info", "none")
SUBCOMMANDS = ("graph", "explain")


def _split(values: tuple[str, ...]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _load_registry(checks_dirs: tuple[str, ...] = ()) -> list[str]:
    from . import registry

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
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--select", multiple=True, help="Run only these checks (ids, names or id prefixes; comma-separated).")
@click.option("--ignore", multiple=True, help="Skip these checks (ids, names or id prefixes; comma-separated).")
@click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON),
    default="warning",
    show_default=True,
    help="Exit 1 when a finding has this severity or a higher one.",
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
@click.option("--list-checks", is_flag=True, help="Print the checks and exit.")
@click.version_option(__version__, prog_name="cfncheck")
def check_command(
    paths, output_format, select, ignore, fail_on, parameter_specs, region, account_id, checks_dir, list_checks
):
    """Check CloudFormation templates (files, directories, or - for standard input)."""
    from . import registry
    from .engine import RunOptions, run
    from .files import collect
    from .findings import Severity
    from .parameters import ParameterError, parse_parameters

    problems = _load_registry(checks_dir)
    for problem in problems:
        click.echo(f"cfncheck: {problem}", err=True)
    if list_checks:
        _print_checks(registry.all_checks(), output_format)
        sys.exit(2 if problems else 0)
    if not paths:
        raise click.UsageError("give at least one template, directory, or - for standard input")
    include, exclude = _split(select), _split(ignore)
    unknown = registry.unknown_selectors(registry.all_checks(), include + exclude)
    if unknown:
        raise click.UsageError(f"no check matches {', '.join(unknown)} (see cfncheck --list-checks)")
    try:
        parameters = parse_parameters(list(parameter_specs))
    except ParameterError as err:
        raise click.UsageError(str(err)) from None

    sources, missing = collect(list(paths))
    options = RunOptions(
        checks=registry.select(registry.all_checks(), include, exclude),
        parameters=parameters,
        region=region,
        account_id=account_id,
    )
    result = run(sources, options)
    result.errors[:0] = missing
    result.files.extend(e.file for e in missing)

    if output_format == "json":
        from .report import json as report

        click.echo(report.render(result), nl=False)
    else:
        from .report import text as report

        color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
        click.echo(report.render(result, color), nl=False)
        click.echo(report.render_errors(result), nl=False, err=True)
        click.echo(report.summary(result), nl=False, err=True)

    if result.errors or result.internal_errors or problems:
        sys.exit(2)
    if fail_on != "none":
        threshold = Severity.parse(fail_on)
        if any(f.severity >= threshold for f in result.findings if f.suppressed is None):
            sys.exit(1)
    sys.exit(0)


def _print_checks(checks, output_format: str) -> None:
    if output_format == "json":
        import json

        rows = [
            {
                "id": c.id,
                "name": c.name,
                "severity": str(c.severity),
                "types": list(c.types),
                "scope": c.scope,
                "summary": c.summary,
                "fix": c.fix,
            }
            for c in checks
        ]
        click.echo(json.dumps(rows, indent=2))
        return
    for c in checks:
        click.echo(f"{c.id:<12} {str(c.severity):<8} {c.name:<45} {c.summary}")


@click.command("explain", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("check_id")
def explain_command(check_id: str) -> None:
    """Print a check's rationale and how to fix what it reports."""
    from . import registry

    _load_registry()
    entry = registry.find(check_id)
    if entry is None:
        click.echo(f"cfncheck: no check {check_id!r} (see cfncheck --list-checks)", err=True)
        sys.exit(2)
    click.echo(f"{entry.id} {entry.name} ({entry.severity})")
    if entry.types:
        click.echo(f"Resource types: {', '.join(entry.types)}")
    click.echo("")
    click.echo(entry.rationale)
    if entry.fix:
        click.echo("")
        click.echo(f"Fix: {entry.fix}")


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


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    command = {"graph": graph_command, "explain": explain_command}.get(args[0]) if args else None
    if command is not None and not os.path.exists(args[0]):
        command.main(args[1:], prog_name=f"cfncheck {args[0]}")
    else:
        check_command.main(args, prog_name="cfncheck")
