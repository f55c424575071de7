"""Memory that does not grow with the number of files: a template that takes no part in
cross-template analysis is freed once checked, and a run leaves nothing in reference cycles
(the command line turns the cyclic collector off, so a cycle is memory kept to the end).
What a run keeps per template is its findings. Speed is measured by benchmarks/bench.py."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from pathlib import Path

from cfncheck.result import Source
from cfncheck.session import Session
from cfncheck.testing import configuration

ROOT = Path(__file__).parent.parent


def _template(index: int) -> dict:
    """A small stand-alone template of its own (names vary with ``index``), touching the shared
    analyses whose caches once held cycles: conditions, a topic delivering to a queue, a
    security group's rules; with about as many findings as a template of the corpus has."""
    return {
        "Parameters": {"Stage": {"Type": "String", "Default": f"stage{index}"}},
        "Conditions": {
            "Prod": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]},
            "NotProd": {"Fn::Not": [{"Condition": "Prod"}]},
        },
        "Resources": {
            "Queue": {
                "Type": "AWS::SQS::Queue",
                "Properties": {
                    "QueueName": {"Fn::Sub": f"${{AWS::StackName}}-jobs-{index}"},
                    "DelaySeconds": {"Fn::If": ["Prod", 0, 5]},
                },
            },
            "Topic": {
                "Type": "AWS::SNS::Topic",
                "Properties": {"Subscription": [{"Protocol": "sqs", "Endpoint": {"Fn::GetAtt": ["Queue", "Arn"]}}]},
            },
            "Group": {
                "Type": "AWS::EC2::SecurityGroup",
                "Properties": {
                    "GroupDescription": f"web {index}",
                    "SecurityGroupIngress": [
                        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "10.0.0.0/8"}
                    ],
                },
            },
        },
    }


def _write_templates(folder: Path, count: int) -> list[Path]:
    """``count`` stand-alone templates, JSON and YAML alternately."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(count):
        template = _template(index)
        if index % 2:
            path = folder / f"t{index:05}.json"
            path.write_text(json.dumps(template, indent=2))
        else:
            path = folder / f"t{index:05}.yaml"
            path.write_text(_yaml(template))
        paths.append(path)
    return paths


def _yaml(template: dict) -> str:
    import yaml

    return yaml.safe_dump(template, sort_keys=False)


def _peak_kb(folder: Path) -> int:
    (
        """The peak resident memory (KiB) of ``cfncheck --jobs 1`` over the folder (text report), in a
    process of its own."""
        ""
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "cfncheck", "--jobs", "1", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    stderr = process.stderr.read().decode()
    process.stderr.close()
    assert process.returncode == 1, stderr[-2000:]  # findings, and no file that could not be checked
    return usage.ru_maxrss if sys.platform != "darwin" else usage.ru_maxrss // 1024


def test_peak_memory_does_not_grow_with_the_number_of_files(tmp_path):
    few, many = tmp_path / "few", tmp_path / "many"
    _write_templates(few, 40)
    _write_templates(many, 400)
    small, large = _peak_kb(few), _peak_kb(many)
    assert large < small * 1.2, f"40 templates: {small} KiB, 400 templates: {large} KiB"


def _cross_stack(folder: Path) -> list[Path]:
    """Templates that take part in cross-template analysis (an export and its import), and one
    whose resources depend on each other in a cycle (the dependency graph is built)."""
    exporter = folder / "network.yaml"
    exporter.write_text(
        "Resources:\n  Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.0.0.0/16}}\n"
        "Outputs:\n  VpcId: {Value: !Ref Vpc, Export: {Name: network-vpc}}\n"
    )
    importer = folder / "app.yaml"
    importer.write_text(
        "Resources:\n  Group:\n    Type: AWS::EC2::SecurityGroup\n"
        "    Properties: {GroupDescription: app, VpcId: !ImportValue network-vpc}\n"
    )
    cycle = folder / "cycle.yaml"
    cycle.write_text(
        "Resources:\n  A: {Type: AWS::SNS::Topic, Properties: {DisplayName: !GetAtt B.TopicName}}\n"
        "  B: {Type: AWS::SNS::Topic, Properties: {DisplayName: !GetAtt A.TopicName}}\n"
    )
    return [exporter, importer, cycle]


def test_a_run_leaves_no_reference_cycles(tmp_path):
    """With the collector off, a run (in one process, and with workers, with --timings) leaves
    nothing that only the cyclic collector could free: no template, analysis, reader or text."""
    paths = _write_templates(tmp_path, 40) + _cross_stack(tmp_path)
    sources = tuple(Source(str(path), str(path)) for path in paths)
    for jobs in (1, 2):
        session = Session(configuration(), sources, jobs=jobs, timings=True)
        session.check()  # first: imports and caches that live as long as the process
        gc.collect()
        gc.disable()
        try:
            outcome = session.check()
            left = gc.collect()
        finally:
            gc.enable()
        rules = {finding.rule_id for finding in outcome.findings}
        assert {"CFN004", "SNS002"} <= rules and not outcome.errors  # the graph and the links were made
        assert left == 0, f"--jobs {jobs}: {left} objects in reference cycles"
