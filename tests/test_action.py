"""The composite GitHub Action: its shell steps run here as the runner would run them, with the
GitHub variables simulated. ``uses:`` steps (setup-python) are the runner's business; the install
step's ``python -m pip`` is answered by a stand-in that records the call, so the test needs no
network and leaves the development environment alone."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import yaml
from ci_support import CHECKS_DIR, ROOT, write

ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
EXPRESSION = re.compile(r"\$\{\{\s*([\w.-]+)\s*\}\}")


def expand(text: str, inputs: dict, github: dict) -> str:
    def value(match: re.Match) -> str:
        scope, _, name = match[1].partition(".")
        return {"inputs": inputs, "github": github}[scope][name]

    return EXPRESSION.sub(value, text)


def fake_python(directory: Path, log: Path) -> None:
    """``python`` that records ``-m pip ...`` calls and runs everything else with this interpreter."""
    script = directory / "python"
    script.write_text(
        f'#!/bin/sh\nif [ "$1" = "-m" ] && [ "$2" = "pip" ]; then echo "$@" >> "{log}"; exit 0; fi\n'
        f'exec "{sys.executable}" "$@"\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)


def run_action(tmp_path: Path, given: dict) -> tuple[list[subprocess.CompletedProcess], dict]:
    workspace, temp = tmp_path / "repo", tmp_path / "runner"
    (temp / "bin").mkdir(parents=True)
    files = {name: temp / name for name in ("summary.md", "output.txt", "pip.log")}
    for path in files.values():
        path.touch()
    fake_python(temp / "bin", files["pip.log"])
    inputs = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()} | given
    github = {"action_path": str(ROOT), "workspace": str(workspace)}
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")},
        "PATH": f"{temp / 'bin'}{os.pathsep}{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_ACTIONS": "true",
        "GITHUB_ACTION_PATH": str(ROOT),
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_STEP_SUMMARY": str(files["summary.md"]),
        "GITHUB_OUTPUT": str(files["output.txt"]),
        "RUNNER_TEMP": str(temp),
    }
    completed = []
    for step in ACTION["runs"]["steps"]:
        if "run" not in step:
            assert step["uses"].startswith("actions/setup-python@")
            continue
        assert step["shell"] == "bash"
        step_env = {**env, **{k: expand(str(v), inputs, github) for k, v in step.get("env", {}).items()}}
        completed.append(
            subprocess.run(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", expand(step["run"], inputs, github)],
                cwd=workspace,
                env=step_env,
                capture_output=True,
                text=True,
                timeout=120,
            )
        )
    return completed, {name: path.read_text() for name, path in files.items()}


def make_repository(tmp_path: Path) -> None:
    workspace = tmp_path / "repo"
    write(workspace, ".cfncheck.yaml", f"checks-dir: [{CHECKS_DIR}]\nselect: [TST, CFN011]\n")
    write(
        workspace,
        "infra/app.yaml",
        """
        Parameters:
          Unused: {Type: String}
        Resources:
          Jobs:
            Type: AWS::SQS::Queue
          Alerts:
            Type: AWS::SNS::Topic
            Properties: {TopicName: alerts}
    """,
    )
    write(workspace, "infra/params.json", '{"Parameters": {"Unused": "x"}}')


def test_action_annotates_summarises_and_writes_sarif(tmp_path):
    make_repository(tmp_path)
    steps, files = run_action(
        tmp_path,
        {
            "paths": "infra",
            "sarif-file": "results/cfncheck.sarif",
            "parameters": "infra/params.json",
            "trust-config": "true",
        },
    )
    install, check = steps
    assert install.returncode == 0 and files["pip.log"].split() == [
        "-m",
        "pip",
        "install",
        "--disable-pip-version-check",
        "--quiet",
        str(ROOT),
    ]
    assert check.returncode == 1, check.stderr
    assert check.stdout.splitlines() == [
        "::error file=infra/app.yaml,line=8,col=18,endColumn=34,title=TST002 test-topic-error"
        "::Topic line one%0Aline two%0D",
        "::warning file=infra/app.yaml,line=2,col=3,endColumn=24,title=CFN011 cfn-unused-parameter"
        "::Parameter Unused is declared but never used. Use it or remove it.",
        "::warning file=infra/app.yaml,line=5,col=5,endColumn=25,title=TST001 test-queue-punctuation"
        "::Queue Jobs: 100%25 sure, multiple=6",
    ]
    assert files["summary.md"].startswith("## cfncheck\n\n**3 findings** in 1 file: 1 error, 2 warning, 0 info")
    assert "| error | TST002 test-topic-error | `infra/app.yaml:8` `Alerts` |" in files["summary.md"]
    assert "sarif-file=results/cfncheck.sarif\n" in files["output.txt"]
    sarif = json.loads((tmp_path / "repo/results/cfncheck.sarif").read_text())
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]}
    assert uris == {"infra/app.yaml"}


def test_action_inputs_fail_on_and_config(tmp_path):
    make_repository(tmp_path)
    write(tmp_path / "repo", "ci/strict.yaml", f"checks-dir: [{CHECKS_DIR}]\nselect: [TST001]\n")
    steps, files = run_action(
        tmp_path,
        {"paths": "infra\ninfra/app.yaml", "fail-on": "error", "config": "ci/strict.yaml", "trust-config": "true"},
    )
    assert steps[1].returncode == 0, steps[1].stderr
    assert [line.split(" ")[0] for line in steps[1].stdout.splitlines()] == ["::warning"]
    assert "sarif-file=\n" in files["output.txt"]


def test_action_runs_no_repository_code_unless_trusted(tmp_path):
    make_repository(tmp_path)
    steps, _ = run_action(tmp_path, {"paths": "infra"})
    assert steps[1].returncode == 1, steps[1].stderr
    assert "TST" not in steps[1].stdout and "--trust-config" in steps[1].stderr
