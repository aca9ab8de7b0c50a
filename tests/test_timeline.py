"""One timeline (issue 34): every date a document states fits the contract, the data that exists
and the other documents of the run. Rules are checked on the calendar and plans themselves, then
read back from the example build's PDFs."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from click.testing import CliRunner
from conftest import AS_OF, CONFIG, DATA, EXAMPLES, QUARTER, flat, pdf_text

from govdocs.cli import cli
from govdocs.config import load_config
from govdocs.config.model import PipSettings
from govdocs.data.loader import load_kpi_data
from govdocs.errors import ExitCode
from govdocs.facts import assess_portfolio, run_facts
from govdocs.periods import Month, Quarter
from govdocs.planning.calendar import BusinessCalendar
from govdocs.planning.pip import build_plan, plan_outcome
from govdocs.validate import validate_inputs


@pytest.fixture(scope="module")
def world():
    config = load_config(CONFIG)
    data = load_kpi_data([DATA], [k.id for k in config.kpis])
    return config, data


def with_pip(config, **changes):
    return config.model_copy(update={"pip": config.pip.model_copy(update=changes)})


def ech_on_record(config, data):
    """ECH's plan on record: called for by Q2 2026, started 6 July, final review 5 October."""
    assessment = assess_portfolio(config, data, Quarter(2026, 2), AS_OF)["ECH"]
    return build_plan(
        config=config,
        assessment=assessment,
        issued=date(2026, 7, 3),
        start=date(2026, 7, 6),
        extra_kpis=("aht",),
        with_actions=False,
        final_review=date(2026, 10, 5),
    )


# --- 1. data availability --------------------------------------------------------------------


@pytest.mark.parametrize("lag", [0, 1, 5, 12])
def test_a_meeting_reviews_the_latest_month_available_by_its_date(lag):
    calendar = BusinessCalendar.from_settings(
        PipSettings(holiday_country="NL", data_lag_business_days=lag), range(2025, 2029)
    )
    day = date(2026, 1, 1)
    while day < date(2027, 12, 31):
        month = calendar.latest_available(day)
        assert calendar.data_available(month) <= day < calendar.data_available(month.shift(1)), (day, lag)
        day += timedelta(days=1)
    # 31 Jul 2026 is a Friday: lag business days later (0: that day itself)
    expected = {0: date(2026, 7, 31), 1: date(2026, 8, 3), 5: date(2026, 8, 7), 12: date(2026, 8, 18)}
    assert calendar.data_available(Month(2026, 7)) == expected[lag]


def test_plan_meetings_never_review_a_month_whose_data_is_not_there(world):
    config, data = world
    plan = ech_on_record(config, data)
    by_day = {c.when.day: str(c.reviewed) for c in plan.checkins}
    # July's data is available on 7 August: the check-in on Monday 3 August reviews June
    assert by_day[date(2026, 8, 3)] == "2026-06"
    # September's data is available on 7 October: the final review on 5 October judges August
    assert by_day[date(2026, 10, 5)] == "2026-08"
    assert [str(m) for m in plan_outcome(plan, data, AS_OF, 1).decided_on] == ["2026-08"]
    for checkin in plan.checkins:
        assert plan.calendar.data_available(checkin.reviewed) <= checkin.when.day
    # The lag is configurable: data on the month's last day lets 3 August review July.
    same_day = ech_on_record(with_pip(config, data_lag_business_days=0), data)
    assert {c.when.day: str(c.reviewed) for c in same_day.checkins}[date(2026, 8, 3)] == "2026-07"


def test_new_plans_judge_only_data_available_at_their_final_review(world):
    config, data = world
    for partner in ("BRV", "CRN"):
        assessment = assess_portfolio(config, data, QUARTER, AS_OF)[partner]
        plan = build_plan(config=config, assessment=assessment, issued=AS_OF, start=None, with_actions=False)
        for checkin in plan.checkins:
            available = plan.calendar.data_available(checkin.reviewed)
            assert available <= checkin.when.day, (partner, checkin.when.day, checkin.reviewed)
        # the glide path reaches the target at the end of the month the final review judges
        final = plan.checkins[-1]
        assert plan.target_date == final.reviewed.shift(1).first_day() - timedelta(days=1)


# --- the example build, as the partner reads it ------------------------------------------------


@pytest.fixture(scope="module")
def documents(example_build):
    assert example_build.exit_code == 0, example_build.output
    folder = example_build.out / str(QUARTER)
    return {path.stem: flat(pdf_text(path)) for path in sorted(folder.glob("*.pdf"))}


def test_definitions_state_when_data_is_available(documents):
    rule = "a month's KPI data is available 5 business days after the month ends"
    for name in ("qbr-BRV-partner", "qbr-CRN-internal", "pip-CRN-partner", "pip-ECH-internal"):
        assert rule in documents[name], name
    # CRN's check-in on 2 April 2027 cannot review March (available 8 April): it reviews February
    assert "2 Apr 2027 Feb 2027 reviewed already: actions only" in documents["pip-CRN-partner"]


# --- 2. contract rules ---------------------------------------------------------------------------


def programme_with(tmp_path, old: str, new: str):
    """The example config with one line of a partner's contract changed."""
    text = CONFIG.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path = tmp_path / "governance.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path, text[: text.index(old)].count("\n") + 1


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_no_plan_is_issued_on_an_ended_contract(tmp_path):
    # BRV's contract ended 30 Nov 2026 without auto-renewal; reviewed as of 7 Dec 2026
    config, line = programme_with(tmp_path, "end: 2027-03-31", "end: 2026-11-30")
    common = ["--config", str(config), "--data", str(DATA), "--quarter", "2026-Q3", "--as-of", "2026-12-07"]
    result = run("pip", *common, "--partner", "BRV", "--out", str(tmp_path / "out"))
    assert result.exit_code == ExitCode.INPUTS, result.output
    errors = [x for x in result.output.splitlines() if x.startswith("error:")]
    assert errors == [
        f"error: {config}:{line}: partners[1].contract.end: BRV: no plan: the contract ended on 30 November 2026 "
        "and does not renew automatically, so no improvement plan is issued on it [pip.contract_ended]"
    ]
    assert not (tmp_path / "out" / "2026-Q3").exists() or not any((tmp_path / "out" / "2026-Q3").iterdir())
    # --all leaves it out with the reason; the others that call for a plan are issued
    result = run("pip", *common, "--all", "--format", "html", "--out", str(tmp_path / "all"))
    assert result.exit_code == 0, result.output
    # (BRV's escalation status is watch since unclear results and relieved months count against no one,
    # so --all skips it before the contract is looked at; --partner BRV above asks for the plan by name)
    assert "skipped BRV: " in result.output
    assert not list((tmp_path / "all").rglob("pip-BRV-*"))
    # the run's facts agree: no new plan, so no document names one
    loaded = load_config(config)
    data = load_kpi_data([DATA], [k.id for k in loaded.kpis])
    brv = run_facts(loaded, data, QUARTER, date(2026, 12, 7))["BRV"]
    assert brv.clock.ended and brv.basis is None and brv.new_plan is None


def test_validate_warns_about_contracts_that_end_next_quarter_or_have_ended(tmp_path):
    config, line = programme_with(tmp_path, "end: 2027-03-31", "end: 2026-11-30")
    (ending,) = [p for p in validate_inputs(config, [DATA], quarter=QUARTER).problems if "contract" in p.code]
    assert ending.code == "config.contract_ending" and "ends on 30 November 2026, within Q4 2026" in ending.message
    report = validate_inputs(config, [DATA], quarter=Quarter(2026, 4))
    (ended,) = [p for p in report.problems if p.code == "config.contract_ended"]
    assert ended.severity == "warning" and ended.location.line == line
    assert "'BRV' ended on 30 November 2026 and does not renew automatically" in ended.message
    # reviewing Q4 2026: BRV's contract (31 Mar 2027, no auto-renewal) ends within Q1 2027, and
    # DLT's renewed itself on 31 Dec 2026: the config still holds the old end
    report = validate_inputs(CONFIG, [DATA], quarter=Quarter(2026, 4))
    warned = [p for p in report.problems if p.code.startswith("config.contract")]
    assert [(p.code, p.severity) for p in warned] == [
        ("config.contract_ending", "warning"),
        ("config.contract_renewed", "warning"),
    ]
    assert "'BRV' ends on 31 March 2027, within Q1 2027" in warned[0].message
    assert "'DLT' ended on 31 December 2026 and renewed automatically" in warned[1].message
    assert report.valid
    # reviewing Q3 2026: DLT renews itself within Q4 2026 (nothing ends), BRV ends later
    assert not [p for p in validate_inputs(CONFIG, [DATA], quarter=QUARTER).problems if "contract" in p.code]


def test_a_plan_that_outlives_the_contract_tells_the_partner(tmp_path):
    # BRV's contract ends 31 Jan 2027 without auto-renewal: before the plan's final review (5 Mar 2027)
    config, _ = programme_with(tmp_path, "end: 2027-03-31", "end: 2027-01-31")
    common = ["--config", str(config), "--data", str(DATA), "--quarter", "2026-Q3", "--as-of", AS_OF.isoformat()]
    for audience in ("partner", "internal"):
        out = tmp_path / audience
        args = ["--partner", "BRV", "--audience", audience, "--format", "html", "--out", str(out)]
        result = run("pip", *common, *args)
        assert result.exit_code == 0, result.output
        html = (out / "2026-Q3" / f"pip-BRV-{audience}.html").read_text(encoding="utf-8")
        text = flat(re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'")
        assert (
            "The contract ends on 31 January 2027 and does not renew automatically: that is 33 days before this "
            "plan's final review on 5 March 2027. Unless a renewal or an extension is agreed, the plan ends with "
            "the contract" in text
        ), audience


# --- 3. documents that know their state ----------------------------------------------------------


def test_an_ended_plan_is_an_outcome_report_never_a_request_to_sign(documents):
    # ECH's Q2 plan had its final review on 5 Oct 2026; the build of 15 Oct follows it up
    for audience in ("partner", "internal"):
        text = documents[f"pip-ECH-{audience}"]
        assert text.startswith("HELIOS ENERGY RETAIL · CUSTOMER CARE OUTSOURCING Improvement-Plan Outcome Report")
        assert "What was asked, what happened, what follows" in text
        for request in ("acknowledge by", "Acknowledgment due", "asked to sign", "Your response", "root cause"):
            assert request not in text, (audience, request)
        assert (
            "Average handle time met this plan's interim target (436 s against 467 s); the 420 s contract target "
            "is still missed" in text
        )
        assert "The plan is closed: its targets for this plan were met. Average handle time is still short" in text
    # a plan still running asks for the acknowledgment as before
    assert "The partner is asked to sign by 22 October 2026" in documents["pip-CRN-partner"]


def test_met_says_against_which_target_wherever_a_plan_is_named(world):
    config, data = world
    facts = run_facts(config, data, QUARTER, AS_OF)
    ech = facts["ECH"]
    line = ech.plan_line
    assert line is not None and line.text == (
        "Q2 2026 plan met (the plan's interim 467 s for Average handle time; the 420 s contract target is still "
        "missed) at the final review, 5 Oct 2026"
    )
    (sentence,) = ech.plan_sentences
    assert "ended with its targets met (the plan's interim 467 s for Average handle time; the 420 s" in sentence


# --- 4. overdue start-by dates, business-day due dates, one set of next steps ---------------------


def test_a_start_by_date_already_past_is_overdue(world, tmp_path):
    from govdocs.data.assessment import load_assessment
    from govdocs.planning.offboarding import readiness

    config, _ = world
    brv = config.partner("BRV")
    review = load_assessment(EXAMPLES / "assessments" / "BRV.yaml", "BRV", config)
    ready = readiness(config.offboarding, review, brv.contract, AS_OF)
    # a 30-week chain back from 31 Mar 2027: it had to start on 2 Sep 2026, 43 days before 15 Oct
    assert ready.start_by == date(2026, 9, 2) and ready.overdue_days == 43
    assert all(r.overdue_days == max((AS_OF - r.start_by).days, 0) for r in ready.rows if r.start_by)
    assert readiness(config.offboarding, review, brv.contract, date(2026, 9, 1)).overdue_days == 0
    args = ["--config", str(CONFIG), "--data", str(DATA), "--quarter", "2026-Q3", "--as-of", AS_OF.isoformat()]
    args += ["--partner", "BRV", "--assessments", str(EXAMPLES / "assessments" / "BRV.yaml")]
    result = run("offboarding", *args, "--format", "html", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    text = flat(re.sub(r"<[^>]+>", " ", (tmp_path / "2026-Q3" / "offboarding-BRV-internal.html").read_text()))
    assert "it had to start by 2 September 2026: that start is overdue by 43 days" in text
    assert "must start by 2 September 2026" not in text
    assert "2 Sep 2026, overdue by 43 days" in text


@pytest.mark.parametrize("offset", range(0, 21, 3))
def test_generated_next_step_dates_fall_on_business_days(world, offset):
    from govdocs.documents.qbr_follow_up import next_step_rows

    config, data = world
    as_of = AS_OF + timedelta(days=offset)
    business = BusinessCalendar.from_settings(config.pip, range(2026, 2029))
    facts = run_facts(config, data, QUARTER, as_of)
    for partner in facts:
        for internal in (True, False):
            for step in next_step_rows(facts[partner], None, config, as_of, internal):
                assert business.is_business_day(step.due), (partner, internal, step)


def test_the_qbr_states_the_dates_of_the_plan_issued_in_the_same_run(documents):
    # CRN's plan is issued on 15 Oct, starts 16 Oct and is to be signed by 22 Oct: the QBR says the same
    for audience in ("partner", "internal"):
        qbr = documents[f"qbr-CRN-{audience}"]
        assert "Agree a performance-improvement plan" not in qbr
        assert (
            "Sign the performance-improvement plan on Service level, Average speed of answer, Abandonment rate "
            "and Agent attrition (annualised): it starts on 16 October 2026, its final review is on 14 April 2027 "
            "Priya Raman 22 Oct 2026" in qbr
        )
    assert "16 October 2026 – 14 April 2027" in documents["pip-CRN-partner"]
    assert "sign by 22 October 2026" in documents["pip-CRN-partner"]
    # CRN's offboarding step is due on its assessment's decide-by date (2 Dec 2026), not on the
    # routine 15 Oct + 30 days (Saturday 14 Nov, moved to Monday 16 Nov without an assessment)
    assert "2 Dec 2026 Governance rule: offboarding review" in documents["qbr-CRN-internal"]
    assert "14 Nov 2026" not in documents["qbr-CRN-internal"]


def test_validate_warns_about_a_human_due_date_on_a_non_business_day(tmp_path):
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    text = (EXAMPLES / "inputs" / "BRV.yaml").read_text(encoding="utf-8")
    assert text.count("due: 2026-10-30") == 1
    (inputs / "BRV.yaml").write_text(text.replace("due: 2026-10-30", "due: 2026-10-31"), encoding="utf-8")
    line = text[: text.index("due: 2026-10-30")].count("\n") + 1
    report = validate_inputs(CONFIG, [DATA], inputs, QUARTER)
    (warning,) = [p for p in report.problems if p.code == "inputs.due_not_business_day"]
    assert str(warning) == (
        f"{inputs / 'BRV.yaml'}:{line}: next_steps[0].due: warning: due 2026-10-31 is a Saturday (weekend), not a "
        "business day: the business day before is 2026-10-30, after 2026-11-02 [inputs.due_not_business_day]"
    )
    assert report.valid
    # the example's own dates are all business days
    problems = validate_inputs(CONFIG, [DATA], EXAMPLES / "inputs", QUARTER).problems
    assert not [p for p in problems if p.code == "inputs.due_not_business_day"]


# --- 5. money that adds up ------------------------------------------------------------------------


@pytest.mark.parametrize("annual", ["3100000", "2750000", "950000", "1000000.01", "77"])
@pytest.mark.parametrize("start", [date(2022, 7, 1), date(2025, 6, 15)])
def test_a_contract_years_monthly_fees_add_up_to_the_annual_value(world, annual, start):
    from decimal import Decimal

    from govdocs.commercial import partner_terms

    config, _ = world
    partner = config.partner("CRN")
    contract = partner.contract.model_copy(update={"annual_value": float(annual), "start": start})
    terms = partner_terms(config, partner.model_copy(update={"contract": contract}))
    first = Month(start.year, start.month)
    for offset in (0, 5, 12, 17):  # any 12 consecutive months hold each month of the year once
        fees = [terms.annual_share(first.shift(offset + i)) for i in range(12)]
        assert sum(fees, Decimal(0)) == Decimal(annual), (annual, offset)
        assert max(fees) - min(fees) <= Decimal("0.01")


def test_what_can_be_earned_back_is_what_was_charged_after_the_cap(world):
    from decimal import Decimal

    config, data = world
    facts = run_facts(config, data, QUARTER, AS_OF)
    crn = facts["CRN"].credits
    # September: two clearly red SLAs earn 21,700.00 (satisfaction is not clear: no credit), under the
    # 25,833.33 cap, so all of it was charged and all of it can come back
    (september,) = [m for m in crn.months if str(m.month) == "2026-09"]
    assert september.gross == Decimal("21700.00") and september.net == Decimal("21700.00")
    assert september.open_earn_back == Decimal("21700.00")
    assert crn.trailing_totals.open_earn_back == Decimal("21700.00")
    # ECH's March: 6,333.33 earned, 4,433.33 charged after the cap: what can come back is bounded by that
    (march,) = [m for m in facts["ECH"].credits.months if str(m.month) == "2026-03"]
    assert march.gross == Decimal("6333.33") and march.net == Decimal("4433.33")
    for partner in facts:
        statement = facts[partner].credits
        for month in statement.months if statement else ():
            assert month.open_earn_back <= month.net, (partner, month.month)


def test_the_cost_of_leaving_counts_applicable_items_in_the_order_a_transition_runs(world):
    from govdocs.exit_cost import dependency_order, exit_cost

    config, _ = world
    crn = config.partner("CRN")
    clock = run_facts(config, world[1], QUARTER, AS_OF)["CRN"].clock
    cost = exit_cost(config, crn, clock, None, frozenset({"customer_communication"}))
    labels = [line.label for line in cost.leaving]
    assert "Customer communication" not in labels
    assert "Customer communication" in [line.label for line in exit_cost(config, crn, clock, None).leaving]
    order = [item.id for item in dependency_order(config.offboarding.checklist)]
    position = {item_id: i for i, item_id in enumerate(order)}
    for item in config.offboarding.checklist:
        assert all(position[before] < position[item.id] for before in item.after), item.id
    named = {item.label: item.id for item in config.offboarding.checklist}
    ids = [line.item_id for line in cost.leaving]
    assert ids == [named.get(label, "parallel_run") for label in labels]
    assert ids == sorted(ids, key=position.__getitem__)


def test_validate_warns_when_monthly_fees_do_not_add_up_to_the_annual_value(tmp_path):
    config, _ = programme_with(tmp_path, "annual_value: 1302000 ", "annual_value: 1300000 ")
    (warning,) = [p for p in validate_inputs(config, [DATA]).problems if p.code == "config.fees_not_annual_value"]
    assert warning.severity == "warning" and warning.location.path == "partners[3].commercial.fees"
    assert "'DLT': 12 monthly fees of EUR 108,500 come to EUR 1,302,000, not the contract's annual value" in (
        warning.message
    )


# --- 6. provenance that is true ----------------------------------------------------------------------


def test_a_plan_states_the_rows_it_was_built_from(world, documents):
    from govdocs.documents.common import partner_fingerprint

    config, data = world
    for partner in ("CRN", "ECH"):
        for audience in ("partner", "internal"):
            text = documents[f"pip-{partner}-{audience}"]
            assert not re.search(r"\b0 rows", text) and "e3b0c44298fc" not in text, (partner, audience)
    # CRN's plan: the twelve months behind it (Oct 2025 - Sep 2026), the data's last month
    months = [Month(2025, 10).shift(i) for i in range(12)]
    fingerprint = partner_fingerprint(data, "CRN", months)
    assert fingerprint.rows == 96
    assert (
        f"Rows used {fingerprint.rows} rows for CRN, Oct 2025 – Sep 2026 {fingerprint.sha256[:12]}"
        in documents["pip-CRN-partner"]
    )
    # the QBR of the same run hashes the same rows
    assert (
        f"{fingerprint.rows} rows for CRN, Oct 2025 – Sep 2026 {fingerprint.sha256[:12]}"
        in documents["qbr-CRN-partner"]
    )


def test_a_plans_length_is_counted_to_the_final_review_as_held(world):
    config, data = world
    # a final review planned on a Saturday moves to Monday: the plan is two days longer than planned
    assessment = assess_portfolio(config, data, QUARTER, AS_OF)["BRV"]
    plan = build_plan(
        config=config,
        assessment=assessment,
        issued=AS_OF,
        start=None,
        with_actions=False,
        final_review=date(2027, 2, 27),
    )
    assert plan.final_review.day == date(2027, 3, 1) and plan.final_review.moved
    assert plan.length_days == (date(2027, 3, 1) - date(2026, 10, 16)).days == 136


def test_the_transition_sequence_and_the_assessment_agree(world, documents):
    from govdocs.data.assessment import load_assessment
    from govdocs.planning.offboarding import readiness

    config, _ = world
    crn = config.partner("CRN")
    review = load_assessment(EXAMPLES / "assessments" / "CRN.yaml", "CRN", config)
    rows = {r.item_id: r for r in readiness(config.offboarding, review, crn.contract, AS_OF).rows}
    # the parallel run waits for our own readiness (blocked: no budget for it): readiness starts first
    assert rows["internal_readiness"].start_by < rows["parallel_run"].start_by
    # knowledge transfer is under way though the replacement it comes after is not chosen: said so
    assert rows["knowledge_transfer"].early_before == ("Replacement partner identified",)
    # access revocation is marked done while the parallel run it comes after has not started
    assert rows["access_revocation"].early_before == ("Parallel run",)
    assert [r.item_id for r in rows.values() if r.early_before] == ["knowledge_transfer", "access_revocation"]
    assert (
        "complaints pending; in progress before Replacement partner identified is finished, though it comes after it."
        in documents["offboarding-CRN-internal"]
    )
