"""Decide step, the plan record: each improvement plan in the config's `partners[].plans`, rebuilt
from the quarter that called for it and judged on the data since.

The record is read once per run and every document states the same outcome for each plan: the
QBR and the new plan name earlier plans with their outcome, the ladder counts a plan that ended
with its targets unmet, and the offboarding assessment weighs it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from govdocs.config.model import GovernanceConfig, Partner
from govdocs.data.table import KpiData
from govdocs.errors import ExitCode, GovdocsError, Location, Problem
from govdocs.periods import Quarter
from govdocs.planning.pip import Outcome, Plan, PlanResult, build_plan, plan_outcome
from govdocs.scoring.engine import EndedPlan, PartnerAssessment, assess_partner

LADDER_DAYS = 365  # a plan that ended unmet counts for the ladder for twelve months


@dataclass(frozen=True)
class PlanOnRecord:
    """One plan of the record, with its dates as issued and its outcome as of the run."""

    index: int  # position in partners[].plans
    quarter: Quarter
    requested_start: date  # the start as recorded (the plan starts on the business day on or after it)
    called_for: PartnerAssessment  # the quarter whose results called for the plan
    plan: Plan
    result: PlanResult

    @property
    def outcome(self) -> Outcome:
        return self.result.outcome

    @property
    def kpi_ids(self) -> tuple[str, ...]:
        return tuple(o.kpi.id for o in self.plan.objectives)

    @property
    def kpi_names(self) -> tuple[str, ...]:
        return tuple(o.kpi.name for o in self.plan.objectives)

    @property
    def unmet(self) -> bool:
        return self.outcome in (Outcome.NOT_MET, Outcome.PARTLY_MET)

    def in_force_after(self, quarter: Quarter) -> bool:
        """Still running when `quarter` ended (or not started): the review of that quarter follows it up."""
        return self.plan.final_review.day > quarter.end_date()


def has_rows(data: KpiData, partner_id: str, quarter: Quarter) -> bool:
    """Whether the data holds any row of the partner in the quarter (a plan's own quarter)."""
    months = {m.index for m in quarter.months}
    frame = data.frame
    return bool(((frame["partner"] == partner_id) & frame["month"].isin(months)).any())


def record_location(config_path: Path | None, partner_index: int, plan_index: int) -> Location:
    path: tuple[str | int, ...] = ("partners", partner_index, "plans", plan_index)
    if config_path is None:
        return Location("config", path=f"partners[{partner_index}].plans[{plan_index}]")
    from govdocs.yamlfile import load_yaml

    return load_yaml(config_path, ExitCode.CONFIG).location(path)


def plans_on_record(
    config: GovernanceConfig, data: KpiData, partner: Partner, as_of: date, config_path: Path | None = None
) -> tuple[PlanOnRecord, ...]:
    """The partner's plans on record, oldest first, each rebuilt from the quarter that called for it
    (its objectives, dates and check-ins as issued) and judged on the data to `as_of`. A plan whose
    quarter the data does not reach is left out (`validate` warns); one that cannot be rebuilt (its
    quarter called for nothing and it names no KPI) is a config error at its path and line."""
    found = []
    for index, record in enumerate(partner.plans):
        quarter = Quarter.parse(record.quarter)
        if not has_rows(data, partner.id, quarter):
            continue  # older than the data given: it cannot be judged, so no document names it
        called_for = assess_partner(config, data, partner, quarter)
        try:
            plan = build_plan(
                config=config,
                assessment=called_for,
                issued=as_of,
                start=record.start,
                extra_kpis=tuple(record.kpis),
                with_actions=False,
                final_review=record.final_review,
            )
        except GovdocsError as exc:
            raise GovdocsError(
                [
                    Problem(
                        "config.plan_record",
                        f"the plan after the {quarter.label} review cannot be rebuilt: {exc.problems[0].message}; "
                        "name its KPIs under 'kpis'",
                        record_location(
                            config_path, next(i for i, p in enumerate(config.partners) if p.id == partner.id), index
                        ),
                        ExitCode.CONFIG,
                    )
                ]
            ) from exc
        found.append(
            PlanOnRecord(
                index,
                quarter,
                record.start,
                called_for,
                plan,
                plan_outcome(plan, data, as_of, config.pip.sustain_months),
            )
        )
    return tuple(found)


def ended_unmet(record: tuple[PlanOnRecord, ...], quarter: Quarter, as_of: date) -> tuple[EndedPlan, ...]:
    """The plans called for before `quarter` whose final review, in the twelve months to `as_of`,
    left a target unmet (a quarter's own plan cannot escalate the review that called for it)."""
    since = as_of - timedelta(days=LADDER_DAYS)
    return tuple(
        EndedPlan(p.quarter, p.plan.final_review.day, p.outcome.label.lower())
        for p in record
        if p.unmet and p.quarter < quarter and since < p.plan.final_review.day <= as_of
    )


def closed_kpis(record: tuple[PlanOnRecord, ...]) -> dict[str, str]:
    """{id: name} of the KPIs on which two or more plans on record ended unmet: a further plan on
    them is not offered."""
    counts: dict[str, int] = {}
    names: dict[str, str] = {}
    for plan in record:
        if plan.unmet:
            for objective in plan.plan.objectives:
                counts[objective.kpi.id] = counts.get(objective.kpi.id, 0) + 1
                names[objective.kpi.id] = objective.kpi.name
    return {k: names[k] for k, n in counts.items() if n >= 2}
