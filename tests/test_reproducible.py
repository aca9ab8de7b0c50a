"""Reproducibility: the same inputs give byte-identical artefacts, whatever the process environment.

Two `python -m govdocs build` runs of the example programme, side by side in separate processes,
differ in everything that should not matter: hash seed, time zone, locale, a stray
SOURCE_DATE_EPOCH, the number of render workers, the working directory, where the inputs are read
from and where the output goes. Every file they write -- each QBR (both audiences), plan (both
audiences) and its .ics, the offboarding assessment, the portfolio summary and manifest.json --
must be the same bytes. Nothing is ignored: the manifest stores paths relative to --out and input
files by name, so the differing folders are no excuse.

A check-in moved off a public holiday names the holiday: in English, never in the language the
`holidays` library would take from the environment (a plan once said 'Eerste kerstdag' under LC_ALL=C).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLES, ExampleBuild, build_command, environment


def _locale_other_than_c() -> str:
    """A locale with a decimal comma and another date format when the machine has one, else C."""
    for name in ("de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8"):
        probe = [sys.executable, "-c", "import locale; locale.setlocale(locale.LC_ALL, '')"]
        if subprocess.run(probe, env={**os.environ, "LC_ALL": name}, capture_output=True).returncode == 0:
            return name
    return "C"


def _files(folder: Path) -> dict[str, bytes]:
    # the documents and the manifest; not the build journal, which records where this run wrote
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != ".govdocs-build.json"
    }


@pytest.fixture(scope="module")
def two_builds(
    tmp_path_factory: pytest.TempPathFactory, example_build: ExampleBuild
) -> tuple[dict[str, bytes], dict[str, bytes]]:
    # Run A: the suite's example build -- the examples in place, from the repository root,
    # relative paths, two render workers, UTC and the C locale.
    assert example_build.exit_code == 0, example_build.output
    # Run B: a copy of the examples elsewhere, another working directory, output folder and
    # worker count, and a user's stray SOURCE_DATE_EPOCH.
    tmp_path = tmp_path_factory.mktemp("reproducible")
    copy = tmp_path / "elsewhere" / "programme"
    shutil.copytree(EXAMPLES, copy, ignore=shutil.ignore_patterns("__pycache__"))
    other_locale = _locale_other_than_c()
    second_env = environment(
        PYTHONHASHSEED="2718281", TZ="Pacific/Auckland", LC_ALL=other_locale, LANG=other_locale, SOURCE_DATE_EPOCH="1"
    )
    second_out = tmp_path / "b" / "documents"
    second_out.parent.mkdir()
    run = subprocess.run(
        build_command(copy, second_out, jobs=1), cwd=tmp_path / "b", env=second_env, capture_output=True, timeout=900
    )
    assert run.returncode == 0, (run.stdout + run.stderr).decode()
    first, second = _files(example_build.out), _files(second_out)
    assert sorted(first) == sorted(second)
    return first, second


def _is_plan(name: str) -> bool:
    """A plan's PDF, or the manifest that records its hash (the calendars are not affected)."""
    base = name.rsplit("/", 1)[-1]
    return (base.startswith("pip-") and base.endswith(".pdf")) or base == "manifest.json"


def test_the_builds_cover_every_document_type(two_builds):
    first, _ = two_builds
    names = [name.rsplit("/", 1)[-1] for name in first]
    for kind in ("qbr-BRV-partner", "qbr-BRV-internal", "pip-CRN-partner", "pip-CRN-internal", "pip-CRN.ics"):
        assert any(n.startswith(kind) for n in names), kind
    assert "offboarding-CRN-internal.pdf" in names and "portfolio-summary-internal.pdf" in names
    # ECH's plan has had its final review: no calendar again (issue 35)
    assert "manifest.json" in names and "pip-ECH.ics" not in names
    assert len(first) == 16 + 1 + 1  # documents, CRN's calendar, manifest


def test_every_qbr_assessment_summary_and_calendar_is_byte_identical(two_builds):
    first, second = two_builds
    compared = [name for name in first if not _is_plan(name)]
    assert len(compared) == 10 + 1 + 1 + 1  # QBRs, offboarding, summary, CRN's calendar
    assert [name for name in compared if first[name] != second[name]] == []


def test_every_plan_and_the_manifest_are_byte_identical(two_builds):
    first, second = two_builds
    compared = [name for name in first if _is_plan(name)]
    assert len(compared) == 4 + 1  # plans (both audiences), manifest
    assert [name for name in compared if first[name] != second[name]] == []
