"""Raw SQL, the measures: each KPI's numerator and denominator, the data-quality cube, the
repeat-contact window and attrition.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from govdocs.raw.model import (
    MEASURE_SOURCE,
    Abandoned,
    AbandonRate,
    Aht,
    Answered,
    Asa,
    Attrition,
    CsatTopBox,
    FcrProxy,
    HandlePer,
    MeasureFrom,
    Nps,
    Offered,
    QaAutoFailRate,
    QaPassRate,
    QaScore,
    RawData,
    RepeatContactRate,
    ServiceLevel,
    ServiceLevelDenominator,
    SurveyFcr,
    TransferRate,
)
from govdocs.raw.presets import fields_of, preset_of
from govdocs.raw.sql.text import PLATFORM_HANDLE, PLATFORM_WAIT, PLATFORM_WITHIN, Cte, _text_list, literal


def _period(year: str, month: str) -> str:
    return f"CAST({year} AS VARCHAR) || '-' || LPAD(CAST({month} AS VARCHAR), 2, '0')"


@dataclass(frozen=True)
class MeasureSql:
    """A KPI as sums over accepted rows and a value made of those sums."""

    kpi: str
    source: str
    sums: tuple[tuple[str, str], ...]  # (name, row expression summed in the cube)
    value: str  # expression over SUM(name) columns of the cube
    volume: str
    table: str = ""  # where the sums are: the source's cube (accepted rows), or interactions_repeat


def _filters(spec: object, source: str) -> list[str]:
    out = []
    for attr, column in (("channels", "channel"), ("programmes", "programme"), ("types", "type")):
        values = getattr(spec, attr, None)
        if values:
            out.append(f"{column} IN ({_text_list(values)})")
    return out


def _exact(value: str) -> str:
    """A mean's addend as a decimal to the microsecond: its sum is exact, so every engine, summing
    in whatever order, gets the same total to the last digit (a DOUBLE sum depends on the order)."""
    return f"CAST({value} AS DECIMAL(38, 6))"


def _summed(name: str) -> str:
    return f"CAST(SUM({name}_n) AS DOUBLE)"


def _when(conditions: Sequence[str], then: str = "1") -> str:
    if not conditions:
        return then
    return f"CASE WHEN {' AND '.join(conditions)} THEN {then} ELSE 0 END"


def measure_sql(spec: object, index: int, raw: RawData) -> MeasureSql:
    """Row-level sums and the value formula of one configured measure."""
    name = f"k{index}"
    source = MEASURE_SOURCE[spec.measure]  # type: ignore[attr-defined]
    where = _filters(spec, source)
    answered = "answered_s IS NOT NULL"
    wait = "(COALESCE(answered_s, ended_s) - arrived_s)"

    def share(numerator: list[str], denominator: list[str], *, scale: str = "100.0") -> MeasureSql:
        sums = ((f"{name}_n", _when([*where, *numerator])), (f"{name}_d", _when([*where, *denominator])))
        return MeasureSql(
            spec.kpi,
            source,
            sums,
            f"{scale} * SUM({name}_n) / SUM({name}_d)",
            f"SUM({name}_d)",  # type: ignore[attr-defined]
        )

    def mean(value: str, denominator: list[str]) -> MeasureSql:
        sums = (
            (f"{name}_n", _when([*where, *denominator], _exact(value))),
            (f"{name}_d", _when([*where, *denominator])),
        )
        return MeasureSql(spec.kpi, source, sums, f"{_summed(name)} / SUM({name}_d)", f"SUM({name}_d)")  # type: ignore[attr-defined]

    def offered(threshold: float) -> list[str]:
        # short abandons (gave up before `threshold` seconds) were never really offered
        return [f"({answered} OR {wait} >= {threshold:g})"] if threshold > 0 else []

    def abandoned(threshold: float) -> list[str]:
        return [f"answered_s IS NULL AND {wait} >= {threshold:g}"]

    match spec:
        case Offered():
            m = share(offered(spec.short_abandon_seconds), offered(spec.short_abandon_seconds))
            return MeasureSql(m.kpi, source, m.sums, f"SUM({name}_n)", m.volume)
        case Answered():
            m = share([answered], [answered])
            return MeasureSql(m.kpi, source, m.sums, f"SUM({name}_n)", m.volume)
        case Abandoned():
            m = share(abandoned(spec.short_abandon_seconds), offered(spec.short_abandon_seconds))
            return MeasureSql(m.kpi, source, m.sums, f"SUM({name}_n)", m.volume)
        case AbandonRate():
            return share(abandoned(spec.short_abandon_seconds), offered(spec.short_abandon_seconds))
        case ServiceLevel() if spec.from_ is MeasureFrom.PLATFORM:
            # the platform's own flags, as its reports count them: within / the contacts it counts
            return share([f"{PLATFORM_WITHIN} = 1"], [f"{PLATFORM_WITHIN} IS NOT NULL"])
        case ServiceLevel():
            within = [answered, f"answered_s - arrived_s <= {spec.answered_within_seconds:g}"]
            if spec.denominator is ServiceLevelDenominator.ANSWERED:
                return share(within, [answered])
            return share(within, offered(spec.short_abandon_seconds))
        case Asa() if spec.from_ is MeasureFrom.PLATFORM:
            return mean(PLATFORM_WAIT, [answered, f"{PLATFORM_WAIT} IS NOT NULL"])
        case Asa():
            return mean("answered_s - arrived_s", [answered])
        case Aht() if spec.from_ is MeasureFrom.PLATFORM:
            return mean(PLATFORM_HANDLE, [answered, f"{PLATFORM_HANDLE} IS NOT NULL"])
        case Aht():
            parts = ["talk_seconds"]
            fields = fields_of(raw.sources.interactions) if raw.sources.interactions else {}
            parts += [f"COALESCE({f}, 0)" for f in ("hold_seconds", "acw_seconds") if f in fields]
            if spec.per is HandlePer.LEG and preset_of(raw.sources.interactions) is not None:
                # a platform's contact knows how many of its legs an agent answered
                sums = (
                    (f"{name}_n", _when([*where, answered], _exact(" + ".join(parts)))),
                    (f"{name}_d", _when([*where, answered], "handled_legs")),
                )
                return MeasureSql(spec.kpi, source, sums, f"{_summed(name)} / SUM({name}_d)", f"SUM({name}_d)")
            return mean(" + ".join(parts), [answered])
        case TransferRate():
            return share([answered, "COALESCE(transfers, 0) > 0"], [answered])
        case RepeatContactRate() | FcrProxy():
            window = f"{spec.within_days:g} * 86400"
            # a contact counts only once its whole N-day window lies inside the data (no censoring);
            # the sums are in interactions_repeat (accepted contacts with a customer id)
            counted = [answered, f"arrived_s + {window} <= data_end_s"]
            repeated = [*counted, f"next_arrived_s - arrived_s <= {window}"]
            m = share(repeated, counted)
            value = f"100.0 - {m.value}" if isinstance(spec, FcrProxy) else m.value
            return MeasureSql(m.kpi, source, m.sums, value, m.volume, REPEAT)
        case CsatTopBox():
            return share([f"csat >= {spec.top_box_min:g}"], ["csat IS NOT NULL"])
        case Nps():
            sums = (
                (f"{name}_p", _when([*where, "nps >= 9"])),
                (f"{name}_x", _when([*where, "nps <= 6"])),
                (f"{name}_d", _when([*where, "nps IS NOT NULL"])),
            )
            value = f"100.0 * (SUM({name}_p) - SUM({name}_x)) / SUM({name}_d)"
            return MeasureSql(spec.kpi, source, sums, value, f"SUM({name}_d)")
        case SurveyFcr():
            return share(["fcr = 1"], ["fcr IS NOT NULL"])
        case QaScore():
            return mean("score", [])
        case QaAutoFailRate():
            return share(["auto_fail = 1"], [])
        case QaPassRate():
            fail = ["auto_fail = 0"] if raw.sources.qa and "auto_fail" in fields_of(raw.sources.qa) else []
            return share([f"score >= {spec.pass_score:g}", *fail], [])
        case Attrition():
            factor = "1200.0" if spec.annualised else "100.0"
            return MeasureSql(spec.kpi, "roster", (), f"{factor} * leavers / avg_headcount", "avg_headcount")
    raise AssertionError(f"unknown measure {spec!r}")


SAMPLE_FIELDS = ("source_key", "source_index", "source_row", "record_id", "bad_value", "bad_field")


_RECORD_ID = {"interactions": "contact_id", "surveys": "response_id", "qa": "evaluation_id", "roster": "agent_id"}


REPEAT = "interactions_repeat"


def samples_aggregate(source: str, per_group: int, columns: Mapping[str, object]) -> str:
    """DuckDB aggregate keeping the first rows (in file order) of a group: the data-quality samples."""
    record = _RECORD_ID[source]
    values = {name: name for name in SAMPLE_FIELDS}
    values["record_id"] = f"CAST({record} AS VARCHAR)" if record in columns else "CAST(NULL AS VARCHAR)"
    pack = ", ".join(f"{name} := {value}" for name, value in values.items())
    # the struct is built for rejected rows only (CASE), not for the millions of accepted ones
    sample = f"CASE WHEN reject_reason IS NOT NULL THEN STRUCT_PACK({pack}) END"
    return f"ARG_MIN({sample}, source_key, {int(per_group)}) FILTER (WHERE reject_reason IS NOT NULL)"


def _segments(segments: set[str]) -> tuple[list[str], list[str]]:
    present = [c for c in ("channel", "programme") if c in segments]
    absent = [f"CAST(NULL AS VARCHAR) AS {c}" for c in ("channel", "programme") if c not in segments]
    return present, absent


def _cube_cte(
    source: str,
    measures: Sequence[MeasureSql],
    segments: set[str],
    samples: str | None,
    last_arrival: bool,
    platform: bool = False,
) -> Cte:
    """Sums per partner, month, segment and reject reason: small, so every KPI row, breakdown and
    data-quality count is read from it (the KPIs from the groups without a reject reason)."""
    sums = [f"SUM({expr}) AS {n}" for m in measures for n, expr in m.sums]
    present, absent = _segments(segments)
    keys = ", ".join(["partner", "year", "month", *present, "reject_reason"])
    extra = ["COUNT(*) AS rows_read"] + ([f"{samples} AS samples"] if samples else [])
    if last_arrival:
        extra.append("MAX(arrived_s) AS last_arrived_s")
    if platform:  # a platform's records: legs read, and re-delivered copies set aside
        extra += ["SUM(legs) AS legs_read", "SUM(copies) AS copies_merged"]
    body = ",\n    ".join(["partner", "year", "month", *present, *absent, "reject_reason", *extra, *sums])
    return Cte(f"{source}_cube", f"  SELECT\n    {body}\n  FROM {source}_checked\n  GROUP BY {keys}")


def _repeat_cte(raw: RawData, measures: Sequence[MeasureSql], segments: set[str]) -> Cte:
    """Repeat-contact sums per partner, month and segment: each accepted contact with a customer id
    and that customer's next accepted contact (whichever partner or channel took it, in arrival
    order, ties in file order), against the last accepted arrival in the data. The window carries
    only the columns these sums need: its sort is the costly step."""
    fields = fields_of(raw.sources.interactions) if raw.sources.interactions else {}
    present, absent = _segments(segments)
    filters = [c for c in ("channel", "programme", "type") if c in fields and c not in present]
    sums = [f"SUM({expr}) AS {n}" for m in measures for n, expr in m.sums]
    carried = ", ".join(["partner", "year", "month", *present, *filters, "arrived_s", "answered_s"])
    keys = ", ".join(["partner", "year", "month", *present])
    body = ",\n    ".join(["partner", "year", "month", *present, *absent, *sums])
    return Cte(
        REPEAT,
        f"  SELECT\n    {body}\n  FROM (\n"
        f"    SELECT {carried},\n"
        "      LEAD(arrived_s) OVER (PARTITION BY customer_id ORDER BY arrived_s, source_key) AS next_arrived_s\n"
        "    FROM interactions_checked WHERE reject_reason IS NULL AND customer_id IS NOT NULL\n"
        "  ) AS contacts\n"
        "  CROSS JOIN (\n"
        "    SELECT MAX(last_arrived_s) AS data_end_s FROM interactions_cube WHERE reject_reason IS NULL\n"
        "  ) AS data_end\n"
        f"  GROUP BY {keys}",
    )


def event_ctes(raw: RawData, source: str, samples_per_group: int | None = None) -> list[Cte]:
    """From `<source>_checked` to `<source>_cube`, and for repeat measures `interactions_repeat`
    (an event source: interactions, surveys or qa)."""
    measures = [measure_sql(spec, i, raw) for i, spec in enumerate(raw.kpis)]
    mine = [m for m in measures if m.source == source and not m.table]
    repeats = [m for m in measures if m.source == source and m.table == REPEAT]
    columns = fields_of(getattr(raw.sources, source))
    samples = samples_aggregate(source, samples_per_group, columns) if samples_per_group else None
    segments = segment_columns(raw, source)
    platform = preset_of(getattr(raw.sources, source)) is not None
    ctes = [_cube_cte(source, mine, segments, samples, bool(repeats), platform)]
    if repeats:
        ctes.append(_repeat_cte(raw, repeats, segments))
    return ctes


def _attrition_ctes(sources_present: Sequence[str]) -> list[Cte]:
    """Month spine per partner and headcount: employed on the first and on the last day of each month."""
    events = [
        f"SELECT partner, year * 12 + month - 1 AS m FROM {s}_cube WHERE reject_reason IS NULL"
        for s in sources_present
        if s != "roster"
    ]
    if not events:
        events = [
            "SELECT partner, year * 12 + month - 1 AS m FROM roster_accepted",
            "SELECT partner, CAST(EXTRACT(YEAR FROM left_on) * 12 + EXTRACT(MONTH FROM left_on) - 1 AS INTEGER) AS m"
            " FROM roster_accepted WHERE left_on IS NOT NULL",
        ]
    union = "\n    UNION ALL ".join(events)
    return [
        Cte(
            "attrition_bounds",
            f"  SELECT partner, MIN(m) AS first_m, MAX(m) AS last_m FROM (\n    {union}\n  ) AS e\n"
            "  WHERE partner IN (SELECT partner FROM roster_accepted)\n  GROUP BY partner",
        ),
        Cte(
            "attrition_months(partner, m, last_m)",
            "  SELECT partner, first_m, last_m FROM attrition_bounds\n"
            "  UNION ALL\n"
            "  SELECT partner, m + 1, last_m FROM attrition_months WHERE m < last_m",
        ),
        Cte(
            "attrition_days",
            "  SELECT partner, year, month, MAKE_DATE(year, month, 1) AS first_day,\n"
            "    CAST(MAKE_DATE(year, month, 1) + INTERVAL '1' MONTH - INTERVAL '1' DAY AS DATE) AS last_day FROM (\n"
            "    SELECT partner, CAST(FLOOR(m / 12.0) AS INTEGER) AS year,\n"
            "      CAST(m - 12 * FLOOR(m / 12.0) + 1 AS INTEGER) AS month\n"
            "    FROM attrition_months\n  ) AS ym",
        ),
        Cte(
            "attrition_cube",
            "  SELECT d.partner, d.year, d.month,\n"
            "    SUM(CASE WHEN r.hired_on <= d.first_day AND (r.left_on IS NULL OR r.left_on >= d.first_day)"
            " THEN 1 ELSE 0 END) AS start_headcount,\n"
            "    SUM(CASE WHEN r.hired_on <= d.last_day AND (r.left_on IS NULL OR r.left_on >= d.last_day)"
            " THEN 1 ELSE 0 END) AS end_headcount,\n"
            "    SUM(CASE WHEN r.left_on >= d.first_day AND r.left_on <= d.last_day"
            " THEN 1 ELSE 0 END) AS leavers\n"
            "  FROM attrition_days AS d JOIN roster_accepted AS r ON r.partner = d.partner\n"
            "  GROUP BY d.partner, d.year, d.month",
        ),
    ]


def _attrition_select(m: MeasureSql) -> str:
    avg = "((start_headcount + end_headcount) / 2.0)"
    value = m.value.replace("avg_headcount", avg)
    return (
        f"  SELECT partner, {_period('year', 'month')} AS period, {literal(m.kpi)} AS kpi, "
        f"CAST({value} AS DOUBLE) AS value, CAST({avg} AS DOUBLE) AS volume, CAST(NULL AS VARCHAR) AS segment\n"
        f"  FROM attrition_cube WHERE {avg} > 0"
    )


def segment_columns(raw: RawData, source: str) -> set[str]:
    src = getattr(raw.sources, source)
    if src is None or source == "roster":
        return set()
    return {c for c in ("channel", "programme") if c in fields_of(src)}
