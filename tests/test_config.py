"""Configuration: discovery, validation with suggestions, sources, and the flags on top."""

from __future__ import annotations

import json

import pytest
from ci_support import CHECKS_DIR, cli, cwd, write

from cfncheck import config
from cfncheck.config import ConfigError
from cfncheck.outcome import merge_regions
from cfncheck.result import Source
from cfncheck.session import Session
from cfncheck.testing import run_text

QUEUE = "Resources:\n  Jobs:\n    Type: AWS::SQS::Queue\n"


def test_found_upward_from_the_working_directory(tmp_path):
    write(tmp_path, ".cfncheck.yaml", "fail-on: error\n")
    (tmp_path / "a/b").mkdir(parents=True)
    with cwd(tmp_path / "a/b"):
        loaded = config.load()
    assert loaded["fail-on"] == "error"
    assert loaded.sources["fail-on"] == str(tmp_path / ".cfncheck.yaml")
    assert loaded.sources["select"] == "default"


def test_pyproject_tool_table(tmp_path):
    write(
        tmp_path, "pyproject.toml", '[project]\nname = "x"\n\n[tool.cfncheck]\nignore = ["CFN011"]\nfail_on = "info"\n'
    )
    with cwd(tmp_path):
        loaded = config.load()
    assert loaded["ignore"] == ["CFN011"] and loaded["fail-on"] == "info"


def test_pyproject_without_the_table_is_skipped(tmp_path):
    write(tmp_path, ".cfncheck.yaml", "fail-on: none\n")
    write(tmp_path, "sub/pyproject.toml", '[project]\nname = "x"\n')
    with cwd(tmp_path / "sub"):
        assert config.load()["fail-on"] == "none"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("fail_on_level: error\n", "unknown key 'fail_on_level' (did you mean 'fail-on'?)"),
        ("selct: [SG]\n", "unknown key 'selct' (did you mean 'select'?)"),
        ("fail-on: errors\n", "fail-on: 'errors' is not one of error, warning, info, none (did you mean 'error'?)"),
        ("severity: {CFN0111: info}\n", "severity: no check 'CFN0111' (did you mean 'CFN011'?)"),
        ("severity: {CFN011: loud}\n", "severity.CFN011: 'loud' is not one of error, warning, info"),
        (
            "ignore: [cfn-unused-paramter]\n",
            "ignore: no check matches 'cfn-unused-paramter' (did you mean 'cfn-unused-parameter'?)",
        ),
        (
            f"checks-dir: [{CHECKS_DIR}]\noptions: {{TST001: {{multipel: 6}}}}\n",
            "options.TST001.multipel: TST001 has no option 'multipel' (did you mean 'multiple'?)",
        ),
        (
            f"checks-dir: [{CHECKS_DIR}]\noptions: {{TST001: {{multiple: six}}}}\n",
            "options.TST001.multiple: expected a int like the default 6",
        ),
        ("- a list\n", "expected a mapping of settings, got list"),
    ],
)
def test_bad_keys_and_values_name_the_key_and_suggest(tmp_path, text, message):
    write(tmp_path, ".cfncheck.yaml", text)
    with cwd(tmp_path), pytest.raises(ConfigError) as error:
        config.load(trust=True)
    assert message in str(error.value)
    result = cli(["--trust-config", QUEUE and "t.yaml"], tmp_path)
    assert result.exit_code == 2 and message in result.stderr


def test_show_config_names_the_source_of_each_value(tmp_path):
    write(tmp_path, ".cfncheck.yaml", "fail-on: error\nignore: [CFN013]\n")
    result = cli(["--show-config", "--fail-on", "info"], tmp_path)
    lines = {line.split(":", 1)[0]: line for line in result.stdout.splitlines()}
    assert lines["fail-on"].endswith("# command line") and '"info"' in lines["fail-on"]
    assert lines["ignore"].endswith(f"# {tmp_path / '.cfncheck.yaml'}") and '["CFN013"]' in lines["ignore"]
    assert lines["select"].endswith("# default")


def test_options_severity_and_flags_override(tmp_path):
    write(
        tmp_path,
        ".cfncheck.yaml",
        f"""
        checks-dir: [{CHECKS_DIR}]
        select: [TST001]
        severity: {{TST001: error}}
        options: {{TST001: {{multiple: 8}}}}
        fail-on: none
    """,
    )
    write(tmp_path, "t.yaml", QUEUE)
    result = cli(["--trust-config", "t.yaml"], tmp_path)
    assert result.stdout == "t.yaml:3:5: error: Queue Jobs: 100% sure, multiple=8 [TST001 test-queue-punctuation]\n"
    assert result.exit_code == 0
    assert cli(["--trust-config", "--fail-on", "error", "t.yaml"], tmp_path).exit_code == 1
    assert cli(["--trust-config", "--select", "CFN011", "t.yaml"], tmp_path).stdout == ""
    sarif = json.loads(cli(["--trust-config", "--format", "sarif", "t.yaml"], tmp_path).stdout)
    assert sarif["runs"][0]["tool"]["driver"]["rules"][0]["defaultConfiguration"]["level"] == "error"


def test_an_untrusted_configuration_loads_no_code_and_reads_only_its_folder(tmp_path, capsys):
    """Its checks-dir is not loaded (one notice says so), the settings about those checks are
    left out rather than refused, and the files it names stay inside its folder."""
    write(
        tmp_path,
        "repo/.cfncheck.yaml",
        f"""
        checks-dir: [{CHECKS_DIR}]
        select: [TST001, CFN011]
        severity: {{TST001: error, CFN011: error}}
        options: {{TST001: {{multiple: 8}}}}
    """,
    )
    with cwd(tmp_path / "repo"):
        untrusted = config.load()
        trusted = config.load(trust=True)
    assert untrusted.untrusted == [str(CHECKS_DIR)] and untrusted.catalog.find("TST001") is None
    assert untrusted["select"] == ["CFN011"] and untrusted["severity"] == {"CFN011": "error"}
    assert untrusted["options"] == {} and "--trust-config" in untrusted.notices[0]
    assert (
        "not loaded" in untrusted.show() and not trusted.notices and trusted["options"] == {"TST001": {"multiple": 8}}
    )
    write(tmp_path, "secret.json", '{"Parameters": {"Token": "x"}}')
    write(tmp_path, "repo/.cfncheck.yaml", "parameters: {'*.yaml': ../secret.json}\nbaseline: /etc/hostname\n")
    write(tmp_path, "repo/t.yaml", QUEUE)
    with cwd(tmp_path / "repo"), pytest.raises(ConfigError, match="outside the configuration's folder"):
        config.load()
    write(tmp_path, "repo/.cfncheck.yaml", "parameters: {'*.yaml': ../secret.json}\n")
    result = cli(["t.yaml"], tmp_path / "repo")
    assert result.exit_code == 2 and "--trust-config" in result.stderr
    assert cli(["--trust-config", "t.yaml"], tmp_path / "repo").exit_code == 1  # CFN034: Token is not declared


def test_include_exclude_globs(tmp_path):
    for name in ("stacks/app.yaml", "stacks/test/fixture.yaml", "other/x.yaml"):
        write(tmp_path, name, QUEUE)
    write(tmp_path, ".cfncheck.yaml", "include: ['stacks/**']\nexclude: ['**/test/**']\n")
    result = cli(["--select", "TST001", "--checks-dir", str(CHECKS_DIR), "."], tmp_path)
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == ["stacks/app.yaml"]


def test_parameters_file_per_template_glob(tmp_path):
    template = """
        Parameters:
          Env: {Type: String}
        Conditions:
          IsProd: !Equals [!Ref Env, prod]
        Resources:
          Queue:
            Type: AWS::SQS::Queue
            Condition: IsProd
    """
    write(tmp_path, "prod/stack.yaml", template)
    write(tmp_path, "dev/stack.yaml", template)
    write(tmp_path, "params/prod.json", '[{"ParameterKey": "Env", "ParameterValue": "prod"}]')
    write(tmp_path, ".cfncheck.yaml", "parameters:\n  'prod/*.yaml': params/prod.json\n  'dev/*': {Env: dev}\n")
    with cwd(tmp_path):
        session = Session.open(config.load(), ["prod/stack.yaml", "dev/stack.yaml"], ["Other=1"])
        (options,) = session.runs()
    assert options.parameters == {"Other": "1"}
    assert options.file_parameters == {
        "prod/stack.yaml": {"Env": "prod", "Other": "1"},
        "dev/stack.yaml": {"Env": "dev", "Other": "1"},
    }


def test_glob_rules():
    assert config.matches("a/b/c.yaml", ["**/*.yaml"]) and config.matches("c.yaml", ["**/*.yaml"])
    assert config.matches("a/b/c.yaml", ["c.yaml"]) and not config.matches("a/b/c.yaml", ["a/*.yaml"])
    assert config.matches("a/b/c.yaml", ["a/**"]) and not config.matches("ab/c.yaml", ["a/**"])


def test_regions_each_analysed_and_region_only_findings_say_where(tmp_path):
    write(
        tmp_path, ".cfncheck.yaml", f"checks-dir: [{CHECKS_DIR}]\nselect: [TST001]\nregions: [us-east-1, eu-west-1]\n"
    )
    write(tmp_path, "t.yaml", QUEUE)
    assert cli(["--trust-config", "t.yaml"], tmp_path).stdout.splitlines() == [
        "t.yaml:3:5: warning: Queue Jobs: 100% sure, multiple=6 [TST001 test-queue-punctuation]"
    ]
    both = "Resources:\n  A:\n    Type: AWS::SQS::Queue\n"
    results = [
        run_text(both, select=["TST001"], region="us-east-1", checks_dir=[CHECKS_DIR]).findings,
        run_text(
            both + "  B:\n    Type: AWS::SQS::Queue\n", select=["TST001"], region="eu-west-1", checks_dir=[CHECKS_DIR]
        ).findings,
    ]
    merged = merge_regions(list(map(list, results)), ["us-east-1", "eu-west-1"])
    assert [(f.resource, f.message) for f in merged] == [
        ("A", "Queue A: 100% sure, multiple=6"),
        ("B", "Queue B: 100% sure, multiple=6 [in eu-west-1]"),
    ]


EXPORTS_TOPIC = """
    Resources:
      Topic: {Type: AWS::SNS::Topic}
    Outputs:
      TopicArn:
        Value: !Ref Topic
        Export: {Name: shared-topic}
"""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("deployments: [prod/*.yaml]\n", "deployments: expected a mapping of deployment name to template globs"),
        ("deployments: {prod: 3}\n", "deployments.prod: expected a template glob or a list of them, got 3"),
        ("deployments: {prod: [a.yaml, {b: c}]}\n", "deployments.prod: expected a template glob or a list of them"),
        ("deploymens: {prod: a.yaml}\n", "unknown key 'deploymens' (did you mean 'deployments'?)"),
    ],
)
def test_deployments_of_the_wrong_shape_name_the_key(tmp_path, text, message):
    write(tmp_path, ".cfncheck.yaml", text)
    with cwd(tmp_path), pytest.raises(ConfigError) as error:
        config.load()
    assert message in str(error.value)
    result = cli(["t.yaml"], tmp_path)
    assert result.exit_code == 2 and message in result.stderr


def test_deployments_globs_are_relative_to_the_configuration_and_shown(tmp_path):
    write(tmp_path, ".cfncheck.yaml", "deployments:\n  prod: [prod/*.yaml, shared/*]\n  dev: [dev/*.yaml, shared/*]\n")
    (tmp_path / "prod").mkdir()
    sources = [Source(name, name) for name in ("a.yaml", "../shared/m.yaml", "../dev/b.yaml", "../other.yaml")]
    with cwd(tmp_path / "prod"):
        (options,) = Session(config.load(), tuple(sources)).runs()
        assert options.file_deployments == {
            "a.yaml": frozenset({"prod"}),
            "../shared/m.yaml": frozenset({"prod", "dev"}),
            "../dev/b.yaml": frozenset({"dev"}),
        }
    lines = {line.split(":", 1)[0]: line for line in cli(["--show-config"], tmp_path).stdout.splitlines()}
    assert '"prod": ["prod/*.yaml", "shared/*"]' in lines["deployments"]
    assert lines["deployments"].endswith(f"# {tmp_path / '.cfncheck.yaml'}")


def test_duplicate_exports_reported_only_within_a_deployment_with_any_jobs(tmp_path):
    for name in ("prod/a.yaml", "dev/b.yaml", "dev/c.yaml", "shared/module.yaml"):
        write(tmp_path, name, EXPORTS_TOPIC)
    for index in range(32):  # enough files for workers
        write(tmp_path, f"other/q{index:02}.yaml", QUEUE)
    args = ["--select", "XSTK002", "--fail-on", "none", "prod", "dev", "shared", "other"]
    assert cli(args, tmp_path).stdout.count("[XSTK002 ") == 4  # without deployments: every template
    write(tmp_path, ".cfncheck.yaml", "deployments:\n  prod: [prod/*.yaml, shared/*]\n  dev: [dev/*, shared/*]\n")
    outputs = [cli(["--jobs", jobs, *args], tmp_path) for jobs in ("1", "2")]
    assert outputs[0].exit_code == 0 and outputs[0].stdout == outputs[1].stdout
    errors = [line for line in outputs[0].stdout.splitlines() if "[XSTK002 " in line]
    assert [(line.split(":")[0], line.split("also exported by ")[1].split(" [")[0]) for line in errors] == [
        ("prod/a.yaml", "TopicArn in shared/module.yaml: rename one."),
        ("dev/b.yaml", "TopicArn in dev/c.yaml, TopicArn in shared/module.yaml: rename one."),
        ("dev/c.yaml", "TopicArn in dev/b.yaml, TopicArn in shared/module.yaml: rename one."),
        ("shared/module.yaml", "TopicArn in prod/a.yaml, TopicArn in dev/b.yaml, TopicArn in dev/c.yaml: rename one."),
    ]
    assert all(line.split(": error")[0].endswith(":6:14") for line in errors)
