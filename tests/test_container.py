"""The Dockerfile, read for the rules the image must keep (no engine builds it in this suite): a
small Python base at a pinned version cfncheck supports, only the wheel of this checkout installed,
a user that is not root, ``cfncheck`` as the entrypoint in exec form, every file it copies present
and not excluded from the build context, and the documented runs mounting the templates read-only."""

from __future__ import annotations

import fnmatch
import re
import shlex
import tomllib

from ci_support import ROOT

DOCKERFILE = ROOT / "Dockerfile"


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text(encoding="utf-8"))
    found = []
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            instruction, _, arguments = line.strip().partition(" ")
            found.append((instruction.upper(), arguments.strip()))
    return found


def _stages() -> list[list[tuple[str, str]]]:
    stages: list[list[tuple[str, str]]] = []
    for instruction, arguments in _instructions():
        if instruction == "FROM":
            stages.append([])
        if stages:
            stages[-1].append((instruction, arguments))
    return stages


def _base_images() -> list[str]:
    arguments = dict(
        argument.split("=", 1) for instruction, argument in _instructions() if instruction == "ARG" and "=" in argument
    )
    images = []
    for instruction, argument in _instructions():
        if instruction == "FROM":
            image = argument.split()[0]
            images.append(re.sub(r"\$\{(\w+)\}", lambda m: arguments[m[1]], image))
    return images


def test_the_base_is_a_small_python_image_at_a_pinned_supported_version():
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["requires-python"]
    floor = tuple(int(part) for part in requires.removeprefix(">=").split("."))
    for image in _base_images():
        name, _, tag = image.partition(":")
        assert name == "python" and "slim" in tag, image  # Debian slim: glibc wheels, ~50 MB
        version = tuple(int(part) for part in re.match(r"(\d+)\.(\d+)", tag).groups())
        assert version >= floor, f"{image} is older than requires-python {requires}"


def test_the_image_runs_cfncheck_as_a_user_that_is_not_root():
    final = _stages()[-1]
    users = [arguments for instruction, arguments in final if instruction == "USER"]
    assert users, "the final stage must name its USER"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0")
    assert any(f"--uid {user}" in arguments for instruction, arguments in final if instruction == "RUN")
    [entrypoint] = [arguments for instruction, arguments in final if instruction == "ENTRYPOINT"]
    assert entrypoint == '["cfncheck"]'  # exec form: signals reach cfncheck, arguments are passed as given


def test_only_the_built_wheel_goes_into_the_image():
    build, final = _stages()
    copies = [arguments for instruction, arguments in final if instruction in ("COPY", "ADD")]
    assert copies == ["--from=build /wheels /wheels"]
    assert not [arguments for instruction, arguments in build if instruction == "ADD"]  # no URL fetched


def _ignored() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def test_what_the_build_copies_exists_and_is_in_the_build_context():
    patterns = _ignored()
    for instruction, arguments in _stages()[0]:
        if instruction == "COPY":
            *sources, _ = shlex.split(arguments)
            for source in sources:
                assert (ROOT / source).exists(), f"COPY {source}: no such file in the repository"
                assert not any(fnmatch.fnmatch(source, pattern) for pattern in patterns), f"{source} is ignored"


def test_the_context_leaves_out_what_the_image_does_not_need():
    patterns = _ignored()
    for unneeded in (".git", ".venv", "tests", "samples", "benchmarks"):
        assert any(fnmatch.fnmatch(unneeded, pattern) for pattern in patterns), unneeded


def test_documented_runs_mount_the_templates_read_only():
    documents = [DOCKERFILE, ROOT / "README.md"]
    runs = [line for document in documents for line in document.read_text(encoding="utf-8").splitlines()]
    runs = [line for line in runs if "docker run" in line]
    assert runs
    for line in runs:
        mounts = re.findall(r"-v \"?([^\s\"]+)\"?", line)
        assert mounts and all(mount.endswith(":/templates:ro") for mount in mounts if "/templates" in mount), line
