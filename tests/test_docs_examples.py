"""The examples of README.md and docs/*.md run as written and do what the text says.

Each shell, YAML and Python example is preceded by a mark, an HTML comment the rendered page hides:
``<!-- example: KIND key=value ... -->``. KIND says how the example is run and what it must give:

- ``ci``: a README set-up command; .ci/run must run it verbatim (CI is where it runs).
- ``shell status=0,1 output="text"``: each command line runs with bash in a copy of
  tests/docs_workspace/ (which holds the files the examples name, beside samples/); each must exit
  with one of the statuses, and the text must appear in what the block prints.
- ``config trust=yes``: written as .cfncheck.yaml there; --show-config and a run over the folder must
  accept it (no configuration error, no parameter given to a template that lacks it); with
  ``trust=yes`` both run with --trust-config, as an example that loads a checks-dir needs.
- ``template suppressed=ID reports=ID``: written as example.yaml and checked.
- ``check-module file=PATH``: a check plugin, written to PATH of every workspace (so a configuration
  example can name its folder); it must load.
- ``github-workflow``, ``pre-commit``: every input or hook id it uses exists in action.yml or
  .pre-commit-hooks.yaml.
- ``ci-config reports=FILE,...``: another CI system's configuration (GitLab's, say): every command
  of it that runs cfncheck runs in the workspace (exit 0 or 1), and writes the report files named.
- ``illustrative: reason``: not run (placeholder paths, downloads, long runs); the reason is required.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from ci_support import ROOT

DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LANGUAGES = {"sh", "bash", "shell", "yaml", "yml", "python"}
KINDS = {
    "ci",
    "shell",
    "config",
    "template",
    "check-module",
    "github-workflow",
    "pre-commit",
    "ci-config",
    "illustrative",
}
MARK = re.compile(r"^<!-- example: ([\w-]+)(:?)(.*?) -->$")
FENCE = re.compile(r"^```(\S*)")
WORKSPACE = Path(__file__).resolve().parent / "docs_workspace"
BIN = str(Path(sys.executable).parent)  # the environment under test: its cfncheck and python


@dataclass
class Example:
    document: str
    line: int  # of the opening fence
    language: str
    text: str
    kind: str | None = None
    reason: str = ""
    attributes: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{self.document}:{self.line}"


def examples() -> list[Example]:
    found = []
    for document in DOCUMENTS:
        lines = document.read_text(encoding="utf-8").splitlines()
        index = 0
        while index < len(lines):
            fence = FENCE.match(lines[index])
            if fence is None:
                index += 1
                continue
            end = next(i for i in range(index + 1, len(lines)) if lines[i].startswith("```"))
            example = Example(
                str(document.relative_to(ROOT)), index + 1, fence[1], "\n".join(lines[index + 1 : end]) + "\n"
            )
            mark = MARK.match(lines[index - 1]) if index else None
            if mark is not None:
                example.kind = mark[1]
                if mark[2]:
                    example.reason = mark[3].strip()
                else:
                    example.attributes = dict(item.split("=", 1) for item in shlex.split(mark[3]))
            found.append(example)
            index = end + 1
    return found


EXAMPLES = [example for example in examples() if example.language in LANGUAGES]
RUN = [example for example in EXAMPLES if example.kind not in (None, "illustrative")]


def test_every_example_says_what_it_does():
    unmarked = [e.name for e in EXAMPLES if e.kind not in KINDS]
    assert not unmarked, f"examples without a known <!-- example: KIND --> mark: {unmarked}"
    unexplained = [e.name for e in EXAMPLES if e.kind == "illustrative" and not e.reason]
    assert not unexplained, f"illustrative examples must say why they are not run: {unexplained}"


@pytest.fixture(scope="module")
def workspace_template(tmp_path_factory) -> Path:
    """The docs workspace, the samples, and the check modules the documents define."""
    folder = tmp_path_factory.mktemp("docs") / "workspace"
    shutil.copytree(WORKSPACE, folder)
    shutil.copytree(ROOT / "samples", folder / "samples")
    for example in EXAMPLES:
        if example.kind == "check-module":
            target = folder / example.attributes["file"]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(example.text, encoding="utf-8")
    return folder


@pytest.fixture
def workspace(workspace_template, tmp_path) -> Path:
    folder = tmp_path / "workspace"
    shutil.copytree(workspace_template, folder)
    return folder


def run(command: str, folder: Path) -> subprocess.CompletedProcess:
    environment = {
        **os.environ,
        "PATH": BIN + os.pathsep + os.environ.get("PATH", ""),
        "NO_COLOR": "1",
        "GITHUB_WORKSPACE": "",
        "GITHUB_STEP_SUMMARY": "",
    }
    return subprocess.run(
        ["bash", "-c", command], cwd=folder, env=environment, capture_output=True, text=True, timeout=120
    )


def commands(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


@pytest.mark.parametrize("example", RUN, ids=[e.name for e in RUN])
def test_example_runs_as_documented(example: Example, request):
    check = {
        "ci": _ci,
        "shell": _shell,
        "config": _config,
        "template": _template,
        "check-module": _check_module,
        "github-workflow": _github_workflow,
        "pre-commit": _pre_commit,
        "ci-config": _ci_config,
    }[example.kind]
    folder = (
        request.getfixturevalue("workspace")
        if example.kind in ("shell", "config", "template", "check-module", "ci-config")
        else None
    )
    check(example, folder)


def _ci(example: Example, _folder) -> None:
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    for command in commands(example.text):
        assert command.strip() in script, f"{example.name}: .ci/run does not run {command!r}"


def _shell(example: Example, folder: Path) -> None:
    statuses = {int(status) for status in example.attributes.get("status", "0").split(",")}
    printed = []
    for command in commands(example.text):
        done = run(command, folder)
        assert done.returncode in statuses, f"{example.name}: {command!r} exited {done.returncode}:\n{done.stderr}"
        printed.append(done.stdout + done.stderr)
    if "output" in example.attributes:
        assert example.attributes["output"] in "".join(printed), f"{example.name}: no {example.attributes['output']!r}"


def _config(example: Example, folder: Path) -> None:
    (folder / ".cfncheck.yaml").write_text(example.text, encoding="utf-8")
    trust = " --trust-config" if example.attributes.get("trust") == "yes" else ""
    shown = run(f"cfncheck{trust} --show-config", folder)
    assert shown.returncode == 0, f"{example.name}: {shown.stderr}"
    checked = run(f"cfncheck{trust} --format json .", folder)
    assert checked.returncode in (0, 1), f"{example.name}: {checked.stderr}"
    problems = [line for line in checked.stderr.splitlines() if line.startswith("cfncheck:")]
    assert not problems, f"{example.name}: {problems}"
    report = json.loads(checked.stdout)
    assert report["summary"]["files"] > 0 and not report["errors"]
    assert not [f for f in report["findings"] if f["rule_id"] == "CFN034"], (
        f"{example.name}: parameters that no template declares"
    )


def _template(example: Example, folder: Path) -> None:
    (folder / "example.yaml").write_text(example.text, encoding="utf-8")
    done = run("cfncheck --format json example.yaml", folder)
    assert done.returncode in (0, 1), done.stderr
    report = json.loads(done.stdout)
    reported = {f["rule_id"] for f in report["findings"]}
    suppressed = {f["rule_id"] for f in report.get("suppressed", [])}
    for rule in filter(None, example.attributes.get("reports", "").split(",")):
        assert rule in reported, f"{example.name}: {rule} is not reported"
    for rule in filter(None, example.attributes.get("suppressed", "").split(",")):
        assert rule in suppressed and rule not in reported, f"{example.name}: {rule} is not suppressed"


def _check_module(example: Example, folder: Path) -> None:
    directory = (folder / example.attributes["file"]).parent
    done = run(f"cfncheck --checks-dir {shlex.quote(str(directory))} --list-checks --format json", folder)
    assert done.returncode == 0 and not done.stderr, f"{example.name}: {done.stderr}"
    defined = set(re.findall(r'@check\(\s*"([A-Z0-9]+)"', example.text))
    assert defined and defined <= {row["id"] for row in json.loads(done.stdout)}


def _github_workflow(example: Example, _folder) -> None:
    inputs = set(yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))["inputs"])
    steps = [step for job in yaml.safe_load(example.text)["jobs"].values() for step in job["steps"]]
    ours = [step for step in steps if step.get("uses", "").split("@")[0].endswith("/cfncheck")]
    assert ours, f"{example.name}: no step uses the action"
    for step in ours:
        assert set(step.get("with", {})) <= inputs, (
            f"{example.name}: not inputs of action.yml: {set(step['with']) - inputs}"
        )


def _pre_commit(example: Example, _folder) -> None:
    hooks = {hook["id"] for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    used = {hook["id"] for repo in yaml.safe_load(example.text)["repos"] for hook in repo["hooks"]}
    assert used and used <= hooks, f"{example.name}: hooks not in .pre-commit-hooks.yaml: {used - hooks}"


def _strings(node) -> list[str]:
    if isinstance(node, dict):
        return [text for value in node.values() for text in _strings(value)]
    if isinstance(node, list):
        return [text for value in node for text in _strings(value)]
    return [node] if isinstance(node, str) else []


def _ci_config(example: Example, folder: Path) -> None:
    commands = [text for text in _strings(yaml.safe_load(example.text)) if text.startswith("cfncheck ")]
    assert commands, f"{example.name}: no cfncheck command"
    for command in commands:
        done = run(command, folder)
        assert done.returncode in (0, 1), f"{example.name}: {command!r} exited {done.returncode}:\n{done.stderr}"
    for report in filter(None, example.attributes.get("reports", "").split(",")):
        assert (folder / report).stat().st_size > 0, f"{example.name}: {report} was not written"
