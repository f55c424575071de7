"""Hypothesis strategies and invariants for the robustness tests (no conftest: import it).

Templates are generated as plain data (long-form intrinsics), then written as JSON or as
YAML (long or short form), so one drawn template can be checked in both formats. Resources
come from the catalog's types with the property names real templates give them
(``robustness_vocabulary.json``, built by ``fuzz/build_vocabulary.py``); any value may be
replaced by random JSON or by intrinsic functions nested several deep, well-formed or not.

Importing this module selects the Hypothesis profile named by ``CFNCHECK_HYPOTHESIS_PROFILE``:
``ci`` (default: seeded, a few hundred examples in all) or ``campaign`` (random, long).
"""

from __future__ import annotations

import json
import os
import random
import re
from functools import cache
from pathlib import Path

import yaml
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from cfncheck.catalog import Catalog
from cfncheck.engine import RunOptions, RunResult, Source, run

CI_EXAMPLES = int(os.environ.get("CFNCHECK_CI_EXAMPLES", "80"))
"""Examples per property test in the CI profile; the robustness suite runs 5 such tests (400 examples)."""

settings.register_profile(
    "ci",
    max_examples=CI_EXAMPLES,
    derandomize=True,  # the same examples on every run: CI fails only when the code changes
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
settings.register_profile(
    "campaign",
    max_examples=int(os.environ.get("CFNCHECK_CAMPAIGN_EXAMPLES", "8000")),
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
settings.load_profile(os.environ.get("CFNCHECK_HYPOTHESIS_PROFILE", "ci"))

VOCABULARY: dict[str, dict] = json.loads((Path(__file__).with_name("robustness_vocabulary.json")).read_text())

CATALOG = Catalog.load()
RESOURCE_TYPES = sorted({t for c in CATALOG for t in c.types} | set(VOCABULARY) | {"Custom::Thing", "AWS::No::Such"})
"""The catalog's types, every type a check reads, and two a check has never heard of."""
CHECKS = CATALOG.select()
"""Every check there is: built-in and from installed plugins."""

PARAMETERS = ["Env", "Size", "Subnets", "Secret", "Flag"]
CONDITIONS = ["IsProd", "IsDev", "HasKey", "Loop"]
LOGICAL_IDS = ["Queue", "Bucket", "Role", "Function", "Table", "Topic", "Vpc", "Db", "Key", "Api"]
MAPPING = {"RegionMap": {"us-east-1": {"Ami": "ami-1", "Size": 2}, "eu-west-1": {"Ami": "ami-2", "Size": 3}}}
PSEUDO = ["AWS::Region", "AWS::AccountId", "AWS::NoValue", "AWS::StackName", "AWS::Partition", "AWS::URLSuffix"]
ATTRIBUTES = ["Arn", "Name", "Id", "QueueUrl", "Endpoint.Address", "Outputs.X"]
ALL_NAMES = PARAMETERS + LOGICAL_IDS + PSEUDO + ["Undefined"]

# -- plain JSON values ----------------------------------------------------------------------------

_text = st.one_of(
    st.sampled_from(["", "true", "false", "10", "0.0.0.0/0", "10.0.0.0/16", "*", "us-east-1", "arn:aws:s3:::b/*"]),
    st.sampled_from(["${Env}-x", "${Queue.Arn}", "${AWS::Region}", "${!Literal}", "${Undefined}", "a,b,c", "${"]),
    st.just("{{resolve:ssm:/p}}"),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**40), 2**40),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    _text,
)


@cache
def json_values(depth: int = 2) -> st.SearchStrategy:
    if depth <= 0:
        return scalars
    inner = st.deferred(lambda: values(depth - 1))
    return st.one_of(
        scalars,
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["Key", "Value", "Enabled", "Name", "Type", "Ref"]), inner, max_size=3),
    )


# -- intrinsic functions ------------------------------------------------------------------------


@cache
def intrinsics(depth: int) -> st.SearchStrategy:
    """One intrinsic function, its arguments drawn ``depth`` levels deep; about one in five malformed."""
    v = st.deferred(lambda: values(depth - 1))
    name = st.sampled_from(ALL_NAMES)
    condition = st.sampled_from(CONDITIONS + ["NoSuchCondition"])
    fn = st.builds
    well_formed = st.one_of(
        fn(lambda n: {"Ref": n}, name),
        fn(
            lambda r, a: {"Fn::GetAtt": [r, a]},
            st.sampled_from(LOGICAL_IDS + ["Undefined"]),
            st.sampled_from(ATTRIBUTES),
        ),
        fn(lambda r: {"Fn::GetAtt": r + ".Arn"}, st.sampled_from(LOGICAL_IDS)),
        fn(lambda t: {"Fn::Sub": t}, _text),
        fn(lambda t, m: {"Fn::Sub": [t, m]}, _text, st.dictionaries(st.sampled_from(["Env", "X"]), v, max_size=2)),
        fn(
            lambda d, items: {"Fn::Join": [d, items]},
            st.sampled_from(["", ",", ":"]),
            st.one_of(st.lists(v, max_size=4), v),
        ),
        fn(
            lambda i, items: {"Fn::Select": [i, items]},
            st.one_of(st.integers(-1, 3), st.sampled_from(["0", "1"]), v),
            v,
        ),
        fn(lambda d, s: {"Fn::Split": [d, s]}, st.sampled_from([",", "", "/"]), v),
        fn(
            lambda k1, k2: {"Fn::FindInMap": ["RegionMap", k1, k2]},
            st.one_of(st.just({"Ref": "AWS::Region"}), v),
            st.sampled_from(["Ami", "Size", "Nope"]),
        ),
        fn(lambda k, d: {"Fn::FindInMap": ["RegionMap", k, "Ami", {"DefaultValue": d}]}, v, v),
        fn(lambda c, a, b: {"Fn::If": [c, a, b]}, condition, v, st.one_of(v, st.just({"Ref": "AWS::NoValue"}))),
        fn(lambda r: {"Fn::GetAZs": r}, st.one_of(st.just(""), st.just({"Ref": "AWS::Region"}), v)),
        fn(lambda x: {"Fn::Base64": x}, v),
        fn(
            lambda b, c, s: {"Fn::Cidr": [b, c, s]},
            st.one_of(st.sampled_from(["10.0.0.0/16", "::/56", "x"]), v),
            st.one_of(st.integers(-1, 300), v),
            st.one_of(st.integers(-1, 140), v),
        ),
        fn(lambda x: {"Fn::ImportValue": x}, v),
        fn(lambda x: {"Fn::Length": x}, v),
        fn(lambda x: {"Fn::ToJsonString": x}, v),
        fn(lambda c: {"Condition": c}, condition),
    )
    malformed = fn(
        lambda f, x: {f: x},
        st.sampled_from(
            [
                "Ref",
                "Fn::GetAtt",
                "Fn::Sub",
                "Fn::Join",
                "Fn::Select",
                "Fn::Split",
                "Fn::FindInMap",
                "Fn::If",
                "Fn::GetAZs",
                "Fn::Cidr",
                "Fn::Equals",
                "Fn::And",
                "Fn::Not",
                "Fn::Transform",
                "Fn::Nope",
                "Fn::ForEach::X",
                "Fn::Length",
                "Fn::ToJsonString",
            ]
        ),
        json_values(1),
    )
    return st.one_of(well_formed, well_formed, well_formed, well_formed, malformed)


@cache
def values(depth: int = 3) -> st.SearchStrategy:
    """Any property value: JSON data or intrinsics, nested up to ``depth`` levels."""
    if depth <= 0:
        return scalars
    return st.one_of(scalars, json_values(depth), intrinsics(depth))


def shaped(shape: dict, depth: int) -> st.SearchStrategy:
    """A value like the ones real templates give this property; sometimes anything else."""
    return _shaped(_Key(shape), depth)


class _Key:
    """A vocabulary node as a cache key: by identity, since the vocabulary is never changed."""

    def __init__(self, node: dict) -> None:
        self.node = node

    def __hash__(self) -> int:
        return id(self.node)

    def __eq__(self, other) -> bool:
        return isinstance(other, _Key) and other.node is self.node


@cache
def _shaped(key: _Key, depth: int) -> st.SearchStrategy:
    shape = key.node
    options = []
    if shape.get("scalars"):
        options.append(st.sampled_from(shape["scalars"]))
    if shape.get("map") and depth > 0:
        options.append(properties(shape["map"], depth - 1))
    if shape.get("list") and depth > 0:
        options.append(st.lists(shaped(shape["list"], depth - 1), max_size=3))
    if not options:
        options.append(values(min(depth, 2)))
    typical = st.one_of(*options)
    return st.one_of(typical, typical, typical, values(min(depth, 3)))


def properties(shape_map: dict, depth: int = 4) -> st.SearchStrategy:
    return _properties(_Key(shape_map), depth)


@cache
def _properties(key: _Key, depth: int) -> st.SearchStrategy:
    shape_map = key.node
    keys = sorted(shape_map)
    if not keys:
        return st.dictionaries(st.sampled_from(["Name", "Enabled", "Tags"]), values(2), max_size=3)
    chosen = st.lists(st.sampled_from(keys), unique=True, max_size=min(6, len(keys)))

    @st.composite
    def draw_properties(draw) -> dict:
        return {k: draw(shaped(shape_map[k], depth)) for k in draw(chosen)}

    return draw_properties()


def maybe_conditional(strategy: st.SearchStrategy) -> st.SearchStrategy:
    """The value itself, or the value inside ``Fn::If`` against something else."""
    return st.one_of(
        strategy,
        st.builds(
            lambda c, a, b: {"Fn::If": [c, a, b]},
            st.sampled_from(CONDITIONS),
            strategy,
            st.one_of(strategy, st.just({"Ref": "AWS::NoValue"})),
        ),
    )


@st.composite
def resources(draw, logical_ids: list[str]) -> dict:
    kind = draw(st.sampled_from(RESOURCE_TYPES))
    shape = VOCABULARY.get(kind, {})
    node: dict = {"Type": kind}
    if draw(st.integers(0, 9)):
        odd = st.one_of(st.just({}), st.just(None), values(1))
        node["Properties"] = draw(odd if draw(st.integers(0, 7)) == 0 else properties(shape))
    if draw(st.integers(0, 3)) == 0:
        node["Condition"] = draw(st.sampled_from(CONDITIONS + ["NoSuchCondition"]))
    if draw(st.integers(0, 4)) == 0:
        node["DependsOn"] = draw(
            st.one_of(st.sampled_from(logical_ids + ["Undefined"]), st.lists(st.sampled_from(logical_ids), max_size=3))
        )
    if draw(st.integers(0, 4)) == 0:
        node["DeletionPolicy"] = draw(st.sampled_from(["Delete", "Retain", "Snapshot", "RetainExceptOnCreate"]))
    if draw(st.integers(0, 6)) == 0:
        node["Metadata"] = draw(st.one_of(json_values(2), st.just({"cfncheck": {"ignore": ["CFN001"]}})))
    return node


@cache
def condition_formulas(depth: int = 3) -> st.SearchStrategy:
    term = st.one_of(
        st.builds(lambda n: {"Ref": n}, st.sampled_from(PARAMETERS + ["AWS::Region", "AWS::AccountId", "Undefined"])),
        st.sampled_from(["prod", "dev", "", "true", "us-east-1", 5]),
        values(1),
    )
    equals = st.builds(lambda a, b: {"Fn::Equals": [a, b]}, term, term)
    if depth <= 0:
        return st.one_of(equals, st.builds(lambda c: {"Condition": c}, st.sampled_from(CONDITIONS + ["Nope"])))
    inner = st.deferred(lambda: condition_formulas(depth - 1))
    return st.one_of(
        equals,
        st.builds(lambda c: {"Condition": c}, st.sampled_from(CONDITIONS + ["Nope"])),  # may be circular
        st.builds(lambda xs: {"Fn::And": xs}, st.lists(inner, max_size=3)),
        st.builds(lambda xs: {"Fn::Or": xs}, st.lists(inner, max_size=3)),
        st.builds(lambda x: {"Fn::Not": [x]}, inner),
        st.booleans(),
        values(1),
    )


parameters = st.fixed_dictionaries(
    {
        "Type": st.sampled_from(
            [
                "String",
                "Number",
                "CommaDelimitedList",
                "List<AWS::EC2::Subnet::Id>",
                "AWS::SSM::Parameter::Value<String>",
                "AWS::EC2::VPC::Id",
            ]
        )
    },
    optional={
        "Default": st.one_of(st.sampled_from(["prod", "dev", "a,b", "", "5", "us-east-1"]), scalars, values(1)),
        "AllowedValues": st.lists(st.sampled_from(["prod", "dev", "test", "5"]), max_size=3),
        "NoEcho": st.one_of(st.booleans(), st.sampled_from(["true", "false"])),
    },
)


@st.composite
def templates(draw) -> dict:
    """A plausible CloudFormation template as plain data."""
    logical_ids = draw(st.lists(st.sampled_from(LOGICAL_IDS), min_size=1, max_size=5, unique=True))
    template: dict = {}
    if draw(st.booleans()):
        template["AWSTemplateFormatVersion"] = "2010-09-09"
    sam = draw(st.integers(0, 3)) == 0
    if sam:
        template["Transform"] = draw(st.sampled_from(["AWS::Serverless-2016-10-31", ["AWS::Serverless-2016-10-31"]]))
        template["Globals"] = {"Function": draw(properties(VOCABULARY.get("AWS::Serverless::Function", {}), 2))}
    if draw(st.booleans()):
        chosen = draw(st.lists(st.sampled_from(PARAMETERS), unique=True, max_size=4))
        template["Parameters"] = {name: draw(parameters) for name in chosen}
    if draw(st.booleans()):
        template["Mappings"] = draw(st.one_of(st.just(MAPPING), st.just(MAPPING), json_values(2)))
    if draw(st.booleans()):
        chosen = draw(st.lists(st.sampled_from(CONDITIONS), unique=True, min_size=1, max_size=4))
        template["Conditions"] = {name: draw(condition_formulas()) for name in chosen}
    template["Resources"] = {}
    for logical_id in logical_ids:
        resource = draw(resources(logical_ids))
        if sam and draw(st.booleans()):
            resource["Type"] = "AWS::Serverless::Function"
            resource["Properties"] = draw(properties(VOCABULARY.get("AWS::Serverless::Function", {})))
        template["Resources"][logical_id] = resource
    if draw(st.integers(0, 9)) == 0:
        template["Resources"]["Fn::ForEach::Topics"] = [
            "Name",
            ["A", "B"],
            {"Topic${Name}": {"Type": "AWS::SNS::Topic"}},
        ]
    if draw(st.booleans()):
        template["Outputs"] = {
            f"Out{index}": draw(
                st.fixed_dictionaries(
                    {"Value": maybe_conditional(values(2))},
                    optional={
                        "Export": st.fixed_dictionaries({"Name": st.one_of(_text, intrinsics(1))}),
                        "Condition": st.sampled_from(CONDITIONS),
                    },
                )
            )
            for index in range(draw(st.integers(1, 3)))
        }
    return template


# -- writing a template as YAML or JSON -----------------------------------------------------------


class _Tagged:
    """A short-form intrinsic (``!If [...]``) for the YAML writer."""

    def __init__(self, tag: str, value) -> None:
        self.tag, self.value = tag, value


class _Dumper(yaml.SafeDumper):
    pass


def _represent_tagged(dumper: yaml.SafeDumper, data: _Tagged):
    if isinstance(data.value, str):
        return dumper.represent_scalar(data.tag, data.value)
    if isinstance(data.value, list):
        return dumper.represent_sequence(data.tag, data.value)
    return dumper.represent_mapping(data.tag, data.value)


_Dumper.add_representer(_Tagged, _represent_tagged)
_Dumper.ignore_aliases = lambda self, data: True  # equal subtrees are written out, not anchored


_SHORT_TAGS = {
    "Fn::" + name: "!" + name
    for name in "If Sub Join Select Split FindInMap GetAZs GetAtt Base64 Cidr ImportValue Length ToJsonString "
    "Equals And Or Not Transform".split()
}


def _short_form(node):
    if isinstance(node, list):
        return [_short_form(item) for item in node]
    if not isinstance(node, dict):
        return node
    if len(node) == 1:
        ((key, value),) = node.items()
        if key in ("Ref", "Condition") and isinstance(value, str):
            return _Tagged("!" + key, value)
        dotted = isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value)
        if key == "Fn::GetAtt" and dotted and "." not in value[0]:
            return _Tagged("!GetAtt", f"{value[0]}.{value[1]}")
        if key in _SHORT_TAGS and isinstance(value, (str, list, dict)):
            inner = _short_form(value)
            if not isinstance(inner, _Tagged):  # a YAML node has one tag: `!Base64 !Sub x` cannot be written
                return _Tagged(_SHORT_TAGS[key], inner)
    return {key: _short_form(value) for key, value in node.items()}


def to_yaml(template: dict, short_form: bool = True) -> str:
    data = _short_form(template) if short_form else template
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def to_json(template: dict) -> str:
    return json.dumps(template, indent=2, ensure_ascii=False) + "\n"


def shuffled(node, rng: random.Random):
    """The same data with every mapping's keys in another order."""
    if isinstance(node, dict):
        items = list(node.items())
        rng.shuffle(items)
        return {key: shuffled(value, rng) for key, value in items}
    if isinstance(node, list):
        return [shuffled(item, rng) for item in node]
    return node


# -- running the engine and the invariants ---------------------------------------------------------


def run_text(text: str, name: str, **options) -> RunResult:
    """Every check on one template (``options``: parameters, region… as ``RunOptions`` takes them)."""
    return run([Source(name, data=text.encode("utf-8"))], RunOptions(checks=CHECKS, catalog=CATALOG, **options))


run_options = st.fixed_dictionaries(
    {},
    optional={
        "parameters": st.dictionaries(st.sampled_from(PARAMETERS), st.sampled_from(["prod", "dev", "5", "a,b", ""])),
        "region": st.sampled_from(["us-east-1", "cn-north-1", "us-gov-west-1"]),
        "account_id": st.just("123456789012"),
    },
)
"""What the command line can fix for a run: parameter values, region, account."""


def assert_sound(result: RunResult, text: str) -> None:
    """No check failed, and every finding and related location lies inside the file."""
    internal = [f for f in result.findings if f.rule_id == "CFN000"]
    assert not internal and not result.internal_errors, "\n".join(f.message for f in internal)
    # Lines as an editor counts them (the end of a file ending in a newline is a line), by "\n" or by YAML's breaks.
    lines = max(text.count("\n"), len(re.findall("\r\n|[\r\n\x85\u2028\u2029]", text))) + 1
    for finding in result.findings:
        spots = [(finding.line, finding.column, finding.end_line, finding.end_column)]
        spots += [(r.line, r.column, r.end_line, r.end_column) for r in finding.related]
        for line, column, end_line, end_column in spots:
            assert 1 <= line <= end_line <= lines, (finding, lines)
            assert column >= 1 and end_column >= 1, finding
            assert line < end_line or column <= end_column, finding
    for error in result.errors:
        assert error.line is None or 1 <= error.line <= lines, (error, lines)


def presence(result: RunResult) -> list[tuple]:
    """Which checks report on which resources in which scenarios, however many equal causes there are.

    When a finding has several equal causes (a cycle through two properties), the one it names
    may follow the order the template lists them in; that it is reported may not."""
    return sorted({(f.rule_id, f.resource or "", tuple(sorted(f.conditions.items()))) for f in result.findings})


def identity(result: RunResult) -> list[tuple]:
    """What a finding is, independent of where the text put it: rule, resource, path, scenario."""
    return sorted(
        (f.rule_id, f.resource or "", tuple(map(str, f.path)), tuple(sorted(f.conditions.items())))
        for f in result.findings
    )


# -- mutating real templates ----------------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("CFNCHECK_CORPUS", ROOT.parent / "shared" / "corpus"))  # ../shared beside the clone
SUFFIXES = (".yaml", ".yml", ".json", ".template")
SEEDS = sorted(
    str(path)
    for folder in (CORPUS, ROOT / "samples")
    if folder.is_dir()
    for path in folder.rglob("*")
    if path.suffix in SUFFIXES and path.is_file()
)
"""Real templates to mutate: the shared corpus when it is there, and the repository's samples."""


def plain(node):
    """Marked nodes as plain data, for the YAML and JSON writers."""
    if isinstance(node, dict):
        return {str(key): plain(value) for key, value in node.items()}
    if isinstance(node, list):
        return [plain(item) for item in node]
    return node


def _paths(node, prefix: tuple = ()) -> list[tuple]:
    """Every key and index below ``node``, as paths from it."""
    found = []
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        found.append(prefix + (key,))
        found.extend(_paths(value, prefix + (key,)))
    return found


def _other_type(value):
    """A value of another JSON type than ``value``, as a careless edit would leave it."""
    if isinstance(value, dict):
        return [value] if value else "text"
    if isinstance(value, list):
        return value[0] if value else {}
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return [value]
    if isinstance(value, str):
        return {"Key": value} if value else None
    return 0


@st.composite
def structural_mutants(draw, data: dict) -> dict:
    """``data`` with a few edits: a key deleted, a value of another type, a value made an intrinsic."""
    data = json.loads(json.dumps(data))
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(data)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = data
        for key in path[:-1]:
            parent = parent[key]
        key = path[-1]
        edit = draw(st.sampled_from(["delete", "retype", "intrinsic", "intrinsic"]))
        if edit == "delete":
            del parent[key]
        elif edit == "retype":
            parent[key] = _other_type(parent[key])
        else:
            parent[key] = json.loads(json.dumps(draw(intrinsics(2))))  # st.just() values are shared: never edit them
    return data


@st.composite
def textual_mutants(draw, text: str) -> str:
    """``text`` with a line duplicated (a duplicate key, mostly), deleted or cut short, or the file truncated."""
    lines = text.splitlines(keepends=True) or [""]
    edit = draw(st.sampled_from(["duplicate", "duplicate", "delete", "truncate", "cut"]))
    index = draw(st.integers(0, len(lines) - 1))
    if edit == "duplicate":
        lines.insert(index, lines[index])
    elif edit == "delete":
        del lines[index]
    elif edit == "cut":
        lines[index] = lines[index][: draw(st.integers(0, len(lines[index])))]
    else:
        return text[: draw(st.integers(0, len(text)))]
    return "".join(lines)
