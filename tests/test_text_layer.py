"""The documents' text layer as a reader meets it (issue 35): one typographic convention for signs
and comparisons in every document, no tool internals in a partner copy outside its footer
identifier and appendix, and the QBR's body within its page budget. Each check reads the PDF text
of the example build (one shared build) page by page.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from conftest import CONFIG, QUARTER, ExampleBuild
from pypdf import PdfReader

from govdocs.config.loader import load_config
from govdocs.render.formatters import number, signed, typeset

APPENDIX = "Appendix · "  # every appendix section's heading starts so; the body never prints it
RESPONSE_FORM = re.compile(r"^Your response", re.M)  # the partner's form, last, after the appendix
FOOTER_ID = re.compile(r"\b[A-Z]{2,5}-\d{4}(?:Q\d)?-[A-Z0-9-]+\b")  # 'QBR-2026Q3-BRV-P-E06C36'

# The QBR's body: the cover and at most four pages, for a partner with up to eight KPIs.
QBR_BODY_PAGES = 5
# The plan's body: what the partner must do, by when, and the acknowledgment, before its form and appendix.
PIP_BODY_PAGES = 7

HYPHEN_SIGN = re.compile(r"(?<![\w.\-/\u2212])-\d")  # '-60.0' where '−60.0' belongs
ASCII_COMPARISON = re.compile(r"<=|>=|!=")
UNIT_SPACING = re.compile(r"\d\s+%|\d(?:s|min)\b")  # '80.0 %', '420s': the unit is '80.0%', '420 s'

INTERNALS = {
    "the tool's name": re.compile(r"\bgovdocs\b", re.I),
    "an id or config key": re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?:\.[a-z_]+)*\b"),
    "a file name": re.compile(r"\b[\w-]+\.(?:ya?ml|csv|xlsx|parquet|json|ics)\b", re.I),
    "a hash": re.compile(r"\b(?=[0-9a-f]*[a-f])(?=[0-9a-f]*\d)[0-9a-f]{10,}\b"),
}


@cache
def pages_of(path: Path) -> tuple[str, ...]:
    return tuple(page.extract_text() for page in PdfReader(path).pages)


@pytest.fixture(scope="module")
def documents(example_build: ExampleBuild) -> dict[str, tuple[str, ...]]:
    assert example_build.exit_code == 0, example_build.output
    folder = example_build.out / str(QUARTER)
    found = {p.name: pages_of(p) for p in sorted(folder.glob("*.pdf"))}
    assert len(found) >= 16  # every QBR, plan, assessment and the portfolio, both copies
    return found


def appendix_start(pages: tuple[str, ...]) -> int | None:
    """The index of the page where the appendix starts: its first 'Appendix · ' heading."""
    return next((i for i, text in enumerate(pages) if APPENDIX in text), None)


def reader_pages(pages: tuple[str, ...]) -> list[tuple[int, str]]:
    """The pages outside the appendix (the body and the response form), footer identifiers cut."""
    start = appendix_start(pages)
    kept = []
    for i, text in enumerate(pages):
        if start is not None and i >= start and not RESPONSE_FORM.search(text):
            continue
        lines = [line for line in text.splitlines() if not FOOTER_ID.search(line)]
        kept.append((i + 1, "\n".join(lines)))
    return kept


def internals(text: str, kpi_ids: set[str]) -> list[str]:
    found = [f"{what} '{m.group(0)}'" for what, rx in INTERNALS.items() for m in rx.finditer(text)]
    found += [f"the KPI id '{w}'" for w in re.findall(r"\b[a-z]+\b", text) if w in kpi_ids]
    return found


def test_the_typographic_convention_is_one_function() -> None:
    assert number(-60.0) == "\u221260.0"
    assert signed(-40.04, "", 1) == "\u221240.0" and signed(2, "percent") == "+2.0 pp"
    assert typeset("net -53.0 (>= 95% of plan, <= 30 s)") == "net \u221253.0 (\u2265 95% of plan, \u2264 30 s)"
    # a hyphen inside a date, an id or a range of words is no sign
    assert typeset("2026-10-15 · QBR-2026Q3-BRV · Q3-CRN-1") == "2026-10-15 · QBR-2026Q3-BRV · Q3-CRN-1"


def test_every_document_prints_signs_and_comparisons_one_way(documents) -> None:
    """'−40.0' in the QBR and '-60.0' in the assessment, '>=' beside '≥': one convention everywhere."""
    problems = []
    for name, pages in documents.items():
        for n, text in enumerate(pages, 1):
            for rx in (HYPHEN_SIGN, ASCII_COMPARISON, UNIT_SPACING):
                problems += [
                    f"{name} p{n}: {m.group(0)!r} in {text[max(0, m.start() - 30) : m.end() + 20]!r}"
                    for m in rx.finditer(text)
                ]
    assert problems == []
    assert any("\u2212" in "".join(pages) for pages in documents.values())  # the checker saw negative numbers


def test_partner_copies_speak_the_partners_words(documents) -> None:
    """No tool name, file name, KPI id, config key or hash outside the footer identifier and the appendix."""
    config = load_config(CONFIG)
    # ids that read as words of their KPI's name ('attrition') are words, not ids
    kpi_ids = {k.id for k in config.kpis if k.id.lower() not in k.name.lower()}
    assert kpi_ids  # 'asa', 'aht', 'fcr', 'csat'
    problems = []
    partner_copies = {name: pages for name, pages in documents.items() if name.endswith("-partner.pdf")}
    assert len(partner_copies) >= 7
    for name, pages in partner_copies.items():
        for n, text in reader_pages(pages):
            problems += [f"{name} p{n}: {what}" for what in internals(text, kpi_ids)]
    assert problems == []


def test_the_checker_finds_internals() -> None:
    text = (
        "read back by govdocs response import; KPI ids: service_level, asa; pip.data_lag_business_days; "
        "kpis.csv e06c3667ea85"
    )
    found = internals(text, {"asa"})
    assert len(found) == 6, found


def test_the_qbr_body_fits_its_page_budget(documents) -> None:
    """Cover and at most four pages for the executive; the rest after a marked appendix heading,
    the partner's response form last."""
    checked = 0
    for name, pages in documents.items():
        if not name.startswith("qbr-"):
            continue
        start = appendix_start(pages)
        assert start is not None, f"{name}: no appendix"
        assert start <= QBR_BODY_PAGES, f"{name}: the body runs to {start} pages"
        assert not any(APPENDIX in text for text in pages[:start])
        if name.endswith("-partner.pdf"):
            assert RESPONSE_FORM.search(pages[-1]) or RESPONSE_FORM.search(pages[-2]), f"{name}: the form is not last"
        checked += 1
    assert checked == 10


def body_pages(pages: tuple[str, ...]) -> int:
    """The pages before the response form or the appendix, whichever comes first."""
    return next(i for i, text in enumerate(pages) if APPENDIX in text or RESPONSE_FORM.search(text))


def test_the_plan_body_fits_its_page_budget(documents) -> None:
    """What the partner must do, by when, first: the plan's body before its form and appendix."""
    plans = {name: body_pages(pages) for name, pages in documents.items() if name.startswith("pip-")}
    assert len(plans) == 4
    assert all(n <= PIP_BODY_PAGES for n in plans.values()), plans
