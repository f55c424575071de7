"""The catalog: checks found in the modules it loads, by id and name, with children that report
problems of their own under their own ids; nothing registers itself anywhere."""

from __future__ import annotations

import json

from ci_support import ROOT, cli, write

from cfncheck import docs
from cfncheck.catalog import Catalog, Scope
from cfncheck.cli import main
from cfncheck.testing import run_text, summary

FAMILY = """
from cfncheck.api import ERROR, INFO, WARNING, Child, check


@check(
    "ZZC001",
    "zz-queue-checked",
    WARNING,
    types=["AWS::SQS::Queue"],
    children=[
        Child("ZZC002", "zz-queue-fifo", ERROR, "A FIFO queue, reported under its own id."),
        Child(
            "ZZC003",
            "zz-queue-named",
            INFO,
            "A named queue, reported under its own id.",
            tags=("security",),
            help_uri="https://example.com/zz#named",
        ),
    ],
    help_uri="https://example.com/zz",
)
def queue_checked(queue, ctx):
    \"\"\"Every queue; FIFO and named queues under the children's ids.\"\"\"
    yield ctx.finding(queue, "Type", "a queue")
    for alt in ctx.values(queue, "Properties.FifoQueue"):
        if alt.value is True:
            yield ctx.finding(queue, "Properties.FifoQueue", "a FIFO queue", alt.scenario, rule="ZZC002")
    for alt in ctx.values(queue, "Properties.QueueName"):
        if isinstance(alt.value, str):
            yield ctx.finding(queue, "Properties.QueueName", "a named queue", alt.scenario, rule="ZZC003")


@check("ZZC009", "zz-topic-misreported", WARNING, types=["AWS::SNS::Topic"])
def topic(topic, ctx):
    \"\"\"Reports under an id that is not one of its children: a bug in the check.\"\"\"
    yield ctx.finding(topic, "Type", "wrong", rule="ZZC002")
"""

TEMPLATE = """
Resources:
  Plain: {Type: AWS::SQS::Queue}
  Fifo:
    Type: AWS::SQS::Queue
    Properties: {FifoQueue: true, QueueName: jobs.fifo}
  Topic: {Type: AWS::SNS::Topic}
"""


def _family(tmp_path):
    write(tmp_path, "family/family.py", FAMILY)
    return [tmp_path / "family"]


def test_children_are_entries_with_their_own_name_severity_and_documentation(tmp_path):
    catalog = Catalog.load(_family(tmp_path))
    parent, fifo, named = (catalog.find(i) for i in ("ZZC001", "ZZC002", "zz-queue-named"))
    assert [c.id for c in parent.children] == ["ZZC002", "ZZC003"]
    assert (fifo.name, str(fifo.severity), fifo.parent, fifo.function) == ("zz-queue-fifo", "error", "ZZC001", None)
    assert fifo.types == parent.types and fifo.scope == Scope.RESOURCE and fifo.source == parent.source
    assert fifo.summary == "A FIFO queue, reported under its own id."
    assert named.tags == ("security",) and parent.tags == ()
    assert catalog.runners([fifo, named]) == [parent]


def test_each_child_is_selected_on_its_own(tmp_path):
    dirs = _family(tmp_path)
    everything = run_text(TEMPLATE, select=["ZZC"], checks_dir=dirs).findings
    assert summary(everything, severity=True) == [
        ("ZZC001", "Plain", 2, "warning"),
        ("ZZC001", "Fifo", 4, "warning"),
        ("ZZC002", "Fifo", 5, "error"),
        ("ZZC003", "Fifo", 5, "info"),
        ("CFN000", "Topic", 6, "error"),
    ]
    assert "check ZZC009 zz-topic-misreported failed on resource Topic: KeyError" in everything[-1].message
    only_child = run_text(TEMPLATE, select=["ZZC002"], checks_dir=dirs).findings
    assert summary(only_child) == [("ZZC002", "Fifo", 5)]
    parent_alone = run_text(TEMPLATE, select=["ZZC001"], checks_dir=dirs).findings
    assert summary(parent_alone) == [("ZZC001", "Plain", 2), ("ZZC001", "Fifo", 4)]
    ignored = run_text(TEMPLATE, select=["ZZC001", "ZZC002", "ZZC003"], ignore=["zz-queue-named"], checks_dir=dirs)
    assert summary(ignored.findings) == [("ZZC001", "Plain", 2), ("ZZC001", "Fifo", 4), ("ZZC002", "Fifo", 5)]
    overridden = run_text(TEMPLATE, select=["ZZC003"], severity={"ZZC003": "error"}, checks_dir=dirs).findings
    assert summary(overridden, severity=True) == [("ZZC003", "Fifo", 5, "error")]


def test_children_are_listed_and_explained_like_any_check(tmp_path):
    dirs = _family(tmp_path)
    rows = json.loads(cli(["--checks-dir", str(dirs[0]), "--list-checks", "--format", "json"], tmp_path).stdout)
    child = next(row for row in rows if row["id"] == "ZZC002")
    assert (child["name"], child["severity"], child["types"]) == ("zz-queue-fifo", "error", ["AWS::SQS::Queue"])
    markdown = cli(["--checks-dir", str(dirs[0]), "--list-checks", "--format", "markdown"], tmp_path).stdout
    assert "**Reported by:** ZZC001" in markdown and "**Also reports:** ZZC002, ZZC003" in markdown


def test_a_plugin_check_links_to_its_own_page_and_a_child_to_its_parents_unless_it_names_one(tmp_path):
    catalog = Catalog.load(_family(tmp_path))
    assert [docs.help_uri(catalog.find(i)) for i in ("ZZC001", "ZZC002", "ZZC003", "ZZC009")] == [
        "https://example.com/zz",
        "https://example.com/zz",
        "https://example.com/zz#named",
        None,
    ]
    assert catalog.find("SG001").is_builtin and catalog.find("CFN900").is_builtin
    assert not catalog.find("ZZC001").is_builtin and not catalog.find("ZZC002").is_builtin


def test_a_check_id_defined_twice_is_a_problem_not_a_crash(tmp_path):
    write(tmp_path, "twice/a.py", FAMILY)
    write(tmp_path, "twice/b.py", FAMILY.replace("def queue_checked", "def other_name"))
    catalog = Catalog.load([tmp_path / "twice"])
    assert any("check id ZZC001 is defined twice" in problem for problem in catalog.problems)
    result = cli(["--checks-dir", str(tmp_path / "twice"), "--select", "ZZC001", "t.yaml"], tmp_path)
    assert result.exit_code == 2 and "is defined twice" in result.stderr


def test_the_catalog_is_indexed_by_id_and_name_and_knows_the_engine_checks():
    catalog = Catalog.builtin()
    assert catalog.find("sg001") is catalog.find("sg-admin-port-open-to-world") is catalog.find(" SG001 ")
    assert {c.id for c in catalog if c.scope == Scope.ENGINE} == {"CFN000", "CFN900"}
    assert {c.id for c in catalog if c.scope == Scope.SUPPRESSION} == {"CFN901", "CFN902"}
    assert all(c.scope != Scope.ENGINE for c in catalog.select())
    assert catalog.nearest("SG0001") == "SG001" and catalog.unknown(["SG", "XX9"]) == ["XX9"]


def test_explain_names_the_module_of_the_check(capsys):
    try:
        main(["explain", "SG001"])
    except SystemExit as exit:
        assert exit.code in (0, None)
    printed = capsys.readouterr().out
    entry = Catalog.builtin().find("SG001")
    assert printed.endswith(f"Module: {entry.source}\n") and entry.source.startswith("cfncheck.checks.")
    assert (ROOT / "checks" / (entry.source.removeprefix("cfncheck.checks.").replace(".", "/") + ".py")).is_file()


def test_every_check_package_is_installed_and_no_check_module_outgrows_its_theme():
    """A theme that grows past 600 lines is split by service (see checks/__init__.py); every
    package of checks must be listed in pyproject.toml, or a wheel would ship without it."""
    import tomllib

    packages = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    for folder in (ROOT / "checks").rglob("__init__.py"):
        relative = folder.parent.relative_to(ROOT / "checks").parts
        assert ".".join(("cfncheck", "checks", *relative)) in packages, folder
    sizes = {
        str(path.relative_to(ROOT)): len(path.read_text().splitlines()) for path in (ROOT / "checks").rglob("*.py")
    }
    assert max(sizes.values()) <= 600, sizes
