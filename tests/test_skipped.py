"""Nothing unchecked in silence: where the analysis gives up, one CFN900 names the resource and
the property path it skipped (or the loop, or the macro)."""

from __future__ import annotations

from cfncheck.testing import findings, summary


def test_an_inline_macro_names_its_resource_and_property():
    text = """
    Resources:
      Queue:
        Type: AWS::SQS::Queue
        Properties:
          DelaySeconds: 5
          Tags:
            Fn::Transform:
              Name: AWS::Include
              Parameters: {Location: s3://bucket/tags.yaml}
    """
    found = findings(text, select=["CFN032"])
    bounded = [f for f in found if f.rule_id == "CFN900"]
    assert summary(bounded, severity=True) == [("CFN900", "Queue", 8, "info")]
    assert bounded[0].path == ("Properties", "Tags")
    assert bounded[0].message.startswith("Queue Properties.Tags: Fn::Transform calls the macro AWS::Include")
