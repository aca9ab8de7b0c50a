"""Raw SQL, the platforms' exports: from a platform's records (legs) to `interactions_read`, one row
per customer contact with the fields a mapped table gives (see govdocs/raw/presets.py for the rules
every preset follows). Every value leaves as text, as a CSV cell would: the parsing stage after it
reads timestamps and numbers once, for presets and mapped tables alike, so an unreadable value
is rejected with its text whichever way the records came.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from govdocs.raw.model import InteractionSource
from govdocs.raw.presets import (
    AMAZON_CONNECT,
    FIVE9,
    GENESYS_CLOUD,
    NICE_CXONE,
    PRESETS,
    SALESFORCE_VOICE,
    TALKDESK,
    TWILIO_FLEX,
    ZENDESK_TALK,
    leg_paths,
    preset_of,
)
from govdocs.raw.sql.text import (
    FLAWED_FIELD,
    FLAWED_VALUE,
    IN_PROGRESS,
    LARGEST,
    NOT_QUEUED,
    PLATFORM_HANDLE,
    PLATFORM_WAIT,
    PLATFORM_WITHIN,
    Cte,
    FileRead,
    identifier,
    json_record_type,
    literal,
    read_function,
)


def _ts(column: str) -> str:
    return f"TRY_CAST({column} AS TIMESTAMPTZ)"


def _bad_ts(column: str) -> str:
    return f"({column} IS NOT NULL AND {_ts(column)} IS NULL)"


def _bad_number(column: str) -> str:
    return f"({column} IS NOT NULL AND TRY_CAST({column} AS DOUBLE) IS NULL)"


def _earliest(column: str, where: str = "TRUE") -> str:
    """The earliest readable timestamp text of the legs (where `where`); an unreadable one wins,
    so the contact is rejected with that text rather than read as if the moment never happened."""
    return (
        f"COALESCE(MIN(CASE WHEN {_bad_ts(column)} AND {where} THEN {column} END), "
        f"ARG_MIN(CASE WHEN {where} THEN {column} END, CASE WHEN {where} THEN {_ts(column)} END))"
    )


def _latest(column: str, where: str = "TRUE") -> str:
    return (
        f"COALESCE(MIN(CASE WHEN {_bad_ts(column)} AND {where} THEN {column} END), "
        f"ARG_MAX(CASE WHEN {where} THEN {column} END, CASE WHEN {where} THEN {_ts(column)} END))"
    )


def _total(column: str) -> str:
    """Seconds summed over the legs, as text; the first unreadable value instead, so it is rejected."""
    return (
        f"COALESCE(MIN(CASE WHEN {_bad_number(column)} THEN {column} END), "
        f"CAST(SUM(TRY_CAST({column} AS DOUBLE)) AS VARCHAR))"
    )


# seconds counted from a moment: beyond this (about 31,700 years) the moment would pass the last
# timestamp an engine holds, so the duration is taken as unreadable text instead of overflowing
LONGEST_OFFSET = 10**12


def _too_long(seconds: str) -> str:
    """Whether a duration's text, as seconds, is too large (or infinite, or NaN) to count a moment by."""
    return f"NOT ABS(TRY_CAST({seconds} AS DOUBLE)) < {LONGEST_OFFSET}"


def _after(moment: str, seconds: str) -> str:
    """`moment` plus `seconds` (a number), to the microsecond; NULL when the seconds are too many
    to count a moment by (never an overflow that would stop the whole file's read)."""
    usable = f"CASE WHEN ABS({seconds}) < {LONGEST_OFFSET} THEN {seconds} END"
    return f"{moment} + TO_MICROSECONDS(CAST(ROUND(({usable}) * 1e6) AS BIGINT))"


def _first(column: str) -> str:
    """The value on the contact's first leg (the initial contact's record, else the first read)."""
    return f"ARG_MIN({column}, leg_order)"


def _contact_rows(columns: list[str], answered: str, description: str, durations: Sequence[str] = ()) -> Cte:
    """The legs of each customer contact as one row: the preset's `columns`, then what every preset
    counts (legs, delivered copies, legs handled), the first flawed duration of its legs (see
    `_flawed`) and its place in the files (the flawed record's, else the first leg's). A record
    without any id is a contact of its own (rejected: a required field is empty)."""
    if not any(c.endswith(f" AS {PLATFORM_WITHIN}") for c in columns):  # only CXone's records carry it
        columns = [*columns, f"CAST(NULL AS VARCHAR) AS {PLATFORM_WITHIN}"]
    field, value = _flawed(durations)
    flawed = f"CASE WHEN {field} IS NOT NULL THEN leg_order END"
    counted = [
        "COUNT(*) AS legs",
        "SUM(copies) AS copies",
        f"COUNT(*) FILTER (WHERE {answered}) AS handled_legs",
        f"ARG_MIN({field}, {flawed}) AS {FLAWED_FIELD}",
        f"ARG_MIN({value}, {flawed}) AS {FLAWED_VALUE}",
        # where the contact is named: the record holding its flawed duration, else its first leg's
        f"COALESCE(ARG_MIN(source_index, {flawed}), {_first('source_index')}) AS source_index",
        f"COALESCE(ARG_MIN(source_row, {flawed}), {_first('source_row')}) AS source_row",
    ]
    body = (
        "  SELECT\n    "
        + ",\n    ".join([*columns, *counted])
        + "\n  FROM (SELECT *, [initial_last, source_key] AS leg_order FROM interactions_legs) AS legs\n"
        "  GROUP BY COALESCE(chain_id, 'record ' || source_key)"
    )
    return Cte("interactions_read", body, description)


def _flawed(durations: Sequence[str]) -> tuple[str, str]:
    """A leg's first duration field (of `durations`: seconds as text, as in the record) that reads
    as a number no duration is -- negative, or infinite, NaN or 10^15 or more -- as (its field's
    name, its text); NULL when none is. A sum over the legs or a moment counted from it would hide
    it (a negative leg inside a positive total) or overflow (1e30 seconds after created_at): the
    contact is rejected for it by name instead (negative_duration, not_a_number). Text that is
    not a number at all is left to the parsing stage, which rejects it with its text."""
    if not durations:
        return "CAST(NULL AS VARCHAR)", "CAST(NULL AS VARCHAR)"
    tests = [(d, f"(TRY_CAST({d} AS DOUBLE) < 0 OR NOT ABS(TRY_CAST({d} AS DOUBLE)) < {LARGEST})") for d in durations]
    field = "CASE " + " ".join(f"WHEN {test} THEN {literal(d)}" for d, test in tests) + " END"
    value = "CASE " + " ".join(f"WHEN {test} THEN {d}" for d, test in tests) + " END"
    return field, value


def _contact_state(queued: str, in_progress: str = "FALSE", wait: str = "", handle: str = "") -> list[str]:
    """A contact row's four columns after its fields, as every preset ends it: never queued (no leg
    `queued`), still going on (`in_progress`, over the legs; FALSE where the platform exports ended
    contacts only), and the platform's own wait and handle time where its records carry them
    (else NULL: nothing of its own to compare with ours)."""
    return [
        f"NOT BOOL_OR({queued}) AS {NOT_QUEUED}",
        f"{in_progress} AS {IN_PROGRESS}",
        f"{wait or 'CAST(NULL AS VARCHAR)'} AS {PLATFORM_WAIT}",
        f"{handle or 'CAST(NULL AS VARCHAR)'} AS {PLATFORM_HANDLE}",
    ]


def _legs_read(source: str, paths: Mapping[str, str], read: FileRead) -> Cte:
    """FILE READ: every record of every file, each field as text from its path, with its position."""
    branches = []
    for index, path in enumerate(read.paths):
        layout = read.layouts[index] if read.layouts else "unstructured"
        # a Parquet file's schema holds only the fields its records had (older records lack
        # NextContactId or TransferCompletedTimestamp): a field it lacks is empty, as in JSON
        have = read.columns[index] if layout == PARQUET and read.columns else None
        select = [
            f"NULLIF({_trimmed(f, f'CAST({_path_sql(p)} AS VARCHAR)')}, '') AS {f}"
            if have is None or p.split(".")[0] in have
            else f"CAST(NULL AS VARCHAR) AS {f}"
            for f, p in paths.items()
        ]
        if layout == CSV_LAYOUT:  # a CSV export whose header names the fields (Salesforce's Bulk API 2.0)
            header = {name.lower(): name for name in read.columns[index]}
            select = [
                f"NULLIF(TRIM({identifier(header[p.lower()])}), '') AS {f}"
                if p.lower() in header
                else f"CAST(NULL AS VARCHAR) AS {f}"
                for f, p in paths.items()
            ]
            select += [f"{index} AS source_index", "ROW_NUMBER() OVER () AS source_row"]
            function = read_function(path, "csv", read.delimiter)
        elif layout in ENVELOPES:  # an API response: {"records": [...], "done": ...}, {"calls": [...], ...}
            record = json_record_type(tuple(dict.fromkeys(paths.values())))
            columns = _columns_argument({layout: f"{record}[]"})
            options = f"format = 'unstructured', maximum_object_size = {MAX_OBJECT}, columns = {columns}"
            select = [f"NULLIF(TRIM(CAST(r.{_path_sql(p)} AS VARCHAR)), '') AS {f}" for f, p in paths.items()]
            select += [f"{index} AS source_index", "ROW_NUMBER() OVER () AS source_row"]
            envelope = identifier(layout)
            function = f"(SELECT UNNEST({envelope}) AS r FROM read_json({literal(path)}, {options})) AS page"
        elif layout == PARQUET:  # Parquet (Firehose's record format conversion): numbered by the reader
            select += [f"{index} AS source_index", "file_row_number + 1 AS source_row"]
            function = f"read_parquet({literal(path)}, file_row_number = true)"
        else:
            select += [f"{index} AS source_index", "ROW_NUMBER() OVER () AS source_row"]
            function = read_function(path, "json", layout=layout, json_paths=tuple(dict.fromkeys(paths.values())))
        branches.append("  SELECT " + ", ".join(select) + f"\n  FROM {function}")
    comment = f"FILE READ ({source}): the platform's records, every field as text from its path"
    return Cte(f"{source}_records", "\n  UNION ALL\n".join(branches), comment)


# fields read as written, not trimmed: a JSON document in a string (TaskRouter's task attributes,
# on every one of a task's events), which only JSON functions read and whose spaces they skip --
# copying a few hundred bytes per event to trim it is a good part of reading the events
AS_WRITTEN = frozenset({"task_attributes"})


def _trimmed(field: str, text: str) -> str:
    return text if field in AS_WRITTEN else f"TRIM({text})"


def _path_sql(path: str) -> str:
    return ".".join(identifier(part) for part in path.split("."))


def connect_ctes(src: InteractionSource, read: FileRead) -> list[Cte]:
    """Amazon Connect: one contact record per leg (a transfer creates a new record whose
    InitialContactId names the first); records delivered at least once, the copy with the latest
    LastUpdateTimestamp kept per ContactId, as the data model says to."""
    paths = leg_paths(src)
    legs = _legs_read("interactions", paths, read)
    latest = Cte(
        "interactions_legs",
        "  SELECT *, source_index * 10000000000 + source_row AS source_key,\n"
        "    COALESCE(initial_contact_id, contact_id) AS chain_id,\n"
        "    CASE WHEN contact_id = COALESCE(initial_contact_id, contact_id) THEN 0 ELSE 1 END AS initial_last,\n"
        "    CASE WHEN contact_id IS NULL THEN 0 ELSE COUNT(*) OVER (PARTITION BY contact_id) - 1 END AS copies\n"
        "  FROM interactions_records\n"
        "  QUALIFY contact_id IS NULL OR ROW_NUMBER() OVER (\n"
        f"    PARTITION BY contact_id ORDER BY {_ts('last_updated_at')} DESC NULLS LAST,"
        " source_index DESC, source_row DESC) = 1",
        "at-least-once delivery: per ContactId the copy with the latest LastUpdateTimestamp (then the last read)",
    )
    queued = "arrived_at IS NOT NULL"
    answered = "answered_at IS NOT NULL"
    contact = [
        "MIN(chain_id) AS contact_id",
        f"{_first_in_queue('partner')} AS partner",
        f"{_first('channel')} AS channel",
        f"{_first_in_queue('programme')} AS programme",
        f"{_first('type')} AS type",
        f"{_first('customer_id')} AS customer_id",
        f"{_earliest('arrived_at', queued)} AS arrived_at",
        f"{_earliest('answered_at', answered)} AS answered_at",
        # answered: the last leg's end; abandoned: when the customer left the last queue
        f"CASE WHEN BOOL_OR({answered}) THEN {_latest('ended_at')}\n"
        f"      ELSE {_latest('COALESCE(left_queue_at, ended_at)', queued)} END AS ended_at",
        f"{_total('talk_seconds')} AS talk_seconds",
        f"{_total('hold_seconds')} AS hold_seconds",
        f"{_total('acw_seconds')} AS acw_seconds",
        # A hand-off whose receiving leg is in the files is counted once, by that leg (initiated by
        # TRANSFER or QUEUE_TRANSFER); one whose receiving leg is not -- a transfer out of Connect
        # (TransferCompletedTimestamp, TransferredToEndpoint) or a NextContactId not delivered --
        # by the leg that handed the customer on (a chain's legs share its InitialContactId, so
        # the next leg, when delivered, is among the contact's own)
        "CAST(SUM(CASE WHEN initiation_method IN ('TRANSFER', 'QUEUE_TRANSFER') THEN 1 ELSE 0 END)\n"
        "      + COUNT(*) FILTER (WHERE transferred_out_at IS NOT NULL OR next_contact_id IS NOT NULL)\n"
        "      - COALESCE(ARRAY_LENGTH(ARRAY_INTERSECT(LIST(next_contact_id), LIST(contact_id))), 0)\n"
        "      AS VARCHAR) AS transfers",
        # a contact record is written once the contact has ended; the platform's own wait is
        # Queue.Duration of the first queue (handle time is read from the platform's own durations
        # already, so there is nothing of its own to compare)
        *_contact_state(queued, wait=_first_in_queue("queue_duration")),
        *_answering_agent(paths, answered),
    ]
    durations = ("queue_duration", "talk_seconds", "hold_seconds", "acw_seconds")
    return [legs, latest, _contact_rows(contact, answered, "the legs of each customer contact, as one row", durations)]


def _answering_agent(paths: Mapping[str, str], answered: str) -> list[str]:
    """The drill-down fields of the first leg an agent answered (its agent, and the team and site
    when mapped): where a gap is (govdocs/raw/sql/drill.py)."""
    return [
        f"ARG_MIN({f}, CASE WHEN {answered} THEN leg_order END) AS {f}"
        for f in ("agent_id", "team", "site")
        if f in paths
    ]


def _first_in_queue(column: str) -> str:
    """The value on the first leg that entered a queue (by its enqueue time, then as read)."""
    key = (
        f"CASE WHEN {_ts('arrived_at')} IS NOT NULL THEN [epoch_us({_ts('arrived_at')}), initial_last, source_key] END"
    )
    return f"ARG_MIN({column}, {key})"


# Genesys Cloud analytics conversation details: the fields read, every leaf as text
_GENESYS_SEGMENT = (
    "STRUCT(segmentStart VARCHAR, segmentEnd VARCHAR, segmentType VARCHAR, queueId VARCHAR, disconnectType VARCHAR)"
)
_GENESYS_SESSION = (
    "STRUCT(mediaType VARCHAR, direction VARCHAR, ani VARCHAR, outboundCampaignId VARCHAR, "
    f"segments {_GENESYS_SEGMENT}[], metrics STRUCT(name VARCHAR, value VARCHAR)[])"
)
_GENESYS_PARTICIPANT = f"STRUCT(purpose VARCHAR, userId VARCHAR, sessions {_GENESYS_SESSION}[])"
_GENESYS_CONVERSATION = {
    "conversationId": "VARCHAR",
    "conversationStart": "VARCHAR",
    "conversationEnd": "VARCHAR",
    "originatingDirection": "VARCHAR",
    "participants": f"{_GENESYS_PARTICIPANT}[]",
}
# a segment of an agent ending in a transfer of the customer (Genesys' disconnectType values)
_TRANSFERS = ("transfer", "consultTransfer", "forwardTransfer", "conferenceTransfer")


def _columns_argument(columns: Mapping[str, str]) -> str:
    return "{" + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in columns.items()) + "}"


def _genesys_read(read: FileRead) -> Cte:
    """FILE READ: the conversations of every file -- a details query's response or a jobs results
    page ({"conversations": [...]}), a JSON array of conversations, or JSON lines of them."""
    branches = []
    conversation = ", ".join(f"{identifier(k)} {v}" for k, v in _GENESYS_CONVERSATION.items())
    fields = ", ".join(identifier(k) for k in _GENESYS_CONVERSATION)
    for index, path in enumerate(read.paths):
        layout = read.layouts[index]
        if layout == WRAPPED:
            columns = _columns_argument({"conversations": f"STRUCT({conversation})[]"})
            options = f"format = 'unstructured', maximum_object_size = {MAX_OBJECT}, columns = {columns}"
            function = f"read_json({literal(path)}, {options})"
            body = (
                f"  SELECT c.{fields.replace(', ', ', c.')}, {index} AS source_index,\n"
                "    ROW_NUMBER() OVER () AS source_row\n"
                f"  FROM (SELECT UNNEST(conversations) AS c FROM {function}) AS page"
            )
        else:
            options = f"format = {literal(layout)}, columns = {_columns_argument(_GENESYS_CONVERSATION)}"
            function = f"read_json({literal(path)}, {options})"
            body = f"  SELECT {fields}, {index} AS source_index, ROW_NUMBER() OVER () AS source_row\n  FROM {function}"
        branches.append(body)
    comment = "FILE READ (interactions): Genesys Cloud conversations, every field as text"
    return Cte("interactions_records", "\n  UNION ALL\n".join(branches), comment)


PARQUET = "parquet"  # a platform's records in a Parquet file (their nesting as structs)
CSV_LAYOUT = "csv"  # a platform's records as CSV rows, a field per column (Salesforce's Bulk API 2.0)
# the largest single JSON value read (a {"conversations": [...]} page); DuckDB buffers twice this
MAX_OBJECT = 64 * 1024 * 1024
WRAPPED = "wrapped"  # a Genesys file whose conversations sit in {"conversations": [...]}
# the layouts of an API response whose records sit in one key's array (a preset's `envelope`)
ENVELOPES = frozenset(p.envelope for p in PRESETS.values() if p.envelope)


def _queues_cte(read: FileRead) -> Cte:
    """The queue names: GET /api/v2/routing/queues pages ({"entities": [{"id", "name"}]})."""
    if not read.lookups:
        return Cte(
            "interactions_queues", "  SELECT CAST(NULL AS VARCHAR) AS id, CAST(NULL AS VARCHAR) AS name WHERE FALSE"
        )
    columns = _columns_argument({"entities": "STRUCT(id VARCHAR, name VARCHAR)[]"})
    branches = [
        f"  SELECT e.id, e.name FROM (SELECT UNNEST(entities) AS e FROM read_json({literal(path)}, "
        f"format = 'unstructured', maximum_object_size = {MAX_OBJECT}, columns = {columns})) AS page"
        for path in read.lookups
    ]
    body = "  SELECT id, MIN(name) AS name FROM (\n" + "\n  UNION ALL\n".join(branches) + "\n  ) AS q GROUP BY id"
    return Cte("interactions_queues", body, "FILE READ (interactions): the queues export, queue id -> name")


def genesys_ctes(src: InteractionSource, read: FileRead) -> list[Cte]:
    """Genesys Cloud: one conversation per customer contact, its legs the acd (queue) and agent
    participants. A conversation in two exports (overlapping intervals) keeps the copy that ended
    last. Times come from the segments: queued = an acd participant's interact segment, answered =
    the start of an agent's first interact segment after it (after the alert: when Genesys counts
    tAnswered), talk, hold and wrap-up = the agents' interact, hold and wrapup segments."""
    end = _ts('"conversationEnd"')
    latest = Cte(
        "interactions_conversations",
        "  SELECT *, source_index * 10000000000 + source_row AS source_key,\n"
        '    CASE WHEN "conversationId" IS NULL THEN 0\n'
        '      ELSE COUNT(*) OVER (PARTITION BY "conversationId") - 1 END AS copies\n'
        "  FROM interactions_records\n"
        '  QUALIFY "conversationId" IS NULL OR ROW_NUMBER() OVER (PARTITION BY "conversationId"\n'
        f"    ORDER BY {end} DESC NULLS LAST, source_index DESC, source_row DESC) = 1",
        "a conversation in two exports: the copy that ended last (then the last read)",
    )
    segments = Cte(
        "interactions_segments",
        "  SELECT source_key, purpose, user_id, media, ani, campaign,\n"
        "    seg.segmentStart AS seg_start, seg.segmentEnd AS seg_end,\n"
        "    seg.segmentType AS seg_type, seg.queueId AS queue_id, seg.disconnectType AS disconnect, k, participant,\n"
        # an agent participant that never reached interact was alerted and did not answer: its
        # wrap-up (and any hold) is not handle time of this contact, as Genesys' tHandle has it
        "    MAX(CASE WHEN seg.segmentType = 'interact' THEN 1 ELSE 0 END)\n"
        "      OVER (PARTITION BY source_key, participant) AS connected\n"
        "  FROM (\n"
        "    SELECT source_key, purpose, user_id, participant, s.mediaType AS media, s.ani AS ani,\n"
        "      s.outboundCampaignId AS campaign, UNNEST(s.segments) AS seg, GENERATE_SUBSCRIPTS(s.segments, 1) AS k\n"
        "    FROM (\n"
        "      SELECT source_key, p.purpose AS purpose, p.userId AS user_id, participant, UNNEST(p.sessions) AS s\n"
        '      FROM (SELECT source_key, UNNEST("participants") AS p, GENERATE_SUBSCRIPTS("participants", 1)'
        " AS participant\n"
        "        FROM interactions_conversations) AS participants\n"
        "    ) AS sessions\n"
        "  ) AS flat",
        "every segment of every participant's session, with the participant's purpose",
    )
    metrics = Cte(
        "interactions_metrics",
        "  SELECT source_key,\n"
        # the platform's own measures (milliseconds): the first queue's tAnswered, or its tAbandon,
        # and tHandle summed over the agents' sessions
        "    ARG_MIN(CASE WHEN purpose = 'acd' AND m.name IN ('tAnswered', 'tAbandon')"
        " THEN TRY_CAST(m.value AS DOUBLE) / 1000.0 END,\n"
        "      CASE WHEN purpose = 'acd' AND m.name IN ('tAnswered', 'tAbandon') THEN participant END) AS wait,\n"
        "    SUM(CASE WHEN purpose = 'agent' AND m.name = 'tHandle' THEN TRY_CAST(m.value AS DOUBLE) / 1000.0 END)"
        " AS handle\n"
        "  FROM (\n"
        "    SELECT source_key, purpose, participant, UNNEST(s.metrics) AS m\n"
        "    FROM (\n"
        "      SELECT source_key, p.purpose AS purpose, participant, UNNEST(p.sessions) AS s\n"
        '      FROM (SELECT source_key, UNNEST("participants") AS p, GENERATE_SUBSCRIPTS("participants", 1)'
        " AS participant\n"
        "        FROM interactions_conversations) AS participants\n"
        "    ) AS sessions\n"
        "  ) AS flat\n"
        "  GROUP BY source_key",
        "the platform's own figures for each conversation (session metrics), to compare with ours",
    )
    start, stop = _ts("seg_start"), _ts("seg_end")
    queued = "purpose = 'acd' AND seg_type = 'interact'"
    agent = "purpose = 'agent'"
    bad = f"CASE WHEN {_bad_ts('seg_start')} THEN seg_start WHEN {_bad_ts('seg_end')} THEN seg_end END"

    def seconds(kind: str) -> str:
        span = f"EPOCH_MS({stop}) - EPOCH_MS({start})"
        return (
            f"CAST(SUM(CASE WHEN {agent} AND connected = 1 AND seg_type = '{kind}' THEN ({span}) / 1000.0 END)"
            " AS VARCHAR)"
        )

    per_contact = Cte(
        "interactions_timeline",
        "  SELECT source_key,\n"
        f"    MIN({bad}) AS bad_stamp,\n"
        f"    MIN(CASE WHEN {queued} THEN {start} END) AS queued_at,\n"
        # the first queue entered; one whose start cannot be read still names its queue (after the
        # readable ones), so the contact is rejected for that timestamp, not for an empty partner
        f"    ARG_MIN(CASE WHEN {queued} THEN queue_id END, CASE WHEN {queued} THEN\n"
        f"      [CASE WHEN {start} IS NULL THEN 1 ELSE 0 END, COALESCE(EPOCH_US({start}), 0), participant, k] END)"
        " AS queue_id,\n"
        f"    MAX(CASE WHEN {queued} THEN {stop} END) AS left_queue_at,\n"
        # without conversationEnd (in progress, or an older response): the last segment's end,
        # unless a segment is still open (then the conversation has not ended)
        f"    MAX({stop}) AS last_end,\n"
        "    BOOL_OR(seg_start IS NOT NULL AND seg_end IS NULL) AS open_segment,\n"
        # an outbound campaign's contact (a preview or callback dialled for a campaign) was never
        # an inbound contact offered to the queue, whatever its acd participant says
        "    BOOL_OR(campaign IS NOT NULL) AS campaign,\n"
        f"    LIST(CASE WHEN {agent} AND seg_type = 'interact' THEN {start} END) AS agent_starts,\n"
        f"    {seconds('interact')} AS talk_seconds,\n"
        f"    {seconds('hold')} AS hold_seconds,\n"
        f"    {seconds('wrapup')} AS acw_seconds,\n"
        f"    CAST(SUM(CASE WHEN {agent} AND disconnect IN ({', '.join(literal(t) for t in _TRANSFERS)})"
        " THEN 1 ELSE 0 END) AS VARCHAR) AS transfers,\n"
        "    ARG_MIN(CASE WHEN purpose = 'customer' THEN ani END, CASE WHEN purpose = 'customer' THEN k END) AS ani,\n"
        "    ARG_MIN(media, k) AS media,\n"
        f"    COUNT(DISTINCT CASE WHEN {agent} AND seg_type = 'interact' THEN participant END) AS handled_legs,\n"
        # the drill-down's agent: the user of the first agent interact (the answer, when it follows the queue)
        f"    MIN(CASE WHEN {agent} AND seg_type = 'interact' THEN {start} END) AS first_agent_at,\n"
        f"    ARG_MIN(CASE WHEN {agent} AND seg_type = 'interact' THEN user_id END,\n"
        f"      CASE WHEN {agent} AND seg_type = 'interact' THEN [EPOCH_US({start}), participant, k] END)"
        " AS first_agent\n"
        "  FROM interactions_segments GROUP BY source_key",
    )
    iso = "strftime(CAST({} AS TIMESTAMPTZ) AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ')"
    answered = "LIST_MIN(LIST_FILTER(t.agent_starts, lambda x: x >= t.queued_at))"
    contact = [
        'c."conversationId" AS contact_id',
        "COALESCE(q.name, t.queue_id) AS partner",
        "t.media AS channel",
        "COALESCE(q.name, t.queue_id) AS programme",
        "CASE WHEN t.campaign THEN 'outbound' ELSE c.\"originatingDirection\" END AS type",
        "t.ani AS customer_id",
        f"COALESCE(t.bad_stamp, {iso.format('t.queued_at')}) AS arrived_at",
        f"{iso.format(answered)} AS answered_at",
        f'CASE WHEN {answered} IS NOT NULL THEN COALESCE(c."conversationEnd", {iso.format("t.last_end")})\n'
        f"      ELSE {iso.format('t.left_queue_at')} END AS ended_at",
        "COALESCE(t.talk_seconds, CASE WHEN " + answered + " IS NOT NULL THEN '0' END) AS talk_seconds",
        "t.hold_seconds",
        "t.acw_seconds",
        "COALESCE(t.transfers, '0') AS transfers",
        f"CASE WHEN {answered} = t.first_agent_at THEN t.first_agent END AS agent_id",
        f"(t.queued_at IS NULL AND t.bad_stamp IS NULL) OR COALESCE(t.campaign, FALSE) AS {NOT_QUEUED}",
        f'c."conversationEnd" IS NULL AND COALESCE(t.open_segment, FALSE) AS {IN_PROGRESS}',
        f"CAST(m.wait AS VARCHAR) AS {PLATFORM_WAIT}",
        f"CAST(m.handle AS VARCHAR) AS {PLATFORM_HANDLE}",
        f"CAST(NULL AS VARCHAR) AS {PLATFORM_WITHIN}",
        "1 AS legs",
        # its durations are made from segment timestamps, each checked where it is read
        f"CAST(NULL AS VARCHAR) AS {FLAWED_FIELD}",
        f"CAST(NULL AS VARCHAR) AS {FLAWED_VALUE}",
        "c.copies",
        "COALESCE(t.handled_legs, 0) AS handled_legs",
        "c.source_index",
        "c.source_row",
    ]
    body = (
        "  SELECT\n    " + ",\n    ".join(contact) + "\n  FROM interactions_conversations AS c\n"
        "  LEFT JOIN interactions_timeline AS t ON t.source_key = c.source_key\n"
        "  LEFT JOIN interactions_queues AS q ON q.id = t.queue_id\n"
        "  LEFT JOIN interactions_metrics AS m ON m.source_key = c.source_key"
    )
    read_cte = Cte("interactions_read", body, "each conversation as one customer contact")
    return [_genesys_read(read), _queues_cte(read), latest, segments, per_contact, metrics, read_cte]


# the Reporting API's completed contacts (GET /contacts/completed): govdocs field -> the record's key
CXONE_API = {
    "contact_id": "contactId",
    "master_contact_id": "masterContactId",
    "partner": "skillName",
    "programme": "skillName",
    "channel": "mediaTypeName",
    "customer_id": "fromAddr",
    "start_utc": "contactStart",
    "pre_queue_seconds": "preQueueSeconds",
    "in_queue_seconds": "inQueueSeconds",
    "talk_seconds": "agentSeconds",
    "acw_seconds": "ACWSeconds",
    "abandoned": "abandoned",
    "outbound": "isOutbound",
    "service_level_flag": "serviceLevelFlag",
    "agent_id": "agentId",  # the drill-down's: the leg's agent and its team
    "team": "teamName",
}
# the download's columns read only where a file has them: the drill-down's (where a gap is)
CXONE_OPTIONAL = frozenset(NICE_CXONE.drill)
CXONE_WRAPPED = "resultSet"  # a Reporting API response: {"resultSet": {"completedContacts": [...]}}


def _cxone_api_branch(path: str, layout: str, index: int, fields: list[str]) -> str:
    """One file of the Reporting API's completed contacts as the download's record columns: the
    response as delivered (its envelope unwrapped), or its contacts as a JSON array or JSON lines.
    Every value is read as text (the API writes numbers and flags as strings: "13", "False");
    `fields` in the order every branch selects them (a field the API lacks is NULL)."""
    keys = dict.fromkeys(CXONE_API.values())
    if layout == CXONE_WRAPPED:
        record = "STRUCT(" + ", ".join(f"{identifier(k)} VARCHAR" for k in keys) + ")"
        columns = _columns_argument({"resultSet": f"STRUCT(completedContacts {record}[])"})
        options = f"format = 'unstructured', maximum_object_size = {MAX_OBJECT}, columns = {columns}"
        read = f"read_json({literal(path)}, {options})"
        source = f'(SELECT UNNEST("resultSet".completedContacts, recursive := true) FROM {read})'
    else:
        columns = _columns_argument(dict.fromkeys(keys, "VARCHAR"))
        options = f"format = {literal(layout)}, maximum_object_size = {MAX_OBJECT}, columns = {columns}"
        source = f"read_json({literal(path)}, {options})"
    values = {field: f"NULLIF(TRIM({identifier(key)}), '')" for field, key in CXONE_API.items()}
    select = [f"{values.get(f, 'CAST(NULL AS VARCHAR)')} AS {f}" for f in fields]
    select += [f"{index} AS source_index", "ROW_NUMBER() OVER () AS source_row"]
    return "  SELECT " + ", ".join(select) + f"\n  FROM {source} AS page"


def cxone_ctes(src: InteractionSource, read: FileRead) -> list[Cte]:
    """NICE CXone, as a Call Detail data download or as the Reporting API's completed contacts:
    one row per leg (Contact_ID), the legs of a customer's contact sharing Master_Contact_ID.
    Download: Start_Date (MM/DD/YYYY) and Start_Time (HH:MM:SS) are when the leg entered the
    system, local to the business unit; PreQueue, InQueue, Agent_Time and ACW_Seconds are
    seconds; Abandon is Y or N. API: contactStart is that moment in UTC (ISO 8601), the seconds
    are preQueueSeconds, inQueueSeconds, agentSeconds and ACWSeconds, abandoned is True or False,
    and an outbound contact (isOutbound) was never queued. A Contact_ID given twice (overlapping
    downloads) keeps the last read. Queued = in queue, answered or abandoned; answered = agent
    time > 0."""
    paths = leg_paths(src)
    # the download's fields and the API's, selected in one order by every file's branch (the
    # download's SLA column is not read; the API's start is an instant, the download's local)
    fields = list(dict.fromkeys([*paths, *CXONE_API, "start_date", "start_time"]))
    branches = []
    for index, path in enumerate(read.paths):
        layout = read.layouts[index] if read.layouts else ""
        if layout:
            branches.append(_cxone_api_branch(path, layout, index, fields))
            continue
        head = read.columns[index] if read.columns else frozenset()
        values = {
            field: f"NULLIF(TRIM({identifier(column)}), '')"
            for field, column in paths.items()
            if field not in CXONE_OPTIONAL or column.lower() in head  # an agent or team column it lacks: empty
        }
        select = [f"{values.get(f, 'CAST(NULL AS VARCHAR)')} AS {f}" for f in fields]
        select += [f"{index} AS source_index", "ROW_NUMBER() OVER () AS source_row"]
        function = read_function(path, "csv", read.delimiter)
        branches.append("  SELECT " + ", ".join(select) + f"\n  FROM {function}")
    records = Cte(
        "interactions_records",
        "\n  UNION ALL\n".join(branches),
        "FILE READ (interactions): the Call Detail download's rows or the API's completed contacts, as text",
    )
    local = "TRY_STRPTIME(start_date || ' ' || start_time, '%m/%d/%Y %H:%M:%S')"
    utc = "CAST(TRY_CAST(start_utc AS TIMESTAMPTZ) AT TIME ZONE 'UTC' AS TIMESTAMP)"
    started = f"COALESCE({utc}, {local})"

    def moment(offset: str) -> str:
        """The leg's start plus `offset` seconds, as text: an instant ('...Z') from the API, local
        time from a download (the parsing stage reads it in the source's zone)."""
        at = _after(started, offset)
        return (
            f"CASE WHEN start_utc IS NOT NULL THEN STRFTIME({at}, '%Y-%m-%dT%H:%M:%S.%fZ')"
            f" ELSE STRFTIME({at}, '%Y-%m-%d %H:%M:%S') END"
        )

    secs = {f: f"TRY_CAST({f} AS DOUBLE)" for f in ("pre_queue_seconds", "in_queue_seconds", "talk_seconds")}
    abandoned = "COALESCE(UPPER(abandoned) IN ('Y', 'TRUE'), FALSE)"
    pre, waited = (f"COALESCE({secs[f]}, 0)" for f in ("pre_queue_seconds", "in_queue_seconds"))
    legs = Cte(
        "interactions_legs",
        "  SELECT *, source_index * 10000000000 + source_row AS source_key,\n"
        "    COALESCE(master_contact_id, contact_id) AS chain_id,\n"
        "    CASE WHEN contact_id = COALESCE(master_contact_id, contact_id) THEN 0 ELSE 1 END AS initial_last,\n"
        "    CASE WHEN contact_id IS NULL THEN 0 ELSE COUNT(*) OVER (PARTITION BY contact_id) - 1 END AS copies,\n"
        # the leg's moments as text (local time from a download, an instant from the API):
        # entering the queue (after the IVR), and leaving it
        f"    CASE WHEN {started} IS NULL THEN COALESCE(start_utc, start_date || ' ' || start_time, start_date,"
        " start_time)\n"
        f"      ELSE {moment(pre)} END AS queued_at,\n"
        f"    {moment(pre + ' + ' + waited)} AS dequeued_at,\n"
        f"    {abandoned} AS leg_abandoned,\n"
        f"    COALESCE({secs['talk_seconds']}, 0) > 0 AS leg_answered,\n"
        # an outbound contact (the API says so) was dialled, not queued, whatever its agent time
        f"    COALESCE(UPPER(outbound) <> 'TRUE', TRUE) AND (COALESCE({secs['in_queue_seconds']}, 0) > 0"
        f" OR {abandoned} OR COALESCE({secs['talk_seconds']}, 0) > 0) AS leg_queued,\n"
        f"    {_bad_number('pre_queue_seconds')} OR {_bad_number('in_queue_seconds')}\n"
        f"      OR COALESCE({_too_long('pre_queue_seconds')} OR {_too_long('in_queue_seconds')}, FALSE) AS bad_wait\n"
        "  FROM interactions_records\n"
        "  QUALIFY contact_id IS NULL OR ROW_NUMBER() OVER (\n"
        "    PARTITION BY contact_id ORDER BY source_index DESC, source_row DESC) = 1",
        "a Contact_ID in two downloads: the last read",
    )
    first_queued = "CASE WHEN leg_queued THEN [initial_last, source_key] END"
    answered_first = "CASE WHEN leg_answered THEN [initial_last, source_key] END"
    contact = [
        "MIN(chain_id) AS contact_id",
        f"ARG_MIN(partner, {first_queued}) AS partner",
        "ARG_MIN(channel, [initial_last, source_key]) AS channel",
        f"ARG_MIN(programme, {first_queued}) AS programme",
        "ARG_MIN(customer_id, [initial_last, source_key]) AS customer_id",
        # an unreadable wait makes the moment unreadable: the contact is rejected with its text
        "CASE WHEN BOOL_OR(bad_wait) THEN MIN(CASE WHEN bad_wait THEN COALESCE(pre_queue_seconds, '') || ' / '"
        f" || COALESCE(in_queue_seconds, '') END) ELSE ARG_MIN(queued_at, {first_queued}) END AS arrived_at",
        f"ARG_MIN(dequeued_at, {answered_first}) AS answered_at",
        f"CASE WHEN BOOL_OR(leg_answered) THEN MAX(dequeued_at) ELSE ARG_MIN(dequeued_at, {first_queued}) END"
        " AS ended_at",
        f"{_total('talk_seconds')} AS talk_seconds",
        f"{_total('acw_seconds')} AS acw_seconds",
        "CAST(COUNT(*) FILTER (WHERE leg_queued) - 1 AS VARCHAR) AS transfers",
        # completed contacts only; govdocs' wait is CXone's own InQueue / inQueueSeconds: nothing
        # of its own to compare
        *_contact_state("leg_queued"),
        # CXone's own service level: serviceLevelFlag of the leg the contact was first offered on,
        # coded as the data download's SLA column documents (0 handled within the service level,
        # 1 not, -1 not counted: never queued, transferred, or abandoned before the short-abandon
        # threshold)
        "CASE ARG_MIN(TRIM(service_level_flag), " + first_queued + ") WHEN '0' THEN '1' WHEN '1' THEN '0' END"
        f" AS {PLATFORM_WITHIN}",
        *_answering_agent(paths, "leg_answered"),
    ]
    durations = ("pre_queue_seconds", "in_queue_seconds", "talk_seconds", "acw_seconds")
    described = "the legs of each customer contact, as one row"
    return [records, legs, _contact_rows(contact, "leg_answered", described, durations)]


# how far a transfer chain is followed back through PreviousCallId (legs further back than this
# are a contact of their own): joins, not a recursive query, which not every SQL engine has
SALESFORCE_HOPS = 8
# VoiceCall call types between agents, not with the customer: never legs of a customer's contact
SALESFORCE_NOT_CUSTOMER = ("Consult", "InternalCall", "Internal", "Coach", "Bridge")


def salesforce_ctes(src: InteractionSource, read: FileRead) -> list[Cte]:
    """Salesforce Service Cloud Voice: one VoiceCall record per leg. A transfer creates another
    record (CallType Transfer) whose PreviousCallId names the call it came from, NextCallId the
    other way; the chain back through PreviousCallId is one customer contact, its first record's
    Id the contact's id. Times are UTC: queued = CallQueuedDateTime, answered = CallAcceptDateTime
    (the agent accepted), ended = CallEndDateTime (for a call never accepted, when the customer
    left: the record has no dequeue time). Talk = end - accept - CustomerHoldDuration, hold =
    CustomerHoldDuration; the object has no after-call work. A record given twice keeps the copy
    with the latest LastModifiedDate (then the last read)."""
    paths = leg_paths(src)
    records = _legs_read("interactions", paths, read)
    not_customer = ", ".join(literal(t) for t in SALESFORCE_NOT_CUSTOMER)
    latest = Cte(
        "interactions_calls",
        "  SELECT *, source_index * 10000000000 + source_row AS source_key,\n"
        f"    COALESCE(type NOT IN ({not_customer}), TRUE) AS customer_leg,\n"
        "    CASE WHEN contact_id IS NULL THEN 0 ELSE COUNT(*) OVER (PARTITION BY contact_id) - 1 END AS copies\n"
        "  FROM interactions_records\n"
        "  QUALIFY contact_id IS NULL OR ROW_NUMBER() OVER (\n"
        f"    PARTITION BY contact_id ORDER BY {_ts('last_updated_at')} DESC NULLS LAST,"
        " source_index DESC, source_row DESC) = 1",
        "a VoiceCall given twice: the copy modified last (then the last read)",
    )
    # the chain's first call: PreviousCallId followed back while the previous call is in the files
    joins = [
        f"  LEFT JOIN (SELECT contact_id, previous_call_id FROM interactions_calls WHERE customer_leg) AS up{h}\n"
        f"    ON l.customer_leg AND up{h}.contact_id = {'l' if h == 1 else f'up{h - 1}'}.previous_call_id"
        for h in range(1, SALESFORCE_HOPS + 1)
    ]
    roots = ", ".join(f"up{h}.contact_id" for h in range(SALESFORCE_HOPS, 0, -1))
    accept, end = _ts("answered_at"), _ts("ended_at")
    talk = (
        f"CASE WHEN answered_at IS NULL THEN NULL WHEN {_bad_ts('answered_at')} THEN answered_at\n"
        f"      WHEN {_bad_ts('ended_at')} THEN ended_at WHEN {_bad_number('hold_seconds')} THEN hold_seconds\n"
        f"      ELSE CAST((EPOCH_MS({end}) - EPOCH_MS({accept})) / 1000.0\n"
        "        - COALESCE(TRY_CAST(hold_seconds AS DOUBLE), 0) AS VARCHAR) END"
    )
    legs = Cte(
        "interactions_legs",
        f"  SELECT l.*, COALESCE({roots}, l.contact_id) AS chain_id,\n"
        f"    CASE WHEN l.previous_call_id IS NULL OR up1.contact_id IS NULL THEN 0 ELSE 1 END AS initial_last,\n"
        f"    {talk} AS leg_talk\n"
        "  FROM interactions_calls AS l\n" + "\n".join(joins),
        "each call with the first call of its transfer chain",
    )
    queued = "customer_leg AND arrived_at IS NOT NULL"
    answered = "customer_leg AND answered_at IS NOT NULL"
    first_queued = f"CASE WHEN {queued} THEN [COALESCE(epoch_us({_ts('arrived_at')}), 0), source_key] END"
    contact = [
        "MIN(chain_id) AS contact_id",
        f"ARG_MIN(partner, {first_queued}) AS partner",
        "'voice' AS channel",
        f"ARG_MIN(programme, {first_queued}) AS programme",
        f"{_first('type')} AS type",
        f"{_first('customer_id')} AS customer_id",
        f"{_earliest('arrived_at', queued)} AS arrived_at",
        f"{_earliest('answered_at', answered)} AS answered_at",
        f"CASE WHEN BOOL_OR({answered}) THEN {_latest('ended_at', 'customer_leg')}\n"
        f"      ELSE {_latest('ended_at', queued)} END AS ended_at",
        f"{_total('leg_talk')} AS talk_seconds",
        f"{_total('CASE WHEN ' + answered + ' THEN hold_seconds END')} AS hold_seconds",
        # a hand-off counted once: by the Transfer call it created when that call is in the files,
        # else by the call whose NextCallId names a call not delivered
        "CAST(COUNT(*) FILTER (WHERE customer_leg AND type = 'Transfer')\n"
        "      + COUNT(*) FILTER (WHERE customer_leg AND next_call_id IS NOT NULL)\n"
        "      - COALESCE(ARRAY_LENGTH(ARRAY_INTERSECT(LIST(next_call_id), LIST(contact_id))), 0)\n"
        "      AS VARCHAR) AS transfers",
        # still going: a call without an end. Not read from CallDisposition: a call never accepted
        # stays 'new' for good, and the contact-record sync sets 'completed' only where none was set.
        # The object carries no wait or handle figure of its own (CallDurationInSeconds is the
        # whole call, IVR and queue included): nothing to compare
        *_contact_state(queued, "BOOL_OR(customer_leg AND ended_at IS NULL)"),
    ]
    described = "the calls of each customer contact, as one row"
    return [records, latest, legs, _contact_rows(contact, answered, described, ("hold_seconds",))]


def zendesk_ctes(src: InteractionSource, read: FileRead) -> list[Cte]:
    """Zendesk Talk, the incremental calls export: one record per call (a transfer stays in the
    same call; the call legs export, not read here, holds who took each part). The record has one
    moment, created_at (the call reaching Zendesk, UTC), and durations in whole seconds counted
    from it: ivr_time_spent (the IVR), time_to_answer (to the first agent's answer, IVR included),
    duration (to the end). So: queued = created_at + ivr_time_spent, answered = created_at +
    time_to_answer, ended = created_at + duration; talk_time, hold_time and wrap_up_time are the
    handle time. wait_time, Zendesk's own time in the queue, is the platform's figure compared
    with ours. The export gives a call again each time it is updated: the copy with the latest
    updated_at is kept."""
    paths = leg_paths(src)
    records = _legs_read("interactions", paths, read)
    created = "CAST(TRY_CAST(created_at AS TIMESTAMPTZ) AT TIME ZONE 'UTC' AS TIMESTAMP)"

    def moment(seconds: str) -> str:
        """created_at plus `seconds`, as an instant's text; an unreadable part as its own text."""
        at = _after(created, f"TRY_CAST({seconds} AS DOUBLE)")
        return (
            f"CASE WHEN {_bad_ts('created_at')} THEN created_at\n"
            f"      WHEN {_bad_number(seconds)} OR {_too_long(seconds)} THEN {seconds}\n"
            f"      ELSE STRFTIME({at}, '%Y-%m-%dT%H:%M:%S.%fZ') END"
        )

    # in the queue: an inbound call an agent answered, that waited, or that ended there
    queued = (
        "LOWER(direction) = 'inbound' AND (answer_seconds IS NOT NULL"
        " OR COALESCE(TRY_CAST(wait_seconds AS DOUBLE), 0) > 0 OR completion_status = 'abandoned_in_queue')"
    )
    latest = Cte(
        "interactions_legs",
        "  SELECT *, source_index * 10000000000 + source_row AS source_key,\n"
        "    contact_id AS chain_id, 0 AS initial_last,\n"
        "    CASE WHEN contact_id IS NULL THEN 0 ELSE COUNT(*) OVER (PARTITION BY contact_id) - 1 END AS copies,\n"
        f"    COALESCE({queued}, FALSE) AS call_queued\n"
        "  FROM interactions_records\n"
        "  QUALIFY contact_id IS NULL OR ROW_NUMBER() OVER (\n"
        f"    PARTITION BY contact_id ORDER BY {_ts('last_updated_at')} DESC NULLS LAST,"
        " source_index DESC, source_row DESC) = 1",
        "a call given again once updated: the copy updated last (then the last read)",
    )
    ivr = "COALESCE(ivr_seconds, '0')"
    answered = f"CASE WHEN answer_seconds IS NOT NULL THEN {moment('answer_seconds')} END"
    ended = f"CASE WHEN duration_seconds IS NOT NULL THEN {moment('duration_seconds')} END"
    contact = [
        "MIN(chain_id) AS contact_id",
        f"{_first('partner')} AS partner",
        "'voice' AS channel",
        f"{_first('programme')} AS programme",
        f"{_first('type')} AS type",
        f"{_first('customer_id')} AS customer_id",
        f"{_first(moment(ivr))} AS arrived_at",
        f"{_first(answered)} AS answered_at",
        f"{_first(ended)} AS ended_at",
        f"{_first('talk_seconds')} AS talk_seconds",
        f"{_first('hold_seconds')} AS hold_seconds",
        f"{_first('acw_seconds')} AS acw_seconds",
        # still going: no completion status yet (or no duration); Zendesk's own wait is wait_time
        *_contact_state(
            "call_queued", "BOOL_OR(completion_status IS NULL OR duration_seconds IS NULL)", _first("wait_seconds")
        ),
    ]
    answered = "answer_seconds IS NOT NULL"
    return [records, latest, _contact_rows(contact, answered, "each call as one customer contact", ZENDESK_DURATIONS)]


# the Zendesk call's fields in seconds: the moments are counted from created_at by the first four
ZENDESK_DURATIONS = (
    "ivr_seconds",
    "answer_seconds",
    "duration_seconds",
    "wait_seconds",
    "talk_seconds",
    "hold_seconds",
    "acw_seconds",
)


def _hms_seconds(column: str) -> str:
    """A Five9 duration, HH:MM:SS (hours may pass 99, up to 7 digits: 1,141 years), as seconds;
    empty is 0; anything else NULL (unreadable, named with its text)."""
    parts = [f"TRY_CAST(SPLIT_PART({column}, ':', {i}) AS BIGINT)" for i in (1, 2, 3)]
    return (
        f"CASE WHEN {column} IS NULL THEN 0 WHEN REGEXP_MATCHES({column}, '^[0-9]{{1,7}}:[0-5][0-9]:[0-5][0-9]$')\n"
        f"      THEN {parts[0]} * 3600 + {parts[1]} * 60 + {parts[2]} END"
    )


def five9_ctes(src: InteractionSource, read: FileRead) -> list[Cte]:
    """Five9, the Call Log report (Five9's standard report of that name, one row per call, as CSV):
    TIMESTAMP is when the call began, local to the report's time zone ('Thu, 27 Oct 2016
    14:51:34'); its durations are HH:MM:SS. The call reached the queue after its IVR TIME, an agent
    answered after QUEUE WAIT TIME and RING TIME more; talk, hold and after-call work are TALK TIME,
    HOLD TIME and AFTER CALL WORK TIME, transfers TRANSFERS. A CALL ID in two overlapping reports
    is kept once (the last read)."""
    paths = leg_paths(src)
    records = _legs_read("interactions", paths, read)
    seconds = {f: _hms_seconds(f) for f in ("call_time", "ivr_time", "queue_wait_time", "ring_time", "talk_seconds")}
    # '%a, ' read by a pattern of its own: Spark parses no day-of-week name
    started = (
        "CASE WHEN REGEXP_MATCHES(started_at, '^(?i)(mon|tue|wed|thu|fri|sat|sun), ')"
        " THEN TRY_STRPTIME(SUBSTR(started_at, 6), '%d %b %Y %H:%M:%S') END"
    )

    def moment(offset: str, parts: tuple[str, ...] = ("ivr_time", "queue_wait_time", "ring_time")) -> str:
        """TIMESTAMP plus `offset` seconds, as local time's text (the parsing stage reads it in the
        source's zone); an unreadable TIMESTAMP or duration (of `parts`) as its own text."""
        at = _after(started, offset)
        # an unreadable part as its text and column's name (which no timestamp reading accepts)
        bad = [f"WHEN {seconds[f]} IS NULL THEN {f} || {literal(f' ({paths[f]})')}" for f in parts]
        named = literal(f" ({paths['started_at']})")
        return (
            f"CASE WHEN {started} IS NULL THEN started_at || {named} {' '.join(bad)}\n"
            f"      ELSE STRFTIME({at}, '%Y-%m-%d %H:%M:%S') END"
        )

    queued = (
        f"LOWER(type) = 'inbound' AND (COALESCE({seconds['queue_wait_time']}, 0) > 0"
        f" OR COALESCE({seconds['talk_seconds']}, 0) > 0 OR abandoned = '1')"
    )
    legs = Cte(
        "interactions_legs",
        "  SELECT *, source_index * 10000000000 + source_row AS source_key,\n"
        "    contact_id AS chain_id, 0 AS initial_last,\n"
        "    CASE WHEN contact_id IS NULL THEN 0 ELSE COUNT(*) OVER (PARTITION BY contact_id) - 1 END AS copies,\n"
        f"    COALESCE({queued}, FALSE) AS call_queued,\n"
        f"    COALESCE({seconds['talk_seconds']}, 1) > 0 AND COALESCE(abandoned, '0') <> '1' AS call_answered\n"
        "  FROM interactions_records\n"
        "  QUALIFY contact_id IS NULL OR ROW_NUMBER() OVER (\n"
        "    PARTITION BY contact_id ORDER BY source_index DESC, source_row DESC) = 1",
        "a CALL ID in two reports: the last read",
    )
    ivr = seconds["ivr_time"]
    to_agent = f"{ivr} + {seconds['queue_wait_time']} + {seconds['ring_time']}"

    def duration(column: str) -> str:
        """An HH:MM:SS duration as seconds' text; an unreadable one as written, to be rejected."""
        value = _hms_seconds(column)
        return f"CASE WHEN {value} IS NULL THEN {column} ELSE CAST({value} AS VARCHAR) END"

    # answered: the end of the call; abandoned: when the caller left the queue
    ended = (
        f"CASE WHEN call_answered THEN {moment(seconds['call_time'], ('call_time',))}\n"
        f"      ELSE {moment(to_agent)} END"
    )
    contact = [
        "MIN(chain_id) AS contact_id",
        f"{_first('partner')} AS partner",
        "'voice' AS channel",
        f"{_first('programme')} AS programme",
        f"{_first('type')} AS type",
        f"{_first('customer_id')} AS customer_id",
        f"{_first(moment(ivr))} AS arrived_at",
        f"{_first(f'CASE WHEN call_answered THEN {moment(to_agent)} END')} AS answered_at",
        f"{_first(ended)} AS ended_at",
        f"{_first(duration('talk_seconds'))} AS talk_seconds",
        f"{_first(duration('hold_seconds'))} AS hold_seconds",
        f"{_first(duration('acw_seconds'))} AS acw_seconds",
        f"{_first('COALESCE(transfers, ' + literal('0') + ')')} AS transfers",
        # the report lists calls that have ended; the wait is Five9's own QUEUE WAIT TIME and RING
        # TIME: nothing of its own to compare
        *_contact_state("call_queued"),
    ]
    return [records, legs, _contact_rows(contact, "call_answered", "each call as one customer contact")]


def talkdesk_ctes(src: InteractionSource, read: FileRead) -> list[Cte]:
    """Talkdesk, the Explore API's calls report: one entry per call, start_at and end_at instants
    in UTC, durations in seconds. The report has no moment of entering a queue or of the answer:
    the call arrives at start_at and is answered wait_time later (Talkdesk's wait: queue and
    ringing); a call not answered left when its wait ended. type says how the call went (inbound:
    answered; abandoned, short_abandoned, missed, voicemail: not; outbound, outbound_missed: dialled).
    A call_id in two overlapping reports is kept once (the last read)."""
    paths = leg_paths(src)
    records = _legs_read("interactions", paths, read)
    started = "CAST(TRY_CAST(started_at AS TIMESTAMPTZ) AT TIME ZONE 'UTC' AS TIMESTAMP)"
    waited = "TRY_CAST(wait_seconds AS DOUBLE)"
    later = (
        f"CASE WHEN {_bad_ts('started_at')} THEN started_at\n"
        f"      WHEN {_bad_number('wait_seconds')} OR {_too_long('wait_seconds')} THEN wait_seconds\n"
        f"      ELSE STRFTIME({_after(started, f'COALESCE({waited}, 0)')},"
        " '%Y-%m-%dT%H:%M:%S.%fZ') END"
    )
    unanswered = ", ".join(literal(t) for t in ("abandoned", "short_abandoned", "missed", "voicemail"))
    transferred = "CASE WHEN LOWER(is_transfer) IN ('true', 'yes', '1') THEN '1' ELSE '0' END"
    legs = Cte(
        "interactions_legs",
        "  SELECT *, source_index * 10000000000 + source_row AS source_key,\n"
        "    contact_id AS chain_id, 0 AS initial_last,\n"
        "    CASE WHEN contact_id IS NULL THEN 0 ELSE COUNT(*) OVER (PARTITION BY contact_id) - 1 END AS copies,\n"
        "    COALESCE(LOWER(call_type) = 'inbound', FALSE) AS call_answered,\n"
        # in a queue: answered, or not answered after a wait (a call that ended in the IVR waited for no one)
        f"    COALESCE(LOWER(call_type) = 'inbound' OR (LOWER(call_type) IN ({unanswered})"
        f" AND COALESCE({waited}, 0) > 0), FALSE) AS call_queued\n"
        "  FROM interactions_records\n"
        "  QUALIFY contact_id IS NULL OR ROW_NUMBER() OVER (\n"
        "    PARTITION BY contact_id ORDER BY source_index DESC, source_row DESC) = 1",
        "a call_id in two reports: the last read",
    )
    contact = [
        "MIN(chain_id) AS contact_id",
        f"{_first('partner')} AS partner",
        "'voice' AS channel",
        f"{_first('programme')} AS programme",
        f"{_first('type')} AS type",
        f"{_first('customer_id')} AS customer_id",
        f"{_first('started_at')} AS arrived_at",
        f"{_first(f'CASE WHEN call_answered THEN {later} END')} AS answered_at",
        f"{_first(f'CASE WHEN call_answered THEN finished_at ELSE {later} END')} AS ended_at",
        f"{_first('talk_seconds')} AS talk_seconds",
        f"{_first('hold_seconds')} AS hold_seconds",
        f"{_first(transferred)} AS transfers",
        # the report lists calls that have ended; the wait is Talkdesk's own wait_time: nothing of
        # its own to compare
        *_contact_state("call_queued"),
    ]
    durations = ("wait_seconds", "talk_seconds", "hold_seconds")
    return [records, legs, _contact_rows(contact, "call_answered", "each call as one customer contact", durations)]


# a task's events that TaskRouter writes once per task: created, wrap-up, and its end
ONCE = (("task.created",), ("task.wrapup",), ("task.completed", "task.canceled", "task.deleted"))


def twilio_flex_ctes(src: InteractionSource, read: FileRead) -> list[Cte]:
    """Twilio Flex, TaskRouter's events (the Event resource): one event per step of a task --
    task-queue.entered, reservation.accepted, task.wrapup, task.completed or task.canceled -- at
    event_date_ms (else event_date). The events of a task are one leg: entered its first queue,
    answered at the first reservation accepted, talking to the wrap-up, wrapping up to the
    completion; a task canceled before any reservation was accepted was abandoned. The tasks of
    one Flex conversation (task attribute conversations.conversation_id, else the task itself) are
    the legs of one contact: each task after the first is a transfer. An event listed twice (two
    overlapping exports) counts once: an event is never changed once written, so its copies give
    the same moments and values to every MIN, MAX and first-of a task takes, and are counted by
    their sid (no window over the millions of events to pick one copy)."""
    paths = leg_paths(src)
    records = _legs_read("interactions", paths, read)
    # the event's moment, in UTC: event_date_ms (milliseconds since the epoch) where readable, else
    # event_date; read once per event, and written as text once per task
    millis = "TRY_CAST(event_date_ms AS BIGINT)"
    # milliseconds from 1970 to 2100 (beyond, no moment of an event: unreadable, never an overflow)
    readable = f"{millis} >= 0 AND {millis} < {4_102_444_800_000}"
    events = Cte(
        "interactions_events",
        "  SELECT *, source_index * 10000000000 + source_row AS source_key,\n"
        f"    CASE WHEN {readable} THEN MAKE_TIMESTAMP({millis} * 1000)\n"
        "      ELSE CAST(TRY_CAST(event_date AS TIMESTAMPTZ) AT TIME ZONE 'UTC' AS TIMESTAMP) END AS moment\n"
        "  FROM interactions_records\n"
        # a task's or a reservation's event (worker, activity and workflow events are not contacts)
        "  WHERE contact_id IS NOT NULL OR event_type LIKE 'task%' OR event_type LIKE 'reservation.%'",
        "the events of tasks and reservations, each at its moment",
    )

    def at(kinds: tuple[str, ...], pick: str = "MIN") -> str:
        return f"{pick}(moment) FILTER (WHERE event_type IN ({', '.join(literal(k) for k in kinds)}))"

    def queue_of(column: str) -> str:
        """The first queue the task entered (by the moment, else as listed when the moment is unreadable)."""
        entry = "FILTER (WHERE event_type = 'task-queue.entered')"
        return f"COALESCE(ARG_MIN({column}, moment) {entry}, ARG_MIN({column}, source_key) {entry})"

    # the events a task has once: how many times each came, at least once (a task whose export
    # window missed them all)
    once = ", ".join(
        [f"COUNT(*) FILTER (WHERE event_type IN ({', '.join(literal(k) for k in kinds)}))" for kinds in ONCE] + ["1"]
    )

    def attribute(path: str) -> str:
        """A task attribute, read from the events that enter the task (created, queue entered):
        the JSON is parsed for those only, not for each of the task's events."""
        entering = "event_type IN ('task.created', 'task-queue.entered') AND json_valid(task_attributes)"
        return f"CASE WHEN {entering} THEN json_extract_string(task_attributes, {literal(path)}) END"

    # the programme: the partner's queue again (not taken twice from a million events), unless
    # `columns:` reads it from another field
    own_programme = paths["programme"] != paths["partner"]
    programme = f"    {queue_of('programme')} AS programme,\n" if own_programme else ""
    task = Cte(
        "interactions_tasks",
        "  SELECT ANY_VALUE(contact_id) AS contact_id,\n"
        # an unreadable moment of any of the task's events, so the contact is rejected with it
        "    MIN(event_date) FILTER (WHERE moment IS NULL AND event_date IS NOT NULL) AS unreadable,\n"
        f"    COALESCE({at(('task-queue.entered',))}, {at(('task.created',))}) AS entered,\n"
        f"    {at(('reservation.accepted',))} AS accepted,\n"
        f"    {at(('task.wrapup', 'reservation.wrapup'))} AS wrapping,\n"
        f"    COALESCE({at(('task.completed',), 'MAX')}, {at(('task.canceled', 'task.deleted'), 'MAX')}) AS ended,\n"
        f"    {queue_of('partner')} AS partner,\n"
        f"{programme}"
        "    ARG_MIN(channel, source_key) FILTER (WHERE channel IS NOT NULL) AS channel,\n"
        # from the task's attributes (a JSON document on each of its events), its conversation and
        # its caller, as the first event entering it written gives them: two short texts per task
        # kept, not the document (a million tasks' documents overran the memory limit)
        f"    ARG_MIN({attribute('$.conversations.conversation_id')}, source_key) AS conversation_id,\n"
        f"    ARG_MIN({attribute('$.from')}, source_key) AS caller,\n"
        "    BOOL_OR(event_type IN ('task.completed', 'task.canceled', 'task.deleted')) AS task_ended,\n"
        # the task delivered again (its events in an overlapping export): one copy merged for each
        # time an event a task has once (created, wrap-up, its end) comes again
        f"    GREATEST({once}) - 1 AS copies,\n"
        "    MIN(source_key) AS source_key\n"
        "  FROM interactions_events\n"
        # an event of a task without its task_sid is a record of its own (rejected: no id)
        "  GROUP BY COALESCE(contact_id, 'record ' || source_key)",
        "the events of each task as one leg",
    )

    def text(moment: str) -> str:
        return f"STRFTIME({moment}, '%Y-%m-%dT%H:%M:%S.%fZ')"

    def seconds(later: str, earlier: str) -> str:
        return f"CAST((EPOCH_MS({later}) - EPOCH_MS({earlier})) / 1000.0 AS VARCHAR)"

    legs = Cte(
        "interactions_legs",
        "  SELECT contact_id, partner, channel, copies, task_ended, source_key,\n"
        f"    {'programme' if own_programme else 'partner AS programme'},\n"
        "    source_key // 10000000000 AS source_index, source_key % 10000000000 AS source_row,\n"
        "    COALESCE(conversation_id, contact_id) AS chain_id,\n"
        "    caller AS customer_id,\n"
        # the contact's tasks in the order they entered a queue
        "    COALESCE(EPOCH_US(entered), 0) AS initial_last,\n"
        f"    COALESCE(unreadable, {text('entered')}) AS arrived_at,\n"
        f"    {text('accepted')} AS answered_at,\n"
        f"    {text('ended')} AS ended_at,\n"
        f"    {seconds('COALESCE(wrapping, ended)', 'accepted')} AS talk_seconds,\n"
        "    CASE WHEN accepted IS NULL THEN NULL WHEN wrapping IS NULL THEN '0'\n"
        f"      ELSE {seconds('ended', 'wrapping')} END AS acw_seconds\n"
        "  FROM interactions_tasks",
        "a task's moments as text, its talk (accepted to wrap-up) and wrap-up (to completed)",
    )
    queued = "arrived_at IS NOT NULL"
    answered = "answered_at IS NOT NULL"
    contact = [
        "MIN(chain_id) AS contact_id",
        # the first queue's (a task whose moment is unreadable: its own, so it is rejected for the moment)
        f"COALESCE({_first_in_queue('partner')}, {_first('partner')}) AS partner",
        f"{_first('channel')} AS channel",
        f"COALESCE({_first_in_queue('programme')}, {_first('programme')}) AS programme",
        "CAST(NULL AS VARCHAR) AS type",
        f"{_first('customer_id')} AS customer_id",
        f"{_earliest('arrived_at', queued)} AS arrived_at",
        f"{_earliest('answered_at', answered)} AS answered_at",
        f"{_latest('ended_at')} AS ended_at",
        f"{_total('talk_seconds')} AS talk_seconds",
        f"{_total('acw_seconds')} AS acw_seconds",
        "CAST(COUNT(*) - 1 AS VARCHAR) AS transfers",
        # a task neither completed nor canceled yet: the contact is still going on. The events
        # carry no wait or handle figure of TaskRouter's own (task_age counts from the task's
        # creation, not its queue), so nothing is compared
        *_contact_state(queued, f"BOOL_OR(NOT task_ended AND {queued})"),
    ]
    return [records, events, task, legs, _contact_rows(contact, answered, "the tasks of each conversation, as one row")]


CTE_BUILDERS = {
    AMAZON_CONNECT.name: connect_ctes,
    GENESYS_CLOUD.name: genesys_ctes,
    NICE_CXONE.name: cxone_ctes,
    SALESFORCE_VOICE.name: salesforce_ctes,
    ZENDESK_TALK.name: zendesk_ctes,
    FIVE9.name: five9_ctes,
    TALKDESK.name: talkdesk_ctes,
    TWILIO_FLEX.name: twilio_flex_ctes,
}


def preset_ctes(src: InteractionSource, read: FileRead) -> list[Cte]:
    """The stages from the platform's files to `interactions_read`, one row per customer contact."""
    preset = preset_of(src)
    assert preset is not None
    return CTE_BUILDERS[preset.name](src, read)
