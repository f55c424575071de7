"""Templates written for another tool: one CFN903 note naming the tool and how to expand the
file, never that tool's syntax reported as a CloudFormation error, and the rest still checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from cfncheck.testing import file_findings, findings, run_files

SAMPLES = Path(__file__).parent.parent / "samples" / "other_tools"


@pytest.mark.parametrize(
    ("name", "tool", "line", "expand"),
    [
        ("rain/website.yaml", "rain", 13, "`rain pkg TEMPLATE`"),
        ("serverless/resources/orders-table.yml", "the Serverless Framework", 6, "`serverless package`"),
        ("sceptre/templates/queues.yaml", "Sceptre (Jinja)", 3, "`sceptre generate STACK`"),
        ("sceptre/templates/handle.yaml", "Sceptre (Jinja)", 4, "`sceptre generate STACK`"),
        ("package/app.yaml", "aws cloudformation package", 9, "`aws cloudformation package --template-file"),
        ("package/modules.yaml", "aws cloudformation package", 20, "`aws cloudformation package --template-file"),
    ],
)
def test_one_note_names_the_tool_and_no_cloudformation_error(name, tool, line, expand):
    result = run_files([SAMPLES / name])
    assert result.errors == []  # never exit 2 for another tool's template
    notes = [f for f in result.findings if f.rule_id == "CFN903"]
    assert [(n.line, n.resource) for n in notes] == [(line, None)]
    assert notes[0].message.startswith(f"Written for {tool}") and expand in notes[0].message
    assert [f for f in result.findings if str(f.severity) == "error" and f.rule_id.startswith("CFN")] == []


def test_what_can_be_checked_still_is():
    found = {(f.rule_id, f.resource) for f in file_findings(SAMPLES / "rain" / "website.yaml")}
    assert ("SG001", "Admin") in found  # the rain directives elsewhere do not hide the open SSH port
    found = {(f.rule_id, f.resource) for f in file_findings(SAMPLES / "serverless" / "resources" / "orders-table.yml")}
    assert ("DDB001", "OrdersTable") in found


def test_the_note_can_be_deselected():
    result = run_files([SAMPLES / "sceptre" / "templates" / "queues.yaml"], ignore=["CFN903"])
    assert result.findings == [] and result.errors == []


def test_a_package_path_is_only_the_tools_where_the_command_uploads():
    """Code: ./src is aws cloudformation package's; a local path where it uploads nothing is an error."""
    found = findings(
        """
        Resources:
          Function:
            Type: AWS::Lambda::Function
            Properties:
              Runtime: python3.12
              Handler: index.handler
              Code: {ZipFile: "def handler(event, context): pass"}
              Role: ./role.json
        """,
        select=["CFN032", "CFN903"],
    )
    assert [f.rule_id for f in found] == ["CFN032"]


def test_an_export_written_in_a_jinja_template_may_be_imported(tmp_path):
    (tmp_path / "queues.yaml").write_text(
        "Resources:\n{% for q in queues %}\n  {{ q }}:\n    Type: AWS::SQS::Queue\n{% endfor %}\n"
        "Outputs:\n  Arn:\n    Value: x\n    Export:\n      Name: shared-QueueArn\n"
    )
    (tmp_path / "topic.yaml").write_text(
        "Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !ImportValue shared-QueueArn\n"
    )
    result = run_files([tmp_path / "queues.yaml", tmp_path / "topic.yaml"], select=["XSTK001", "CFN903"])
    assert [f.rule_id for f in result.findings] == ["CFN903"]


MODULE_PARAMETERS = """
Parameters:
  Tags:
    Type: Object
  Name:
    Type: Stringg
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      Tags: !Ref Tags
"""


def test_a_modules_parameters_are_the_tools_not_cloudformations():
    """A module's Parameters are filled in by rain or `aws cloudformation package`, which take types
    CloudFormation does not (Object): they never reach CloudFormation. A template's own are checked."""
    as_module = MODULE_PARAMETERS.replace("Parameters:", "Constants:\n  Env: prod\nParameters:", 1)
    assert [f for f in findings(as_module, select=["CFN032"]) if f.path[:1] == ("Parameters",)] == []
    assert [(f.rule_id, f.line) for f in findings(MODULE_PARAMETERS, select=["CFN032"])] == [
        ("CFN032", 3),
        ("CFN032", 5),
    ]


RAIN_PARENT = (
    "Conditions:\n  IsProd: !Equals [prod, prod]\nResources:\n  Logs:\n"
    '    Type: !Rain::Module "./bucket.yaml"\n    Properties: {ConditionName: IsProd}\n'
)
RAIN_MODULE = "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Condition: !Ref ConditionName\n"
PACKAGE_PARENT = (
    "Modules:\n  Content:\n    Source: ./modules/select.yaml\nResources:\n  Topic:\n    Type: AWS::SNS::Topic\n"
)
PACKAGE_MODULE = (
    "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Select [!Ref Names, 0]\n"
)


def test_a_file_the_runs_templates_name_as_their_module_is_the_tools_input(tmp_path):
    """rain and `aws cloudformation package` merge a module into its parent, filling in its
    parameters (a rain module's `Condition: !Ref ConditionName` names the parent's condition):
    with its parent in the run, the module is one CFN903 and is not checked; alone, it is a
    template like any other."""
    (tmp_path / "modules").mkdir()
    files = {
        "site.yaml": RAIN_PARENT,
        "bucket.yaml": RAIN_MODULE,
        "app.yaml": PACKAGE_PARENT,
        "modules/select.yaml": PACKAGE_MODULE,
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    result = run_files([tmp_path / name for name in files])
    on_modules = [
        (Path(f.file).name, f.rule_id, f.line)
        for f in result.findings
        if Path(f.file).name in ("bucket.yaml", "select.yaml")
    ]
    assert on_modules == [("bucket.yaml", "CFN903", 1), ("select.yaml", "CFN903", 1)]
    notes = {Path(f.file).name: f.message for f in result.findings if f.rule_id == "CFN903"}
    assert notes["bucket.yaml"].startswith("Written for rain: a module of ") and "site.yaml" in notes["bucket.yaml"]
    assert notes["select.yaml"].startswith("Written for aws cloudformation package: a module of ")
    alone = run_files([tmp_path / "bucket.yaml"])
    assert [(f.rule_id, f.line) for f in alone.findings if f.rule_id == "CFN042"] == [("CFN042", 4)]
