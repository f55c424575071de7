"""Set the version cfncheck is released as, everywhere it is written (docs/releasing.md, step 1):

    python tools/bump_version.py 0.2.0

- ``cfncheck/__init__.py``: ``__version__`` (the package's version: the wheel's, ``--version``'s);
- the places README.md, docs/ and editors/vscode/ name the release: the action and pre-commit at
  its tag (``cfncheck/cfncheck@v0.2.0``, ``rev: v0.2.0``), the configuration schema at that tag,
  the container image's tag, the VS Code extension's version;
- CHANGELOG.md: what is under "Unreleased" becomes the version's section, dated today, under a new
  empty "Unreleased".

``--notes VERSION`` prints that version's section of CHANGELOG.md (the GitHub release's notes).
``tests/test_release.py`` checks that every place names the package's version.
"""

from __future__ import annotations

import argparse
import datetime
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VERSION_FILE = "cfncheck/__init__.py"
NAMING = ("README.md", "docs/*.md", "editors/vscode/package.json", "editors/vscode/README.md")
"""The files that name the release: its tag, the image's tag, the extension's version."""
_V = r"(\d+\.\d+\.\d+)"
PACKAGE_VERSION = re.compile(rf'^  "version": "{_V}",$', re.MULTILINE)
"""The extension's version: in editors/vscode/package.json only (a JSON example in the docs, such as
VS Code's tasks.json, has a "version" of its own)."""
REFERENCES = [
    re.compile(rf"cfncheck/cfncheck@v{_V}\b"),  # the GitHub action
    re.compile(rf"\brev: v{_V}\b"),  # pre-commit
    re.compile(rf"/cfncheck/cfncheck/v{_V}/"),  # a file of the repository at the tag
    re.compile(rf"ghcr\.io/cfncheck/cfncheck:{_V}\b"),  # the container image
    re.compile(rf'^\{{"version": "{_V}", "findings"', re.MULTILINE),  # the JSON report's example in README.md
    re.compile(rf"\bcfncheck-{_V}\.vsix\b"),  # the extension's package
    re.compile(rf"\bcfncheck-cli=={_V}\b"),  # the package pinned (a CI matrix's parts and merge)
]
UNRELEASED = "## Unreleased"


def package_version(root: Path = ROOT) -> str:
    return re.search(r'__version__ = "([^"]+)"', (root / VERSION_FILE).read_text(encoding="utf-8"))[1]


def naming_files(root: Path = ROOT) -> list[Path]:
    return sorted({path for pattern in NAMING for path in root.glob(pattern) if path.name != "checks.md"})


def _patterns(path: Path) -> list[re.Pattern]:
    return REFERENCES + [PACKAGE_VERSION] if path.name == "package.json" else REFERENCES


def references(root: Path = ROOT) -> list[tuple[str, int, str]]:
    """Every place that names a release version: (file, line, version)."""
    found = []
    for path in naming_files(root):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for pattern in _patterns(path):
                found += [(str(path.relative_to(root)), number, match[1]) for match in pattern.finditer(line)]
    return found


def _replace(pattern: re.Pattern, text: str, version: str) -> str:
    def swap(match: re.Match) -> str:
        start, end = match.start(1) - match.start(), match.end(1) - match.start()
        return match[0][:start] + version + match[0][end:]

    return pattern.sub(swap, text)


def bump(version: str, root: Path = ROOT, today: datetime.date | None = None) -> None:
    if not re.fullmatch(_V, version):
        raise SystemExit(f"bump_version: {version!r} is not MAJOR.MINOR.PATCH")
    source = root / VERSION_FILE
    source.write_text(
        re.sub(r'__version__ = "[^"]+"', f'__version__ = "{version}"', source.read_text(encoding="utf-8")),
        encoding="utf-8",
    )
    for path in naming_files(root):
        text = path.read_text(encoding="utf-8")
        for pattern in _patterns(path):
            text = _replace(pattern, text, version)
        path.write_text(text, encoding="utf-8")
    changelog = root / "CHANGELOG.md"
    text = changelog.read_text(encoding="utf-8")
    if UNRELEASED not in text:
        raise SystemExit("bump_version: CHANGELOG.md has no '## Unreleased' section")
    dated = f"{UNRELEASED}\n\n## {version} — {(today or datetime.date.today()).isoformat()}"
    changelog.write_text(text.replace(UNRELEASED, dated, 1), encoding="utf-8")


def notes(version: str, root: Path = ROOT) -> str:
    """The section of CHANGELOG.md under the version's heading."""
    text = (root / "CHANGELOG.md").read_text(encoding="utf-8")
    match = re.search(rf"^## {re.escape(version)}\b[^\n]*\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    if match is None:
        raise SystemExit(f"bump_version: CHANGELOG.md has no section for {version}")
    return match[1].strip() + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python tools/bump_version.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("version", help="the version to release, MAJOR.MINOR.PATCH")
    parser.add_argument("--notes", action="store_true", help="print the version's changelog section instead")
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.notes:
        sys.stdout.write(notes(args.version, args.root))
    else:
        bump(args.version, args.root)


if __name__ == "__main__":
    main()
