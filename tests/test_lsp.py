"""The language server, driven as an editor drives it: ``cfncheck lsp`` as a process, JSON-RPC over
its standard input and output (initialize, didOpen, didChange, hover, codeAction, shutdown, exit).

The diagnostics of a sample are its findings as the command line reports them, on the same
regions; a change that fixes one finding removes its diagnostic; the other templates of the
workspace and its configuration count as they do on the command line. Every answer the editor
waits for once the server has started — the diagnostics of an opened or changed sample (the 0.3 s
pause after typing included), a hover, a quick fix, the exit — comes within 2 s of asking, or the
test fails.
"""

from __future__ import annotations

import json
import queue
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from ci_support import ROOT, cli, write

BOUND_SECONDS = 2.0
STARTING_SECONDS = 10.0
"""Starting Python and importing the protocol's types (lsprotocol) is not what the bound is about,
and takes more than a second on a busy machine."""
SERVER = [sys.executable, "-m", "cfncheck", "lsp"]


class Editor:
    """A client: sends requests and notifications, collects what the server sends back."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.process = subprocess.Popen(
            SERVER, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        self.messages: queue.Queue = queue.Queue()
        self.next_id = 0
        self.texts: dict[str, str] = {}
        self.versions: dict[str, int] = {}
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        stream = self.process.stdout
        while True:
            headers = {}
            while (line := stream.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("ascii").partition(":")
                headers[name.strip().lower()] = value.strip()
            if not headers:
                return
            self.messages.put(json.loads(stream.read(int(headers["content-length"]))))

    def _send(self, message: dict) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def notify(self, method: str, params: dict) -> None:
        self._send({"method": method, "params": params})

    def request(self, method: str, params: dict | None, seconds: float = BOUND_SECONDS) -> object:
        self.next_id += 1
        self._send({"id": self.next_id, "method": method, "params": params})
        reply = self.wait(lambda m: m.get("id") == self.next_id and "method" not in m, seconds)
        assert "error" not in reply, reply
        return reply["result"]

    def wait(self, wanted, seconds: float = BOUND_SECONDS) -> dict:
        deadline = time.monotonic() + seconds
        while True:
            left = deadline - time.monotonic()
            try:
                message = self.messages.get(timeout=max(left, 0.001))
            except queue.Empty:
                raise AssertionError(f"nothing wanted from the server within {seconds} s") from None
            if wanted(message):
                return message

    def diagnostics(self, uri: str, version: int) -> list[dict]:
        """The diagnostics the server publishes for this version of the document."""
        published = self.wait(
            lambda m: (
                m.get("method") == "textDocument/publishDiagnostics"
                and m["params"]["uri"] == uri
                and m["params"].get("version") == version
            )
        )
        return published["params"]["diagnostics"]

    def start(self) -> dict:
        result = self.request(
            "initialize",
            {"processId": None, "rootUri": self.folder.as_uri(), "capabilities": {}, "clientInfo": {"name": "test"}},
            STARTING_SECONDS,
        )
        self.notify("initialized", {})
        return result

    def open(self, name: str) -> tuple[str, list[dict]]:
        path = self.folder / name
        uri, text = path.as_uri(), path.read_text(encoding="utf-8")
        self.texts[uri], self.versions[uri] = text, 1
        document = {"uri": uri, "languageId": "yaml", "version": 1, "text": text}
        self.notify("textDocument/didOpen", {"textDocument": document})
        return uri, self.diagnostics(uri, 1)

    def change(self, uri: str, text: str, wait: bool = True) -> list[dict] | None:
        self.texts[uri] = text
        self.versions[uri] += 1
        document = {"uri": uri, "version": self.versions[uri]}
        self.notify("textDocument/didChange", {"textDocument": document, "contentChanges": [{"text": text}]})
        return self.diagnostics(uri, self.versions[uri]) if wait else None

    def stop(self) -> None:
        """Shut the server down, as an editor does when it closes."""
        assert self.request("shutdown", None) is None
        self.notify("exit", None)
        assert self.process.wait(timeout=BOUND_SECONDS) == 0

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def editor(tmp_path):
    clients = []

    def start(folder: Path) -> Editor:
        client = Editor(folder)
        clients.append(client)
        client.start()
        return client

    yield start
    for client in clients:
        client.kill()


def _reported(folder: Path, name: str) -> list[dict]:
    """What the command line reports on the file, run from the workspace's folder (not on the
    templates of its nested stacks, which it checks too)."""
    done = cli(["--format", "json", "--fail-on", "none", name], folder)
    assert done.exit_code == 0, done.stderr
    return [finding for finding in json.loads(done.stdout)["findings"] if finding["file"] == name]


def _shown(finding: dict) -> tuple:
    """A finding as a diagnostic must show it: 0-based, end excluded (the samples are ASCII)."""
    return (
        finding["rule_id"],
        finding["line"] - 1,
        finding["column"] - 1,
        finding["end_line"] - 1,
        finding["end_column"],
    )


def _regions(diagnostics: list[dict]) -> list[tuple]:
    return sorted(
        (d["code"], d["range"]["start"]["line"], d["range"]["start"]["character"])
        + (d["range"]["end"]["line"], d["range"]["end"]["character"])
        for d in diagnostics
    )


@pytest.fixture
def samples(tmp_path) -> Path:
    folder = tmp_path / "workspace"
    shutil.copytree(ROOT / "samples", folder / "samples")
    return folder


def test_diagnostics_are_the_samples_findings_on_their_regions_and_a_fix_removes_one(editor, samples):
    client = editor(samples)
    uri, diagnostics = client.open("samples/quickstart.yaml")
    expected = _reported(samples, "samples/quickstart.yaml")
    assert len(expected) > 5
    assert _regions(diagnostics) == sorted(_shown(f) for f in expected)
    by_code = {d["code"]: d for d in diagnostics}
    assert by_code["SQS004"]["severity"] == 1 and by_code["CFN011"]["severity"] == 2
    assert by_code["CFN036"]["severity"] == 3 and by_code["SQS004"]["source"] == "cfncheck"
    assert "docs/checks.md#sqs004" in by_code["SQS004"]["codeDescription"]["href"]

    # the dead-letter target becomes an ARN: SQS004 goes, the other findings stay where they were
    old, new = "deadLetterTargetArn: !Ref DeadLetterQueue", "deadLetterTargetArn: !GetAtt DeadLetterQueue.Arn"
    after = client.change(uri, client.texts[uri].replace(old, new))
    assert "SQS004" not in {d["code"] for d in after}
    assert _regions(after) == [region for region in _regions(diagnostics) if region[0] != "SQS004"]
    client.stop()


@pytest.mark.parametrize(
    "sample", ["samples/iam/IAM001-fail.yaml", "samples/exposure/S3001-fail.yaml", "samples/network/bad.yaml"]
)
def test_other_samples_give_the_command_lines_findings_too(editor, samples, sample):
    client = editor(samples)
    _, diagnostics = client.open(sample)
    expected = _reported(samples, sample)
    assert expected and _regions(diagnostics) == sorted(_shown(f) for f in expected)
    client.stop()


def test_the_workspaces_other_templates_answer_imports(editor, samples):
    client = editor(samples)
    uri, diagnostics = client.open("samples/cross_stack/project/app.yaml")
    [missing] = [d for d in diagnostics if d["code"] == "XSTK001"]
    assert "network-VpcID" in missing["message"] and missing["range"]["start"]["line"] == 12
    assert _regions(diagnostics) == sorted(
        _shown(f) for f in _reported(samples, "samples/cross_stack/project/app.yaml")
    )
    # the typo fixed, the export of network.yaml (not open) answers the import
    after = client.change(uri, client.texts[uri].replace("network-VpcID", "network-VpcId"))
    assert "XSTK001" not in {d["code"] for d in after}
    client.stop()


def test_the_workspaces_configuration_applies(editor, samples):
    write(samples, ".cfncheck.yaml", "ignore: [CFN036]\nseverity: {CFN011: error}\n")
    client = editor(samples)
    uri, diagnostics = client.open("samples/quickstart.yaml")
    codes = {d["code"]: d["severity"] for d in diagnostics}
    assert "CFN036" not in codes and codes["CFN011"] == 1
    # the configuration edited: the editor's file watcher tells the server, which checks again
    configuration = write(samples, ".cfncheck.yaml", "ignore: [CFN011]\n")
    changes = [{"uri": configuration.as_uri(), "type": 2}]
    client.notify("workspace/didChangeWatchedFiles", {"changes": changes})
    codes = {d["code"] for d in client.diagnostics(uri, 1)}
    assert "CFN036" in codes and "CFN011" not in codes
    client.stop()


def test_a_configuration_that_cannot_be_read_is_said_on_the_file(editor, samples):
    write(samples, ".cfncheck.yaml", "fail-on: eror\n")
    client = editor(samples)
    _, [diagnostic] = client.open("samples/quickstart.yaml")
    assert "did you mean 'error'" in diagnostic["message"] and diagnostic["range"]["start"]["line"] == 0
    client.stop()


def test_text_that_cannot_be_read_is_a_diagnostic_on_its_line_and_not_a_template_is_nothing(editor, samples):
    client = editor(samples)
    uri, _ = client.open("samples/quickstart.yaml")
    [broken] = client.change(uri, client.texts[uri].replace("    Type: AWS::SNS::Topic", "    Type: [AWS::SNS::Topic"))
    assert broken["severity"] == 1 and broken["range"]["start"]["line"] >= 26
    assert client.change(uri, "name: a workflow\non: push\n") == []
    client.stop()


def test_hover_on_a_finding_shows_its_checks_documentation(editor, samples):
    client = editor(samples)
    uri, diagnostics = client.open("samples/quickstart.yaml")
    [finding] = [d for d in diagnostics if d["code"] == "SQS004"]
    shown = client.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": finding["range"]["start"]})
    assert shown["contents"]["kind"] == "markdown"
    assert "### SQS004 sqs-redrive-policy-invalid" in shown["contents"]["value"]
    assert "**Fix:**" in shown["contents"]["value"] and shown["range"] == finding["range"]
    nothing = client.request(
        "textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}}
    )
    assert nothing is None
    client.stop()


def _apply(text: str, edit: dict) -> str:
    lines = text.splitlines(keepends=True)
    at = edit["range"]["start"]
    assert edit["range"]["end"] == at and at["character"] == 0
    return "".join(lines[: at["line"]]) + edit["newText"] + "".join(lines[at["line"] :])


def _quick_fix(client: Editor, uri: str, diagnostic: dict) -> str:
    """The text after the quick fix for ``diagnostic``."""
    [action] = client.request(
        "textDocument/codeAction",
        {"textDocument": {"uri": uri}, "range": diagnostic["range"], "context": {"diagnostics": [diagnostic]}},
    )
    assert action["kind"] == "quickfix"
    [edit] = action["edit"]["changes"][uri]
    return _apply(client.texts[uri], edit)


def test_the_quick_fix_suppresses_the_finding_and_asks_for_the_reason(editor, samples):
    client = editor(samples)
    uri, diagnostics = client.open("samples/quickstart.yaml")
    [redrive] = [d for d in diagnostics if d["code"] == "SQS004"]
    after = client.change(uri, _quick_fix(client, uri, redrive))
    assert "SQS004" not in {d["code"] for d in after}
    [reason] = [d for d in after if d["code"] == "CFN901"]  # the empty reason is to be filled in
    assert "WorkQueue" in client.texts[uri].splitlines()[reason["range"]["start"]["line"] - 4]
    # a second suppression on the same resource joins the first
    body = client.texts[uri].splitlines().index("  WorkQueue:") + 1
    [retention] = [d for d in after if d["code"] == "CFN036" and d["range"]["start"]["line"] == body]
    again = client.change(uri, _quick_fix(client, uri, retention))
    assert not [d for d in again if d["code"] == "CFN036" and d["range"]["start"]["line"] == body]
    assert len([d for d in again if d["code"] == "CFN901"]) == 2
    assert client.texts[uri].count("cfncheck:") == 1
    client.stop()


def test_typing_is_checked_once_it_pauses_and_closing_clears_the_diagnostics(editor, samples):
    client = editor(samples)
    uri, diagnostics = client.open("samples/quickstart.yaml")
    typed = client.texts[uri]
    for character in "# a comment":  # typed quickly: versions 2 to 12
        typed = typed + character
        client.change(uri, typed, wait=False)
    published = []
    client.wait(lambda m: published.append(m) or m.get("params", {}).get("version") == client.versions[uri])
    versions = [m["params"].get("version") for m in published if m.get("method") == "textDocument/publishDiagnostics"]
    assert versions == [12]  # only the text typed last was checked
    client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    cleared = client.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics")
    assert cleared["params"] == {"uri": uri, "diagnostics": []}
    client.stop()


def test_without_the_lsp_extra_the_command_says_how_to_install_it():
    hide = "import sys; sys.modules['pygls'] = None; from cfncheck.cli import main; main(['lsp'])"
    done = subprocess.run([sys.executable, "-c", hide], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "pip install 'cfncheck-cli[lsp]'" in done.stderr
