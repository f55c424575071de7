"""Cross-stack wiring: exports and imports between the templates of a run, and nested stacks
whose template is a local file (catalog section 3.2).

A finding about two templates lands in one and names the other as a related location.
"""

from __future__ import annotations

import difflib
import os
from fnmatch import fnmatchcase

from cfncheck.analysis.other_tools import is_local_path
from cfncheck.analysis.parameter_values import violation
from cfncheck.api import (
    ERROR,
    INFO,
    Scenario,
    check,
    import_calls,
    is_known,
    iter_uses,
    output_scenario,
    resource_uses,
)
from cfncheck.intrinsics import Resolver


def _place(ctx, template, path: tuple):
    """(context, resource, path relative to it) for a path from a template's root."""
    here = ctx.on(template)
    if len(path) >= 2 and path[0] == "Resources" and path[1] in template.resources:
        return here, template.resources[path[1]], path[2:]
    return here, None, path


def _import_location(ctx, imp, message: str):
    here, resource, path = _place(ctx, imp.template, imp.path)
    return here.location(resource, path, imp.scenario, message=message)


def _export_path(export) -> tuple:
    return ("Outputs", export.output.name, "Export", "Name")


def _export_location(ctx, export, message: str):
    return ctx.on(export.template).location(None, _export_path(export), message=message)


def _importers(project, export):
    return [imp for imp in project.imports if imp.name == export.name and imp.template is not export.template]


def _exports(project):
    """Each export once per output (an output whose name has alternatives may be indexed twice)."""
    seen, found = set(), []
    for exports in project.exports.values():
        for export in exports:
            if (export.name, id(export.output)) not in seen:
                seen.add((export.name, id(export.output)))
                found.append(export)
    return found


@check(
    "XSTK001",
    "xstk-import-without-export",
    ERROR,
    scope="project",
    options={"external_exports": []},
    fix="Correct the name to one a template exports, or list exports made outside these templates in the "
    "external_exports option.",
    deploy_failure=True,
)
def import_without_export(project, ctx):
    """An ``Fn::ImportValue`` whose name no template of the run exports fails the stack ("No
    export named … found"). Only runs of several templates are checked; names built from values
    not known here are skipped, and so are names listed in ``external_exports`` (globs). A run of
    files named one by one (pre-commit) reads the project's other exporting templates for this; a
    run that cannot know the project (a file outside it, standard input) skips the check and says so."""
    if len(project.templates) < 2 or project.partial:
        return
    external = ctx.options["external_exports"]
    for imp in project.imports:
        if imp.name in project.exports or any(fnmatchcase(imp.name, pattern) for pattern in external):
            continue
        if project.may_export(imp.name):
            continue
        here, resource, path = _place(ctx, imp.template, imp.path)
        close = difflib.get_close_matches(imp.name, list(project.exports), n=1, cutoff=0.75)
        hint, related = "", []
        if close:
            export = project.exports[close[0]][0]
            hint = f" Did you mean {close[0]}, exported by {export.template.file}?"
            related = [_export_location(ctx, export, f"export {close[0]}")]
        yield here.finding(
            resource, path, f"No template of this run exports {imp.name!r}.{hint}", imp.scenario, related=related
        )


@check(
    "XSTK002",
    "xstk-duplicate-export-name",
    ERROR,
    scope="project",
    fix="Give each export a unique name, for example prefixed with ${AWS::StackName}.",
    deploy_failure=True,
)
def duplicate_export_name(project, ctx):
    """Export names are unique per account and region: a second stack exporting the same name
    fails to create. Outputs of one template that never exist together are not duplicates, nor
    are those of one template written in two formats (``x.json`` beside ``x.yaml``). With the
    ``deployments`` setting (template globs deployed to one account and region), two templates are
    compared only when a deployment holds both; those no deployment names are compared with each
    other, as every template is without the setting. A nested stack's template that no deployment
    names is deployed with its parent."""
    by_name: dict[str, list] = {}
    for export in _exports(project):
        by_name.setdefault(export.name, []).append(export)
    for name, exports in by_name.items():
        for export in exports:
            others = [other for other in exports if other is not export and _together(project, ctx, export, other)]
            if others:
                yield ctx.on(export.template).finding(
                    None,
                    _export_path(export),
                    f"Export name {name!r} is also exported by "
                    + ", ".join(f"{o.output.name} in {o.template.file}" for o in others)
                    + ": rename one.",
                    related=[_export_location(ctx, other, f"also exports {name}") for other in others],
                )


def _together(project, ctx, export, other) -> bool:
    if export.template is not other.template:
        one_template = _stem(export.template.file) == _stem(other.template.file)  # in two formats
        return not one_template and project.same_deployment(export.template, other.template)
    both = output_scenario(export.output).merge(output_scenario(other.output))
    return both is not None and ctx.on(export.template).resolver.satisfiable(both)


def _stem(file: str) -> str:
    return file.rsplit(".", 1)[0]


def _resource_uses(template, node) -> list[str]:
    return [use.target for use in iter_uses(node) if use.target in template.resources and use.kind != "Condition"]


@check(
    "XSTK003",
    "xstk-importvalue-argument-invalid",
    ERROR,
    fix="Build import and export names from parameters, pseudo parameters and mappings only; export strings "
    "(join a list with Fn::Join).",
    deploy_failure=True,
)
def importvalue_argument_invalid(ctx):
    """CloudFormation rejects an ``Fn::ImportValue`` or an ``Export.Name`` that depends on a
    resource (only parameters, pseudo parameters, mappings and functions of them are allowed),
    a template that imports what it exports itself, and an exported value that is a list."""
    template = ctx.template
    exported_here = {
        alt.value
        for output in template.outputs.values()
        if output.export_name is not None
        for alt in ctx.resolve(output.export_name, output_scenario(output))
        if isinstance(alt.value, str)
    }
    for argument, path, scenario in import_calls(template):
        _, resource, relative = _place(ctx, template, path)
        used = _resource_uses(template, argument)
        if used:
            yield ctx.finding(
                resource,
                relative,
                f"The imported name depends on resource {used[0]}: build it from parameters.",
                scenario,
            )
            continue
        for alt in ctx.resolve(argument, scenario):
            if isinstance(alt.value, str) and alt.value in exported_here:
                yield ctx.finding(
                    resource,
                    relative,
                    f"This template imports {alt.value!r}, which it exports itself: use the value directly.",
                    alt.scenario,
                )
    for output in template.outputs.values():
        if output.export_name is None:
            continue
        used = _resource_uses(template, output.export_name)
        if used:
            yield ctx.finding(
                None,
                ("Outputs", output.name, "Export", "Name"),
                f"Export name depends on resource {used[0]}: build it from parameters and ${{AWS::StackName}}.",
            )
        for alt in ctx.resolve(output.value, output_scenario(output)):
            if isinstance(alt.value, list):
                yield ctx.finding(
                    None,
                    ("Outputs", output.name, "Value"),
                    "An exported value must be a string: join the list with Fn::Join.",
                    alt.scenario,
                )


@check(
    "XSTK004",
    "xstk-conditional-export-imported",
    ERROR,
    scope="project",
    fix="Export the value unconditionally (or make the importers conditional on the same setting).",
    deploy_failure=True,
)
def conditional_export_imported(project, ctx):
    """An export that exists only under a condition breaks its importers when the condition is
    false: the exporting stack cannot update to remove an export in use, and a new importer
    fails to create. Reported on the export, naming the scenario in which it disappears."""
    for export in _exports(project):
        importers = _importers(project, export)
        if not importers:
            continue
        here = ctx.on(export.template)
        conditions = [export.output.condition] if export.output.condition else []
        conditions += [
            here.template.resources[target].condition
            for target in _resource_uses(here.template, export.output.value)
            if here.template.resources[target].condition
        ]
        for condition in dict.fromkeys(conditions):
            gone = Scenario({(condition, False)})
            if not here.resolver.satisfiable(gone):
                continue
            yield here.finding(
                None,
                ("Outputs", export.output.name),
                f"Export {export.name!r} is not created when {condition} is false, but "
                + ", ".join(sorted({imp.template.file for imp in importers}))
                + " imports it.",
                gone,
                related=[_import_location(ctx, imp, f"imports {export.name}") for imp in importers],
            )


@check(
    "XSTK005",
    "xstk-nested-stack-parameters-mismatch",
    ERROR,
    scope="project",
    fix="Pass every parameter of the child template that has no Default, only parameters it declares, with values "
    "its constraints accept.",
    deploy_failure=True,
)
def nested_stack_parameters_mismatch(project, ctx):
    """A nested stack must pass its child template every parameter without a Default, and no
    parameter the child does not declare, with values the child's Type, AllowedValues,
    AllowedPattern, length and value limits accept; otherwise the nested stack fails."""
    for nested in project.nested:
        here, stack, child = ctx.on(nested.parent), nested.resource, nested.child
        passed = stack.properties.get("Parameters", {})
        if not isinstance(passed, dict) or (len(passed) == 1 and next(iter(passed)).startswith("Fn::")):
            continue
        child_ctx = ctx.on(child)
        for name, parameter in child.parameters.items():
            if not parameter.has_default and name not in passed:
                yield here.finding(
                    stack,
                    "Properties.Parameters",
                    f"Child template {child.file} needs parameter {name} (it has no Default): pass it.",
                    related=[child_ctx.location(None, ("Parameters", name), message=f"parameter {name}")],
                )
        for name in passed:
            if name not in child.parameters:
                hint = difflib.get_close_matches(name, list(child.parameters), n=1)
                yield here.finding(
                    stack,
                    ("Properties", "Parameters", name),
                    f"Child template {child.file} declares no parameter {name}"
                    + (f" (did you mean {hint[0]}?)" if hint else "")
                    + ": remove it.",
                    related=[child_ctx.location(None, ("Parameters",), message="the child's parameters")],
                )
                continue
            for alt in here.values(stack, ("Properties", "Parameters", name)):
                problem = violation(child.parameters[name].node, alt.value)
                if problem:
                    yield here.finding(
                        stack,
                        ("Properties", "Parameters", name),
                        f"Value {alt.value!r} of parameter {name} {problem} in {child.file}.",
                        alt.scenario,
                        related=[child_ctx.location(None, ("Parameters", name), message=f"parameter {name}")],
                    )


@check(
    "XSTK006",
    "xstk-nested-stack-output-missing",
    ERROR,
    scope="project",
    fix="Use an output the child template declares (Fn::GetAtt <Stack>.Outputs.<Name>).",
    deploy_failure=True,
)
def nested_stack_output_missing(project, ctx):
    """``Fn::GetAtt <Stack>.Outputs.<Name>`` fails when the child template has no output of that
    name, or when the output's Condition is false for the parameters the parent passes."""
    for template in project.templates:
        here = ctx.on(template)
        places = [(r, resource_uses(r.node)) for r in template.resources.values()]
        places += [(None, iter_uses(o.node, ("Outputs", name))) for name, o in template.outputs.items()]
        for resource, uses in places:
            for use in uses:
                attribute = use.attribute or ""
                child = project.child(template, use.target) if attribute.startswith("Outputs.") else None
                if child is None:
                    continue
                name = attribute[len("Outputs.") :]
                output = child.outputs.get(name)
                declared = ctx.on(child).location(None, ("Outputs",), message="the child's outputs")
                if output is None:
                    hint = difflib.get_close_matches(name, list(child.outputs), n=1)
                    yield here.finding(
                        resource,
                        use.path,
                        f"Child template {child.file} of {use.target} has no output {name}"
                        + (f" (did you mean {hint[0]}?)" if hint else "")
                        + ".",
                        related=[declared],
                    )
                elif output.condition and _never(template, use.target, child, output.condition, here):
                    yield here.finding(
                        resource,
                        use.path,
                        f"Output {name} of {child.file} has Condition {output.condition}, false with the parameters "
                        f"{use.target} passes: it does not exist.",
                        related=[ctx.on(child).location(None, ("Outputs", name, "Condition"), message="its Condition")],
                    )


def _never(parent, logical_id: str, child, condition: str, here) -> bool:
    """Whether a child's condition is false for every scenario, given the parameter values the
    parent passes where they are known."""
    passed = parent.resources[logical_id].properties.get("Parameters", {})
    given = {}
    for name in passed if isinstance(passed, dict) else ():
        alts = here.values(parent.resources[logical_id], ("Properties", "Parameters", name))
        if len(alts) == 1 and is_known(alts[0].value) and not isinstance(alts[0].value, (dict, list)):
            given[name] = str(alts[0].value)
    resolver = Resolver(child, given)
    return not resolver.satisfiable(Scenario({(condition, True)}))


@check(
    "XSTK007",
    "xstk-export-in-use",
    INFO,
    scope="project",
    fix="Before changing or deleting this export, change the importing stacks first.",
)
def export_in_use(project, ctx):
    """An export imported by another stack cannot change or be deleted while it is imported:
    updating the value, renaming the export or deleting the stack is blocked until every
    importer stops importing it."""
    for export in _exports(project):
        importers = _importers(project, export)
        if importers:
            files = ", ".join(sorted({imp.template.file for imp in importers}))
            yield ctx.on(export.template).finding(
                None,
                _export_path(export),
                f"Export {export.name!r} is imported by {files}: it cannot change while they import it.",
                related=[_import_location(ctx, imp, f"imports {export.name}") for imp in importers],
            )


@check(
    "XSTK008",
    "xstk-nested-template-url",
    ERROR,
    types=["AWS::CloudFormation::Stack"],
    fix="Correct the path to the child template (relative to this template), or use the https:// S3 URL it is "
    "published at.",
    example="Resources:\n  Network:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n"
    "      TemplateURL: ./nested/network-missing.yaml",
    deploy_failure=True,
)
def nested_template_url(stack, ctx):
    """A nested stack whose TemplateURL is a local path to a file that does not exist: ``aws
    cloudformation package`` (or ``sam package``) cannot upload it and stops, and CloudFormation
    itself reads only an https URL, so the stack cannot be
    deployed either way. Paths that leave the template's folder are not judged (the project may
    not be all here); nor is a template read from standard input. Source: the
    AWS::CloudFormation::Stack reference (TemplateURL) and the aws cloudformation package
    reference."""
    base = os.path.dirname(ctx.template.file)
    if ctx.template.file.startswith("<"):
        return
    for alt in ctx.values(stack, "Properties.TemplateURL"):
        url = alt.value
        if not isinstance(url, str) or not is_local_path(url):
            continue
        relative = os.path.normpath(url.strip())
        if relative.startswith("..") or os.path.isabs(relative) or ctx.project.exists(os.path.join(base, relative)):
            continue
        message = (
            f"TemplateURL {url} is a local path to a file that does not exist: packaging the template fails, and "
            "CloudFormation cannot read a local path. Correct the path or use the template's https URL."
        )
        yield ctx.finding(stack, "Properties.TemplateURL", message, alt.scenario)
