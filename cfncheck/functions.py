"""The intrinsic functions CloudFormation knows, and the shape of the arguments each takes.

One table (``SIGNATURES``) says, for every function name: the arguments it takes (their number
and kinds), what it returns, and the transform it needs. ``unknown_name`` and
``argument_problems`` judge one call as CloudFormation's template validation does, before
anything is resolved: an unknown name, arguments of the wrong number or kind. Values are judged
only where they are written literally: an argument that is itself a function is accepted when
that function can return the kind asked for, since what it returns is only known at deploy time.
A null argument is not judged: JSON reads it as null, a YAML short-form tag as the text "null".

Sources: the CloudFormation template reference, "Intrinsic function reference"
(https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference.html)
and its pages per function, and the condition functions page.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass

LANGUAGE_EXTENSIONS = "AWS::LanguageExtensions"

# The kinds of value an argument takes, and the kinds a function returns.
STRING = "a string"
NUMBER = "an integer"
LIST = "a list"
MAPPING = "a mapping"
ANY = "any value"
NAME = "a literal name"  # a string written as such: no function may compute it


@dataclass(frozen=True)
class Signature:
    name: str
    returns: str
    arguments: tuple[str, ...] | None = None  # the kinds of a list of arguments, in order
    optional: int = 0  # how many of the last arguments may be left out
    single: str | None = None  # the kind of the one argument that is not a list of arguments
    keys: tuple[str, ...] = ()  # for a mapping argument: its keys (required ones first)
    required_keys: int = 0
    transform: str | None = None  # the transform that must be declared for the function to exist
    message: str = ""  # what CloudFormation says when the arguments are wrong, where known
    conditional: bool = False  # a condition function: only in Conditions (and Fn::If's own condition)


SIGNATURES: dict[str, Signature] = {
    s.name: s
    for s in (
        Signature("Ref", ANY, single=NAME),
        Signature("Fn::GetAtt", ANY),  # "Resource.Attribute" or [Resource, Attribute]: judged by _getatt
        Signature(
            "Fn::Join",
            STRING,
            (STRING, LIST),
            message="every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list of "
            "strings to be joined or a function that returns a list of strings (such as Fn::GetAZs) to be joined",
        ),
        Signature(
            "Fn::Split",
            LIST,
            (STRING, STRING),
            message="every Fn::Split object requires two parameters, (1) a string delimiter and (2) a string to be "
            "split or a function that returns a string to be split",
        ),
        Signature("Fn::Select", ANY, (NUMBER, LIST)),
        Signature("Fn::Sub", STRING),  # a string, or [string, mapping of variables]: judged by _sub
        Signature("Fn::If", ANY, (NAME, ANY, ANY)),
        Signature(
            "Fn::FindInMap",
            ANY,
            (STRING, STRING, STRING),
            message="every Fn::FindInMap object requires three parameters, the map name, map key and the attribute "
            "for return value",
        ),
        Signature("Fn::GetAZs", LIST, single=STRING),
        Signature("Fn::Base64", STRING, single=STRING),
        Signature("Fn::Cidr", LIST, (STRING, NUMBER, NUMBER)),
        Signature("Fn::ImportValue", ANY, single=STRING),
        Signature(
            "Fn::GetStackOutput",
            ANY,
            single=MAPPING,
            keys=("StackName", "OutputName", "Region", "RoleArn"),
            required_keys=2,
        ),
        Signature("Fn::Transform", ANY, single=ANY),  # the macro reads its arguments: not judged here
        Signature("Fn::Length", NUMBER, single=LIST, transform=LANGUAGE_EXTENSIONS),
        Signature("Fn::ToJsonString", STRING, single=ANY, transform=LANGUAGE_EXTENSIONS),
        Signature("Fn::And", ANY, conditional=True),
        Signature("Fn::Or", ANY, conditional=True),
        Signature("Fn::Not", ANY, conditional=True),
        Signature("Fn::Equals", ANY, conditional=True),
    )
}
"""Every function a template may call (``Fn::ForEach`` is the transform's, expanded before this)."""

RULE_FUNCTIONS = frozenset(
    {"Fn::Contains", "Fn::EachMemberEquals", "Fn::EachMemberIn", "Fn::RefAll", "Fn::ValueOf", "Fn::ValueOfAll"}
)
"""The functions of the Rules section, which CloudFormation knows but refuses elsewhere."""

PACKAGE_FUNCTIONS = frozenset({"Fn::Invoke", "Fn::InsertFile", "Fn::Merge"})
"""Functions of ``aws cloudformation package``'s local modules: the command expands them before
CloudFormation reads the template, so a template using them is that tool's input."""

UNSUPPORTED = "Template format error: Encountered unsupported function: {name}"
"""CloudFormation's message for a function name it does not know (it goes on to list the supported ones)."""


def function_name(node) -> str | None:
    """The function a node calls: the key of a one-key mapping that is ``Ref`` or starts with ``Fn::``."""
    if isinstance(node, dict) and len(node) == 1:
        key = next(iter(node))
        if isinstance(key, str) and (key == "Ref" or key.startswith("Fn::")):
            return key
    return None


def returns(node) -> str | None:
    """The kind of value a node is, as written: a literal's kind, or what its function returns."""
    name = function_name(node)
    if name is not None:
        signature = SIGNATURES.get(name)
        return signature.returns if signature else ANY
    if isinstance(node, bool):
        return STRING  # CloudFormation passes true and false as text
    if isinstance(node, int):
        return NUMBER
    if isinstance(node, (str, float)):
        return STRING
    if isinstance(node, list):
        return LIST
    if isinstance(node, dict):
        return MAPPING
    return None


def written_for_package(calls) -> bool:
    """Some of the function names called are those ``aws cloudformation package`` expands."""
    return any(name in PACKAGE_FUNCTIONS for name in calls)


def unknown_name(name: str, transforms: frozenset[str] | set[str]) -> str | None:
    """Why a function name does not exist for this template, or None when it does."""
    signature = SIGNATURES.get(name)
    if signature is not None:
        if signature.transform and signature.transform not in transforms:
            return f"{name} exists only with Transform: {signature.transform}, which this template does not declare."
        return None
    if name.startswith("Fn::ForEach::") and LANGUAGE_EXTENSIONS in transforms:
        return None
    if name in RULE_FUNCTIONS:
        return f"{name} is a function of the Rules section; it cannot be used here."
    close = difflib.get_close_matches(name, [*SIGNATURES, *RULE_FUNCTIONS], n=1, cutoff=0.6)
    hint = f" Did you mean {close[0]}?" if close else ""
    return f'{name} is not a function CloudFormation knows ("{UNSUPPORTED.format(name=name)}").{hint}'


def argument_problems(name: str, args, transforms: frozenset[str] | set[str]) -> Iterator[str]:
    """What is wrong with the arguments of one call of a known function."""
    signature = SIGNATURES[name]
    if name == "Fn::GetAtt":
        yield from _getatt(args)
    elif name == "Fn::Sub":
        yield from _sub(args)
    elif name == "Fn::FindInMap":
        yield from _find_in_map(args, transforms, signature)
    elif signature.single is not None:
        yield from _single(signature, args)
    elif signature.arguments is not None:
        problems = list(_listed(signature, args))
        yield from problems
        if not problems and name == "Fn::Select":
            yield from _select(args)
        elif not problems and name == "Fn::Cidr":
            yield from _cidr(args)


def _said(signature: Signature, fallback: str) -> str:
    return f'"Template error: {signature.message}"' if signature.message else fallback


def _fits(node, kind: str) -> bool:
    """A literal argument of the right kind, or a function that may return that kind."""
    if kind == ANY:
        return True
    if kind == NAME:
        return isinstance(node, str)
    found = returns(node)
    if found in (None, ANY):
        return found is not None
    if kind == NUMBER:
        return found == NUMBER or (found == STRING and _integer(node) is not None) or function_name(node) is not None
    if kind == STRING:
        return found in (STRING, NUMBER)  # a number written where a string goes is passed as text
    return found == kind


def _integer(node) -> int | None:
    if isinstance(node, bool):
        return None
    if isinstance(node, int):
        return node
    if isinstance(node, str) and node.strip().lstrip("-").isdigit():
        return int(node)
    return None


def _single(signature: Signature, args) -> Iterator[str]:
    name = signature.name
    if signature.single == MAPPING:
        if not isinstance(args, dict) or function_name(args) is not None:
            yield f"{name} takes a mapping with {', '.join(signature.keys[: signature.required_keys])}"
            return
        for key in signature.keys[: signature.required_keys]:
            if key not in args:
                yield f"{name} needs {key}"
        for key in args:
            if key not in signature.keys:
                yield f"{name} has no argument {key} (it takes {', '.join(signature.keys)})"
        return
    if args is not None and not _fits(args, signature.single):
        yield f"{name} takes {signature.single}, not {returns(args)}"


def _listed(signature: Signature, args) -> Iterator[str]:
    name, kinds = signature.name, signature.arguments
    count = len(kinds)
    shown = f"{count - signature.optional} to {count}" if signature.optional else str(count)
    if not isinstance(args, list) or not count - signature.optional <= len(args) <= count:
        written = f"{len(args)} arguments" if isinstance(args, list) else (returns(args) or "null")
        yield _said(signature, f"{name} takes a list of {shown} arguments, not {written}")
        return
    for index, (arg, kind) in enumerate(zip(args, kinds, strict=False)):
        if arg is not None and not _fits(arg, kind):
            yield _said(signature, f"argument {index + 1} of {name} must be {kind}, not {returns(arg)}")


def _select(args) -> Iterator[str]:
    index, items = args
    number = _integer(index)
    if number is not None and number < 0:
        yield f"the index of Fn::Select must not be negative ({number})"
    elif number is not None and isinstance(items, list) and number >= len(items):
        said = f"Template error: Fn::Select cannot select nonexistent value at index {number}"
        yield f'"{said}" (the list has {len(items)})'


def _cidr(args) -> Iterator[str]:
    count, bits = _integer(args[1]), _integer(args[2])
    if count is not None and not 1 <= count <= 256:
        yield f"the count of Fn::Cidr must be 1 to 256, not {count}"
    if bits is not None and not 1 <= bits <= 128:
        yield f"the cidrBits of Fn::Cidr must be 1 to 128, not {bits}"


def _getatt(args) -> Iterator[str]:
    if isinstance(args, str):
        if "." not in args.strip(".") or args.startswith(".") or args.endswith("."):
            yield f"Fn::GetAtt takes Resource.Attribute or [Resource, Attribute], not {args!r}"
        return
    if not (isinstance(args, list) and len(args) == 2 and isinstance(args[0], str)):
        yield "Fn::GetAtt takes [logical id, attribute name] (the logical id written as a string)"
    elif not (isinstance(args[1], str) or function_name(args[1]) == "Ref"):
        yield "the attribute name of Fn::GetAtt must be a string or a Ref to a parameter"


_SUB_MESSAGE = (
    "\"Template error: One or more Fn::Sub intrinsic functions don't specify expected arguments. Specify a string as "
    'first argument, and an optional second argument to specify a mapping of values to replace in the string"'
)


def _sub(args) -> Iterator[str]:
    if isinstance(args, str):
        return
    if not (isinstance(args, list) and 1 <= len(args) <= 2 and isinstance(args[0], str)):
        yield _SUB_MESSAGE
        return
    if len(args) == 2:
        variables = args[1]
        if not isinstance(variables, dict) or function_name(variables) is not None:
            yield _SUB_MESSAGE


def _find_in_map(args, transforms, signature: Signature) -> Iterator[str]:
    if isinstance(args, list) and len(args) == 4 and LANGUAGE_EXTENSIONS in transforms:
        default = args[3]
        if not (isinstance(default, dict) and set(default) == {"DefaultValue"}):
            yield "the fourth argument of Fn::FindInMap must be {DefaultValue: …}"
        args = args[:3]
    elif isinstance(args, list) and len(args) == 4:
        yield f"Fn::FindInMap takes a fourth argument (DefaultValue) only with Transform: {LANGUAGE_EXTENSIONS}"
        return
    yield from _listed(signature, args)
