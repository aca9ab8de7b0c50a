"""Performance-improvement plans: dates on business days, the glide path, SMART refusals,
progress and outcome, the calendar file, and the PDF a partner receives."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays
import pytest
from click.testing import CliRunner
from conftest import AS_OF, CONFIG, DATA, INPUTS, ROOT, flat, pdf_text
from icalendar import Calendar

from govdocs.cli import cli
from govdocs.config import load_config
from govdocs.config.model import Cadence, PipSettings
from govdocs.data.actions import load_proposed_actions
from govdocs.data.loader import load_kpi_data
from govdocs.documents.common import Audience
from govdocs.errors import ExitCode, GovdocsError
from govdocs.facts import assess_portfolio
from govdocs.periods import Quarter
from govdocs.pipeline import PipRequest, render_pips
from govdocs.planning.calendar import BusinessCalendar, plan_dates
from govdocs.planning.pip import Outcome, build_plan, plan_outcome, plan_progress
from govdocs.render.ics import plan_calendar

ACTIONS = ROOT / "examples" / "actions"


def settings(**changes) -> PipSettings:
    return PipSettings(**{"holiday_country": "NL", "extra_holidays": [date(2026, 12, 24)], **changes})


def business(s: PipSettings) -> BusinessCalendar:
    return BusinessCalendar.from_settings(s, range(2025, 2029))


# --- dates -----------------------------------------------------------------------------------


def test_weekend_check_in_moves_to_monday():
    s = settings(cadence=Cadence.MONTHLY, duration_days=90)
    checkins, _ = plan_dates(date(2026, 1, 30), s, business(s))
    # 28 Feb 2026 (30 Feb does not exist) is a Saturday -> Monday 2 March
    assert checkins[0].planned == date(2026, 2, 28)
    assert checkins[0].day == date(2026, 3, 2)
    assert business(s).why_not(checkins[0].planned) == "weekend"


def test_holiday_and_year_end():
    s = settings(cadence=Cadence.FORTNIGHTLY, duration_days=90)
    checkins, final = plan_dates(date(2026, 12, 10), s, business(s))
    days = [c.day for c in checkins]
    # 24 Dec (configured), 25 and 26 Dec (Christmas), 27 Dec (Sunday): the check-in moves to 28 Dec
    assert checkins[0].planned == date(2026, 12, 24) and checkins[0].day == date(2026, 12, 28)
    assert business(s).why_not(date(2026, 12, 24)) == "configured non-business day"
    assert date(2027, 1, 7) in days  # the plan runs on into the new year
    assert final.planned == date(2027, 3, 10) and final.day == date(2027, 3, 10)
    assert all(day.weekday() < 5 for day in [*days, final.day])
    assert all(a < b for a, b in zip(days, days[1:], strict=False)) and days[-1] < final.day


def test_final_review_on_a_holiday_moves_and_business_day_cadence_skips_holidays():
    s = settings(cadence=Cadence.BUSINESS_DAYS, every_business_days=5, duration_days=35)
    checkins, final = plan_dates(date(2026, 3, 30), s, business(s))
    # 30 Mar + 35 days = 4 May 2026, a Monday and not a holiday; Good Friday 3 Apr and
    # Easter Monday 6 Apr are skipped when counting five business days from 30 Mar
    assert checkins[0].day == date(2026, 4, 8)
    assert final.day == date(2026, 5, 4)
    king = settings(duration_days=28)
    _, king_final = plan_dates(date(2026, 3, 30), king, business(king))
    assert king_final.planned == date(2026, 4, 27) and king_final.day == date(2026, 4, 28)  # King's Day


# --- the plan ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world():
    config = load_config(CONFIG)
    data = load_kpi_data([DATA], [k.id for k in config.kpis])
    return config, data


def brv_plan(world, proposed=(), source=""):
    config, data = world
    assessment = assess_portfolio(config, data, Quarter(2026, 3), AS_OF)["BRV"]
    return build_plan(
        config=config, assessment=assessment, issued=AS_OF, start=None, proposed=proposed, proposed_source=source
    )


def test_objective_baseline_gap_and_glide_path(world):
    plan = brv_plan(world)
    assert plan.start == date(2026, 10, 16)  # first business day after 15 Oct
    (objective,) = plan.objectives
    assert objective.kpi.id == "service_level"
    assert objective.baseline == pytest.approx(100 * 1989 / 2747) and str(objective.baseline_month) == "2026-09"
    assert round(objective.gap, 1) == 7.6
    final = plan.final_review.day
    assert plan.checkins[-1].is_final and plan.checkins[-1].expected == (80.0,)
    middle = plan.start + (final - plan.start) / 2
    assert objective.expected_on(middle, plan.start, final) == pytest.approx((objective.baseline + 80.0) / 2)  # 76.2
    expected = [c.expected[0] for c in plan.checkins]
    assert expected == sorted(expected)  # higher is better: the path only rises


def test_lower_is_better_glides_down(world):
    config, data = world
    assessment = assess_portfolio(config, data, Quarter(2026, 3), AS_OF)["CRN"]
    plan = build_plan(config=config, assessment=assessment, issued=AS_OF, start=None)
    asa = plan.objectives[[o.kpi.id for o in plan.objectives].index("asa")]
    values = [c.expected[plan.objectives.index(asa)] for c in plan.checkins]
    assert values == sorted(values, reverse=True) and values[-1] == 30


def test_acknowledgment_and_client_commitment(world):
    plan = brv_plan(world)
    assert plan.acknowledge_by == date(2026, 10, 22)  # five business days after 15 Oct 2026
    client = [a for a in plan.actions if a.side.value == "client"]
    assert [a.ref for a in client] == ["SL-FCST-1"] and client[0].owner == "Helios Workforce Planning"


def write_actions(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "actions.yaml"
    path.write_text("actions:\n" + body, encoding="utf-8")
    return path


COMPLETE = {
    "id": "A1",
    "objective": "service_level",
    "action": "Run intraday re-forecasting twice a day and move breaks",
    "metric": "Days with both re-forecasts",
    "threshold": "'>= 95%'",
    "owner": "Daniel Okafor",
    "due": "2026-11-20",
}


def action_yaml(**changes) -> str:
    fields = {**COMPLETE, **changes}
    lines = [f"    {k}: {v}" for k, v in fields.items() if v is not None]
    return "  -\n" + "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("action", "no action text"),
        ("metric", "no metric that measures it"),
        ("threshold", "no threshold for the metric"),
        ("owner", "no owner"),
        ("due", "no due date"),
        ("objective", "no objective (KPI id) it serves"),
    ],
)
def test_each_missing_smart_field_is_refused(world, tmp_path: Path, field, message):
    path = write_actions(tmp_path, action_yaml() + action_yaml(id="A2", **{field: None}))
    with pytest.raises(GovdocsError) as caught:
        brv_plan(world, load_proposed_actions(path), str(path))
    problems = caught.value.problems
    assert len(problems) == 1  # one line per offending action; A1 is fine
    assert str(problems[0]) == f"{path}:11: actions[1]: action 'A2' is not SMART: {message} [pip.not_smart]"
    assert caught.value.exit_code is ExitCode.INPUTS


def test_vague_late_and_foreign_actions_are_refused_together(world, tmp_path: Path):
    path = write_actions(
        tmp_path,
        action_yaml(id="V", action="Improve service level")
        + action_yaml(id="L", due="2027-03-08")
        + action_yaml(id="F", objective="cast", metric=None),
    )
    with pytest.raises(GovdocsError) as caught:
        brv_plan(world, load_proposed_actions(path), str(path))
    lines = [p.message for p in caught.value.problems]
    assert len(lines) == 3
    assert "action text too vague" in lines[0]
    # 140 days, not 90: at 2.0 pp a month, service level needs until February to reach 80%, and
    # February's data is available on 5 March (five business days after the month ends)
    assert "due 2027-03-08 is outside the plan (2026-10-16 to 2027-03-05)" in lines[1]
    assert "no metric that measures it; objective 'cast' is not an objective of this plan" in lines[2]


def test_an_action_for_a_programme_kpi_outside_the_plan_is_set_aside_not_refused(world, tmp_path: Path):
    # an actions file kept across quarters: BRV's plan has service level only; its CSAT action
    # waits for a later plan, named in the internal copy, instead of refusing the whole plan
    path = write_actions(tmp_path, action_yaml() + action_yaml(id="C9", objective="csat"))
    plan = brv_plan(world, load_proposed_actions(path), str(path))
    assert [a.ref for a in plan.actions if a.source == str(path)] == ["A1"]
    assert [a.fields.id for a in plan.set_aside] == ["C9"]


def test_csv_actions_report_their_line(world, tmp_path: Path):
    path = tmp_path / "actions.csv"
    path.write_text(
        "id,objective,action,metric,threshold,owner,due\n"
        "C1,service_level,Run intraday re-forecasting twice a day,Days logged,>= 95%,Daniel Okafor,2026-11-20\n"
        "C2,service_level,Coach every agent below adherence target weekly,,>= 92%,,2026-11-20\n",
        encoding="utf-8",
    )
    with pytest.raises(GovdocsError) as caught:
        brv_plan(world, load_proposed_actions(path), str(path))
    assert str(caught.value) == (
        f"{path}:3: action 'C2' is not SMART: no metric that measures it; no owner [pip.not_smart]"
    )


def test_partner_actions_replace_library_ones(world):
    path = ACTIONS / "BRV.csv"
    plan = brv_plan(world, load_proposed_actions(path), str(path))
    refs = [a.ref for a in plan.actions]
    assert {"BRV-1", "BRV-2", "BRV-3", "SL-WFM-1", "SL-ADH-1", "SL-FCST-1"} == set(refs)


def test_objective_without_partner_action_is_refused(world, tmp_path: Path):
    config, data = world
    text = CONFIG.read_text(encoding="utf-8")
    start = text.index("  - id: SL-WFM-1")
    end = text.index("  - id: SL-FCST-1")
    changed = tmp_path / "governance.yaml"
    changed.write_text(text[:start] + text[end:], encoding="utf-8")  # both partner actions for service level
    result = CliRunner().invoke(
        cli,
        [
            "pip",
            "--config",
            str(changed),
            "--data",
            str(DATA),
            "--quarter",
            "2026-Q3",
            "--partner",
            "BRV",
            "--out",
            str(tmp_path / "out"),
            "--as-of",
            "2026-10-15",
        ],
    )
    assert result.exit_code == 5
    assert (
        f"error: {changed}: action_library: objective 'service_level' (Service level) has no partner action"
        in result.output
    )
    assert not (tmp_path / "out").exists()


# --- progress and outcome --------------------------------------------------------------------


def ech_plan(world, as_of=AS_OF):
    config, data = world
    assessment = assess_portfolio(config, data, Quarter(2026, 2), AS_OF)["ECH"]
    path = ACTIONS / "ECH.yaml"
    return build_plan(
        config=config,
        assessment=assessment,
        issued=as_of,
        start=date(2026, 7, 6),
        proposed=load_proposed_actions(path),
        proposed_source=str(path),
        final_review=date(2026, 10, 5),  # as issued, on record in the config
    )


def test_progress_against_the_glide_path(world):
    _, data = world
    plan = ech_plan(world)
    rows = plan_progress(plan, data, AS_OF)
    assert len(rows) == len(plan.checkins)  # every meeting, final review included, was held by 15 Oct
    statuses = [(str(r.cells[0].month), r.cells[0].status) for r in rows]
    # July's data is available on 7 August: the check-in on 3 August still reviews June
    assert statuses[:2] == [("2026-06", "before_plan")] * 2
    assert ("2026-07", "insufficient_sample") in statuses  # 397 calls < 500: judges nothing
    # September's data arrives on 7 October: the final review on 5 October judges August
    assert statuses[-1] == ("2026-08", "on_track")
    assert rows[-1].cells[0].actual == 436


def test_outcome_met_not_met_and_in_progress(world):
    config, data = world
    plan = ech_plan(world)
    assert plan_outcome(plan, data, date(2026, 9, 1), 1).outcome is Outcome.IN_PROGRESS
    result = plan_outcome(plan, data, AS_OF, 1)
    assert result.outcome is Outcome.MET and str(result.decided_on[0]) == "2026-08"
    # 485 s to 420 s at 10 s a month does not fit in the 91 days issued, whose final review judges
    # August: the plan asks for 467 s by the end of August
    (aht,) = plan.objectives
    assert aht.split and aht.target == 467 and aht.kpi.target == 420
    # two months sustained: July (low sample) decides nothing, so the outcome stays undecided
    assert plan_outcome(plan, data, AS_OF, 2).outcome is Outcome.NO_DATA
    crn = build_plan(
        config=config,
        assessment=assess_portfolio(config, data, Quarter(2026, 1), AS_OF)["CRN"],
        issued=date(2026, 4, 1),
        start=date(2026, 4, 6),
        final_review=date(2026, 7, 6),
    )
    assert plan_outcome(crn, data, AS_OF, 1).outcome is Outcome.NOT_MET


def test_outcome_without_data_decides_nothing(world):
    config, data = world
    assessment = assess_portfolio(config, data, Quarter(2026, 2), AS_OF)["DLT"]
    # final review 7 Sep 2026: August decides, and Delta has no data at all for August
    plan = build_plan(
        config=config,
        assessment=assessment,
        issued=date(2026, 6, 1),
        start=date(2026, 6, 8),
        extra_kpis=("aht",),
        final_review=date(2026, 9, 7),
    )
    assert plan.final_review.day == date(2026, 9, 7)
    result = plan_outcome(plan, data, AS_OF, 1)
    assert result.outcome is Outcome.NO_DATA
    assert result.objectives[0].met is None
    # two months: July is measured (450 s against 420 s) and a measured miss is a miss
    assert plan_outcome(plan, data, AS_OF, 2).outcome is Outcome.NOT_MET


# --- calendar file -----------------------------------------------------------------------


def test_ics_reads_back_with_stable_uids(world):
    config, _ = world
    plan = brv_plan(world)
    parsed = Calendar.from_ical(plan_calendar(plan, config, "PIP-TEST"))
    events = parsed.walk("VEVENT")
    assert len(events) == len(plan.checkins)
    assert [e.decoded("dtstart").date() for e in events] == [c.when.day for c in plan.checkins]
    assert events[-1]["summary"] == "Improvement plan final review: Bravo CX Partners"
    # 10:00 in the plan's zone, written with its TZID (not how the library prints a tzinfo)
    amsterdam = datetime.combine(plan.checkins[0].when.day, time(10, 0), tzinfo=ZoneInfo("Europe/Amsterdam"))
    start = events[0].decoded("dtstart")
    assert start == amsterdam and start.utcoffset() == amsterdam.utcoffset() and start.hour == 10
    assert events[0]["dtstart"].params.get("TZID") == "Europe/Amsterdam"
    attendees = sorted(str(a) for a in events[0].get("attendee"))
    assert attendees == ["mailto:d.okafor@bravocx.example", "mailto:tom.achterberg@helios.example"]
    # re-issued a week later with the same start: the same UIDs, so calendars update in place
    config_, data = world
    assessment = assess_portfolio(config_, data, Quarter(2026, 3), AS_OF)["BRV"]
    reissued = build_plan(config=config_, assessment=assessment, issued=date(2026, 10, 22), start=plan.start)
    again = Calendar.from_ical(plan_calendar(reissued, config, "PIP-TEST-2")).walk("VEVENT")
    assert [str(e["uid"]) for e in again] == [str(e["uid"]) for e in events]


# --- documents ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pips(tmp_path_factory, brv_plans):
    """BRV's Q3 plan (partner copy, issued by name: conftest.brv_plans) and ECH's Q2 plan."""
    out = tmp_path_factory.mktemp("pip")
    common = dict(
        config_path=CONFIG,
        data_paths=(DATA,),
        audience=Audience.PARTNER,
        out_dir=out,
        fmt="pdf",
        inputs_dir=INPUTS,
        extra_kpis=(),
        as_of=AS_OF,
    )
    ech, _ = render_pips(
        PipRequest(
            quarter=Quarter(2026, 2),
            partner_ids=("ECH",),
            actions=ACTIONS / "ECH.yaml",
            start=date(2026, 7, 6),
            **common,
        )
    )
    return brv_plans / "pip-BRV-partner.pdf", ech[0].path


def test_plan_pdf_states_numbers_dates_and_consequences(pips):
    text = flat(pdf_text(pips[0]))
    assert "Performance-Improvement Plan" in text and "Bravo CX Partners" in text
    assert "72.4% Sep 2026 74.1% 80.0% raise by 7.6 pp" in text
    # the holiday by its English name, in the holidays library's words (never the locale's language)
    country = load_config(CONFIG).pip.holiday_country
    christmas = holidays.country_holidays(country, years=2026, language="en_US")[date(2026, 12, 25)]
    assert f"28 Dec 2026 moved from 25 Dec 2026 ({christmas})" in text
    # February's data is available on 5 March: the final review that judges it is held that day
    assert "Final review chair: Tom Achterberg 5 Mar 2027 Feb 2027 80.0%" in text
    assert "Share the interval-level volume forecast" in text  # the client's own commitment
    assert "sign by 22 October 2026" in text
    assert "moves to an offboarding review" in text


def test_plan_with_progress_shows_outcome(pips):
    text = flat(pdf_text(pips[1]))
    assert "Outcome: Met" in text
    # The plan on record (91 days as issued) asks for the stage the achievable rate allows.
    assert "Average handle time met this plan's interim target (436 s against 467 s)" in text
    assert (
        "Average handle time: the 420 s target cannot be reached by the end of Aug 2026 at 10 s a month, so this "
        "plan asks for 467 s by then; the 420 s target stays, about 4.7 months further at that rate." in text
    )
    assert "instead of the standard" not in text  # its length is the one it was issued with
    assert "452 s / 477 s Low sample" in text
    assert "issued 3 July 2026 · status as of 15 October 2026" in text


def test_pip_all_skips_with_reasons_and_writes_calendars(tmp_path: Path):
    result = CliRunner().invoke(
        cli,
        [
            "pip",
            "--config",
            str(CONFIG),
            "--data",
            str(DATA),
            "--inputs",
            str(INPUTS),
            "--quarter",
            "2026-Q3",
            "--all",
            "--as-of",
            "2026-10-15",
            "--format",
            "html",
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "skipped ATL: escalation status none in 2026-Q3: no plan called for" in lines
    assert "skipped DLT: escalation status none in 2026-Q3: no plan called for" in lines
    # BRV: its August is relieved and its score's trigger is provisional (issue 32): watch, no plan
    assert "skipped BRV: escalation status watch in 2026-Q3: no plan called for" in lines
    written = sorted(p.name for p in (tmp_path / "2026-Q3").iterdir() if not p.name.startswith("."))  # not the journal
    assert written == ["pip-CRN-partner.html", "pip-CRN.ics"]


def test_actions_file_needs_one_partner(tmp_path: Path):
    result = CliRunner().invoke(
        cli,
        [
            "pip",
            "--config",
            str(CONFIG),
            "--data",
            str(DATA),
            "--quarter",
            "2026-Q3",
            "--all",
            "--actions",
            str(ACTIONS / "BRV.csv"),
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 2
    assert "one actions file serves one partner" in result.output


def test_partner_plans_name_no_other_partner(pips):
    names = [
        "Atlas Contact Solutions",
        "Bravo CX Partners",
        "Cornerstone BPO",
        "Delta Digital Care",
        "Echo Offshore Services",
    ]
    for path, own in zip(pips, ["Bravo CX Partners", "Echo Offshore Services"], strict=True):
        text = pdf_text(path)
        assert own in text
        assert [n for n in names if n != own and n in text] == []


def test_action_text_is_printed_not_interpreted(world, tmp_path: Path):
    path = write_actions(
        tmp_path, action_yaml(action='"Coach <b>every</b> agent <img src=http://example.com/x.png> weekly"')
    )
    out = tmp_path / "out"
    common = dict(
        config_path=CONFIG,
        data_paths=(DATA,),
        audience=Audience.PARTNER,
        out_dir=out,
        fmt="pdf",
        inputs_dir=None,
        extra_kpis=(),
        as_of=AS_OF,
    )
    written, _ = render_pips(
        PipRequest(quarter=Quarter(2026, 3), partner_ids=("BRV",), actions=path, start=None, **common)
    )
    text = "".join(pdf_text(written[0].path).split())  # the cell wraps inside the URL
    assert "Coach<b>every</b>agent<imgsrc=http://example.com/x.png>weekly" in text
