"""Decide step, once per run: every fact the run's documents state about a partner.

The QBR, the plan, the offboarding assessment, the portfolio summary and the export read a
partner's facts from here (its scored quarter with the escalation status, its contract clock, its
plans on record with their outcomes, the plan this run issues or follows up) and never work one out
on their own, so no two documents can state one fact two ways.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from govdocs.commercial import CreditStatement, credit_statement
from govdocs.config.model import GovernanceConfig, Partner
from govdocs.data.table import KpiData
from govdocs.errors import ExitCode, GovdocsError, Location
from govdocs.gaps import KpiGap, partner_gaps
from govdocs.periods import Quarter
from govdocs.planning.contract import Clock, partner_clock
from govdocs.planning.history import PlanOnRecord, closed_kpis, ended_unmet, plans_on_record
from govdocs.planning.pip import Outcome, Plan, PlanResult, build_plan, plan_kpis
from govdocs.progress import step
from govdocs.qa_review import Calibration, Coaching, partner_qa_review
from govdocs.render.formatters import kpi_value, long_date, short_date
from govdocs.scoring.engine import Escalation, PartnerAssessment, assess_partner
from govdocs.watermelon import WatermelonRow, watermelon_rows

if TYPE_CHECKING:
    import pandas as pd

    from govdocs.raw.engine import QaReviewRows


@dataclass(frozen=True)
class PlanState:
    """The partner's plan in this run, in the words every document uses: called for now, in
    progress, or ended."""

    text: str
    outcome: Outcome | None  # None: a new plan this quarter

    @property
    def style(self) -> str:
        if self.outcome in (Outcome.NOT_MET, Outcome.PARTLY_MET):
            return "worse"
        if self.outcome is Outcome.MET:
            return "better"
        return ""


@dataclass(frozen=True)
class PlanBasis:
    """What the partner's plan document is built from: this quarter's assessment for a new plan,
    or the plan on record the run follows up (the assessment of the quarter that called for it,
    and its start)."""

    assessment: PartnerAssessment
    start: date | None
    cause: str  # "" for a new plan: its cause is the escalation status
    followed: PlanOnRecord | None = None

    @classmethod
    def following(cls, record: PlanOnRecord) -> PlanBasis:
        """The plan on record, as issued, with its progress and outcome."""
        cause = f"open plan from {record.quarter.label}, started {record.plan.start.isoformat()}"
        return cls(record.called_for, record.plan.start, cause, record)


@dataclass(frozen=True)
class PartnerFacts:
    assessment: PartnerAssessment  # the reviewed quarter, its ladder including the record
    clock: Clock
    record: tuple[PlanOnRecord, ...]  # every plan on record, oldest first
    basis: PlanBasis | None  # the plan this run issues or follows up
    new_plan: Plan | None  # the plan this run issues, without its actions (None: none, or it cannot be built)
    plan: PlanState | None  # the plan this run issues or follows up, in the documents' words
    credits: CreditStatement | None = None  # the service credits the months earn (None: no credit terms)
    watermelon: tuple[WatermelonRow, ...] = ()  # the configured SLA/outcome pairs, flagged ones first
    gaps: tuple[KpiGap, ...] = ()  # red and amber KPIs split by segment, from raw records (govdocs/gaps.py)
    calibration: Calibration | None = None  # QA calibration, client and partner evaluators (govdocs/qa_review.py)
    coaching: Coaching | None = None  # coaching that follows QA, from raw records (govdocs/qa_review.py)

    @property
    def plan_sentences(self) -> tuple[str, ...]:
        """One sentence per plan, as the QBR names them: every plan on record with its outcome,
        then the plan this run issues."""
        sentences = [record_sentence(p) for p in self.record]
        if self.new_plan is not None:
            plan = self.new_plan
            sentences.append(
                f"A new plan on {join_names(o.kpi.name for o in plan.objectives)} starts on {long_date(plan.start)}; "
                f"its final review is on {long_date(plan.final_review.day)}."
            )
        return tuple(sentences)

    @property
    def plan_final_review(self) -> date | None:
        """The final review of the plan this run issues or follows up (None: no plan in this run)."""
        if self.new_plan is not None:
            return self.new_plan.final_review.day
        followed = self.basis.followed if self.basis else None
        return followed.plan.final_review.day if followed else None

    @property
    def no_further_plan(self) -> tuple[str, ...]:
        """Names of the KPIs two plans on record missed: no plan on them is offered again."""
        return tuple(closed_kpis(self.record).values())

    @property
    def earlier_plans(self) -> tuple[PlanOnRecord, ...]:
        """Plans on record before the one this run issues or follows up."""
        followed = self.basis.followed if self.basis else None
        return tuple(p for p in self.record if followed is None or p.index < followed.index)

    @property
    def plan_line(self) -> PlanState | None:
        """The partner's plans in one line (the summary's plan column, the offboarding evidence):
        this run's plan, then the earlier ones, newest first, each with its outcome. Its outcome is
        the latest one decided: this run's plan once ended, else the newest earlier plan's."""
        earlier = [p for p in reversed(self.earlier_plans) if p.outcome is not Outcome.IN_PROGRESS]
        if self.plan is None and not earlier:
            return None
        parts = [self.plan.text] if self.plan else []
        parts += [("earlier: " if self.plan and i == 0 else "") + record_words(p) for i, p in enumerate(earlier)]
        outcome = self.plan.outcome if self.plan else None
        if (outcome is None or outcome is Outcome.IN_PROGRESS) and earlier:
            outcome = earlier[0].outcome
        return PlanState("; ".join(parts), outcome)


@dataclass(frozen=True)
class RunFacts(Mapping[str, PartnerFacts]):
    quarter: Quarter
    as_of: date
    partners: Mapping[str, PartnerFacts]

    def __getitem__(self, partner_id: str) -> PartnerFacts:
        return self.partners[partner_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self.partners)

    def __len__(self) -> int:
        return len(self.partners)

    @property
    def portfolio(self) -> dict[str, PartnerAssessment]:
        return {pid: f.assessment for pid, f in self.partners.items()}

    def subset(self, partner_ids: Sequence[str]) -> RunFacts:
        """The facts of the chosen partners only (a build of some partners summarises those)."""
        return RunFacts(self.quarter, self.as_of, {pid: self.partners[pid] for pid in partner_ids})


def _basis(
    record: tuple[PlanOnRecord, ...],
    assessment: PartnerAssessment,
    quarter: Quarter,
    config: GovernanceConfig,
    clock: Clock,
) -> PlanBasis | None:
    followed = next((p for p in reversed(record) if p.quarter <= quarter and p.in_force_after(quarter)), None)
    if followed is not None:
        return PlanBasis.following(followed)
    if assessment.decision.level >= Escalation.PIP:
        if closed_to_a_new_plan(record, assessment, config) or clock.ended:
            return None  # no plan is issued on an ended contract, nor on KPIs two plans missed
        return PlanBasis(assessment, None, "")
    return None


CONTRACT_ENDED = "no plan: "


def contract_ended_reason(clock: Clock) -> str:
    """Why no plan is issued on an ended contract: the build's, the pip command's and the error's words."""
    return f"{CONTRACT_ENDED}the contract ended on {long_date(clock.end)} and does not renew automatically"


def contract_end_location(config: GovernanceConfig, config_path: Path | None, partner_id: str) -> Location:
    """Where the partner's contract end is written: the config file and line of its `end`."""
    index = next(i for i, p in enumerate(config.partners) if p.id == partner_id)
    path: tuple[str | int, ...] = ("partners", index, "contract", "end")
    if config_path is None:
        return Location("config", path=f"partners[{index}].contract.end")
    from govdocs.yamlfile import load_yaml

    return load_yaml(config_path, ExitCode.CONFIG).location(path)


NO_FURTHER_PLAN = "no further plan: "


def no_further_plan_reason(names: tuple[str, ...]) -> str:
    """Why no plan is issued on KPIs two plans missed: the build's and the pip command's words."""
    return f"{NO_FURTHER_PLAN}two plans on {join_names(names)} ended with targets unmet"


def closed_to_a_new_plan(
    record: tuple[PlanOnRecord, ...],
    assessment: PartnerAssessment,
    config: GovernanceConfig,
    extra_kpis: tuple[str, ...] = (),
) -> tuple[str, ...]:
    """The names of the KPIs a new plan would cover when two plans on record already missed
    every one of them (no further plan is offered on them, as the second plan said); else ()."""
    closed = closed_kpis(record)
    wanted = {kpi_id for kpi_id, _ in plan_kpis(assessment, config)} | set(extra_kpis)
    return tuple(closed[k] for k in closed if k in wanted) if wanted and wanted <= set(closed) else ()


def _new_plan(config: GovernanceConfig, basis: PlanBasis | None, as_of: date) -> Plan | None:
    if basis is None or basis.followed is not None:
        return None
    try:
        return build_plan(config=config, assessment=basis.assessment, issued=as_of, start=None, with_actions=False)
    except GovdocsError:
        return None  # the plan's own document reports why it cannot be built


def _plan_state(basis: PlanBasis | None, new_plan: Plan | None) -> PlanState | None:
    if basis is not None and basis.followed is not None:
        return PlanState(record_words(basis.followed), basis.followed.outcome)
    if new_plan is not None:
        review = short_date(new_plan.final_review.day)
        return PlanState(f"New plan: starts {short_date(new_plan.start)}, final review {review}", None)
    return None


def join_names(names: Iterable[str]) -> str:
    items = list(names)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def met_against(plan: Plan, result: PlanResult) -> str:
    """Which targets a met plan met: the contract's, or the plan's interim stage of one (and then
    whether the contract target is still missed). "" unless the outcome is met."""
    if result.outcome is not Outcome.MET:
        return ""
    staged = [(o, r) for o, r in zip(plan.objectives, result.objectives, strict=True) if o.split]
    if not staged:
        return "the contract targets"
    parts = []
    for objective, item in staged:
        kpi = objective.kpi
        contract = "is met too" if item.contract_met else "is still missed"
        parts.append(
            f"the plan's interim {kpi_value(objective.target, kpi.unit.value, kpi.decimals)} for {kpi.name}; "
            f"the {kpi_value(kpi.target, kpi.unit.value, kpi.decimals)} contract target {contract}"
        )
    return "; ".join(parts)


def record_sentence(record: PlanOnRecord) -> str:
    plan = record.plan
    span = f"{long_date(plan.start)} to {long_date(plan.final_review.day)}"
    head = f"The plan after the {record.quarter.label} review ({span}) on {join_names(record.kpi_names)}"
    if record.outcome is Outcome.IN_PROGRESS:
        return f"{head} is in progress."
    if record.outcome is Outcome.NO_DATA:
        return f"{head} ended undecided: no scored data for the months its final review judged."
    against = met_against(record.plan, record.result)
    against = f" ({against})" if against else ""
    return f"{head} ended with its targets {record.outcome.label.lower()}{against} at its final review."


def record_words(plan: PlanOnRecord) -> str:
    """'Q2 2026 plan met at the final review, 5 Oct 2026' / 'Q2 2026 plan in progress; final review ...'."""
    review, label = short_date(plan.plan.final_review.day), plan.quarter.label
    if plan.outcome is Outcome.IN_PROGRESS:
        return f"{label} plan in progress; final review {review}"
    against = met_against(plan.plan, plan.result)
    against = f" ({against})" if against else ""
    return f"{label} plan {plan.outcome.label.lower()}{against} at the final review, {review}"


def partner_facts(
    config: GovernanceConfig,
    data: KpiData,
    partner: Partner,
    quarter: Quarter,
    as_of: date,
    config_path: Path | None = None,
) -> PartnerFacts:
    # The plans a review of `quarter` can know: those called for by it or by an earlier quarter.
    record = tuple(p for p in plans_on_record(config, data, partner, as_of, config_path) if p.quarter <= quarter)
    assessment = assess_partner(config, data, partner, quarter, ended_plans=ended_unmet(record, quarter, as_of))
    clock = partner_clock(partner.contract, as_of, config.pip)
    basis = _basis(record, assessment, quarter, config, clock)
    new_plan = _new_plan(config, basis, as_of)
    return PartnerFacts(
        assessment=assessment,
        clock=clock,
        record=record,
        basis=basis,
        new_plan=new_plan,
        plan=_plan_state(basis, new_plan),
        credits=credit_statement(config, partner, quarter, {k.kpi.id: k.history for k in assessment.kpis}),
        watermelon=watermelon_rows(config, assessment),
    )


def run_facts(
    config: GovernanceConfig,
    data: KpiData,
    quarter: Quarter,
    as_of: date,
    config_path: Path | None = None,
    partner_ids: Sequence[str] | None = None,
    drill: pd.DataFrame | None = None,
    qa_review: QaReviewRows | None = None,
) -> RunFacts:
    """The facts of every partner of the run (default: every partner). A run that renders only
    some partners still needs every partner's facts: a QBR's peer comparison reads its peers', so
    `partner_ids` is for callers that render no peer comparison."""
    # Partners, not ids, for all of them: looking each id up in a long list would cost n² (0.3 s at 1,000).
    chosen = config.partners if partner_ids is None else [config.partner(pid) for pid in partner_ids]
    with step(f"scoring {len(chosen)} partner{'s' * (len(chosen) != 1)} for {quarter}"):
        partners = {p.id: partner_facts(config, data, p, quarter, as_of, config_path) for p in chosen}
    if drill is not None:  # where the gap is: one split for every partner's red and amber KPIs
        with step("splitting the red and amber KPIs by segment"):
            split = partner_gaps(config, {pid: f.assessment for pid, f in partners.items()}, drill)
        partners = {pid: replace(f, gaps=split.get(pid, ())) for pid, f in partners.items()}
    if qa_review is not None:  # QA calibration and coaching that follows, per partner
        reviewed = {pid: partner_qa_review(qa_review, pid, quarter) for pid in partners}
        partners = {
            pid: replace(f, calibration=reviewed[pid][0], coaching=reviewed[pid][1]) for pid, f in partners.items()
        }
    return RunFacts(quarter, as_of, partners)


def assess_portfolio(
    config: GovernanceConfig, data: KpiData, quarter: Quarter, as_of: date
) -> dict[str, PartnerAssessment]:
    """Every partner's scored quarter with its escalation status, as of `as_of`."""
    return run_facts(config, data, quarter, as_of).portfolio
