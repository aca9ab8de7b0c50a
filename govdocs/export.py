"""Export step: the scored quarter as a table (`govdocs export`), for spreadsheets and BI tools.

One row per partner and KPI: the KPI's terms after the partner's overrides, each month's
value, volume and status, the quarter's value and status, the points it earned, and the
partner's score, tier and escalation status -- the same numbers the documents print.
The table is internal (it holds every selected partner); it is written by
render/tables.py, which neutralises formula-like text and keeps NaN out of JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from govdocs.facts import run_facts
from govdocs.periods import Quarter
from govdocs.pipeline import load_workspace, require_quarter_data, select_partners
from govdocs.render.tables import Cell, write_table
from govdocs.scoring.engine import PartnerAssessment


@dataclass(frozen=True)
class ExportRequest:
    config_path: Path
    data_paths: tuple[Path, ...]
    quarter: Quarter
    partner_ids: tuple[str, ...]  # empty: every partner
    out: Path  # .csv, .xlsx or .json
    as_of: date  # the escalation status counts plans on record that ended unmet by then
    force: bool = False
    raw: Path | None = None  # a raw_data mapping: KPIs computed from raw exports


def scorecard_columns(quarter: Quarter) -> list[str]:
    columns = ["partner", "partner_name", "quarter", "kpi", "kpi_name", "unit", "direction", "contractual"]
    columns += ["controlled_by", "target", "floor", "weight"]
    for month in quarter.months:
        columns += [f"{month} value", f"{month} volume", f"{month} status"]
    columns += ["quarter_value", "quarter_volume", "quarter_status", "points", "failures"]
    columns += ["partner_score", "score_incomplete", "tier", "escalation", "escalation_reason"]
    return columns


def _number(value: float | None, decimals: int = 6) -> Cell:
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
        row += [_number(kpi.target), _number(kpi.floor), _number(kpi.weight)]
        for month in item.months:
            row += [_number(month.value), _number(month.volume), month.status.value]
        current = item.current
        row += [_number(current.value), _number(current.volume), current.status.value, _number(item.points)]
        row += [
            item.failures,
            _number(score.value),
            score.incomplete,
            score.tier.name if score.tier else None,
            decision.level.label,
        ]
        row.append(decision.reasons[0] if decision.reasons else None)
        rows.append(row)
    return rows


def export_scorecard(request: ExportRequest) -> int:
    """Write the table; returns the number of rows written."""
    workspace = load_workspace(request.config_path, list(request.data_paths), raw=request.raw)
    partner_ids = select_partners(workspace.config, request.partner_ids)
    require_quarter_data(workspace.data, request.quarter)
    facts = run_facts(workspace.config, workspace.data, request.quarter, request.as_of, workspace.run.config_path)
    portfolio = facts.portfolio
    rows = [row for pid in partner_ids for row in scorecard_rows(portfolio[pid])]
    write_table(
        request.out,
        scorecard_columns(request.quarter),
        rows,
        sheet=f"Scorecard {request.quarter}",
        stamp=request.quarter.end_date(),
        force=request.force,
    )
    return len(rows)
