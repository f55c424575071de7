"""Templates written for another tool, which expands them before CloudFormation reads them."""

from __future__ import annotations

from cfncheck.analysis.other_tools import tool_uses
from cfncheck.api import INFO, check


@check(
    "CFN903",
    "template-for-another-tool",
    INFO,
    fix="Check the template the tool writes as well (the message says how to get it).",
)
def template_for_another_tool(ctx):
    """The file is written for another tool that expands it before CloudFormation reads it:
    rain (``!Rain::Module``, ``!Rain::Embed``, ``!Rain::S3``, ``!Rain::Constant``…), the Serverless
    Framework (``${self:…}``, ``${opt:…}``), Sceptre's Jinja templates, or ``aws cloudformation
    package`` (``Code: ./src``, ``TemplateURL: ./child.yaml``, local modules). That tool's syntax is
    not a CloudFormation error; what it inserts cannot be seen here, so the checks that depend on
    it (undefined names, unused declarations, the values it replaces) are skipped, and the rest of
    the template is checked. One finding per file, at the first use of each tool's syntax."""
    uses = tool_uses(ctx.template)
    if not uses:
        return
    first, *others = uses
    message = f"Written for {first.about.name} ({first.syntax}): {first.about.expand}; check that template too."
    for other in others:
        message += f" It also uses {other.about.name} ({other.syntax}): {other.about.expand}."
    yield ctx.finding(None, first.path or (), message + " cfncheck skipped what the tools insert.", at=first.mark)
