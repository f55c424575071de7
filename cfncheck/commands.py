"""The commands beside the check itself: ``cfncheck explain ID`` prints a check's documentation,
``cfncheck graph TEMPLATE`` a template's dependency graph, ``cfncheck lsp`` serves an editor
(``cli.main`` dispatches to them)."""

from __future__ import annotations

import sys

import click

from .config import ConfigError, load
from .docs import explain


@click.command("explain", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("check_id")
@click.option(
    "--checks-dir", multiple=True, type=click.Path(file_okay=False), help="Also load the checks of *.py files here."
)
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Configuration file to use.")
def explain_command(check_id: str, checks_dir: tuple[str, ...], config_file: str | None) -> None:
    """Print a check's documentation: what it reports, why, and how to fix it. Checks of the
    configuration's checks-dir and of --checks-dir are known too."""
    try:
        catalog = load(config_file, {"checks-dir": list(checks_dir)} if checks_dir else {}).catalog
    except ConfigError as err:
        raise click.UsageError(str(err)) from None
    for problem in catalog.problems:
        click.echo(f"cfncheck: {problem}", err=True)
    entry = catalog.find(check_id)
    if entry is None:
        hint = catalog.nearest(check_id)
        suggestion = f"; did you mean {hint}?" if hint else ""
        click.echo(f"cfncheck: no check {check_id!r}{suggestion} (see cfncheck --list-checks)", err=True)
        sys.exit(2)
    click.echo(explain(entry), nl=False)


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


LSP_EXTRA = "pip install 'cfncheck-cli[lsp]'"


@click.command("lsp", context_settings={"help_option_names": ["-h", "--help"]})
def lsp_command() -> None:
    """Serve an editor as a language server over standard input and output: diagnostics as you
    type, the check's documentation on hover, a quick fix that suppresses a finding. Needs the
    lsp extra (pygls)."""
    try:
        from .lsp.server import serve
    except ImportError as err:
        click.echo(f"cfncheck: the language server needs pygls ({err.name} is missing): {LSP_EXTRA}", err=True)
        sys.exit(2)
    serve()
