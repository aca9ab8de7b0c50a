"""The documents' text layer as a reader meets it (issue 35): one typographic convention for signs
and comparisons in every document, no tool internals in a partner copy outside its footer
identifier and appendix, and the QBR's body within its page budget. Each check reads the PDF text
of the example build (one shared build) page by page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import CONFIG, QUARTER, ExampleBuild, page_texts
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
# '0-100', '411-413 s', '08:00-10:00': a range takes an en dash (an ISO date or month keeps its hyphens)
HYPHEN_RANGE = re.compile(r"(?<![\w.\-/:])(\d+(?:[.,:]\d+)*)-(\d+)(-\d)?")
SPACED_MINUS = re.compile(r"[\w)] - [\d(]")  # '(r - 1)': a minus between terms is '−'


def range_hyphens(text: str) -> list[re.Match[str]]:
    def date(m: re.Match[str]) -> bool:
        first, second = m.group(1), m.group(2)
        month = re.fullmatch(r"(?:19|20)\d\d", first) and len(second) == 2 and 1 <= int(second) <= 12
        return bool(month or m.group(3))

    return [m for m in HYPHEN_RANGE.finditer(text) if not date(m)]


def typography_problems(name: str, text: str) -> list[str]:
    """Every place the text breaks the convention: a hyphen as a sign or a range, an ASCII comparison,
    a spaced hyphen as a minus, a unit without its space."""
    found = [m for rx in (HYPHEN_SIGN, ASCII_COMPARISON, UNIT_SPACING, SPACED_MINUS) for m in rx.finditer(text)]
    found += range_hyphens(text)
    return [f"{name}: {m.group(0)!r} in {text[max(0, m.start() - 30) : m.end() + 20]!r}" for m in found]


ASCII_COMPARISON = re.compile(r"<=|>=|!=")
# '80.0 %', '420s': the unit is '80.0%', '420 s' (a decade, 'the 1980s', is no unit)
UNIT_SPACING = re.compile(r"\d\s+%|(?<!\b[12]\d\d)\d(?:s|min)\b")

INTERNALS = {
    "the tool's name": re.compile(r"\bgovdocs\b", re.I),
    "an id or config key": re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?:\.[a-z_]+)*\b"),
    "a file name": re.compile(r"\b[\w-]+\.(?:ya?ml|csv|xlsx|parquet|json|ics)\b", re.I),
    "a hash": re.compile(r"\b(?=[0-9a-f]*[a-f])(?=[0-9a-f]*\d)[0-9a-f]{10,}\b"),
}


def pages_of(path: Path) -> tuple[str, ...]:
    return page_texts(path)


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


# An action's id is the reference both sides use (in the actions file, the form's statuses and the
# minutes): printed as the client typed it, even when it holds a KPI's id ('S-service_level').
ACTION_REF = re.compile(r"\b[A-Z][A-Z0-9]*-[\w-]+")


def internals(text: str, kpi_ids: set[str], partner_ids: set[str] = frozenset()) -> list[str]:
    text = ACTION_REF.sub("REF", text)
    found = [f"{what} '{m.group(0)}'" for what, rx in INTERNALS.items() for m in rx.finditer(text)]
    found += [f"the KPI id '{w}'" for w in re.findall(r"\b[a-z]+\b", text) if w in kpi_ids]
    # a partner id on its own ('Partner CRN'); inside a reference ('Q2-CRN-1') it is part of the name,
    # and a line set in capitals ('PREPARED FOR SOUTH SERVICE CO') holds the partner's name, not its id
    capitals = [line for line in text.splitlines() if line == line.upper() and len(re.findall(r"[A-Z]+", line)) >= 3]
    mixed = "\n".join(line for line in text.splitlines() if line not in capitals)
    found += [f"the partner id '{w}'" for w in re.findall(r"(?<![\w-])[A-Z]{2,8}(?![\w-])", mixed) if w in partner_ids]
    found += [f"a plan's ISO period '{m}'" for m in re.findall(r"\d{4}-\d\d-\d\d/\d{4}-\d\d-\d\d", text)]
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
            problems += typography_problems(f"{name} p{n}", text)
    assert problems == [], "\n".join(problems)
    assert any("\u2212" in "".join(pages) for pages in documents.values())  # the checker saw negative numbers


def test_the_typography_checker_finds_ranges_and_minus_signs() -> None:
    """What the example printed (issue 35): a reviewer's '(411-413 s)', 'Stay score (0-100)', '(r - 1)'."""
    text = "on target every month (411-413 s); Stay score (0-100): (r - 1) / 4; 08:00-10:00; QBRs 2022-2025"
    assert len(typography_problems("doc", text)) == 5
    assert typography_problems("doc", typeset(text)) == []
    # dates, ids and words keep their hyphens
    assert typography_problems("doc", "minutes 2026-05-20, month 2026-07, Q2-CRN-1, QBR-2026Q3, a 12-month plan") == []


@pytest.fixture(scope="module")
def init_documents(init_build: Path) -> dict[str, tuple[str, ...]]:
    """The init programme's documents (conftest.init_build): each page's text, and the values of
    the form fields a reader sees on it (a field the size of nothing is read back, never seen)."""
    found = {
        p.name: tuple(f"{t}\n{v}" for t, v in zip(pages_of(p), field_values(p), strict=True))
        for p in sorted(init_build.glob("*.pdf"))
    }
    assert len(found) >= 7  # both copies of both QBRs and of SOUTH's plan, the portfolio summary
    return found


def field_values(path: Path) -> tuple[str, ...]:
    """Per page, the values printed in its form fields (a response form's pre-filled identity)."""
    pages = []
    for page in PdfReader(path).pages:
        values = []
        for ref in page.get("/Annots", []) or []:
            widget = ref.get_object()
            value = widget.get("/V", widget.get("/Parent", {}).get("/V") if "/Parent" in widget else None)
            x0, y0, x1, y1 = (float(v) for v in widget.get("/Rect", (0, 0, 0, 0)))
            if value and abs(x1 - x0) > 1 and abs(y1 - y0) > 1:
                values.append(str(value))
        pages.append("\n".join(values))
    return tuple(pages)


def test_an_init_programme_prints_one_convention(init_documents) -> None:
    """A programme made by `govdocs init`, its data filled, the actions typed with the ASCII
    comparison users type ('>= 12 by the due date')."""
    problems = []
    for name, pages in init_documents.items():
        for n, text in enumerate(pages, 1):
            problems += typography_problems(f"{name} p{n}", text)
    assert problems == [], "\n".join(problems)


def test_an_init_programme_keeps_the_layout(init_build: Path) -> None:
    """Every document of the init programme: no heading alone or with only its lead text at a page
    foot (SOUTH's plan had 'Check-ins' and its introduction on page 2, the schedule on page 3)."""
    problems = [p for path in sorted(init_build.glob("*.pdf")) for p in layout_problems(path.name, marks_of(path))]
    assert problems == [], "\n".join(problems)


def test_init_partner_copies_speak_the_partners_words(init_documents, init_build: Path) -> None:
    """The init programme's partner copies, their form fields' printed values included: 'Partner
    SOUTH' and 'Plan 2026-10-16/2027-04-07' in the response form, config keys, file names."""
    config = load_config(init_build.parent.parent / "governance.yaml")
    kpi_ids = {k.id for k in config.kpis if k.id.lower() not in k.name.lower()}
    partner_ids = {p.id for p in config.partners}
    problems = []
    partner_copies = {n: p for n, p in init_documents.items() if n.endswith("-partner.pdf")}
    assert len(partner_copies) == 3
    for name, pages in partner_copies.items():
        for n, text in reader_pages(pages):
            problems += [f"{name} p{n}: {what}" for what in internals(text, kpi_ids, partner_ids)]
    assert problems == [], "\n".join(problems)


def test_partner_copies_speak_the_partners_words(documents, example_build: ExampleBuild) -> None:
    """No tool name, file name, KPI id, config key or hash outside the footer identifier and the appendix."""
    config = load_config(CONFIG)
    # ids that read as words of their KPI's name ('attrition') are words, not ids
    kpi_ids = {k.id for k in config.kpis if k.id.lower() not in k.name.lower()}
    assert kpi_ids  # 'asa', 'aht', 'fcr', 'csat'
    problems = []
    partner_ids = {p.id for p in config.partners}
    folder = example_build.out / str(QUARTER)
    partner_copies = {name: pages for name, pages in documents.items() if name.endswith("-partner.pdf")}
    assert len(partner_copies) >= 7
    for name, pages in partner_copies.items():
        fields = field_values(folder / name)  # the response form's printed values too
        for n, text in reader_pages(tuple(f"{t}\n{v}" for t, v in zip(pages, fields, strict=True))):
            problems += [f"{name} p{n}: {what}" for what in internals(text, kpi_ids, partner_ids)]
    assert problems == [], "\n".join(problems)


def test_the_checker_finds_internals() -> None:
    text = (
        "read back by govdocs response import; KPI ids: service_level, asa; pip.data_lag_business_days; "
        "kpis.csv e06c3667ea85"
    )
    found = internals(text, {"asa"})
    assert len(found) == 6, found
    # the response form's identity as it was printed; a reference that holds the id is a name
    found = internals(
        "PREPARED FOR CRN SERVICES LTD\nPartner CRN  Plan 2026-10-16/2027-04-14  Q2-CRN-1 is late", set(), {"CRN"}
    )
    assert found == ["the partner id 'CRN'", "a plan's ISO period '2026-10-16/2027-04-14'"], found


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


# --- layout, from the text and drawing positions of each page ------------------------------------
# WeasyPrint writes CSS pixels (0.75 pt) top down; the body of an A4 page runs from the top margin
# (22 mm) to the bottom margin (20 mm), where the running header and footer sit outside it.
PX_PER_PT = 0.75
BODY_TOP, BODY_BOTTOM = 83.0, 1046.0
HEADING_PX = 13.9  # h3 (10.5 pt) and larger, in the semibold face: a heading
SECTION_PX = 19.9  # h2.section (15 pt): a section starts


@dataclass(frozen=True)
class Mark:
    y: float  # CSS px from the top of the page: the baseline of a text run, the bottom of a drawing
    heading: bool
    section: bool
    text: str
    x: float = 0.0  # CSS px from the left edge: where the run starts
    size: float = 0.0  # the font size in CSS px (0 for a drawing)


def marks_of(path: Path) -> tuple[tuple[Mark, ...], ...]:
    """Per page, what is printed inside the body area: text runs and drawn objects (charts)."""
    pages = []
    for page in PdfReader(path).pages:
        height = float(page.mediabox.height)
        xobjects = page.get("/Resources", {}).get("/XObject", {})
        marks: list[Mark] = []

        def text_run(text, cm, tm, font, size, marks=marks, height=height) -> None:
            # where the run lands on the page: a chart's labels are drawn inside its own coordinates
            x = (tm[4] * cm[0] + tm[5] * cm[2] + cm[4]) / PX_PER_PT
            y = (height - (tm[4] * cm[1] + tm[5] * cm[3] + cm[5])) / PX_PER_PT
            if text.strip() and font is not None and BODY_TOP - 2 < y < BODY_BOTTOM:
                bold = "Bold" in str(font.get("/BaseFont", ""))
                heading = bold and size >= HEADING_PX
                marks.append(Mark(y, heading, bold and size >= SECTION_PX, text.strip(), x, size))

        def drawing(op, args, cm, tm, marks=marks, xobjects=xobjects, height=height) -> None:
            if op == b"Do" and args and args[0] in xobjects:
                box = xobjects[args[0]].get_object().get("/BBox")
                if box is not None:
                    x0, y0, x1, y1 = (float(b) for b in box)
                    lowest = min(cm[1] * x + cm[3] * y + cm[5] for x in (x0, x1) for y in (y0, y1))
                    bottom = (height - lowest) / PX_PER_PT
                    if BODY_TOP < bottom < BODY_BOTTOM + 5:
                        marks.append(Mark(bottom, False, False, "<drawing>"))

        page.extract_text(visitor_text=text_run, visitor_operand_before=drawing)
        pages.append(tuple(sorted(marks, key=lambda m: (m.y, m.x))))
    return tuple(pages)


# A part of a document starts on a page of its own: the QBR's scorecard (after the one-page
# executive summary, the brief a reader may stop at), the appendix, the partner's response form.
# The body's other sections follow on from each other, so a page before one of them is no part's last.
PART_STARTS = ("Scorecard", "Appendix", "Your response")


def starts_a_part(page: tuple[Mark, ...]) -> bool:
    return any(m.section and m.y < BODY_TOP + 40 and m.text.startswith(PART_STARTS) for m in page)


def lead_only(heading: Mark, marks: tuple[Mark, ...]) -> Mark | None:
    """The first line of a heading's lead paragraph, when that paragraph is all the heading has
    below it on its page: lines of one size starting where the heading starts, each one line below
    the one before. A table row, a list item, a chart or a second paragraph is more than the lead."""
    below = [m for m in marks if m.y > heading.y + 1]
    if not below or any(m.text == "<drawing>" or m.heading for m in below):
        return None
    first = below[0]
    lines = sorted({round(m.y, 1) for m in below})
    same = all(abs(m.x - heading.x) < 2 and abs(m.size - first.size) < 0.1 for m in below)
    close = all(b - a < first.size * 1.6 for a, b in zip(lines, lines[1:], strict=False))
    return first if same and close else None


def continues_the_lead(lead: Mark, following: tuple[Mark, ...]) -> bool:
    """The next page goes on with the lead paragraph's own lines (a long paragraph broken)."""
    top = following[0]
    return top.text != "<drawing>" and abs(top.x - lead.x) < 2 and abs(top.size - lead.size) < 0.1


def layout_problems(name: str, pages: tuple[tuple[Mark, ...], ...]) -> list[str]:
    """A heading with nothing after it on its page, or with only its lead paragraph while what it
    leads (a table, a list, a chart) starts on the next page; a page more than half empty that is
    not the last page of its part (the next page starts the appendix or the response form) or of
    the document. (A body section that merely starts on the next page does not excuse it: a page
    forced before each section left NORTH's short panels alone on pages 4 and 5, 6% and 20% full.)
    The cover is left out."""
    problems = []
    for i, marks in enumerate(pages[1:], 1):
        if not marks:
            problems.append(f"{name} p{i + 1}: empty")
            continue
        for mark in (m for m in marks if m.heading):
            if not any(other.y > mark.y + 1 and not other.heading for other in marks):
                problems.append(f"{name} p{i + 1}: heading '{mark.text}' without its content")
        last = max((m for m in marks if m.heading), key=lambda m: m.y, default=None)
        following = pages[i + 1] if i + 1 < len(pages) else ()
        lead = lead_only(last, marks) if last is not None else None
        if lead is not None and following and not following[0].heading and not continues_the_lead(lead, following):
            problems.append(f"{name} p{i + 1}: heading '{last.text}' with only its lead text, its content overleaf")
        fill = (max(m.y for m in marks) - BODY_TOP) / (BODY_BOTTOM - BODY_TOP)
        following = pages[i + 1] if i + 1 < len(pages) else None
        part_ends = following is None or starts_a_part(following)
        if fill < 0.5 and not part_ends:
            problems.append(f"{name} p{i + 1}: {fill:.0%} full, and its part goes on")
    return problems


def test_no_heading_alone_and_no_half_empty_page(example_build: ExampleBuild) -> None:
    folder = example_build.out / str(QUARTER)
    problems = []
    for path in sorted(folder.glob("*.pdf")):
        problems += layout_problems(path.name, marks_of(path))
    assert problems == [], "\n".join(problems)


def test_the_layout_checker_sees_a_heading_alone_and_a_half_empty_page() -> None:
    heading = Mark(1000.0, True, False, "Actions")
    body = Mark(300.0, False, False, "text")
    section = Mark(90.0, True, True, "What happens next")
    appendix = Mark(90.0, True, True, "Appendix · Trends")
    pages = ((), (body, heading), (body,), (Mark(95.0, False, False, "row"),), (section, body), (appendix, body))
    found = layout_problems("doc", pages)
    assert found == [
        "doc p2: heading 'Actions' without its content",
        "doc p3: 23% full, and its part goes on",
        # a short panel on a page of its own: the next body section could have followed on
        "doc p4: 1% full, and its part goes on",
    ]


def test_the_layout_checker_sees_a_heading_kept_only_with_its_lead() -> None:
    """BRV's 'Follow-up of earlier actions' at a page foot with its one-line summary, its table
    overleaf; CRN's plan's 'Check-ins' with its five-line introduction, the schedule overleaf."""
    full = tuple(Mark(100.0 + 15 * n, False, False, "text", 64.0, 10.7) for n in range(60))
    heading = Mark(980.0, True, False, "Follow-up of earlier actions", 64.0, 14.0)
    lead = tuple(Mark(1000.0 + 17 * n, False, False, "summary", 64.0, 12.0) for n in range(2))
    table = (Mark(100.0, False, False, "Ref", 70.0, 10.0), *full[1:])
    prose = (Mark(100.0, False, False, "the paragraph goes on", 64.0, 12.0), *full[1:])
    cover = ((Mark(100.0, True, True, "Cover", 64.0, 20.0),),)
    assert layout_problems("doc", (*cover, (*full[:50], heading, *lead), table)) == [
        "doc p2: heading 'Follow-up of earlier actions' with only its lead text, its content overleaf"
    ]
    # kept with its first rows; or a long paragraph broken after three lines; or the section ends there
    first_row = Mark(1030.0, False, False, "Q2-BRV-1", 70.0, 10.7)
    assert layout_problems("doc", (*cover, (*full[:50], heading, *lead, first_row), table)) == []
    assert layout_problems("doc", (*cover, (*full[:50], heading, *lead), prose)) == []
    assert layout_problems("doc", (*cover, (*full[:50], heading, *lead), (heading, *full[1:]))) == []


def test_a_generated_portfolio_keeps_the_budget_and_the_layout(tmp_path: Path) -> None:
    """A generated programme of eight KPIs a partner (benchmarks/synth.py, about one partner in six
    slumping below the floor): every QBR's body within cover + 4 pages, the layout checks hold."""
    import sys

    from click.testing import CliRunner

    from govdocs.cli import cli

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    from synth import make_portfolio

    programme = make_portfolio(tmp_path / "programme", partners=4, kpis=8, months=15, seed=11)
    out = tmp_path / "out"
    args = ["qbr", "--config", str(programme / "governance.yaml"), "--data", str(programme / "kpis.csv")]
    args += ["--quarter", str(QUARTER), "--as-of", "2026-10-15", "--all", "--out", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    documents = sorted((out / str(QUARTER)).glob("qbr-*.pdf"))
    assert len(documents) == 4
    for path in documents:
        pages = pages_of(path)
        start = appendix_start(pages)
        assert start is not None and start <= QBR_BODY_PAGES, (path.name, start)
        assert RESPONSE_FORM.search(pages[-1]) or RESPONSE_FORM.search(pages[-2])
        assert layout_problems(path.name, marks_of(path)) == []


# a measure joined to its level with a colon after a time of day, or before a cadence in capitals
# a reviewer's note opens with its label ("Reviewer's note (not checked against the data): Every KPI …")
NONSENSE_JOIN = re.compile(
    r"\d:\d\d: |(?<!note)(?<!against the data\))(?<!by the data): "
    r"(?:Every|Each|All|Per|Once|Twice|Daily|Weekly|Monthly) "
)


def test_a_measure_and_its_level_read_as_one_phrase(documents) -> None:
    """'Weekly forecasts delivered by Monday 12:00: Every week of the plan' (CRN's plan): a cadence
    follows its measure after a comma, in lower case."""
    from govdocs.documents.common import measured_by

    assert measured_by("Weekly forecasts delivered by Monday 12:00", "Every week of the plan") == (
        "Weekly forecasts delivered by Monday 12:00, every week of the plan"
    )
    assert measured_by("Schedule adherence", "≥ 92% weekly average") == "Schedule adherence: ≥ 92% weekly average"
    found = [
        f"{name}: {m.group(0)!r}"
        for name, pages in documents.items()
        for m in NONSENSE_JOIN.finditer(" ".join(" ".join(pages).split()))
    ]
    assert found == [], found
    crn = " ".join(" ".join(documents["pip-CRN-partner.pdf"]).split())
    assert "by Monday 12:00, every week of the plan" in crn


def test_one_term_for_a_score_too_close_to_call(documents, init_documents) -> None:
    """SOUTH's QBR said of one score 'so the score is provisional; the score is marked incomplete':
    weight too close to call makes a score provisional; 'incomplete' is said only where weight
    without data (or too small a sample) is part of what is unscored."""
    said = 0
    for name, pages in {**documents, **init_documents}.items():
        text = " ".join(" ".join(pages).split())
        for m in re.finditer(r"the score is marked incomplete\.", text):  # a note's verdict, not the rule
            note = text[max(0, m.start() - 400) : m.start()]
            assert "no data or too small a sample" in note, f"{name}: {note[-200:]!r}"
        assert "provisional; the score is marked incomplete" not in text, name
        said += "so the score is provisional" in text
    assert said >= 2  # the checker saw provisional scores


def test_the_escalation_stands_with_the_next_step_not_under_what_went_well(example_build: ExampleBuild) -> None:
    """The escalation box sat in the 'What went well' column, beside 'What must improve': it now
    spans the page below both lists, just above the next step."""
    folder = example_build.out / str(QUARTER)
    for path in sorted(folder.glob("qbr-*.pdf")):
        page = marks_of(path)[1]  # the summary page
        escalation = next(m for m in page if m.text.startswith("Escalation status"))
        lists = [m for m in page if m.y < escalation.y and m.text in ("What went well", "What must improve")]
        assert len(lists) == 2, (path.name, lists)
        beside = [m for m in page if m.x > 380 and escalation.y - 2 < m.y < escalation.y + 30]
        assert beside == [], (path.name, beside)
        nxt = next((m for m in page if m.text.startswith(("Next:", "No step is due"))), None)
        if nxt is None:  # the next step ran onto the following page: it still comes after the box
            assert any(m.text.startswith(("Next:", "No step is due")) for m in marks_of(path)[2]), path.name
        else:
            assert escalation.y < nxt.y, path.name


def test_a_cover_prints_no_empty_field_and_no_claim_about_a_quarter_without_data(documents, init_documents) -> None:
    """The init programme has no contract value and no quarter before Q3 2026: its covers printed
    'Annual value –' and 'Change vs Q2 2026 – points', and its summary 'No KPI … improved on the
    previous quarter'. The example's covers keep both figures."""
    qbrs = {n: p for n, p in init_documents.items() if n.startswith("qbr-")}
    assert len(qbrs) == 4
    for name, pages in qbrs.items():
        cover, text = " ".join(pages[0].split()), " ".join(" ".join(pages).split())
        assert not re.search(r"(Annual value|Services) –", cover), name
        assert "Not compared no score for Q2 2026" in cover and "points" not in cover, name
        assert "improved on the previous quarter" not in text, name
        # the scorecard drops its column for a quarter without data, and says why
        assert "the change on Q2 2026" not in text and "Q2 2026 has no data to compare with." in text, name
        if name.endswith("-internal.pdf"):
            assert "Annual value Not configured" in cover, name
        else:
            assert "Annual value" not in cover, name
    for name in ("qbr-BRV-partner.pdf", "qbr-CRN-internal.pdf"):
        cover = " ".join(documents[name][0].split())
        assert re.search(r"Annual value EUR [\d,]+", cover) and "points" in cover, name


def test_a_default_target_is_the_clients_in_a_partner_copy(documents, init_documents) -> None:
    """The init starter's targets are govdocs' catalogue defaults, each with the benchmark it was
    checked against: a partner copy printed 'SQM Group 2022 FCR benchmark …' as the source of
    the client's target. It now says the client set it; the internal copy names the benchmark and
    asks for the contract's clause. A clause the config gives is printed in both."""
    from govdocs.kpi_catalogue import BY_ID

    published = [BY_ID[k].target_source for k in ("service_level", "fcr", "csat")]
    for name, pages in init_documents.items():
        if not name.startswith(("qbr-", "pip-")):
            continue
        text = " ".join(" ".join(pages).split())
        if name.endswith("-partner.pdf"):
            assert "Set by Acme Energy" in text, name
            assert not any(source[:30] in text for source in published), name
        else:
            assert "Catalogue default (" in text and "replace with the contract's clause" in text, name
    for name in ("qbr-BRV-partner.pdf", "pip-CRN-partner.pdf", "qbr-BRV-internal.pdf"):
        assert "MSA Schedule 2, SLA 1" in " ".join(" ".join(documents[name]).split()), name


CONFIG_PATH = re.compile(r"\b[a-z]+\.[a-z]+_[a-z_]+\b")  # 'pip.data_lag_business_days'


def test_no_config_path_in_any_partner_page(documents, init_documents) -> None:
    """A config path means nothing to a partner, in the appendix too: the data-availability rule
    printed '(pip.data_lag_business_days)' in every QBR and plan."""
    found = [
        f"{name} p{n}: {m.group(0)}"
        for name, pages in {**documents, **init_documents}.items()
        if name.endswith("-partner.pdf")
        for n, text in enumerate(pages, 1)
        for m in CONFIG_PATH.finditer(text)
    ]
    assert found == [], found
    assert CONFIG_PATH.search("a month's data is available 5 business days after (pip.data_lag_business_days)")


def test_two_input_files_of_one_name_are_told_apart(documents) -> None:
    """ECH's plan listed 'ECH.yaml' twice in its provenance (the partner's inputs, its proposed
    actions): each is named with its folder."""
    text = " ".join(" ".join(documents["pip-ECH-partner.pdf"]).split())
    assert "inputs/ECH.yaml" in text and "actions/ECH.yaml" in text
    assert not re.search(r"(?<![/\w])ECH\.yaml", text)


def test_the_escalation_says_it_sets_the_next_steps(documents) -> None:
    """'What happens next follows the Watch status, ahead of the usual routine of the At risk or
    Watch tier' ranked two statuses; the note now says which sets the steps, and in what order."""
    text = " ".join(" ".join(documents["qbr-BRV-partner.pdf"]).split())
    assert "The escalation status (Watch) sets what happens next; the usual routine of the" in text
    assert not any("What happens next follows the" in " ".join(p) for p in documents.values())
