"""Print a pip constraints file that pins every dependency of pyproject.toml (runtime and the
``test`` extra) to its lower bound, so CI can run the tests on the oldest releases we claim to
support. A dependency without a ``>=`` bound is an error: every floor must be a tested one."""

import re
import sys
import tomllib
from pathlib import Path

REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*>=\s*([^,;\s]+)\s*(?:,.*)?(?:;.*)?$")


def main() -> int:
    project = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"]) + list(project["optional-dependencies"]["test"])
    lines = []
    for requirement in requirements:
        match = REQUIREMENT.match(requirement)
        if match is None:
            print(f"floor-constraints: {requirement!r} has no '>=' lower bound", file=sys.stderr)
            return 2
        lines.append(f"{match[1]}=={match[2]}")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
