"""Raw SQL, one definition per source: interactions, surveys, QA evaluations and the roster,
each from its file read to its checked rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from govdocs.raw.model import (
    DurationUnit,
    RawData,
)
from govdocs.raw.presets import fields_of, preset_of
from govdocs.raw.sql import qa_review
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
    _seconds_columns,
    _tested_cte,
    _text,
    _timed_cte,
    _timestamp_columns,
    _unreadable,
)
from govdocs.raw.sql.text import (
    ANSWER_BEFORE_ARRIVAL,
    BAD_VALUE,
    FLAWED_FIELD,
    FLAWED_VALUE,
    IN_PROGRESS,
    LARGEST,
    LEFT_BEFORE_HIRED,
    MISSING_FIELD,
    NEGATIVE_DURATION,
    NOT_A_NUMBER,
    NOT_QUEUED,
    OUT_OF_RANGE,
    PLATFORM_FIGURES,
    UNPARSEABLE_TIMESTAMP,
    Cte,
    FileRead,
    _text_list,
    literal,
)


def interactions_ctes(raw: RawData, read: FileRead, partner_ids: Sequence[str] | None) -> list[Cte]:
    src = raw.sources.interactions
    assert src is not None
    columns = fields_of(src)
    platform = preset_of(src) is not None
    types = read.types
    # a platform's contact rows carry ISO 8601 instants and seconds, whatever the source says
    tz, fmt = src.timezone, None if platform else src.timestamp_format
    stamps = ["arrived_at", "answered_at", "ended_at"]
    texts = [f for f in ("contact_id", "channel", "programme", "type", "customer_id", *DRILL_TEXTS) if f in columns]
    numbers = [f for f in ("talk_seconds", "hold_seconds", "acw_seconds", "transfers") if f in columns]
    parsed = [f"{_text(f, types)} AS {f}" for f in texts]
    parsed.append(f"{_partner(types, src.partner_values)} AS partner")
    for f in stamps:
        parsed += _timestamp_columns(f, types, fmt)
    for f in numbers:
        unit = src.duration_unit if f.endswith("_seconds") and not platform else DurationUnit.SECONDS
        parsed += [f"{_raw(f, types)} AS {f}_raw", f"{_number(f, types, unit)} AS {f}"]
    if platform:
        parsed += [NOT_QUEUED, IN_PROGRESS, "legs", "copies", "handled_legs", FLAWED_FIELD, FLAWED_VALUE]
        parsed += [f"TRY_CAST({f} AS DOUBLE) AS {f}" for f in PLATFORM_FIGURES]
    parsed += _SOURCE_COLUMNS
    missing = [
        "contact_id IS NULL",
        "partner IS NULL",
        "arrived_at_raw IS NULL",
        # an abandoned contact needs its end (how long the customer waited)
        "(answered_at_raw IS NULL AND ended_at_raw IS NULL)",
    ]
    if "talk_seconds" in columns:
        missing.append("(answered_at_raw IS NOT NULL AND talk_seconds_raw IS NULL)")
    stamp_pairs = [(f"{f}_raw", f"{f}_us") for f in stamps]
    nums = [(f"{f}_raw", f) for f in numbers]
    negative = [f"{f} < 0" for f in numbers]
    negative.append("ended_at_us < COALESCE(answered_at_us, arrived_at_us)")
    # a contact that never entered a queue is set aside first: neither offered nor a reject
    # then one exported before it ended: its end, hence its handle time, is not known yet
    tests = [(NOT_QUEUED, NOT_QUEUED), (IN_PROGRESS, IN_PROGRESS)] if platform else []
    if platform:  # then a duration of its records no duration is, by name (the moments made from it follow)
        usable = f"ABS(TRY_CAST({FLAWED_VALUE} AS DOUBLE)) < {LARGEST}"
        tests.append((NOT_A_NUMBER, f"{FLAWED_FIELD} IS NOT NULL AND NOT {usable}"))
        tests.append((NEGATIVE_DURATION, f"{FLAWED_FIELD} IS NOT NULL"))
    tests += [(MISSING_FIELD, " OR ".join(missing)), (UNPARSEABLE_TIMESTAMP, _unreadable(stamp_pairs))]
    if nums:
        tests.append((NOT_A_NUMBER, _unreadable(nums)))
    tests += _partner_test(partner_ids)
    tests.append((ANSWER_BEFORE_ARRIVAL, "answered_at_us < arrived_at_us"))
    tests.append((NEGATIVE_DURATION, " OR ".join(negative)))
    keep = ["partner", *texts, *numbers, "year", "month", *(f"{f}_us" for f in stamps)]
    # the arrival's local clock (microseconds since 1970, the local time read as UTC): its hour
    # and weekday are where a gap is (govdocs/raw/sql/drill.py)
    local = f"COALESCE(arrived_at_naive, CAST(arrived_at_zoned AS TIMESTAMPTZ) AT TIME ZONE {literal(tz)})"
    keep.append(f"EPOCH_US({local}) AS arrived_local_us")
    keep += ["legs", "copies", "handled_legs", *PLATFORM_FIGURES] if platform else []
    seconds_of = {"arrived_at": "arrived_s", "answered_at": "answered_s", "ended_at": "ended_s"}
    return [
        _parsed_cte("interactions", parsed),
        _hours_cte("interactions", stamps, tz),
        _timed_cte("interactions", stamps, tz, "arrived_at"),
        _tested_cte("interactions", keep, tests, stamp_pairs + nums, timed=True, flawed=platform),
        _dups_cte("interactions"),
        _checked_cte("interactions", _seconds_columns(seconds_of)),
    ]


# the drill-down's optional text fields of an interaction (the queue or skill is `programme`)
DRILL_TEXTS = ("agent_id", "team", "site")


def _flag(field: str, types: Mapping[str, str], yes: Sequence[str], no: Sequence[str]) -> str:
    """A yes/no field as 1/0; NULL when empty or not one of the values."""
    text = f"LOWER({_text(field, types)})"
    if types.get(field, "VARCHAR").upper() == "BOOLEAN":
        return f"CASE WHEN {field} THEN 1 WHEN NOT {field} THEN 0 END"
    return (
        f"CASE WHEN {text} IN ({_text_list([v.lower() for v in yes])}) THEN 1 "
        f"WHEN {text} IN ({_text_list([v.lower() for v in no])}) THEN 0 ELSE NULL END"
    )


def surveys_ctes(raw: RawData, read: FileRead, partner_ids: Sequence[str] | None) -> list[Cte]:
    src = raw.sources.surveys
    assert src is not None
    columns = src.columns.model_dump(exclude_none=True)
    types = read.types
    texts = [f for f in ("response_id", "channel", "programme") if f in columns]
    parsed = [f"{_text(f, types)} AS {f}" for f in texts]
    parsed.append(f"{_partner(types, src.partner_values)} AS partner")
    parsed += _timestamp_columns("responded_at", types, src.timestamp_format)
    answers = [f for f in ("csat", "nps", "fcr") if f in columns]
    for f in ("csat", "nps"):
        if f in columns:
            parsed += [f"{_raw(f, types)} AS {f}_raw", f"{_number(f, types)} AS {f}"]
    if "fcr" in columns:
        parsed += [f"{_raw('fcr', types)} AS fcr_raw", f"{_flag('fcr', types, src.yes_values, src.no_values)} AS fcr"]
    parsed += _SOURCE_COLUMNS
    nums = [(f"{f}_raw", f) for f in ("csat", "nps") if f in columns]
    missing = ["partner IS NULL", "responded_at_raw IS NULL"]
    if answers:
        missing.append("(" + " AND ".join(f"{a}_raw IS NULL" for a in answers) + ")")
    tests = [
        (MISSING_FIELD, " OR ".join(missing)),
        (UNPARSEABLE_TIMESTAMP, "responded_at_us IS NULL"),
    ]
    if nums:
        tests.append((NOT_A_NUMBER, _unreadable(nums)))
    if "fcr" in columns:
        tests.append((BAD_VALUE, "fcr_raw IS NOT NULL AND fcr IS NULL"))
    tests += _partner_test(partner_ids)
    ranges = []
    if "csat" in columns:
        ranges.append(f"csat < 1 OR csat > {src.csat_scale}")
    if "nps" in columns:
        ranges.append("nps < 0 OR nps > 10 OR nps <> FLOOR(nps)")
    if ranges:
        tests.append((OUT_OF_RANGE, " OR ".join(ranges)))
    keep = ["partner", *texts, *answers, "year", "month", "responded_at_us"]
    bad = [("responded_at_raw", "responded_at_us"), *nums] + ([("fcr_raw", "fcr")] if "fcr" in columns else [])
    dups = "response_id" in columns
    return [
        _parsed_cte("surveys", parsed),
        _hours_cte("surveys", ["responded_at"], src.timezone),
        _timed_cte("surveys", ["responded_at"], src.timezone, "responded_at"),
        _tested_cte("surveys", keep, tests, bad, timed=True),
        *([_dups_cte("surveys")] if dups else []),
        _checked_cte("surveys", _seconds_columns({"responded_at": "responded_s"}), dups),
    ]


def qa_ctes(raw: RawData, read: FileRead, partner_ids: Sequence[str] | None) -> list[Cte]:
    src = raw.sources.qa
    assert src is not None
    columns = src.columns.model_dump(exclude_none=True)
    types = read.types
    texts = [f for f in ("evaluation_id", "channel", "programme", "agent_id") if f in columns]
    parsed = [f"{_text(f, types)} AS {f}" for f in texts]
    parsed.append(f"{_partner(types, src.partner_values)} AS partner")
    parsed += _timestamp_columns("evaluated_at", types, src.timestamp_format)
    parsed += [f"{_raw('score', types)} AS score_raw", f"{_number('score', types)} AS score"]
    has_fail = "auto_fail" in columns
    if has_fail:
        parsed += [
            f"{_raw('auto_fail', types)} AS auto_fail_raw",
            f"{_flag('auto_fail', types, src.yes_values, src.no_values)} AS auto_fail",
        ]
    parsed += _SOURCE_COLUMNS
    tests = [
        (MISSING_FIELD, "partner IS NULL OR evaluated_at_raw IS NULL OR score_raw IS NULL"),
        (UNPARSEABLE_TIMESTAMP, "evaluated_at_us IS NULL"),
        (NOT_A_NUMBER, "score IS NULL"),
    ]
    if has_fail:
        # an empty auto-fail cell means no auto-fail unless '' was taken out of no_values
        empty_is_no = "" in src.no_values
        condition = "auto_fail IS NULL" + ("" if not empty_is_no else " AND auto_fail_raw IS NOT NULL")
        tests.append((BAD_VALUE, condition))
    tests += _partner_test(partner_ids)
    tests.append((OUT_OF_RANGE, f"score < 0 OR score > {src.score_max:g}"))
    keep = ["partner", *texts, "score", "year", "month", "evaluated_at_us"]
    if "agent_id" in columns:  # the evaluation's local day: coaching within N days of it (qa_review.py)
        zoned = f"CAST(evaluated_at_zoned AS TIMESTAMPTZ) AT TIME ZONE {literal(src.timezone)}"
        local = f"COALESCE(evaluated_at_naive, {zoned})"
        keep.append(f"EPOCH_US({local}) // {qa_review.DAY_US} AS evaluated_day")
    if has_fail:
        keep.append("COALESCE(auto_fail, 0) AS auto_fail")
    bad = [("evaluated_at_raw", "evaluated_at_us"), ("score_raw", "score")]
    bad += [("auto_fail_raw", "auto_fail")] if has_fail else []
    dups = "evaluation_id" in columns
    return [
        _parsed_cte("qa", parsed),
        _hours_cte("qa", ["evaluated_at"], src.timezone),
        _timed_cte("qa", ["evaluated_at"], src.timezone, "evaluated_at"),
        _tested_cte("qa", keep, tests, bad, timed=True),
        *([_dups_cte("qa")] if dups else []),
        _checked_cte("qa", _seconds_columns({"evaluated_at": "evaluated_s"}), dups),
    ]


def roster_ctes(raw: RawData, read: FileRead, partner_ids: Sequence[str] | None) -> list[Cte]:
    src = raw.sources.roster
    assert src is not None
    columns = src.columns.model_dump(exclude_none=True)
    types = read.types
    parsed = [
        f"{_partner(types, src.partner_values)} AS partner",
        f"{_text('agent_id', types)} AS agent_id",
        f"{_raw('hired_on', types)} AS hired_on_raw",
        f"{_date('hired_on', types, src.date_format)} AS hired_on",
    ]
    if "left_on" in columns:
        parsed += [
            f"{_raw('left_on', types)} AS left_on_raw",
            f"{_date('left_on', types, src.date_format)} AS left_on",
        ]
    else:
        parsed += ["CAST(NULL AS VARCHAR) AS left_on_raw", "CAST(NULL AS DATE) AS left_on"]
    for f in ("team", "site"):  # the drill-down's, when the contacts carry none
        parsed.append(f"{_text(f, types) if f in columns else 'CAST(NULL AS VARCHAR)'} AS {f}")
    # The same agent listed twice with the same hire date is a duplicate; a rehire is not.
    parsed.append(
        f"{_partner(types, src.partner_values)} || '|' || {_text('agent_id', types)} || '|' || "
        f"COALESCE({_text('hired_on', types)}, '') AS agent_key"
    )
    parsed += _SOURCE_COLUMNS
    tests = [
        (MISSING_FIELD, "partner IS NULL OR agent_id IS NULL OR hired_on_raw IS NULL"),
        (UNPARSEABLE_TIMESTAMP, "hired_on IS NULL OR (left_on_raw IS NOT NULL AND left_on IS NULL)"),
        *_partner_test(partner_ids),
        (LEFT_BEFORE_HIRED, "left_on < hired_on"),
    ]
    keep = [
        "partner",
        "agent_id",
        "agent_key",
        "hired_on",
        "left_on",
        "team",
        "site",
        "CAST(EXTRACT(YEAR FROM hired_on) AS INTEGER) AS year",
        "CAST(EXTRACT(MONTH FROM hired_on) AS INTEGER) AS month",
    ]
    bad = [("hired_on_raw", "hired_on"), ("left_on_raw", "left_on")]
    return [
        _parsed_cte("roster", parsed),
        _tested_cte("roster", keep, tests, bad, timed=False),
        _dups_cte("roster"),
        _checked_cte("roster"),
    ]


CTE_BUILDERS = {
    "interactions": interactions_ctes,
    "surveys": surveys_ctes,
    "qa": qa_ctes,
    "roster": roster_ctes,
    "calibration": qa_review.calibration_ctes,
    "coaching": qa_review.coaching_ctes,
}
