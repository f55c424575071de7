"""The compiled schema validator (cfncheck.schemas.validation): each keyword, CloudFormation's
conversions, values that are not known, and the order and paths of the problems found."""

import pytest

from cfncheck.schemas import validation
from cfncheck.schemas.validation import REQUIRED, UNKNOWN_PROPERTY, VALUE, reference_kind, validate
from cfncheck.values import AZ, Reference, Unknown


def problems(instance, schema) -> list[tuple]:
    return [(p.kind, p.path, p.message) for p in validate(instance, schema)]


SHORT = {"type": "string", "maxLength": 3}

KEYWORD_CASES = [
    ({"type": "integer"}, "30", []),
    ({"type": "integer"}, 1.0, []),
    ({"type": "integer"}, 1.5, [(VALUE, (), "must be an integer, not a number")]),
    ({"type": "integer"}, True, [(VALUE, (), "must be an integer, not a boolean")]),
    ({"type": "integer"}, {}, [(VALUE, (), "must be an integer, not a mapping")]),
    ({"type": "boolean"}, "false", []),
    ({"type": "boolean"}, 1, [(VALUE, (), "must be a boolean (true or false), not a number")]),
    ({"type": "null"}, "", [(VALUE, (), "must be null, not the string ''")]),
    ({"type": "anything"}, {}, []),
    ({"type": "number", "minimum": 1}, 0, [(VALUE, (), "0 is below the minimum 1")]),
    ({"exclusiveMaximum": 10}, "10", [(VALUE, (), "10 is not below 10")]),
    ({"multipleOf": 0.5}, 2.25, [(VALUE, (), "2.25 is not a multiple of 0.5")]),
    ({"minLength": 2}, "a", [(VALUE, (), "'a' is 1 characters long; it must be at least 2")]),
    ({"maxProperties": 1}, {"A": 1, "B": 2}, [(VALUE, (), "has 2 keys; it must have at most 1")]),
    ({"minItems": 1}, [], [(VALUE, (), "has 0 items; it must have at least 1")]),
    ({"items": SHORT}, ["a", "bcde"], [(VALUE, (1,), "'bcde' is 4 characters long; it must be at most 3")]),
    (
        {"items": [{"type": "string"}, {"type": "integer"}]},
        [1, "a"],
        [(VALUE, (1,), "must be an integer, not the string 'a'")],
    ),
    ({"items": False}, [1], [(VALUE, (0,), "False schema does not allow 1")]),
    (False, 1, [(VALUE, (), "False schema does not allow 1")]),
    ({"const": "x"}, "y", [(VALUE, (), "must be x, not 'y'")]),
    ({"const": True, "description": "must be true"}, False, [(VALUE, (), "must be true")]),
    ({"pattern": "^[a-z]+$"}, 12, [(VALUE, (), "12: does not match the pattern ^[a-z]+$")]),
    ({"pattern": "^a", "description": "starts with a"}, "b", [(VALUE, (), "'b': starts with a")]),
    ({"pattern": "^\\p{L}+$"}, "1", []),  # Java's dialect: not judged
    (
        {"additionalProperties": False},
        {"X": 1},
        [(UNKNOWN_PROPERTY, ("X",), "X is not a property here; it takes no properties")],
    ),
    (
        {"properties": {"A": {}}, "patternProperties": {"^x-": {"type": "integer"}}, "additionalProperties": SHORT},
        {"A": 1, "x-a": "b", "Y": "long", "Z": "ok"},
        [
            (VALUE, ("x-a",), "must be an integer, not the string 'b'"),
            (VALUE, ("Y",), "'long' is 4 characters long; it must be at most 3"),
        ],
    ),
    (
        {"dependencies": {"A": ["B", "C"], "B": {"required": ["C"]}}},
        {"A": 1, "B": 1},
        [
            (REQUIRED, ("C",), "A is set, so C must be set too"),
            (REQUIRED, ("C",), "C is required here: set it"),
        ],
    ),
    (
        {"allOf": [{"required": ["A"]}, {"required": ["B"]}]},
        {"B": 1},
        [(REQUIRED, ("A",), "A is required here: set it")],
    ),
    (
        {"anyOf": [{"type": "integer"}, {"type": "boolean"}]},
        "x",
        [(VALUE, (), "must be an integer, not the string 'x'")],
    ),
    ({"not": {"type": "string"}}, "x", [(VALUE, (), "has a form this property does not allow")]),
]


@pytest.mark.parametrize(("schema", "instance", "expected"), KEYWORD_CASES)
def test_each_keyword_finds_what_it_restricts(schema, instance, expected):
    assert problems(instance, schema) == expected


def test_an_enum_compares_as_cloudformation_converts():
    schema = {"enum": ["ENABLED", 30, 2.0, True]}
    for allowed in ("ENABLED", "30", 30, 30.0, "2.0", 2.0, "true", True, None):
        assert problems(allowed, schema) == [], allowed
    assert problems("Enabled", schema) == [
        (VALUE, (), "'Enabled' is not one of the allowed values (ENABLED, 30, 2.0, true). Did you mean ENABLED?")
    ]
    assert problems(31, schema) == [(VALUE, (), "31 is not one of the allowed values (ENABLED, 30, 2.0, true).")]


def test_one_schema_judges_each_kind_of_value_by_its_own_keywords():
    schema = {"type": ["string", "object"], "maxLength": 3, "required": ["A"]}
    assert problems("abc", schema) == []
    assert problems({"B": 1}, schema) == [(REQUIRED, ("A",), "A is required here: set it")]
    assert problems("abcd", schema) == [(VALUE, (), "'abcd' is 4 characters long; it must be at most 3")]
    assert problems(7, schema) == []  # CloudFormation passes a number on as a string
    assert problems([1], schema) == [(VALUE, (), "must be a string or a mapping, not a list")]
    assert problems({"A": 1}, schema) == []


def test_problems_come_in_the_schema_order_whatever_the_order_of_keys():
    schema = {"properties": {"B": SHORT, "A": SHORT}, "additionalProperties": False}
    assert problems({"A": "long", "C": 1, "B": "long", "Bb": 2}, schema) == [
        (VALUE, ("B",), "'long' is 4 characters long; it must be at most 3"),
        (VALUE, ("A",), "'long' is 4 characters long; it must be at most 3"),
        (UNKNOWN_PROPERTY, ("C",), "C is not a property here (valid: A, B)"),
        (UNKNOWN_PROPERTY, ("Bb",), "Bb is not a property here; did you mean B?"),
    ]


def test_two_patterns_refusing_one_value_make_one_problem():
    schema = {"properties": {"A": {"allOf": [{"pattern": "^b"}, {"pattern": "^bb"}]}}}
    assert problems({"A": "x"}, schema) == [(VALUE, ("A",), "'x': does not match the pattern ^b")]


def test_values_not_known_pass_but_for_their_shape():
    token = reference_kind.set(lambda reference: "array" if reference.attribute == "Arns" else None)
    try:
        listed = {"type": "array", "maxItems": 1}
        assert problems(Unknown("?"), listed) == []
        assert problems(Reference("Q", "Arns"), listed) == []
        assert problems(Reference("Q", "Arn"), listed) == []  # the attribute's type is not known
        assert problems(Reference("Q"), listed) == [(VALUE, (), "must be a list; !Ref Q gives a string")]
        assert problems(AZ(0, "r"), listed) == [(VALUE, (), "must be a list; !Select [0, !GetAZs 'r'] gives a string")]
        assert problems(Reference("Q"), {"type": "integer"}) == []  # a parameter's string may read as a number
        assert problems(Unknown("?"), False) == [(VALUE, (), "False schema does not allow Unknown('?')")]
    finally:
        reference_kind.reset(token)


def test_alternatives_and_negations_count_only_what_surely_holds():
    one_of = {"oneOf": [{"required": ["A"]}, {"required": ["B"]}]}
    assert problems({}, one_of) == [(REQUIRED, (), "set exactly one of A, B")]
    assert problems({"A": 1}, one_of) == []
    assert problems({"A": 1, "B": 1}, one_of) == [(VALUE, (), "sets A and B: only one of them may be set")]
    typed = {"oneOf": [{"type": "object", "properties": {"A": {"type": "integer"}}}, {"minProperties": 2}]}
    assert problems({"A": Unknown("?"), "B": 1}, typed) == []  # the unknown A may be no integer
    assert problems({"A": 1, "B": 1}, typed) == [
        (VALUE, (), "sets 2 of the allowed forms at once: only one of them may be set")
    ]
    negated = {"properties": {"A": {}}, "not": {"properties": {"A": {"const": "x"}}, "required": ["A"]}}
    assert problems({"A": "x"}, negated) == [(VALUE, (), "must not set A")]
    assert problems({"A": Unknown("?")}, negated) == []


def test_a_conditional_applies_its_branch_only_when_its_condition_is_decided():
    schema = {
        "if": {"properties": {"F": {"const": True}}, "required": ["F"]},
        "then": {"required": ["N"]},
        "else": {"properties": {"N": {"maxLength": 2}}},
    }
    assert problems({"F": True}, schema) == [(REQUIRED, ("N",), "N is required here: set it")]
    assert problems({"F": False, "N": "abc"}, schema) == [
        (VALUE, ("N",), "'abc' is 3 characters long; it must be at most 2")
    ]
    assert problems({"F": Unknown("?"), "N": "abc"}, schema) == []
    # inside an alternative, the conditional is decided strictly too
    assert problems({"F": Unknown("?")}, {"anyOf": [schema]}) == []
    assert problems({"F": True}, {"not": schema}) == []
    assert problems({"F": True, "N": 1}, {"not": schema}) == [(VALUE, (), "has a form this property does not allow")]


def test_a_directive_another_tool_replaces_is_not_judged():
    schema = {"properties": {"Code": {"type": "object", "required": ["ZipFile"], "additionalProperties": False}}}
    assert problems({"Code": {"Rain::Embed": "f"}}, schema) == []
    assert [p[:2] for p in problems({"Code": {"Rain::Embed": "f", "X": 1}}, schema)] == [
        (REQUIRED, ("Code", "ZipFile")),
        (UNKNOWN_PROPERTY, ("Code", "Rain::Embed")),
        (UNKNOWN_PROPERTY, ("Code", "X")),
    ]


def test_a_recursive_schema_is_compiled_once_and_nothing_of_the_values_is_kept():
    node = {"type": "object", "properties": {}, "additionalProperties": False}
    node["properties"]["Child"] = node  # as an inlined recursive definition is
    assert problems({"Child": {"Child": {"X": 1}}}, node) == [
        (UNKNOWN_PROPERTY, ("Child", "Child", "X"), "X is not a property here (valid: Child)")
    ]
    compiled = len(validation._COMPILED)
    for depth in range(50):
        value = {}
        for _ in range(depth):
            value = {"Child": value}
        assert problems(value, node) == []
    assert len(validation._COMPILED) == compiled
