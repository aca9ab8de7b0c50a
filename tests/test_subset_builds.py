"""A partner subset is the same document: `build --partner X`, the single-document commands for X
and the full build write byte-identical documents for X, of every type.

A build of one partner once computed only that partner's facts, so its QBR compared it with "the 0
other partners of its peer group" under the same document id as the full build's copy, which
compares it with three. Every partner's facts are now computed whichever are rendered.

The full build is the session's example build (conftest.example_build); the others run in-process
on the same inputs. CRN is the example partner with every document type: both QBR copies, both
copies of a plan with its calendar, and an offboarding assessment.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CONFIG, DATA, EXAMPLES, INPUTS, QUARTER, ExampleBuild

from govdocs.cli import cli

PROGRAMME = ["--config", str(CONFIG), "--data", str(DATA), "--quarter", str(QUARTER), "--as-of", "2026-10-15"]
CRN_DOCUMENTS = (
    "qbr-CRN-partner.pdf",
    "qbr-CRN-internal.pdf",
    "pip-CRN-partner.pdf",
    "pip-CRN-internal.pdf",
    "pip-CRN.ics",
    "offboarding-CRN-internal.pdf",
)


def _run(*args: str) -> None:
    result = CliRunner().invoke(cli, [*args, *PROGRAMME, "--jobs", "0"], catch_exceptions=False)
    assert result.exit_code == 0, result.output


def _folder(out: Path) -> Path:
    return out / str(QUARTER)


@pytest.fixture(scope="module")
def full(example_build: ExampleBuild) -> Path:
    assert example_build.exit_code == 0, example_build.output
    return _folder(example_build.out)


def test_a_build_of_one_partner_writes_the_full_builds_documents(full: Path, tmp_path: Path):
    out = tmp_path / "one"
    folders = ["--inputs", str(INPUTS), "--actions", str(EXAMPLES / "actions")]
    _run("build", "--partner", "CRN", "--out", str(out), *folders, "--assessments", str(EXAMPLES / "assessments"))
    written = sorted(p.name for p in _folder(out).iterdir() if "CRN" in p.name)
    assert written == sorted(CRN_DOCUMENTS)
    different = [n for n in CRN_DOCUMENTS if (_folder(out) / n).read_bytes() != (full / n).read_bytes()]
    assert different == []


def test_each_document_command_writes_the_full_builds_document(full: Path, tmp_path: Path):
    out = tmp_path / "single"
    for audience in ("partner", "internal"):
        _run("qbr", "--partner", "CRN", "--audience", audience, "--inputs", str(INPUTS), "--out", str(out))
        _run("qbr", "--partner", "BRV", "--audience", audience, "--inputs", str(INPUTS), "--out", str(out))
    actions = ["--inputs", str(INPUTS), "--actions", str(EXAMPLES / "actions")]
    _run("pip", "--partner", "CRN", "--audience", "partner", *actions, "--out", str(out))
    _run("offboarding", "--partner", "CRN", "--assessments", str(EXAMPLES / "assessments"), "--out", str(out))
    names = [*CRN_DOCUMENTS[:3], CRN_DOCUMENTS[5], "qbr-BRV-partner.pdf", "qbr-BRV-internal.pdf"]
    different = [n for n in names if (_folder(out) / n).read_bytes() != (full / n).read_bytes()]
    assert different == []
