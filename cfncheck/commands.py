"""The commands beside the check itself: ``cfncheck explain ID`` prints a check's documentation,
``cfncheck graph TEMPLATE`` a template's dependency graph (``cli.main`` dispatches to them); and
what every command says on standard error (``say``)."""

from __future__ import annotations

import sys

import click

from .config import ConfigError, load
from .docs import explain
from .report.escape import Where, escape

TRUST_HELP = (
    "Load the checks-dir of the configuration file and plugins installed in the working directory: "
    "Python code of the repository, not loaded otherwise."
)
DEBUG_HELP = "Print the traceback of an internal error."


def say(text: str) -> None:
    """One line on standard error, prefixed with the program's name; what it quotes of files and
    templates cannot drive the terminal or a CI runner."""
    click.echo(f"cfncheck: {escape(text, Where.TEXT)}", err=True)


@click.command("explain", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("check_id")
@click.option(
    "--checks-dir", multiple=True, type=click.Path(file_okay=False), help="Also load the checks of *.py files here."
)
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Configuration file to use.")
@click.option("--trust-config", is_flag=True, envvar="CFNCHECK_TRUST_CONFIG", show_envvar=True, help=TRUST_HELP)
@click.option("--debug", is_flag=True, help=DEBUG_HELP)
def explain_command(
    check_id: str, checks_dir: tuple[str, ...], config_file: str | None, trust_config: bool, debug: bool
) -> None:
    """Print a check's documentation: what it reports, why, and how to fix it. Checks of the
    configuration's checks-dir (with --trust-config) and of --checks-dir are known too."""
    try:
        config = load(config_file, {"checks-dir": list(checks_dir)} if checks_dir else {}, trust=trust_config)
    except ConfigError as err:
        raise click.UsageError(str(err)) from None
    catalog = config.catalog
    for line in (*config.notices, *catalog.problems):
        say(line)
    entry = catalog.find(check_id)
    if entry is None:
        hint = catalog.nearest(check_id)
        suggestion = f"; did you mean {hint}?" if hint else ""
        say(f"no check {check_id!r}{suggestion} (see cfncheck --list-checks)")
        sys.exit(2)
    click.echo(explain(entry), nl=False)


@click.command("graph", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("template", type=click.Path())
@click.option(
    "--format", "output_format", type=click.Choice(("dot", "mermaid", "json")), default="dot", show_default=True
)
@click.option("--debug", is_flag=True, help=DEBUG_HELP)
def graph_command(template: str, output_format: str, debug: bool) -> None:
    """Print a template's dependency graph (resources, parameters, conditions, mappings, outputs)."""
    from . import graph
    from .loader import MAX_BYTES, LoadError, load_bytes, load_file
    from .template import build

    try:
        if template == "-":
            document = load_bytes(sys.stdin.buffer.read(MAX_BYTES + 1), "<stdin>")
        else:
            document = load_file(template)
        model = build(document)
    except LoadError as err:
        say(str(err))
        sys.exit(2)
    render = {"dot": graph.to_dot, "mermaid": graph.to_mermaid, "json": graph.to_json}[output_format]
    click.echo(render(graph.build_graph(model)), nl=False)
