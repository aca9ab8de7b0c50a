"""Aggregate step, raw half: QA calibration and coaching that follows, from their sources.

Two sources, each read to its checked rows like the roster (a table of rows, no monthly cube):

- `calibration`: the same contacts scored by the client's and the partner's evaluators, one row per
  evaluation (or per form section of one). A contact scored by both sides is a pair; its
  difference is the partner's total minus the client's.
- `coaching`: coaching sessions, one row per agent and day.

And two statements over them, written once as DuckDB SQL and carried to Spark by SQLGlot like
every other definition (dialects.py), each yielding small monthly sums the decide step
(govdocs/qa_review.py) adds up per quarter -- sums, never means, so that a quarter's figures are
exact whatever the months:

- `calibration_select`: per partner and month (the later evaluation's) the pairs, the sum and the
  sum of squares of their differences and how many are within the tolerance; and per form section
  (when the rows carry one) the pairs, the sum and the sum of absolute differences.
- `coaching_select`: per partner, evaluated agent, month and whether the agent was under 90 days in
  post at the evaluation (from the roster; NULL without it), the evaluations, their score sum, the
  low scores and how many of those were followed by a coaching session of the same agent within N
  days (NULL without coaching records); and the roster's agents (who could have been evaluated).
"""

from __future__ import annotations

from collections.abc import Sequence

from govdocs.raw.model import CoachingRules, RawData
from govdocs.raw.sql.drill import roster_agents_cte
from govdocs.raw.sql.stages import (
    _SOURCE_COLUMNS,
    _checked_cte,
    _date,
    _dups_cte,
    _hours_cte,
    _number,
    _parsed_cte,
    _partner,
    _partner_test,
    _raw,
    _tested_cte,
    _text,
    _timed_cte,
    _timestamp_columns,
)
from govdocs.raw.sql.text import (
    BAD_VALUE,
    MISSING_FIELD,
    NOT_A_NUMBER,
    OUT_OF_RANGE,
    UNPARSEABLE_TIMESTAMP,
    Cte,
    FileRead,
    _text_list,
    literal,
)

DAY_US = 86_400_000_000
NEW_HIRE_DAYS = 90  # an agent under 90 days in post: the drill-down's first tenure band
CLIENT, PARTNER = "client", "partner"


def calibration_ctes(raw: RawData, read: FileRead, partner_ids: Sequence[str] | None) -> list[Cte]:
    src = raw.sources.calibration
    assert src is not None
    columns = src.columns.model_dump(exclude_none=True)
    types = read.types
    side = f"LOWER({_text('side', types)})"
    has_section = "section" in columns
    section = _text("section", types) if has_section else "CAST(NULL AS VARCHAR)"
    parsed = [
        f"{_partner(types, src.partner_values)} AS partner",
        f"{_text('contact_id', types)} AS contact_id",
        f"{_raw('side', types)} AS side_raw",
        f"CASE WHEN {side} IN ({_text_list([v.lower() for v in src.client_side])}) THEN {literal(CLIENT)} "
        f"WHEN {side} IN ({_text_list([v.lower() for v in src.partner_side])}) THEN {literal(PARTNER)} END AS side",
        f"{section} AS section",
        f"{_raw('score', types)} AS score_raw",
        f"{_number('score', types)} AS score",
        *_timestamp_columns("evaluated_at", types, src.timestamp_format),
        *_SOURCE_COLUMNS,
    ]
    # one score per contact, side and section: a second is a duplicate (the first is kept)
    key = "partner || '|' || contact_id || '|' || side || '|' || COALESCE(section, '')"
    missing = ["partner IS NULL", "contact_id IS NULL", "side_raw IS NULL", "evaluated_at_raw IS NULL"]
    missing += ["score_raw IS NULL"] + (["section IS NULL"] if has_section else [])
    tests = [
        (MISSING_FIELD, " OR ".join(missing)),
        (UNPARSEABLE_TIMESTAMP, "evaluated_at_us IS NULL"),
        (NOT_A_NUMBER, "score IS NULL"),
        (BAD_VALUE, "side IS NULL"),
        *_partner_test(partner_ids),
        (OUT_OF_RANGE, f"score < 0 OR score > {src.score_max:g}"),
    ]
    keep = ["partner", "contact_id", "side", "section", "score", f"{key} AS row_key", "year", "month"]
    bad = [("evaluated_at_raw", "evaluated_at_us"), ("score_raw", "score"), ("side_raw", "side")]
    return [
        _parsed_cte("calibration", parsed),
        _hours_cte("calibration", ["evaluated_at"], src.timezone),
        _timed_cte("calibration", ["evaluated_at"], src.timezone, "evaluated_at"),
        _tested_cte("calibration", keep, tests, bad, timed=True),
        _dups_cte("calibration"),
        _checked_cte("calibration"),
    ]


def coaching_ctes(raw: RawData, read: FileRead, partner_ids: Sequence[str] | None) -> list[Cte]:

    src = raw.sources.coaching
    assert src is not None
    columns = src.columns.model_dump(exclude_none=True)
    types = read.types
    parsed = [
        f"{_partner(types, src.partner_values)} AS partner",
        f"{_text('agent_id', types)} AS agent_id",
        f"{_raw('coached_on', types)} AS coached_on_raw",
        f"{_date('coached_on', types, src.date_format)} AS coached_on",
        f"{_text('type', types) if 'type' in columns else 'CAST(NULL AS VARCHAR)'} AS type",
        *_SOURCE_COLUMNS,
    ]
    tests = [
        (MISSING_FIELD, "partner IS NULL OR agent_id IS NULL OR coached_on_raw IS NULL"),
        (UNPARSEABLE_TIMESTAMP, "coached_on IS NULL"),
        *_partner_test(partner_ids),
    ]
    keep = [
        "partner",
        "agent_id",
        "coached_on",
        "type",
        # one session per agent and day: the same line twice is a duplicate
        "partner || '|' || agent_id || '|' || CAST(coached_on AS VARCHAR) AS row_key",
        "CAST(EXTRACT(YEAR FROM coached_on) AS INTEGER) AS year",
        "CAST(EXTRACT(MONTH FROM coached_on) AS INTEGER) AS month",
    ]
    return [
        _parsed_cte("coaching", parsed),
        _tested_cte("coaching", keep, tests, [("coached_on_raw", "coached_on")], timed=False),
        _dups_cte("coaching"),
        _checked_cte("coaching"),
    ]


def _month_index(year: str = "year", month: str = "month") -> str:
    """Months since year 0 (2026-07: 2026 x 12 + 6): a pair's month is the later of its two."""
    return f"({year} * 12 + {month} - 1)"


def calibration_select(raw: RawData) -> str:
    """Per partner and month: pairs, sum and sum of squares of (partner - client), pairs within
    the tolerance; `section` NULL for the totals, else the section's pairs, sum and sum of |d|."""
    src = raw.sources.calibration
    assert src is not None
    tolerance = f"{float(src.tolerance)!r}"
    return f"""\
WITH calibration_sides AS (
  SELECT partner, contact_id, side, SUM(score) AS total, MAX({_month_index()}) AS m
  FROM calibration_checked WHERE reject_reason IS NULL
  GROUP BY partner, contact_id, side
),
calibration_pairs AS (
  SELECT p.partner, p.contact_id, p.total - c.total AS diff, GREATEST(p.m, c.m) AS m
  FROM calibration_sides AS p
  JOIN calibration_sides AS c ON c.partner = p.partner AND c.contact_id = p.contact_id AND c.side = '{CLIENT}'
  WHERE p.side = '{PARTNER}'
),
calibration_section_sides AS (
  SELECT partner, contact_id, section, side, SUM(score) AS score
  FROM calibration_checked WHERE reject_reason IS NULL AND section IS NOT NULL
  GROUP BY partner, contact_id, section, side
),
calibration_section_pairs AS (
  SELECT p.partner, p.contact_id, p.section, p.score - c.score AS diff, x.m
  FROM calibration_section_sides AS p
  JOIN calibration_section_sides AS c
    ON c.partner = p.partner AND c.contact_id = p.contact_id AND c.section = p.section AND c.side = '{CLIENT}'
  JOIN calibration_pairs AS x ON x.partner = p.partner AND x.contact_id = p.contact_id
  WHERE p.side = '{PARTNER}'
)
SELECT partner, m, CAST(NULL AS VARCHAR) AS section, CAST(COUNT(*) AS BIGINT) AS pairs,
  CAST(SUM(diff) AS DOUBLE) AS diff_sum, CAST(SUM(diff * diff) AS DOUBLE) AS diff_squares,
  CAST(SUM(CASE WHEN ABS(diff) <= {tolerance} THEN 1 ELSE 0 END) AS BIGINT) AS within
FROM calibration_pairs GROUP BY partner, m
UNION ALL
SELECT partner, m, section, CAST(COUNT(*) AS BIGINT) AS pairs,
  CAST(SUM(diff) AS DOUBLE) AS diff_sum, CAST(SUM(ABS(diff)) AS DOUBLE) AS diff_squares,
  CAST(NULL AS BIGINT) AS within
FROM calibration_section_pairs GROUP BY partner, m, section
ORDER BY partner, m, section NULLS FIRST
"""


def coaching_select(raw: RawData, rules: CoachingRules) -> str:
    """Per partner, evaluated agent and month: evaluations, score sum, low scores and (with
    coaching records) how many of those a session of the same agent followed within N days."""
    low = f"{float(rules.low_score)!r}"
    coached = raw.sources.coaching is not None
    follow = (
        f"""
coaching_days AS (
  SELECT DISTINCT partner, agent_id, EPOCH_US(CAST(coached_on AS TIMESTAMP)) // {DAY_US} AS day
  FROM coaching_checked WHERE reject_reason IS NULL
),
qa_followed AS (
  SELECT s.source_key, MAX(CASE WHEN c.agent_id IS NOT NULL THEN 1 ELSE 0 END) AS coached
  FROM qa_scored AS s
  LEFT JOIN coaching_days AS c ON c.partner = s.partner AND c.agent_id = s.agent_id
    AND c.day >= s.day AND c.day <= s.day + {int(rules.within_days)}
  WHERE s.score < {low}
  GROUP BY s.source_key
),"""
        if coached
        else ""
    )
    followed = "CAST(SUM(COALESCE(f.coached, 0)) AS BIGINT)" if coached else "CAST(NULL AS BIGINT)"
    join = "\nLEFT JOIN qa_followed AS f ON f.source_key = s.source_key" if coached else ""
    if raw.sources.roster is not None:  # the agent's tenure at the evaluation: under 90 days in post or not
        hired = f"EPOCH_US(CAST(r.hired_on AS TIMESTAMP)) // {DAY_US}"
        new_hire = (
            f"CASE WHEN r.hired_on IS NULL OR q.evaluated_day < {hired} THEN NULL "
            f"WHEN q.evaluated_day - {hired} < {NEW_HIRE_DAYS} THEN 1 ELSE 0 END"
        )
        roster = f"{roster_agents_cte()},\n"
        rows = "qa_checked AS q\n  LEFT JOIN roster_agents AS r ON r.partner = q.partner AND r.agent_id = q.agent_id"
    else:
        new_hire, roster, rows = "CAST(NULL AS INTEGER)", "", "qa_checked AS q"
    return f"""\
WITH {roster}qa_scored AS (
  SELECT q.partner, q.agent_id, q.year, q.month, q.score, q.source_key, q.evaluated_day AS day,
    {new_hire} AS new_hire
  FROM {rows}
  WHERE q.reject_reason IS NULL AND q.agent_id IS NOT NULL
),{follow}
qa_agent_months AS (
  SELECT s.partner, s.agent_id, {_month_index("s.year", "s.month")} AS m, CAST(COUNT(*) AS BIGINT) AS evaluations,
    CAST(SUM(s.score) AS DOUBLE) AS score_sum,
    CAST(SUM(CASE WHEN s.score < {low} THEN 1 ELSE 0 END) AS BIGINT) AS low,
    {followed} AS low_followed, s.new_hire
  FROM qa_scored AS s{join}
  GROUP BY s.partner, s.agent_id, s.year, s.month, s.new_hire
)
SELECT partner, agent_id, m, new_hire, evaluations, score_sum, low, low_followed FROM qa_agent_months
ORDER BY partner, agent_id, m, new_hire NULLS FIRST
"""


def roster_select() -> str:
    """The roster's accepted agents: who could have been evaluated, in which team."""
    return (
        "SELECT partner, agent_id, CAST(hired_on AS VARCHAR) AS hired_on, CAST(left_on AS VARCHAR) AS left_on, "
        "team\nFROM roster_checked WHERE reject_reason IS NULL\nORDER BY partner, agent_id, hired_on"
    )
