"""The template model: sections, resource attributes, SAM Globals."""

from __future__ import annotations

import textwrap

import pytest

from cfncheck.loader import LoadError, load_bytes
from cfncheck.template import build


def model(text: str):
    return build(load_bytes(textwrap.dedent(text).encode(), "t.yaml"))


def test_sections_and_resource_attributes():
    template = model(
        """
        Transform: AWS::Serverless-2016-10-31
        Parameters:
          Secret: {Type: String, NoEcho: true}
          Ids: {Type: CommaDelimitedList}
        Conditions:
          C: !Equals [a, b]
        Resources:
          Q:
            Type: AWS::SQS::Queue
            Condition: C
            DependsOn: [T]
            DeletionPolicy: Retain
            Metadata: {cfncheck: {}}
          T:
            Type: AWS::SNS::Topic
            DependsOn: Q
        Outputs:
          O:
            Condition: C
            Value: !Ref Q
            Export: {Name: shared-q}
        """
    )
    assert template.is_sam
    assert template.parameters["Secret"].no_echo and template.parameters["Ids"].is_list
    queue = template.resources["Q"]
    assert (queue.type, queue.condition, queue.depends_on) == ("AWS::SQS::Queue", "C", ["T"])
    assert queue.get("DeletionPolicy") == "Retain"
    assert queue.exists_in.as_dict() == {"C": True}
    assert queue.properties == {}
    assert template.resources["T"].depends_on == ["Q"]
    assert template.outputs["O"].export_name == "shared-q"
    assert template.of_type("AWS::SNS::Topic") == [template.resources["T"]]


def test_sam_globals_are_merged_and_keep_their_lines():
    template = model(
        """
        Transform: AWS::Serverless-2016-10-31
        Globals:
          Function:
            Timeout: 30
            Runtime: python3.12
            Environment:
              Variables: {A: global, B: global}
            Layers: [arn:global]
        Resources:
          Own:
            Type: AWS::Serverless::Function
            Properties:
              Timeout: 10
              Environment:
                Variables: {B: own}
              Layers: [arn:own]
          Inherits:
            Type: AWS::Serverless::Function
            Properties:
              Handler: app.handler
          Ignores:
            Type: AWS::Serverless::Function
            IgnoreGlobals: [Timeout]
            Properties: {}
        """
    )
    own = template.resources["Own"].properties
    assert own["Timeout"] == 10
    assert own["Runtime"] == "python3.12"
    assert own["Environment"]["Variables"] == {"A": "global", "B": "own"}
    assert own["Layers"] == ["arn:global", "arn:own"]
    inherits = template.resources["Inherits"]
    assert inherits.properties["Timeout"] == 30
    # A finding about the inherited Timeout points at the line in Globals that set it.
    assert template.locate(("Properties", "Timeout"), start=inherits.node).line == 5
    assert "Timeout" not in template.resources["Ignores"].properties


def test_globals_are_ignored_without_the_sam_transform():
    template = model(
        """
        Globals:
          Function: {Timeout: 30}
        Resources:
          F:
            Type: AWS::Serverless::Function
        """
    )
    assert "Timeout" not in template.resources["F"].properties


def test_locate_follows_the_branch_of_the_scenario_and_falls_back_to_the_enclosing_key():
    from cfncheck.values import Scenario

    template = model(
        """
        Resources:
          Q:
            Type: AWS::SQS::Queue
            Properties:
              Config: !If
                - C
                - {A: 1}
                - {A: 2}
        """
    )
    queue = template.resources["Q"].node
    assert template.locate(("Properties", "Config", "A"), Scenario({("C", True)}), queue).line == 8
    assert template.locate(("Properties", "Config", "A"), Scenario({("C", False)}), queue).line == 9
    assert template.locate(("Properties", "Missing"), None, queue).line == 5


@pytest.mark.parametrize("resources", ["Resources:\n", "Resources: [a]\n", "Resources: text\n"])
def test_resources_that_are_not_a_mapping_fail_the_file(resources):
    with pytest.raises(LoadError, match="Resources must be a mapping"):
        model(resources)
