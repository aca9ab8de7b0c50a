"""`govdocs build`: the documents the ladder calls for, the summary, the manifest, partial failure."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from click.testing import CliRunner
from conftest import CONFIG, DATA, EXAMPLES, INPUTS, ExampleBuild, pdf_text

from govdocs.cli import cli

BUILD = [
    "build",
    "--config",
    str(CONFIG),
    "--data",
    str(DATA),
    "--actions",
    str(EXAMPLES / "actions"),
    "--assessments",
    str(EXAMPLES / "assessments"),
    "--quarter",
    "2026-Q3",
    "--as-of",
    "2026-10-15",
    "--jobs",
    "2",
]


def build(out: Path, *extra: str, inputs: Path = INPUTS):
    return CliRunner().invoke(cli, [*BUILD, "--inputs", str(inputs), "--out", str(out), *extra], catch_exceptions=False)


def test_build_writes_what_the_ladder_calls_for(example_build: ExampleBuild):
    out, result = example_build.out, example_build
    assert result.exit_code == 0, result.output
    folder = out / "2026-Q3"
    names = sorted(p.name for p in folder.iterdir() if p.name != ".govdocs-build.json")  # the journal stays
    qbrs = [f"qbr-{p}-{a}.pdf" for p in ("ATL", "BRV", "CRN", "DLT", "ECH") for a in ("internal", "partner")]
    # CRN (offboarding review) by its status; ECH by its open Q2 plan. BRV is on watch: its August is
    # relieved and its score's trigger provisional (issue 32), so no plan.
    plans = [f"pip-{p}-{a}.pdf" for p in ("CRN", "ECH") for a in ("internal", "partner")]
    # ECH's plan has had its final review (met): it publishes no calendar again (issue 35)
    calendars = ["pip-CRN.ics"]
    expected = (
        qbrs + plans + calendars + ["offboarding-CRN-internal.pdf", "portfolio-summary-internal.pdf", "manifest.json"]
    )
    assert names == sorted(expected)
    assert [p.name for p in folder.glob(".*")] == [".govdocs-build.json"]  # no temp files left behind
    assert "written: 16 documents" in result.output
    assert "skipped: 3 plans, not called for (ATL, BRV, DLT)" in result.output
    assert result.stdout.strip().endswith("build complete")


def test_manifest_hashes_match_the_files_and_inputs(example_build: ExampleBuild):
    out = example_build.out
    manifest = json.loads((out / "2026-Q3" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["quarter"] == "2026-Q3" and manifest["as_of"] == "2026-10-15"
    assert manifest["config"]["sha256"] == hashlib.sha256(CONFIG.read_bytes()).hexdigest()
    assert manifest["failed"] == []
    assert len(manifest["documents"]) == 16
    for entry in manifest["documents"]:
        path = out / entry["path"]
        assert entry["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest(), entry["path"]
        for attachment in entry["attachments"]:
            assert attachment["sha256"] == hashlib.sha256((out / attachment["path"]).read_bytes()).hexdigest()
    by_path = {e["path"]: e for e in manifest["documents"]}
    crn_plan = by_path["2026-Q3/pip-CRN-partner.pdf"]
    assert crn_plan["escalation_status"] == "Offboarding review"
    assert crn_plan["attachments"][0]["path"] == "2026-Q3/pip-CRN.ics"
    inputs = {i["role"]: i["sha256"] for i in crn_plan["inputs"]}
    assert inputs["Partner inputs"] == hashlib.sha256((INPUTS / "CRN.yaml").read_bytes()).hexdigest()
    ech_plan = by_path["2026-Q3/pip-ECH-partner.pdf"]
    inputs = {i["role"]: i["sha256"] for i in ech_plan["inputs"]}
    assert inputs["Proposed actions"] == hashlib.sha256((EXAMPLES / "actions" / "ECH.yaml").read_bytes()).hexdigest()
    assert ech_plan["cause"] == "open plan from Q2 2026, started 2026-07-06"
    assert by_path["2026-Q3/offboarding-CRN-internal.pdf"]["escalation_status"] == "Offboarding review"
    # A document id in the manifest is the one printed in the document.
    assert crn_plan["document_id"] in pdf_text(out / crn_plan["path"])


def test_portfolio_summary_ranks_by_risk_and_lists_notice_deadlines(example_build: ExampleBuild):
    out = example_build.out
    text = " ".join(pdf_text(out / "2026-Q3" / "portfolio-summary-internal.pdf").split())
    order = [text.index(name) for name in ("Cornerstone BPO", "Bravo CX Partners", "Echo Offshore", "Delta Digital")]
    assert order == sorted(order)
    assert "Q2 2026 plan met (the plan's interim 467 s for Average handle time; the 420 s contract target is " in text
    assert "still missed) at the final review, 5 Oct 2026" in text
    assert "New plan: starts 16 Oct 2026" in text
    notices = text[text.index("Notice deadlines in the next 180 days") : text.index("Service credits")]
    # DLT's contract ends 31 Dec 2026 with 62 days' notice: 30 Oct 2026, 15 days after the as-of date.
    assert "30 Oct 2026" in notices and "15" in notices
    assert "Atlas Contact Solutions" not in notices  # its deadline is 260 days away


def test_one_broken_partner_fails_alone(tmp_path: Path):
    """Bookkeeping, not layout: built as HTML (the PDF step is the same for every document)."""
    inputs = tmp_path / "inputs"
    shutil.copytree(INPUTS, inputs)
    (inputs / "CRN.yaml").write_text("partner: CRN\ncommentary: [unclosed\n", encoding="utf-8")
    out = tmp_path / "out"
    result = build(out, "--audience", "partner", "--format", "html", inputs=inputs)
    assert result.exit_code == 5, result.output
    folder = out / "2026-Q3"
    assert not list(folder.glob("*CRN*"))
    for partner in ("ATL", "BRV", "DLT", "ECH"):
        assert (folder / f"qbr-{partner}-partner.html").exists()
    assert (folder / "portfolio-summary-internal.html").exists()
    failures = [line for line in result.output.splitlines() if line.startswith("failed:")]
    assert len(failures) == 3  # CRN's QBR, plan and (internal, whatever the audience) offboarding assessment
    assert all(f"{inputs / 'CRN.yaml'}:" in line for line in failures)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert {(f["partner"], f["type"], f["exit_code"]) for f in manifest["failed"]} == {
        ("CRN", "qbr", 5),
        ("CRN", "pip", 5),
        ("CRN", "offboarding", 5),
    }
    assert "CRN" not in {d["partner"] for d in manifest["documents"]}
    assert "build incomplete: 3 failed (exit 5)" in result.output
    before = {p.name: p.stat().st_mtime_ns for p in folder.glob("*.html")}

    # Fixed, the same command finishes the job: CRN's documents are built, the rest kept as they are.
    shutil.copy(INPUTS / "CRN.yaml", inputs / "CRN.yaml")
    result = build(out, "--audience", "partner", "--format", "html", inputs=inputs)
    assert result.exit_code == 0, result.output
    assert f"kept: {len(before)} of them" in result.output
    assert {p.name: p.stat().st_mtime_ns for p in folder.glob("*.html") if p.name in before} == before
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["failed"] == [] and {"qbr", "pip"} <= {
        d["type"] for d in manifest["documents"] if d["partner"] == "CRN"
    }


def test_fail_fast_stops_after_the_first_failure(tmp_path: Path):
    inputs = tmp_path / "inputs"
    shutil.copytree(INPUTS, inputs)
    (inputs / "BRV.yaml").write_text("partner: ATL\n", encoding="utf-8")  # named for the wrong partner
    out = tmp_path / "out"
    result = build(out, "--audience", "partner", "--fail-fast", "--jobs", "1", inputs=inputs)
    assert result.exit_code == 5
    folder = out / "2026-Q3"
    assert (folder / "qbr-ATL-partner.pdf").exists()  # before the failure: complete
    assert not list(folder.glob("*CRN*")) and not list(folder.glob("*ECH*"))  # after it: not started
    assert "failed: BRV QBR (partner)" in result.output


def test_existing_documents_stop_the_build_before_any_work(tmp_path: Path):
    out = tmp_path / "out"
    existing = out / "2026-Q3" / "qbr-CRN-partner.pdf"
    existing.parent.mkdir(parents=True)
    existing.write_bytes(b"keep me")
    result = build(out, "--audience", "partner", "--partner", "CRN", "--partner", "ATL")
    assert result.exit_code == 6
    assert f"error: {existing}: document exists; pass --force to replace it" in result.output
    assert existing.read_bytes() == b"keep me"
    assert sorted(p.name for p in existing.parent.iterdir()) == ["qbr-CRN-partner.pdf"]
