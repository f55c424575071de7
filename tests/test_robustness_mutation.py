"""Mutation tests: real templates, carelessly edited, never crash cfncheck.

Seeds are the shared corpus (``CFNCHECK_CORPUS``, default ../shared/corpus beside the repository) and the
repository's samples. Structural edits (delete a key, change a value's type, replace a value
by an intrinsic) are written back as YAML and JSON, which must give the same findings;
textual edits (duplicate or delete a line, cut a line, truncate the file) must give findings
inside the file or a load error with a line inside the file.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from hypothesis import assume, given
from hypothesis import strategies as st
from strategies import (
    SEEDS,
    assert_sound,
    identity,
    plain,
    run_text,
    structural_mutants,
    textual_mutants,
    to_json,
    to_yaml,
)

from cfncheck.loader import LoadError, load_bytes

_spec = importlib.util.spec_from_file_location("fuzz_loader", Path(__file__).parent.parent / "fuzz" / "fuzz_loader.py")
fuzz_loader = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fuzz_loader)


def test_there_are_seeds():
    assert len(SEEDS) > 20, SEEDS


@given(st.sampled_from(SEEDS), st.data())
def test_structural_edits_of_real_templates(seed, data):
    try:
        document = load_bytes(Path(seed).read_bytes(), seed)
    except LoadError:
        assume(False)
    mutant = data.draw(structural_mutants(plain(document.root)), label="mutant")
    yaml_text, json_text = to_yaml(mutant), to_json(mutant)
    from_yaml, from_json = run_text(yaml_text, "t.yaml"), run_text(json_text, "t.json")
    assert_sound(from_yaml, yaml_text)
    assert_sound(from_json, json_text)
    assert [e.message for e in from_yaml.errors] == [e.message for e in from_json.errors]
    assert identity(from_yaml) == identity(from_json), yaml_text


@given(st.sampled_from(SEEDS), st.data())
def test_textual_edits_of_real_templates(seed, data):
    text = Path(seed).read_text(encoding="utf-8")
    mutant = data.draw(textual_mutants(text), label="mutant")
    name = "t.json" if seed.endswith(".json") else "t.yaml"
    first = run_text(mutant, name)
    assert_sound(first, mutant)
    assert [f.as_dict() for f in first.findings] == [f.as_dict() for f in run_text(mutant, name).findings]
    fuzz_loader.one_input(mutant.encode("utf-8"))  # the fuzz target stays runnable without atheris
