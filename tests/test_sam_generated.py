"""What SAM generates is part of the model: checks credit it and do not see the edges it removes."""

from __future__ import annotations

from pathlib import Path

from cfncheck.intrinsics import Resolver
from cfncheck.loader import load_file
from cfncheck.template import build
from cfncheck.testing import expected, file_findings, findings, summary
from cfncheck.values import Reference

SAMPLE = Path(__file__).parent.parent / "samples" / "sam" / "generated.yaml"


def test_the_issues_reproductions_give_exactly_the_expected_findings():
    found = file_findings(SAMPLE, select=["LAMBDA001", "CFN004", "CFN001"])
    assert summary(found) == expected(SAMPLE, severity=False)


def test_generated_names_resolve_to_the_generated_resources():
    template = build(load_file(str(SAMPLE), "generated.yaml"))
    resolver = Resolver(template)
    generated = {name: resource.type for name, resource in template.generated.items()}
    assert generated == {
        "ProcessorRole": "AWS::IAM::Role",
        "ProcessorVersion": "AWS::Lambda::Version",
        "ProcessorAliaslive": "AWS::Lambda::Alias",
        "ServerlessDeploymentApplication": "AWS::CodeDeploy::Application",
        "CodeDeployServiceRole": "AWS::IAM::Role",
        "ProcessorDeploymentGroup": "AWS::CodeDeploy::DeploymentGroup",
        "ProcessorUploadedPermission": "AWS::Lambda::Permission",
        "ArchiverRole": "AWS::IAM::Role",
    }
    assert resolver.resolve({"Ref": "ProcessorAliaslive"})[0].value == Reference("ProcessorAliaslive")
    assert set(template.generated) & set(template.resources) == set()


def test_the_deployment_group_watches_the_alarms_not_the_function():
    from cfncheck.graph import resource_dependencies

    template = build(load_file(str(SAMPLE), "generated.yaml"))
    Resolver(template)
    depends = resource_dependencies(template, detached=False)
    assert "ProcessorErrors" not in depends["Processor"]
    assert "ProcessorErrors" in depends["ProcessorDeploymentGroup"]
    assert depends["Uploads"] >= {"ProcessorUploadedPermission", "Processor"}


def test_a_cycle_through_what_sam_generates_is_still_found():
    text = """
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Fn:
        Type: AWS::Serverless::Function
        Properties:
          Runtime: python3.12
          Handler: app.handler
          InlineCode: x
          Environment:
            Variables:
              Mapping: !Ref FnQueueEvent
          Events:
            QueueEvent:
              Type: SQS
              Properties:
                Queue: !GetAtt Queue.Arn
      Queue:
        Type: AWS::SQS::Queue
    """
    assert summary(findings(text, select=["CFN004"])) == [("CFN004", "Fn", 11)]
