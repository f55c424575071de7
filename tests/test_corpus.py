"""End to end over the shared corpus of 858 real templates written by others."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
SUFFIXES = (".yaml", ".yml", ".json", ".template")


class _AnyTag(yaml.SafeLoader):
    """PyYAML with every tag accepted: what parses here is well-formed YAML."""


_AnyTag.add_multi_constructor("!", lambda loader, suffix, node: None)


def _cloudformation_cannot_parse(path: Path) -> bool:
    """Not valid YAML/JSON, a Rain tag (only the rain tool expands it), or no Resources mapping."""
    text = path.read_text(encoding="utf-8")
    if "!Rain::" in text:
        return True
    try:
        document = yaml.load(text, Loader=_AnyTag)
    except yaml.YAMLError:
        return True
    return not isinstance(document, dict) or ("Resources" in document and not isinstance(document["Resources"], dict))


@pytest.fixture(scope="module")
def corpus_run():
    assert CORPUS.is_dir(), f"the shared corpus is expected at {CORPUS}"
    done = subprocess.run(
        [sys.executable, "-m", "cfncheck", "--format", "json", "--fail-on", "none", str(CORPUS)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    return done


def test_no_traceback_and_no_internal_error(corpus_run):
    assert "Traceback" not in corpus_run.stderr
    document = json.loads(corpus_run.stdout)
    assert document["summary"]["files"] >= 850
    internal = [f for f in document["findings"] if f["rule_id"] == "CFN000"]
    assert internal == []
    assert corpus_run.returncode == 2  # the corpus holds files CloudFormation rejects; they are errors


def test_every_finding_and_error_has_a_real_line(corpus_run):
    document = json.loads(corpus_run.stdout)
    lines = {}
    for item in document["findings"] + document["errors"]:
        path = Path(item["file"])
        if path not in lines:
            lines[path] = path.read_text(encoding="utf-8").count("\n") + 1
        assert 1 <= item["line"] <= lines[path], item
    for finding in document["findings"]:
        assert finding["end_line"] >= finding["line"]
        assert finding["message"]


def test_only_files_cloudformation_cannot_parse_are_errors(corpus_run):
    document = json.loads(corpus_run.stdout)
    failed = {Path(e["file"]) for e in document["errors"]}
    expected = {p for p in CORPUS.rglob("*") if p.suffix in SUFFIXES and _cloudformation_cannot_parse(p)}
    assert failed == expected


@pytest.mark.parametrize(
    "name",
    [
        "aws-cloudformation-templates/EC2/EC2InstanceWithSecurityGroupSample.yaml",
        "aws-cloudformation-templates/VPC/VPC_With_Managed_NAT_And_Private_Subnet.yaml",
        "serverless-patterns/sqs-lambda/template.yaml",
    ],
)
def test_single_valid_templates_exit_0_or_1(name):
    path = CORPUS / name
    if not path.exists():  # the corpus is fixed; a renamed sample is a bug in this test
        pytest.fail(f"{path} is not in the corpus")
    done = subprocess.run([sys.executable, "-m", "cfncheck", str(path)], capture_output=True, text=True, check=False)
    assert done.returncode in (0, 1), done.stderr
