"""One configuration, two ways in: the command line and ``cfncheck.testing`` start the same session
and settle the same outcome, so a plugin's tests see exactly what its users see."""

from __future__ import annotations

import json

from ci_support import cli, cwd, write

from cfncheck.report import json as json_report
from cfncheck.report import sarif
from cfncheck.testing import run_files

APP = """
Parameters:
  Env: {Type: String, Default: dev}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  InUsEast: !Equals [!Ref "AWS::Region", us-east-1]
Resources:
  Known:
    Type: AWS::SQS::Queue
    Properties: {SqsManagedSseEnabled: false}
  ByParameter:
    Type: AWS::SQS::Queue
    Properties:
      SqsManagedSseEnabled: !If [IsProd, false, true]
  Regional:
    Type: AWS::SQS::Queue
    Condition: InUsEast
    Properties: {SqsManagedSseEnabled: false}
  Waived:
    Type: AWS::SQS::Queue
    Metadata:
      cfncheck:
        ignore: [{id: SQS002, reason: a fixture}, CFN011]
    Properties: {SqsManagedSseEnabled: false}
"""

CONFIG = """
select: [SQS002, CFN9]
regions: [us-east-1, eu-west-1]
severity: {SQS002: error}
parameters:
  'stacks/*.yaml': {Env: prod}
baseline: baseline.json
"""


def test_the_command_line_and_the_testing_helpers_settle_the_same_outcome(tmp_path):
    # the baseline accepts the finding on Known, recorded while it was the only one
    write(tmp_path, "stacks/app.yaml", APP.split("  ByParameter:")[0])
    recorded = cli(["--select", "SQS002", "--write-baseline", "baseline.json", "stacks"], tmp_path)
    assert recorded.exit_code == 0 and "wrote 1 finding" in recorded.stderr
    write(tmp_path, "stacks/app.yaml", APP)
    write(tmp_path, ".cfncheck.yaml", CONFIG)

    shown = cli(["--format", "json", "--fail-on", "none", "stacks"], tmp_path)
    with cwd(tmp_path):
        outcome = run_files(["stacks"], config=".cfncheck.yaml")
        assert json.loads(shown.stdout) == json_report.document(outcome)
        located = json.loads(cli(["--format", "sarif", "stacks"], tmp_path).stdout)
        assert located == sarif.document(outcome, tmp_path)

    document = json.loads(shown.stdout)
    assert [(f["resource"], f["severity"], f["message"].rsplit(": ", 1)[-1]) for f in document["findings"]] == [
        ("ByParameter", "error", "the queue is not encrypted."),  # Env is prod for stacks/*.yaml
        ("Regional", "error", "the queue is not encrypted. [in us-east-1]"),
        ("Waived", "info", "add a reason."),  # CFN901 on the ignore of CFN011
    ]
    assert [(f["resource"], f["suppression"]["kind"]) for f in document["suppressed"]] == [
        ("Known", "baseline"),
        ("Waived", "metadata"),
    ]
    assert document["summary"]["baseline"] == {"accepted": 1, "fixed": 0}
