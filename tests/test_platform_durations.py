"""A duration in a platform's record that no duration is -- negative, or a number too large to
count by (1e30, 99999999999999999999) -- rejects that one contact, named by its file, its record
or line and the record's own field, in the data-quality report; every other contact is read and
the file is never refused for it. A negative leg inside a positive total is caught by its leg."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from govdocs.raw import engine
from tests.platform_records import (
    CXONE_HEADER,
    FIVE9_HEADER,
    MEASURES,
    PARTNERS,
    ZENDESK_PARTNERS,
    ZONE,
    connect_records,
    cxone_rows,
    expected_kpis,
    five9_rows,
    preset_raw,
    salesforce_page,
    salesforce_records,
    scenarios,
    talkdesk_entries,
    twilio_events,
    write_csv,
    write_jsonl,
    zendesk_calls,
)
from tests.platform_records import assert_same as _assert_same
from tests.platform_records import kpi_table as _table

WITHOUT_TRANSFERS = [m for m in MEASURES if m["kpi"] != "transfer_rate"]


def _zendesk(field: str, value: object) -> Callable[[Path], str]:
    def write(tmp: Path) -> str:
        calls = zendesk_calls(scenarios())
        calls[0][field] = value  # k01, the file's first record
        write_jsonl(tmp / "calls.jsonl", calls)
        return "calls.jsonl"

    return write


def _talkdesk(tmp: Path) -> str:
    entries = talkdesk_entries(scenarios())
    entries[0]["wait_time"] = 1e30  # k01
    write_jsonl(tmp / "calls.jsonl", entries)
    return "calls.jsonl"


def _connect(tmp: Path) -> str:
    records = connect_records(scenarios())
    # k02's second leg (the file's third record): 10 s of wrap-up on the first leg, -5 on this one
    assert records[2]["ContactId"] == "k02-t1"
    records[2]["Agent"]["AfterContactWorkDuration"] = -5
    write_jsonl(tmp / "ctr.jsonl", records)
    return "ctr.jsonl"


def _cxone(tmp: Path) -> str:
    rows = cxone_rows(scenarios(), ZONE)
    rows[0][CXONE_HEADER.index("PreQueue")] = "1e30"  # k01, on line 2
    write_csv(tmp / "call-detail.csv", CXONE_HEADER, rows)
    return "call-detail.csv"


def _salesforce(tmp: Path) -> str:
    records = salesforce_records(scenarios())
    records[0]["CustomerHoldDuration"] = -10  # k01
    (tmp / "voicecall.json").write_text(json.dumps(salesforce_page(records)), encoding="utf-8")
    return "voicecall.json"


def _five9(tmp: Path) -> str:
    rows = five9_rows(scenarios(), ZONE)
    rows[0][FIVE9_HEADER.index("TALK TIME")] = "99999999999999999:00:00"  # k01, on line 2
    write_csv(tmp / "call-log.csv", FIVE9_HEADER, rows)
    return "call-log.csv"


# preset, the export with one flawed value, the KPIs asked, then the sample: reason, the record's
# field, its text, and where ("record", n) or ("line", n)
CASES = {
    "zendesk negative ivr_time_spent": (
        "zendesk-talk",
        _zendesk("ivr_time_spent", -30),
        "negative_duration",
        "ivr_time_spent",
        "-30",
        ("record", 1),
    ),
    "zendesk ivr_time_spent of 1e30": (
        "zendesk-talk",
        _zendesk("ivr_time_spent", 1e30),
        "not_a_number",
        "ivr_time_spent",
        "1e+30",
        ("record", 1),
    ),
    "zendesk talk_time of 99999999999999999999": (
        "zendesk-talk",
        _zendesk("talk_time", 99999999999999999999),
        "not_a_number",
        "talk_time",
        "99999999999999999999",
        ("record", 1),
    ),
    "zendesk negative wait_time (the platform's own)": (
        "zendesk-talk",
        _zendesk("wait_time", -12),
        "negative_duration",
        "wait_time",
        "-12",
        ("record", 1),
    ),
    "talkdesk wait_time of 1e30": ("talkdesk", _talkdesk, "not_a_number", "wait_time", "1e+30", ("record", 1)),
    "connect negative wrap-up on a transfer's leg": (
        "amazon-connect",
        _connect,
        "negative_duration",
        "Agent.AfterContactWorkDuration",
        "-5",
        ("record", 3),  # the record holding it, not the contact's first
    ),
    "cxone PreQueue of 1e30": ("nice-cxone", _cxone, "not_a_number", "PreQueue", "1e30", ("line", 2)),
    "salesforce negative CustomerHoldDuration": (
        "salesforce-voice",
        _salesforce,
        "negative_duration",
        "CustomerHoldDuration",
        "-10",
        ("record", 1),
    ),
    "five9 TALK TIME of 10^17 hours": (
        "five9",
        _five9,
        "not_a_number",
        "TALK TIME",
        "99999999999999999:00:00",
        ("line", 2),
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_a_duration_no_duration_is_rejects_its_contact_by_name(tmp_path: Path, name: str) -> None:
    fmt, write, reason, column, value, (kind, place) = CASES[name]
    files = write(tmp_path)
    partners = ZENDESK_PARTNERS if fmt == "zendesk-talk" else PARTNERS
    kpis = WITHOUT_TRANSFERS if fmt == "zendesk-talk" else MEASURES
    aggregation = engine.aggregate(preset_raw(fmt, files, kpis, partners), base=tmp_path, partner_ids=["ATL", "BRV"])
    (source,) = aggregation.quality.sources
    assert source.rejected == 1  # that contact only: the other ten are read
    assert source.accepted == 10
    (sample,) = aggregation.quality.samples
    assert (sample.reason, sample.column, sample.value) == (reason, column, value)
    assert sample.file == str(tmp_path / files)
    assert (sample.record if kind == "record" else sample.line) == place
    assert sample.record_id is not None
    assert not aggregation.kpis.empty


def test_an_event_moment_past_2100_in_milliseconds_is_read_from_event_date(tmp_path: Path) -> None:
    """event_date_ms too large for a moment (it would overflow) is unreadable: event_date serves."""
    events = twilio_events(scenarios())
    for event in events[:3]:
        event["event_date_ms"] = 10**17
    write_jsonl(tmp_path / "events.jsonl", events)
    aggregation = engine.aggregate(preset_raw("twilio-flex", "events.jsonl"), base=tmp_path, partner_ids=["ATL", "BRV"])
    _assert_same(_table(aggregation), expected_kpis(scenarios(), PARTNERS, ZONE))
