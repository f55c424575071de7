"""Check documentation, written once from the registry: ``docs/checks.md``, ``cfncheck explain ID``,
``cfncheck --list-checks --format markdown`` and the SARIF rule help all show the same text.

Regenerate the committed reference after adding or changing checks::

    python -m cfncheck.docs --output docs/checks.md
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable
from pathlib import Path

from .registry import Check

HOME_URL = "https://github.com/cfncheck/cfncheck"
DOCS_URL = f"{HOME_URL}/blob/main/docs/checks.md"


def anchor(entry: Check) -> str:
    """The anchor GitHub gives the check's heading in docs/checks.md."""
    return re.sub(r"[^a-z0-9_-]", "", f"{entry.id} {entry.name}".lower().replace(" ", "-"))


def help_uri(entry: Check) -> str | None:
    """Where the check is documented online: docs/checks.md for cfncheck's own checks, the page a
    plugin names for its checks, else nowhere (cfncheck's reference does not describe them)."""
    if entry.help_uri:
        return entry.help_uri
    return f"{DOCS_URL}#{anchor(entry)}" if is_builtin(entry) else None


def is_builtin(entry: Check) -> bool:
    return entry.source.split(".")[0] == "cfncheck"


def applies_to(entry: Check) -> str:
    if entry.types:
        return ", ".join(f"`{t}`" for t in entry.types)
    scopes = {
        "project": "all templates of a run",
        "engine": "the run itself",
        "suppression": "suppressions in Metadata",
    }
    return scopes.get(entry.scope, "the template")


def check_markdown(entry: Check, level: int = 3) -> str:
    """One check's documentation: what it reports, why, how to fix it, and an example."""
    facts = [f"**Severity:** {entry.severity}", f"**Applies to:** {applies_to(entry)}"]
    if entry.tags:
        facts.append(f"**Tags:** {', '.join(entry.tags)}")
    if entry.options:
        facts.append("**Options:** " + ", ".join(f"`{k}` (default `{v}`)" for k, v in entry.options.items()))
    parts = [f"{'#' * level} {entry.id} {entry.name}", " · ".join(facts), entry.rationale or entry.name]
    if entry.fix:
        parts.append(f"**Fix:** {entry.fix}")
    if entry.example:
        parts.append(f"**Example** (reported):\n\n```yaml\n{entry.example}\n```")
    return "\n\n".join(parts) + "\n"


def render(checks: Iterable[Check]) -> str:
    """The whole reference: an index, then one section per check."""
    checks = sorted(checks, key=lambda c: c.id)
    lines = [
        "# Checks",
        "",
        "<!-- Generated from the check registry by `python -m cfncheck.docs --output docs/checks.md`; do not edit. -->",
        "",
        f"{len(checks)} checks. Select or ignore them by id, name or id prefix (`--select SG`, `--ignore CFN011`);",
        "suppress one on a resource with `Metadata: {cfncheck: {ignore: [{id: ID, reason: ...}]}}`.",
        "",
        "| Id | Name | Severity | Applies to |",
        "|---|---|---|---|",
    ]
    lines += [f"| [{c.id}](#{anchor(c)}) | {c.name} | {c.severity} | {applies_to(c)} |" for c in checks]
    return "\n".join(lines) + "\n\n" + "\n".join(check_markdown(c) for c in checks)


def builtin_checks() -> list[Check]:
    """The checks that ship with cfncheck: the engine's and the ``checks`` package's, no plugins."""
    from . import engine, registry  # noqa: F401 - the engine module registers the engine's own checks

    registry.load_builtin()
    return [c for c in registry.all_checks() if is_builtin(c)]


def main(argv: list[str] | None = None) -> None:
    """Print the reference, or with ``--output FILE`` replace FILE with it only once it is complete
    (a shell redirect would empty the file first, and leave it empty when generation fails)."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m cfncheck.docs", description=main.__doc__)
    parser.add_argument("--output", metavar="FILE", help="write the reference to FILE instead of standard output")
    args = parser.parse_args(argv)
    text = render(builtin_checks())
    if args.output is None:
        sys.stdout.write(text)
        return
    target = Path(args.output)
    temporary = target.with_name(f".{target.name}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
