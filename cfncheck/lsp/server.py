"""The language server's protocol, on pygls: diagnostics published when a template is opened and
again, debounced, as it changes (and for every open template when a file is saved, since an export
of one may answer an import of another), hover showing the documentation of the checks whose
findings are under the cursor, and a quick fix that suppresses a finding in the template's
Metadata. The checking itself is ``buffer.check_buffer``: the command line's pipeline. A file
changed on disk (the configuration, say: editors send what their file watchers see) has every open
template checked again.

What the server shows that a template or a file wrote (messages, names) goes through
``report.escape.escape``: plain text made visible in diagnostics and titles, Markdown made inert in
hover. The configuration's checks-dir is loaded only when the server was started trusting it
(``cfncheck lsp --trust-config`` or ``CFNCHECK_TRUST_CONFIG``); what it did not load is said once
in the editor's log.

Positions: cfncheck counts lines and columns from 1, in characters, with the last character of a
region included; the protocol counts from 0, in the code units the client asked for (UTF-16 unless
it said otherwise), with the end excluded. pygls's position codec converts the characters.
"""

from __future__ import annotations

import asyncio
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from .. import __version__
from ..docs import explain, help_uri
from ..findings import Finding, Severity
from ..report.escape import Where, escape
from .buffer import BufferReport, check_buffer, warm
from .suppression import insertion

DEBOUNCE_SECONDS = 0.3
"""How long typing must pause before the buffer is checked again."""
SOURCE = "cfncheck"
SEVERITIES = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}
NOT_SUPPRESSIBLE = ("CFN000", "CFN901", "CFN902")
"""A check that failed, and the findings about suppressions themselves."""


@dataclass(frozen=True)
class Checked:
    """The last report on an open document, with the lines it was made from (positions are
    converted with the text that was checked, not with text typed since)."""

    report: BufferReport | None
    lines: list[str]


class CfncheckServer(LanguageServer):
    def __init__(self, trust: bool = False) -> None:
        super().__init__("cfncheck", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.trust = trust  # whether the workspace's configuration may load its checks-dir
        self.checked: dict[str, Checked] = {}
        self.pending: dict[str, asyncio.Task] = {}
        self.told: set[str] = set()  # the notices already written to the editor's log
        # One check at a time, off the protocol's loop: requests are answered while a check runs.
        self.checker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cfncheck")

    def schedule(self, uri: str, delay: float) -> None:
        """Check the document after ``delay`` seconds, instead of any check of it still waiting."""
        waiting = self.pending.pop(uri, None)
        if waiting is not None:
            waiting.cancel()
        self.pending[uri] = asyncio.ensure_future(self._check(uri, delay))

    async def _check(self, uri: str, delay: float) -> None:
        if delay:
            await asyncio.sleep(delay)
        document = self.workspace.get_text_document(uri)
        if document.path is None or uri not in self.workspace.text_documents:
            return
        version, text = document.version, document.source
        others = {
            os.path.realpath(other.path): other.source.encode("utf-8")
            for other_uri, other in self.workspace.text_documents.items()
            if other_uri != uri and other.path
        }
        loop = asyncio.get_running_loop()
        try:
            report = await loop.run_in_executor(
                self.checker, check_buffer, Path(document.path), text, others, self.trust
            )
        except Exception as err:  # a bug of cfncheck's: say so in the editor's log, keep serving
            self.log(types.MessageType.Error, f"cfncheck could not check {document.path}: {type(err).__name__}: {err}")
            return
        for notice in report.notices if report is not None else ():
            if notice not in self.told:
                self.told.add(notice)
                self.log(types.MessageType.Warning, f"cfncheck: {notice}")
        current = self.workspace.text_documents.get(uri)
        if current is None or current.version != version:
            return  # closed or changed meanwhile: a newer check is on its way
        lines = text.splitlines()
        self.checked[uri] = Checked(report, lines)
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, version=version, diagnostics=self.diagnostics(uri))
        )

    def log(self, kind: types.MessageType, message: str) -> None:
        self.window_log_message(types.LogMessageParams(type=kind, message=escape(message, Where.EDITOR)))

    def region(self, uri: str, line: int, column: int, end_line: int, end_column: int) -> types.Range:
        """A cfncheck region (1-based, end included, characters) as a protocol range."""
        lines = self.checked[uri].lines
        start = types.Position(line=max(line - 1, 0), character=max(column - 1, 0))
        end = types.Position(line=max(end_line - 1, 0), character=max(end_column, 0))
        return self.workspace.position_codec.range_to_client_units(lines, types.Range(start=start, end=end))

    def diagnostics(self, uri: str) -> list[types.Diagnostic]:
        report = self.checked[uri].report
        if report is None:
            return []
        if report.problem is not None:
            return [self._line_diagnostic(uri, 1, f"cfncheck did not check this file: {report.problem}")]
        found = [self._line_diagnostic(uri, error.line or 1, error.message) for error in report.errors]
        return found + [self._diagnostic(uri, finding, report) for finding in report.findings]

    def _line_diagnostic(self, uri: str, line: int, message: str) -> types.Diagnostic:
        lines = self.checked[uri].lines
        width = len(lines[line - 1]) if 0 < line <= len(lines) else 0
        return types.Diagnostic(
            range=self.region(uri, line, 1, line, width),
            message=escape(message, Where.EDITOR),
            severity=types.DiagnosticSeverity.Error,
            source=SOURCE,
        )

    def _diagnostic(self, uri: str, finding: Finding, report: BufferReport) -> types.Diagnostic:
        entry = report.catalog.find(finding.rule_id) if report.catalog else None
        online = help_uri(entry) if entry is not None else None
        related = [
            types.DiagnosticRelatedInformation(
                location=types.Location(
                    uri=Path(place.file).resolve().as_uri(),
                    range=types.Range(
                        start=types.Position(line=place.line - 1, character=place.column - 1),
                        end=types.Position(line=place.end_line - 1, character=place.end_column),
                    ),
                ),
                message=escape(place.message or "related", Where.EDITOR),
            )
            for place in finding.related
        ]
        return types.Diagnostic(
            range=self.region(uri, finding.line, finding.column, finding.end_line, finding.end_column),
            message=escape(f"{finding.name}: {finding.shown_message}", Where.EDITOR),
            severity=SEVERITIES[finding.severity],
            code=finding.rule_id,
            code_description=types.CodeDescription(href=online) if online else None,
            source=SOURCE,
            related_information=related or None,
            data={"rule": finding.rule_id, "resource": finding.resource},
        )

    def findings_at(self, uri: str, position: types.Position) -> list[tuple[Finding, types.Range]]:
        """The findings whose region holds the position, with their ranges."""
        checked = self.checked.get(uri)
        if checked is None or checked.report is None:
            return []
        found = []
        for finding in checked.report.findings:
            where = self.region(uri, finding.line, finding.column, finding.end_line, finding.end_column)
            after_start = (position.line, position.character) >= (where.start.line, where.start.character)
            before_end = (position.line, position.character) <= (where.end.line, where.end.character)
            if after_start and before_end:
                found.append((finding, where))
        # the narrowest first: the property under the cursor before the resource around it
        return sorted(found, key=lambda pair: (pair[1].end.line - pair[1].start.line, pair[1].end.character))


def build(trust: bool = False) -> CfncheckServer:
    server = CfncheckServer(trust)

    @server.feature(types.INITIALIZE)
    def initialize(ls: CfncheckServer, params: types.InitializeParams) -> None:
        # The workspace is the project: paths, globs and the configuration are found from there,
        # as they are from the folder the command line runs in.
        root = ls.workspace.root_path
        if root and os.path.isdir(root):
            os.chdir(root)
        ls.checker.submit(warm, ls.trust)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: CfncheckServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: CfncheckServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, DEBOUNCE_SECONDS)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: CfncheckServer, params: types.DidSaveTextDocumentParams) -> None:
        for uri in list(ls.workspace.text_documents):
            ls.schedule(uri, DEBOUNCE_SECONDS)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def files_changed(ls: CfncheckServer, params: types.DidChangeWatchedFilesParams) -> None:
        # a configuration, parameters or another template changed on disk
        for uri in list(ls.workspace.text_documents):
            ls.schedule(uri, DEBOUNCE_SECONDS)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: CfncheckServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        waiting = ls.pending.pop(uri, None)
        if waiting is not None:
            waiting.cancel()
        ls.checked.pop(uri, None)
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: CfncheckServer, params: types.HoverParams) -> types.Hover | None:
        uri = params.text_document.uri
        found = ls.findings_at(uri, params.position)
        report = ls.checked[uri].report if found else None
        if not found or report is None or report.catalog is None:
            return None
        parts, seen = [], set()
        for finding, _ in found:
            entry = report.catalog.find(finding.rule_id)
            if entry is not None and entry.id not in seen:
                seen.add(entry.id)
                message = escape(finding.shown_message, Where.MARKDOWN)
                parts.append(f"**{finding.rule_id}** {message}\n\n{explain(entry)}")
        if not parts:
            return None
        return types.Hover(
            contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value="\n\n---\n\n".join(parts)),
            range=found[0][1],
        )

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
    )
    def code_action(ls: CfncheckServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        uri = params.text_document.uri
        document = ls.workspace.get_text_document(uri)
        actions, seen = [], set()
        for diagnostic in params.context.diagnostics:
            data = diagnostic.data if isinstance(diagnostic.data, dict) else {}
            rule, resource = data.get("rule"), data.get("resource")
            if diagnostic.source != SOURCE or not rule or rule in NOT_SUPPRESSIBLE or (rule, resource) in seen:
                continue
            seen.add((rule, resource))
            inserted = insertion(document.source, document.path or uri, rule, resource)
            if inserted is None:
                continue
            at = types.Position(line=inserted.line, character=0)
            edit = types.TextEdit(range=types.Range(start=at, end=at), new_text=inserted.text)
            where = f"on {resource}" if resource else "in this template"
            actions.append(
                types.CodeAction(
                    title=escape(f"Suppress {rule} {where} (cfncheck; give the reason)", Where.EDITOR),
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[diagnostic],
                    edit=types.WorkspaceEdit(changes={uri: [edit]}),
                )
            )
        return actions

    return server


def serve(trust: bool = False) -> None:
    """Serve one editor over standard input and output; ``trust``: the workspace's configuration
    may load its checks-dir."""
    logging.basicConfig(level=logging.WARNING, format="cfncheck lsp: %(message)s")
    build(trust).start_io()
