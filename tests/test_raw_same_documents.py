"""The example's raw exports rebuild the same documents as its KPI table: every QBR, plan and
offboarding assessment of `govdocs build --raw examples/raw/mapping.yaml --data
examples/raw/partner_reported.csv` says what the table-built one says, word for word and number
for number. Only the provenance differs (which files), the identifiers derived from the inputs'
hashes, the raw-only appendix of channel and programme breakdowns, where the gap is (the red and
amber KPIs split over the records' segments, with its rule in the appendix), and the QBR's QA
calibration and coaching panel (from the calibration and coaching records)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CONFIG, DATA, EXAMPLES

from govdocs.cli import cli

RAW = EXAMPLES / "raw"
COMMON = [
    "--config",
    str(CONFIG),
    "--inputs",
    str(EXAMPLES / "inputs"),
    "--actions",
    str(EXAMPLES / "actions"),
    "--assessments",
    str(EXAMPLES / "assessments"),
    "--quarter",
    "2026-Q3",
    "--as-of",
    "2026-10-15",
    "--format",
    "html",
]
PROVENANCE = re.compile(r"<table[^>]*>\s*<thead><tr><th>Input</th>.*?</table>", re.S)
BREAKDOWN = re.compile(r'<div class="keep-together">\s*<h2 class="section"[^>]*>Appendix · By channel.*?</div>', re.S)
GAPS = re.compile(
    r'<div class="gaps">.*?</div>|<ul class="rules"><li>Where the gap is: .*?</li></ul>'
    r'|<div class="qa-review(?:-appendix keep-together)?">.*?</div>'
    r'|<div class="aims">.*?</div>|<ul class="rules"><li>Actions aimed at where the gap is: .*?</li></ul>',
    re.S,
)
IDS = re.compile(r"\b([A-Z]+)-(\d{4}Q\d)-([A-Z]+)-([A-Z])-[0-9A-F]{6}\b")
HASHES = re.compile(r"\b(inputs(?: hash)?) [0-9a-f]{12}\b")


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def _text(path: Path) -> str:
    html = path.read_text(encoding="utf-8")
    html = GAPS.sub("", BREAKDOWN.sub("", PROVENANCE.sub("", html)))
    html = IDS.sub(r"\1-\2-\3-\4-ID", html)
    html = HASHES.sub(r"\1 HASH", html)
    text = re.sub(r"<style.*?</style>|<[^>]+>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("same")
    table, raw = root / "table", root / "raw"
    done = run("build", *COMMON, "--data", str(DATA), "--out", str(table))
    assert done.exit_code == 0, done.output
    done = run(
        "build",
        *COMMON,
        "--raw",
        str(RAW / "mapping.yaml"),
        "--data",
        str(RAW / "partner_reported.csv"),
        "--out",
        str(raw),
    )
    assert done.exit_code == 0, done.output
    return table / "2026-Q3", raw / "2026-Q3"


def test_the_raw_exports_rebuild_every_document_of_the_table(built) -> None:
    table, raw = built
    names = sorted(p.name for p in table.glob("*.html") if not p.name.startswith("portfolio"))
    assert names == sorted(p.name for p in raw.glob("*.html") if not p.name.startswith("portfolio"))
    assert len(names) == 15  # five QBRs in two copies, plans in two copies (CRN, ECH, as the ladder says), offboarding
    for name in names:
        assert _text(table / name) == _text(raw / name), name


def test_only_the_raw_built_qbr_has_the_breakdowns(built) -> None:
    table, raw = built
    assert "By channel and programme" not in (table / "qbr-BRV-partner.html").read_text(encoding="utf-8")
    text = (raw / "qbr-BRV-partner.html").read_text(encoding="utf-8")
    assert "Appendix · By channel and programme" in text
    assert re.search(r"<td>Programme</td><td>Billing</td>(<td class=\"num\">\d+ s \([\d,]+\)</td>){3}", text)


def test_only_the_raw_built_documents_say_where_the_gap_is(built) -> None:
    table, raw = built
    for name in ("qbr-BRV-partner.html", "qbr-CRN-internal.html", "pip-CRN-partner.html"):
        assert "Where the gap is" not in (table / name).read_text(encoding="utf-8")
        assert "Where the gap is" in (raw / name).read_text(encoding="utf-8")


def test_only_the_raw_built_qbrs_have_the_calibration_and_coaching_panel(built) -> None:
    table, raw = built
    for name in ("qbr-ATL-partner.html", "qbr-CRN-internal.html"):
        assert "QA calibration and coaching" not in (table / name).read_text(encoding="utf-8")
        assert "QA calibration and coaching" in (raw / name).read_text(encoding="utf-8")


def test_the_row_hash_is_the_same_either_way(built) -> None:
    # a partner can check the rows of either document against its own extract
    table, raw = built
    pattern = re.compile(r'<td class="hash">([0-9a-f]{12})</td><td>hash of exactly these rows')
    for name in ("qbr-BRV-partner.html", "qbr-CRN-internal.html"):
        assert pattern.findall((table / name).read_text(encoding="utf-8")) == pattern.findall(
            (raw / name).read_text(encoding="utf-8")
        )
