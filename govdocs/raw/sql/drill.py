"""Aggregate step, raw half: where a gap is. The interactions' KPI sums per drill-down segment
(hour-of-day band, weekday, queue or skill, channel, site, team, the agent's tenure band), and the
decomposition of a quarter's gap to target over those segments.

Two statements, both written once as DuckDB SQL and carried to Spark by SQLGlot (dialects.py):

- `drill_select`: over the accepted interactions (`interactions_checked`), each ratio KPI's
  numerator and denominator -- the very sums its KPI row is made of (`measure_sql`) -- per
  partner, month, dimension and segment, by GROUPING SETS (one pass). A contact whose segment is
  not recorded (no team, an agent missing from the roster) is the segment NULL: every dimension's
  segments add up to the partner's month.
- `GAP_QUERY`: over those rows for the quarter (`gap_drill`) and each KPI's target (`gap_targets`),
  each segment's share of the volume, its value and its contribution to the gap. For a KPI whose
  value is a ratio of sums (scale x N / D: a share of contacts, or a mean per contact), the quarter
  value is the volume-weighted mean of its months (N / D over the quarter) and

      value - target = sum over segments s of  (D_s / D) x (value_s - target)

  exactly, since sum (D_s / D) = 1 and sum (D_s / D) x scale x N_s / D_s = scale x N / D. The
  contribution is signed so that a positive one widens the shortfall (target - value for a KPI
  where higher is better, value - target where lower is): the contributions of a dimension's
  segments add up to the whole shortfall, and a segment doing better than target offsets it.
"""

from __future__ import annotations

from dataclasses import dataclass

from govdocs.raw.model import AbandonRate, Aht, Asa, RawData, ServiceLevel, ServiceLevelDenominator, TransferRate
from govdocs.raw.presets import fields_of
from govdocs.raw.sql.measures import _period, measure_sql
from govdocs.raw.sql.text import Cte, literal

# The dimensions, in the order the documents list them.
DIMENSIONS = ("hour_band", "weekday", "queue", "channel", "site", "team", "tenure")
HOUR_US = 3_600_000_000
DAY_US = 86_400_000_000
BAND_HOURS = 2  # hour-of-day bands: 08:00-10:00, 10:00-12:00, ...
# tenure bands at the contact: under 90 days, 90-365 days, over a year
TENURE_BANDS = ("under_90_days", "90_to_365_days", "over_365_days")

# the measures whose value is scale x (sum of a row figure) / (sum of the rows counted)
_SHARES = (AbandonRate, ServiceLevel, TransferRate)
_MEANS = (Asa, Aht)


@dataclass(frozen=True)
class DrillMeasure:
    kpi: str
    index: int  # the measure's place in raw_data.kpis: its sums are k<index>_n / k<index>_d
    scale: float  # 100 for a share in percent, 1 for a mean
    answered_only: bool  # counts answered contacts only: an agent's team and tenure can split it


def _answered_only(spec: object) -> bool:
    if isinstance(spec, ServiceLevel):
        return spec.denominator is ServiceLevelDenominator.ANSWERED
    return isinstance(spec, (*_MEANS, TransferRate))


def drill_measures(raw: RawData) -> tuple[DrillMeasure, ...]:
    """The configured interaction measures whose gap can be split (a ratio of sums)."""
    out = []
    for i, spec in enumerate(raw.kpis):
        if isinstance(spec, _SHARES):
            out.append(DrillMeasure(spec.kpi, i, 100.0, _answered_only(spec)))
        elif isinstance(spec, _MEANS):
            out.append(DrillMeasure(spec.kpi, i, 1.0, True))
    return tuple(out)


def agent_dimensions(raw: RawData) -> tuple[str, ...]:
    """The dimensions only an answered contact has (from its agent): an abandoned contact has no
    agent, so a KPI counting abandoned contacts is not split by them (its unrecorded segment
    would be every abandon)."""
    fields = fields_of(raw.sources.interactions) if raw.sources.interactions else {}
    return ("team", "tenure", *(("site",) if "site" not in fields else ()))


def dimensions(raw: RawData) -> tuple[str, ...]:
    """The dimensions the interactions (and the roster) carry."""
    src = raw.sources.interactions
    if src is None:
        return ()
    fields = fields_of(src)
    roster = raw.sources.roster
    roster_fields = roster.columns.model_dump(exclude_none=True) if roster is not None else {}
    have = {"hour_band", "weekday"}
    have |= {"queue"} if "programme" in fields else set()
    have |= {"channel"} if "channel" in fields else set()
    joined = "agent_id" in fields and roster is not None
    for f in ("site", "team"):
        if f in fields or (joined and f in roster_fields):
            have.add(f)
    if joined:
        have.add("tenure")
    return tuple(d for d in DIMENSIONS if d in have)


def _segment_sql(dimension: str, raw: RawData) -> str:
    fields = fields_of(raw.sources.interactions)
    local = "i.arrived_local_us"
    if dimension == "hour_band":
        hour = f"(({local} // {HOUR_US}) % 24)"
        return f"LPAD(CAST({hour} // {BAND_HOURS} * {BAND_HOURS} AS VARCHAR), 2, '0')"
    if dimension == "weekday":  # ISO: 1 = Monday; 1 January 1970 was a Thursday
        return f"CAST(((({local} // {DAY_US}) + 3) % 7) + 1 AS VARCHAR)"
    if dimension == "queue":
        return "i.programme"
    if dimension == "channel":
        return "i.channel"
    if dimension in ("site", "team"):
        own = f"i.{dimension}" if dimension in fields else None
        roster = f"r.{dimension}" if "agent_id" in fields and raw.sources.roster is not None else None
        parts = [p for p in (own, roster) if p]
        return parts[0] if len(parts) == 1 else f"COALESCE({', '.join(parts)})"
    if dimension == "tenure":
        days = f"({local} // {DAY_US} - EPOCH_US(CAST(r.hired_on AS TIMESTAMP)) // {DAY_US})"
        under, middle, over = (literal(b) for b in TENURE_BANDS)
        return (
            f"CASE WHEN r.hired_on IS NULL OR {days} < 0 THEN NULL WHEN {days} < 90 THEN {under} "
            f"WHEN {days} <= 365 THEN {middle} ELSE {over} END"
        )
    raise AssertionError(dimension)


def roster_agents_cte() -> Cte:
    """One row per agent of the accepted roster: the latest hire date, the team and site listed."""
    return Cte(
        "roster_agents",
        "  SELECT partner, agent_id, MAX(hired_on) AS hired_on, MAX(team) AS team, MAX(site) AS site\n"
        "  FROM roster_checked WHERE reject_reason IS NULL GROUP BY partner, agent_id",
    )


def drill_ctes(raw: RawData) -> list[Cte]:
    """`interactions_drill`: per partner, month, dimension and segment, each ratio KPI's sums
    (after `interactions_checked`, and `roster_checked` when the contacts name their agent)."""
    measures = drill_measures(raw)
    dims = dimensions(raw)
    if not measures or not dims:
        return []
    joined = "tenure" in dims or any(
        d in dims and d not in fields_of(raw.sources.interactions) for d in ("site", "team")
    )
    sums = [(n, expr) for m in measures for n, expr in measure_sql(raw.kpis[m.index], m.index, raw).sums]
    inner = ["i.partner", "i.year", "i.month"]
    inner += [f"{_segment_sql(d, raw)} AS d_{d}" for d in dims]
    inner += [f"{expr} AS {n}" for n, expr in sums]
    # the measures' row expressions name the checked row's columns unqualified: read them from `i`
    join = "\n    LEFT JOIN roster_agents AS r ON r.partner = i.partner AND r.agent_id = i.agent_id" if joined else ""
    rows = "  SELECT " + ", ".join(inner) + f"\n  FROM interactions_checked AS i{join}\n  WHERE i.reject_reason IS NULL"
    sets = ", ".join(f"(partner, year, month, d_{d})" for d in dims)
    which = " ".join(f"WHEN GROUPING(d_{d}) = 0 THEN {literal(d)}" for d in dims)
    segment = "COALESCE(" + ", ".join(f"d_{d}" for d in dims) + ")" if len(dims) > 1 else f"d_{dims[0]}"
    body = (
        f"  SELECT partner, year, month, CASE {which} END AS dimension, {segment} AS segment,\n    "
        + ", ".join(f"SUM({n}) AS {n}" for n, _ in sums)
        + f"\n  FROM drill_rows\n  GROUP BY GROUPING SETS ({sets})"
    )
    ctes = [roster_agents_cte()] if joined else []
    return [*ctes, Cte("drill_rows", rows), Cte("interactions_drill", body)]


def drill_select(raw: RawData) -> str:
    """The drill-down rows, long: partner, period, kpi, dimension, segment, numerator, volume and
    the KPI's scale (value = scale x numerator / volume)."""
    agents = ", ".join(literal(d) for d in agent_dimensions(raw))
    selects = [
        f"  SELECT partner, {_period('year', 'month')} AS period, {literal(m.kpi)} AS kpi, dimension, segment, "
        f"CAST(SUM(k{m.index}_n) AS DOUBLE) AS numerator, CAST(SUM(k{m.index}_d) AS DOUBLE) AS volume, "
        f"CAST({m.scale:.1f} AS DOUBLE) AS scale\n"
        f"  FROM interactions_drill{'' if m.answered_only else f' WHERE dimension NOT IN ({agents})'}\n"
        f"  GROUP BY partner, year, month, dimension, segment HAVING SUM(k{m.index}_d) > 0"
        for m in drill_measures(raw)
    ]
    return (
        "SELECT partner, period, kpi, dimension, segment, numerator, volume, scale FROM (\n"
        + "\n  UNION ALL\n".join(selects)
        + "\n) AS drill\nORDER BY partner, period, kpi, dimension, segment NULLS FIRST"
    )


def drill_query(raw: RawData, upstream: list[Cte]) -> str:
    """The whole drill-down as one statement after `upstream` (the CTEs it reads that are not tables)."""
    ctes = [*upstream, *drill_ctes(raw)]
    return "WITH " + ",\n".join(str(c) for c in ctes) + "\n" + drill_select(raw)


# The decomposition of each quarter's gap. gap_drill: the drill rows (partner, period, kpi,
# dimension, segment, numerator, volume); gap_targets: one row per partner and KPI to split
# (partner, kpi, target, scale, sign: +1 where higher is better, -1 where lower is, first_period,
# last_period). Sums before ratios, one division per figure: the same on every engine.
GAP_QUERY = """\
WITH quarter_rows AS (
  SELECT d.partner, d.kpi, d.dimension, d.segment, SUM(d.numerator) AS numerator, SUM(d.volume) AS volume
  FROM gap_drill AS d
  JOIN gap_targets AS t ON t.partner = d.partner AND t.kpi = d.kpi
  WHERE d.period >= t.first_period AND d.period <= t.last_period
  GROUP BY d.partner, d.kpi, d.dimension, d.segment
),
wholes AS (
  SELECT partner, kpi, dimension, SUM(numerator) AS total_numerator, SUM(volume) AS total_volume
  FROM quarter_rows GROUP BY partner, kpi, dimension
)
SELECT q.partner, q.kpi, q.dimension, q.segment, q.numerator, q.volume,
  q.volume / w.total_volume AS share,
  t.scale * q.numerator / q.volume AS value,
  t.scale * w.total_numerator / w.total_volume AS whole_value,
  t.sign * (t.target * q.volume - t.scale * q.numerator) / w.total_volume AS contribution,
  t.sign * (t.target * w.total_volume - t.scale * w.total_numerator) / w.total_volume AS shortfall
FROM quarter_rows AS q
JOIN wholes AS w ON w.partner = q.partner AND w.kpi = q.kpi AND w.dimension = q.dimension
JOIN gap_targets AS t ON t.partner = q.partner AND t.kpi = q.kpi
ORDER BY q.partner, q.kpi, q.dimension, q.segment NULLS FIRST
"""
