"""Build ``tests/robustness_vocabulary.json``: which properties real templates give each resource type.

The property-based tests draw resources from this vocabulary so that generated templates reach
the code of the checks (a random property name would only ever reach "property not set").
For every type the check catalog names, the vocabulary keeps the tree of property names seen
in the corpus and a few short scalar values met at each leaf. Run it again when the catalog or
the corpus grows:

    .venv/bin/python fuzz/build_vocabulary.py ../shared/spec/checks.md ../shared/corpus
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from cfncheck.loader import LoadError, load_file

OUTPUT = Path(__file__).resolve().parent.parent / "tests" / "robustness_vocabulary.json"
MAX_KEYS = 24  # per mapping: enough variety, small file
MAX_EXAMPLES = 4  # scalar values kept per leaf
MAX_DEPTH = 6


def catalog_types(catalog: Path) -> list[str]:
    return sorted(set(re.findall(r"AWS::[A-Za-z0-9]+::[A-Za-z0-9]+", catalog.read_text())))


def merge(shape: dict, value, depth: int) -> None:
    """Fold one example value into a shape: {"map": {...}, "list": shape, "scalars": [...]}."""
    if depth > MAX_DEPTH:
        return
    if isinstance(value, dict):
        if len(value) == 1 and (next(iter(value)) == "Ref" or next(iter(value)).startswith("Fn::")):
            return  # intrinsics are generated, not copied
        keys = shape.setdefault("map", {})
        for key, child in value.items():
            if key in keys or len(keys) < MAX_KEYS:
                merge(keys.setdefault(key, {}), child, depth + 1)
    elif isinstance(value, list):
        item = shape.setdefault("list", {})
        for child in value[:8]:
            merge(item, child, depth + 1)
    elif isinstance(value, (str, int, float, bool)):
        if isinstance(value, str) and (len(value) > 40 or "\n" in value):
            return
        scalars = shape.setdefault("scalars", [])
        if value not in scalars and len(scalars) < MAX_EXAMPLES:
            scalars.append(value)


def main(catalog: str, corpus: str) -> None:
    types = catalog_types(Path(catalog))
    shapes: dict[str, dict] = {kind: {} for kind in types}
    for path in sorted(Path(corpus).rglob("*")):
        if path.suffix not in (".yaml", ".yml", ".json", ".template"):
            continue
        try:
            root = load_file(path).root
        except LoadError:
            continue
        resources = root.get("Resources")
        for resource in resources.values() if isinstance(resources, dict) else ():
            if isinstance(resource, dict) and isinstance(resource.get("Type"), str) and resource["Type"] in shapes:
                merge(shapes[resource["Type"]], resource.get("Properties") or {}, 0)
    vocabulary = {kind: shape.get("map", {}) for kind, shape in sorted(shapes.items())}
    OUTPUT.write_text(json.dumps(vocabulary, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n")
    print(f"{OUTPUT}: {len(vocabulary)} types, {sum(1 for v in vocabulary.values() if v)} seen in the corpus")


if __name__ == "__main__":
    main(*sys.argv[1:3])
