"""The scorecard as a table: one row per partner and KPI, the numbers the documents print.

Written by `govdocs export --table scorecard` (export.py) and embedded in a PDF/A-3u document as
its data file (pipeline.scorecard_file): its own module, below both, so neither imports the other.
"""

from __future__ import annotations

from govdocs.periods import Quarter
from govdocs.render.tables import Cell
from govdocs.scoring.engine import PartnerAssessment


def scorecard_columns(quarter: Quarter) -> list[str]:
    columns = ["partner", "partner_name", "quarter", "kpi", "kpi_name", "unit", "direction", "contractual"]
    columns += ["controlled_by", "target", "floor", "weight"]
    for month in quarter.months:
        columns += [f"{month} value", f"{month} volume", f"{month} status"]
    columns += ["quarter_value", "quarter_volume", "quarter_status", "points", "failures"]
    columns += ["partner_score", "score_incomplete", "tier", "escalation", "escalation_reason"]
    return columns


def cell_number(value: float | None, decimals: int = 6) -> Cell:
    """Counts as integers; other numbers to 6 decimals (documents print fewer, never more)."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else round(value, decimals)


def scorecard_rows(assessment: PartnerAssessment) -> list[list[Cell]]:
    partner, score, decision = assessment.partner, assessment.score, assessment.decision
    rows: list[list[Cell]] = []
    for item in assessment.kpis:
        kpi = item.kpi
        row: list[Cell] = [partner.id, partner.name, str(assessment.quarter), kpi.id, kpi.name, kpi.unit.value]
        row += [kpi.direction.value, kpi.contractual, kpi.controlled_by.value]
        row += [cell_number(kpi.target), cell_number(kpi.floor), cell_number(kpi.weight)]
        for month in item.months:
            row += [cell_number(month.value), cell_number(month.volume), month.status.value]
        current = item.current
        row += [cell_number(current.value), cell_number(current.volume), current.status.value, cell_number(item.points)]
        row += [
            item.failures,
            cell_number(score.value),
            score.incomplete,
            score.tier_words if score.tier else None,  # as the documents state it: the tiers its range reaches
            decision.level.label,
        ]
        row.append(decision.reasons[0] if decision.reasons else None)
        rows.append(row)
    return rows
