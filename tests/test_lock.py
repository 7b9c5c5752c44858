"""The hashed lock files agree with pyproject.toml; after changing a dependency, `make lock`.

requirements.lock holds the runtime dependencies (and the build backend), the image
installs it; requirements-dev.lock holds those at the same versions plus the dev tools,
`make install` installs it. Each entry is pinned exactly and carries its files' hashes,
every dependency of a locked package is locked too, and nothing else is. A checker that
never complains proves nothing: every single-entry corruption of the locks is generated
and must be caught.
"""

import importlib.metadata
import re
import tomllib
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
RUNTIME_LOCK = (ROOT / "requirements.lock").read_text()
DEV_LOCK = (ROOT / "requirements-dev.lock").read_text()
FIX = "run `make lock` (and `make install`)"

_ENTRY = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^\s\\;]+)", re.M)
_HASH = re.compile(r"--hash=sha256:[0-9a-f]{64}")


def parse_lock(text: str) -> dict[str, tuple[str, int]]:
    """name -> (version, number of hashes) for each entry of a pip-compile lock."""
    entries = {}
    blocks = re.split(r"\n(?=[A-Za-z0-9])", "\n" + text)
    for block in blocks:
        match = _ENTRY.match(block.strip("\n"))
        if match:
            name = canonicalize_name(match["name"])
            entries[name] = (match["version"], len(_HASH.findall(block)))
    return entries


def declared(pyproject: dict) -> tuple[list[Requirement], list[Requirement], list[Requirement]]:
    project = pyproject["project"]
    runtime = [Requirement(line) for line in project["dependencies"]]
    dev = [Requirement(line) for line in project["optional-dependencies"]["dev"]]
    build = [Requirement(line) for line in pyproject["build-system"]["requires"]]
    return runtime, dev, build


def lock_problems(pyproject: dict, runtime_text: str, dev_text: str) -> list[str]:
    runtime_lock, dev_lock = parse_lock(runtime_text), parse_lock(dev_text)
    runtime, dev, build = declared(pyproject)
    problems = []
    for lock_name, lock, requirements in (
        ("requirements.lock", runtime_lock, runtime + build),
        ("requirements-dev.lock", dev_lock, runtime + dev + build),
    ):
        for requirement in requirements:
            locked = lock.get(canonicalize_name(requirement.name))
            if locked is None:
                problems.append(f"{requirement} is missing from {lock_name}")
            elif not requirement.specifier.contains(locked[0], prereleases=True):
                problems.append(f"{requirement} but {lock_name} has {locked[0]}")
        for name, (version, hashes) in lock.items():
            if hashes == 0:
                problems.append(f"{name}=={version} in {lock_name} has no hash")
        problems += closure_problems(lock_name, lock, requirements)
    for name, (version, _) in runtime_lock.items():
        if dev_lock.get(name, (None,))[0] != version:
            problems.append(f"{name}=={version} differs in requirements-dev.lock")
    return problems


def closure_problems(lock_name: str, lock: dict, requirements: list[Requirement]) -> list[str]:
    """Every dependency of a locked package is locked; nothing outside that closure is."""
    problems, needed, seen = [], set(), set()
    pending = [(canonicalize_name(r.name), frozenset(r.extras)) for r in requirements]
    while pending:
        name, extras = pending.pop()
        if (name, extras) in seen or name not in lock:
            continue
        seen.add((name, extras))
        needed.add(name)
        installed = _installed_version(name)
        if installed != lock[name][0]:
            problems.append(f"{name} {installed} is installed, {lock_name} has {lock[name][0]}")
            continue
        for line in importlib.metadata.distribution(name).requires or []:
            requirement = Requirement(line)
            wanted = requirement.marker is None or any(
                requirement.marker.evaluate({"extra": extra}) for extra in {"", *extras}
            )
            if not wanted:
                continue
            dependency = canonicalize_name(requirement.name)
            if dependency not in lock:
                problems.append(f"{name} needs {requirement}, missing from {lock_name}")
            elif not requirement.specifier.contains(lock[dependency][0], prereleases=True):
                problems.append(f"{name} needs {requirement}; {lock_name} has {lock[dependency]}")
            pending.append((dependency, frozenset(requirement.extras)))
    problems += [f"{name} in {lock_name} is needed by nothing" for name in set(lock) - needed]
    return problems


def _installed_version(name: str) -> str | None:
    # What `make install` put in the virtualenv (the dev lock): its metadata says what each
    # package needs.
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def test_the_locks_agree_with_pyproject():
    assert lock_problems(PYPROJECT, RUNTIME_LOCK, DEV_LOCK) == [], FIX


def test_graphql_core_and_graphql_relay_are_pinned_exactly():
    # nexus_graphql/execution.py leans on their internals.
    runtime, _, _ = declared(PYPROJECT)
    pins = {canonicalize_name(r.name): str(r.specifier) for r in runtime}
    assert pins["graphql-core"].startswith("==")
    assert pins["graphql-relay"].startswith("==")


def test_the_runtime_lock_has_no_dev_tool():
    assert not {"pytest", "ruff", "hypothesis", "selenium"} & set(parse_lock(RUNTIME_LOCK))


def test_installs_read_the_locks_with_hashes():
    makefile = (ROOT / "Makefile").read_text()
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    assert "--require-hashes -r requirements-dev.lock" in makefile
    assert "$(BIN)/.installed: requirements-dev.lock pyproject.toml" in makefile
    assert "--require-hashes -r requirements.lock" in dockerfile


# --- The checker catches every corruption -------------------------------------------------


def _entries(text: str) -> list[str]:
    return sorted(parse_lock(text))


def _corrupt(text: str, name: str, how: str) -> str:
    block = re.compile(
        rf"^{re.escape(name)}==[^\n]*(?:\n    [^\n]*)*\n", re.M | re.I
    )  # pip-compile writes each entry's continuation lines indented by four spaces
    match = next(
        m for m in block.finditer(text) if canonicalize_name(m.group().split("==")[0]) == name
    )
    entry = match.group()
    if how == "drop":
        changed = ""
    elif how == "bump":
        changed = re.sub(r"==([^\s\\]+)", r"==\g<1>.post999", entry, count=1)
    else:  # "unhash"
        changed = re.sub(r" \\\n    --hash=sha256:[0-9a-f]{64}", "", entry)
    return text[: match.start()] + changed + text[match.end() :]


@settings(max_examples=60, derandomize=True, database=None, deadline=None)
@given(data=st.data(), how=st.sampled_from(["drop", "bump", "unhash"]), dev=st.booleans())
def test_every_corruption_of_a_lock_is_caught(data, how, dev):
    text = DEV_LOCK if dev else RUNTIME_LOCK
    name = data.draw(st.sampled_from(_entries(text)), label="entry")
    corrupted = _corrupt(text, name, how)
    assert corrupted != text

    locks = (RUNTIME_LOCK, corrupted) if dev else (corrupted, DEV_LOCK)
    assert lock_problems(PYPROJECT, *locks)


@settings(max_examples=30, derandomize=True, database=None, deadline=None)
@given(data=st.data(), dev=st.booleans())
def test_every_change_of_a_pin_in_pyproject_is_caught(data, dev):
    project = PYPROJECT["project"]
    lines = project["optional-dependencies"]["dev"] if dev else project["dependencies"]
    index = data.draw(st.integers(0, len(lines) - 1), label="dependency")
    requirement = Requirement(lines[index])
    version = str(requirement.specifier).removeprefix("==")
    changed = [*lines]
    changed[index] = f"{requirement.name}=={version}.post999"
    pyproject = {
        **PYPROJECT,
        "project": {
            **project,
            **(
                {"optional-dependencies": {**project["optional-dependencies"], "dev": changed}}
                if dev
                else {"dependencies": changed}
            ),
        },
    }

    assert lock_problems(pyproject, RUNTIME_LOCK, DEV_LOCK)


def test_a_new_dependency_in_pyproject_is_caught():
    pyproject = {
        **PYPROJECT,
        "project": {
            **PYPROJECT["project"],
            "dependencies": [*PYPROJECT["project"]["dependencies"], "no-such-package==1.0"],
        },
    }

    assert "no-such-package==1.0 is missing from requirements.lock" in lock_problems(
        pyproject, RUNTIME_LOCK, DEV_LOCK
    )
