"""The result cache: a cached run prints what an uncached one does, a change of a template of a
cross-template set or of a setting is seen, and a damaged entry is never trusted."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import cfncheck.checks.deployment as deployment
import pytest

import cfncheck.cache
from cfncheck import checking, engine
from cfncheck.cache import clear, prune
from cfncheck.config import load
from cfncheck.report import render
from cfncheck.session import Session

ROOT = Path(__file__).parent.parent
SHARED = ROOT.parent / "shared"
SAMPLES = ROOT / "samples"


def output(paths: list[Path], cache: Path | None, **settings) -> tuple[str, str]:
    """What a run prints as JSON and as text, with the result cache in ``cache`` (None: without)."""
    config = load(None, settings, discover=False)
    session = Session.open(config, [str(path) for path in paths], jobs=1, cache=None if cache is None else str(cache))
    outcome = session.check()
    return render("json", outcome, ROOT), render("text", outcome, ROOT)


def found(printed: tuple[str, str], rule: str) -> list[tuple[str, int]]:
    """Where the JSON output reports ``rule``: file names and lines."""
    return [(Path(f["file"]).name, f["line"]) for f in json.loads(printed[0])["findings"] if f["rule_id"] == rule]


@pytest.fixture
def checked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The templates the engine checks (not taken from the cache), as they are checked."""
    names: list[str] = []
    alone, together = checking._check_alone, engine._check_together

    def check_alone(source, options):
        names.append(source.name)
        return alone(source, options)

    def check_together(local, *rest):
        names.extend(source.name for source in local)
        return together(local, *rest)

    monkeypatch.setattr(checking, "_check_alone", check_alone)
    monkeypatch.setattr(engine, "_check_together", check_together)
    return names


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the cross-stack sample project: network.yaml exports what app.yaml imports, and
    app.yaml nests nested/storage.yaml."""
    folder = tmp_path / "project"
    shutil.copytree(SAMPLES / "cross_stack" / "project", folder)
    return folder


def severities(printed: tuple[str, str], rule: str) -> set[str]:
    return {f["severity"] for f in json.loads(printed[0])["findings"] if f["rule_id"] == rule}


def entries(cache: Path) -> list[Path]:
    return sorted(path for path in cache.rglob("*.json"))


def test_a_cached_run_prints_what_an_uncached_one_does_over_both_corpora(tmp_path: Path) -> None:
    corpora = [str(SHARED / "corpus"), str(SHARED / "corpus2")]
    cache = tmp_path / "cache"

    def run(name: str, *flags: str) -> tuple[int, str, bytes, str]:
        report = tmp_path / f"{name}.json"
        command = [sys.executable, "-m", "cfncheck", "--jobs", "2", "--output-json", str(report), *flags, *corpora]
        done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=900)
        return done.returncode, done.stdout, report.read_bytes(), done.stderr

    uncached = run("uncached", "--no-cache")
    cold = run("cold", "--cache", str(cache))
    assert cold == uncached
    assert len(entries(cache)) > 2000  # one per template checked alone, one per set checked together
    status, text, report, stderr = run("warm", "--cache", str(cache), "--timings")
    assert (status, text, report) == uncached[:3]
    assert "cfncheck timing: load 0.0000" in stderr  # every template came from the cache
    assert stderr.startswith(uncached[3])  # the same errors and summary, then the timings


def edit(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text().replace(old, new))


def test_editing_an_exporting_template_changes_its_importers_findings(
    project: Path, tmp_path: Path, checked: list[str]
) -> None:
    cache = tmp_path / "cache"
    first = output([project], cache)
    checked.clear()
    assert output([project], cache) == first and checked == []
    edit(project / "network.yaml", "Name: network-VpcId", "Name: network-Vpc")
    edited = output([project], cache)
    assert edited == output([project], None)
    assert found(first, "XSTK001") == [("app.yaml", 13)]  # the typo network-VpcID
    assert found(edited, "XSTK001") == [("app.yaml", 8), ("app.yaml", 13)]  # and network-VpcId, exported no more


def test_a_nested_stacks_template_and_its_file_are_asked_again(
    project: Path, tmp_path: Path, checked: list[str]
) -> None:
    first = output([project], tmp_path / "cache")
    edit(project / "nested" / "storage.yaml", "BucketName:", "TheBucketName:")
    checked.clear()
    edited = output([project], tmp_path / "cache")
    assert checked  # the child changed: the set was checked again
    assert edited == output([project], None) != first
    (project / "nested" / "storage.yaml").unlink()  # XSTK008: the TemplateURL names no file now
    gone = output([project], tmp_path / "cache")
    assert gone == output([project], None)
    assert found(gone, "XSTK008") == [("app.yaml", 17)] and found(first, "XSTK008") == []


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text[: len(text) // 2],  # truncated (a run killed while writing, without the rename)
        lambda text: "\x00garbage{" + text,
        lambda text: text.replace('"format":1', '"format":0'),  # another version's entry
        lambda text: text.replace('"findings":[', '"findings":[["CFN000"],', 1),  # a finding of the wrong shape
        lambda text: text.replace('"key":"', '"key":"0', 1),  # an entry copied from another key
    ],
    ids=["truncated", "garbage", "other-format", "wrong-shape", "other-key"],
)
def test_a_damaged_entry_is_a_miss(project: Path, tmp_path: Path, checked: list[str], damage) -> None:
    cache = tmp_path / "cache"
    shutil.copy(SAMPLES / "messaging" / "sqs001" / "conditions.yaml", project)
    paths = [project]
    first = output(paths, cache)
    everything = sorted(checked)
    assert len(entries(cache)) == 2  # the cross-stack set, and conditions.yaml checked alone
    for entry in entries(cache):
        text = entry.read_text()
        if text.startswith("{"):
            entry.write_text(damage(text.replace('"Resources"', '"Tampered"')))
    checked.clear()
    assert output(paths, cache) == first
    assert sorted(checked) == everything  # every template was checked again
    checked.clear()
    assert output(paths, cache) == first and checked == []  # and the entries written anew


def test_a_check_option_is_part_of_the_key_and_a_severity_is_applied_after_it(
    tmp_path: Path, checked: list[str]
) -> None:
    cache = tmp_path / "cache"
    paths = [SAMPLES / "messaging" / "sqs001" / "conditions.yaml"]
    default = output(paths, cache)
    checked.clear()
    higher = {"options": {"SQS001": {"multiple": 100}}}  # SQS014: a visibility timeout below 100 times the function's
    assert output(paths, cache, **higher) == output(paths, None, **higher)
    assert found(default, "SQS014") == [] and found(output(paths, None, **higher), "SQS014")
    assert checked  # a miss: the option changes what the check reports
    checked.clear()
    raised = {"severity": {"SQS007": "error"}}
    cached = output(paths, cache, **raised)
    assert checked == []  # a hit: the configured severities are applied after the cache
    assert cached == output(paths, None, **raised)
    assert severities(default, "SQS007") == {"warning"} and severities(cached, "SQS007") == {"error"}


def test_a_plugin_turns_the_cache_off(tmp_path: Path) -> None:
    folder = tmp_path / "checks"
    folder.mkdir()
    (folder / "mine.py").write_text(
        "from cfncheck.api import check, WARNING\n\n"
        "@check('X001', 'my-check', WARNING, scope='template')\n"
        "def mine(ctx):\n    return []\n"
    )
    cache = tmp_path / "cache"
    output([SAMPLES / "messaging" / "sqs001" / "conditions.yaml"], cache, **{"checks-dir": [str(folder)]})
    assert entries(cache) == []


def test_clear_removes_the_entries_and_nothing_else(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    output([SAMPLES / "messaging" / "sqs001" / "conditions.yaml"], cache)
    (cache / "mine.txt").write_text("not the cache's")
    clear(cache)
    assert entries(cache) == [] and (cache / "mine.txt").exists()


def test_prune_removes_entries_written_long_ago_at_most_once_a_day(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    paths = [SAMPLES / "messaging" / "sqs001" / "conditions.yaml"]
    month = 31 * 24 * 3600
    output(paths, cache)
    (entry,) = entries(cache)
    os.utime(entry, (time.time() - month,) * 2)
    prune(cache)
    assert entries(cache) == []
    output(paths, cache)
    (entry,) = entries(cache)
    os.utime(entry, (time.time() - month,) * 2)
    prune(cache)  # pruned less than a day ago: left for tomorrow
    assert entries(cache) == [entry]


def test_the_command_line_uses_clears_or_skips_the_cache(tmp_path: Path) -> None:
    cache, template = tmp_path / "cache", str(SAMPLES / "messaging" / "sqs001" / "conditions.yaml")
    config = tmp_path / "off" / ".cfncheck.yaml"
    config.parent.mkdir()
    config.write_text("cache: false\n")

    def cfncheck(*args: str) -> int:
        return subprocess.run([sys.executable, "-m", "cfncheck", *args], capture_output=True, cwd=tmp_path).returncode

    assert cfncheck("--no-cache", "--cache", str(cache), template) == 1 and entries(cache) == []
    home = Path(os.environ["XDG_CACHE_HOME"])  # the default folder (tests/conftest.py)
    assert cfncheck("--config", str(config), template) == 1 and entries(home) == []
    assert cfncheck(template) == 1 and len(entries(home)) == 1
    assert cfncheck("--cache", str(cache), template) == 1 and len(entries(cache)) == 1
    assert cfncheck("--cache", str(cache), "--clear-cache") == 0 and entries(cache) == []


def test_a_run_with_some_templates_changed_prints_what_an_uncached_one_does(tmp_path: Path) -> None:
    """Templates from the cache and templates checked (in workers) are put together in the order
    an uncached run gives: findings, errors, and the suppressions templates declare."""
    folder = tmp_path / "samples"
    shutil.copytree(SAMPLES, folder)
    cache = tmp_path / "cache"

    def run(*flags: str) -> tuple[int, str, str]:
        command = [sys.executable, "-m", "cfncheck", "--jobs", "2", "--format", "json", *flags, str(folder)]
        done = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, timeout=600)
        return done.returncode, done.stdout, done.stderr

    run("--cache", str(cache))
    templates = sorted(path for path in folder.rglob("*.yaml"))
    for path in templates[::3]:
        path.write_text(path.read_text() + "\n# edited\n")
    assert run("--cache", str(cache)) == run("--no-cache")
    assert len(templates) > 64 and any("cfncheck:" in path.read_text() for path in templates[1::3])


class _Later(date):
    """A day when dotnet6 functions can no longer be created (Lambda blocks it from 2027-02-01)."""

    @classmethod
    def today(cls) -> date:
        return date(2027, 3, 1)


def test_entries_of_checks_that_read_the_date_last_that_day(
    tmp_path: Path, checked: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    template = tmp_path / "function.yaml"
    template.write_text(
        "Resources:\n  Handler:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: dotnet6\n"
        "      Handler: index.handler\n      Role: arn:aws:iam::123456789012:role/handler\n      Code: {ZipFile: x}\n"
    )
    cache = tmp_path / "cache"
    pinned = {"options": {"LAMBDA012": {"today": "2026-12-01"}, "CFN047": {"today": "2026-12-01"}}}
    today = output([template], cache)
    output([template], cache, **pinned)
    monkeypatch.setattr(deployment, "date", _Later)  # the day the check compares with
    monkeypatch.setattr(cfncheck.cache, "date", _Later)
    checked.clear()
    later = output([template], cache)
    assert checked and later == output([template], None)  # another day: checked again
    assert found(today, "LAMBDA012") == [] and found(later, "LAMBDA012") == [("function.yaml", 5)]
    checked.clear()
    output([template], cache, **pinned)
    assert checked == []  # the days are the options': the entry holds


def test_a_cache_folder_that_cannot_be_written_costs_only_time(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    template = str(SAMPLES / "messaging" / "sqs001" / "conditions.yaml")

    def run(*flags: str) -> tuple[int, str, str]:
        done = subprocess.run([sys.executable, "-m", "cfncheck", *flags, template], capture_output=True, text=True)
        return done.returncode, done.stdout, done.stderr

    assert run("--cache", str(tmp_path / "file" / "cache")) == run("--no-cache")


def test_a_path_that_cannot_be_asked_again_is_a_miss(project: Path, tmp_path: Path, checked: list[str]) -> None:
    cache = tmp_path / "cache"
    first = output([project], cache)
    (entry,) = [entry for entry in entries(cache) if '"observed":[["file"' in entry.read_text()]
    entry.write_text(entry.read_text().replace('"observed":[["file","', '"observed":[["file","\\u0000', 1))
    checked.clear()
    assert output([project], cache) == first and checked  # a NUL in the path: the set is checked again
