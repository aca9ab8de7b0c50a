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
from decimal import Decimal
from pathlib import Path

from govdocs.commercial import CreditStatement
from govdocs.facts import run_facts
from govdocs.periods import Quarter
from govdocs.pipeline import load_workspace, require_quarter_data, select_partners
from govdocs.render.tables import Cell, write_table
from govdocs.scorecard import cell_number as _number
from govdocs.scorecard import scorecard_columns, scorecard_rows


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
    table: str = "scorecard"  # or "credits": the service-credit statements


CREDIT_COLUMNS = [
    "partner", "partner_name", "quarter", "month", "in_quarter", "currency", "fee", "at_risk_percent", "pool",
    "cap_percent", "cap", "volume", "forecast", "forecast_band", "kpi", "kpi_name", "value", "kpi_volume", "status",
    "allocation_percent", "pool_share", "credit", "reason", "relieved", "earn_back", "earn_back_note", "earned_back",
    "month_credits", "month_earned_back", "month_cap_applied", "month_net",
]  # fmt: skip


def _money(value: Decimal | None) -> Cell:
    return None if value is None else float(value)


def credit_rows(statement: CreditStatement) -> list[list[Cell]]:
    """One row per month of the trailing 12 and SLA: the statement the QBR prints, amounts to the cent."""
    partner, terms, rows = statement.partner, statement.terms, []
    for month in statement.months:
        head: list[Cell] = [partner.id, partner.name, str(statement.quarter), str(month.month)]
        head += [month.month.quarter == statement.quarter, terms.currency, _money(month.fee)]
        head += [float(terms.at_risk), _money(month.at_risk), float(terms.cap), _money(month.cap)]
        head += [_number(month.volume.actual), _money(month.volume.forecast), month.volume.band.value]
        tail = [_money(month.gross), _money(month.earned_back), _money(month.cap_applied), _money(month.net)]
        for sla in month.slas or (None,):
            if sla is None:  # the fee is not known: no credit stated
                rows.append([*head, *([None] * 13), *tail])
                continue
            row = [*head, sla.kpi.id, sla.kpi.name, _number(sla.result.value), _number(sla.result.volume)]
            row += [sla.result.status.value, float(sla.allocation), _money(sla.share), _money(sla.amount), sla.reason]
            row += [sla.relieved, sla.earn_back.value, sla.earn_back_note or None, _money(sla.earned_back)]
            rows.append([*row, *tail])
    return rows


def export_table(request: ExportRequest) -> tuple[list[str], list[list[Cell]], str]:
    """The table's columns, rows and sheet name, written nowhere yet."""
    workspace = load_workspace(request.config_path, list(request.data_paths), raw=request.raw)
    partner_ids = select_partners(workspace.config, request.partner_ids)
    require_quarter_data(workspace.data, request.quarter)
    facts = run_facts(workspace.config, workspace.data, request.quarter, request.as_of, workspace.run.config_path)
    if request.table == "credits":
        statements = [facts[pid].credits for pid in partner_ids]
        rows = [row for statement in statements if statement is not None for row in credit_rows(statement)]
        columns, sheet = CREDIT_COLUMNS, f"Credits {request.quarter}"
    else:
        portfolio = facts.portfolio
        rows = [row for pid in partner_ids for row in scorecard_rows(portfolio[pid])]
        columns, sheet = scorecard_columns(request.quarter), f"Scorecard {request.quarter}"
    return columns, rows, sheet


def export_scorecard(request: ExportRequest) -> int:
    """Write the table; returns the number of rows written."""
    columns, rows, sheet = export_table(request)
    write_table(
        request.out,
        columns,
        rows,
        sheet=sheet,
        stamp=request.quarter.end_date(),
        force=request.force,
    )
    return len(rows)
