"""--parameters: the AWS CLI, CodePipeline and Key=Value forms."""

from __future__ import annotations

import json

import pytest

from cfncheck.parameters import ParameterError, parse_parameters


def test_aws_cli_form(tmp_path):
    path = tmp_path / "p.json"
    path.write_text(
        json.dumps(
            [{"ParameterKey": "Env", "ParameterValue": "prod"}, {"ParameterKey": "Old", "UsePreviousValue": True}]
        )
    )
    assert parse_parameters([str(path)]) == {"Env": "prod"}


def test_codepipeline_form_and_plain_object(tmp_path):
    pipeline = tmp_path / "config.json"
    pipeline.write_text(json.dumps({"Parameters": {"Env": "prod", "Size": 3}, "Tags": {"a": "b"}}))
    plain = tmp_path / "plain.json"
    plain.write_text(json.dumps({"Flag": True, "Ids": ["a", "b"]}))
    assert parse_parameters([str(pipeline), str(plain)]) == {"Env": "prod", "Size": "3", "Flag": "true", "Ids": "a,b"}


def test_key_value_pairs_override_files(tmp_path):
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"Parameters": {"Env": "prod"}}))
    assert parse_parameters([str(path), "Env=dev", "Url=https://x?a=b"]) == {"Env": "dev", "Url": "https://x?a=b"}


@pytest.mark.parametrize("content", ["not json", "[1, 2]", '"text"'])
def test_bad_files_are_reported(tmp_path, content):
    path = tmp_path / "p.json"
    path.write_text(content)
    with pytest.raises(ParameterError, match="p.json"):
        parse_parameters([str(path)])


def test_missing_file():
    with pytest.raises(ParameterError, match="cannot read"):
        parse_parameters(["/nonexistent/params.json"])
