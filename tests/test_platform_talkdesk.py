"""Talkdesk (`format: talkdesk`): the Explore API's calls report as delivered gives the KPIs a hand
computation of the same calls gives -- the answer wait_time after start_at, a call in two
overlapping reports read once, an IVR-only call and outbound calls not queued -- and what the
report cannot tell (after-call work) is left out of handle time, not guessed."""

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
    expected_kpis,
    preset_raw,
    scenarios,
    talkdesk_entries,
    talkdesk_report,
    write_csv,
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
    return preset_raw("talkdesk", files, kpis)


def _write_report(tmp_path: Path, entries: list[dict]) -> str:
    (tmp_path / "calls.json").write_text(json.dumps(talkdesk_report(entries), indent=2), encoding="utf-8")
    return "calls.json"


def test_calls_report_gives_the_hand_computed_kpis(tmp_path: Path) -> None:
    aggregation = engine.aggregate(
        _raw(_write_report(tmp_path, talkdesk_entries(scenarios()))), base=tmp_path, partner_ids=["ATL", "BRV"]
    )
    got = _table(aggregation)
    _assert_same(got, expected_kpis(scenarios(), PARTNERS, ZONE, acw=False))
    # by hand: ATL in July has k01 (wait_time 12), k02 (25, is_transfer), k03 (abandoned after 45)
    # and k06 (8); k04 left after 3 s (short, not offered); handle time is talk + hold, the report
    # having no after-call work
    assert got[("ATL", "2026-07", "asa")] == pytest.approx((12 + 25 + 8) / 3)
    assert got[("ATL", "2026-07", "aht")] == pytest.approx(((240 + 20) + (120 + 300 + 15) + 200) / 3)
    assert got[("ATL", "2026-07", "abandonment")] == pytest.approx(25.0)
    assert got[("ATL", "2026-07", "service_level")] == pytest.approx(50.0)
    assert got[("ATL", "2026-07", "transfer_rate")] == pytest.approx(100 / 3)
    (source,) = aggregation.quality.sources
    # 12 calls in 13 entries: k07 in two overlapping reports
    assert (source.records, source.merged, source.read) == (13, 1, 12)
    assert (source.accepted, source.rejected, source.not_queued) == (11, 0, 1)


def test_json_lines_and_csv_read_alike(tmp_path: Path) -> None:
    entries = talkdesk_entries(scenarios())
    write_jsonl(tmp_path / "calls.jsonl", entries)
    want = expected_kpis(scenarios(), PARTNERS, ZONE, acw=False)
    _assert_same(_table(engine.aggregate(_raw("calls.jsonl"), base=tmp_path, partner_ids=["ATL", "BRV"])), want)
    fields = list(entries[0])
    rows = [
        ["" if e[f] is None else str(e[f]).lower() if isinstance(e[f], bool) else str(e[f]) for f in fields]
        for e in entries
    ]
    write_csv(tmp_path / "calls.csv", fields, rows)
    _assert_same(_table(engine.aggregate(_raw("calls.csv"), base=tmp_path, partner_ids=["ATL", "BRV"])), want)


def test_unreadable_values_are_named_by_their_record(tmp_path: Path) -> None:
    entries = talkdesk_entries(scenarios())
    entries[0]["wait_time"] = "twelve"  # k01, the first entry
    entries[5]["talk_time"] = "3m20s"  # k06, the sixth
    aggregation = engine.aggregate(_raw(_write_report(tmp_path, entries)), base=tmp_path, partner_ids=["ATL", "BRV"])
    samples = {s.record: (s.reason, s.value) for s in aggregation.quality.samples}
    assert samples == {1: ("unparseable_timestamp", "twelve"), 6: ("not_a_number", "3m20s")}


def test_a_report_without_a_field_the_preset_reads_is_named(tmp_path: Path) -> None:
    entries = [{k: v for k, v in e.items() if k != "wait_time"} for e in talkdesk_entries(scenarios())]
    with pytest.raises(GovdocsError) as caught:
        engine.aggregate(_raw(_write_report(tmp_path, entries)), base=tmp_path, partner_ids=["ATL", "BRV"])
    (problem,) = caught.value.problems
    assert problem.message.startswith(
        "calls.json lacks the field wait_time that format: talkdesk reads: add it to the report's fields"
    )


def test_the_documented_example_reads_as_delivered(tmp_path: Path) -> None:
    """The calls report example of Talkdesk's documentation (tests/platform_samples/SOURCES): one
    outbound call, read and not queued."""
    sample = SAMPLES / "talkdesk-calls-report.json"
    (tmp_path / sample.name).write_bytes(sample.read_bytes())
    aggregation = engine.aggregate(_raw(sample.name, MEASURES[:1]), base=tmp_path, partner_ids=["ATL", "BRV"])
    (source,) = aggregation.quality.sources
    assert (source.records, source.read, source.accepted, source.rejected, source.not_queued) == (1, 1, 0, 0, 1)


def test_talkdesk_as_one_sql_statement_gives_the_same_table(tmp_path: Path) -> None:
    raw = _raw(_write_report(tmp_path, talkdesk_entries(scenarios())))
    text = engine.aggregation_sql(raw, base=tmp_path, partner_ids=["ATL", "BRV"])
    rows = engine.run_sql(text)
    alone = rows[rows["segment"].isna()].reset_index(drop=True)
    made = engine.aggregate(raw, base=tmp_path, partner_ids=["ATL", "BRV"]).kpis
    assert alone[list(made.columns)].equals(made)
