"""Install a hashed lock into the running venv, resolving nothing, and prove the venv holds exactly it.

    python scripts/locked_install.py requirements.lock [--extras test]
    python scripts/locked_install.py requirements.lock --check [--extras test]

Why not one `pip install --require-hashes -r LOCK`: the pip that `python3 -m venv` bundles (23.2 with
Python 3.11) resolves the dependencies of what it installs again, and a dependency asked for with an
extra (WeasyPrint's `fonttools[woff]>=4.59.2`) is looked up afresh on the index: the newest release has
no hash in the lock, and the install fails on every fresh machine as soon as a newer release is out.
So the install is three steps, each of which can only take what the lock names:

1. pip and setuptools, at the lock's versions and hashes, installed by the bundled pip (`--no-deps`);
2. the whole lock by that pip, `--no-deps --require-hashes --no-build-isolation`: no resolver, no
   build environment (a package published only as source is built with the lock's setuptools),
   nothing the lock does not name;
3. a check, in a new process, that the venv holds exactly the lock's packages for this interpreter and
   that every requirement of theirs (extras included) and of pyproject.toml is met by them. A package the
   lock lacks is an error here, not a download.

Standard library only (the check uses the `packaging` that pip vendors), so it runs in a bare venv.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

PIP_FLAGS = ["--disable-pip-version-check", "--no-input", "--quiet"]
# --no-build-isolation: a package the registry has only as source (pyspark) is built with the
# lock's setuptools, already in the venv, never with build tools fetched for the occasion.
INSTALL_FLAGS = ["--no-deps", "--require-hashes", "--no-build-isolation"]
BOOTSTRAP = ("pip", "setuptools")


@dataclass(frozen=True)
class Pin:
    """One entry of the lock: `name==version ; marker` and its hashes."""

    name: str
    version: str
    marker: str
    text: str  # the entry as written, hashes included, one line

    @property
    def key(self) -> str:
        return canonical(self.name)


def canonical(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def read_lock(path: Path) -> list[Pin]:
    """The lock's entries; anything but an exact `==` pin with hashes is refused."""
    logical: list[str] = []
    pending = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split(" #", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        if not line:
            continue
        if line.endswith("\\"):
            pending += line[:-1].strip() + " "
            continue
        logical.append(pending + line)
        pending = ""
    if pending:
        logical.append(pending.strip())
    pins = []
    for entry in logical:
        requirement = entry.split(" --hash", 1)[0].strip()
        spec, _, marker = requirement.partition(";")
        name, sep, version = spec.strip().partition("==")
        if not sep or "--hash=" not in entry or not version.strip() or any(c in name for c in "[<>=!~ "):
            raise SystemExit(f"{path}: not an exact pin with hashes: {entry[:120]}")
        pins.append(Pin(name.strip(), version.strip(), marker.strip(), entry))
    return pins


def pip(*args: str) -> None:
    run = subprocess.run([sys.executable, "-m", "pip", *PIP_FLAGS, *args])
    if run.returncode:
        raise SystemExit(f"locked install failed: pip {' '.join(args)} exited {run.returncode}")


def install(lock: Path, extras: list[str], project: Path) -> None:
    pins = read_lock(lock)
    tools = [p for p in pins if p.key in BOOTSTRAP]
    if sorted(p.key for p in tools) != sorted(BOOTSTRAP):
        raise SystemExit(f"{lock}: the lock must pin {' and '.join(BOOTSTRAP)} once each (the venv's own come first)")
    with tempfile.TemporaryDirectory() as folder:
        bootstrap = Path(folder, "bootstrap.lock")
        bootstrap.write_text("".join(p.text + "\n" for p in tools), encoding="utf-8")
        pip("install", "--no-deps", "--require-hashes", "--only-binary", ":all:", "-r", str(bootstrap))
    pip("install", *INSTALL_FLAGS, "-r", str(lock))
    # A new process: the check imports the packaging of the pip just installed, not the old one's.
    check = [sys.executable, __file__, str(lock), "--check", f"--project={project}", *(f"--extras={e}" for e in extras)]
    raise SystemExit(subprocess.run(check).returncode)


def check(lock: Path, extras: list[str], project: Path) -> list[str]:
    """Every way the running environment differs from the lock, one line each (empty: it is exact)."""
    from importlib import metadata

    from pip._vendor.packaging.markers import Marker
    from pip._vendor.packaging.requirements import Requirement

    wanted = {p.key: p for p in read_lock(lock) if not p.marker or Marker(p.marker).evaluate()}
    meta = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    own = canonical(meta["name"])
    installed = {}
    for dist in metadata.distributions():
        key = canonical(dist.metadata["Name"])
        if key != own:
            installed.setdefault(key, dist)
    problems = []
    for key in sorted(wanted.keys() - installed.keys()):
        problems.append(f"{wanted[key].name}=={wanted[key].version} is in the lock but not installed")
    for key in sorted(installed.keys() - wanted.keys()):
        problems.append(f"{key} {installed[key].version} is installed but not in the lock")
    for key in sorted(wanted.keys() & installed.keys()):
        if installed[key].version != wanted[key].version:
            problems.append(f"{key} {installed[key].version} is installed, the lock pins {wanted[key].version}")

    def requirement_problem(owner: str, requirement: Requirement) -> str | None:
        dist = installed.get(canonical(requirement.name))
        if dist is None:
            return f"{owner} requires {requirement}, which the lock does not hold"
        if not requirement.specifier.contains(dist.version, prereleases=True):
            return f"{owner} requires {requirement}, the lock holds {requirement.name} {dist.version}"
        return None

    def applies(requirement: Requirement, extra: str) -> bool:
        # Under an extra, only the requirements that extra adds; the base ones are checked once.
        if requirement.marker is None:
            return not extra
        return requirement.marker.evaluate({"extra": extra}) and (not extra or "extra" in str(requirement.marker))

    # The project's own requirements (with the extras this venv is for), then every installed
    # distribution's, following extras where they are asked for: `fonttools[woff]` needs brotli.
    checks: list[tuple[str, Requirement]] = []
    asked, done_extras = set(extras), set()
    while asked - done_extras:
        extra = (asked - done_extras).pop()
        done_extras.add(extra)
        for text in meta.get("optional-dependencies", {}).get(extra, []):
            requirement = Requirement(text)
            if canonical(requirement.name) == own:
                asked |= set(requirement.extras)
            elif applies(requirement, ""):
                checks.append((f"{meta['name']}[{extra}]", requirement))
    checks += [(meta["name"], r) for r in map(Requirement, meta.get("dependencies", [])) if applies(r, "")]
    expanded: set[tuple[str, str]] = set()

    def expand(key: str, extra: str) -> None:
        if (key, extra) in expanded:
            return
        expanded.add((key, extra))
        dist = installed[key]
        owner = dist.metadata["Name"] + (f"[{extra}]" if extra else "")
        checks.extend((owner, r) for r in map(Requirement, dist.requires or []) if applies(r, extra))

    for key in sorted(wanted.keys() & installed.keys()):
        expand(key, "")
    while checks:
        owner, requirement = checks.pop()
        problem = requirement_problem(owner, requirement)
        if problem:
            problems.append(problem)
        else:
            for extra in sorted(requirement.extras):
                expand(canonical(requirement.name), extra)
    return sorted(set(problems))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lock", type=Path)
    parser.add_argument("--check", action="store_true", help="only check the running environment")
    parser.add_argument("--extras", action="append", default=[], help="the project's extras this venv is for")
    parser.add_argument("--project", type=Path, default=Path(__file__).resolve().parents[1])
    args = parser.parse_args()
    if sys.prefix == sys.base_prefix and not os.environ.get("GOVDOCS_LOCK_ANY_PYTHON"):
        raise SystemExit("locked_install.py installs into a venv: run it with the venv's python")
    if not args.check:
        install(args.lock, args.extras, args.project)
    problems = check(args.lock, args.extras, args.project)
    for line in problems:
        print(f"{args.lock}: {line}", file=sys.stderr)
    if problems:
        raise SystemExit(
            f"the venv does not hold exactly {args.lock} ({len(problems)} problem{'s' * (len(problems) > 1)} above)"
        )
    print(f"{args.lock}: the venv holds exactly the lock")


if __name__ == "__main__":
    main()
