"""What keeps cfncheck fast without changing what it reports: bounded analysis (reported, never
silent), work split over processes with the same output, and shortcuts that must agree with the
long way. Speed itself is measured by benchmarks/bench.py, never here."""

from __future__ import annotations

import gc
import subprocess
import sys
import weakref
from pathlib import Path

import pytest

from cfncheck import checking, engine, workers
from cfncheck import phases as phase_timer
from cfncheck.catalog import Catalog
from cfncheck.conditions import MAX_ASSIGNMENTS, Conditions
from cfncheck.engine import RunOptions, RunResult, Source
from cfncheck.graph import (
    build_graph,
    has_resource_cycle,
    reaches,
    resource_cycles,
    resource_dependencies,
    resource_users,
)
from cfncheck.intrinsics import MAX_ALTERNATIVES
from cfncheck.loader import load_bytes
from cfncheck.phases import Phases
from cfncheck.references import iter_uses, resource_uses
from cfncheck.template import build
from cfncheck.testing import run_text, summary
from cfncheck.values import Scenario

ROOT = Path(__file__).parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"


def _corpus_slice(step: int) -> list[Path]:
    assert CORPUS.is_dir(), f"the shared corpus is expected at {CORPUS}"
    files = sorted(p for p in CORPUS.rglob("*") if p.suffix in (".yaml", ".yml", ".json", ".template"))
    return files[::step]


def _flags(count: int, condition: str = "F") -> tuple[str, str]:
    parameters = "\n".join(f"  P{i}: {{Type: String}}" for i in range(count))
    conditions = "\n".join(f"  {condition}{i}: !Equals [!Ref P{i}, 'yes']" for i in range(count))
    return parameters, conditions


# -- bounded analysis ---------------------------------------------------------------------


def test_a_value_past_the_scenario_cap_is_reported_on_its_line():
    parameters, conditions = _flags(7)
    tags = ", ".join(f"!If [F{i}, {{Key: t{i}, Value: x}}, !Ref AWS::NoValue]" for i in range(7))
    result = run_text(
        f"Parameters:\n{parameters}\nConditions:\n{conditions}\nResources:\n"
        f"  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      Tags: [{tags}]\n",
        select=["S3"],
    )
    assert 2**7 > MAX_ALTERNATIVES
    bounded = [f for f in result.findings if f.rule_id == "CFN900"]
    assert [(f.line, f.severity.name.lower()) for f in bounded] == [(21, "info")]
    assert (bounded[0].resource, bounded[0].path) == ("Bucket", ("Properties", "Tags"))
    assert f"more than {MAX_ALTERNATIVES} condition scenarios was not analysed" in bounded[0].message


def test_function_arguments_stop_multiplying_at_the_cap():
    """Fn::Join over 18 conditional parts: 262,144 combinations if enumerated; stopped at the cap."""
    parameters, conditions = _flags(18)
    parts = ", ".join(f"!If [F{i}, a, b]" for i in range(18))
    result = run_text(
        f"Parameters:\n{parameters}\nConditions:\n{conditions}\nResources:\n"
        f"  Queue:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Join ['', [{parts}]]\n",
        select=["CFN015"],
    )
    [bounded] = [f for f in result.findings if f.rule_id == "CFN900"]
    assert summary([bounded]) == [("CFN900", "Queue", 43)]
    assert bounded.path == ("Properties", "QueueName")
    assert bounded.message.startswith("Queue Properties.QueueName: a value with more than")


def test_the_condition_cap_is_reported_not_silent():
    parameters, _ = _flags(13)
    every = ", ".join(f"!Equals [!Ref P{i}, 'yes']" for i in range(13))
    result = run_text(
        f"Parameters:\n{parameters}\nConditions:\n  All: !And [{every}]\nResources:\n"
        "  Queue:\n    Type: AWS::SQS::Queue\n    Condition: All\n"
        "    Properties:\n      DelaySeconds: !If [All, 1, 2]\n",
        select=["SQS"],
    )
    assert 2**13 > MAX_ASSIGNMENTS
    [bounded] = [f for f in result.findings if f.rule_id == "CFN900"]
    assert bounded.line == 16 and "conditions All can hold together" in bounded.message


def test_independent_conditions_are_decided_one_by_one():
    """20 conditions on 20 parameters: satisfiable without the 2**20 assignments (and the cap)."""
    parameters, conditions = _flags(20)
    text = f"Parameters:\n{parameters}\nConditions:\n{conditions}\n  Same: !Equals [!Ref P0, 'no']\nResources: {{}}\n"
    template = build(load_bytes(text.encode(), "t.yaml"))
    decide = Conditions(template.conditions, template.parameters, {})
    everything = Scenario((f"F{i}", i % 2 == 0) for i in range(20))
    assert decide.satisfiable(everything)
    assert not decide.satisfiable(Scenario(everything | {("Same", True)}))  # F0 true needs P0 = yes
    assert decide.satisfiable(Scenario({("F0", False), ("Same", True), ("F7", True)}))
    assert decide.limits_hit == []


# -- the same output in parallel ------------------------------------------------------------


def _same_in_workers(sources: list[Source], monkeypatch) -> RunResult:
    """The run of ``sources`` with workers, asserted equal to the run in one process."""
    checks = Catalog.builtin().select()
    pooled = []
    original = workers.Alone.collect

    def spy(self, result, **options):
        pooled.append(self.pool is not None)
        return original(self, result, **options)

    monkeypatch.setattr(workers.Alone, "collect", spy)
    alone = engine.run(sources, RunOptions(checks=checks, jobs=1))
    shared = engine.run(sources, RunOptions(checks=checks, jobs=2))
    assert pooled == [False, True]  # jobs=1 checks every template in this process
    assert shared.findings == alone.findings and shared.findings
    assert shared.errors == alone.errors and shared.files == alone.files
    assert shared.suppressions == alone.suppressions
    assert shared.internal_errors == alone.internal_errors
    return shared


def test_workers_give_the_findings_of_one_process(monkeypatch):
    sources = [Source(str(p), str(p)) for p in _corpus_slice(12)]
    assert len(sources) >= workers.PARALLEL_MIN_TEMPLATES
    _same_in_workers(sources, monkeypatch)


NESTING = """Resources:
  Child:
    Type: AWS::CloudFormation::Stack
    Properties: {TemplateURL: child.yaml}
"""


@pytest.mark.parametrize(
    "nesting",
    [NESTING, NESTING.replace("AWS::CloudFormation::Stack", '"AWS::CloudFormation::\\u0053tack"')],
    ids=["plain", "escaped"],
)
def test_a_nested_child_is_checked_with_its_parent_not_in_a_worker(tmp_path, monkeypatch, nesting):
    """The child's text names nothing cross-template, yet it must be checked once, as a child."""
    (tmp_path / "parent.yaml").write_text(nesting)
    (tmp_path / "child.yaml").write_text(
        "Parameters: {Unused: {Type: String}}\nResources: {Q: {Type: AWS::SQS::Queue}}\n"
    )
    for index in range(workers.PARALLEL_MIN_TEMPLATES):
        (tmp_path / f"t{index:02}.yaml").write_text("Resources: {Q: {Type: AWS::SQS::Queue}}\n")
    sources = [Source(str(p), str(p)) for p in sorted(tmp_path.iterdir())]
    result = _same_in_workers(sources, monkeypatch)
    unused = [f for f in result.findings if f.rule_id == "CFN011"]
    assert [(Path(f.file).name, f.line) for f in unused] == [("child.yaml", 1)]


def test_a_template_checked_alone_is_freed_at_once(tmp_path, monkeypatch):
    """Memory must not grow with the number of files: with the cyclic collector off (as in a
    run), a template that takes no part in cross-template analysis is freed by reference
    counting once checked; one that exports is kept with the project until the project is
    checked, and freed with it, before the templates checked alone are read."""
    built = []
    alive_at_build = []
    original = checking.build

    def recording(document):
        alive_at_build.append({Path(file).name for file, ref in built if ref() is not None})
        template = original(document)
        built.append((template.file, weakref.ref(template)))
        return template

    monkeypatch.setattr(checking, "build", recording)
    for index in range(3):
        (tmp_path / f"alone{index}.yaml").write_text("Resources: {Q: {Type: AWS::SQS::Queue}}\n")
    (tmp_path / "exports.yaml").write_text(
        "Resources: {Q: {Type: AWS::SQS::Queue}}\nOutputs: {U: {Value: !Ref Q, Export: {Name: q}}}\n"
    )
    sources = [Source(str(p), str(p)) for p in sorted(tmp_path.iterdir())]
    checks = Catalog.builtin().select()
    gc.collect()
    gc.disable()
    try:
        result = engine.run(sources, RunOptions(checks=checks, jobs=1))
        alive = {Path(file).name for file, ref in built if ref() is not None}
    finally:
        gc.enable()
    assert result.findings and [Path(file).name for file, _ in built] == [
        "exports.yaml",
        "alone0.yaml",
        "alone1.yaml",
        "alone2.yaml",
    ]
    assert alive_at_build[1:] == [set()] * 3
    assert alive == set()
    assert any(Path(f.file).name == "alone0.yaml" for f in result.findings)


def test_jobs_output_is_byte_identical(tmp_path):
    paths = [str(p) for p in _corpus_slice(20)]
    outputs = []
    for jobs in ("1", "2"):
        done = subprocess.run(
            [sys.executable, "-m", "cfncheck", "--format", "json", "--jobs", jobs, *paths],
            capture_output=True,
            timeout=600,
        )
        assert done.returncode in (0, 1, 2), done.stderr[-2000:]
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1] and b'"rule_id"' in outputs[0]


# -- shortcuts agree with the long way ------------------------------------------------------


CYCLE = """
Transform: AWS::Serverless-2016-10-31
Resources:
  A: {Type: AWS::SNS::Topic, Properties: {DisplayName: !GetAtt B.TopicName}}
  B: {Type: AWS::SNS::Topic, Properties: {DisplayName: !Ref A}}
  Self: {Type: AWS::SQS::Queue, DependsOn: Self}
  Fn:
    Type: AWS::Serverless::Function
    Properties: {Events: {Q: {Type: SQS, Properties: {Queue: !GetAtt Q.Arn}}}}
  Q: {Type: AWS::SQS::Queue, Properties: {QueueName: !Ref Fn}}
"""


@pytest.mark.parametrize("remove", [(), ("Self",), ("Self", "A"), ("Self", "A", "B")])
def test_cycle_shortcut_agrees_with_the_graph(remove):
    template = build(load_bytes(CYCLE.encode(), "t.yaml"))
    for name in remove:
        del template.resources[name]
    assert has_resource_cycle(template) == bool(resource_cycles(build_graph(template)))
    assert has_resource_cycle(template) == (not remove or remove == ("Self",))


def test_cycle_shortcut_agrees_with_the_graph_on_real_templates():
    for path in _corpus_slice(4):
        try:
            template = build(load_bytes(path.read_bytes(), str(path)))
        except Exception:  # noqa: BLE001 - files that do not load have no graph
            continue
        assert has_resource_cycle(template) == bool(resource_cycles(build_graph(template))), path


def _shortcuts_agree_with_the_graph(template) -> int:
    """``resource_users`` against the graph's edges into each resource, and ``reaches`` over
    ``resource_dependencies`` against networkx's paths, for every pair of resources; returns how
    many pairs are connected."""
    import networkx as nx

    graph, dependencies, users = build_graph(template), resource_dependencies(template), resource_users(template)
    connected = 0
    for name in template.resources:
        expected = sorted((s, d["kind"], d["path"]) for s, _, d in graph.in_edges(("Resource", name), data=True))
        assert sorted((user, use.kind, use.path) for user, use in users[name]) == expected, (template.file, name)
    for start in template.resources:
        for end in template.resources:
            expected = nx.has_path(graph, ("Resource", start), ("Resource", end))
            assert reaches(dependencies, start, end) == expected, (template.file, start, end)
            connected += expected
    return connected


def test_reach_and_users_shortcuts_agree_with_the_graph():
    template = build(load_bytes(CYCLE.encode(), "t.yaml"))
    assert _shortcuts_agree_with_the_graph(template) > len(template.resources)
    dependencies = resource_dependencies(template)
    assert reaches(dependencies, "Fn", "Q") and reaches(dependencies, "Q", "Fn")  # SAM's split uses count
    assert not reaches(resource_dependencies(template, detached=False), "Fn", "Q")
    assert not reaches(dependencies, "A", "Missing")


def test_reach_and_users_shortcuts_agree_with_the_graph_on_real_templates():
    connected = 0
    for path in _corpus_slice(16):
        try:
            template = build(load_bytes(path.read_bytes(), str(path)))
        except Exception:  # noqa: BLE001 - files that do not load have no graph
            continue
        connected += _shortcuts_agree_with_the_graph(template)
    assert connected > 100


def test_uses_are_found_once_and_given_under_any_prefix():
    template = build(load_bytes(CYCLE.encode(), "t.yaml"))
    node = template.resources["A"].node
    first = list(resource_uses(node))
    assert list(resource_uses(node)) == first == [("GetAtt", "B", "TopicName", ("Properties", "DisplayName"))]
    properties = node["Properties"]
    assert list(iter_uses(properties, ("Resources", "A", "Properties"))) == [
        ("GetAtt", "B", "TopicName", ("Resources", "A", "Properties", "DisplayName"))
    ]
    plain = {"X": {"Ref": "A"}}  # not a loaded node: nothing is kept with it
    assert list(iter_uses(plain)) == [("Ref", "A", None, ("X",))]
    plain["Y"] = {"Ref": "B"}
    assert [u.target for u in iter_uses(plain)] == ["A", "B"]


def test_timings_give_wall_and_cpu_seconds_summed_over_workers(tmp_path):
    """With workers, the parent checks none of these stand-alone templates: the CPU seconds of
    loading and checking are the workers', sent back with their findings."""
    for index in range(workers.PARALLEL_MIN_TEMPLATES + 8):
        (tmp_path / f"t{index:02}.yaml").write_text(f"Resources: {{Q{index}: {{Type: AWS::SQS::Queue}}}}\n")
    done = subprocess.run(
        [sys.executable, "-m", "cfncheck", "--timings", "--jobs", "2", "--format", "json", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = [line.split() for line in done.stderr.splitlines() if line.startswith("cfncheck timing: ")]
    assert [line[2] for line in lines] == [*phase_timer.PHASES, "total"]
    assert all(len(line) == 6 and line[4] == "cpu" for line in lines), lines
    wall = {line[2]: float(line[3]) for line in lines}
    cpu = {line[2]: float(line[5]) for line in lines}
    assert cpu["load"] > 0 and cpu["checks"] > 0 and wall["checks"] > 0
    assert cpu["total"] >= cpu["load"] + cpu["checks"]


def test_phases_count_nested_time_once(monkeypatch):
    clock = iter(range(100))
    cpu_clock = iter(range(0, 1000, 10))
    monkeypatch.setattr(phase_timer.time, "perf_counter", lambda: next(clock))
    monkeypatch.setattr(phase_timer.time, "thread_time", lambda: next(cpu_clock))
    timings: dict[str, float] = {"load": 0, "checks": 0, "graph": 0}
    cpu: dict[str, float] = {"load": 0, "checks": 0, "graph": 0}
    phases = Phases(timings, cpu)
    with phases("checks"):  # 0
        with phases("graph"):  # 1
            with phases("graph"):  # re-entered: still one phase, the clock is not read
                pass
        # graph ends at 2
    # checks ends at 3
    assert timings == {"load": 0, "checks": 2, "graph": 1}
    assert cpu == {"load": 0, "checks": 20, "graph": 10}
