"""GitHub workflow commands and the job summary."""

from __future__ import annotations

import re

import pytest
from ci_support import PLUGIN, ROOT, cli, write

from cfncheck.report.github import escape_data, escape_property

SAMPLES = sorted(p for p in (ROOT / "samples").rglob("*") if p.suffix in (".yaml", ".yml", ".json", ".template"))
PROPERTY = r"[^,:%\r\n]*(?:%(?:25|0D|0A|3A|2C)[^,:%\r\n]*)*"
COMMAND = re.compile(
    rf"^::(error|warning|notice) file=(?P<file>{PROPERTY}),line=(?P<line>[1-9]\d*)"
    r"(?:,col=(?P<col>[1-9]\d*),endColumn=(?P<end_col>[1-9]\d*)|,endLine=(?P<end_line>[1-9]\d*))?"
    rf",title=(?P<title>{PROPERTY})::(?P<message>[^\r\n%]*(?:%(?:25|0D|0A)[^\r\n%]*)*)$"
)


def test_escaping_follows_github_rules():
    assert escape_data("100%\r\nok: a,b") == "100%25%0D%0Aok: a,b"
    assert escape_property("a:b,c%d\n") == "a%3Ab%2Cc%25d%0A"


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_sample_finding_is_a_well_formed_command(sample):
    result = cli(["--format", "github", str(sample.relative_to(ROOT))], ROOT)
    assert result.exit_code in (0, 1), result.stderr
    lines = result.stdout.splitlines()
    for line in lines:
        assert COMMAND.match(line), line
        assert (ROOT / COMMAND.match(line)["file"]).is_file()  # relative to the workspace; nested stacks too
    shown = cli(["--format", "text", str(sample.relative_to(ROOT))], ROOT).stdout.splitlines()
    assert len(lines) == len([line for line in shown if not re.match(r"\S+:\d+:\d+: note: ", line)])


def test_messages_with_percent_colon_comma_and_newlines(tmp_path):
    write(
        tmp_path,
        "a,b:c.yaml",
        """
        Resources:
          Jobs:
            Type: AWS::SQS::Queue
          Alerts:
            Type: AWS::SNS::Topic
            Properties:
              TopicName: alerts
    """,
    )
    result = cli([*PLUGIN, "--format", "github", "--select", "TST", "a,b:c.yaml"], tmp_path)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "::error file=a%2Cb%3Ac.yaml,line=7,col=7,endColumn=23,title=TST002 test-topic-error"
        "::Topic line one%0Aline two%0D",
        "::warning file=a%2Cb%3Ac.yaml,line=3,col=5,endColumn=25,title=TST001 test-queue-punctuation"
        "::Queue Jobs: 100%25 sure, multiple=6",
    ]
    assert all(COMMAND.match(line) for line in result.stdout.splitlines())


SPANS = """
Resources:
  Key:
    Type: AWS::KMS::Key
    Properties:
      Description: rotation is absent
      KeyPolicy:
        Statement:
          - Effect: Allow
            Principal: "*"
            Action: kms:*
            Resource: "*"
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Statement: [{Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: "*"}]}
      Policies:
        - PolicyName: admin
          PolicyDocument:
            Statement:
              - Effect: Allow
                NotAction:
                  - iam:*
                  - kms:*
                Resource: "*"
"""


def test_annotations_follow_the_toolkit_line_rules(tmp_path):
    """Columns only on one line; a span of lines as line and endLine; a finding whose region encloses
    the place (the absent EnableKeyRotation, under Properties) on its first line only."""
    write(tmp_path, "t.yaml", SPANS)
    result = cli(["--format", "github", "--select", "KMS001,KMS002,IAM004,IAM006", "t.yaml"], tmp_path)
    places = {
        match["title"].split()[0]: (match["line"], match["col"], match["end_col"], match["end_line"])
        for match in map(COMMAND.match, result.stdout.splitlines())
    }
    assert places == {
        "KMS002": ("9", "13", "26", None),  # Principal: "*", one line
        "IAM006": ("15", "103", "113", None),  # Action: "*" of the trust policy
        "IAM004": ("21", None, None, "23"),  # the NotAction list spans three lines
        "KMS001": ("4", None, None, None),  # Properties spans lines 4-11: the key goes there
    }


def test_paths_are_relative_to_the_workspace(tmp_path):
    write(tmp_path, "infra/stack.yaml", "Resources:\n  Jobs:\n    Type: AWS::SQS::Queue\n")
    result = cli(
        [*PLUGIN, "--format", "github", "--select", "TST001", "stack.yaml"],
        tmp_path / "infra",
        env={"GITHUB_WORKSPACE": str(tmp_path)},
    )
    assert result.stdout.startswith("::warning file=infra/stack.yaml,line=3,")


def test_most_severe_first_and_summary_explains_the_annotation_limit(tmp_path):
    resources = "".join(f"  Q{i}:\n    Type: AWS::SQS::Queue\n" for i in range(12))
    resources += "".join(f"  T{i}:\n    Type: AWS::SNS::Topic\n" for i in range(11))
    write(tmp_path, "many.yaml", "Resources:\n" + resources)
    summary = tmp_path / "summary.md"
    summary.write_text("previous step\n")
    env = {
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": "acme/infra",
        "GITHUB_SHA": "abc123",
    }
    result = cli([*PLUGIN, "--format", "github", "--select", "TST", "many.yaml"], tmp_path, env=env)
    kinds = [line.split(" ", 1)[0] for line in result.stdout.splitlines()]
    assert kinds == ["::error"] * 11 + ["::warning"] * 12
    text = summary.read_text()
    assert text.startswith("previous step\n## cfncheck\n")
    assert "**23 findings** in 1 file: 11 error, 12 warning, 0 info" in text
    assert "3 of this run are not annotated" in text
    assert text.count("\n| error | TST002 test-topic-error |") == 11
    assert "[`many.yaml:27`](https://github.com/acme/infra/blob/abc123/many.yaml#L27) `T0`" in text
    assert "Topic line one\\\\nline two\\\\r" in text  # the line breaks as visible escapes, Markdown-escaped
