"""The loader: short-form tags, positions, duplicate keys, and hostile input."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cfncheck.loader import MAX_BYTES, LoadError, ToolInput, _JsonReader, _YamlReader, load_bytes
from cfncheck.nodes import MarkedDict, MarkedList


def load(text: str, name: str = "t.yaml"):
    return load_bytes(text.encode(), name)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("!Ref Name", {"Ref": "Name"}),
        ("!Condition IsProd", {"Condition": "IsProd"}),
        ("!Sub 'a-${B}'", {"Fn::Sub": "a-${B}"}),
        ("!Sub ['a-${x}', {x: !Ref B}]", {"Fn::Sub": ["a-${x}", {"x": {"Ref": "B"}}]}),
        ("!GetAtt Res.Attr", {"Fn::GetAtt": ["Res", "Attr"]}),
        ("!GetAtt Stack.Outputs.Name", {"Fn::GetAtt": ["Stack", "Outputs.Name"]}),
        ("!GetAtt [Res, Attr]", {"Fn::GetAtt": ["Res", "Attr"]}),
        ("!Join [',', [a, b]]", {"Fn::Join": [",", ["a", "b"]]}),
        ("!Select [0, !GetAZs '']", {"Fn::Select": [0, {"Fn::GetAZs": ""}]}),
        ("!Split [',', 'a,b']", {"Fn::Split": [",", "a,b"]}),
        ("!FindInMap [M, a, b]", {"Fn::FindInMap": ["M", "a", "b"]}),
        ("!If [C, 1, 2]", {"Fn::If": ["C", 1, 2]}),
        ("!Equals [a, b]", {"Fn::Equals": ["a", "b"]}),
        ("!And [!Condition A, !Condition B]", {"Fn::And": [{"Condition": "A"}, {"Condition": "B"}]}),
        ("!Or [!Condition A, !Condition B]", {"Fn::Or": [{"Condition": "A"}, {"Condition": "B"}]}),
        ("!Not [!Condition A]", {"Fn::Not": [{"Condition": "A"}]}),
        ("!Base64 text", {"Fn::Base64": "text"}),
        ("!Cidr [10.0.0.0/16, 2, 8]", {"Fn::Cidr": ["10.0.0.0/16", 2, 8]}),
        ("!GetAZs ''", {"Fn::GetAZs": ""}),
        ("!ImportValue Shared", {"Fn::ImportValue": "Shared"}),
        ("!Transform {Name: M}", {"Fn::Transform": {"Name": "M"}}),
        ("!Length [a, b]", {"Fn::Length": ["a", "b"]}),
        ("!ToJsonString {a: 1}", {"Fn::ToJsonString": {"a": 1}}),
    ],
)
def test_short_form_tags(source, expected):
    assert load(f"Value: {source}\n").root["Value"] == expected


def test_scalars_keep_yaml_types_but_dates_stay_text():
    root = load("A: 2010-09-09\nB: 30\nC: true\nD: '30'\nE: 1.5\nF: ~\n32: x\n").root
    assert root == {"A": "2010-09-09", "B": 30, "C": True, "D": "30", "E": 1.5, "F": None, "32": "x"}


def test_every_node_keeps_its_position():
    root = load("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      Tags: [a, b]\n").root
    queue = root["Resources"]["Q"]
    assert isinstance(queue, MarkedDict)
    assert queue.mark.line == 3
    assert queue.key_marks["Type"][:2] == (3, 5)
    assert queue.value_marks["Type"][:2] == (3, 11)
    tags = queue["Properties"]["Tags"]
    assert isinstance(tags, MarkedList)
    assert [m[:2] for m in tags.item_marks] == [(5, 14), (5, 17)]
    assert queue.mark_of("Type") == (3, 5, 3, 25)


def test_json_positions_and_duplicates():
    text = '{\n  "Resources": {\n    "Q": {"Type": "AWS::SQS::Queue", "Type": "X"}\n  }\n}\n'
    document = load(text, "t.json")
    assert document.format == "json"
    queue = document.root["Resources"]["Q"]
    assert queue.key_marks["Type"][:2] == (3, 38)  # the last value wins, as in YAML
    assert [(d.key, d.first.line, d.second.line) for d in document.duplicates] == [("Type", 3, 3)]


_json_text = st.text(  # LibYAML reads no surrogate pair (\\ud83d\\ude00) nor a raw line separator
    st.characters(max_codepoint=0xFFFF, exclude_categories=("Cs", "Cc", "Cn", "Co", "Zl", "Zp")), max_size=8
)
_json_scalars = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), _json_text)
_json_data = st.recursive(
    _json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(st.tuples(st.sampled_from(["Type", "Ref", "a", "\u00e9", "a\tb"]), inner), max_size=4).map(tuple),
    ),
    max_leaves=20,
)


def _dump(value, layout: str, depth: int = 0) -> str:
    """JSON text of ``value`` (a tuple of pairs for an object, so that a key can repeat) laid out
    on one line, indented, or with line breaks and spaces around every token."""
    if not isinstance(value, (tuple, list)):
        return json.dumps(value, ensure_ascii=layout == "spread")
    if isinstance(value, tuple):
        opening, closing = "{", "}"
        parts = [
            f"{json.dumps(key, ensure_ascii=layout == 'spread')}: {_dump(item, layout, depth + 1)}"
            for key, item in value
        ]
    else:
        opening, closing = "[", "]"
        parts = [_dump(item, layout, depth + 1) for item in value]
    if layout == "one line" or not parts:
        return opening + ", ".join(parts) + closing
    if layout == "indented":
        inside = "\n" + "  " * (depth + 1)
        return opening + inside + ("," + inside).join(parts) + "\n" + "  " * depth + closing
    return f"{opening} \n\t" + " ,\n ".join(parts) + f"\r\n {closing}"


def _nodes_and_marks(node):
    if isinstance(node, MarkedDict):
        return (
            "map",
            node.mark,
            [(k, node.key_marks[k], node.value_marks[k], _nodes_and_marks(v)) for k, v in node.items()],
        )
    if isinstance(node, MarkedList):
        return ("seq", node.mark, list(zip(node.item_marks, map(_nodes_and_marks, node), strict=True)))
    return (type(node), node)


@given(
    st.lists(st.tuples(st.sampled_from(["Resources", "Outputs", "x"]), _json_data), max_size=4).map(tuple),
    st.sampled_from(["one line", "indented", "spread"]),
)
def test_json_is_read_with_the_nodes_marks_and_duplicates_yaml_gives_it(top, layout):
    # JSON is YAML: LibYAML gives the same text the same nodes, the same region to every
    # container, key and value, and the same repeated keys.
    text = _dump(top, layout) + "\n"
    root, duplicates = _JsonReader("t.json", text).read()
    yaml_root, yaml_duplicates, _ = _YamlReader("t.json", text).read()
    assert _nodes_and_marks(root) == _nodes_and_marks(yaml_root)
    assert duplicates == yaml_duplicates


@pytest.mark.parametrize(
    ("text", "message", "column"),
    [
        ("[" * 101 + "x", "nesting deeper than 100 levels", 101),  # the limit comes first in the text
        ("[" * 99 + "x" + "[" * 5, "invalid JSON: Expecting value", 100),
        ("[" * 101 + "NaN", "nesting deeper than 100 levels", 101),
        ("[" * 50 + "NaN" + "[" * 60, "invalid JSON: NaN is not valid JSON", None),
        ('["' + "[" * 200 + '\x01"]', "invalid JSON: Invalid control character at", 203),
        ("[" * 100_000, "nesting deeper than 100 levels", 101),
    ],
)
def test_json_reports_the_first_problem_in_the_text(text, message, column):
    with pytest.raises(LoadError) as caught:
        load(text, "t.json")
    assert (caught.value.message, caught.value.column) == (message, column)


def test_yaml_duplicate_keys_are_reported_with_both_lines():
    document = load("A: 1\nB:\n  C: 1\n  C: 2\nA: 3\n")
    assert [(d.key, d.first.line, d.second.line) for d in document.duplicates] == [("C", 3, 4), ("A", 1, 5)]


def test_bom_is_ignored():
    assert load_bytes(b"\xef\xbb\xbfResources: {}\n", "t.yaml").root == {"Resources": {}}


BILLION_LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(9)
)


@pytest.mark.parametrize(
    ("data", "message", "line"),
    [
        (b"Resources:\n  Q: [\n", "invalid YAML", 3),
        (b'{"Resources": [}', "invalid JSON", 1),
        (BILLION_LAUGHS.encode(), "alias", 7),  # 9**7 nodes at line 7 (each node counted once)
        (b"a: &x [1, *x]\n", "refers to its own anchor", 1),
        (b"[" * 5000 + b"]" * 5000, "nesting deeper", 1),
        (b'{"a":' * 200 + b"1" + b"}" * 200, "nesting deeper", 1),
        (b"Resources:\n  Q: \xff\xfe\n", "not UTF-8", 2),
        (b"\x00\x01\x02binary", "binary file", 1),
        (b"", "empty file", None),
        (b"   \n\n", "empty file", None),
        (b"- a\n- b\n", "must be a mapping", 1),
        (b"just text\n", "must be a mapping", 1),
        (b"Resources: !Foo::Module x\n", "unknown tag !Foo::Module", 1),
        (b"a: 1\n---\nb: 2\n", "more than one YAML document", 2),
        (b"? [a]\n: b\n", "mapping key must be a string", 1),
        (b"a: !!binary aGVsbG8=\n", "binary scalars", 1),
    ],
)
def test_hostile_input_fails_with_file_and_line(data, message, line):
    with pytest.raises(LoadError) as caught:
        load_bytes(data, "hostile.yaml")
    error = caught.value
    assert message in error.message
    assert error.file == "hostile.yaml"
    assert error.line == line
    assert str(error).startswith("hostile.yaml")


def test_oversize_file_is_refused():
    with pytest.raises(LoadError, match="template limit"):
        load_bytes(b"#" * (MAX_BYTES + 1), "big.yaml")


@pytest.mark.parametrize("name", ["t.json", "t.template", "t.yaml"])
def test_json_with_a_trailing_comma_is_read_as_cloudformation_reads_it(name):
    text = '{\n  "Resources": {\n    "Q": {\n      "Type": "AWS::SQS::Queue",\n    },\n  },\n}\n'
    document = load(text, name)
    queue = document.root["Resources"]["Q"]
    assert queue == {"Type": "AWS::SQS::Queue"}
    assert queue.key_marks["Type"][:2] == (4, 7)  # the same line and column as in the file
    assert document.format == "json"


def test_json_that_yaml_cannot_read_either_keeps_the_json_error():
    with pytest.raises(LoadError) as caught:
        load('{\n  "Resources": {\n    "Q": [1, 2}\n  }\n}\n', "t.json")
    assert caught.value.message.startswith("invalid JSON") and caught.value.line == 3


def test_other_tools_tags_are_read_as_those_tools_read_them():
    document = load("Resources:\n  B:\n    Type: !Rain::Module ./bucket.yaml\n  C: !Invoke [M, {N: x}, Id]\n")
    assert document.root["Resources"]["B"]["Type"] == {"Rain::Module": "./bucket.yaml"}
    assert document.root["Resources"]["C"] == {"Fn::Invoke": ["M", {"N": "x"}, "Id"]}
    assert {tool: mark.line for tool, mark in document.tools.items()} == {"rain": 3, "package-modules": 4}


def test_a_jinja_template_is_another_tools_input_not_a_broken_file():
    text = "Resources:\n{% for name in buckets %}\n  {{ name }}:\n    Type: AWS::S3::Bucket\n{% endfor %}\n"
    with pytest.raises(ToolInput) as caught:
        load(text)
    assert caught.value.tool == "jinja" and caught.value.line == 2


def test_jinja_like_text_in_a_broken_file_is_still_an_error():
    # SSM documents write {{ Parameter }}: far from the line that fails, it explains nothing
    text = 'Resources:\n  D:\n    Properties:\n      Content: "{{ InstanceId }}"\n  E: [\n'
    with pytest.raises(LoadError) as caught:
        load(text)
    assert not isinstance(caught.value, ToolInput)
