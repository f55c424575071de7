"""The configuration's JSON Schema: written from ``config.KEYS`` (the one description of the keys),
published as docs/config.schema.json for editors, and what cfncheck validates a file with."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest
import yaml
from ci_support import ROOT, cli, cwd, write

from cfncheck import __version__, config, docs
from cfncheck.config import ConfigError

PUBLISHED = ROOT / "docs" / "config.schema.json"


def test_the_published_schema_is_the_one_the_keys_describe(tmp_path):
    target = tmp_path / "schema.json"
    docs.main(["--config-schema", "--output", str(target)])
    command = "python -m cfncheck.docs --config-schema --output docs/config.schema.json"
    assert target.read_text(encoding="utf-8") == PUBLISHED.read_text(encoding="utf-8"), f"stale: run `{command}`"


def test_the_schema_is_a_valid_draft_7_schema_of_every_key_with_its_help():
    published = json.loads(PUBLISHED.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(published)
    assert set(published["properties"]) == set(config.KEYS)
    assert all(described["description"] for described in published["properties"].values())
    assert published["additionalProperties"] is False  # editors flag an unknown key, as cfncheck does


def _readme_configuration() -> dict:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    [block] = re.findall(r"<!-- example: config[^>]*-->\n```yaml\n(.*?)```", readme, re.S)
    return yaml.safe_load(block)


def test_the_readmes_configuration_is_valid_for_editors():
    jsonschema.validate(_readme_configuration(), json.loads(PUBLISHED.read_text(encoding="utf-8")))


def test_the_readme_tells_editors_where_the_schema_is():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    address = f"{docs.RAW_URL}/v{__version__}/docs/config.schema.json"
    assert f"# yaml-language-server: $schema={address}" in readme


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("regions: 5\n", "regions: expected a list of strings, got 5"),
        ("regions: [eu-west-1, 5]\n", "regions: expected a list of strings, got ['eu-west-1', 5]"),
        ("account-id: true\n", "account-id: expected a string, got True"),
        ("baseline: [a, b]\n", "baseline: expected a file name, got ['a', 'b']"),
        ("options: {SQS001: 6}\n", "options.SQS001: expected a mapping of option to value, got 6"),
        ("parameters: {'*.yaml': 5}\n", "parameters.*.yaml: expected a parameters file or a mapping of values"),
        ("fail-on: Error\n", "fail-on: 'Error' is not one of error, warning, info, none (did you mean 'error'?)"),
    ],
)
def test_a_value_the_schema_rejects_is_an_error_naming_the_setting(tmp_path, text, message):
    write(tmp_path, ".cfncheck.yaml", text)
    document = yaml.safe_load(text)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, config.schema())
    with cwd(tmp_path), pytest.raises(ConfigError) as error:
        config.load()
    assert message in str(error.value)
    assert cli(["t.yaml"], tmp_path).exit_code == 2


def test_values_the_schema_accepts_are_read_as_before(tmp_path):
    write(tmp_path, ".cfncheck.yaml", "select: SQS, SNS\nregions: eu-west-1\naccount-id: 123456789012\n")
    with cwd(tmp_path):
        loaded = config.load()
    assert loaded["select"] == ["SQS", "SNS"] and loaded["regions"] == ["eu-west-1"]
    assert loaded["account-id"] == "123456789012"
