"""Accessible and archival PDFs, read with pikepdf as an assistive technology or an archive reads them.

Every document type of the example build is PDF/UA-1 tagged: marked, in English, its title shown,
one structure tree with one H1 first and no heading level skipped, tables with header cells,
every chart a Figure whose alternative text states the chart's numbers (those of the KPI file),
every form field described. A PDF/A-3u build carries the partner's scorecard as its associated
data file, byte for byte the CSV `govdocs export --table scorecard` writes.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner
from conftest import AS_OF, CONFIG, DATA, INPUTS, QUARTER

from govdocs.cli import cli
from govdocs.config.loader import load_config

PDFUA = "{http://www.aiim.org/pdfua/ns/id/}part"
PDFA_PART = "{http://www.aiim.org/pdfa/ns/id/}part"
PDFA_CONFORMANCE = "{http://www.aiim.org/pdfa/ns/id/}conformance"
DC_TITLE = "{http://purl.org/dc/elements/1.1/}title"
# Every document the example build writes.
DOCUMENTS = (
    *(f"qbr-{p}-{a}" for p in ("ATL", "BRV", "CRN", "DLT", "ECH") for a in ("partner", "internal")),
    *(f"pip-{p}-{a}" for p in ("CRN", "ECH") for a in ("partner", "internal")),  # BRV's is not called for
    "offboarding-CRN-internal",
    "portfolio-summary-internal",
)
MONTHS = ("2025-10", "2025-11", "2025-12", *(f"2026-{m:02d}" for m in range(1, 10)))


def elements(node: pikepdf.Object) -> Iterator[pikepdf.Dictionary]:
    """The structure elements under `node`, in reading (document) order."""
    kids = node.get("/K")
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield kid
            yield from elements(kid)


def text(value: object) -> str:
    return str(value) if value is not None else ""


@pytest.fixture(scope="module")
def documents(example_build) -> dict[str, pikepdf.Pdf]:
    assert example_build.exit_code == 0, example_build.output
    folder = example_build.out / str(QUARTER)
    opened = {name: pikepdf.open(folder / f"{name}.pdf") for name in DOCUMENTS}
    yield opened
    for pdf in opened.values():
        pdf.close()


@pytest.mark.parametrize("name", DOCUMENTS)
def test_every_document_is_tagged_for_pdf_ua(documents, name: str) -> None:
    pdf = documents[name]
    root = pdf.Root
    assert root.MarkInfo.Marked is True
    assert str(root.Lang) == "en"
    assert root.ViewerPreferences.DisplayDocTitle is True
    with pdf.open_metadata() as xmp:
        assert xmp.get(PDFUA) == "1"
        assert xmp.get(DC_TITLE) == str(pdf.docinfo.Title)
    names = {p.id: p.name for p in load_config(CONFIG).partners}
    assert names.get(name.split("-")[1], "Portfolio Summary") in str(pdf.docinfo.Title)

    tags = [str(e.S) for e in elements(root.StructTreeRoot)]
    assert tags[0] == "/Document"
    levels = [int(tag[2]) for tag in tags if re.fullmatch(r"/H[1-6]", tag)]
    assert levels[0] == 1 and levels.count(1) == 1, levels  # one title, first
    skipped = [(a, b) for a, b in zip(levels, levels[1:], strict=False) if b > a + 1]
    assert skipped == [], f"heading levels skipped: {skipped}"
    assert "/Table" in tags and "/TH" in tags
    for table in (e for e in elements(root.StructTreeRoot) if e.S == "/Table"):
        assert any(e.S == "/TH" for e in elements(table)), "a table without header cells"


@pytest.mark.parametrize("name", DOCUMENTS)
def test_every_chart_has_alternative_text_and_every_field_a_description(documents, name: str) -> None:
    pdf = documents[name]
    figures = [e for e in elements(pdf.Root.StructTreeRoot) if e.S == "/Figure"]
    for figure in figures:
        alt = text(figure.get("/Alt"))
        assert re.search(r"\d", alt), f"a chart whose alternative text states no number: {alt!r}"
    if name.startswith(("qbr", "pip", "offboarding")):
        assert figures, "the document's charts are not in the structure tree"
    widgets = [a for page in pdf.pages for a in page.get("/Annots", []) if a.get("/Subtype") == "/Widget"]
    undescribed = [a for a in widgets if "/TU" not in a and "/TU" not in a.get("/Parent", {})]
    assert undescribed == []
    # the response form: in every partner copy of a QBR or of a plan still running; a plan whose final review
    # has passed is an outcome report, which asks for no answer (ECH's Q2 plan, ended 5 October)
    outcome = name.startswith("pip") and "Improvement-Plan Outcome Report" in text(pdf.docinfo.get("/Title", ""))
    assert bool(widgets) == (name.endswith("partner") and name.startswith(("qbr", "pip")) and not outcome)


def kpi_months(partner: str, kpi: str) -> list[float]:
    with DATA.open(encoding="utf-8", newline="") as handle:
        rows = {
            r["period"]: float(r["value"]) for r in csv.DictReader(handle) if (r["partner"], r["kpi"]) == (partner, kpi)
        }
    return [rows[month] for month in MONTHS]


@pytest.mark.parametrize(
    "kpi, title, shown",
    [
        (
            "service_level",
            "Service level by month, Oct 2025 to Sep 2026, target 80.0%, floor 75.0%",
            lambda v: f"{v:.1f}%",
        ),
        (
            "aht",
            "Average handle time by month, Oct 2025 to Sep 2026, target 420 s, floor 480 s",
            lambda v: f"{v:.0f} s",
        ),
    ],
)
def test_a_trend_charts_alternative_text_states_the_months_of_the_kpi_file(documents, kpi, title, shown) -> None:
    alts = [text(e.get("/Alt")) for e in elements(documents["qbr-CRN-partner"].Root.StructTreeRoot) if e.S == "/Figure"]
    (alt,) = [a for a in alts if a.startswith(title)]
    said = re.findall(r"([A-Z][a-z]{2}) ([\d.]+(?:%| s))", alt)
    names = ["Oct", "Nov", "Dec", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep"]
    assert said == list(zip(names, map(shown, kpi_months("CRN", kpi)), strict=True))


def test_pdf_a_3u_carries_the_partners_scorecard_as_its_data(tmp_path: Path) -> None:
    common = ["--config", str(CONFIG), "--data", str(DATA), "--quarter", str(QUARTER), "--as-of", AS_OF.isoformat()]
    pip = ["pip", *common, "--inputs", str(INPUTS), "--partner", "BRV", "--out", str(tmp_path)]
    for audience in ("partner", "internal"):
        result = CliRunner().invoke(cli, [*pip, "--pdf-variant", "pdf/a-3u", "--audience", audience, "--force"])
        assert result.exit_code == 0, result.output
    export = ["export", *common, "--partner", "BRV", "--out", str(tmp_path / "scorecard.csv")]
    assert CliRunner().invoke(cli, export).exit_code == 0
    expected = (tmp_path / "scorecard.csv").read_bytes()

    for audience in ("partner", "internal"):
        with pikepdf.open(tmp_path / str(QUARTER) / f"pip-BRV-{audience}.pdf") as pdf:
            with pdf.open_metadata() as xmp:
                assert (xmp.get(PDFA_PART), xmp.get(PDFA_CONFORMANCE)) == ("3", "U")
            assert pdf.Root.MarkInfo.Marked is True  # PDF/A-3u is tagged too
            (associated,) = pdf.Root.AF  # one associated file, the document's data
            assert associated.AFRelationship == "/Data"
            assert str(associated.F) == f"scorecard-BRV-{QUARTER}.csv"
            assert pdf.attachments[str(associated.F)].get_file().mime_type == "text/csv"
            (name,) = pdf.attachments.keys()
            assert name == f"scorecard-BRV-{QUARTER}.csv"
            assert pdf.attachments[name].get_file().read_bytes() == expected


def test_the_cli_offers_the_renderers_variants() -> None:
    from govdocs.cli.options import pdf_variant_option
    from govdocs.render.pdf import PDF_UA, PDF_VARIANTS

    @pdf_variant_option
    def command(pdf_variant: str) -> None: ...

    (option,) = command.__click_params__
    assert tuple(option.type.choices) == PDF_VARIANTS and option.default == PDF_UA
