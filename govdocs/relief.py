"""Decide step, relief: the months a client cause relieves, one fact every count reads.

A month is relieved for a KPI when its volume ran above the partner's forecast band and the
credit terms relieve that KPI, or when a client factor of the config relieves the KPI from its
`since` month on. A relieved month keeps its status (the page shows "red, relieved" with the
reason) but is no partner failure: the ladder's count, the red runs that call for a plan, the
credits, the offboarding evidence and the split of responsibility all read `MonthResult.failed`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from govdocs.commercial import Band, month_volume, partner_terms
from govdocs.config.model import GovernanceConfig, Partner
from govdocs.periods import Month
from govdocs.scoring.results import MonthResult


def _percent(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def relief_reasons(
    config: GovernanceConfig, partner: Partner, histories: Mapping[str, Sequence[MonthResult]]
) -> dict[str, dict[Month, str]]:
    """KPI id -> month -> why the month is relieved, over the months of `histories`."""
    reasons: dict[str, dict[Month, str]] = {}
    terms = partner_terms(config, partner)
    if terms is not None and terms.forecast is not None and terms.relief_kpis:
        results = {kpi_id: {r.month: r for r in rows} for kpi_id, rows in histories.items()}
        months = [r.month for rows in histories.values() for r in rows]
        for month in sorted(set(months)):
            volume = month_volume(terms, month, results)
            if volume.band is Band.ABOVE and volume.deviation is not None:
                why = f"volume {_percent(float(volume.deviation))}% over forecast"
                for kpi_id in terms.relief_kpis:
                    reasons.setdefault(kpi_id, {})[month] = why
    for factor in config.client_factors:
        if not factor.relieves or (factor.partners is not None and partner.id not in factor.partners):
            continue
        since = None if factor.since is None else Month.parse(factor.since)
        for result in histories.get(factor.kpi, ()):
            if since is None or result.month >= since:
                reasons.setdefault(factor.kpi, {}).setdefault(
                    result.month, f"client cause: {factor.factor.rstrip('.')}"
                )
    return reasons


def with_relief(history: Sequence[MonthResult], reasons: Mapping[Month, str]) -> tuple[MonthResult, ...]:
    """The months with their relief, where a client cause relieves them."""
    return tuple(replace(r, relief=reasons[r.month]) if r.month in reasons else r for r in history)
