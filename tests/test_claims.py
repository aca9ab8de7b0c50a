"""Every sentence true: the words of the example build's documents checked against the facts
that chose them (issue 14). Each check reads the rendered PDF text, never the context, and
recomputes the fact on its own: the quarter status of a KPI, the partner's notice deadline,
what the score rests on.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
from conftest import AS_OF, CONFIG, DATA, PARTNERS, QUARTER, ExampleBuild, flat, page_texts, pdf_text
from kpi_set_claims import sets_of

from govdocs.config.loader import load_config
from govdocs.data.loader import load_kpi_data
from govdocs.planning.contract import partner_clock
from govdocs.render.formatters import long_date, short_date
from govdocs.scoring.engine import PartnerAssessment, assess_partner
from govdocs.scoring.results import Status


@cache
def facts() -> dict[str, PartnerAssessment]:
    config = load_config(CONFIG)
    data = load_kpi_data([DATA], [k.id for k in config.kpis])
    return {p.id: assess_partner(config, data, p, QUARTER) for p in config.partners}


@pytest.fixture(scope="module")
def texts(example_build: ExampleBuild) -> dict[str, str]:
    assert example_build.exit_code == 0, example_build.output
    folder = example_build.out / str(QUARTER)
    return {p.name: flat(pdf_text(p)) for p in sorted(folder.glob("*.pdf"))}


def owner_of(text: str, position: int, names: list[str]) -> str | None:
    """The KPI named last before `position`: the subject of the clause there."""
    best, where = None, -1
    for name in names:
        found = text.rfind(name, 0, position)
        if found > where:
            best, where = name, found
    return best


# A computed gap: "10.8 pp short of the 80.0% target", "24 s above the 30 s target".
GAP = re.compile(r"(\d[\d,.]*\s?(?:pp|s|points|%)?) (short of|above) the (\d[\d,.]*\s?\S*) target")


def test_a_gap_is_stated_only_for_a_kpi_that_is_short(texts) -> None:
    """'Still 0.3 pp short of the 75.0% target' under a 75.3% that is not clear was false: a gap
    sentence belongs to a quarter below its target for certain: amber, red, or not clear only about
    the floor (its whole 95% interval below the target)."""
    checked = 0
    for name, text in texts.items():
        partner = next((p for p in PARTNERS if f"-{p}-" in name), None)
        if partner is None or not name.startswith("qbr-"):
            continue
        assessment = facts()[partner]
        by_name = {k.kpi.name: k for k in assessment.kpis}
        short = sets_of(assessment).short
        for match in GAP.finditer(text):
            kpi = owner_of(text, match.start(), list(by_name))
            if kpi is None:
                continue
            checked += 1
            status = by_name[kpi].current.status
            assert kpi in short, f"{name}: '{match.group(0)}' about {kpi}, which is {status}"
    assert checked >= 20  # the checker read the sentences it is there for


def test_what_went_well_names_no_red_kpi(texts) -> None:
    for partner in PARTNERS:
        text = texts[f"qbr-{partner}-partner.pdf"]
        start = text.index("What went well")
        ends = [text.find(stop, start) for stop in ("What must improve", "Escalation status")]
        well = text[start : min(e for e in ends if e > 0)]
        for item in facts()[partner].kpis:
            if item.current.status is Status.RED:
                assert item.kpi.name not in well, f"{partner}: {item.kpi.name} is red but listed as going well"


@pytest.mark.parametrize("partner", PARTNERS)
def test_the_cover_tells_missing_weight_from_unclear_weight(texts, partner: str) -> None:
    score = facts()[partner].score
    for audience in ("partner", "internal"):
        text = texts[f"qbr-{partner}-{audience}.pdf"]
        cover = text[: text.index("Contract")]
        assert ("without data" in cover) == (score.incomplete and score.no_data_share > 0), partner
        # the weight too close to call, with the threshold its intervals reach across
        sets = sets_of(facts()[partner])
        edges = [e for e, group in (("the target", sets.unclear_target), ("the floor", sets.unclear_floor)) if group]
        close = f"too close to {' or '.join(edges)} to call"
        assert (close in cover) == (score.not_clear_share > 0), (partner, cover)
        if score.not_clear_share > 0 and score.no_data_share == 0:
            assert "no data or too small a sample" not in text  # the data notes say it the same way


def test_one_notice_deadline_in_every_document(texts) -> None:
    """CRN's deadline was 1 January 2027 in its QBR and 30 December 2026 in the portfolio summary and
    its offboarding assessment: one date now, the business day the rule gives, everywhere."""
    config = load_config(CONFIG)
    portfolio = texts["portfolio-summary-internal.pdf"]
    moved = 0
    for partner in config.partners:
        clock = partner_clock(partner.contract, AS_OF, config.pip)
        for audience in ("partner", "internal"):
            assert f"Notice deadline {long_date(clock.notice_deadline)}" in texts[f"qbr-{partner.id}-{audience}.pdf"]
        table = portfolio.index("Red KPIs this quarter")  # the detailed table, after the brief
        row = portfolio[portfolio.index(partner.name, table) :]
        assert short_date(clock.notice_deadline) in row[:700], partner.id
        offboarding = texts.get(f"offboarding-{partner.id}-internal.pdf")
        if offboarding is not None:
            cover = offboarding[: offboarding.index("Contract")]
            assert f"NOTICE DEADLINE {short_date(clock.notice_deadline)}".upper() in cover.upper()
        if clock.moved:
            moved += 1
            for name, text in texts.items():
                if f"-{partner.id}-" in name or name.startswith("portfolio"):
                    stated = text.replace(f"the last business day before {long_date(clock.contract_deadline)}", "")
                    assert short_date(clock.contract_deadline) not in stated, (name, clock.contract_deadline)
                    assert f"Notice deadline {long_date(clock.contract_deadline)}" not in stated, name
    assert moved >= 2  # CRN (New Year) and DLT (a Sunday) exercise the move


def test_a_deadline_in_the_reviewers_words_is_the_computed_one(texts) -> None:
    """CRN's internal notes (examples/inputs) said "before the 1 January 2027 notice deadline" beside
    the computed 30 December 2026: any date a document puts before the words "notice deadline" is
    that partner's computed deadline."""
    config = load_config(CONFIG)
    checked = 0
    for partner in config.partners:
        clock = partner_clock(partner.contract, AS_OF, config.pip)
        for name, text in texts.items():
            if f"-{partner.id}-" not in name:
                continue
            for stated in re.findall(r"(\d{1,2} [A-Z][a-z]+ \d{4}) notice deadline", text):
                assert stated == long_date(clock.notice_deadline), (name, stated)
                checked += 1
    assert checked >= 1  # CRN's notes name it


def test_counts_agree_with_their_nouns(texts) -> None:
    plural_after_one = re.compile(
        r"(?<![\d.,])1 ?(?:further |more |other )?"
        r"(KPIs|KPI-months|months|actions|failures|days|weeks|partners|plans|ratings)\b"
    )
    for name, text in texts.items():
        assert not plural_after_one.findall(text), (name, plural_after_one.findall(text))


def test_the_definitions_say_how_a_deadline_moves(texts) -> None:
    for name, text in texts.items():
        if name.startswith(("qbr-", "offboarding-")):
            assert "when that day is a weekend or a public holiday, the last business day before it" in text, name


def test_checker_reads_every_document(texts) -> None:
    assert len(texts) == 16  # BRV's plan is no longer called for (issue 32): watch, not a plan
    assert all(Path(name).suffix == ".pdf" for name in texts)


# Words a partner should not have to decode: the tools behind the document, statistics jargon, and
# the client's own preparations for a possible exit.
PLUMBING = ("Python", "repr", "Wilson", "renormalis", "DuckDB", "pandas", "YAML", "SHA-256 of the rows")
EXIT_PREPARATION = ("Prepare the offboarding", "offboarding-readiness assessment", "for procurement")


def test_partner_copies_speak_plainly_and_keep_exit_preparation_internal(texts) -> None:
    for name, text in texts.items():
        if not name.endswith("-partner.pdf"):
            continue
        body = text[: text.index("Appendix")]  # the appendices may name files and methods
        assert len(body) > 2000, name
        for word in PLUMBING:
            assert word not in text if word in ("Python", "repr") else word not in body, (name, word)
        for phrase in EXIT_PREPARATION:
            assert phrase not in text, (name, phrase)
        assert "On track, overdue" not in text, name


def test_a_trend_word_follows_the_fitted_slope_and_its_stated_threshold(texts) -> None:
    """21 -> 25 -> 25 -> 25 was '+1.2 points per quarter' with no word: a reader took it for a rise."""
    found = 0
    for name, text in texts.items():
        if not name.startswith("offboarding-"):
            continue
        match = re.search(
            r"Trend: (\w+) \(([+-]\d+\.\d) points a quarter, a straight line fitted over (\d) quarters; "
            r"under (\d+(?:\.\d+)?) either way counts as flat\)",
            text,
        )
        assert match, name
        word, stated, count, threshold = (
            match.group(1),
            float(match.group(2)),
            int(match.group(3)),
            float(match.group(4)),
        )
        partner = name.split("-")[1]
        scores = [s.value for _, s in facts()[partner].score_history if s.value is not None]
        assert count == len(scores)
        xs = range(len(scores))
        mean_x, mean_y = sum(xs) / len(scores), sum(scores) / len(scores)
        fitted = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, scores, strict=True)) / sum(
            (x - mean_x) ** 2 for x in xs
        )
        assert stated == round(fitted, 1)
        assert word == ("flat" if abs(fitted) < threshold else "improving" if fitted > 0 else "declining")
        found += 1
    assert found >= 1


def test_a_plan_has_one_issue_date(texts) -> None:
    """ECH's Q2 plan said 'issued 3 July 2026' on its cover and 'issued 15 October 2026' in its footer."""
    for name, text in texts.items():
        if not name.startswith("pip-"):
            continue
        issued = set(re.findall(r"issued (\d{1,2} \w+ \d{4})", text))
        assert len(issued) == 1, (name, issued)


def test_an_assessment_from_missing_ratings_is_provisional_and_knows_the_runs_plan(
    texts, brv_assessment: Path, example_build: ExampleBuild
) -> None:
    """BRV's assessment said 'no plan on record' on the day the build issued BRV's plan, and a plain
    'Retain' from 5 of 8 ratings."""
    text = flat(pdf_text(brv_assessment))
    portfolio = texts["portfolio-summary-internal.pdf"]
    # BRV has no plan this run (August relieved, its score's trigger provisional): the memo says so
    table = portfolio.index("Red KPIs this quarter")  # the detailed table, after the brief
    row = portfolio[portfolio.index("Bravo CX Partners", table) :][:600]
    assert not re.search(r"New plan: starts", row) and "no plan on record" in text
    # CRN has one: its assessment states it in the summary's words
    row = portfolio[portfolio.index("Cornerstone BPO", table) :][:600]
    plan = re.search(r"New plan: starts \d{1,2} \w{3} \d{4}, final review \d{1,2} \w{3} \d{4}", row)
    assert plan, row
    assert plan.group(0) in texts["offboarding-CRN-internal.pdf"]
    assert "(provisional)" in text
    assert re.search(
        r"The missing ratings decide it: rated 1 throughout, the recommendation would be [a-z ]+; "
        r"rated 5 throughout, [a-z ]+\.|Whatever the missing ratings turn out to be",
        text,
    )


def test_the_transition_is_a_sequence_worked_back_from_the_contract_end(texts) -> None:
    """'A transition needs about 12 weeks … fits inside the notice period' added the checklist as if
    every item ran at once; replacement, knowledge transfer and parallel run follow one another."""
    from datetime import timedelta

    from govdocs.data.assessment import load_assessment

    config = load_config(CONFIG)
    partner = config.partner("CRN")
    review = load_assessment(CONFIG.parent / "assessments" / "CRN.yaml", "CRN", config)
    left = {
        item.id: 0
        if (e := review.checklist.get(item.id)) and e.status.value in ("done", "not_applicable")
        else item.weeks
        for item in config.offboarding.checklist
    }
    after = {item.id: item.after for item in config.offboarding.checklist}

    def finish(item: str) -> int:  # weeks from the transition's start until the item is done
        return left[item] + max((finish(a) for a in after[item]), default=0)

    weeks = max(finish(i) for i in after)
    text = texts["offboarding-CRN-internal.pdf"]
    assert f"A transition needs about {weeks} weeks (" in text
    fits = weeks <= partner.contract.notice_days / 7
    assert ("so it fits inside the notice period" in text) == fits
    start = partner.contract.end - timedelta(weeks=weeks)
    assert f"it must start by {long_date(start)}" in text
    clock = partner_clock(partner.contract, AS_OF, config.pip)
    assert (f"before the notice deadline of {long_date(clock.notice_deadline)}" in text) == (
        start < clock.notice_deadline
    )


@pytest.mark.parametrize("partner", ["CRN", "ECH"])
def test_a_plans_end_is_shown_against_the_notice_deadline_and_the_contract(texts, partner: str) -> None:
    """Both new plans' final reviews fell after the partners' notice deadlines, said only internally
    (issue 34): a plan that outlives the notice deadline or the contract says so in both copies,
    with the right number of days; one that ends in time says so internally only."""
    from datetime import datetime

    from govdocs.planning.contract import PlanInTerm

    config = load_config(CONFIG)
    clock = partner_clock(config.partner(partner).contract, AS_OF, config.pip)
    heading = "This plan and the contract"
    for audience in ("partner", "internal"):
        text = texts[f"pip-{partner}-{audience}.pdf"]
        span = re.search(r"(\d{1,2} \w+ \d{4}) – (\d{1,2} \w+ \d{4}) · following", text)
        assert span, text[:300]
        final = datetime.strptime(span.group(2), "%d %B %Y").date()
        term = PlanInTerm(final, clock)
        if not term.outlives and audience == "partner":
            assert heading not in text
            continue
        line = text[text.index(heading) :][:700]
        if term.days_after_deadline:
            assert (
                f"falls {term.days_after_deadline} days after {long_date(clock.notice_deadline)}, the last day notice"
                in line
            ), line
        elif term.days_after_end:
            assert f"{term.days_after_end} days before this plan's final review" in line, line
        elif clock.passed:
            assert f"The notice deadline, {long_date(clock.notice_deadline)}, has passed" in line, line
        else:
            days = (clock.notice_deadline - final).days
            assert f"falls {days} days before the notice deadline of {long_date(clock.notice_deadline)}" in line


@pytest.fixture(scope="module")
def pages(example_build: ExampleBuild) -> dict[str, list[tuple[str, int]]]:
    """Each page's text and its number of form fields."""
    from pypdf import PdfReader

    folder = example_build.out / str(QUARTER)
    return {
        p.name: [
            (text, sum(a.get_object()["/Subtype"] == "/Widget" for a in page.get("/Annots", [])))
            for text, page in zip(page_texts(p), PdfReader(p).pages, strict=True)
        ]
        for p in sorted(folder.glob("*.pdf"))
    }


def test_no_page_holds_a_heading_alone_or_one_stray_row(pages) -> None:
    """'Trends over twelve months' stood alone on an otherwise empty page in 9 of 10 QBRs, CRN's QBR had a
    page with one table row, and CRN's assessment a last page with only its document id. Such a page
    carries fewer than 65 words with its running header and footer (they had 38 to 62); a page with
    content has more. A page of the response form has few words but its fields: one stray row of
    the action statuses is two fields, the form's rows run on at least two at a time (four)."""
    for name, texts_of_pages in pages.items():
        for number, (text, fields) in enumerate(texts_of_pages, start=1):
            assert len(text.split()) >= 65 or fields >= 4, f"{name} page {number}: {' '.join(text.split())[:200]}"
            if "Trends over twelve months" in text:
                assert "is better" in text, f"{name} page {number}: the trends heading without a chart"


MEETING = re.compile(
    r"(Check-in \d+|Final review) chair: [^0-9]+? (\d{1,2} \w{3} \d{4})(?: moved from [^)]+\))? "
    r"(\w{3} \d{4})( before the plan: baseline; actions only| reviewed already: actions only)?"
)


def test_each_check_in_reviews_a_new_month_or_says_it_reviews_actions_only(texts) -> None:
    """Fortnightly check-ins on monthly data: check-in 1 reviewed the pre-plan baseline and pairs of
    check-ins the same month, each as if it judged new data."""
    from datetime import datetime

    for name, text in texts.items():
        if not (name.startswith("pip-") and name.endswith("-partner.pdf")):
            continue
        start = datetime.strptime(
            re.search(r"(\d{1,2} \w+ \d{4}) – \d{1,2} \w+ \d{4} · following", text).group(1), "%d %B %Y"
        )
        meetings = MEETING.findall(text[text.index("Check-ins and the value expected") :])
        assert len(meetings) >= 3, name
        seen: set[str] = set()
        for meeting, _, month, marker in meetings:
            if meeting == "Final review":  # it decides the plan on its last months
                assert marker == "", name
                continue
            reviewed = datetime.strptime(month, "%b %Y")
            before = (reviewed.year, reviewed.month) < (start.year, start.month)
            if before:
                assert "before the plan" in marker, (name, meeting)
            elif month in seen:
                assert "reviewed already" in marker, (name, meeting)
            else:
                assert marker == "", (name, meeting, marker)
            seen.add(month)


@pytest.fixture(scope="module")
def laid_out_pages(example_build: ExampleBuild) -> dict[str, list[list[str]]]:
    """Each page's text lines in reading order (top to bottom by position, as pdftotext and a
    reader's copy-paste see them), blank lines dropped."""
    folder = example_build.out / str(QUARTER)
    return {
        p.name: [[line.strip() for line in text.splitlines() if line.strip()] for text in page_texts(p, mode="layout")]
        for p in sorted(folder.glob("*.pdf"))
    }


def test_running_header_and_footer_are_in_the_text_once_per_page_in_reading_order(laid_out_pages) -> None:
    """`pdftotext` of any page interleaved the running header and footer letter by letter with the
    hidden elements that carried their text. Every page after the cover now reads: the header line
    (title, classification), the page's content, the footer line (document id, page number)."""
    header = re.compile(r"^(.+ · Q\d \d{4}|.+ · \d{4}-Q\d) +(CONFIDENTIAL · .+)$")
    footer = re.compile(r"^([A-Z]+-\d{4}Q\d-[A-Z0-9-]+ · inputs [0-9a-f]{12}) +Page (\d+) of (\d+)$")
    for name, pages_of in laid_out_pages.items():
        assert len(pages_of) >= 2, name
        for number, lines in enumerate(pages_of[1:], start=2):
            top, bottom = header.match(lines[0]), footer.match(lines[-1])
            assert top, f"{name} page {number} starts with {lines[0]!r}"
            assert bottom, f"{name} page {number} ends with {lines[-1]!r}"
            assert (int(bottom.group(2)), int(bottom.group(3))) == (number, len(pages_of)), (name, number)
            text = "\n".join(lines)
            for running in (top.group(1), top.group(2), bottom.group(1)):
                assert text.count(running) == 1, f"{name} page {number}: {running!r} {text.count(running)} times"


# --- plans on record, achievable paths ------------------------------------------------------


@cache
def run() -> object:
    from govdocs.facts import run_facts

    config = load_config(CONFIG)
    data = load_kpi_data([DATA], [k.id for k in config.kpis])
    return run_facts(config, data, QUARTER, AS_OF, CONFIG)


def test_every_document_names_an_earlier_plan_with_the_outcome_the_data_gives(texts) -> None:
    """CRN's Q1 2026 plan on the same KPIs had failed, and neither the new plan nor the QBR said so;
    the ladder's 'a plan that ended with its targets unmet' was printed as a rule no code applied."""
    facts = run()["CRN"]
    (earlier,) = facts.record
    outcome = earlier.outcome.label.lower()
    assert outcome == "not met"  # recomputed from the data: June 2026 misses every target
    final = earlier.plan.final_review.day
    sentence = f"The plan after the Q1 2026 review ({long_date(earlier.plan.start)} to {long_date(final)})"
    for name in ("qbr-CRN-partner.pdf", "qbr-CRN-internal.pdf", "pip-CRN-partner.pdf", "offboarding-CRN-internal.pdf"):
        text = texts[name]
        assert f"{sentence} on " in text and f"ended with its targets {outcome} at its final review" in text, name
        reason = (
            f"The improvement plan after the Q1 2026 review ended with its targets {outcome} at its final review "
            f"on {long_date(final)}"
        )
        if not name.startswith("offboarding"):  # the ladder's reasons print in the QBR and the plan
            assert reason in text, name
    assert f"Q1 2026 plan {outcome} at the final review, {short_date(final)}" in texts["portfolio-summary-internal.pdf"]
    assert "This is the second plan on" in texts["pip-CRN-partner.pdf"]
    assert "no further improvement plan is offered on" in texts["pip-CRN-partner.pdf"]
    # A partner whose plans all met their targets reads no stronger consequence.
    assert "This is the second plan" not in texts["pip-ECH-partner.pdf"]
    followed = run()["ECH"].record[0]
    # "met" says against which target: ECH's plan asked for an interim stage of the contract target
    assert (
        f"Q2 2026 plan {followed.outcome.label.lower()} (the plan's interim 467 s for Average handle time; the 420 s "
        "contract target is still missed) at the final review" in texts["portfolio-summary-internal.pdf"]
    )


OBJECTIVE = re.compile(
    r"(?P<name>[A-Z][\w ()-]+?)(?: (?:higher|lower) is better)(?: · SLA)? "
    r"(?P<baseline>[\d.,]+)(?P<unit>%| s) \w{3} \d{4} "
    r"[\d.,]+(?:%| s) (?P<target>[\d.,]+)(?:%| s)(?: this plan; target [\d.,]+(?:%| s))? "
    r"(?:raise|reduce) by (?P<gap>[\d.,]+) (?:pp|s) at most (?P<rate>[\d.,]+) (?:pp|s) a month"
)


def test_no_glide_path_is_steeper_than_the_achievable_rate_it_states(texts) -> None:
    """CRN's plan asked attrition to go from 59.1% to 30% and speed of answer from 56 s to 30 s in
    about eleven weeks. Each objective now states its achievable rate, and its gap over the months
    to the end of the month the final review judges is no more than that rate."""
    from datetime import datetime

    checked = 0
    for name, text in texts.items():
        if not name.startswith("pip-"):
            continue
        start = datetime.strptime(
            re.search(r"(\d{1,2} \w+ \d{4}) – \d{1,2} \w+ \d{4} · following", text).group(1), "%d %B %Y"
        )
        end = re.search(r"to [\d.,]+(?:%| s) by the end of (\w{3} \d{4})", text).group(1)
        last = datetime.strptime(end, "%b %Y")
        following = datetime(last.year + last.month // 12, last.month % 12 + 1, 1)
        months = (following - start).days / (365.25 / 12)
        for match in OBJECTIVE.finditer(text):
            gap, rate = float(match["gap"].replace(",", "")), float(match["rate"].replace(",", ""))
            assert gap <= rate * months + 0.1, (name, match["name"], gap, rate, months)
            checked += 1
    assert checked >= 8  # BRV, CRN (five objectives) and ECH, partner and internal copies
    crn = texts["pip-CRN-partner.pdf"]
    assert "the 30.0% target cannot be reached by the end of Mar 2027 at 3.0 pp a month" in crn
    assert "The plan runs 180 days instead of the standard 90" in crn


def test_a_reviewers_highlight_about_a_kpi_is_printed_with_its_computed_point(texts) -> None:
    """CRN's 'What went well' listed handle time twice: the computed point and the reviewer's line."""
    for audience in ("partner", "internal"):
        text = texts[f"qbr-CRN-{audience}.pdf"]
        reviewer = "Average handle time has been on target every month since July 2026"
        assert text.count(reviewer) == 1 and f"Reviewer's note: {reviewer}" in text  # inside the computed point
        point = text.index("Average handle time at 412 s against a target of 420 s")
        assert point < text.index(f"Reviewer's note: {reviewer}") < point + 200


def test_the_portfolio_brief_states_each_partners_money_decision_and_missing_data(example_build) -> None:
    """The summary's first page, one page: each partner's 12 months of fees, credits charged, earned
    back and owed (the credit statement's totals), the date a decision is needed by (an offboarding
    assessment's decision page, else a notice deadline within 180 days) and the months without data."""
    from datetime import timedelta

    path = example_build.out / str(QUARTER) / "portfolio-summary-internal.pdf"
    first = flat(page_texts(path)[0])
    assert "The quarter in one page" in first
    facts = run()
    config = load_config(CONFIG)
    names = [p.name for p in config.partners]
    decisions = 0
    for partner in config.partners:
        found = facts[partner.id]
        start = first.index(partner.name, first.index("Data not delivered"))
        later = [first.index(n, start + 1) for n in names if n != partner.name and first.find(n, start + 1) > 0]
        row = first[start : min(later) if later else first.index("Spend: the fees")]
        totals = found.credits.trailing_totals
        assert row.startswith(f"{partner.name} EUR {totals.fees:,.0f} "), row
        money = re.findall(r"\d[\d,]*\.\d\d(?!%)", row)
        assert money[:3] == [f"{totals.gross:,.2f}", f"{totals.earned_back:,.2f}", f"{totals.net:,.2f}"], row
        clock = found.clock
        if partner.id == "CRN":  # offboarding review: the transition must start 30 weeks before the end
            due = clock.end - timedelta(weeks=30)
            assert short_date(due) in row and f"{partner.name}: let the contract lapse" in first
        elif 0 <= clock.days_left <= 180:
            due = clock.notice_deadline
            assert short_date(due) in row, row
        else:
            due = None
            assert "none due" in row, row
        if due is not None:
            decisions += 1
            assert f"by {short_date(due)} ({(due - AS_OF).days} days)" in first
        gaps = found.assessment.undelivered
        if not gaps:
            assert "all delivered" in row
        for month, kpis in gaps:
            assert f"{month.label}: all {len(found.assessment.kpis)} KPIs" in row or all(k.name in row for k in kpis)
    assert f"{decisions} decisions needed" in first
    # the brief is one page: the detailed table starts on the next
    assert "Red KPIs this quarter" not in first


# --- a provisional score inside its range, and a tier that follows the range (issue 35) -------------

SCORE_NUMBER = r"\d{1,3}\.\d"


def tier_names_pattern(tiers: list[tuple[str, float]]) -> str:
    names = "|".join(re.escape(n) for n, _ in sorted(tiers, key=lambda t: -len(t[0])))
    return rf"(?P<tier>(?:{names})(?:(?:, | or )(?:{names}))*)(?P<tier_mark>, provisional| \(provisional\))?"


def tiers_reached(low: float, high: float, tiers: list[tuple[str, float]]) -> list[str]:
    """The tiers (name, minimum score; highest first) a score anywhere in [low, high] falls in, lowest first."""

    def tier_of(score: float) -> tuple[str, float]:
        return next((t for t in tiers if score >= t[1]), tiers[-1])

    bottom, top = tier_of(low)[1], tier_of(high)[1]
    return [name for name, floor in reversed(tiers) if bottom <= floor <= top]


def score_statements(text: str, tiers: list[tuple[str, float]]) -> list[tuple[str, str]]:
    """Every score a document prints with its range and tier, checked against each other on the page
    alone: (the statement, what is wrong) for each false one. A printed score must lie inside the range
    printed with it and be marked provisional; a tier must be exactly the tiers that range reaches (the
    score's own tier when it has no range), marked provisional when there is more than one."""
    tier = tier_names_pattern(tiers)
    patterns = [
        # tables, triggers, evidence: "62.0 (provisional, 56.0–68.0) At risk or Watch, provisional"
        rf"(?P<score>{SCORE_NUMBER})(?P<mark>) \(provisional, (?P<low>{SCORE_NUMBER})–(?P<high>{SCORE_NUMBER})\)"
        rf"(?: {tier}(?![\w-]))?",
        # the QBR cover
        rf"Score (?P<score>{SCORE_NUMBER}) / 100(?P<mark> · provisional)?[^·]*?(?:intervals allow: "
        rf"(?P<low>{SCORE_NUMBER})–(?P<high>{SCORE_NUMBER}) )?Tier {tier}",
        # the executive summary's headline and the sentence after it
        rf"scored (?P<score>{SCORE_NUMBER})(?P<mark> \(provisional\))? out of 100 in Q\d \d{{4}}, tier {tier}[,.]"
        rf"(?:.{{0,120}}?\. The score is provisional: .{{0,200}}?it is "
        rf"(?P<low>{SCORE_NUMBER})–(?P<high>{SCORE_NUMBER}))?",
    ]
    wrong = []
    for pattern in patterns:
        for found in re.finditer(pattern, text):
            score = float(found.group("score"))
            low, high = found.group("low"), found.group("high")
            statement = found.group(0)[:240]
            if low is not None:
                if not float(low) <= score <= float(high):
                    wrong.append((statement, f"the score {score} lies outside its printed range {low}–{high}"))
                if found.group("mark") is None:
                    wrong.append((statement, "a score with a range is printed without 'provisional'"))
            if found.group("tier") is not None:
                reach = tiers_reached(float(low or score), float(high or score), tiers)
                stated = re.split(r", | or ", found.group("tier"))
                if stated != reach:
                    wrong.append((statement, f"the range reaches the tiers {reach}, the page says {stated}"))
                if (len(reach) > 1) != (found.group("tier_mark") is not None):
                    wrong.append(
                        (statement, "a tier the range does not settle is not marked provisional, or the reverse")
                    )
    return wrong


EXAMPLE_TIERS = [("Strategic", 90.0), ("Healthy", 75.0), ("Watch", 60.0), ("At risk", 0.0)]


def test_the_score_checker_fails_the_statements_of_issue_35() -> None:
    """What the example printed before: BRV's 54.3 beside its range 56.0–68.0 with the tier of the
    54.3, DLT's tier Strategic for a range of 84.0–96.0, and a portfolio row without 'provisional'."""
    before = (
        "Bravo CX Partners scored 54.3 out of 100 in Q3 2026, tier At risk, down 40.0 points from Q2 2026. The "
        "score is provisional: with the results that are not statistically clear counted as their 95% intervals "
        "allow, it is 56.0–68.0."
    )
    problems = [why for _, why in score_statements(before, EXAMPLE_TIERS)]
    assert any("outside its printed range" in p for p in problems)
    assert any("reaches the tiers ['At risk', 'Watch']" in p for p in problems)
    cover = "Score 94.3 / 100 · provisional Provisional: 30% of weight too close to call; with them counted as "
    cover += "their intervals allow: 84.0–96.0 Tier Strategic Expand scope"
    assert [why for _, why in score_statements(cover, EXAMPLE_TIERS)] == [
        "the range reaches the tiers ['Healthy', 'Strategic'], the page says ['Strategic']",
        "a tier the range does not settle is not marked provisional, or the reverse",
    ]
    row = "Bravo CX Partners 54.3 (provisional, 56.0–68.0) At risk Watch"
    assert len(score_statements(row, EXAMPLE_TIERS)) == 3  # outside, one tier of two, not marked
    after = (
        "Bravo CX Partners scored 62.0 (provisional) out of 100 in Q3 2026, tier At risk or Watch (provisional), "
        "down 34.0 points from Q2 2026. The score is provisional: with the results that are not statistically clear "
        "counted as their 95% intervals allow, it is 56.0–68.0; that range reaches the At risk and Watch tiers."
    )
    assert score_statements(after, EXAMPLE_TIERS) == []


def test_every_printed_score_lies_in_its_range_and_its_tier_follows_the_range(texts) -> None:
    config = load_config(CONFIG)
    tiers = [(t.name, float(t.min_score)) for t in config.scoring.tiers]
    checked, wrong = 0, []
    for name, text in texts.items():
        for statement, why in score_statements(text, tiers):
            wrong.append(f"{name}: {why}: {statement}")
        for pattern in (r"\(provisional, \d", r"Score \d+\.\d / 100", r"scored \d+\.\d"):
            checked += len(re.findall(pattern, text))
    assert not wrong, "\n".join(wrong)
    assert checked >= 30  # covers, headlines, tables, triggers, the assessment's evidence
    # and each provisional score is printed as one wherever a document prints it
    for partner, assessment in facts().items():
        score = assessment.score
        for audience in ("partner", "internal"):
            text = texts[f"qbr-{partner}-{audience}.pdf"]
            assert score.tier_words in text[: text.index("Contract")], (partner, audience)  # the cover's tile
            if score.provisional:
                assert f"scored {score.value:.1f} (provisional) out of 100" in text, (partner, audience)
        portfolio = texts["portfolio-summary-internal.pdf"]
        words = f"{score.value:.1f} (provisional, {score.range_words})" if score.provisional else f"{score.value:.1f}"
        assert f"{words} {score.tier_words}" in portfolio, partner


def test_the_calendar_says_what_each_meeting_reviews_as_the_plan_does(texts, example_build) -> None:
    """The .ics said 'Reviews Oct 2026; expected: ...' for a check-in the plan marks 'reviewed
    already: actions only'. Each event now says what the meeting reviews in the plan's terms."""
    from icalendar import Calendar

    checked = 0
    for name, text in texts.items():
        if not (name.startswith("pip-") and name.endswith("-partner.pdf")):
            continue
        partner = name.split("-")[1]
        ics = example_build.out / str(QUARTER) / f"pip-{partner}.ics"
        if not ics.exists():  # a plan whose final review has come writes no calendar (ECH's)
            continue
        events = Calendar.from_ical(ics.read_bytes()).walk("VEVENT")
        meetings = MEETING.findall(text[text.index("Check-ins and the value expected") :])
        assert len(events) == len(meetings), name
        for event, (meeting, _, month, marker) in zip(events, meetings, strict=True):
            said = " ".join(str(event["description"]).split())
            if marker:
                assert "Reviews the actions only: no new month of data" in said, (meeting, said)
                assert "expected" not in said, (meeting, said)
            else:
                assert f"Reviews {month}, the latest month whose data has landed by then" in said, (meeting, said)
                assert f"expected for {month}:" in said, (meeting, said)
            checked += 1
    assert checked >= 10


# --- arithmetic on printed figures -------------------------------------------------------------
# A difference printed beside its terms recomputes from the terms as printed: a net, a change, a
# gap. "Stay score 33.8 against exit evidence 86.2: net −52.5" (from unrounded scores) was false on
# paper. Each rule: a pattern over the flattened text, and (a, b, c) -> whether c follows from a, b.
NUM = r"[−+±]?\d[\d,]*(?:\.\d+)?"


def _value(text: str) -> Decimal:
    return Decimal(text.replace("−", "-").replace("±", "").replace("+", "").replace(",", ""))


def _places(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


def _difference(a: str, b: str, c: str) -> bool:
    return (_value(a) - _value(b)).quantize(Decimal(1).scaleb(-_places(c))) == _value(c)


def _gap(a: str, b: str, c: str) -> bool:
    return abs(_value(b) - _value(a)).quantize(Decimal(1).scaleb(-_places(c))) == _value(c)


ARITHMETIC = (
    # the offboarding assessment's summary and cover
    (re.compile(rf"[Ss]tay score ({NUM}) against exit evidence ({NUM}): net ({NUM})"), _difference),
    (
        re.compile(
            rf"Stay score ({NUM}) / 100 .{{0,120}}?Exit evidence ({NUM}) / 100 .{{0,120}}?"
            rf"Net \(stay − evidence\) ({NUM})"
        ),
        _difference,
    ),
    # "a − b = c" anywhere
    (re.compile(rf"(?<![\d.,])({NUM}) − ({NUM}) = ({NUM})(?![\d.,])"), _difference),
    # a scorecard row: quarter, previous quarter, change
    (re.compile(r"(?<![\d.,])(\d+\.\d)% (\d+\.\d)% ([−+±]\d+\.\d) pp"), _difference),
    (re.compile(r"(?<![\d.,])(\d+) s (\d+) s ([−+±]\d+) s"), _difference),
    # a plan's objective: baseline, quarter, target, gap
    (re.compile(r"(?<![\d.,])(\d+\.\d)% \d+\.\d% (\d+\.\d)% (?:raise|reduce) by (\d+\.\d) pp"), _gap),
    (re.compile(r"(?<![\d.,])(\d+) s \d+ s (\d+) s (?:raise|reduce) by (\d+) s"), _gap),
)


def arithmetic_errors(text: str) -> tuple[list[str], int]:
    """Every printed difference that does not recompute from its printed terms, and how many were checked."""
    wrong, checked = [], 0
    for pattern, holds in ARITHMETIC:
        for found in pattern.finditer(text):
            checked += 1
            if not holds(*found.groups()):
                wrong.append(found.group(0))
    return wrong, checked


def test_the_arithmetic_checker_fails_the_statements_of_issue_35() -> None:
    wrong, _ = arithmetic_errors("Stay score 33.8 against exit evidence 86.2: net −52.5; the net falls in")
    assert wrong == ["Stay score 33.8 against exit evidence 86.2: net −52.5"]
    assert arithmetic_errors("Stay score 33.8 against exit evidence 86.2: net −52.4")[0] == []
    assert arithmetic_errors("Service level 80.0% 75.0% 69.2% 68.2% +1.1 pp Red")[0] == ["69.2% 68.2% +1.1 pp"]
    assert arithmetic_errors("Service level 69.0% 69.2% 79.9% raise by 10.8 pp")[0]
    assert arithmetic_errors("12.0 − 2.5 = 9.5")[0] == [] and arithmetic_errors("12.0 − 2.5 = 9.6")[0]


def test_every_printed_difference_recomputes_from_its_printed_terms(texts) -> None:
    checked = 0
    for name, text in texts.items():
        wrong, count = arithmetic_errors(text)
        assert not wrong, (name, wrong)
        checked += count
    assert checked >= 40  # the scorecards' changes, the plans' gaps, the assessment's net


# --- a value printed beside its line agrees with its status at the printed precision ----------
# "80.0%" printed with "below target 80%" (79.96 rounded) contradicts itself: a value that misses
# its target or floor never prints as it (govdocs.documents.common.kpi_text).
CREDIT_CELL = re.compile(rf"({NUM})(%| s)? \(target ({NUM})(?:%| s)?, volume [\d,]+\) (Green|Amber|Red)")
SCORE_ROW = re.compile(
    rf"(?<![\d.,])({NUM})(%| s)? ({NUM})(?:%| s)? ({NUM})(?:%| s)? (?:{NUM}|–)(?:%| s)? (?:[−+±]{NUM}(?: pp| s)?|–) "
    r"(Green|Amber|Red)\b"
)
SHORT_OF = re.compile(rf"at ({NUM})(?:%| s)?: {NUM}(?: pp| s)? (?:short of|above) the ({NUM})(?:%| s)? target")


def printed_status_errors(text: str) -> tuple[list[str], int]:
    wrong, checked = [], 0
    for found in CREDIT_CELL.finditer(text):
        checked += 1
        if _value(found.group(1)) == _value(found.group(3)) and found.group(4) != "Green":
            wrong.append(found.group(0))
    for found in SCORE_ROW.finditer(text):
        checked += 1
        target, floor, value, status = (*(_value(found.group(i)) for i in (1, 3, 4)), found.group(5))
        if (value == target and status != "Green") or (value == floor and status == "Red"):
            wrong.append(found.group(0))
    for found in SHORT_OF.finditer(text):
        checked += 1
        if _value(found.group(1)) == _value(found.group(2)):
            wrong.append(found.group(0))
    return wrong, checked


def test_the_printed_status_checker_fails_a_value_printed_as_the_line_it_misses() -> None:
    assert printed_status_errors("Service level 80.0% (target 80.0%, volume 4,428) Amber")[0]
    assert printed_status_errors("Service level 80.0% 75.0% 80.0% 79.9% +0.1 pp Amber 80.1%")[0]
    assert printed_status_errors("Service level at 80.0%: 0.0 pp short of the 80.0% target")[0]
    assert printed_status_errors("Service level 80.0% 75.0% 79.96% 79.9% +0.1 pp Amber")[0] == []


def test_a_value_that_misses_its_line_never_prints_as_it() -> None:
    from govdocs.config import load_config
    from govdocs.documents.common import kpi_text

    config = load_config(CONFIG)
    service, abandonment = config.kpi("service_level"), config.kpi("abandonment")  # 80.0% higher; 5.0% lower
    assert kpi_text(service, 79.96) == "79.96%" and kpi_text(service, 80.04) == "80.0%"
    assert kpi_text(abandonment, 5.004) == "5.004%" and kpi_text(abandonment, 4.996) == "5.0%"
    assert kpi_text(service, service.target) == "80.0%"


def test_every_value_beside_its_line_agrees_with_its_status(texts) -> None:
    checked = 0
    for name, text in texts.items():
        wrong, count = printed_status_errors(text)
        assert not wrong, (name, wrong)
        checked += count
    assert checked >= 100  # the scorecards' rows and the credit statements' cells
