"""Text made safe for where it is printed or written: one function, :func:`escape`, that every
report calls on what it did not write itself (file names, logical ids, messages that quote a
template).

A template, a file name or a configuration can hold any character. Printed raw, a newline starts
a line of the reader's choosing: a GitHub runner acts on a log line that starts with ``::`` (after
spaces) and on ``##[command]`` anywhere in a line (``::add-mask::``, ``::stop-commands::``); a
terminal acts on escape sequences (clear the screen, set the title); a job summary and an editor's
hover render HTML and Markdown; XML 1.0 cannot hold most control characters even escaped; SARIF
reads brackets in a message as links. And a file name that is not UTF-8 (Python keeps its bytes as
lone surrogates) cannot be encoded at all. So each destination gets the text with those characters
made visible or inert.
"""

from __future__ import annotations

import re
from enum import Enum
from urllib.parse import quote


class Where(Enum):
    TEXT = "text"  # a line of a terminal or a CI log
    COMMAND = "command"  # the message of a GitHub workflow command (after its last ``::``)
    COMMAND_PROPERTY = "command-property"  # a ``key=value`` property of a workflow command
    MARKDOWN = "markdown"  # text in Markdown: a table cell (the job summary), a paragraph (an editor's hover)
    MARKDOWN_CODE = "markdown-code"  # the content of a `code span` in a Markdown table cell
    URI = "uri"  # a relative path as a URI reference (SARIF, links)
    JSON = "json"  # a whole JSON document as json.dumps wrote it (ASCII)
    SARIF_LINKED = "sarif-linked"  # plain text in a SARIF message that embeds links ``[text](id)``, before JSON
    XML = "xml"  # one line of an XML 1.0 element's text or attribute, its markup escaped by the writer (JUnit)
    EDITOR = "editor"  # plain text an editor shows: a diagnostic, a quick fix's title (the language server)


_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
"""Control characters (C0, DEL, C1, Unicode line and paragraph separators), the characters that
reorder text (bidirectional overrides: a line could show other than it is), and lone surrogates
(the bytes of a name that is not UTF-8)."""
_NOT_XML = re.compile("[\ufffe\uffff]")
"""What XML 1.0 cannot hold besides what ``_UNSAFE`` makes visible: the two non-characters."""
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_COMMAND_DATA = {"%": "%25", "\r": "%0D", "\n": "%0A"}
_COMMAND_PROPERTY = {**_COMMAND_DATA, ":": "%3A", ",": "%2C"}
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|~:])")
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_JSON_ESCAPES = re.compile(r"\\ud[89ab][0-9a-f]{2}\\ud[c-f][0-9a-f]{2}|\\u(d[89a-f][0-9a-f]{2})|\\.|##\[")
"""In ASCII JSON text, each escape from its backslash (an escaped backslash is one, so a ``\\u``
after it is text): a surrogate pair (one character), a lone surrogate, any other escape; and
``##[``, which is never part of an escape."""


def escape(text: str, where: Where) -> str:
    """``text`` as it can be written to ``where`` without acting on the reader."""
    if where is Where.JSON:
        return _JSON_ESCAPES.sub(_json_escape, text)
    if where is Where.URI:
        return quote(text, safe="/", errors="surrogateescape")
    if where is Where.SARIF_LINKED:  # a backslash escapes the brackets, and itself
        return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
    if where is Where.XML:
        return _NOT_XML.sub(_escape_character, _visible(text))
    if where is Where.EDITOR:
        return _visible(text)
    if where is Where.COMMAND or where is Where.COMMAND_PROPERTY:
        table = _COMMAND_DATA if where is Where.COMMAND else _COMMAND_PROPERTY
        return _visible("".join(table.get(c, c) for c in text) if _has_any(text, table) else text)
    if where is Where.MARKDOWN_CODE:
        return _visible(text).replace("`", "\\x60").replace("|", "\\|")
    if where is Where.MARKDOWN:
        shown = _MARKDOWN_PUNCTUATION.sub(r"\\\1", _visible(text))
        return "".join(_HTML.get(c, c) for c in shown) if _has_any(shown, _HTML) else shown
    return _inert_line(_visible(text))


def _visible(text: str) -> str:
    """Control characters, reordering marks and a non-UTF-8 name's bytes as visible escapes."""
    if text.isascii() and text.isprintable():
        return text
    return _UNSAFE.sub(_escape_character, text)


def _escape_character(found: re.Match | str) -> str:
    char = found if isinstance(found, str) else found[0]
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that is not UTF-8, as os.fsdecode keeps it
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _inert_line(text: str) -> str:
    """A GitHub runner reads ``::command::`` at the start of a line (after spaces) and
    ``##[command]`` anywhere in it: neither reaches it whole."""
    if "##[" in text:
        text = text.replace("##[", "##\\x5b")
    if text.lstrip().startswith("::"):
        start = len(text) - len(text.lstrip())
        text = f"{text[:start]}\\x3a{text[start + 1 :]}"
    return text


def _has_any(text: str, table: dict[str, str]) -> bool:
    return any(c in text for c in table)


def _json_escape(found: re.Match) -> str:
    if found[1] is not None:  # a lone surrogate, which strict parsers refuse: its visible escape
        return "\\" + _escape_character(chr(int(found[1], 16)))
    if found[0] == "##[":
        return "##\\u005b"  # the same string once parsed
    return found[0]
