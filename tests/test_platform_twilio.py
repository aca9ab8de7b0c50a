"""Twilio Flex (`format: twilio-flex`): TaskRouter's events as the Event resource lists them give
the KPIs a hand computation of the same calls gives -- a task's events as one leg (queue entered,
reservation accepted, wrap-up, completed or canceled), a transfer's second task of the same
conversation as the contact's second leg, an event in two overlapping exports read once, worker
events ignored -- and what the events cannot tell (hold, apart from talk) is not guessed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from govdocs.errors import GovdocsError
from govdocs.raw import engine
from govdocs.raw.model import RawData
from tests.platform_records import (
    MEASURES,
    PARTNERS,
    ZONE,
    _twilio_sid,
    expected_kpis,
    preset_raw,
    scenarios,
    twilio_events,
    twilio_list,
    write_jsonl,
)
from tests.platform_records import (
    assert_same as _assert_same,
)
from tests.platform_records import (
    kpi_table as _table,
)

SAMPLES = Path(__file__).parent / "platform_samples"


def _raw(files: str, kpis: list[dict] = MEASURES) -> RawData:
    return preset_raw("twilio-flex", files, kpis)


def _write_list(tmp_path: Path, events: list[dict]) -> str:
    (tmp_path / "events.json").write_text(json.dumps(twilio_list(events), indent=2), encoding="utf-8")
    return "events.json"


def _worker_event() -> dict:
    """A worker's event, as the SDK's fixture gives one: not a task's, so not a contact."""
    return json.loads((SAMPLES / "twilio-taskrouter-events.json").read_text(encoding="utf-8"))["events"][0]


def test_events_list_gives_the_hand_computed_kpis(tmp_path: Path) -> None:
    events = [_worker_event(), *twilio_events(scenarios())]
    aggregation = engine.aggregate(_raw(_write_list(tmp_path, events)), base=tmp_path, partner_ids=["ATL", "BRV"])
    got = _table(aggregation)
    _assert_same(got, expected_kpis(scenarios(), PARTNERS, ZONE))
    # by hand: ATL in July has k01 (accepted 12 s after entering the queue), k02 (25, then a
    # second task in Bravo's queue: a transfer), k03 (canceled after 45 s: abandoned) and k06 (8);
    # k04 canceled after 3 s (short, not offered); handle = accepted to wrap-up (talk and hold)
    # + wrap-up to completed, over both tasks of k02
    assert got[("ATL", "2026-07", "asa")] == pytest.approx((12 + 25 + 8) / 3)
    assert got[("ATL", "2026-07", "aht")] == pytest.approx(
        ((240 + 20 + 30) + (120 + 10 + 300 + 15 + 20) + (200 + 15)) / 3
    )
    assert got[("ATL", "2026-07", "abandonment")] == pytest.approx(25.0)
    assert got[("ATL", "2026-07", "service_level")] == pytest.approx(50.0)
    assert got[("ATL", "2026-07", "transfer_rate")] == pytest.approx(100 / 3)
    (source,) = aggregation.quality.sources
    # 11 contacts (k05 ended in the IVR: no task) from 12 tasks (k02 has two), k07's task in two
    # exports (its events twice) merged; the worker's event is no task
    assert (source.records, source.merged) == (13, 1)
    assert (source.accepted, source.rejected, source.not_queued) == (11, 0, 0)


def test_json_lines_and_a_json_array_read_alike(tmp_path: Path) -> None:
    events = twilio_events(scenarios())
    want = expected_kpis(scenarios(), PARTNERS, ZONE)
    write_jsonl(tmp_path / "events.jsonl", events)
    _assert_same(_table(engine.aggregate(_raw("events.jsonl"), base=tmp_path, partner_ids=["ATL", "BRV"])), want)
    (tmp_path / "array.json").write_text(json.dumps(events), encoding="utf-8")
    _assert_same(_table(engine.aggregate(_raw("array.json"), base=tmp_path, partner_ids=["ATL", "BRV"])), want)


def test_event_date_serves_when_event_date_ms_is_absent(tmp_path: Path) -> None:
    events = [{k: v for k, v in e.items() if k != "event_date_ms"} for e in twilio_events(scenarios())]
    got = _table(engine.aggregate(_raw(_write_list(tmp_path, events)), base=tmp_path, partner_ids=["ATL", "BRV"]))
    _assert_same(got, expected_kpis(scenarios(), PARTNERS, ZONE))


def test_an_unreadable_moment_is_named_by_its_record(tmp_path: Path) -> None:
    events = twilio_events(scenarios())
    k01 = [i for i, e in enumerate(events) if e["event_data"]["task_sid"] == _twilio_sid("WT", "k01", 0)]
    first = k01[-1]  # the list gives the latest first: k01's task.created is its last
    events[first]["event_date"] = "yesterday"
    del events[first]["event_date_ms"]
    aggregation = engine.aggregate(_raw(_write_list(tmp_path, events)), base=tmp_path, partner_ids=["ATL", "BRV"])
    samples = {s.record: (s.reason, s.value) for s in aggregation.quality.samples}
    # the task is named by its first record in the file
    assert samples == {min(k01) + 1: ("unparseable_timestamp", "yesterday")}


def test_an_export_without_a_field_the_preset_reads_is_named(tmp_path: Path) -> None:
    events = [{k: v for k, v in e.items() if k != "event_data"} for e in twilio_events(scenarios())]
    with pytest.raises(GovdocsError) as caught:
        engine.aggregate(_raw(_write_list(tmp_path, events)), base=tmp_path, partner_ids=["ATL", "BRV"])
    (problem,) = caught.value.problems
    assert problem.message.startswith(
        "events.json lacks the field event_data.task_sid that format: twilio-flex reads: add it to the export"
    )


def test_the_sdk_fixture_reads_as_delivered(tmp_path: Path) -> None:
    """The Event resource's list response as twilio-python's fixture gives it
    (tests/platform_samples/SOURCES): a worker's event, read and not a contact, beside one task's."""
    sample = SAMPLES / "twilio-taskrouter-events.json"
    (tmp_path / sample.name).write_bytes(sample.read_bytes())
    (tmp_path / "events.json").write_text(json.dumps(twilio_list(twilio_events(scenarios()[:1]))), encoding="utf-8")
    aggregation = engine.aggregate(_raw("*.json", MEASURES[:1]), base=tmp_path, partner_ids=["ATL", "BRV"])
    (source,) = aggregation.quality.sources
    # one task (k01's), read and used; the worker's event makes no record
    assert (source.records, source.accepted, source.rejected) == (1, 1, 0)


def test_twilio_as_one_sql_statement_gives_the_same_table(tmp_path: Path) -> None:
    raw = _raw(_write_list(tmp_path, twilio_events(scenarios())))
    text = engine.aggregation_sql(raw, base=tmp_path, partner_ids=["ATL", "BRV"])
    rows = engine.run_sql(text)
    alone = rows[rows["segment"].isna()].reset_index(drop=True)
    made = engine.aggregate(raw, base=tmp_path, partner_ids=["ATL", "BRV"]).kpis
    assert alone[list(made.columns)].equals(made)
