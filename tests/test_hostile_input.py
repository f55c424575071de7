"""Hostile input: every bound on a file's size, depth, aliases, nodes and scenarios holds in practice.

Each input is checked by the real command line in a child process limited to 200 MB of address
space and 5 seconds: a bound that did not trigger would show as a MemoryError, a traceback, a
timeout or a missing message, never as a machine brought down. Inputs that cannot be read
exit 2 with exactly one error line naming the file and the problem; inputs that can be read
but would need too much analysis finish in time, with an ``analysis-bounded`` finding where
cfncheck stopped enumerating.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from cfncheck.intrinsics import MAX_ALTERNATIVES, MAX_CIDR_COUNT, MAX_TEXT
from cfncheck.loader import MAX_BYTES, MAX_DEPTH, MAX_NODES, LoadError, load_bytes
from cfncheck.template import build

MEMORY = 200 * 2**20
SECONDS = 5.0


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    resource.setrlimit(resource.RLIMIT_CPU, (int(SECONDS) + 5, int(SECONDS) + 5))


def cfncheck(*paths: Path, options: tuple[str, ...] = ()) -> tuple[subprocess.CompletedProcess, float]:
    """Run the command line on files; returns the process and the CPU seconds it used.

    CPU time, not wall time, is compared with the bound: the machine running the tests may be busy.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        [sys.executable, "-m", "cfncheck", *options, *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=SECONDS * 6,
        preexec_fn=_limit_memory,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return done, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def billion_laughs(levels: int = 9, fanout: int = 10) -> bytes:
    lines = ["Resources:", "  Q:", "    Type: AWS::SQS::Queue", "    Metadata:"]
    lines.append("      l0: &l0 [" + ", ".join(['"lol"'] * fanout) + "]")
    for level in range(1, levels):
        lines.append(f"      l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * fanout) + "]")
    return ("\n".join(lines) + "\n").encode()


def big_text_aliased(copies: int = 2000) -> bytes:
    """One 400 kB string repeated by aliases and joined: small to read, huge to expand."""
    items = ", ".join(["*s"] * copies)
    return (
        "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Metadata:\n"
        f"      text: &s {'x' * 400_000}\n"
        f"    Properties:\n      QueueName: !Join ['', [{items}]]\n"
    ).encode()


UNREADABLE = {
    "malformed-yaml": (b"Resources:\n  Q: [\n", "invalid YAML", "yaml"),
    "malformed-json": (b'{"Resources": {"Q": }\n', "invalid JSON", "json"),
    "billion-laughs": (billion_laughs(), "alias bomb", "yaml"),
    "aliased-big-text": (big_text_aliased(), "alias bomb", "yaml"),
    "self-referencing-anchor": (b"Resources: &r\n  Q: *r\n", "refers to its own anchor", "yaml"),
    "self-referencing-anchor-in-list": (b"a: &x [1, *x]\n", "refers to its own anchor", "yaml"),
    "deep-yaml-flow": (b"Resources: " + b"[" * 200_000 + b"]" * 200_000 + b"\n", "nesting deeper", "yaml"),
    "deep-yaml-block": (
        "".join(f"{'  ' * i}k{i}:\n" for i in range(MAX_DEPTH + 50)).encode() + b"  " * (MAX_DEPTH + 50) + b"v\n",
        "nesting deeper",
        "yaml",
    ),
    "deep-json": (b'{"Resources": ' + b'{"a": ' * 100_000 + b"1" + b"}" * 100_001, "nesting deeper", "json"),
    "non-utf8": (b"Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Description: caf\xe9\n", "not UTF-8", "yaml"),
    "utf16": ("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n".encode("utf-16"), "save it as UTF-8", "yaml"),
    "binary": (bytes(range(256)) * 64, "binary file", "yaml"),
    "binary-without-nul": (bytes(range(1, 256)) * 64, "not UTF-8", "yaml"),
    "empty": (b"", "empty file", "yaml"),
    "blank": (b"  \n\n\t\n", "empty file", "yaml"),
    "top-level-list": (b"- Resources\n- Q\n", "top level of a template must be a mapping", "yaml"),
    "top-level-scalar": (b"Resources\n", "top level of a template must be a mapping", "yaml"),
    "top-level-null": (b"~\n", "top level of a template must be a mapping", "yaml"),
    "top-level-json-list": (b'[{"Resources": {}}]\n', "top level of a template must be a mapping", "json"),
    "resources-list": (b"Resources:\n  - Type: AWS::SQS::Queue\n", "Resources must be a mapping", "yaml"),
    "resources-scalar": (b'{"Resources": "none"}\n', "Resources must be a mapping", "json"),
    "resources-null": (b"Resources:\n", "Resources must be a mapping", "yaml"),
    "over-1-mb": (
        b"Resources:\n  Q:\n    Type: AWS::SQS::Queue\n#" + b"x" * MAX_BYTES + b"\n",
        "template limit",
        "yaml",
    ),
    "two-documents": (b"Resources: {}\n---\nResources: {}\n", "more than one YAML document", "yaml"),
    "unknown-tag": (b"Resources: !Include x\n", "unknown tag", "yaml"),
    "binary-scalar": (b"Resources:\n  Q: !!binary aGVsbG8=\n", "binary scalars", "yaml"),
    "collection-key": (b"Resources:\n  ? [a, b]\n  : x\n", "mapping key must be a string", "yaml"),
}


@pytest.mark.parametrize("name", sorted(UNREADABLE))
def test_unreadable_input_is_refused_with_its_reason(name):
    data, expected, suffix = UNREADABLE[name]
    with pytest.raises(LoadError) as caught:
        build(load_bytes(data, f"{name}.{suffix}"))
    assert expected in caught.value.message
    assert caught.value.line is None or 1 <= caught.value.line <= data.count(b"\n") + 1


def test_unreadable_inputs_exit_2_with_one_line_each_within_bounds(tmp_path):
    """One run over every unreadable input: 200 MB and 5 s of CPU for all of them together."""
    paths = {}
    for name, (data, _, suffix) in UNREADABLE.items():
        paths[name] = tmp_path / f"{name}.{suffix}"
        paths[name].write_bytes(data)
    done, elapsed = cfncheck(*paths.values())
    assert done.returncode == 2, (done.returncode, done.stderr[-2000:])
    assert "Traceback" not in done.stderr and not done.stdout, done.stderr[-2000:]
    errors = [line for line in done.stderr.splitlines() if " error: " in line]
    assert len(errors) == len(paths), done.stderr
    for name, path in paths.items():
        [line] = [e for e in errors if e.startswith(f"{path}:")]
        assert UNREADABLE[name][1] in line, line
    assert elapsed < SECONDS, elapsed


def test_node_bound_is_counted_after_alias_expansion():
    with pytest.raises(LoadError, match="alias bomb") as caught:
        load_bytes(billion_laughs(levels=7), "bomb.yaml")  # 10**7 nodes from 70 written
    assert f"{MAX_NODES:,}" in caught.value.message


def test_depth_bound_is_the_same_in_yaml_and_json():
    for text in ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), "{" + '"a":{' * MAX_DEPTH + "}" * (MAX_DEPTH + 1)):
        for name in ("deep.yaml", "deep.json"):
            with pytest.raises(LoadError, match=f"nesting deeper than {MAX_DEPTH}"):
                load_bytes(text.encode(), name)
    load_bytes(("{" + '"a":{' * (MAX_DEPTH - 2) + "}" * (MAX_DEPTH - 1)).encode(), "fine.json")


def test_end_of_input_errors_point_inside_the_file():
    """Regression: LibYAML marks an unexpected end of input past the last line of a file without a final newline."""
    with pytest.raises(LoadError) as caught:
        load_bytes(b"AWSTemplateFormatVersion: '2010-09-09'\nTransform: X\nD", "cut.yaml")
    assert (caught.value.line, caught.value.column) == (3, 2)


def test_block_scalar_ends_on_its_own_last_line():
    """Regression: a block scalar's region ran to the line after it (past the end of the file when it was last)."""
    root = load_bytes(b"Resources:\n  Q:\n    Type: X\n    Metadata:\n      a: |\n        text\n\n", "t.yaml").root
    queue = root["Resources"]["Q"]
    assert queue.mark.end_line == 7
    assert root.mark.end_line == 7


def _conditions(count: int) -> dict:
    return {f"C{i}": {"Fn::Equals": [{"Ref": f"P{i}"}, "yes"]} for i in range(count)}


def _scenario_bomb(conditions: int) -> dict:
    """A property that is a list of Fn::If over independent conditions: 2**n combinations."""
    return {
        "Parameters": {f"P{i}": {"Type": "String"} for i in range(conditions)},
        "Conditions": _conditions(conditions),
        "Resources": {
            "Sg": {
                "Type": "AWS::EC2::SecurityGroup",
                "Properties": {
                    "GroupDescription": "x",
                    "SecurityGroupIngress": [
                        {
                            "Fn::If": [
                                f"C{i}",
                                {"IpProtocol": "tcp", "FromPort": i, "ToPort": i, "CidrIp": "0.0.0.0/0"},
                                {"Ref": "AWS::NoValue"},
                            ]
                        }
                        for i in range(conditions)
                    ],
                    "Tags": [{"Key": {"Fn::If": [f"C{i}", "a", "b"]}, "Value": "v"} for i in range(conditions)],
                },
            }
        },
        "Outputs": {
            "Out": {"Value": {"Fn::Join": [",", [{"Fn::If": [f"C{i}", "a", "b"]} for i in range(conditions)]]}}
        },
    }


def _nested_ifs(depth: int) -> dict:
    """Fn::If inside Fn::Join inside Fn::If…: the alternatives multiply at every level."""
    value: object = "leaf"
    for i in range(depth):
        value = {"Fn::If": [f"C{i}", {"Fn::Join": ["-", [value, {"Fn::If": [f"C{i + depth}", "a", "b"]}]]}, "z"]}
    return value  # type: ignore[return-value]


def _joined_ifs(first: int) -> dict:
    return {"Fn::Join": ["", [{"Fn::If": [f"C{i}", "1", "2"]} for i in range(first, first + 6)]]}


ANALYSIS_BOMBS = {
    "scenario-product": _scenario_bomb(40),
    "nested-if": {
        "Parameters": {f"P{i}": {"Type": "String"} for i in range(80)},
        "Conditions": _conditions(80),
        "Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": _nested_ifs(18)}}},
    },
    "argument-product": {
        # Three arguments of 64 alternatives each: 262,144 combinations if nothing stopped them.
        "Parameters": {f"P{i}": {"Type": "String"} for i in range(18)},
        "Conditions": _conditions(18),
        "Mappings": {"M": {"a": {"b": "c"}}},
        "Resources": {
            "Q": {
                "Type": "AWS::SQS::Queue",
                "Properties": {
                    "QueueName": {"Fn::FindInMap": ["M", _joined_ifs(0), _joined_ifs(6)]},
                    "KmsMasterKeyId": {"Fn::Cidr": [_joined_ifs(0), _joined_ifs(6), _joined_ifs(12)]},
                },
            }
        },
    },
    "satisfiability-search": {
        # Conditions over many parameters compared with many literals: the search space is bounded.
        "Parameters": {f"P{i}": {"Type": "String", "AllowedValues": [str(v) for v in range(9)]} for i in range(12)},
        "Conditions": {
            f"C{i}": {"Fn::And": [{"Fn::Equals": [{"Ref": f"P{j}"}, str((i + j) % 9)]} for j in range(12)]}
            for i in range(30)
        },
        "Resources": {
            f"Q{i}": {
                "Type": "AWS::SQS::Queue",
                "Condition": f"C{i}",
                "Properties": {"DelaySeconds": {"Fn::If": [f"C{(i + 1) % 30}", 1, 2]}},
            }
            for i in range(30)
        },
    },
    "cidr-count": {
        "Resources": {
            "S": {
                "Type": "AWS::EC2::Subnet",
                "Properties": {"VpcId": "vpc-1", "CidrBlock": {"Fn::Select": [0, {"Fn::Cidr": ["::/0", 10**9, 64]}]}},
            }
        }
    },
    "long-join": {
        # 60,000 references to a 4 kB parameter: 240 MB of text if it were built.
        "Parameters": {"Big": {"Type": "String", "Default": "x" * 4000}},
        "Resources": {
            "Q": {
                "Type": "AWS::SQS::Queue",
                "Properties": {"QueueName": {"Fn::Join": ["", [{"Ref": "Big"}] * 60_000]}},
            }
        },
    },
    "long-sub": {
        "Parameters": {"Big": {"Type": "String", "Default": "x" * 4000}},
        "Resources": {
            "Q": {
                "Type": "AWS::SQS::Queue",
                "Properties": {"QueueName": {"Fn::Sub": "${Big}" * 150_000}},
            }
        },
    },
    "many-resources": {
        # Three times CloudFormation's limit of 500 resources, each referring to two others.
        "Resources": {
            f"Q{i}": {
                "Type": "AWS::SQS::Queue",
                "DependsOn": [f"Q{i - 1}"] if i else [],
                "Properties": {
                    "QueueName": {"Fn::Sub": "${AWS::StackName}-" + str(i)},
                    "RedrivePolicy": {
                        "deadLetterTargetArn": {"Fn::GetAtt": [f"Q{(i + 1) % 1500}", "Arn"]},
                        "maxReceiveCount": 3,
                    },
                },
            }
            for i in range(1500)
        }
    },
    "condition-chain": {
        "Parameters": {"P": {"Type": "String"}},
        "Conditions": {f"C{i}": {"Fn::Not": [{"Condition": f"C{i + 1}"}]} for i in range(400)}
        | {"C400": {"Fn::Equals": [{"Ref": "P"}, "x"]}},
        "Resources": {"Q": {"Type": "AWS::SQS::Queue", "Condition": "C0"}},
    },
}


def _flat(count: int, item: str, yaml: bool) -> bytes:
    """A valid template of about 1 MB that is nearly all nodes: the most a file can hold."""
    items = ",".join([item] * count)
    head = '{"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Metadata": ['
    return (head + items + "]}}}").encode() if not yaml else ("Resources: " + head[14:] + items + "]}}").encode()


ANALYSIS_BOMBS |= {
    "most-objects-json": _flat(330_000, "{}", yaml=False),
    "most-scalars-yaml": _flat(490_000, "0", yaml=True),
}


@pytest.mark.parametrize("name", sorted(ANALYSIS_BOMBS))
def test_costly_analysis_is_bounded(tmp_path, name):
    bomb = ANALYSIS_BOMBS[name]
    path = tmp_path / f"{name}.{'yaml' if name.endswith('yaml') else 'json'}"
    path.write_bytes(bomb if isinstance(bomb, bytes) else json.dumps(bomb).encode())
    assert path.stat().st_size < MAX_BYTES
    done, elapsed = cfncheck(path, options=("--format", "json"))
    assert done.returncode in (0, 1), (done.returncode, done.stderr[-2000:])
    report = json.loads(done.stdout)
    assert not report["errors"]
    assert not [f for f in report["findings"] if f["rule_id"] == "CFN000"], report["findings"]
    assert elapsed < SECONDS


def test_scenario_bound_is_reported():
    from cfncheck.testing import run_text

    result = run_text(json.dumps(_scenario_bomb(10)), name="bomb.json")
    bounded = [f for f in result.findings if f.rule_id == "CFN900"]
    assert bounded and f"more than {MAX_ALTERNATIVES} condition scenarios" in bounded[0].message
    assert not [f for f in result.findings if f.rule_id == "CFN000"]


def test_cidr_count_is_bounded():
    """Regression: `!Cidr ["::/0", 1000000000, 64]` enumerated a billion subnets."""
    from cfncheck.intrinsics import Resolver

    document = load_bytes(b"Resources: {}\n", "t.yaml")
    resolver = Resolver(build(document))
    [alt] = resolver.resolve({"Fn::Cidr": ["::/0", 10**9, 64]})
    assert type(alt.value).__name__ == "Unknown"
    [alt] = resolver.resolve({"Fn::Cidr": ["10.0.0.0/16", MAX_CIDR_COUNT, 8]})
    assert len(alt.value) == MAX_CIDR_COUNT
    [alt] = resolver.resolve({"Fn::Cidr": [True, 2, 8]})
    assert type(alt.value).__name__ == "Unknown"


def test_text_bound_is_reported():
    """Regression: `!Join` of 60,000 references to a 4 kB parameter built 240 MB of text."""
    from cfncheck.testing import run_text

    result = run_text(json.dumps(ANALYSIS_BOMBS["long-join"]), name="long.json")
    bounded = [f for f in result.findings if f.rule_id == "CFN900"]
    assert bounded and f"a text longer than {MAX_TEXT:,} characters was not built" in bounded[0].message
    assert not [f for f in result.findings if f.rule_id == "CFN000"]


def test_every_node_is_counted_once(monkeypatch):
    """Regression: each collection re-counted all the nodes below it, so deep legitimate files hit the bound."""
    monkeypatch.setattr("cfncheck.loader.MAX_NODES", 1_000)
    items = ", ".join(["{a: {b: [1]}}"] * 150)  # about 750 nodes, six levels deep
    load_bytes(f"Resources: {{Q: {{Type: X, Metadata: {{m: [{items}]}}}}}}\n".encode(), "t.yaml")
    with pytest.raises(LoadError, match="more than 1,000 nodes"):
        load_bytes(f"Resources: {{Q: {{Type: X, Metadata: {{m: [{items}, {items}]}}}}}}\n".encode(), "t.yaml")


def test_anchored_scalars_can_be_aliased():
    """Regression: an alias to an anchored scalar was refused as referring to no anchor."""
    root = load_bytes(b"Resources:\n  Q:\n    Type: &t AWS::SQS::Queue\n  R:\n    Type: *t\n", "t.yaml").root
    assert root["Resources"]["R"]["Type"] == "AWS::SQS::Queue"


def test_condition_search_bound_is_reported():
    from cfncheck.conditions import MAX_ASSIGNMENTS
    from cfncheck.testing import run_text

    result = run_text(json.dumps(ANALYSIS_BOMBS["satisfiability-search"]), name="conditions.json")
    bounded = [f for f in result.findings if f.rule_id == "CFN900"]
    assert bounded and f"(more than {MAX_ASSIGNMENTS:,}), so it was assumed possible" in bounded[0].message
    assert not [f for f in result.findings if f.rule_id == "CFN000"]
