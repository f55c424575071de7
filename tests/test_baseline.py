"""Baselines: old findings recorded once, only new ones reported, fixed entries counted."""

from __future__ import annotations

import json
import shutil

from ci_support import CORPUS, cli

FILES = [
    "aws-cloudformation-templates/AutoScaling/AutoScalingMultiAZWithNotifications.yaml",
    "aws-cloudformation-templates/AutoScaling/AutoScalingRollingUpdates.yaml",
    "aws-cloudformation-templates/AutoScaling/AutoScalingScheduledAction.yaml",
]
VIOLATION = "  UnusedAfterBaseline:\n    Type: String\n    Default: x\n"


def copy_corpus(tmp_path):
    for name in FILES:
        target = tmp_path / "templates" / name.rsplit("/", 1)[1]
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(CORPUS / name, target)
    return tmp_path / "templates"


def findings(tmp_path, *args):
    result = cli(["--format", "json", *args, "templates"], tmp_path)
    return result, json.loads(result.stdout)


def test_baseline_hides_old_findings_and_reports_exactly_the_new_one(tmp_path):
    templates = copy_corpus(tmp_path)
    _, before = findings(tmp_path)
    assert before["summary"]["findings"] >= 6
    written = cli(["--write-baseline", "baseline.json", "templates"], tmp_path)
    assert written.exit_code == 0
    assert f"wrote {before['summary']['findings']} findings to baseline baseline.json" in written.stderr

    result, after = findings(tmp_path, "--baseline", "baseline.json")
    assert after["findings"] == [] and result.exit_code == 0
    assert after["summary"]["baseline"] == {"accepted": before["summary"]["findings"], "fixed": 0}

    target = templates / FILES[1].rsplit("/", 1)[1]
    text = target.read_text()
    target.write_text("# moved every line down\n\n" + text.replace("Parameters:\n", "Parameters:\n" + VIOLATION, 1))
    result, after = findings(tmp_path, "--baseline", "baseline.json")
    assert [(f["rule_id"], f["path"]) for f in after["findings"]] == [("CFN011", ["Parameters", "UnusedAfterBaseline"])]
    assert result.exit_code == 1


def test_fixed_entries_are_counted(tmp_path):
    templates = copy_corpus(tmp_path)
    cli(["--write-baseline", "baseline.json", "templates"], tmp_path)
    entries = json.loads((tmp_path / "baseline.json").read_text())["findings"]
    gone = [e for e in entries if e["file"].endswith(FILES[0].rsplit("/", 1)[1])]
    (templates / FILES[0].rsplit("/", 1)[1]).unlink()
    result, after = findings(tmp_path, "--baseline", "baseline.json")
    assert after["summary"]["baseline"]["fixed"] == len(gone) > 0
    assert f"{len(gone)} baseline entries fixed" in result.stderr


def test_baseline_paths_are_relative_to_the_baseline_file(tmp_path):
    copy_corpus(tmp_path)
    (tmp_path / "ci").mkdir()
    cli(["--write-baseline", "ci/baseline.json", "templates"], tmp_path)
    files = {e["file"] for e in json.loads((tmp_path / "ci/baseline.json").read_text())["findings"]}
    assert all(f.startswith("../templates/") for f in files)
    result = cli(["--format", "json", "--baseline", "../ci/baseline.json", "."], tmp_path / "templates")
    assert json.loads(result.stdout)["findings"] == []


def test_a_file_that_is_not_a_baseline_is_a_usage_error(tmp_path):
    copy_corpus(tmp_path)
    (tmp_path / "baseline.json").write_text('{"findings": [1]}')
    result = cli(["--baseline", "baseline.json", "templates"], tmp_path)
    assert result.exit_code == 2 and "not a cfncheck baseline" in result.stderr
