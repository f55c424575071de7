"""Fault isolation: a check that raises never hides the others, and the run says so with exit status 2.

The broken checks are a test-only plugin written to a temporary folder and loaded with
``--checks-dir``, the way a user's own checks are, and run by the real command line in a child
process. The in-process tests build ``Check`` records directly and hand them to the engine.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from cfncheck.catalog import INTERNAL_ERROR, Check, Scope
from cfncheck.engine import RunOptions, Source, run
from cfncheck.findings import ERROR, WARNING
from cfncheck.project import Project

PLUGIN = '''
from cfncheck.api import ERROR, WARNING, check


@check("ZZT901", "test-check-that-raises", ERROR, types=["AWS::SQS::Queue"])
def raises(queue, ctx):
    """A check with a bug: it raises on every queue."""
    raise RuntimeError("deliberate failure")


@check("ZZT902", "test-template-check-that-raises", ERROR)
def raises_on_template(ctx):
    """A template check with a bug."""
    return {}["missing"]


@check("ZZT903", "test-project-check-that-raises", ERROR, scope="project")
def raises_on_project(project, ctx):
    """A project check with a bug."""
    raise ValueError("bad project")


@check("ZZT904", "test-check-that-reports", WARNING, types=["AWS::SQS::Queue"])
def reports(queue, ctx):
    """A working check beside the broken ones."""
    yield ctx.finding(queue, "Properties.VisibilityTimeout", "test finding")
'''

TEMPLATE_TEXT = """\
Resources:
  First:
    Type: AWS::SQS::Queue
    Properties:
      SqsManagedSseEnabled: false
  Second:
    Type: AWS::SQS::Queue
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      AccessControl: PublicReadWrite
"""


def _cli(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cfncheck", *arguments], capture_output=True, text=True, timeout=60)


def _write(tmp_path: Path) -> tuple[Path, Path]:
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "broken_checks.py").write_text(PLUGIN)
    template = tmp_path / "template.yaml"
    template.write_text(TEMPLATE_TEXT)
    return plugins, template


def test_a_raising_plugin_check_is_reported_and_the_others_still_report(tmp_path):
    plugins, template = _write(tmp_path)
    alone = _cli("--format", "json", "--fail-on", "none", str(template))
    assert alone.returncode == 0, alone.stderr
    builtin = json.loads(alone.stdout)["findings"]
    assert builtin, "the template is meant to have findings from the built-in checks"

    broken = _cli("--format", "json", "--checks-dir", str(plugins), str(template))
    assert broken.returncode == 2, broken.stderr
    findings = json.loads(broken.stdout)["findings"]
    for finding in builtin:  # every built-in finding is still there
        assert finding in findings, finding
    assert [(f["resource"], f["line"]) for f in findings if f["rule_id"] == "ZZT904"] == [("First", 4), ("Second", 7)]

    internal = [f for f in findings if f["rule_id"] == "CFN000"]
    on_queues = sorted((f["resource"], f["line"], f["file"]) for f in internal if "ZZT901" in f["message"])
    assert on_queues == [("First", 3, str(template)), ("Second", 7, str(template))]
    first = next(f for f in internal if f["resource"] == "First")
    assert "check ZZT901 test-check-that-raises failed on resource First" in first["message"]
    assert "RuntimeError: deliberate failure" in first["message"] and "broken_checks.py:" in first["message"]
    assert any(
        "ZZT902 test-template-check-that-raises" in f["message"] and "KeyError" in f["message"] for f in internal
    )
    assert any(
        "ZZT903 test-project-check-that-raises" in f["message"] and "bad project" in f["message"] for f in internal
    )
    assert len(internal) == 4


def test_text_output_names_the_file_line_check_and_resource(tmp_path):
    plugins, template = _write(tmp_path)
    done = _cli("--checks-dir", str(plugins), "--select", "ZZT901", str(template))
    assert done.returncode == 2
    assert (
        f"{template}:3:5: error: check ZZT901 test-check-that-raises failed on resource First" in done.stdout
        and "[CFN000 internal-error]" in done.stdout
    )


def test_a_plugin_that_fails_to_import_is_reported_and_the_run_goes_on(tmp_path):
    plugins, template = _write(tmp_path)
    (plugins / "zz_syntax_error.py").write_text("def broken(:\n")
    done = _cli("--format", "json", "--checks-dir", str(plugins), "--select", "ZZT904", str(template))
    assert done.returncode == 2
    assert "zz_syntax_error.py: check module failed to load" in done.stderr
    assert [f["resource"] for f in json.loads(done.stdout)["findings"]] == ["First", "Second"]


def _entry(check_id: str, function, types: tuple[str, ...] = ()) -> Check:
    return Check(
        check_id,
        f"test-{check_id.lower()}",
        ERROR if types else WARNING,
        function,
        Scope.RESOURCE if types else Scope.TEMPLATE,
        types,
    )


def test_every_kind_of_exception_is_contained():
    def deep(n):
        return deep(n + 1)

    failures = {
        "ZZT911": lambda queue, ctx: deep(0),  # RecursionError
        "ZZT912": lambda queue, ctx: [ctx.finding(queue, "Properties", "ok"), 1 / 0],
        "ZZT913": lambda queue, ctx: (_ for _ in ()).throw(MemoryError("pretend")),
        "ZZT914": lambda queue, ctx: iter([ctx.finding(queue, "Properties", "x"), None.attribute]),  # type: ignore
        "ZZT915": lambda queue, ctx: (_ for _ in ()).throw(ValueError("line one\nline two")),
    }
    checks = [_entry(check_id, function, ("AWS::SQS::Queue",)) for check_id, function in failures.items()]
    checks.append(_entry("ZZT919", lambda ctx: [ctx.finding(None, "Resources", "still here")]))
    result = run([Source("t.yaml", data=TEMPLATE_TEXT.encode())], RunOptions(checks=checks))
    internal = [f for f in result.findings if f.rule_id == "CFN000"]
    assert result.internal_errors == len(internal) == 2 * len(failures)
    assert {f.message.split()[1] for f in internal} == set(failures)
    assert all("\n" not in f.message for f in internal), "a finding is one line of text output"
    assert [f.message for f in result.findings if f.rule_id == "ZZT919"] == ["still here"]


def test_findings_given_before_a_check_raises_are_kept():
    def reports_then_raises(queue, ctx):
        yield ctx.finding(queue, "Properties", "found before the failure")
        raise RuntimeError("deliberate failure")

    checks = [_entry("ZZT921", reports_then_raises, ("AWS::SQS::Queue",))]
    result = run([Source("t.yaml", data=TEMPLATE_TEXT.encode())], RunOptions(checks=checks))
    assert sorted((f.resource, f.rule_id) for f in result.findings) == [
        ("First", "CFN000"),
        ("First", "ZZT921"),
        ("Second", "CFN000"),
        ("Second", "ZZT921"),
    ]
    assert result.internal_errors == 2


EXPORTER = """\
Resources:
  Queue: {Type: AWS::SQS::Queue}
Outputs:
  Arn:
    Value: !GetAtt Queue.Arn
    Export: {Name: shared-queue}
"""


def test_a_failure_while_indexing_exports_is_reported_on_that_template(monkeypatch):
    original = Project.index_exports

    def index_exports(self, templates):
        if any(t.file == "broken.yaml" for t in templates):
            raise KeyError("deliberate failure")
        return original(self, templates)

    monkeypatch.setattr(Project, "index_exports", index_exports)
    checks = [INTERNAL_ERROR, _entry("ZZT922", lambda ctx: [ctx.finding(None, "Resources", "checked")])]
    sources = [Source(name, data=EXPORTER.encode()) for name in ("broken.yaml", "fine.yaml")]
    result = run(sources, RunOptions(checks=checks))
    internal = [(f.file, f.line) for f in result.findings if f.rule_id == "CFN000"]
    assert internal == [("broken.yaml", 1)] and result.internal_errors == 1
    message = next(f.message for f in result.findings if f.rule_id == "CFN000")
    assert message.startswith("cross-template analysis (index exports) failed on this template: KeyError")
    assert [f.file for f in result.findings if f.rule_id == "ZZT922"] == ["broken.yaml", "fine.yaml"]
