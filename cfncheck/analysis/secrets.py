"""Where secrets live in a template, and what looks like one.

- :func:`is_secret_name`: the secret-name heuristic, on the words of a name (``DbPassword``,
  ``GITHUB_TOKEN``, ``api-key``) rather than on substrings, so ``PasswordLength``,
  ``SecretArn``, ``TokenTable`` or ``EnablePassword`` are not secrets.
- :func:`secret_sites`: the values of a resource that hold a secret — the secret-property
  table (``MasterUserPassword``, ``AuthToken``…, derived from the registry schemas:
  ``data/secret-properties.json``), secret-named environment variables of
  Lambda, ECS, CodeBuild and Elastic Beanstalk, and ``AWS::CloudFormation::Authentication``
  credentials — each with its path, resolved value and the parameters it is built from.
- :func:`parameter_uses`: which parameters a node passes on as text (``Ref``, ``Fn::Sub``,
  ``Fn::Join``), to follow a NoEcho parameter or a secret parameter to where it is used.
- access-key patterns: :func:`credential_leaks` of a string.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..context import Context, parse_path
from ..references import iter_uses, whole_parameters
from ..template import Resource, Template
from ..values import ABSENT, Alt, Scenario

_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
SECRET_WORDS = frozenset(
    {"password", "passwd", "pwd", "pass", "passphrase", "secret", "token", "credential", "credentials", "apikey"}
)
KEY_QUALIFIERS = frozenset({"api", "private", "secret", "auth", "signing"})
NOT_SECRET_FIRST = frozenset(
    {
        "use",
        "enable",
        "enabled",
        "is",
        "has",
        "create",
        "generate",
        "rotate",
        "require",
        "requires",
        "manage",
        "allow",
        "reset",
        "disable",
        "include",
        "exclude",
        "no",
        "skip",
    }
)
"""The allowlist: a name starting with one of these words is a flag or a switch, not a secret
(``ManageMasterUserPassword``, ``GenerateSecret``, ``EnableApiKey``)."""


def words(name: str) -> list[str]:
    """``DBMasterPassword`` → ``["db", "master", "password"]``; ``api-key`` → ``["api", "key"]``."""
    return [word.lower() for word in _WORDS.findall(name)]


def is_secret_name(name: str) -> bool:
    """A name whose last word says it holds a secret (password, secret, token, credentials,
    API or private key). Names that end in another word hold something about a secret — its
    Arn, Id, Name, Length, Type, Policy, Url, table — and names that start with a switch verb
    (the allowlist) hold a flag."""
    parts = words(name)
    if not parts or parts[0] in NOT_SECRET_FIRST:
        return False
    return parts[-1] in SECRET_WORDS or (parts[-1] == "key" and not KEY_QUALIFIERS.isdisjoint(parts[:-1]))


SECRET_DATA = Path(__file__).parent / "data" / "secret-properties.json"


@cache
def secret_properties() -> dict[str, tuple[str, ...]]:
    """The properties that hold a secret whatever they are called (``Properties.Users[].Password``;
    ``[]`` = every item), by resource type: derived from the registry schemas and reviewed by hand
    (``tools/derive_secret_properties.py``), read on first use."""
    table = json.loads(SECRET_DATA.read_text(encoding="utf-8"))["properties"]
    return {type_name: tuple(f"Properties.{path}" for path in paths) for type_name, paths in table.items()}


AUTHENTICATION = ("Metadata", "AWS::CloudFormation::Authentication")
_AUTHENTICATION_SECRETS = ("password", "secretKey")

_ENVIRONMENTS = {
    "AWS::Lambda::Function": "lambda",
    "AWS::Serverless::Function": "lambda",
    "AWS::ECS::TaskDefinition": "ecs",
    "AWS::CodeBuild::Project": "codebuild",
    "AWS::ElasticBeanstalk::Environment": "beanstalk",
    "AWS::ElasticBeanstalk::ConfigurationTemplate": "beanstalk",
}
ENVIRONMENT_TYPES = tuple(_ENVIRONMENTS)
_BEANSTALK_ENVIRONMENT = "aws:elasticbeanstalk:application:environment"


@dataclass(frozen=True)
class SecretSite:
    """A value that holds a secret: where it is, what it resolved to, and what it is called."""

    resource: Resource
    path: tuple  # relative to the resource
    value: object  # resolved
    scenario: Scenario
    label: str  # the property or variable name, for messages
    kind: str  # "property", "authentication", or the kind of environment ("lambda", "ecs"…)
    parameters: tuple[str, ...]  # the parameters whose value it passes on, whole or in part
    holders: tuple[str, ...]  # the parameters whose value is the whole value: they hold the secret


def secret_sites(resource: Resource, ctx: Context) -> list[SecretSite]:
    """Every secret-holding value of ``resource`` (of the context's template), per scenario:
    found once per resource, for the several checks that judge them."""
    return ctx.analysis.memo((secret_sites, id(resource)), lambda: list(_secret_sites(resource, ctx)))


def _secret_sites(resource: Resource, ctx: Context) -> Iterator[SecretSite]:
    for pattern in secret_properties().get(resource.type, ()):
        for path, alt in _leaves(ctx, resource, parse_path(pattern.replace("[]", ".[]"))):
            label = ".".join(str(p) for p in path[1:] if not isinstance(p, int))
            yield _site(ctx, resource, path, alt, label, "property")
    for path, alt in _leaves(ctx, resource, AUTHENTICATION + ("*",)):
        if isinstance(alt.value, dict):
            for key in _AUTHENTICATION_SECRETS:
                if key in alt.value and not is_unset(alt.value[key]):
                    found = Alt(alt.value[key], alt.scenario)
                    yield _site(ctx, resource, path + (key,), found, f"{path[-1]}.{key}", "authentication")
    yield from _environment(ctx, resource)


@dataclass(frozen=True)
class Variable:
    """An environment variable a resource sets for its workload."""

    name: str
    path: tuple  # of the value, relative to the resource
    value: Alt  # resolved
    kind: str  # "lambda", "ecs", "codebuild" or "beanstalk"
    plaintext: bool  # stored as written (not a CodeBuild PARAMETER_STORE / SECRETS_MANAGER reference)


def environment_variables(ctx: Context, resource: Resource) -> Iterator[Variable]:
    """The environment variables of a function, task definition, CodeBuild project or Elastic
    Beanstalk environment, with their values per scenario."""
    kind = _ENVIRONMENTS.get(resource.type)
    if kind == "lambda":
        for path, alt in _leaves(ctx, resource, ("Properties", "Environment", "Variables", "*")):
            yield Variable(str(path[-1]), path, alt, kind, True)
        return
    if kind == "ecs":
        entries = ("Properties", "ContainerDefinitions", "[]", "Environment", "[]")
        name_key, value_key = "Name", "Value"
    elif kind == "codebuild":
        entries = ("Properties", "Environment", "EnvironmentVariables", "[]")
        name_key, value_key = "Name", "Value"
    elif kind == "beanstalk":
        entries = ("Properties", "OptionSettings", "[]")
        name_key, value_key = "OptionName", "Value"
    else:
        return
    for path, alt in _leaves(ctx, resource, entries):
        entry = alt.value
        if not isinstance(entry, dict) or not isinstance(entry.get(name_key), str) or value_key not in entry:
            continue
        if kind == "beanstalk" and entry.get("Namespace") != _BEANSTALK_ENVIRONMENT:
            continue
        plaintext = kind != "codebuild" or entry.get("Type", "PLAINTEXT") == "PLAINTEXT"
        yield Variable(entry[name_key], path + (value_key,), Alt(entry[value_key], alt.scenario), kind, plaintext)


def _environment(ctx: Context, resource: Resource) -> Iterator[SecretSite]:
    for variable in environment_variables(ctx, resource):
        if variable.plaintext and is_secret_name(variable.name) and not is_unset(variable.value.value):
            yield _site(ctx, resource, variable.path, variable.value, variable.name, variable.kind)


def _leaves(
    ctx: Context, resource: Resource, pattern: tuple, prefix: tuple = (), scenario=None
) -> Iterator[tuple[tuple, Alt]]:
    """The resolved values at a path pattern: ``"[]"`` steps into every list item, ``"*"`` into
    every key of a mapping; paths index the template as written."""
    scenario = resource.exists_in if scenario is None else scenario
    for position, step in enumerate(pattern):
        if step in ("[]", "*"):
            head, rest = prefix + pattern[:position], pattern[position + 1 :]
            if step == "[]":
                for item_path, alt in ctx.elements(resource, head, scenario):
                    yield from _leaves(ctx, resource, rest, item_path, alt.scenario)
            else:
                for alt in ctx.resolver.reach(resource.node, head, scenario):
                    if isinstance(alt.value, dict):
                        for key in alt.value:
                            yield from _leaves(ctx, resource, rest, head + (key,), alt.scenario)
            return
    path = prefix + pattern
    for alt in ctx.resolver.get(resource.node, path, scenario):
        if alt.value is not ABSENT and not is_unset(alt.value):
            yield path, alt


def is_unset(value) -> bool:
    """An empty string or a YAML null where a secret is expected: the secret is not set (the
    property is left to its default), which is known, not an unknown value."""
    return value is None or value == ""


def _site(ctx: Context, resource: Resource, path: tuple, alt: Alt, label: str, kind: str) -> SecretSite:
    written = [
        parent.value.get(path[-1]) if isinstance(parent.value, dict) else None
        for parent in ctx.resolver.reach(resource.node, path[:-1], alt.scenario)
    ]
    names = tuple(dict.fromkeys(name for node in written for name in parameter_uses(node, ctx.template)))
    holders = tuple(dict.fromkeys(name for node in written for name in whole_parameters(node, ctx.template.parameters)))
    return SecretSite(resource, path, alt.value, alt.scenario, label, kind, names, holders)


def parameter_uses(node, template: Template) -> Iterator[str]:
    """The parameters whose value ``node`` passes on as text: a ``Ref`` or a ``Fn::Sub``
    variable, also inside ``Fn::Join``, ``Fn::If``…, but not a ``Fn::FindInMap`` key (the
    value then comes from the Mapping)."""
    for use in iter_uses(node):
        if use.kind in ("Ref", "Sub") and use.target in template.parameters and "Fn::FindInMap" not in use.path:
            yield use.target


def is_literal_secret(value) -> bool:
    """A resolved value that is a secret written in the template: a string that is not empty,
    not a dynamic reference (also one assembled with ``Fn::Sub``) and not a placeholder. A weak
    value (``password``, ``MyAPIkey``) is still a secret: deployed, it is the credential."""
    return isinstance(value, str) and DYNAMIC_REFERENCE not in value and not is_placeholder(value)


DYNAMIC_REFERENCE = "{{resolve:"
_PLACEHOLDER = re.compile(
    r"[\W_]*|<.*>|\[.*\]|.*\b(?:enter|your|replace|placeholder|dummy|changeme|change[-_ ]me|fake|x{3,})\b.*",
    re.IGNORECASE | re.DOTALL,
)


def is_placeholder(text: str) -> bool:
    """A value that asks to be replaced rather than being one: empty, punctuation only (``<>``,
    ``***``), in angle or square brackets, or saying "enter your … here", "dummy", "changeme"."""
    return _PLACEHOLDER.fullmatch(text.strip()) is not None


ACCESS_KEY_ID = re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])")
_SECRET_ACCESS_KEY = re.compile(r"(?i)aws_secret_access_key[\"']?\s*[=:]\s*[\"']?[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])")
_CLI_CREDENTIALS = re.compile(r"aws\s+configure\s+set\s+(?:\S+\.)?aws_(?:access_key_id|secret_access_key)")
_CREDENTIALS_FILE = re.compile(r"(?:>>?|\btee\s+(?:-a\s+)?)\s*\S*\.aws/credentials\b")
_DOCUMENTATION_KEY = "EXAMPLE"  # AWS's documentation keys (AKIAIOSFODNN7EXAMPLE) are not credentials


_LEAK_HINTS = ("AKIA", "ASIA", "aws_secret_access_key", "configure", ".aws/credentials", "UserData", "\\u", "\\x")


def may_leak_credentials(document_text: str) -> bool:
    """Whether a template's text could hold what :func:`credential_leaks` finds: a cheap test that
    spares walking every string of the (many) templates that cannot. Base64 UserData and escaped
    characters are always walked."""
    lowered = document_text.lower()
    return any(hint.lower() in lowered for hint in _LEAK_HINTS)


def credential_leaks(text: str) -> list[str]:
    """What in ``text`` puts AWS credentials in the template: an access key id, a secret access
    key next to its name, or a script that configures credentials on a machine."""
    # each search is tried at every character: a substring test first spares most strings
    found = []
    if ("AKIA" in text or "ASIA" in text) and any(
        not key.endswith(_DOCUMENTATION_KEY) for key in ACCESS_KEY_ID.findall(text)
    ):
        found.append("an AWS access key id")
    if "aws_secret_access_key" in text.lower() and _SECRET_ACCESS_KEY.search(text) and _DOCUMENTATION_KEY not in text:
        found.append("an AWS secret access key")
    if "configure" in text and _CLI_CREDENTIALS.search(text):
        found.append("`aws configure set` of access keys")
    if ".aws/credentials" in text and _CREDENTIALS_FILE.search(text):
        found.append("a write to ~/.aws/credentials")
    return found


def decoded(text: str) -> str | None:
    """The text of a base64-encoded string (UserData written pre-encoded), or None."""
    compact = text.strip()
    if len(compact) < 16 or len(compact) % 4 or not re.fullmatch(r"[A-Za-z0-9+/]+={0,2}", compact):
        return None
    try:
        return base64.b64decode(compact, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
