"""Bytes to marked nodes: YAML (with CloudFormation's short-form tags) and JSON.

Both formats are read in one pass that builds :mod:`cfncheck.nodes` directly, so that every
mapping, sequence and scalar keeps its region, duplicate keys are seen (plain parsers keep
the last value silently, CloudFormation rejects the template), and hostile input — alias
bombs, self-referencing anchors, absurd nesting — is stopped by counting, not by running out
of memory or recursion.
"""

from __future__ import annotations

import bisect
import json
import json.decoder
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import chain, islice, repeat
from operator import itemgetter, sub
from pathlib import Path

import yaml
from cfn_tools.yaml_loader import FN_PREFIX, UNCONVERTED_SUFFIXES

from .nodes import Mark, MarkedDict, MarkedList

try:  # LibYAML parses several times faster; the pure-Python parser gives the same events.
    from yaml.cyaml import CParser as _YamlParser
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml.loader import SafeLoader as _YamlParser

MAX_BYTES = 1_000_000
"""CloudFormation refuses template bodies over 1 MB."""
MAX_DEPTH = 100
"""Real templates nest about 20 deep; past this the input is hostile or broken."""
MAX_NODES = 1_000_000
"""Nodes after alias expansion: a 1 MB template has far fewer; a "billion laughs" far more."""
TEXT_PER_NODE = 64
"""A long string counts as one node per this many characters, so that aliases repeating it are bounded too."""

INTRINSIC_TAGS = frozenset(
    "Ref Condition Base64 Cidr FindInMap GetAtt GetAZs ImportValue Join Select Split Sub Transform "
    "And Equals If Not Or Contains EachMemberEquals EachMemberIn RefAll ValueOf ValueOfAll "
    "Length ToJsonString".split()
)
"""Short-form tags CloudFormation (with its language extensions) accepts."""

RAIN = "rain"
JINJA = "jinja"
PACKAGE_MODULES = "package-modules"
TOOL_TAGS = {"Invoke": ("Fn::Invoke", PACKAGE_MODULES)}
"""Short-form tags of other tools that are not rain's (``!Rain::…``): the long form each stands
for, and the tool that expands it (``aws cloudformation package`` with local modules)."""
_JINJA_BLOCK = re.compile(r"\{%-?\s|\{#-?\s")
"""A Jinja statement or comment: a template for Sceptre (or another tool that renders Jinja)."""
_JINJA_EXPRESSION = re.compile(r"\{\{-?\s*(?!resolve:)[A-Za-z_]")
"""A Jinja expression, which is not a dynamic reference; on its own it proves nothing (SSM
documents write parameters this way), but it explains a file that is not YAML there."""


class LoadError(Exception):
    """A file that cannot be read as a template; names the file and, where known, the line."""

    def __init__(self, file: str, message: str, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.file = file
        self.message = message
        self.line = line
        self.column = column

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column or 1}" if self.line else self.file
        return f"{where}: {self.message}"


class ToolInput(LoadError):
    """A file that only another tool can turn into a template (a Jinja template that is not YAML
    or JSON before it is rendered): not an error of the file, but nothing CloudFormation reads."""

    def __init__(self, file: str, tool: str, message: str, line: int | None = None, column: int | None = None):
        super().__init__(file, message, line, column)
        self.tool = tool


@dataclass(frozen=True)
class DuplicateKey:
    key: str
    first: Mark
    second: Mark


@dataclass
class Document:
    """What a file holds: its root mapping, the duplicate keys seen, and its format."""

    file: str
    root: MarkedDict
    format: str
    text: str
    duplicates: list[DuplicateKey] = field(default_factory=list)
    tools: dict[str, Mark] = field(default_factory=dict)
    """Other tools whose syntax the file uses (rain's tags, Jinja…), each with its first place."""


TEMPLATE_KEYS = frozenset({"Resources", "AWSTemplateFormatVersion"})
"""A top-level key that makes a YAML or JSON file a template (as CloudFormation requires one of them)."""
ESCAPED = re.compile(rb"\\[uUx\r\n]")
"""An escape in a quoted string (JSON's ``\\u``, YAML's also ``\\x``, ``\\U`` and an escaped line
break) can spell a key that the text does not show."""
_TEMPLATE_LINE = re.compile(
    rb'^(Resources|AWSTemplateFormatVersion)\s*:|"(Resources|AWSTemplateFormatVersion)"\s*:', re.M
)
"""What a file that cannot be parsed shows of a template: its errors are reported when it does."""


def is_template(data: bytes) -> bool:
    """Whether the loader reads ``data`` as a template: a YAML or JSON mapping whose top level has
    Resources or AWSTemplateFormatVersion, however it is written (after a byte-order mark or
    comments, in any order, quoted, in flow style, indented). The top-level keys are read from
    LibYAML's events (JSON is YAML), stopping at the first that answers; a file that does not
    parse is a template when a line of it shows the key, so that its error is reported."""
    if not any(key.encode() in data for key in TEMPLATE_KEYS) and not ESCAPED.search(data):
        return False
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:  # the loader says so, if it is a template
        return _TEMPLATE_LINE.search(data) is not None
    try:
        return _has_template_key(text)
    except yaml.YAMLError:
        pass
    if text.lstrip()[:1] == "{":  # JSON that LibYAML does not read (it is YAML 1.1)
        try:
            value = json.loads(text)
        except (ValueError, RecursionError):
            pass
        else:
            return isinstance(value, dict) and not TEMPLATE_KEYS.isdisjoint(value)
    return _TEMPLATE_LINE.search(data) is not None


def _has_template_key(text: str) -> bool:
    parser = _YamlParser(text)
    depth = 0
    expecting_key = False  # at depth 1: whether the next node is a key of the top-level mapping
    anchors: dict[str, str] = {}
    try:
        while True:
            event = parser.get_event()
            kind = type(event)
            if kind is yaml.ScalarEvent or kind is yaml.AliasEvent:
                if kind is yaml.ScalarEvent and event.anchor is not None:
                    anchors[event.anchor] = event.value
                if depth == 0:
                    return False  # the document is a scalar
                if depth == 1:
                    value = event.value if kind is yaml.ScalarEvent else anchors.get(event.anchor)
                    if expecting_key and value in TEMPLATE_KEYS:
                        return True
                    expecting_key = not expecting_key
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                if depth == 0 and kind is not yaml.MappingStartEvent:
                    return False
                depth += 1
                expecting_key = expecting_key or depth == 1
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                depth -= 1
                if depth == 0:
                    return False
                if depth == 1:
                    expecting_key = not expecting_key  # a collection was a key or a value
            elif kind is yaml.DocumentEndEvent or kind is yaml.StreamEndEvent:
                return False
    finally:
        parser.dispose()


def read_head(path: str | Path) -> bytes:
    """What the loader reads of a file: its bytes, up to one past the size limit (so that it can
    tell a file is too large). Raises OSError."""
    with open(path, "rb") as handle:
        return handle.read(MAX_BYTES + 1)


def load_file(path: str | Path, display: str | None = None) -> Document:
    name = display or str(path)
    try:
        data = read_head(path)
    except OSError as err:
        raise LoadError(name, f"cannot read file: {err.strerror or err}") from None
    return load_bytes(data, name)


def load_bytes(data: bytes, name: str) -> Document:
    if len(data) > MAX_BYTES:
        raise LoadError(name, f"file is larger than CloudFormation's {MAX_BYTES:,}-byte template limit")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # what Windows PowerShell writes by default
        raise LoadError(name, "file is UTF-16 text: save it as UTF-8, the encoding CloudFormation reads", 1)
    if b"\x00" in data:
        raise LoadError(name, "binary file (contains NUL bytes), not a template", _line_at(data, data.index(b"\x00")))
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise LoadError(name, "file is not UTF-8 text", _line_at(data, err.start)) from None
    if not text.strip():
        raise LoadError(name, "empty file: a template needs at least a Resources section")
    try:
        document = _parse(name, text)
    except LoadError as err:
        line = _jinja_line(text, err.line)
        if line is None:
            raise
        message = f"a Jinja template, not YAML or JSON until it is rendered ({err.message})"
        raise ToolInput(name, JINJA, message, line) from None
    if "{" in text and (found := _JINJA_BLOCK.search(text)) is not None:
        line = text.count("\n", 0, found.start()) + 1
        document.tools.setdefault(JINJA, Mark(line, 1, line, 1))
    return document


def _jinja_line(text: str, failed_at: int | None) -> int | None:
    """The line of the first Jinja statement, or of an expression on the line where parsing
    failed: the reason a file with Jinja in it is not a template yet."""
    found = _JINJA_BLOCK.search(text)
    if found is not None:
        return text.count("\n", 0, found.start()) + 1
    if failed_at is not None:
        lines = text.splitlines()
        if failed_at <= len(lines) and _JINJA_EXPRESSION.search(lines[failed_at - 1]):
            return failed_at
    return None


def _parse(name: str, text: str) -> Document:
    """JSON, else YAML. CloudFormation reads a JSON template as YAML when it is not strict JSON
    (a trailing comma, a comment), whatever the file is called: so does this, keeping the
    positions YAML gives, which are the same lines and columns."""
    if text.lstrip()[:1] == "{" or name.endswith(".json"):
        try:
            root, duplicates = _JsonReader(name, text).read()
            return _document(name, root, "json", text, duplicates)
        except LoadError as json_error:
            try:
                root, duplicates, tools = _YamlReader(name, text).read()
            except LoadError:
                raise json_error from None
            return _document(name, root, "json" if text.lstrip()[:1] == "{" else "yaml", text, duplicates, tools)
    root, duplicates, tools = _YamlReader(name, text).read()
    return _document(name, root, "yaml", text, duplicates, tools)


def _document(
    name: str, root, fmt: str, text: str, duplicates: list[DuplicateKey], tools: dict[str, Mark] | None = None
) -> Document:
    if not isinstance(root, MarkedDict):
        kind = "empty" if root is None else type(root).__name__.replace("Marked", "").lower()
        raise LoadError(name, f"the top level of a template must be a mapping, not {kind}", 1)
    return Document(name, root, fmt, text, duplicates, tools or {})


def _line_at(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


_YAML_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


_new_tuple = tuple.__new__  # Mark(...) goes through a Python-level __new__; this is the hot path


def _mark(start, end, lines: list[str]) -> Mark:
    if end.column == 0 and end.line > start.line:
        # Block scalars (and the collections they close) end after their last line break: the
        # region's last character is on the line before, which may be the file's last line.
        last = lines[end.line - 1] if end.line <= len(lines) else ""
        return _new_tuple(Mark, (start.line + 1, start.column + 1, end.line, len(last) or 1))
    return _new_tuple(Mark, (start.line + 1, start.column + 1, end.line + 1, end.column or 1))


class _Frame:
    __slots__ = ("node", "flow", "start", "tag", "anchor", "size", "key", "key_mark", "keys")

    def __init__(self, node, flow: bool, start, tag, anchor) -> None:
        self.node = node
        self.flow = flow
        self.start = start
        self.tag = tag
        self.anchor = anchor
        self.size = 1  # nodes below, counting every alias as the whole structure it repeats
        self.key = None  # mapping frames: the key waiting for its value
        self.key_mark = None
        self.keys: dict | None = {} if isinstance(node, MarkedDict) else None


class _YamlReader:
    """Builds marked nodes from LibYAML's event stream, without PyYAML's recursive composer."""

    _resolver = yaml.resolver.Resolver()
    _typed_starts = frozenset(yaml.resolver.Resolver.yaml_implicit_resolvers)  # "" is the empty scalar: null
    """First characters that can begin a plain scalar of another type than string (a number, a
    boolean, null…): every other plain scalar is a string without asking the resolver."""
    _constructor = yaml.constructor.SafeConstructor()

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.text = text
        self.duplicates: list[DuplicateKey] = []
        self.nodes = 0
        self.anchors: dict[str, tuple[object, int] | None] = {}
        self.tools: dict[str, Mark] = {}
        self.lines = _YAML_LINE_BREAK.split(text)  # lines as YAML counts them, so that marks index it

    def fail(self, message: str, mark=None):
        if mark is None:
            raise LoadError(self.name, message)
        lines = self.lines
        if mark.line >= len(lines):  # LibYAML can mark the end of input past the last line; point at that line's end
            raise LoadError(self.name, message, len(lines), len(lines[-1]) + 1)
        raise LoadError(self.name, message, mark.line + 1, mark.column + 1)

    def read(self):
        parser = _YamlParser(self.text)
        try:
            return self._build(parser)
        except yaml.MarkedYAMLError as err:
            mark = err.problem_mark or err.context_mark
            problem = err.problem or err.context or "invalid YAML"
            if "nesting depth" in problem:
                # The LibYAML of recent PyYAML wheels (6.0.4) has a depth limit of its own that may refuse
                # before ours: the user reads the same message whichever limit is reached first.
                self.fail(f"nesting deeper than {MAX_DEPTH} levels", mark)
            self.fail(f"invalid YAML: {problem}", mark)
        except yaml.YAMLError as err:
            self.fail(f"invalid YAML: {err}")
        finally:
            parser.dispose()

    def _build(self, parser):
        stack: list[_Frame] = []
        root = None
        documents = 0
        last_end = None
        get_event = parser.get_event
        while True:
            event = get_event()
            kind = type(event)
            if kind is yaml.ScalarEvent:
                value = self._scalar(event)
                last_end = event.end_mark
                size = 1 + len(value) // TEXT_PER_NODE if isinstance(value, str) else 1
                value_mark = _mark(event.start_mark, event.end_mark, self.lines)
                if event.anchor is not None:
                    self.anchors[event.anchor] = (value, size)
            elif kind is yaml.AliasEvent:
                target = self.anchors.get(event.anchor, False)
                if target is False:
                    self.fail(f"alias *{event.anchor} refers to no anchor", event.start_mark)
                if target is None:
                    self.fail(f"alias *{event.anchor} refers to its own anchor (recursive structure)", event.start_mark)
                value, size = target
                last_end = event.end_mark
                value_mark = _mark(event.start_mark, event.end_mark, self.lines)
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                if len(stack) >= MAX_DEPTH:
                    self.fail(f"nesting deeper than {MAX_DEPTH} levels", event.start_mark)
                node = MarkedDict() if kind is yaml.MappingStartEvent else MarkedList()
                if event.anchor is not None:
                    self.anchors[event.anchor] = None  # open: an alias to it now would recurse
                stack.append(_Frame(node, bool(event.flow_style), event.start_mark, event.tag, event.anchor))
                continue
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                frame = stack.pop()
                size = frame.size
                end = event.end_mark if frame.flow else (last_end or event.end_mark)
                last_end = end
                value = frame.node
                value.mark = value_mark = _mark(frame.start, end, self.lines)
                tag = frame.tag
                if frame.anchor is not None:
                    self.anchors[frame.anchor] = (value, size)
                if tag is not None and tag not in ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"):
                    value = self._tagged(tag, value, frame.start)
                    value_mark = value.mark
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    self.fail("more than one YAML document in the file; a template is one document", event.start_mark)
                continue
            elif kind is yaml.StreamEndEvent:
                return root, self.duplicates, self.tools
            else:  # StreamStart, DocumentEnd
                continue

            # A collection's items were counted as they came: only the collection itself is new here.
            self.nodes += 1 if kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent else size
            if self.nodes > MAX_NODES:
                self.fail(f"more than {MAX_NODES:,} nodes after expanding aliases (alias bomb?)", event.start_mark)
            if not stack:
                root = value
                continue
            frame = stack[-1]
            frame.size += size
            container = frame.node
            if isinstance(container, MarkedList):
                container.append(value)
                container.item_marks.append(value_mark)
            elif frame.key_mark is None:
                frame.key = self._key(value, event)
                frame.key_mark = value_mark
            else:
                key = frame.key
                first = frame.keys.get(key)
                if first is not None:
                    self.duplicates.append(DuplicateKey(key, first, frame.key_mark))
                frame.keys[key] = frame.key_mark
                container[key] = value
                container.key_marks[key] = frame.key_mark
                container.value_marks[key] = value_mark
                frame.key = frame.key_mark = None

    def _key(self, value, event) -> str:
        if isinstance(value, (MarkedDict, MarkedList)):
            self.fail("a mapping key must be a string, not a collection", event.start_mark)
        if isinstance(event, yaml.ScalarEvent) and not event.style and not isinstance(value, str):
            return event.value  # `32:` or `true:` is the key "32" / "true" in CloudFormation
        return value if isinstance(value, str) else str(value)

    def _scalar(self, event):
        tag = event.tag
        value = event.value
        if tag is None or tag == "!":
            if event.style or tag == "!" or value[:1] not in self._typed_starts:
                return value  # quoted, block, or plain text that no implicit type matches
            tag = self._resolver.resolve(yaml.ScalarNode, value, (True, False))
        elif tag.startswith("!") and not tag.startswith("!!"):
            return self._tagged(tag, value, event.start_mark, event.end_mark)
        if tag == "tag:yaml.org,2002:str" or tag == "tag:yaml.org,2002:timestamp":
            return value  # dates such as 2010-09-09 stay the text CloudFormation reads
        if tag == "tag:yaml.org,2002:null":
            return None
        node = yaml.ScalarNode(tag, value)
        try:
            if tag == "tag:yaml.org,2002:bool":
                return self._constructor.construct_yaml_bool(node)
            if tag == "tag:yaml.org,2002:int":
                return self._constructor.construct_yaml_int(node)
            if tag == "tag:yaml.org,2002:float":
                return self._constructor.construct_yaml_float(node)
        except (ValueError, yaml.YAMLError):
            return value
        if tag == "tag:yaml.org,2002:binary":
            self.fail("binary scalars (!!binary) are not allowed in a template", event.start_mark)
        return value

    def _tagged(self, tag: str, value, start, end=None) -> MarkedDict:
        """`!Ref x` becomes `{"Ref": x}`, `!GetAtt a.b` becomes `{"Fn::GetAtt": [a, b]}`, as cfn-flip reads them.
        Another tool's tag becomes its long form (`!Rain::Embed f` is `{"Rain::Embed": f}`, as rain
        reads it), noted as that tool's syntax."""
        name = tag[1:]
        mark = _mark(start, end, self.lines) if end is not None else value.mark
        if name.startswith("Rain::") or name in TOOL_TAGS:
            function, tool = TOOL_TAGS.get(name, (name, RAIN))
            self.tools.setdefault(tool, mark)
        elif name not in INTRINSIC_TAGS:
            self.fail(f"unknown tag {tag}: CloudFormation accepts only its intrinsic function tags", start)
        else:
            function = name if name in UNCONVERTED_SUFFIXES else FN_PREFIX + name
        if function == "Fn::GetAtt" and isinstance(value, str):
            parts = value.split(".", 1)
            value = MarkedList(parts, mark=mark)
            value.item_marks = [mark] * len(parts)
        node = MarkedDict({function: value}, mark=mark)
        node.key_marks[function] = mark
        node.value_marks[function] = mark
        return node


_JSON_TOKEN = re.compile(r'[ \t\n\r,:]*+("[^"\\]*+(?:\\.[^"\\]*+)*+"|[{}\[\]]|[^ \t\n\r,:{}\[\]"]++|")')
"""A token of JSON (a string, a bracket, a number or a word) after the whitespace and punctuation
before it: in valid JSON there is one per scalar, key and bracket, in the order of the text. A
lone quote is a string that does not end. Possessive repeats never backtrack: less work, and
no slow case on hostile text."""
_TOKEN_BATCH = 4096
"""Tokens given their regions at a time: enough to keep the work in C, few enough that a file of
1 MB (up to 700,000 tokens) does not hold a list of them all besides its nodes."""
_JSON_CONSTANTS = ("NaN", "Infinity", "-Infinity")
_LINE_FEED = re.compile("\n")


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


_JSON_SCAN = json.decoder.JSONDecoder(object_pairs_hook=tuple, parse_constant=_refuse_constant).scan_once
"""The standard library's C scanner: every object comes back as a tuple of its (key, value)
pairs, in order and with duplicates, every array as a list."""


class _JsonReader:
    """JSON with positions. The standard library's C scanner decodes and validates the text; one
    regular expression finds where each of its tokens starts and ends; a walk over the decoded
    values, in the order of the text, gives each container, key and value the region of its
    tokens. Scanning the text in Python instead took half the time of loading a JSON template."""

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.text = text
        self.line_starts = [0, *map(re.Match.end, _LINE_FEED.finditer(text))]
        self.duplicates: list[DuplicateKey] = []

    def position(self, index: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.line_starts, index)
        return line, index - self.line_starts[line - 1] + 1

    def read(self):
        text = self.text
        ws = json.decoder.WHITESPACE.match
        try:
            start = ws(text, 0).end()
            value, end = _JSON_SCAN(text, start)
            end = ws(text, end).end()
            if end != len(text):
                raise json.JSONDecodeError("Extra data after the top-level value", text, end)
        except StopIteration as err:
            self._fail_at("invalid JSON: Expecting value", err.value)
        except json.JSONDecodeError as err:
            self._fail_at(f"invalid JSON: {err.msg}", err.pos)
        except (ValueError, RecursionError) as err:  # NaN, an integer too long to convert, nesting past the stack
            self._fail_at(f"invalid JSON: {err}", None)
        if type(value) is tuple or type(value) is list:
            value = self._node(value, chain.from_iterable(self._token_marks(start)), 1)
        return value, self.duplicates

    def _token_marks(self, start: int) -> Iterator[list[Mark]]:
        """The region of every token, in text order, a batch at a time. A token is on one line (JSON
        strings hold no line breaks), so its region takes one line lookup. Each step maps a builtin
        over the batch: the work per token stays in C, where a loop in Python would cost as much
        as the scanning it replaces."""
        tokens = _JSON_TOKEN.finditer(self.text, start)
        before_line = [None, *self.line_starts]  # indexed by line number
        while spans := list(map(re.Match.span, islice(tokens, _TOKEN_BATCH), repeat(1))):
            starts = list(map(itemgetter(0), spans))
            lines = list(map(bisect.bisect_right, repeat(self.line_starts), starts))
            line_starts = list(map(before_line.__getitem__, lines))
            columns = map((1).__add__, map(sub, starts, line_starts))
            end_columns = map(sub, map(itemgetter(1), spans), line_starts)
            yield list(map(_new_tuple, repeat(Mark), zip(lines, columns, lines, end_columns, strict=True)))

    def _node(self, value, marks, depth: int):
        """The marked container for a decoded object (a tuple of pairs) or array, taking the
        regions of its tokens from ``marks``."""
        opening = next(marks)
        if depth > MAX_DEPTH:
            raise LoadError(self.name, f"nesting deeper than {MAX_DEPTH} levels", opening.line, opening.column)
        if type(value) is tuple:
            node = MarkedDict()
            key_marks, value_marks = node.key_marks, node.value_marks
            for key, item in value:
                key_mark = next(marks)
                if type(item) is tuple or type(item) is list:
                    item = self._node(item, marks, depth + 1)
                    item_mark = item.mark
                else:
                    item_mark = next(marks)
                if key in node:
                    self.duplicates.append(DuplicateKey(key, key_marks[key], key_mark))
                node[key] = item
                key_marks[key] = key_mark
                value_marks[key] = item_mark
        else:
            node = MarkedList()
            item_marks = node.item_marks
            for item in value:
                if type(item) is tuple or type(item) is list:
                    item = self._node(item, marks, depth + 1)
                    item_mark = item.mark
                else:
                    item_mark = next(marks)
                node.append(item)
                item_marks.append(item_mark)
        closing = next(marks)
        node.mark = _new_tuple(Mark, (opening.line, opening.column, closing.end_line, closing.end_column))
        return node

    def _fail_at(self, message: str, index: int | None):
        """Fails with ``message`` at ``index`` (or at no position), unless nesting went past
        MAX_DEPTH before it, or before the NaN or Infinity that ``message`` refuses: that is the
        error a reader meets first, reading in order. The scanner's own recursion limit is far
        deeper, so it is found here."""
        depth = 0
        for token in _JSON_TOKEN.finditer(self.text, 0, len(self.text) if index is None else index):
            first = token[1][0]
            if first == "{" or first == "[":
                depth += 1
                if depth > MAX_DEPTH:
                    index, message = token.start(1), f"nesting deeper than {MAX_DEPTH} levels"
                    break
            elif first == "}" or first == "]":
                depth -= 1
            elif token[1] in _JSON_CONSTANTS or token[1] == '"':
                break
        line, column = self.position(index) if index is not None else (None, None)
        raise LoadError(self.name, message, line, column)


def parse_json(name: str, text: str):
    """A JSON value of any shape, with the region of every value (a parameters file); raises LoadError."""
    return _JsonReader(name, text).read()[0]
