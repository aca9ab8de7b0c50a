"""Raw SQL, the platforms' exports: from a platform's records (legs) to `interactions_read`, one row
per customer contact with the fields a mapped table gives (see govdocs/raw/presets.py for the rules
every preset follows). Every value leaves as text, as a CSV cell would: the parsing stage after it
reads timestamps and numbers once, for presets and mapped tables alike, so an unreadable value
is rejected with its text whichever way the records came.
"""

from __future__ import annotations

from collections.abc import Mapping

from govdocs.raw.model import InteractionSource
from govdocs.raw.presets import AMAZON_CONNECT, leg_paths, preset_of
from govdocs.raw.sql.text import NOT_QUEUED, Cte, FileRead, identifier, read_function


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


def _first(column: str) -> str:
    """The value on the contact's first leg (the initial contact's record, else the first read)."""
    return f"ARG_MIN({column}, leg_order)"


def _legs_read(source: str, paths: Mapping[str, str], read: FileRead) -> Cte:
    """FILE READ: every record of every file, each field as text from its path, with its position."""
    branches = []
    for index, path in enumerate(read.paths):
        layout = read.layouts[index] if read.layouts else "newline_delimited"
        select = [f"NULLIF(TRIM(CAST({_path_sql(p)} AS VARCHAR)), '') AS {f}" for f, p in paths.items()]
        select += [f"{index} AS source_index", "ROW_NUMBER() OVER () AS source_row"]
        function = read_function(path, "json", layout=layout, json_paths=tuple(dict.fromkeys(paths.values())))
        branches.append("  SELECT " + ", ".join(select) + f"\n  FROM {function}")
    comment = f"FILE READ ({source}): the platform's records, every field as text from its path"
    return Cte(f"{source}_records", "\n  UNION ALL\n".join(branches), comment)


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
        "CAST(SUM(CASE WHEN initiation_method IN ('TRANSFER', 'QUEUE_TRANSFER') THEN 1 ELSE 0 END) AS VARCHAR)"
        " AS transfers",
        f"NOT BOOL_OR({queued}) AS {NOT_QUEUED}",
        "COUNT(*) AS legs",
        "SUM(copies) AS copies",
        _first("source_index") + " AS source_index",
        _first("source_row") + " AS source_row",
    ]
    body = (
        "  SELECT\n    "
        + ",\n    ".join(contact)
        + "\n  FROM (SELECT *, [initial_last, source_key] AS leg_order FROM interactions_legs) AS legs\n"
        # a record without any id is a contact of its own (rejected: a required field is empty)
        "  GROUP BY COALESCE(chain_id, 'record ' || source_key)"
    )
    return [legs, latest, Cte("interactions_read", body, "the legs of each customer contact, as one row")]


def _first_in_queue(column: str) -> str:
    """The value on the first leg that entered a queue (by its enqueue time, then as read)."""
    key = (
        f"CASE WHEN {_ts('arrived_at')} IS NOT NULL THEN [epoch_us({_ts('arrived_at')}), initial_last, source_key] END"
    )
    return f"ARG_MIN({column}, {key})"


CTE_BUILDERS = {AMAZON_CONNECT.name: connect_ctes}


def preset_ctes(src: InteractionSource, read: FileRead) -> list[Cte]:
    """The stages from the platform's files to `interactions_read`, one row per customer contact."""
    preset = preset_of(src)
    assert preset is not None
    return CTE_BUILDERS[preset.name](src, read)
