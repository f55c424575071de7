"""Check documentation, written once from the catalog: ``docs/checks.md``, ``cfncheck explain ID``,
``cfncheck --list-checks`` and the SARIF rule help all show the same text.

Regenerate the committed reference after adding or changing checks, and the configuration's
JSON Schema after changing its keys (``config.KEYS``)::

    python -m cfncheck.docs --output docs/checks.md
    python -m cfncheck.docs --config-schema --output docs/config.schema.json
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterable
from pathlib import Path

from .catalog import ALIASES_UNTIL, Catalog, Check, Scope

HOME_URL = "https://github.com/cfncheck/cfncheck"
"""The project's repository: the one address every other (pyproject.toml's, README's, action's) is
made of; tests/test_release.py keeps them the same."""
DOCS_URL = f"{HOME_URL}/blob/main/docs/checks.md"
RAW_URL = HOME_URL.replace("https://github.com/", "https://raw.githubusercontent.com/")
"""Where a file of the repository is served as is, at ``{RAW_URL}/{tag}/{path}``."""


def anchor(entry: Check) -> str:
    """The anchor GitHub gives the check's heading in docs/checks.md."""
    return re.sub(r"[^a-z0-9_-]", "", f"{entry.id} {entry.name}".lower().replace(" ", "-"))


def help_uri(entry: Check) -> str | None:
    """Where the check is documented online: docs/checks.md for cfncheck's own checks, the page a
    plugin names for its checks, else nowhere (cfncheck's reference does not describe them)."""
    if entry.help_uri:
        return entry.help_uri
    return f"{DOCS_URL}#{anchor(entry)}" if entry.is_builtin else None


def applies_to(entry: Check) -> str:
    if entry.types:
        return ", ".join(f"`{t}`" for t in entry.types)
    scopes = {
        Scope.PROJECT: "all templates of a run",
        Scope.ENGINE: "the run itself",
        Scope.SUPPRESSION: "suppressions in Metadata",
    }
    return scopes.get(entry.scope, "the template")


def check_markdown(entry: Check, level: int = 3, marked: bool = False) -> str:
    """One check's documentation: what it reports, why, how to fix it, and an example (``marked``:
    with the mark the reference's examples carry for the documentation test)."""
    severity = (
        f"{entry.severity} (deploy failure: a configured severity cannot lower it)" if entry.deploy_failure else ""
    )
    facts = [f"**Severity:** {severity or entry.severity}", f"**Applies to:** {applies_to(entry)}"]
    if entry.formerly:
        facts.append(
            f"**Formerly reported as:** {', '.join(entry.formerly)} (which still selects it until {ALIASES_UNTIL})"
        )
    if entry.parent:
        facts.append(f"**Reported by:** {entry.parent}")
    if entry.children:
        facts.append(f"**Also reports:** {', '.join(child.id for child in entry.children)}")
    if entry.tags:
        facts.append(f"**Tags:** {', '.join(entry.tags)}")
    if entry.precision != "high":
        facts.append(f"**Precision:** {entry.precision}")
    if entry.options:
        facts.append("**Options:** " + ", ".join(f"`{k}` (default `{v}`)" for k, v in entry.options.items()))
    parts = [f"{'#' * level} {entry.id} {entry.name}", " · ".join(facts), entry.rationale or entry.name]
    if entry.fix:
        parts.append(f"**Fix:** {entry.fix}")
    if entry.example:
        mark = _example_mark(entry) if marked else ""
        parts.append(f"**Example** (reported):\n\n{mark}```yaml\n{entry.example}\n```")
    return "\n\n".join(parts) + "\n"


def render(checks: Iterable[Check]) -> str:
    """The whole reference: an index, then one section per check."""
    checks = sorted(checks, key=lambda c: c.id)
    lines = [
        "# Checks",
        "",
        "<!-- Generated from the check catalog by `python -m cfncheck.docs --output docs/checks.md`; do not edit. -->",
        "",
        f"{len(checks)} checks. Select or ignore them by id, name or id prefix (`--select SG`, `--ignore CFN011`);",
        "suppress one on a resource with `Metadata: {cfncheck: {ignore: [{id: ID, reason: ...}]}}`.",
        "",
        "| Id | Name | Severity | Applies to |",
        "|---|---|---|---|",
    ]
    lines += [f"| [{c.id}](#{anchor(c)}) | {c.name} | {c.severity} | {applies_to(c)} |" for c in checks]
    lines += ["", *split_ids(Catalog(checks))]
    return "\n".join(lines) + "\n\n" + "\n".join(check_markdown(c, marked=True) for c in checks)


def _example_mark(entry: Check) -> str:
    """How the documentation test runs a check's example: a whole template must be reported by the
    check when checked on its own (tests/test_docs_examples.py); a fragment only illustrates here
    (tests/test_docs.py checks, in a template around it, that the check reports it)."""
    whole = re.search(r"^Resources:", entry.example, re.MULTILINE) is not None
    mark = f"template reports={entry.id}" if whole else "illustrative: a fragment of a template"
    return f"<!-- example: {mark} -->\n"


def split_ids(catalog: Catalog) -> list[str]:
    """The table of the ids that named several problems, and the ids each problem has now."""
    if not catalog.aliases:
        return []
    lines = [
        "## Ids split into one id per problem",
        "",
        "Each id names one problem with one severity. These ids named several; each problem now has an id of its "
        f"own. Until cfncheck {ALIASES_UNTIL} the old id still stands for all of them in `--select`, `--ignore`, "
        "`severity`, suppressions and baselines (the run prints a line saying so), except that a configured severity "
        "never lowers a deploy failure; its name selects only the problem it keeps.",
        "",
        "| Old id | Now |",
        "|---|---|",
    ]
    for old, ids in catalog.aliases.items():
        now = "; ".join(f"[{c.id}](#{anchor(c)}) {c.name} ({c.severity})" for i in ids if (c := catalog.find(i)))
        lines.append(f"| {old} | {now} |")
    return lines + [""]


def explain(entry: Check) -> str:
    """What ``cfncheck explain ID`` prints: the documentation, where it is online (when it is), and
    the module that defines the check."""
    online = help_uri(entry)
    return f"{check_markdown(entry)}\n" + (f"Online: {online}\n" if online else "") + f"Module: {entry.source}\n"


def listing(checks: list[Check], kind: str) -> str:
    """The checks for ``--list-checks``: one line each (text), a JSON array, or the Markdown reference."""
    if kind == "markdown":
        return render(checks)
    if kind == "json":
        rows = [
            {
                "id": c.id,
                "name": c.name,
                "severity": str(c.severity),
                "types": list(c.types),
                "scope": str(c.scope),
                "tags": list(c.tags),
                "options": c.options,
                "summary": c.summary,
                "fix": c.fix,
                "help_uri": help_uri(c),
                "deploy_failure": c.deploy_failure,
                "precision": c.precision,
                "formerly": list(c.formerly),
            }
            for c in checks
        ]
        return json.dumps(rows, indent=2) + "\n"
    return "".join(f"{c.id:<12} {str(c.severity):<8} {c.name:<45} {c.summary}\n" for c in checks)


def builtin_checks() -> list[Check]:
    """The checks that ship with cfncheck: the engine's and the ``checks`` package's, no plugins."""
    return list(Catalog.builtin())


def main(argv: list[str] | None = None) -> None:
    """Print the reference (or the configuration's JSON Schema), or with ``--output FILE`` replace
    FILE with it only once it is complete (a shell redirect would empty the file first, and leave it
    empty when generation fails)."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m cfncheck.docs", description=main.__doc__)
    parser.add_argument("--output", metavar="FILE", help="write the reference to FILE instead of standard output")
    parser.add_argument("--config-schema", action="store_true", help="the configuration's JSON Schema instead")
    args = parser.parse_args(argv)
    if args.config_schema:
        from .config import schema

        text = json.dumps(schema(), indent=2, ensure_ascii=False) + "\n"
    else:
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
