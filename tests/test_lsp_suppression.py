"""The quick fix's suppression: inserted where the template's layout puts it, it suppresses the
finding (and, its reason empty, is reported until the reason is written)."""

from __future__ import annotations

import textwrap

import pytest

from cfncheck.lsp.suppression import insertion
from cfncheck.testing import run_text


def _fixed(text: str, name: str, rule: str, resource: str | None) -> str:
    found = insertion(text, name, rule, resource)
    assert found is not None
    lines = text.splitlines(keepends=True)
    return "".join(lines[: found.line]) + found.text + "".join(lines[found.line :])


def _suppressed(text: str, name: str, rule: str, resource: str | None) -> set[tuple]:
    """The unsuppressed findings, once ``rule`` on ``resource`` is known to be suppressed."""
    outcome = run_text(text, name, select=[rule, "CFN901"])
    assert not outcome.errors, outcome.errors
    [suppressed] = [f for f in outcome.findings if f.rule_id == rule and f.resource == resource]
    assert suppressed.suppressed is not None
    return {(f.rule_id, f.resource) for f in outcome.findings if f.suppressed is None}


QUEUES = """
Parameters:
  Unused: {Type: String}
Resources:
  Plain:
    Type: AWS::SQS::Queue
  Described:
    Metadata:
      Owner: team-a
    Type: AWS::SQS::Queue
  Listed:
      Metadata:
          cfncheck:
              ignore:
              - id: SQS003
                reason: no key control needed
      Type: AWS::SQS::Queue
"""


@pytest.mark.parametrize("resource", ["Plain", "Described", "Listed"])
def test_a_yaml_resource_gets_the_suppression_in_its_own_indentation(resource):
    text = textwrap.dedent(QUEUES).lstrip()
    fixed = _fixed(text, "t.yaml", "CFN036", resource)
    remaining = _suppressed(fixed, "t.yaml", "CFN036", resource)
    assert ("CFN901", resource) in remaining  # the reason is left to the user
    assert fixed.count("cfncheck:") == 1 + (resource != "Listed")


def test_a_finding_outside_resources_is_suppressed_in_the_templates_metadata():
    text = textwrap.dedent(QUEUES).lstrip()
    fixed = _fixed(text, "t.yaml", "CFN011", None)
    assert fixed.index("Metadata:\n  cfncheck:") < fixed.index("Resources:")
    assert ("CFN901", None) in _suppressed(fixed, "t.yaml", "CFN011", None)


JSON = """{
  "Parameters": {"Unused": {"Type": "String"}},
  "Resources": {
    "Queue": {
      "Type": "AWS::SQS::Queue"
    }
  }
}
"""


@pytest.mark.parametrize(("rule", "resource"), [("CFN036", "Queue"), ("CFN011", None)])
def test_a_json_template_gets_a_metadata_member(rule, resource):
    fixed = _fixed(JSON, "t.json", rule, resource)
    assert ("CFN901", resource) in _suppressed(fixed, "t.json", rule, resource)


@pytest.mark.parametrize(
    ("text", "resource"),
    [
        ("Resources:\n  Queue: {Type: AWS::SQS::Queue}\n", "Queue"),  # flow style
        ("Resources:\n  Queue:\n    Metadata: {Owner: a}\n    Type: AWS::SQS::Queue\n", "Queue"),
        ("Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Metadata:\n      cfncheck: {ignore: [S3]}\n", "Queue"),
        ('{"Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Metadata": {}}}}', "Queue"),
        ("Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n", "Missing"),
        ("Resources:\n  Queue: [unclosed\n", "Queue"),
    ],
)
def test_no_quick_fix_where_the_layout_is_not_one_it_can_extend(text, resource):
    assert insertion(text, "t.yaml", "CFN036", resource) is None
