"""The commands beside the check itself: ``cfncheck explain ID`` prints a check's documentation,
``cfncheck graph TEMPLATE`` a template's dependency graph, ``cfncheck merge`` puts the reports of
a run's shards together, ``cfncheck lsp`` serves an editor (``cli.main`` dispatches to them); the
check's ``--shard`` option, ``--list-checks`` and the flags of the result cache (``cache_options``); and what every
command shares: what it says on standard error (``say``), how it writes a file (``written``) and
how it ends (``invoke``).
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable

import click

from .cache import clear, default_folder, prune
from .config import Config, ConfigError, load
from .docs import explain, listing
from .output_files import OutputError
from .report.escape import Where, escape
from .shards import Shard

TRUST_HELP = (
    "Load the checks-dir of the configuration file and plugins installed in the working directory: "
    "Python code of the repository, not loaded otherwise."
)
DEBUG_HELP = "Print the traceback of an internal error."
OTHER_COMMANDS = (
    "Other commands: 'cfncheck explain ID' prints a check's rationale and fix; "
    "'cfncheck graph TEMPLATE --format dot|mermaid|json' prints the dependency graph; "
    "'cfncheck merge REPORT...' puts the JSON or SARIF reports of --shard runs together; "
    "'cfncheck lsp' serves an editor (the lsp extra)."
)


def say(text: str) -> None:
    """One line on standard error, prefixed with the program's name; what it quotes of files and
    templates cannot drive the terminal or a CI runner."""
    click.echo(f"cfncheck: {escape(text, Where.TEXT)}", err=True)


def written(write: Callable[[str, str], None], path: str, text: str) -> list[str]:
    """Nothing when ``write(path, text)`` wrote the file (``output_files``); else the problem,
    said on stderr."""
    try:
        write(path, text)
    except OutputError as err:
        say(str(err))
        return [str(err)]
    return []


def cache_options(command: click.Command) -> click.Command:
    """``--cache DIR``, ``--no-cache`` and ``--clear-cache`` (see ``cache``)."""
    command = click.option(
        "--clear-cache", is_flag=True, help="Remove the result cache's entries (in the --cache folder) and exit."
    )(command)
    command = click.option(
        "--no-cache", is_flag=True, help="Check every template again: neither read nor write the result cache."
    )(command)
    return click.option(
        "--cache",
        "cache_dir",
        metavar="DIR",
        type=click.Path(file_okay=False),
        help="Keep each template's results in DIR, reused while the template and everything that can change "
        "its findings are the same.  [default: the per-user cache folder, ~/.cache/cfncheck on Linux]",
    )(command)


def list_checks(config: Config, output_format: str, problems: list[str]) -> None:
    """``--list-checks``: the configuration's checks, with their configured severities, in text,
    JSON or Markdown; then exit (2 when a plugin could not be loaded)."""
    if output_format not in ("text", "json", "markdown"):
        raise click.UsageError(f"--list-checks prints text, json or markdown, not {output_format}")
    click.echo(listing(list(config.catalog.configured(config.severities)), output_format), nl=False)
    sys.exit(2 if problems else 0)


def result_cache(flags: dict, config: Config) -> str | None:
    """The result cache's folder: ``--cache DIR``, else the per-user one; None when the cache is
    off (``--no-cache``, or ``cache: false`` in the configuration). Its old entries are removed
    (``cache.prune``); with ``--clear-cache``, all of them, and the command exits."""
    folder = flags["cache_dir"] or default_folder()
    if flags["clear_cache"]:
        try:
            if folder is not None:
                clear(folder)
        except OSError as err:
            say(f"cannot clear the result cache in {folder}: {err.strerror or err}")
            sys.exit(2)
        say(f"cleared the result cache in {folder}" if folder else "no result cache: there is no home folder")
        sys.exit(0)
    if folder is None or not config["cache"]:
        return None
    prune(folder)
    return str(folder)


def invoke(command: click.Command, name: str, args: list[str]) -> None:
    """Run ``command`` on ``args`` and exit with its status (SystemExit). Ctrl-C (KeyboardInterrupt)
    and a closed standard output (BrokenPipeError) are raised for the process to end by their
    signals (``__main__``); any other exception is a bug of cfncheck: one line and status 2,
    never the 1 of findings (with ``--debug``, the traceback too)."""
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


def _shard(context: click.Context, parameter: click.Parameter, value: str | None) -> Shard | None:
    try:
        return None if value is None else Shard.parse(value)
    except ValueError as err:
        raise click.BadParameter(str(err)) from None


shard_option = click.option(
    "--shard",
    metavar="K/N",
    callback=_shard,
    help="Check only the K-th of N parts of the templates (a CI matrix; templates checked together stay in one "
    "part); put the parts' JSON or SARIF together with 'cfncheck merge'.",
)


@click.command("merge", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("reports", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--format", "output_format", type=click.Choice(("json", "sarif")), help="The reports' format (checked).")
@click.option(
    "--fail-on",
    type=click.Choice(("error", "warning", "info", "none")),
    help="Exit 1 when a finding has this severity or a higher one.  [default: the shards']",
)
@click.option("--debug", is_flag=True, help=DEBUG_HELP)
def merge_command(reports: tuple[str, ...], output_format: str | None, fail_on: str | None, debug: bool) -> None:
    """Put together the JSON reports or SARIF logs of every shard of a run (cfncheck --shard K/N) into
    the one that a run over all the templates writes; exit as that run would."""
    from .merge import MergeError, merge, read_reports

    try:
        text, status = merge(read_reports(list(reports)), output_format, fail_on)
    except MergeError as err:
        say(str(err))
        sys.exit(2)
    click.echo(text, nl=False)
    sys.exit(status)


LSP_EXTRA = "pip install 'cfncheck-cli[lsp]'"


@click.command("lsp", context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--trust-config", is_flag=True, envvar="CFNCHECK_TRUST_CONFIG", show_envvar=True, help=TRUST_HELP)
@click.option("--debug", is_flag=True, help=DEBUG_HELP)
def lsp_command(trust_config: bool, debug: bool) -> None:
    """Serve an editor as a language server over standard input and output: diagnostics as you
    type, the check's documentation on hover, a quick fix that suppresses a finding. Needs the
    lsp extra (pygls). The workspace's checks-dir is loaded only with --trust-config, as on the
    command line (an editor's workspace settings cannot give that trust)."""
    try:
        from .lsp.server import serve
    except ImportError as err:
        say(f"the language server needs pygls ({err.name} is missing): {LSP_EXTRA}")
        sys.exit(2)
    serve(trust=trust_config)


COMMANDS = {"graph": graph_command, "explain": explain_command, "merge": merge_command, "lsp": lsp_command}
"""The commands ``cfncheck NAME`` runs instead of checking (unless NAME is a file)."""
