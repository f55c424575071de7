"""The mechanisms under the messaging and cross-stack checks: following references (Ref,
GetAtt, Sub ARNs, aliases, imports across templates), SAM event sources, the project's import
index, nested children, unreadable files, and contexts on other templates."""

import textwrap

from cfncheck.analysis.wiring import deliveries, event_sources, function_of, polled
from cfncheck.catalog import Check
from cfncheck.context import Analysis, Context
from cfncheck.engine import RunOptions, Source, run
from cfncheck.intrinsics import Resolver
from cfncheck.loader import load_bytes
from cfncheck.project import Project, import_calls
from cfncheck.template import build
from cfncheck.values import ABSENT, Scenario

PROBE = Check("TEST", "test", 1, lambda *a: None, "template")


def project_of(*texts):
    templates = [build(load_bytes(textwrap.dedent(t).lstrip().encode(), f"t{i}.yaml")) for i, t in enumerate(texts)]
    project = Project(templates=templates)
    for template in templates:
        project.resolvers[template.file] = Resolver(template, importer=project.export_value)
    project.index_exports(templates)
    project.index_imports(templates)
    for template in templates:
        project.analyses[template.file] = Analysis(template, project.resolvers[template.file], project)
    return project, [Context(project.analyses[t.file], PROBE) for t in templates]


WIRED = """
Conditions:
  IsProd: !Equals [!Ref "AWS::Region", eu-west-1]
Resources:
  Fn: {Type: AWS::Lambda::Function}
  Version: {Type: AWS::Lambda::Version, Properties: {FunctionName: !Ref Fn}}
  Alias: {Type: AWS::Lambda::Alias, Properties: {FunctionName: !GetAtt Fn.Arn, FunctionVersion: "1", Name: live}}
  Other: {Type: AWS::Lambda::Function}
  Queue: {Type: AWS::SQS::Queue}
  ByRef: {Type: AWS::Lambda::Permission, Properties: {FunctionName: !Ref Fn}}
  BySub: {Type: AWS::Lambda::Permission, Properties: {FunctionName: !Sub "arn:aws:lambda:eu-west-1:1:function:${Fn}"}}
  ByAlias: {Type: AWS::Lambda::Permission, Properties: {FunctionName: !Ref Alias}}
  ByVersion: {Type: AWS::Lambda::Permission, Properties: {FunctionName: !Ref Version}}
  ByIf: {Type: AWS::Lambda::Permission, Properties: {FunctionName: !If [IsProd, !Ref Fn, !Ref Other]}}
  Unknown: {Type: AWS::Lambda::Permission, Properties: {FunctionName: some-name}}
"""


def test_follow_reaches_the_function_through_ref_sub_alias_and_version():
    _, (ctx,) = project_of(WIRED)
    for name in ("ByRef", "BySub", "ByAlias", "ByVersion"):
        (link,) = ctx.links(ctx.template.resources[name], "Properties.FunctionName")
        assert function_of(link).logical_id == "Fn", name
    assert ctx.links(ctx.template.resources["Unknown"], "Properties.FunctionName") == []


def test_follow_keeps_the_scenario_of_each_branch():
    _, (ctx,) = project_of(WIRED)
    links = ctx.links(ctx.template.resources["ByIf"], "Properties.FunctionName")
    assert [(link.logical_id, link.scenario) for link in links] == [
        ("Fn", Scenario({("IsProd", True)})),
        ("Other", Scenario({("IsProd", False)})),
    ]


def test_follow_goes_through_an_import_to_the_exporting_resource():
    exporter = """
    Resources:
      Queue: {Type: AWS::SQS::Queue, Properties: {VisibilityTimeout: 40}}
    Outputs:
      Arn: {Value: !GetAtt Queue.Arn, Export: {Name: q-arn}}
    """
    importer = """
    Resources:
      Queue: {Type: AWS::SNS::Topic}
      Mapping: {Type: AWS::Lambda::EventSourceMapping, Properties: {EventSourceArn: !ImportValue q-arn}}
    """
    project, (_, ctx) = project_of(exporter, importer)
    (link,) = ctx.links(ctx.template.resources["Mapping"], "Properties.EventSourceArn")
    # the importer's own resource named Queue is not confused with the exporter's
    assert (link.type, link.via, link.analysis.template.file) == ("AWS::SQS::Queue", "q-arn", "t0.yaml")
    assert [alt.value for alt in link.values("Properties.VisibilityTimeout")] == [40]
    assert link.location(ctx, "Properties.VisibilityTimeout").file == "t0.yaml"
    assert [(i.name, i.path) for i in project.imports] == [
        ("q-arn", ("Resources", "Mapping", "Properties", "EventSourceArn"))
    ]


def test_import_calls_carry_the_scenario_of_their_branch_and_resource():
    text = """
    Conditions:
      A: !Equals [!Ref "AWS::Region", x]
    Resources:
      G:
        Type: AWS::EC2::SecurityGroup
        Condition: A
        Properties: {VpcId: !If [A, !ImportValue one, !ImportValue two]}
    """
    _, (ctx,) = project_of(text)
    assert [(arg, scenario) for arg, _, scenario in import_calls(ctx.template)] == [
        ("one", Scenario({("A", True)})),
    ]  # the false branch is impossible where G exists


def test_sam_events_are_event_sources_and_deliveries_skip_sam_generated_grants():
    text = """
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Queue: {Type: AWS::SQS::Queue}
      Topic: {Type: AWS::SNS::Topic}
      Fn:
        Type: AWS::Serverless::Function
        Properties:
          Events:
            Q: {Type: SQS, Properties: {Queue: !GetAtt Queue.Arn}}
            T: {Type: SNS, Properties: {Topic: !Ref Topic}}
    """
    _, (ctx,) = project_of(text)
    fn = ctx.template.resources["Fn"]
    assert [s.path for s in event_sources(fn)] == [("Properties", "Events", "Q", "Properties", "Queue")]
    assert [(o.logical_id, f.logical_id) for _, o, f in polled(ctx, fn)] == [("Queue", "Fn")]
    assert deliveries(ctx) == []


def test_ctx_on_gives_findings_and_locations_in_another_template():
    _, (first, second) = project_of(
        "Resources: {A: {Type: AWS::SNS::Topic}}", "Resources:\n  B: {Type: AWS::SNS::Topic}"
    )
    other = first.on(second.template)
    assert other.template is second.template and first.on(first.template) is first
    assert other.location(second.template.resources["B"], ()).file == "t1.yaml"


def test_engine_loads_nested_children_and_keeps_text_of_unreadable_files(tmp_path):
    (tmp_path / "child.yaml").write_text("Resources:\n  T: {Type: AWS::SNS::Topic}\n")
    (tmp_path / "parent.yaml").write_text(
        "Resources:\n  C: {Type: AWS::CloudFormation::Stack, Properties: {TemplateURL: child.yaml}}\n"
    )
    broken = Source("broken.yaml", data=b"Resources: [\n  Export: {Name: hidden-name}\n")
    parent = str(tmp_path / "parent.yaml")
    result = run([Source(parent, parent), broken], RunOptions())
    assert any(name.endswith("child.yaml") for name in result.files)
    assert len(result.errors) == 1


def test_may_export_sees_partly_known_names_and_unreadable_files():
    project, _ = project_of("Outputs:\n  X: {Value: v, Export: {Name: !Sub '${AWS::StackName}-VpcId'}}\nResources: {}")
    assert project.may_export("network-VpcId") and not project.may_export("network-SubnetId")
    project.unreadable["broken.yaml"] = "Export: {Name: hidden-name}"
    assert project.may_export("hidden-name")


def test_export_value_of_a_resource_reference_stays_an_import():
    project, _ = project_of(
        "Resources:\n  Q: {Type: AWS::SQS::Queue}\nOutputs:\n  A: {Value: !GetAtt Q.Arn, Export: {Name: a}}\n"
        "  B: {Value: literal, Export: {Name: b}}"
    )
    assert project.export_value("b") == "literal"
    assert project.export_value("a") is ABSENT  # the importer's resolver keeps it an import, to follow
