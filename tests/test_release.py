"""The release: one name, one address and one version everywhere they are written; the workflows
that test every push and publish a tag by trusted publishing; the version bump of the procedure
(docs/releasing.md)."""

from __future__ import annotations

import datetime
import importlib.util
import json
import re
import shutil
import tomllib

import yaml
from ci_support import ROOT

from cfncheck import __version__
from cfncheck.commands import LSP_EXTRA
from cfncheck.docs import HOME_URL, RAW_URL

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
DIST = PROJECT["name"]
README = (ROOT / "README.md").read_text(encoding="utf-8")
WORKFLOWS = ROOT / ".github" / "workflows"


def _tool():
    spec = importlib.util.spec_from_file_location("bump_version", ROOT / "tools" / "bump_version.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _folded(name: str) -> str:
    """A name as PyPI compares it with the existing ones before it accepts a new project: lower
    case, without '-', '_' and '.', with l and i as 1 and o as 0."""
    return re.sub(r"[-_.]+", "", name.lower()).translate(str.maketrans("lio", "110"))


def test_the_distribution_name_is_not_one_pypi_refuses():
    assert _folded(DIST) != _folded("cfn-check")  # an existing project, unrelated
    assert _folded("cfncheck") == _folded("cfn-check")  # why the name is not plain cfncheck
    assert PROJECT["scripts"] == {"cfncheck": "cfncheck.__main__:console"}  # the command stays cfncheck
    assert "How the name was checked" in (ROOT / "docs" / "releasing.md").read_text(encoding="utf-8")


def test_install_lines_name_the_distribution_and_its_extras():
    assert f"pip install {DIST}\n" in README or f"pip install {DIST} " in README
    assert f"pip install '{DIST}[lsp]'" in README and LSP_EXTRA == f"pip install '{DIST}[lsp]'"
    assert "lsp" in PROJECT["optional-dependencies"]


def test_every_address_is_the_projects():
    assert set(PROJECT["urls"].values()) <= {
        HOME_URL,
        f"{HOME_URL}#readme",
        f"{HOME_URL}/blob/main/CHANGELOG.md",
        f"{HOME_URL}/issues",
    }
    owner_repo = HOME_URL.removeprefix("https://github.com/")
    assert f"uses: {owner_repo}@v" in README and f"repo: {HOME_URL}\n" in README
    assert RAW_URL == f"https://raw.githubusercontent.com/{owner_repo}"
    package = json.loads((ROOT / "editors" / "vscode" / "package.json").read_text(encoding="utf-8"))
    assert package["repository"]["url"] == HOME_URL
    assert f'org.opencontainers.image.source="{HOME_URL}"' in (ROOT / "Dockerfile").read_text(encoding="utf-8")
    for url in re.findall(r"https://raw\.githubusercontent\.com/[^\s\"]+", README + json.dumps(package)):
        assert url.startswith(RAW_URL + "/"), url


def test_every_place_that_names_the_release_names_this_version():
    tool = _tool()
    found = tool.references()
    assert {file for file, _, _ in found} >= {"README.md", "editors/vscode/package.json"}
    assert [(file, line) for file, line, version in found if version != __version__] == []
    # and the bump finds every place: no mention of the version in a form it does not rewrite
    written = re.compile(rf"(?<![\d.]){re.escape(__version__)}(?!\.?\d)")
    mentions = sum(len(written.findall(path.read_text(encoding="utf-8"))) for path in tool.naming_files())
    assert mentions == len(found)


def _workflow(name: str) -> dict:
    document = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    document["on"] = document.pop(True, document.get("on"))  # YAML 1.1 reads the key `on` as true
    return document


def _steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def test_every_push_runs_what_ci_runs():
    workflow = _workflow("test.yml")
    assert "push" in workflow["on"] and "pull_request" in workflow["on"]
    assert workflow["permissions"] == {"contents": "read"}
    assert "bash .ci/run" in [step.get("run") for step in _steps(workflow)]


def test_a_tag_is_released_by_trusted_publishing():
    workflow = _workflow("release.yml")
    assert workflow["on"] == {"push": {"tags": ["v*"]}}
    assert workflow["permissions"] == {"contents": "read"}  # each job asks for what it needs
    jobs = workflow["jobs"]
    publishing = [name for name, job in jobs.items() if any("pypi-publish" in s.get("uses", "") for s in job["steps"])]
    assert publishing == ["pypi"]
    assert jobs["pypi"]["permissions"] == {"id-token": "write"}
    assert jobs["pypi"]["environment"]["name"] == "pypi"
    text = (WORKFLOWS / "release.yml").read_text(encoding="utf-8")
    assert "password" not in text.split("pypi:", 1)[1].split("github-release:", 1)[0]  # no stored token
    assert "secrets." not in text
    build = "\n".join(step.get("run", "") for step in jobs["build"]["steps"])
    for command in ("python -m build", "twine check --strict dist/*", '"v$version" != "$GITHUB_REF_NAME"'):
        assert command in build
    assert set(jobs["pypi"]["needs"] if isinstance(jobs["pypi"]["needs"], list) else [jobs["pypi"]["needs"]]) == {
        "build"
    }


def test_the_release_procedure_bumps_every_place_and_dates_the_changelog(tmp_path):
    tool = _tool()
    for relative in ("cfncheck/__init__.py", "CHANGELOG.md", "README.md", "editors/vscode", "docs"):
        source, target = ROOT / relative, tmp_path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if source.is_dir() else shutil.copy)(source, target)
    unreleased = tool.notes("Unreleased", tmp_path)
    tool.bump("9.8.7", tmp_path, datetime.date(2030, 1, 2))
    assert tool.package_version(tmp_path) == "9.8.7"
    assert {version for _, _, version in tool.references(tmp_path)} == {"9.8.7"}
    assert len(tool.references(tmp_path)) == len(tool.references())
    changelog = (tmp_path / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## Unreleased\n\n## 9.8.7 — 2030-01-02\n" in changelog
    assert tool.notes("9.8.7", tmp_path) == unreleased and tool.notes("Unreleased", tmp_path) == "\n"


def test_the_procedure_says_each_step():
    releasing = (ROOT / "docs" / "releasing.md").read_text(encoding="utf-8")
    for step in ("python tools/bump_version.py X.Y.Z", "git tag -a vX.Y.Z", "trusted publishing", "CHANGELOG.md"):
        assert step in releasing, step
