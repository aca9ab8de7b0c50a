"""Fair both ways (issue 32, points 4-7): uncertainty, relief, trends and the ladder's rules.

- One rule for uncertainty: a status needs its whole 95% interval in its band, a failure as much
  as a pass (CRN's September CSAT, 77.8% of 514 surveys against an 80% floor, is not clear: no
  failure, no credit), unless the config says `pass_only`; the page says which rule applies.
- A trigger holds only whatever the unclear results turn out to be: BRV's 62.0 (CSAT and FCR at their
  measured values) has a range of 56.0–68.0 reaching below the plan threshold of 60, so it is provisional.
- Relief is one fact: BRV's August service level, red with volume 23% over forecast, is in no
  failure count, red run, credit or control split.
- A trend is one fact: the offboarding evidence and the QBR's panel state the same word.
- Every printed ladder rule fires, over the whole score history; a month without data is a
  finding and a data-delivery next step.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
import yaml
from conftest import AS_OF, CONFIG, DATA, QUARTER, flat, pdf_text

from govdocs.config.loader import load_config
from govdocs.config.model import Direction, Kpi, Uncertainty
from govdocs.data.loader import load_kpi_data
from govdocs.documents.common import fairness_rules
from govdocs.documents.qbr_appendix import scoring_rules
from govdocs.documents.qbr_follow_up import control_section, next_step_rows
from govdocs.documents.qbr_summary import improvements
from govdocs.facts import run_facts
from govdocs.periods import Month, Quarter
from govdocs.planning.offboarding import gather_evidence
from govdocs.scoring.arrays import month_status, unclear_points
from govdocs.scoring.engine import Escalation, decide
from govdocs.scoring.results import Status, weighted_score
from govdocs.scoring.trend import TrendWord, kpi_trend
from govdocs.watermelon import watermelon_rows

CSAT = Kpi(
    id="csat",
    name="Customer satisfaction",
    definition="Top-two box.",
    unit="percent",
    direction=Direction.HIGHER,
    target=85,
    floor=80,
    weight=15,
    min_sample=100,
    proportion=True,
)


@pytest.fixture(scope="module")
def example():
    config = load_config(CONFIG)
    data = load_kpi_data([DATA], [k.id for k in config.kpis])
    return config, data, run_facts(config, data, QUARTER, AS_OF, CONFIG)


def kpi_of(assessment, kpi_id):
    return next(k for k in assessment.kpis if k.kpi.id == kpi_id)


# --- one rule for uncertainty, both ways ------------------------------------------------------


def test_a_red_whose_interval_reaches_the_floor_is_not_clear() -> None:
    # 77.8% of 514: 95% interval 74.0-81.3%, reaching above the 80% floor
    assert month_status(CSAT, 77.8, 514) is Status.NOT_CLEAR
    assert month_status(CSAT, 77.8, 514, Uncertainty.PASS_ONLY) is Status.RED  # the old rule, when configured
    # an amber that may be red is as unclear as a green that may be amber
    assert month_status(CSAT, 81.0, 500) is Status.NOT_CLEAR
    assert month_status(CSAT, 82.5, 5000) is Status.AMBER  # 81.4-83.5%: wholly amber
    assert month_status(CSAT, 70.0, 2000) is Status.RED  # 67.9-72.0%: wholly red
    # what it may turn out to be: between red (0) and amber (60) points
    # (least, measured, most): the measured 77.8% is red, inside the interval's points
    assert unclear_points(CSAT, 77.8, 514, load_config(CONFIG).scoring) == (0.0, 0.0, 60.0)


def test_an_unclear_red_month_is_no_failure_and_earns_no_credit(example) -> None:
    _, _, facts = example
    crn = facts["CRN"]
    september = kpi_of(crn.assessment, "csat").months[-1]
    assert (round(september.value, 1), september.volume, september.status) == (77.8, 514, Status.NOT_CLEAR)
    assert not [f for f in crn.assessment.failures_12m if f.kpi_id == "csat"]
    sla = next(s for m in crn.credits.months if m.month == Month(2026, 9) for s in m.slas if s.kpi.id == "csat")
    assert (sla.amount, sla.reason) == (0, "not statistically clear: no credit")


def test_a_trigger_that_depends_on_unclear_results_is_provisional(example) -> None:
    _, _, facts = example
    brv = facts["BRV"]
    score = brv.assessment.score
    # the score counts the unclear KPIs at their measured values: inside its range by construction
    assert (score.value, score.low, score.high) == (62.0, 56.0, 68.0)
    assert brv.assessment.decision.level is Escalation.WATCH
    assert brv.new_plan is None and brv.basis is None  # no plan issued on a provisional trigger
    (line,) = brv.assessment.decision.provisional
    # above the threshold at the measured values, below it at the range's bottom: provisional both ways
    assert line.startswith("Score 62.0 (provisional, 56.0–68.0) may be below the improvement-plan threshold of 60")
    # CRN's 25.0 stays below 60 whatever its unclear KPIs are (at most 34.0): a firm trigger
    crn = facts["CRN"].assessment
    firm = "Score 25.0 (provisional, 16.0–34.0) is below the improvement-plan threshold of 60"
    assert crn.score.high < 60 and firm in crn.decision.reasons


# --- relief is one fact -------------------------------------------------------------------------


def test_a_relieved_month_is_no_partner_failure_anywhere(example) -> None:
    config, data, facts = example
    brv = facts["BRV"]
    service = kpi_of(brv.assessment, "service_level")
    august = service.months[1]
    assert august.status is Status.RED and august.relief == "volume 23% over forecast" and not august.failed
    assert service.relieved == (august,)
    assert [(f.kpi_id, f.month) for f in brv.assessment.failures_12m] == [("service_level", Month(2026, 9))]
    assert service.longest_red_run is not None and service.longest_red_run.length == 1
    assert not any("months running" in r for r in brv.assessment.decision.reasons)
    credit = next(
        s for m in brv.credits.months if m.month == Month(2026, 8) for s in m.slas if s.kpi.id == "service_level"
    )
    assert credit.relieved and credit.amount == 0
    evidence = gather_evidence(config, data, brv.assessment, facts.portfolio, None)
    assert evidence.failures == 1 and all(r.length == 1 for r in evidence.red_runs if r.kpi_id == "service_level")
    summary, rows = control_section(brv.assessment, None, config)
    assert "Service level's Aug 2026 is relieved (volume 23% over forecast): no partner failure." in summary
    row = next(r for r in rows if r.name == "Service level")
    assert row.factors == ("Aug 2026 red, relieved: volume 23% over forecast.",)


def test_a_client_factor_that_relieves_a_kpi(tmp_path) -> None:
    """CRN's abandonment from July 2026 relieved by a client factor: three failures fewer, no run
    into the quarter, no credit for it in the quarter."""
    doc = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    doc["client_factors"].append(
        {
            "kpi": "abandonment",
            "factor": "The IVR outage Helios caused.",
            "since": "2026-07",
            "partners": ["CRN"],
            "relieves": True,
        }
    )
    (tmp_path / "governance.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    config = load_config(tmp_path / "governance.yaml")
    data = load_kpi_data([DATA], [k.id for k in config.kpis])
    before = run_facts(load_config(CONFIG), data, QUARTER, AS_OF)["CRN"]
    after = run_facts(config, data, QUARTER, AS_OF)["CRN"]
    assert len(before.assessment.failures_12m) - len(after.assessment.failures_12m) == 3
    abandonment = kpi_of(after.assessment, "abandonment")
    assert all(m.relief == "client cause: The IVR outage Helios caused" for m in abandonment.months)
    assert abandonment.longest_red_run is None  # its red run ended in June, before the quarter
    assert not any(r.startswith("Abandonment rate red") for r in after.assessment.decision.reasons)
    credits = [s for m in after.credits.quarter_months for s in m.slas if s.kpi.id == "abandonment"]
    assert credits and all(s.relieved and s.amount == 0 for s in credits)


# --- every printed rule fires -----------------------------------------------------------------


def test_at_risk_anywhere_in_the_score_history_triggers_a_review() -> None:
    """ECH's case: At risk in Q4 2025 and Q1 2026, better since: the rule printed in Appendix B
    (At risk two quarters running) is a review trigger in Q3 2026 too."""
    config = load_config(CONFIG)
    at_risk, healthy = weighted_score([(1, 0.0)], config.scoring), weighted_score([(1, 100.0)], config.scoring)
    quarters = [Quarter(2025, 4), Quarter(2026, 1), Quarter(2026, 2), Quarter(2026, 3)]
    history = tuple(zip(quarters, (at_risk, at_risk, healthy, healthy), strict=True))
    decision = decide(config, (), healthy, history, (), QUARTER)
    assert decision.level is Escalation.OFFBOARDING_REVIEW
    assert decision.reasons == ("Tier At risk in Q4 2025 and Q1 2026",)
    # At risk at the range's bottom, not its top (counted best, the score reaches 75): provisional
    unsure = weighted_score([(1, 0.0)], config.scoring, 3.0, [(3, 0.0, 0.0, 100.0)])
    assert unsure.value == 0.0 and unsure.high == 75.0
    history = tuple(zip(quarters, (unsure, unsure, healthy, healthy), strict=True))
    decision = decide(config, (), healthy, history, (), QUARTER)
    assert decision.level is Escalation.NONE
    assert decision.provisional[0].startswith("Tier At risk in Q4 2025 and Q1 2026 only for some outcomes")


def test_every_escalation_rule_the_appendix_prints_fires(example) -> None:
    """Appendix B's ladder, rule by rule: each has a partner of the example it fires for."""
    config, _, facts = example
    printed = " ".join(scoring_rules(config))
    fired = {
        "watch": r"red in \w{3}",
        "red run": r"red \d+ months running",
        "score": r"^Score \d+\.\d(?: \(provisional, [\d.]+–[\d.]+\))? is below the improvement-plan threshold",
        "failures": r"^\d+ failures \(red months of contractual KPIs",
        "ended plan": r"ended with its targets not met",
    }
    reasons = [r for f in facts.values() for r in f.assessment.decision.reasons]
    for rule, pattern in fired.items():
        assert any(re.search(pattern, r) for r in reasons), rule
    assert "watch when any KPI is red in the quarter" in printed
    assert "At risk 2 quarters running in any of the quarters the score chart shows" in printed


# --- one trend, one fact ----------------------------------------------------------------------


def test_the_satisfaction_trend_is_one_fact(example) -> None:
    config, data, facts = example
    for pid in ("BRV", "CRN"):
        assessment = facts[pid].assessment
        trend = kpi_of(assessment, "csat").trend
        evidence = gather_evidence(config, data, assessment, facts.portfolio, None)
        detail = next(i.detail for i in evidence.items if i.key == "satisfaction")
        assert detail.startswith(f"Customer satisfaction {trend.word} (")
        assert evidence.satisfaction_trend == trend.slope
        panel = [r.text for r in watermelon_rows(config, assessment) if r.outcome == "Customer satisfaction"]
        for text in panel:
            if "held at" in text:
                assert f": {trend.word} (" in text
    brv = kpi_of(facts["BRV"].assessment, "csat").trend
    assert brv.word is TrendWord.FLAT and round(brv.slope, 1) == -0.4  # the offboarding said "declining"


def test_a_move_within_the_noise_of_its_samples_is_not_clear() -> None:
    from govdocs.scoring.results import QuarterValue

    def q(value: float, n: float) -> QuarterValue:
        return QuarterValue(value, n, 3, Status.AMBER)

    quarters = [Quarter(2025, 4), Quarter(2026, 1), Quarter(2026, 2), Quarter(2026, 3)]
    small = kpi_trend(CSAT, list(zip(quarters, (q(84, 300), q(83, 300), q(82, 300), q(81, 300)), strict=True)))
    assert small.word is TrendWord.NOT_CLEAR and "overlap" in small.noise
    large = kpi_trend(CSAT, list(zip(quarters, (q(84, 9000), q(83, 9000), q(82, 9000), q(81, 9000)), strict=True)))
    assert large.word is TrendWord.DECLINING and "apart" in large.noise


# --- a month without data ---------------------------------------------------------------------


def test_a_month_without_data_is_a_finding_and_a_next_step(example) -> None:
    config, _, facts = example
    dlt = facts["DLT"]
    assert dlt.assessment.score.tier.name == "Strategic"
    findings = [p.text for p in improvements(dlt.assessment, None)]
    assert any(t.startswith("No data delivered for any of the 8 KPIs in Aug 2026") for t in findings), findings
    steps = next_step_rows(dlt, None, config, AS_OF, internal=False)
    (step,) = [s for s in steps if s.origin == "Data-delivery obligation"]
    assert step.action.startswith("Deliver the missing Aug 2026 data for all 8 KPIs")
    assert step.due == date(2026, 10, 26)  # ten days on is Sunday 25 October: the next business day


# --- the page says which rule applies ---------------------------------------------------------


def test_each_document_states_the_uncertainty_rule() -> None:
    config = load_config(CONFIG)
    both = fairness_rules(config)
    assert both[0].startswith("Uncertain results, one rule both ways")
    assert set(both) <= set(scoring_rules(config))
    pass_only = config.model_copy(
        update={"scoring": config.scoring.model_copy(update={"uncertainty": Uncertainty.PASS_ONLY})}
    )
    assert fairness_rules(pass_only)[0].startswith("Uncertain results, the configured rule (pass only)")


def test_the_rendered_documents_say_it(example_build) -> None:
    folder = example_build.out / str(QUARTER)
    for name in ("qbr-BRV-partner.pdf", "pip-CRN-partner.pdf", "offboarding-CRN-internal.pdf"):
        text = flat(pdf_text(folder / name))
        assert "Uncertain results, one rule both ways" in text, name
        assert "Relief: a month relieved for a client cause" in text, name
    brv = flat(pdf_text(folder / "qbr-BRV-partner.pdf"))
    assert (
        "Provisional (no action on its own): Score 62.0 (provisional, 56.0–68.0) may be below the "
        "improvement-plan threshold of 60" in brv
    )
    assert "Aug 2026 red, relieved: volume 23% over forecast." in brv
    assert not (folder / "pip-BRV-partner.pdf").exists()
    dlt = flat(pdf_text(folder / "qbr-DLT-partner.pdf"))
    # DLT's inputs record August's gap as the client's: nothing is asked of the partner (tests/test_data_gaps.py)
    assert "Deliver the missing" not in dlt
    assert "No data for any of the 8 KPIs in Aug 2026, for a cause outside Delta Digital Care's reporting" in dlt
