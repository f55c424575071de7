"""Property-based tests: generated templates never crash cfncheck, and its answers are stable.

Each generated template is checked with every registered check, written as YAML and as JSON,
with its mappings in another order, and resolved twice. See tests/strategies.py for what is
generated and README.md ("Robustness testing") for the long campaign.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from hypothesis import given
from hypothesis import strategies as st
from strategies import (
    SEEDS,
    assert_sound,
    identity,
    presence,
    run_options,
    run_text,
    shuffled,
    templates,
    to_json,
    to_yaml,
)

from cfncheck.engine import Source
from cfncheck.graph import build_graph
from cfncheck.graph import to_json as graph_json
from cfncheck.intrinsics import Resolver
from cfncheck.loader import load_bytes
from cfncheck.template import build
from cfncheck.testing import run_sources


@given(templates(), st.booleans())
def test_yaml_and_json_give_the_same_findings(template, short_form):
    yaml_text, json_text = to_yaml(template, short_form), to_json(template)
    from_yaml, from_json = run_text(yaml_text, "t.yaml"), run_text(json_text, "t.json")
    assert_sound(from_yaml, yaml_text)
    assert_sound(from_json, json_text)
    assert [e.message for e in from_yaml.errors] == [e.message for e in from_json.errors]
    assert identity(from_yaml) == identity(from_json), yaml_text


@given(templates(), st.randoms(use_true_random=False), run_options)
def test_findings_do_not_depend_on_mapping_order(template, rng, options):
    text, reordered = to_yaml(template), to_yaml(shuffled(template, rng))
    first, second = run_text(text, "t.yaml", **options), run_text(reordered, "t.yaml", **options)
    assert_sound(first, text)
    assert_sound(second, reordered)
    assert presence(first) == presence(second), f"{text}\n---- reordered ----\n{reordered}"


def _resolved(text: str):
    template = build(load_bytes(text.encode("utf-8"), "t.yaml"))
    resolver = Resolver(template)
    values = {
        logical_id: resolver.get(resource.node, ("Properties",), resource.exists_in)
        for logical_id, resource in template.resources.items()
    }
    outputs = {name: resolver.resolve(output.value) for name, output in template.outputs.items()}
    return values, outputs, list(resolver.limits_hit), graph_json(build_graph(template))


@given(templates())
def test_resolving_is_deterministic(template):
    text = to_yaml(template)
    first, second = _resolved(text), _resolved(text)
    assert repr(first) == repr(second)
    assert first == second
    # The whole run too: same findings, same places, same order, same messages.
    assert [f.as_dict() for f in run_text(text, "t.yaml").findings] == [
        f.as_dict() for f in run_text(text, "t.yaml").findings
    ]


def test_resolving_a_new_node_never_returns_an_old_nodes_value():
    """Regression: results were memoised by id(node), and a freed node's id can be given to the next one."""
    resolver = Resolver(build(load_bytes(b"Resources: {}\n", "t.yaml")))
    for count in range(1, 40):
        [alt] = resolver.resolve({"Fn::Join": [",", ["x"] * count]})  # each dict is freed after its call
        assert alt.value == ",".join(["x"] * count)


def test_output_does_not_depend_on_the_hash_seed():
    """Set and dict iteration orders that follow string hashes must never reach the output."""
    sample = SEEDS[:: max(1, len(SEEDS) // 60)]
    outputs = [
        subprocess.run(
            [sys.executable, "-m", "cfncheck", "--format", "json", *sample],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        for seed in ("1", "2")
    ]
    assert outputs[0].returncode in (0, 1, 2) and json.loads(outputs[0].stdout)["findings"]
    assert outputs[0].stdout == outputs[1].stdout


def test_an_export_that_imports_itself_does_not_recurse():
    """Regression: an output importing its own export (or two templates importing each other's)
    recursed without end while the run indexed imports, and the whole run crashed."""
    itself = "Resources:\n  Q:\n    Type: AWS::SQS::Queue\nOutputs:\n  O:\n    Value: !ImportValue a\n"
    itself += "    Export: {Name: a}\n"
    other = itself.replace("ImportValue a", "ImportValue b").replace("Name: a", "Name: c")
    back = itself.replace("ImportValue a", "ImportValue c").replace("Name: a", "Name: b")
    for sources in (
        [Source("one.yaml", data=itself.encode())],
        [Source("b.yaml", data=other.encode()), Source("c.yaml", data=back.encode())],
    ):
        result = run_sources(sources)
        assert_sound(result, itself)
        assert not result.errors


def test_a_malformed_ref_in_a_secret_is_not_a_crash():
    """Regression: `SecretString: {Ref: []}` made SECRET001-003 raise (an unhashable name)."""
    text = "Resources:\n  S:\n    Type: AWS::SecretsManager::Secret\n    Properties:\n      SecretString: {Ref: []}\n"
    assert_sound(run_text(text, "t.yaml"), text)


def test_the_cycle_reported_does_not_follow_key_order():
    """Regression: in a knot of several cycles, the one CFN004 reported (and so the resource it
    landed on) followed the order the template listed the properties in."""
    knot = "Resources:\n  Bucket:\n    Type: X::Y::Z\n    Properties:\n      {first}\n      {second}\n"
    knot += "  Queue:\n    Type: X::Y::Z\n    Properties:\n      A: !Ref Queue\n      B: !Ref Bucket\n"
    cycles = {
        tuple((f.rule_id, f.resource) for f in run_text(text, "t.yaml").findings if f.rule_id == "CFN004")
        for text in (
            knot.format(first="A: !Ref Queue", second="B: !Ref Bucket"),
            knot.format(first="B: !Ref Bucket", second="A: !Ref Queue"),
        )
    }
    assert cycles == {(("CFN004", "Bucket"),)}


def test_names_that_are_mappings_do_not_crash_the_encryption_checks():
    """Regression: CF003 (an origin Id that is a mapping) and REDSHIFT003 (a ParameterName that is a
    mapping) put unhashable values in a set or as dict keys and raised."""
    text = """
Resources:
  Distribution:
    Type: AWS::CloudFront::Distribution
    Properties:
      DistributionConfig:
        Enabled: true
        Origins:
          - Id: {Key: legacy}
            DomainName: legacy.example.com
            CustomOriginConfig: {OriginProtocolPolicy: match-viewer}
        DefaultCacheBehavior: {TargetOriginId: {Key: legacy}, ViewerProtocolPolicy: allow-all}
  Params:
    Type: AWS::Redshift::ClusterParameterGroup
    Properties:
      Description: x
      ParameterGroupFamily: redshift-1.0
      Parameters: [{ParameterName: {Key: require_ssl}, ParameterValue: "true"}]
  Cluster:
    Type: AWS::Redshift::Cluster
    Properties: {NodeType: ra3.xlplus, ClusterType: single-node, ClusterParameterGroupName: !Ref Params}
"""
    result = run_sources([Source("t.yaml", data=text.encode())], select=["CF003", "REDSHIFT003"])
    assert_sound(result, text)
    assert [f.rule_id for f in result.findings] == ["REDSHIFT003"]  # require_ssl is not set by a name it can read


def test_tls_names_that_are_mappings_do_not_crash_the_encryption_checks():
    """Regression (found by the campaign): a mapping among OriginSSLProtocols was looked up in a set
    of protocol names, which raises for an unhashable value."""
    text = """
Resources:
  Distribution:
    Type: AWS::CloudFront::Distribution
    Properties:
      DistributionConfig:
        Enabled: true
        Origins:
          - Id: legacy
            DomainName: legacy.example.com
            CustomOriginConfig: {OriginProtocolPolicy: https-only, OriginSSLProtocols: [{Key: TLSv1}, TLSv1.1]}
        DefaultCacheBehavior: {TargetOriginId: legacy, ViewerProtocolPolicy: redirect-to-https}
        ViewerCertificate:
          MinimumProtocolVersion: {Key: TLSv1}
          AcmCertificateArn: arn:aws:acm:us-east-1:1:certificate/x
"""
    result = run_sources([Source("t.yaml", data=text.encode())], select=["CF002", "CF003"])
    assert_sound(result, text)
    assert [f.rule_id for f in result.findings] == ["CF003"]  # TLSv1.1 is still named
