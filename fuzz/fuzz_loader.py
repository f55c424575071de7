"""Coverage-guided fuzzing of the loader, the template model, the resolver and the graph (atheris).

atheris is optional (``pip install atheris``, or ``pip install -e '.[fuzz]'``); without it the
same target replays files, which is how a crash the fuzzer saved is reproduced:

    mkdir -p /tmp/fuzz-corpus
    .venv/bin/python fuzz/fuzz_loader.py -max_total_time=600 -timeout=5 /tmp/fuzz-corpus ../shared/corpus
    .venv/bin/python fuzz/fuzz_loader.py --replay crash-1234abcd

Anything but a ``LoadError`` escaping ``one_input`` is a bug: the engine must refuse bad input
with a message, never with an exception.
"""

from __future__ import annotations

import sys
from pathlib import Path

from cfncheck.graph import build_graph
from cfncheck.intrinsics import Resolver
from cfncheck.loader import LoadError, load_bytes
from cfncheck.template import build
from cfncheck.values import Scenario


def one_input(data: bytes) -> None:
    """Load ``data`` (as JSON when it ends up parsed that way, else YAML), model it, resolve every value."""
    name = "fuzz.json" if data[:1] == b"{" else "fuzz.yaml"
    try:
        template = build(load_bytes(data, name))
    except LoadError:
        return
    resolver = Resolver(template, region="us-east-1")
    for resource in template.resources.values():
        resolver.get(resource.node, ("Properties",), resource.exists_in)
    for output in template.outputs.values():
        resolver.resolve(output.value)
    for name in template.conditions:
        resolver.satisfiable(Scenario({(name, True)}))
    build_graph(template)


def replay(paths: list[str]) -> None:
    for path in paths:
        files = sorted(p for p in Path(path).rglob("*") if p.is_file()) if Path(path).is_dir() else [Path(path)]
        for file in files:
            one_input(file.read_bytes())
    print(f"replayed {len(paths)} path(s) without a crash")


def main() -> None:
    if sys.argv[1:2] == ["--replay"]:
        replay(sys.argv[2:])
        return
    import atheris  # optional: only the fuzzing campaign needs it

    atheris.instrument_all()
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
