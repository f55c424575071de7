"""Faults around the templates: the worker pool, the file walk, nested-stack paths, the
configuration, what the outputs print, the files they write, signals and the inputs besides
templates.

Every case runs the real command line (``python -m cfncheck``) in a child process with a
timeout, so a hang shows as a failed test, not as a stuck suite. A case that needs a file the
runner cannot read runs the child as ``nobody`` when the tests run as root (``setpriv``), and is
skipped, saying why, where that is not possible.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

TIMEOUT = 20
"""Seconds a case may take: each finishes in about one; a hang is what this catches."""

QUEUE = "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n"
"""A template with two findings (CFN009, SQS003 by default), so that lost findings show."""

FAULTY_CHECK = '''
import os, signal, sys, time
from pathlib import Path
from cfncheck.api import check

@check("FLT001", "faulty", "warning", types=["AWS::SQS::Queue"])
def faulty(resource, ctx):
    """Fails as FAULT says on the resource FAULT_ON."""
    started = os.environ.get("FAULT_STARTED")
    if started:
        Path(started).touch()
    if resource.logical_id != os.environ.get("FAULT_ON"):
        return []
    fault = os.environ["FAULT"]
    if fault == "sigkill":
        os.kill(os.getpid(), signal.SIGKILL)
    if fault == "exit":
        raise SystemExit(3)
    if fault == "exit0":
        sys.exit(0)
    if fault == "os-exit":
        os._exit(0)
    if fault == "keyboard":
        raise KeyboardInterrupt
    if fault == "base":
        raise BaseException("a check's own BaseException")
    if fault == "slow":
        time.sleep(5)
    return []
'''


def environment(**extra: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "CFNCHECK_", "FAULT"))}
    return {**keep, "NO_COLOR": "1", **extra}


def cfncheck(
    *args: str,
    cwd: Path,
    env: dict[str, str] | None = None,
    user: list[str] = (),
    timeout: float = TIMEOUT,
    **popen,
) -> subprocess.CompletedProcess:
    popen.setdefault("capture_output", True)
    return subprocess.run(
        [*user, sys.executable, "-m", "cfncheck", *args],
        cwd=cwd,
        env=env or environment(),
        timeout=timeout,
        **popen,
    )


def report(done: subprocess.CompletedProcess) -> dict:
    return json.loads(done.stdout)


def queues(folder: Path, count: int) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(count):
        (folder / f"t{index:02}.yaml").write_text(QUEUE.replace("Q:", f"Q{index:02}:"))
    return [f"Q{index:02}" for index in range(count)]


def no_traceback(done: subprocess.CompletedProcess) -> None:
    assert b"Traceback" not in done.stderr, done.stderr.decode(errors="replace")


@pytest.fixture
def faulty(tmp_path: Path) -> Path:
    folder = tmp_path / "faulty-checks"
    folder.mkdir()
    (folder / "faulty.py").write_text(FAULTY_CHECK)
    return folder


# -- a dead worker never hangs the run ------------------------------------------------------


@pytest.mark.parametrize("fault", ["sigkill", "os-exit"])
def test_a_worker_that_dies_loses_only_its_template(tmp_path, faulty, fault):
    """The out-of-memory killer's SIGKILL, or a check ending the worker's process: the template
    it was checking is an error naming it, every other template is reported, exit 2."""
    names = queues(tmp_path / "many", 40)
    env = environment(FAULT=fault, FAULT_ON="Q17")
    done = cfncheck("-j", "2", "--checks-dir", str(faulty), "--format", "json", "many", cwd=tmp_path, env=env)
    no_traceback(done)
    assert done.returncode == 2
    found = report(done)
    assert [Path(e["file"]).name for e in found["errors"]] == ["t17.yaml"]
    assert "worker" in found["errors"][0]["message"]
    reported = {f["resource"] for f in found["findings"]}
    assert reported == set(names) - {"Q17"}


@pytest.mark.parametrize("fault", ["exit", "exit0", "keyboard", "base"])
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_check_cannot_end_the_run(tmp_path, faulty, fault, jobs):
    """SystemExit (sys.exit(0) too), KeyboardInterrupt or a bare BaseException from a check is an
    internal error of that check (CFN000), in a worker or in this process; the rest completes."""
    names = queues(tmp_path / "many", 40)
    env = environment(FAULT=fault, FAULT_ON="Q05")
    done = cfncheck("-j", jobs, "--checks-dir", str(faulty), "--format", "json", "many", cwd=tmp_path, env=env)
    no_traceback(done)
    assert done.returncode == 2
    found = report(done)
    failed = [f for f in found["findings"] if f["rule_id"] == "CFN000"]
    assert [(f["resource"], "FLT001" in f["message"]) for f in failed] == [("Q05", True)]
    assert {f["resource"] for f in found["findings"] if f["rule_id"] == "SQS003"} == set(names)


# -- the walk: what cannot be read is an error, what is not a file is skipped -----------------


@pytest.fixture
def nobody() -> list[str]:
    """The prefix that runs a command as a user without root's right to read every file."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("runs as root and setpriv is missing: no user for whom a file is unreadable")
    prefix = [setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"]
    probe = subprocess.run([*prefix, sys.executable, "-c", "import cfncheck"], capture_output=True, cwd="/")
    if probe.returncode != 0:
        pytest.skip(f"runs as root and nobody cannot run this Python: {probe.stderr.decode(errors='replace')[-200:]}")
    return prefix


@pytest.fixture
def shared_tmp():
    """A folder ``nobody`` can enter (pytest's own are private to the user running the tests)."""
    folder = Path(tempfile.mkdtemp(prefix="cfncheck-faults-"))
    folder.chmod(0o755)
    yield folder
    for path in folder.rglob("*"):
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() else 0o644)
    shutil.rmtree(folder)


def test_an_unreadable_file_in_a_walked_folder_is_an_error(shared_tmp, nobody):
    queues(shared_tmp / "stacks", 2)
    (shared_tmp / "stacks" / "t01.yaml").chmod(0o000)
    (shared_tmp / "stacks" / "locked").mkdir(mode=0o700)
    done = cfncheck("--format", "json", "stacks", cwd=shared_tmp, user=nobody)
    no_traceback(done)
    assert done.returncode == 2
    found = report(done)
    errors = {Path(e["file"]).name: e["message"] for e in found["errors"]}
    assert set(errors) == {"t01.yaml", "locked"} and all("denied" in m for m in errors.values())
    assert {f["resource"] for f in found["findings"]} == {"Q00"}


def test_a_named_unreadable_file_does_not_stop_the_others(shared_tmp, nobody):
    queues(shared_tmp / "stacks", 2)
    (shared_tmp / "stacks" / "t01.yaml").chmod(0o000)
    done = cfncheck("--format", "json", "stacks/t00.yaml", "stacks/t01.yaml", cwd=shared_tmp, user=nobody)
    no_traceback(done)
    assert done.returncode == 2
    found = report(done)
    assert [(Path(e["file"]).name, "denied" in e["message"]) for e in found["errors"]] == [("t01.yaml", True)]
    assert {f["resource"] for f in found["findings"]} == {"Q00"}


WALKED = {
    "bom.yaml": b"\xef\xbb\xbf" + QUEUE.encode(),
    "comment-first.yaml": b"# a stack\nDescription: x\n" + QUEUE.encode(),
    "flow.yaml": b"{Resources: {Q: {Type: AWS::SQS::Queue}}}\n",
    "indented.yaml": textwrap.indent(QUEUE, "  ").encode(),
    "quoted-key.yaml": QUEUE.replace("Resources", "'Resources'").encode(),
    "explicit-key.yaml": b"? Resources\n: Q:\n    Type: AWS::SQS::Queue\n",
    "escaped-key.json": b'{"Description": "x", "Re\\u0073ources": {"Q": {"Type": "AWS::SQS::Queue"}}}',
    "bom.json": b'\xef\xbb\xbf{"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}',
}
NOT_TEMPLATES = {
    "nested.json": b'{"Service": {"Resources": {"a": 1}}}',  # Resources, but not at the top
    "multiline.yaml": b'Description: x\nnote: "a\nResources: b"\n',  # a line of a string
    "broken.yaml": b"Description: [\n",  # malformed, and nothing says it is a template
}


def test_the_walk_takes_what_the_loader_reads_as_a_template(tmp_path):
    folder = tmp_path / "stacks"
    folder.mkdir()
    for name, data in {**WALKED, **NOT_TEMPLATES}.items():
        (folder / name).write_bytes(data)
    (folder / "broken-template.yaml").write_bytes(b"Resources:\n  Q: [\n")  # a template, malformed: an error
    done = cfncheck("--format", "json", "stacks", cwd=tmp_path)
    no_traceback(done)
    found = report(done)
    checked = {Path(f["file"]).name for f in found["findings"]}
    assert checked == set(WALKED)
    assert [Path(e["file"]).name for e in found["errors"]] == ["broken-template.yaml"]
    assert found["summary"]["files"] == len(WALKED) + 1


def test_special_files_in_a_walked_folder_are_skipped_with_a_notice(tmp_path):
    folder = tmp_path / "stacks"
    queues(folder, 1)
    os.mkfifo(folder / "fifo.yaml")
    (folder / "stdin.yaml").symlink_to("/dev/stdin")
    (folder / "zero.json").symlink_to("/dev/zero")
    reader, writer = os.pipe()  # standard input that never ends: reading it would block
    try:
        done = cfncheck("--format", "json", "stacks", cwd=tmp_path, stdin=reader)
    finally:
        os.close(reader)
        os.close(writer)
    no_traceback(done)
    assert done.returncode == 0
    assert {f["resource"] for f in report(done)["findings"]} == {"Q00"}
    notices = done.stderr.decode()
    assert all(name in notices for name in ("fifo.yaml", "stdin.yaml", "zero.json")), notices


def test_a_deep_folder_tree_is_walked_without_recursion(tmp_path):
    depth = 1100  # deeper than Python's recursion limit, shorter than PATH_MAX
    path = tmp_path / "deep"
    path.mkdir()
    for _ in range(depth):
        path = path / "d"
        path.mkdir()
    (path / "t.yaml").write_text(QUEUE)
    try:
        done = cfncheck("--format", "json", "deep", cwd=tmp_path)
    finally:
        (path / "t.yaml").unlink()
        for _ in range(depth + 1):  # pytest's clean-up recurses: too deep for it
            path.rmdir()
            path = path.parent
    no_traceback(done)
    assert done.returncode == 0 and report(done)["summary"]["files"] == 1


# -- nested stacks stay inside the project ----------------------------------------------------

SECRET = "hunter2-do-not-print"
KEYS = (b"ZQXPASSWORD", b"ZQXTOKEN", b"ZQXNOTE")
PARENT = """\
Resources:
  Up:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: ../outside.yaml
  Absolute:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: {absolute}
  Inside:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: notes.yaml
"""


def test_a_nested_template_url_outside_the_project_is_not_read(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    secret = tmp_path / "outside.yaml"
    secret.write_text(f"ZQXPASSWORD: {SECRET}\nResources: {{}}\n")
    other = tmp_path / "elsewhere" / "secrets.yaml"
    other.parent.mkdir()
    other.write_text(f"ZQXTOKEN: {SECRET}\nResources: {{}}\n")
    (project / "parent.yaml").write_text(PARENT.format(absolute=other))
    (project / "notes.yaml").write_text(f"ZQXNOTE: {SECRET}\n")  # in the project, but not a template
    for output in ("text", "json", "sarif", "github"):
        done = cfncheck("--format", output, "parent.yaml", cwd=project)
        no_traceback(done)
        printed = done.stdout + done.stderr
        assert SECRET.encode() not in printed and not any(key in printed for key in KEYS), output
    found = report(cfncheck("--format", "json", "parent.yaml", cwd=project))
    skipped = {f["resource"]: f["message"] for f in found["findings"] if f["rule_id"] == "CFN900"}
    assert set(skipped) == {"Up", "Absolute", "Inside"} and "--project-root" in skipped["Up"]
    assert "not a CloudFormation template" in skipped["Inside"]
    widened = report(cfncheck("--format", "json", "--project-root", str(tmp_path), "parent.yaml", cwd=project))
    assert "outside.yaml" in {Path(f["file"]).name for f in widened["findings"]}


# -- a repository's configuration runs no code without the user's say -------------------------

HOSTILE_CHECK = """
from pathlib import Path
from cfncheck.api import check

Path({marker!r}).write_text("ran")


@check("EVIL001", "evil", "warning", types=["AWS::SQS::Queue"])
def evil(resource, ctx):
    \"\"\"Runs the repository's code.\"\"\"
    return []
"""


@pytest.fixture
def hostile_repository(tmp_path: Path) -> tuple[Path, Path]:
    repository = tmp_path / "pull-request"
    (repository / "tools").mkdir(parents=True)
    marker = tmp_path / "code-ran"
    (repository / "tools" / "evil.py").write_text(HOSTILE_CHECK.format(marker=str(marker)))
    (repository / ".cfncheck.yaml").write_text("checks-dir: [tools]\nselect: [SQS, EVIL]\n")
    (repository / "t.yaml").write_text(QUEUE)
    # Python puts the working directory on the import path for `python -m`: a plugin
    # "installed" there by the repository itself.
    info = repository / "evil_plugin-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: evil-plugin\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[cfncheck.checks]\nevil = evil_entry\n")
    (repository / "evil_entry.py").write_text(
        f"from pathlib import Path\nPath({str(marker) + '-entry-point'!r}).write_text('ran')\n"
    )
    return repository, marker


@pytest.mark.parametrize(
    "args",
    [["t.yaml"], ["--show-config"], ["--list-checks"], ["explain", "SQS001"]],
    ids=["run", "show-config", "list-checks", "explain"],
)
def test_a_repository_configuration_runs_no_code_without_trust(hostile_repository, args):
    repository, marker = hostile_repository
    done = cfncheck(*args, cwd=repository)
    no_traceback(done)
    assert not marker.exists() and not Path(f"{marker}-entry-point").exists()
    assert done.returncode in (0, 1)
    notice = [line for line in done.stderr.decode().splitlines() if "--trust-config" in line]
    assert len(notice) == 2, done.stderr  # one line for the check folder, one for the plugin


def test_trusted_configuration_code_runs(hostile_repository):
    repository, marker = hostile_repository
    done = cfncheck("--trust-config", "--list-checks", cwd=repository)
    assert marker.read_text() == "ran" and Path(f"{marker}-entry-point").read_text() == "ran", done.stderr
    marker.unlink()
    done = cfncheck("t.yaml", cwd=repository, env=environment(CFNCHECK_TRUST_CONFIG="1"))
    assert marker.exists() and done.returncode == 0, done.stderr


EDITOR = """
import sys
from pathlib import Path
from cfncheck.lsp.buffer import check_buffer
report = check_buffer(Path("t.yaml").resolve(), Path("t.yaml").read_text(), trust=sys.argv[1] == "trust")
print(sorted({f.rule_id for f in report.findings}))
print(*report.notices, sep="\\n", file=sys.stderr)
"""


@pytest.mark.parametrize("trust", [False, True], ids=["untrusted", "trusted"])
def test_the_language_server_runs_a_workspaces_code_only_when_trusted(hostile_repository, trust):
    """The editor opens a repository's template: its checks-dir runs only if the server was started trusting it."""
    repository, marker = hostile_repository
    done = subprocess.run(
        [sys.executable, "-c", EDITOR, "trust" if trust else "no"],
        cwd=repository,
        capture_output=True,
        timeout=TIMEOUT,
        env=environment(),
    )
    no_traceback(done)
    assert marker.exists() == trust, done.stderr
    assert (b"--trust-config" in done.stderr) == (not trust), done.stderr
    assert b"SQS003" in done.stdout  # the built-in checks still run


# -- what is printed cannot drive a terminal or a CI runner ----------------------------------

HOSTILE_NAME = "x\n::add-mask::y\x1b]0;title\x07.yaml"
HOSTILE_TEMPLATE = """\
Resources:
  "Topic\\n::stop-commands::tok\\e[2J##[add-mask]z<img src=x>`|[a](http://e)":
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !Ref "Name\\n##[set-output name=a]b\\e]0;t\\a"
"""


def _workflow_commands(text: str) -> list[str]:
    """Lines a GitHub runner would act on: ``::`` after leading space, ``##[`` anywhere."""
    return [line for line in text.splitlines() if line.lstrip().startswith("::") or "##[" in line]


def _outside_code(markdown: str) -> str:
    """The Markdown outside code spans, where HTML and links would be rendered."""
    return "".join(part for index, part in enumerate(markdown.split("`")) if index % 2 == 0)


def _controls(text: str) -> list[str]:
    return [c for c in text if (ord(c) < 32 and c != "\n") or 0x7F <= ord(c) < 0xA0]


def test_outputs_escape_control_characters_and_workflow_commands(tmp_path):
    (tmp_path / HOSTILE_NAME).write_text(HOSTILE_TEMPLATE)
    for output in ("text", "json", "sarif"):
        done = cfncheck("--format", output, ".", cwd=tmp_path)
        no_traceback(done)
        assert done.returncode == 1, done.stderr
        printed = (done.stdout + done.stderr).decode()
        assert not _workflow_commands(printed), (output, _workflow_commands(printed))
        assert not _controls(printed), output
    summary = tmp_path / "summary.md"
    done = cfncheck("--format", "github", ".", cwd=tmp_path, env=environment(GITHUB_STEP_SUMMARY=str(summary)))
    no_traceback(done)
    assert done.returncode == 1
    commands = done.stdout.decode().splitlines()
    assert commands and all(line.startswith(("::error ", "::warning ", "::notice ")) for line in commands)
    assert not _controls(done.stdout.decode() + done.stderr.decode())
    assert not _workflow_commands(done.stderr.decode())
    written = summary.read_text()
    assert not _controls(written) and "Topic" in written
    assert "<img" not in _outside_code(written) and "](http://e)" not in _outside_code(written)


def test_a_file_name_that_is_not_utf8_in_every_output(tmp_path):
    folder = tmp_path / "stacks"
    folder.mkdir()
    (folder / os.fsdecode(b"bad\xff.yaml")).write_text(QUEUE)
    summary = tmp_path / "summary.md"
    env = environment(GITHUB_STEP_SUMMARY=str(summary))
    printed = {}
    for output in ("text", "json", "sarif", "github"):
        done = cfncheck("--format", output, "stacks", cwd=tmp_path, env=env)
        no_traceback(done)
        assert done.returncode == 0, (output, done.stderr)
        printed[output] = done.stdout.decode("utf-8")  # strict: valid UTF-8
    shown = "stacks/bad\\xff.yaml"  # the byte as a visible escape
    assert printed["text"].startswith(shown) and f"file={shown}," in printed["github"]
    assert {f["file"] for f in json.loads(printed["json"])["findings"]} == {shown}
    result = json.loads(printed["sarif"])["runs"][0]["results"][0]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "stacks/bad%FF.yaml"
    assert shown in summary.read_text(encoding="utf-8")
    done = cfncheck("--write-baseline", "baseline.json", "stacks", cwd=tmp_path)
    no_traceback(done)
    assert done.returncode == 0
    compared = cfncheck("--format", "json", "--baseline", "baseline.json", "stacks", cwd=tmp_path)
    assert report(compared)["summary"]["baseline"] == {"accepted": 2, "fixed": 0}


def test_one_escaping_function_for_each_destination():
    from cfncheck.report.escape import Where, escape  # imported here: the other cases also run on a tree without it

    name = os.fsdecode(b"a\xff\n::b")
    assert escape("::add-mask::x ##[y]\x1b[2J\u202e", Where.TEXT) == "\\x3a:add-mask::x ##\\x5by]\\x1b[2J\\u202e"
    assert escape(name, Where.TEXT) == "a\\xff\\n::b"
    assert escape("50% a\nb", Where.COMMAND) == "50%25 a%0Ab"
    assert escape("a:b,c", Where.COMMAND_PROPERTY) == "a%3Ab%2Cc"
    assert escape("<img> [x](u) a|b", Where.MARKDOWN) == "&lt;img&gt; \\[x\\]\\(u\\) a\\|b"
    assert escape("a`b|c", Where.MARKDOWN_CODE) == "a\\x60b\\|c"
    assert escape(os.fsdecode(b"d/\xff x.yaml"), Where.URI) == "d/%FF%20x.yaml"
    dumped = json.dumps({"a": name, "b": "##[c", "d": "\U0001f480"})
    assert json.loads(escape(dumped, Where.JSON)) == {"a": "a\\xff\n::b", "b": "##[c", "d": "\U0001f480"}
    assert "##[" not in escape(dumped, Where.JSON)


# -- output files ---------------------------------------------------------------------------


def _file_size_limit(size: int):
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

    return limit


def _one_line_error(done: subprocess.CompletedProcess, *words: str) -> None:
    no_traceback(done)
    assert done.returncode == 2
    lines = [line for line in done.stderr.decode().splitlines() if "cannot write" in line]
    assert len(lines) == 1 and all(word in lines[0] for word in words), done.stderr


def test_a_full_disk_keeps_the_old_baseline(tmp_path):
    queues(tmp_path / "stacks", 1)
    assert cfncheck("--write-baseline", "baseline.json", "stacks", cwd=tmp_path).returncode == 0
    old = (tmp_path / "baseline.json").read_bytes()
    queues(tmp_path / "stacks", 30)
    done = cfncheck(
        "--write-baseline", "baseline.json", "stacks", cwd=tmp_path, preexec_fn=_file_size_limit(len(old) + 10)
    )
    _one_line_error(done, "baseline.json")
    assert (tmp_path / "baseline.json").read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["baseline.json", "stacks"]  # no temporary file left


def test_an_output_file_that_cannot_be_written(tmp_path):
    queues(tmp_path / "stacks", 1)
    (tmp_path / "a-file").write_text("")
    done = cfncheck("--output-sarif", "a-file/out.sarif", "stacks", cwd=tmp_path)
    _one_line_error(done, "a-file/out.sarif")
    assert b"SQS003" in done.stdout  # the report on standard output is still printed
    done = cfncheck("--output-json", "/proc/no/such/place.json", "stacks", cwd=tmp_path)
    _one_line_error(done, "/proc/no/such/place.json")


def test_an_output_in_a_read_only_folder(shared_tmp, nobody):
    queues(shared_tmp / "stacks", 1)
    (shared_tmp / "out").mkdir(mode=0o555)
    (shared_tmp / "out").chmod(0o555)
    done = cfncheck("--output-sarif", "out/cfncheck.sarif", "stacks", cwd=shared_tmp, user=nobody)
    _one_line_error(done, "out/cfncheck.sarif")


def test_an_output_file_is_never_written_through_a_symlink(tmp_path):
    queues(tmp_path / "stacks", 1)
    (tmp_path / "victim.txt").write_text("keep me\n")
    (tmp_path / "cfncheck.sarif").symlink_to("victim.txt")
    done = cfncheck("--output-sarif", "cfncheck.sarif", "stacks", cwd=tmp_path)
    _one_line_error(done, "cfncheck.sarif", "symbolic link")
    assert (tmp_path / "victim.txt").read_text() == "keep me\n"


# -- exit statuses under faults and signals --------------------------------------------------

BREAK = """
import sys
import cfncheck.outcome
from cfncheck.__main__ import console

def broken(*args, **kwargs):
    raise RuntimeError("a bug in the engine")

cfncheck.outcome.settle = broken
import cfncheck.session
cfncheck.session.settle = broken
sys.argv = ["cfncheck", *sys.argv[1:]]
console()
"""


def test_an_internal_error_exits_2_with_one_line(tmp_path):
    queues(tmp_path, 1)
    done = subprocess.run(
        [sys.executable, "-c", BREAK, "t00.yaml"], cwd=tmp_path, capture_output=True, timeout=TIMEOUT, env=environment()
    )
    no_traceback(done)
    assert done.returncode == 2
    assert done.stderr.decode().splitlines() == [
        "cfncheck: internal error: RuntimeError: a bug in the engine (run with --debug for the traceback)"
    ]
    debug = subprocess.run(
        [sys.executable, "-c", BREAK, "--debug", "t00.yaml"],
        cwd=tmp_path,
        capture_output=True,
        timeout=TIMEOUT,
        env=environment(),
    )
    assert debug.returncode == 2 and b"Traceback" in debug.stderr


def test_a_closed_pipe_ends_the_run_quietly_as_sigpipe(tmp_path):
    queues(tmp_path / "stacks", 40)
    reader, writer = os.pipe()
    os.close(reader)  # `cfncheck | head` after head has gone
    try:
        done = cfncheck(
            "--format",
            "sarif",
            "stacks",
            "missing.yaml",
            cwd=tmp_path,
            stdout=writer,
            stderr=subprocess.PIPE,
            capture_output=False,
        )
    finally:
        os.close(writer)
    assert done.returncode == -signal.SIGPIPE
    assert done.stderr == b""


@pytest.mark.parametrize("jobs", ["1", "4"])
def test_ctrl_c_ends_the_run_quickly_and_quietly(tmp_path, faulty, jobs):
    queues(tmp_path / "many", 40)
    started = tmp_path / "started"
    env = environment(FAULT="slow", FAULT_ON="Q00", FAULT_STARTED=str(started))
    process = subprocess.Popen(
        [sys.executable, "-m", "cfncheck", "-j", jobs, "--checks-dir", str(faulty), "many"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group, as a terminal makes for a command
    )
    try:
        deadline = time.monotonic() + TIMEOUT
        while not started.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C does: the whole group
        interrupted = time.monotonic()
        _, stderr = process.communicate(timeout=TIMEOUT)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert time.monotonic() - interrupted < 5
    assert process.returncode == -signal.SIGINT
    assert b"Traceback" not in stderr and b"Aborted" not in stderr, stderr
    time.sleep(0.2)
    with pytest.raises(ProcessLookupError):  # no worker left behind
        os.killpg(process.pid, 0)


# -- limits on every input ------------------------------------------------------------------


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


def test_standard_input_is_read_up_to_the_template_limit(tmp_path):
    with open("/dev/zero", "rb") as endless:
        done = cfncheck("-", cwd=tmp_path, stdin=endless, preexec_fn=_limit_memory)
    no_traceback(done)
    assert done.returncode == 2 and b"larger than" in done.stderr


DEEP_JSON = "[" * 100_000 + "]" * 100_000
HUGE_NUMBER = "9" * 5000

HOSTILE_INPUTS = {
    "deep-parameters": ("params.json", DEEP_JSON, ["--parameters", "params.json"], "nesting deeper"),
    "huge-number-parameters": (
        "params.json",
        f'{{"Parameters": {{"P": {HUGE_NUMBER}}}}}',
        ["--parameters", "params.json"],
        "digits",
    ),
    "long-key-value": (None, None, ["--parameters", f"P={HUGE_NUMBER}"], None),
    "deep-baseline": ("baseline.json", DEEP_JSON, ["--baseline", "baseline.json"], "nested"),
    "huge-number-baseline": (
        "baseline.json",
        f'{{"findings": [{HUGE_NUMBER}]}}',
        ["--baseline", "baseline.json"],
        "digits",
    ),
    "deep-config": (".cfncheck.yaml", "select: " + "[" * 5000 + "]" * 5000, [], "nested"),
    "huge-number-config": (".cfncheck.yaml", f"account-id: {HUGE_NUMBER}", [], "digits"),
    "deep-pyproject": ("pyproject.toml", "[tool.cfncheck]\nselect = " + "[" * 5000 + "]" * 5000, [], "nested"),
    "huge-number-pyproject": ("pyproject.toml", f"[tool.cfncheck]\naccount-id = {HUGE_NUMBER}", [], "digits"),
    "big-config": (".cfncheck.yaml", "# " + "x" * 2_000_000 + "\n", [], "larger than"),
}


@pytest.mark.parametrize("case", list(HOSTILE_INPUTS), ids=list(HOSTILE_INPUTS))
def test_inputs_besides_templates_have_limits(tmp_path, case):
    name, text, args, words = HOSTILE_INPUTS[case]
    (tmp_path / "t.yaml").write_text(QUEUE)
    if name:
        (tmp_path / name).write_text(text)
    done = cfncheck(*args, "t.yaml", cwd=tmp_path, preexec_fn=_limit_memory)
    no_traceback(done)
    if words is None:  # a value, not a file: given to a template that does not declare it
        assert done.returncode == 1 and b"CFN034" in done.stdout, done.stderr
        return
    assert done.returncode == 2
    lines = [line for line in done.stderr.decode().splitlines() if line.strip()]
    assert any(words in line for line in lines), done.stderr
