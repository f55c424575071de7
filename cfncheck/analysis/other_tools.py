"""Templates written for another tool, which expands them before CloudFormation reads them.

rain (``!Rain::Module``, ``!Rain::Embed``, ``!Rain::S3``, ``!Rain::Constant``…), the Serverless
Framework (``${self:…}``, ``${opt:…}`` variables in a resources file), Sceptre's Jinja templates,
and the inputs of ``aws cloudformation package`` (``Code: ./src``, ``TemplateURL: ./child.yaml``,
local modules with ``Fn::Invoke``). What such a tool inserts is not known here: those values are
that tool's syntax, never a CloudFormation error, and the rest of the template is checked as usual.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cfncheck.loader import JINJA, PACKAGE_MODULES, RAIN
from cfncheck.nodes import Mark, derived
from cfncheck.references import iter_uses
from cfncheck.template import Resource, Template

SERVERLESS = "serverless"
PACKAGE = "package"


@dataclass(frozen=True)
class Tool:
    name: str
    expand: str  # how to get the template CloudFormation reads


TOOLS = {
    RAIN: Tool("rain", "`rain pkg TEMPLATE` writes the template CloudFormation reads"),
    JINJA: Tool("Sceptre (Jinja)", "`sceptre generate STACK` renders the template CloudFormation reads"),
    SERVERLESS: Tool(
        "the Serverless Framework",
        "`serverless package` merges it into .serverless/cloudformation-template-update-stack.json",
    ),
    PACKAGE: Tool(
        "aws cloudformation package",
        "`aws cloudformation package --template-file TEMPLATE --s3-bucket BUCKET` (or `sam package`) uploads "
        "the local files and writes the template CloudFormation reads",
    ),
    PACKAGE_MODULES: Tool(
        "aws cloudformation package",
        "`aws cloudformation package --template-file TEMPLATE` expands its local modules into the template "
        "CloudFormation reads",
    ),
}

FRAMEWORK_VARIABLE = re.compile(r"\$\{(?:(?:self|opt|sls|env|cf|ssm|s3|param):|file\()")
"""A Serverless Framework variable; CloudFormation's own ``${…}`` in Fn::Sub never has this form."""
FRAMEWORK_RESOURCES = frozenset(
    {"ApiGatewayRestApi", "ServerlessDeploymentBucket", "IamRoleLambdaExecution", "HttpApi", "WebsocketsApi"}
)
"""Resources the Serverless Framework creates under fixed names, which a resources file it merges
refers to without declaring."""
_FRAMEWORK_REFERENCE = re.compile(
    r"(?:Ref|GetAtt)[\"']?\s*:?\s*\[?\s*[\"']?(?:" + "|".join(sorted(FRAMEWORK_RESOURCES)) + r")\b"
    r"|\$\{(?:" + "|".join(sorted(FRAMEWORK_RESOURCES)) + r")\b"
)
"""A cheap text test for a reference to one of those names, before the references are read."""
RAIN_CONSTANT = "${Rain::"
JINJA_EXPRESSION = re.compile(r"\{\{-?\s*(?!resolve:)[A-Za-z_][\w.]*\s*-?\}\}")

PACKAGED_PROPERTIES = {
    "AWS::ApiGateway::RestApi": ("BodyS3Location",),
    "AWS::ApiGatewayV2::Api": ("BodyS3Location",),
    "AWS::Lambda::Function": ("Code",),
    "AWS::Lambda::LayerVersion": ("Content",),
    "AWS::AppSync::GraphQLSchema": ("DefinitionS3Location",),
    "AWS::AppSync::Resolver": (
        "RequestMappingTemplateS3Location",
        "ResponseMappingTemplateS3Location",
        "CodeS3Location",
    ),
    "AWS::AppSync::FunctionConfiguration": (
        "RequestMappingTemplateS3Location",
        "ResponseMappingTemplateS3Location",
        "CodeS3Location",
    ),
    "AWS::StepFunctions::StateMachine": ("DefinitionS3Location",),
    "AWS::ElasticBeanstalk::ApplicationVersion": ("SourceBundle",),
    "AWS::CloudFormation::Stack": ("TemplateURL",),
    "AWS::Glue::Job": ("Command.ScriptLocation",),
    "AWS::CodeCommit::Repository": ("Code.S3",),
}
"""Properties that ``aws cloudformation package`` uploads when they name a local file or folder."""


@dataclass(frozen=True)
class ToolUse:
    """Where a template first uses a tool's syntax."""

    tool: str  # a key of TOOLS
    syntax: str  # what was written, for the message
    path: tuple | None  # from the template root, when the syntax is a node of the template
    mark: Mark | None  # where the loader saw it, otherwise

    @property
    def about(self) -> Tool:
        return TOOLS[self.tool]


def tool_input_message(tool: str, reason: str) -> str:
    """CFN903's message for a file that only the tool can turn into a template: it was not checked."""
    about = TOOLS[tool]
    return f"Written for {about.name}: {reason}. {about.expand}; check that template instead."


def tool_uses(template: Template) -> list[ToolUse]:
    """Each tool whose syntax the template uses, once, at its first use."""
    return derived(template.root, "other tools", lambda: _uses(template))


def expanded_elsewhere(template: Template) -> bool:
    """Another tool creates or rewrites parts of the template (modules, included files,
    variables), so names and values it adds cannot be seen here."""
    return any(use.tool != PACKAGE for use in tool_uses(template))


def adds_resources(template: Template) -> bool:
    """Whether modules add resources the template does not show: rain modules (a resource whose
    Type is ``!Rain::Module``), the ``Modules`` section of ``aws cloudformation package``, or
    registry modules (``…::MODULE`` types)."""
    return derived(template.root, "adds resources", lambda: _adds_resources(template))


def _adds_resources(template: Template) -> bool:
    resources = template.root.get("Resources")
    written = resources.values() if isinstance(resources, dict) else ()
    return (
        isinstance(template.root.get("Modules"), dict)
        or any(isinstance(node, dict) and not isinstance(node.get("Type"), str) for node in written)
        or any(resource.type.endswith("::MODULE") for resource in template.resources.values())
    )


def emptied_on_delete(resource: Resource) -> bool:
    """Whether rain empties the bucket before it deletes the stack (``Metadata: {Rain:
    {EmptyOnDelete: true}}``), so the bucket's objects do not stop the deletion."""
    settings = resource.metadata.get("Rain")
    flag = settings.get("EmptyOnDelete") if isinstance(settings, dict) else None
    return flag is True or (isinstance(flag, str) and flag.lower() == "true")


def _uses(template: Template) -> list[ToolUse]:
    found: dict[str, ToolUse] = {}
    document = template.document
    for tool, mark in sorted(document.tools.items(), key=lambda item: item[1]):
        syntax = {RAIN: "rain directives", JINJA: "Jinja statements", PACKAGE_MODULES: "!Invoke"}[tool]
        found[tool] = ToolUse(tool, syntax, None, mark)
    text = document.text
    for section in ("Modules", "Constants"):  # a module's constants, which CloudFormation has no section for
        if PACKAGE_MODULES not in found and isinstance(template.root.get(section), dict):
            found[PACKAGE_MODULES] = ToolUse(PACKAGE_MODULES, f"a {section} section", (section,), None)
    if RAIN not in found and ("Rain::" in text or "Rain" in template.root):
        path = ("Rain",) if "Rain" in template.root else _first(template.root, (), _rain_syntax)
        if path is not None:
            found[RAIN] = ToolUse(RAIN, "rain directives", path, None)
    if "${" in text and FRAMEWORK_VARIABLE.search(text):
        path = _first(template.root, (), _framework_variable)
        if path is not None:
            found[SERVERLESS] = ToolUse(SERVERLESS, "Serverless Framework variables", path, None)
    if (
        SERVERLESS not in found
        and any(name in text for name in FRAMEWORK_RESOURCES)  # a fast gate for the slow search
        and _FRAMEWORK_REFERENCE.search(text)
    ):
        declared = set(template.resources) | set(template.parameters)
        for use in iter_uses(template.root):
            if use.target in FRAMEWORK_RESOURCES and use.target not in declared and use.kind != "Condition":
                found[SERVERLESS] = ToolUse(SERVERLESS, f"a reference to its {use.target}", use.path, None)
                break
    if JINJA not in found and "{{" in text:
        for logical_id, node in (template.root.get("Resources") or {}).items():
            kind = node.get("Type") if isinstance(node, dict) else None
            if isinstance(kind, str) and JINJA_EXPRESSION.search(kind) or JINJA_EXPRESSION.search(str(logical_id)):
                found[JINJA] = ToolUse(JINJA, "Jinja expressions", ("Resources", logical_id, "Type"), None)
                break
    for path in packaged_paths(template):
        found.setdefault(PACKAGE, ToolUse(PACKAGE, f"{path[-1]} as a local path", path, None))
        break
    return list(found.values())


def packaged_paths(template: Template) -> list[tuple]:
    """Paths (from the root) of the properties that name a local file for ``aws cloudformation package``."""
    return derived(template.root, "packaged paths", lambda: _packaged_paths(template))


def _packaged_paths(template: Template) -> list[tuple]:
    paths = []
    for resource in template.resources.values():
        for dotted in PACKAGED_PROPERTIES.get(resource.type, ()):
            node, path = resource.properties, ("Resources", resource.logical_id, "Properties")
            for key in dotted.split("."):
                node = node.get(key) if isinstance(node, dict) else None
                path += (key,)
            if isinstance(node, str) and is_local_path(node):
                paths.append(path)
    return paths


def is_local_path(value: str) -> bool:
    """A file or folder name, not a URL or an S3 location (what the package command uploads)."""
    text = value.strip()
    return bool(text) and "://" not in text and not text.startswith(("https:", "http:", "s3:", "arn:"))


def is_tool_syntax(value) -> bool:
    """A value that another tool replaces: a rain directive, a module call, a Serverless Framework
    variable, a rain constant or a Jinja expression in a string."""
    if isinstance(value, dict) and len(value) == 1:
        key = next(iter(value))
        return isinstance(key, str) and (key.startswith("Rain::") or key == "Fn::Invoke")
    if isinstance(value, str) and ("${" in value or "{{" in value):
        return bool(RAIN_CONSTANT in value or FRAMEWORK_VARIABLE.search(value) or JINJA_EXPRESSION.search(value))
    return False


def _rain_syntax(key, value) -> bool:
    """A rain directive written in long form (``Rain::Embed: file``) or a rain constant in a string."""
    return str(key).startswith("Rain::") or (isinstance(value, str) and RAIN_CONSTANT in value)


def _framework_variable(key, value) -> bool:
    return isinstance(value, str) and FRAMEWORK_VARIABLE.search(value) is not None


def _first(node, path: tuple, test) -> tuple | None:
    """The path of the first value (in document order) for which ``test(key, value)`` holds."""
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        if test(key, value):
            return path + (key,)
        found = _first(value, path + (key,), test)
        if found is not None:
            return found
    return None
