"""Shards of a run (``--shard K/N``) and ``cfncheck merge``: the shards' reports put together are
the whole run's, byte for byte; the templates cross-template checks read together stay in one
shard; a template's shard does not move when an unrelated file is added."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from ci_support import ROOT

from cfncheck.cli import main
from cfncheck.config import load
from cfncheck.session import Session
from cfncheck.shards import Shard

SAMPLES = ROOT / "samples"
CORPUS = ROOT / ".." / "shared" / "corpus"
SETS = [  # templates linked across files, each set as a project reads it
    {"samples/encryption/imported-key/keys.yaml", "samples/encryption/imported-key/alerts.yaml"},  # export, import
    {  # imports, a duplicate export name, a nested stack
        "samples/cross_stack/project/network.yaml",
        "samples/cross_stack/project/other.yaml",
        "samples/cross_stack/project/app.yaml",
        "samples/cross_stack/project/nested/storage.yaml",
    },
    {  # a CDK assembly: two stacks, one nested
        "samples/cdk/app/cdk.out/OrdersStack.template.json",
        "samples/cdk/app/cdk.out/OrdersStackArchive1F2E3D4C.nested.template.json",
    },
]


def cli(capsys, *args) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main([str(a) for a in args])
    out, err = capsys.readouterr()
    return exited.value.code, out, err


def merged_shards(capsys, tmp_path: Path, kind: str, paths: list[str], count: int = 3) -> tuple[str, int, str, int]:
    """The whole run's report and status, and the merge of its ``count`` shards' and its status."""
    whole_status, whole, _ = cli(capsys, "--format", kind, "--jobs", "1", *paths)
    reports = []
    for index in range(1, count + 1):
        status, out, _ = cli(capsys, "--format", kind, "--jobs", "1", "--shard", f"{index}/{count}", *paths)
        assert status in (0, 1, 2)
        reports.append(tmp_path / f"shard{index}.{kind}")
        reports[-1].write_text(out, encoding="utf-8")
    status, out, err = cli(capsys, "merge", "--format", kind, *reversed(reports))
    assert err == ""
    return whole, whole_status, out, status


@pytest.mark.parametrize("kind", ["json", "sarif"])
def test_merged_shards_are_the_whole_run(capsys, tmp_path, monkeypatch, kind):
    monkeypatch.chdir(ROOT)
    whole, whole_status, merged, status = merged_shards(capsys, tmp_path, kind, ["samples"])
    assert merged == whole
    assert status == whole_status == 1
    shown = json.loads(whole)
    files = {f["file"] for f in shown["findings"]} if kind == "json" else set()
    for linked in SETS if kind == "json" else ():
        assert linked & files, "the samples' cross-template sets have findings"


def test_merged_shards_of_the_corpus(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    corpus = str(CORPUS.resolve())
    for kind in ("json", "sarif"):
        whole, whole_status, merged, status = merged_shards(capsys, tmp_path, kind, [corpus])
        assert merged == whole
        assert status == whole_status


def test_a_file_that_cannot_be_read_is_in_one_shard(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("a.yaml", "b.yaml", "c.yaml"):
        shutil.copy(SAMPLES / "quickstart.yaml", name)
    Path("broken.yaml").write_text("Resources: [\n", encoding="utf-8")
    whole, whole_status, merged, status = merged_shards(capsys, tmp_path, "json", [".", "missing.yaml"])
    assert merged == whole
    assert status == whole_status == 2
    assert [e["file"] for e in json.loads(whole)["errors"]] == ["missing.yaml", "broken.yaml"]


def shard_files(paths: list[str], shard: str) -> set[str]:
    """The files a shard checks, as the JSON report of a run names them."""
    session = Session.open(load(None, {}), paths, jobs=1, shard=Shard.parse(shard))
    return set(session.check().files)


def test_cross_template_sets_stay_in_one_shard(monkeypatch):
    monkeypatch.chdir(ROOT)
    for count in (2, 3, 5):
        shards = [shard_files(["samples"], f"{index}/{count}") for index in range(1, count + 1)]
        every = [file for files in shards for file in files]
        assert len(every) == len(set(every)), "each file in one shard"
        for linked in SETS:
            holding = [files for files in shards if files & linked]
            assert len(holding) == 1 and linked <= holding[0], (count, linked)


def test_a_shard_keeps_its_templates_when_an_unrelated_one_is_added(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copytree(SAMPLES / "cross_stack" / "project", "project")
    for index in range(12):
        shutil.copy(SAMPLES / "quickstart.yaml", f"template{index}.yaml")
    before = [shard_files(["."], f"{index}/3") for index in (1, 2, 3)]
    shutil.copy(SAMPLES / "quickstart.yaml", "added.yaml")
    after = [shard_files(["."], f"{index}/3") for index in (1, 2, 3)]
    assert [files - {"added.yaml"} for files in after] == before
    assert all(files for files in before), "every shard has templates"


def test_shard_is_k_of_n(capsys):
    for given in ("0/3", "4/3", "2", "a/b"):
        status, _, err = cli(capsys, "--shard", given, SAMPLES / "quickstart.yaml")
        assert status == 2
        assert "--shard" in err


def test_merge_refuses_what_is_not_one_run(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    runs = {}
    for name, args in {
        "s1": ("--shard", "1/2"),
        "s2": ("--shard", "2/2"),
        "other": ("--shard", "2/2", "--select", "S3"),
        "whole": (),
    }.items():
        _, out, _ = cli(capsys, "--format", "json", *args, "samples/cross_stack")
        runs[name] = tmp_path / f"{name}.json"
        runs[name].write_text(out, encoding="utf-8")
    _, sarif, _ = cli(capsys, "--format", "sarif", "--shard", "2/2", "samples/cross_stack")
    (tmp_path / "s2.sarif").write_text(sarif, encoding="utf-8")
    old = json.loads(runs["s2"].read_text())
    old["version"] = "0.0.1"
    (tmp_path / "old.json").write_text(json.dumps(old), encoding="utf-8")
    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    mangled = {**json.loads(runs["s2"].read_text()), "findings": 3}
    (tmp_path / "mangled.json").write_text(json.dumps(mangled), encoding="utf-8")
    cases = {
        (runs["s1"], runs["whole"]): "whole.json: not the report of a shard",
        (runs["s1"], runs["other"]): "other.json: a shard of a run with other configuration",
        (runs["s1"], tmp_path / "old.json"): "old.json: written by cfncheck 0.0.1",
        (runs["s1"],): "shard 2/2 missing",
        (runs["s1"], runs["s1"]): "shard 1/2 is",
        (runs["s1"], tmp_path / "s2.sarif"): "s2.sarif is sarif, not json",
        (runs["s1"], tmp_path / "bad.json"): "bad.json: not a cfncheck JSON report or SARIF log",
        (runs["s1"], tmp_path / "mangled.json"): "a report is malformed",
        (runs["s1"], tmp_path / "absent.json"): "absent.json: cannot read",
    }
    for files, message in cases.items():
        status, out, err = cli(capsys, "merge", *files)
        assert (status, out) == (2, ""), files
        assert err.count("\n") == 1 and message in err, err


def test_merge_exits_as_the_whole_run_with_its_fail_on(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    reports = []
    for index in (1, 2):
        shard = ("--shard", f"{index}/2")
        _, out, _ = cli(capsys, "--format", "sarif", "--fail-on", "error", *shard, "samples/encryption")
        reports.append(tmp_path / f"{index}.sarif")
        reports[-1].write_text(out, encoding="utf-8")
    whole, _, _ = cli(capsys, "--format", "sarif", "--fail-on", "error", "samples/encryption")
    assert whole == 1
    assert cli(capsys, "merge", *reports)[0] == 1
    assert cli(capsys, "merge", "--fail-on", "none", *reports)[0] == 0


def test_shards_compared_with_a_baseline_count_each_entry_once(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    baseline = tmp_path / "baseline.json"
    assert cli(capsys, "--write-baseline", baseline, "samples/encryption", "samples/cross_stack")[0] == 0
    paths = ["--baseline", str(baseline), "samples/cross_stack", "samples/quickstart.yaml"]
    whole, whole_status, merged, status = merged_shards(capsys, tmp_path, "json", paths)
    assert merged == whole
    assert status == whole_status
    counts = json.loads(whole)["summary"]["baseline"]
    assert counts["accepted"] > 0 and counts["fixed"] > 0  # the encryption samples' entries are fixed


def test_a_shard_does_not_write_a_baseline(capsys, tmp_path):
    baseline = tmp_path / "baseline.json"
    status, _, err = cli(capsys, "--shard", "1/2", "--write-baseline", baseline, SAMPLES / "quickstart.yaml")
    assert status == 2
    assert "--write-baseline records a whole run" in err
    assert not baseline.exists()
