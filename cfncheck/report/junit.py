"""JUnit XML for the CI systems that show test results (GitLab, Jenkins, Azure DevOps, CodeBuild).

Each template is a test suite and each check that ran is a test case of it, so a CI system's test
view lists what was checked as well as what failed. A check fails on a template when it has a
finding there at or above ``--fail-on`` (one ``failure`` element: the first finding as its message,
every finding as its text, one per line as the text output prints them); findings below the
threshold are the test case's output and do not fail it. A template that could not be read, and
a check that failed internally (CFN000), are ``error`` elements. Suppressed findings are left out,
as in the text output. Paths are relative to the repository root, as in the other CI formats.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from xml.etree import ElementTree

from ..baseline import relative_file
from ..catalog import INTERNAL_ERROR
from ..findings import Finding, Severity
from ..outcome import Outcome
from ..result import FileError
from .escape import Where, escape
from .text import finding_lines


def _xml(value: str) -> str:
    return escape(value, Where.XML)


def _lines(lines: Iterable[str]) -> str:
    """Text of several lines (one per finding and note), each escaped for XML."""
    return "\n".join(map(_xml, lines))


def _counted(element: ElementTree.Element, cases: list[ElementTree.Element]) -> None:
    element.set("tests", str(len(cases)))
    element.set("failures", str(sum(case.find("failure") is not None for case in cases)))
    element.set("errors", str(sum(case.find("error") is not None for case in cases)))


def _case(suite: ElementTree.Element, name: str, classname: str) -> ElementTree.Element:
    return ElementTree.SubElement(suite, "testcase", name=_xml(name), classname=_xml(classname))


def _unreadable(suite: ElementTree.Element, file: str, error: FileError) -> ElementTree.Element:
    case = _case(suite, "template can be read", file)
    where = f"{file}:{error.line}" if error.line else file
    ElementTree.SubElement(case, "error", type="unreadable", message=_xml(error.message)).text = _xml(
        f"{where}: {error.message}"
    )
    return case


def _check_case(
    suite: ElementTree.Element, file: str, rule_id: str, name: str, found: list[Finding], threshold: Severity | None
) -> ElementTree.Element:
    case = _case(suite, f"{rule_id} {name}", file)
    failing = [f for f in found if threshold is not None and f.severity >= threshold]
    if failing:
        first = failing[0]
        kind = "error" if rule_id == INTERNAL_ERROR.id else "failure"
        more = f" (and {len(failing) - 1} more)" if len(failing) > 1 else ""
        lines = [line for finding in failing for line in finding_lines(finding)]
        element = ElementTree.SubElement(
            case,
            kind,
            type=str(first.severity),
            message=_xml(f"{first.file}:{first.line}: {first.shown_message}{more}"),
        )
        element.text = _lines(lines)
    passing = [f for f in found if threshold is None or f.severity < threshold]
    if passing:
        output = ElementTree.SubElement(case, "system-out")
        output.text = _lines(line for finding in passing for line in finding_lines(finding))
    return case


def document(result: Outcome, root: str | Path, fail_on: str = "warning") -> ElementTree.Element:
    """The ``testsuites`` element of a run: a suite per template, a case per template and check."""
    root = Path(root).resolve()
    threshold = None if fail_on == "none" else Severity.parse(fail_on)
    by_place: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    files = list(dict.fromkeys(result.files))
    for finding in result.findings:
        if finding.suppressed is None:
            by_place[(finding.file, finding.rule_id)].append(finding)
            if finding.file not in files:
                files.append(finding.file)
    checks = {rule.id: rule.name for rule in result.rules}
    checks.update((f.rule_id, f.name) for f in result.findings if f.rule_id not in checks)
    errors = {error.file: error for error in result.errors}
    suites = ElementTree.Element("testsuites", name="cfncheck")
    every: list[ElementTree.Element] = []
    for name in files:
        shown = relative_file(name, root)
        suite = ElementTree.SubElement(suites, "testsuite", name=_xml(shown), file=_xml(shown))
        cases = [_unreadable(suite, shown, errors[name])] if name in errors else []
        for rule_id in sorted(checks) if name not in errors else ():
            found = by_place.get((name, rule_id), [])
            if found or rule_id != INTERNAL_ERROR.id:
                cases.append(_check_case(suite, shown, rule_id, checks[rule_id], found, threshold))
        _counted(suite, cases)
        suite.set("skipped", "0")
        every += cases
    _counted(suites, every)
    return suites


def render(result: Outcome, root: str | Path, fail_on: str = "warning") -> str:
    tree = document(result, root, fail_on)
    ElementTree.indent(tree, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(tree, encoding="unicode") + "\n"
