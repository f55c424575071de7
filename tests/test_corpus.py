"""End to end over the shared corpora: 2,268 real templates written by others."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cfncheck.catalog import Catalog

ROOT = Path(__file__).parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
SUFFIXES = (".yaml", ".yml", ".json", ".template")


SHARED = ROOT.parent / "shared"
CORPORA = (SHARED / "corpus", SHARED / "corpus2")

INVALID = {
    "corpus/serverless-patterns/_pattern-model/template.yaml": "Resources: is empty (a pattern skeleton)",
    "corpus/serverless-patterns/apigw-custom-domain-edge/template.yaml": "invalid YAML: `MappingRestEdge:curc`",
    "corpus/serverless-patterns/apigw-lambda-sagemaker-jumpstartendpoint-cdk-python/template.yaml": "empty Resources",
    "corpus/serverless-patterns/dynamodb-lambda-cdk-kotlin/template.yaml": "empty Resources",
    "corpus/serverless-patterns/kinesis-lambda-ddb-cdk-java/template.yaml": "empty Resources",
    "corpus/serverless-patterns/kinesis-lambda-py-cdk/template.yaml": "empty Resources",
    "corpus/serverless-patterns/rds-sns-event-notification/template.yaml": "invalid YAML: text after a quoted scalar",
    "corpus2/cfn101-workshop/code/workspace/looping-over-collections/s3-buckets.yaml": "empty Resources (exercise)",
    "corpus2/cfn101-workshop/code/workspace/nested-stacks/iam.yaml": "empty Resources (exercise)",
    "corpus2/cfn101-workshop/code/workspace/nested-stacks/main.yaml": "empty Resources (exercise)",
    "corpus2/rain/cft/pkg/tmpl/test-expect.yaml": "unknown tag !Equals: (a test of rain's output)",
    "corpus2/rain/cft/pkg/tmpl/test-template.yaml": "unknown tag !Equals: before its rain directives",
}
"""The files of both corpora that are not templates CloudFormation (or another tool) can read:
they exit 2. Templates for rain, Sceptre or the Serverless Framework are read (CFN903)."""


@pytest.fixture(scope="module")
def corpus_run():
    for corpus in CORPORA:
        assert corpus.is_dir(), f"the shared corpus is expected at {corpus}"
    done = subprocess.run(
        [sys.executable, "-m", "cfncheck", "--format", "json", "--fail-on", "none", *map(str, CORPORA)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    return done


def test_no_traceback_and_no_internal_error(corpus_run):
    assert "Traceback" not in corpus_run.stderr
    document = json.loads(corpus_run.stdout)
    assert document["summary"]["files"] >= 2260
    internal = [f for f in document["findings"] if f["rule_id"] == "CFN000"]
    assert internal == []
    assert corpus_run.returncode == 2  # the corpora holds files CloudFormation rejects; they are errors


def test_every_finding_has_the_one_severity_its_id_declares(corpus_run):
    """Over both corpora, without configuration: each finding's severity is its check's (a check
    cannot report at another, see test_severities; this shows none of the built-in ones tries)."""
    declared = {entry.id: str(entry.severity) for entry in Catalog.builtin()}
    document = json.loads(corpus_run.stdout)
    assert document["findings"]
    wrong = [(f["rule_id"], f["severity"], f["file"], f["line"]) for f in document["findings"]]
    assert [item for item in wrong if declared[item[0]] != item[1]] == []


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


def test_only_files_no_tool_can_read_are_errors(corpus_run):
    document = json.loads(corpus_run.stdout)
    failed = {Path(e["file"]).relative_to(SHARED).as_posix() for e in document["errors"]}
    assert failed == set(INVALID)


def test_templates_for_other_tools_are_noted_not_refused(corpus_run):
    document = json.loads(corpus_run.stdout)
    noted = {
        Path(f["file"]).relative_to(SHARED).as_posix(): f["message"]
        for f in document["findings"]
        if f["rule_id"] == "CFN903"
    }
    for name, tool in (
        ("corpus/aws-cloudformation-templates/RainModules/bucket.yml", "rain: a module of"),
        ("corpus2/rain/cft/pkg/tmpl/embed-template.yaml", "rain"),
        ("corpus2/serverless-stack-demo-api/resources/dynamodb-table.yml", "the Serverless Framework"),
        ("corpus2/sceptre/integration-tests/sceptre-project/templates/jinja/valid_template.yaml", "Sceptre (Jinja)"),
        ("corpus2/rain/cft/pkg/tmpl/awscli-modules/invoke-template.yaml", "aws cloudformation package"),
    ):
        assert noted[name].startswith(f"Written for {tool}" + ("" if ":" in tool else " ")), (name, noted.get(name))


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
