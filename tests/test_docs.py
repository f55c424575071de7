"""The check reference: generated from the catalog, and the same text everywhere it is shown."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import textwrap

import pytest
from ci_support import CHECKS_DIR, PLUGIN, ROOT, cli, cwd, write

from cfncheck import docs
from cfncheck.catalog import Catalog
from cfncheck.cli import main
from cfncheck.testing import findings


def test_docs_checks_md_is_up_to_date():
    expected = docs.render(docs.builtin_checks())
    actual = (ROOT / "docs/checks.md").read_text(encoding="utf-8")
    assert actual == expected, "docs/checks.md is stale: run `python -m cfncheck.docs --output docs/checks.md`"


def test_docs_are_generated_from_a_source_tree_that_is_not_installed_editable(tmp_path):
    # After `pip install .`, `python -m cfncheck.docs` at the repository root imports the local
    # cfncheck/ (the current folder comes first on sys.path), which has no checks/ inside: the
    # installed mapping of checks/ to cfncheck.checks is out of reach. Simulated by removing the
    # editable install's import hook, which would otherwise supply the mapping.
    target = tmp_path / "checks.md"
    code = (
        "import runpy, sys; "
        "sys.meta_path[:] = [f for f in sys.meta_path if 'editable' not in repr(f).lower()]; "
        f"sys.argv = ['cfncheck.docs', '--output', {str(target)!r}]; "
        "runpy.run_module('cfncheck.docs', run_name='__main__')"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert target.read_text(encoding="utf-8") == (ROOT / "docs/checks.md").read_text(encoding="utf-8")


def test_docs_output_file_is_left_alone_when_generation_fails(tmp_path, monkeypatch):
    target = tmp_path / "checks.md"
    target.write_text("the reference as it was\n", encoding="utf-8")

    def broken(_checks):
        raise RuntimeError("a check's documentation is broken")

    monkeypatch.setattr(docs, "render", broken)
    with pytest.raises(RuntimeError):
        docs.main(["--output", str(target)])
    assert target.read_text(encoding="utf-8") == "the reference as it was\n"
    assert [p.name for p in tmp_path.iterdir()] == ["checks.md"]


def test_every_builtin_check_has_a_section_with_its_fix():
    text = (ROOT / "docs/checks.md").read_text(encoding="utf-8")
    for entry in docs.builtin_checks():
        assert f"### {entry.id} {entry.name}\n" in text
        assert f"(#{docs.anchor(entry)})" in text


def test_explain_sarif_and_list_checks_show_the_same_text(capsys):
    entry = Catalog.builtin().find("CFN011")
    try:
        main(["explain", "cfn-unused-parameter"])
    except SystemExit as exit:
        assert exit.code in (0, None)
    printed = capsys.readouterr().out
    assert printed.startswith(docs.check_markdown(entry))
    assert docs.help_uri(entry) in printed
    assert docs.check_markdown(entry) in (ROOT / "docs/checks.md").read_text(encoding="utf-8")
    rows = json.loads(cli(["--list-checks", "--format", "json"], ROOT).stdout)
    row = next(r for r in rows if r["id"] == "CFN011")
    assert row["help_uri"] == docs.help_uri(entry) == f"{docs.DOCS_URL}#cfn011-cfn-unused-parameter"
    markdown = cli(["--list-checks", "--format", "markdown"], ROOT).stdout
    assert docs.check_markdown(entry) in markdown


def test_explain_knows_checks_of_a_checks_dir_and_links_only_to_their_own_page(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["explain", "TST001", "--checks-dir", str(CHECKS_DIR)])
    assert stop.value.code in (0, None)
    printed = capsys.readouterr().out
    assert printed.startswith("### TST001 test-queue-punctuation")
    assert "Online:" not in printed and docs.DOCS_URL not in printed
    entry = Catalog.load([CHECKS_DIR]).find("TST001")
    assert not entry.is_builtin and docs.help_uri(entry) is None
    assert (
        docs.help_uri(dataclasses.replace(entry, help_uri="https://example.com/tst001")) == "https://example.com/tst001"
    )
    sarif = cli([*PLUGIN, "--format", "sarif", "--select", "TST001", "samples/quickstart.yaml"], ROOT).stdout
    (rule,) = json.loads(sarif)["runs"][0]["tool"]["driver"]["rules"]
    assert rule["id"] == "TST001" and "helpUri" not in rule


def test_explain_knows_the_checks_of_the_configurations_checks_dir(tmp_path, capsys):
    write(tmp_path, "project/.cfncheck.yaml", f"checks-dir: [{CHECKS_DIR}]\n")
    for args, folder in (
        ([], tmp_path / "project"),
        (["--config", str(tmp_path / "project/.cfncheck.yaml")], tmp_path),
    ):
        with cwd(folder), pytest.raises(SystemExit) as stop:
            main(["explain", "TST001", "--trust-config", *args])
        assert stop.value.code in (0, None)
        assert capsys.readouterr().out.startswith("### TST001 test-queue-punctuation")
    with cwd(tmp_path), pytest.raises(SystemExit) as stop:
        main(["explain", "TST001"])
    assert stop.value.code == 2 and "no check 'TST001'" in capsys.readouterr().err


def test_explain_suggests_the_nearest_id(capsys):
    try:
        main(["explain", "CFN0111"])
    except SystemExit as exit:
        assert exit.code == 2
    assert "did you mean CFN011?" in capsys.readouterr().err


def test_markdown_is_only_for_the_check_list():
    result = cli(["--format", "markdown", "samples"], ROOT)
    assert result.exit_code == 2 and "--format markdown is for --list-checks" in result.stderr


def test_version_is_printed():
    from cfncheck import __version__

    result = cli(["--version"], ROOT)
    assert result.stdout.strip() == f"cfncheck, version {__version__}"
    assert f"## {__version__}" in (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")


FRAGMENT_EXAMPLES = (
    "S3006 S3007 S3008 S3011 ELB005 CF006 APIGW002 APIGW003 ECS001 VPC002 LOGS002 LOGS003 TRAIL007 SFN003 "
    "LAMBDA011 DDB004 DDB008 EC004 REDSHIFT004 RDS011 RDS013 DDB009 MQ001 ELB008 ECS007 ECR002 ECR003 CFN022 "
    "CFN023 COST001 ASG002 ASG004 ASG005 ASG006 ELB007"
).split()
"""Checks whose example is a fragment of a template's Resources (logical ids with their Type) that
the check reports as it stands; the documentation shows them as illustrations, so they are run here."""


def test_fragment_examples_are_reported_by_their_check():
    """Each is reported by the check or one of its children (COST001 with the organisation's tags)."""
    options = {"COST001": {"required_tags": ["CostCenter"]}}
    for rule in FRAGMENT_EXAMPLES:
        entry = Catalog.builtin().find(rule)
        ids = [entry.id, *(child.id for child in entry.children)]
        template = "Resources:\n" + textwrap.indent(entry.example, "  ")
        reported = {f.rule_id for f in findings(template, select=ids, options=options)}
        assert reported & set(ids), f"{entry.id}'s example is not reported"
