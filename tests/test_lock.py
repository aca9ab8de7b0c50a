"""The locked install: a venv made by `python3 -m venv` with its bundled pip installs exactly a lock.

The failure this guards against (issue 31): the bundled pip (23.2 with Python 3.11) resolves a
locked package's dependencies again, looks a dependency that is asked for with an extra
(`fonttools[woff]`) up afresh, takes the newest release, finds no hash for it in the lock and stops,
so `make demo` and `make test` broke on every fresh machine the day a newer release came out. The
tests below reproduce that offline, with wheels made here, and hold scripts/locked_install.py to an
install that takes only what the lock names.
"""

from __future__ import annotations

import base64
import ensurepip
import hashlib
import importlib.util
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT

INSTALLER = ROOT / "scripts" / "locked_install.py"
TEST_TOOLS = {"pytest", "pytest-xdist", "hypothesis", "pikepdf", "ruff", "pyspark", "py4j", "grpcio"}


def _installer_module():
    spec = importlib.util.spec_from_file_location("locked_install", INSTALLER)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_the_demo_lock_is_the_test_lock_less_the_test_tools() -> None:
    """`make demo` installs no test tool, and every file it installs is one the tests ran with."""
    read_lock = _installer_module().read_lock
    runtime = {p.key: p for p in read_lock(ROOT / "requirements.lock")}
    tested = {p.key: p for p in read_lock(ROOT / "requirements-test.lock")}
    assert tested.keys() >= TEST_TOOLS
    assert not TEST_TOOLS & runtime.keys()
    assert {"pip", "setuptools", "weasyprint", "duckdb", "pyhanko"} <= runtime.keys()
    differing = [k for k in runtime if tested.get(k) is None or tested[k].text != runtime[k].text]
    assert differing == [], "pinned differently in requirements.lock and requirements-test.lock"


@pytest.mark.skipif(
    Path(sys.prefix).resolve() != (ROOT / ".venv-test").resolve(), reason="checks the venv `make test` builds"
)
def test_the_test_venv_holds_exactly_the_test_lock() -> None:
    run = subprocess.run(
        [sys.executable, str(INSTALLER), "requirements-test.lock", "--check", "--extras", "test"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout == "requirements-test.lock: the venv holds exactly the lock\n"


# --- a fresh machine, offline: the bundled pip, a package that needs another with an extra ---------


def _wheel(folder: Path, name: str, version: str, metadata: list[str]) -> Path:
    """A minimal pure-Python wheel, as a build backend writes one."""
    info = f"{name}-{version}.dist-info"
    files = {
        f"{name}/__init__.py": f"VERSION = {version!r}\n",
        f"{info}/METADATA": "\n".join(["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}", *metadata])
        + "\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: govdocs-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = []
    for path, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(text.encode())}")
    files[f"{info}/RECORD"] = "\n".join([*record, f"{info}/RECORD,,"]) + "\n"
    wheel = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, text in files.items():
            archive.writestr(path, text)
    return wheel


def _pin(wheel: Path, name: str, version: str) -> str:
    return f"{name}=={version} \\\n    --hash=sha256:{hashlib.sha256(wheel.read_bytes()).hexdigest()}\n"


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A local index: alpha 1.0 needs beta[fast]; beta 1.0 (locked) and 2.0 (newer, not locked);
    beta's `fast` extra needs gamma. And the pip and setuptools wheels `python3 -m venv` installs."""
    folder = tmp_path_factory.mktemp("wheels")
    bundled = {}
    for wheel in (Path(ensurepip.__file__).parent / "_bundled").glob("*.whl"):
        (folder / wheel.name).write_bytes(wheel.read_bytes())
        name, version = wheel.name.split("-")[:2]
        bundled[name] = _pin(folder / wheel.name, name, version), version
    extra = ["Provides-Extra: fast", 'Requires-Dist: gamma>=1.0; extra == "fast"']
    pins = {
        "pip": bundled["pip"][0],
        "setuptools": bundled["setuptools"][0],
        "alpha": _pin(_wheel(folder, "alpha", "1.0", ["Requires-Dist: beta[fast]>=1.0"]), "alpha", "1.0"),
        "beta": _pin(_wheel(folder, "beta", "1.0", extra), "beta", "1.0"),
        "gamma": _pin(_wheel(folder, "gamma", "1.0", []), "gamma", "1.0"),
    }
    _wheel(folder, "beta", "2.0", extra)  # published after the lock was written
    project = tmp_path_factory.mktemp("project")
    (project / "pyproject.toml").write_text('[project]\nname = "demo"\ndependencies = ["alpha>=1.0"]\n')
    versions = {name: version for name, (_, version) in bundled.items()}
    return {"folder": folder, "pins": pins, "versions": versions, "project": project}


def _fresh_venv(where: Path) -> Path:
    """`python3 -m venv` as it comes: its pip is the one ensurepip bundles."""
    subprocess.run([sys.executable, "-m", "venv", str(where)], check=True, capture_output=True)
    return where / "bin" / "python"


def _offline(index: dict) -> dict[str, str]:
    # Only the local wheels: no index, and none of this machine's pip configuration.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    return {**env, "PIP_CONFIG_FILE": os.devnull, "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(index["folder"])}


def _lock(tmp_path: Path, index: dict, names: list[str]) -> Path:
    lock = tmp_path / "requirements.lock"
    lock.write_text("".join(index["pins"][n] for n in names), encoding="utf-8")
    return lock


def _installed(python: Path) -> dict[str, str]:
    listing = subprocess.run([str(python), "-m", "pip", "list", "--format", "json"], capture_output=True, text=True)
    return {p["name"]: p["version"] for p in json.loads(listing.stdout)}


def test_a_fresh_venv_installs_exactly_the_lock(tmp_path: Path, index: dict) -> None:
    python = _fresh_venv(tmp_path / "venv")
    lock = _lock(tmp_path, index, ["pip", "setuptools", "alpha", "beta", "gamma"])
    env = _offline(index)

    # The install as the Makefile did it before: the bundled pip re-resolves beta[fast], takes
    # beta 2.0, which the lock has no hash for, and stops. (A newer bundled pip may not.)
    before = subprocess.run(
        [str(python), "-m", "pip", "install", "--require-hashes", "-r", str(lock)],
        env=env,
        capture_output=True,
        text=True,
    )
    if index["versions"]["pip"].startswith("23."):
        assert before.returncode != 0
        assert "must have their versions pinned with ==" in before.stderr and "beta[fast]" in before.stderr

    after = subprocess.run(
        [str(python), str(INSTALLER), str(lock), "--project", str(index["project"])],
        env=env,
        capture_output=True,
        text=True,
    )
    assert after.returncode == 0, after.stderr
    assert after.stdout.endswith(f"{lock}: the venv holds exactly the lock\n")
    assert _installed(python) == {**index["versions"], "alpha": "1.0", "beta": "1.0", "gamma": "1.0"}


def test_a_package_the_lock_lacks_is_an_error_not_a_download(tmp_path: Path, index: dict) -> None:
    python = _fresh_venv(tmp_path / "venv")
    lock = _lock(tmp_path, index, ["pip", "setuptools", "alpha", "beta"])  # gamma, which beta[fast] needs, left out
    run = subprocess.run(
        [str(python), str(INSTALLER), str(lock), "--project", str(index["project"])],
        env=_offline(index),
        capture_output=True,
        text=True,
    )
    assert run.returncode == 1
    assert f'{lock}: beta[fast] requires gamma>=1.0; extra == "fast", which the lock does not hold\n' in run.stderr
    assert run.stderr.endswith(f"the venv does not hold exactly {lock} (1 problem above)\n")
    assert "gamma" not in _installed(python)


def test_a_lock_entry_without_an_exact_pin_is_refused(tmp_path: Path, index: dict) -> None:
    lock = tmp_path / "requirements.lock"
    lock.write_text(index["pins"]["pip"] + "alpha>=1.0 \\\n    --hash=sha256:" + "0" * 64 + "\n", encoding="utf-8")
    run = subprocess.run(
        [sys.executable, str(INSTALLER), str(lock), "--check"],
        env={**os.environ, "GOVDOCS_LOCK_ANY_PYTHON": "1"},
        capture_output=True,
        text=True,
    )
    assert run.returncode == 1
    assert run.stderr == f"{lock}: not an exact pin with hashes: alpha>=1.0 --hash=sha256:{'0' * 64}\n"
