"""Zendesk Talk (`format: zendesk-talk`): the incremental calls export as delivered gives the KPIs a
hand computation of the same calls gives -- moments made from created_at and the durations Zendesk
counts from it, a call exported again once updated read once, an IVR-only call and outbound calls
not queued -- Zendesk's own wait_time set beside govdocs' wait, and what a call record cannot tell
(transfers) refused, not guessed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from govdocs.errors import GovdocsError
from govdocs.raw import engine
from govdocs.raw.model import RawData
from tests.platform_records import (
    MEASURES,
    ZENDESK_PARTNERS,
    ZONE,
    close,
    expected_kpis,
    scenarios,
    write_jsonl,
    zendesk_calls,
    zendesk_page,
)

SAMPLES = Path(__file__).parent / "platform_samples"
# a call record carries no transfer: the transfer rate is not asked of it
KPIS = [m for m in MEASURES if m["kpi"] != "transfer_rate"]


def _raw(files: str, kpis: list[dict] = KPIS) -> RawData:
    source = {"files": files, "format": "zendesk-talk", "timezone": ZONE, "partner_values": ZENDESK_PARTNERS}
    return RawData.model_validate({"sources": {"interactions": source}, "kpis": kpis})


def _table(aggregation) -> dict[tuple[str, str, str], float]:
    return {(r.partner, r.period, r.kpi): r.value for r in aggregation.kpis.itertuples()}


def _expected() -> dict[tuple[str, str, str], float]:
    partners = {"Atlas Lisbon": "ATL", "Bravo Manila": "BRV"}
    return {k: v for k, v in expected_kpis(scenarios(), partners, ZONE).items() if k[2] != "transfer_rate"}


def _assert_same(got: dict, want: dict) -> None:
    assert set(got) == set(want)
    wrong = {k: (got[k], want[k]) for k in want if not close(got[k], want[k])}
    assert not wrong


def _write_page(tmp_path: Path, records: list[dict]) -> str:
    (tmp_path / "calls.json").write_text(json.dumps(zendesk_page(records), indent=2), encoding="utf-8")
    return "calls.json"


def test_incremental_calls_export_gives_the_hand_computed_kpis(tmp_path: Path) -> None:
    aggregation = engine.aggregate(
        _raw(_write_page(tmp_path, zendesk_calls(scenarios()))), base=tmp_path, partner_ids=["ATL", "BRV"]
    )
    got = _table(aggregation)
    _assert_same(got, _expected())
    # by hand: ATL in July has k01 (12 s in the queue), k02 (25 s; its transfer stays in the call),
    # k03 (left the queue after 45 s) and k06 (8 s); k04 left after 3 s (a short abandon, not offered)
    assert got[("ATL", "2026-07", "asa")] == pytest.approx((12 + 25 + 8) / 3)
    handles = [240 + 20 + 30, 120 + 10 + 300 + 15 + 20, 200 + 15]  # talk + hold + wrap-up, both agents of k02
    assert got[("ATL", "2026-07", "aht")] == pytest.approx(sum(handles) / 3)
    assert got[("ATL", "2026-07", "abandonment")] == pytest.approx(25.0)
    assert got[("ATL", "2026-07", "service_level")] == pytest.approx(50.0)
    # k09 reached Zendesk at 23:29:30 UTC on 31 July: 00:30 in Lisbon on 1 August, after its IVR
    assert got[("ATL", "2026-08", "asa")] == pytest.approx((5 + 15) / 2)
    (source,) = aggregation.quality.sources
    # 12 calls in 13 records: k07 exported mid-call, then again once ended
    assert (source.records, source.merged, source.read) == (13, 1, 12)
    assert (source.accepted, source.rejected, source.not_queued) == (11, 0, 1)


def test_calls_as_json_lines_read_alike(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "calls.jsonl", zendesk_calls(scenarios()))
    aggregation = engine.aggregate(_raw("calls.jsonl"), base=tmp_path, partner_ids=["ATL", "BRV"])
    _assert_same(_table(aggregation), _expected())


def test_zendesk_wait_time_is_compared_with_ours(tmp_path: Path) -> None:
    """wait_time is Zendesk's own figure: a call whose wait_time says 30 s where created_at and the
    durations give 12 s is counted as compared and not agreeing, and names the call."""
    records = zendesk_calls(scenarios())
    records[0]["wait_time"] = 30  # k01
    aggregation = engine.aggregate(_raw(_write_page(tmp_path, records)), base=tmp_path, partner_ids=["ATL", "BRV"])
    july = [a for a in aggregation.quality.agreement if a.period == "2026-07" and a.measure == "wait"]
    (agreement,) = july
    assert agreement.figure == "wait_time"
    # July's contacts read: k01, k02, k03, k04 (its 3 s), k06, k07, k08
    assert (agreement.compared, agreement.agreeing) == (7, 6)
    assert (agreement.contact_id, agreement.ours, agreement.theirs) == ("360120000001", 12.0, 30.0)
    # from: platform reads Zendesk's figure instead
    kpis = [*KPIS, {"kpi": "asa_zendesk", "measure": "asa", "from": "platform"}]
    got = _table(engine.aggregate(_raw("calls.json", kpis), base=tmp_path, partner_ids=["ATL", "BRV"]))
    assert got[("ATL", "2026-07", "asa_zendesk")] == pytest.approx((30 + 25 + 8) / 3)
    assert got[("ATL", "2026-07", "asa")] == pytest.approx((12 + 25 + 8) / 3)


def test_a_transfer_rate_is_refused_with_its_line(tmp_path: Path) -> None:
    from govdocs.raw.checks import load_raw_data

    path = tmp_path / "mapping.yaml"
    path.write_text(
        "raw_data:\n  kpis:\n    - {kpi: x, measure: asa}\n    - {kpi: y, measure: transfer_rate}\n"
        "  sources:\n    interactions: {files: calls.json, format: zendesk-talk, timezone: UTC}\n",
        encoding="utf-8",
    )
    with pytest.raises(GovdocsError) as caught:
        load_raw_data(path)
    assert [(p.location.line, p.message) for p in caught.value.problems] == [
        (4, "measure transfer_rate needs the contacts' transfers, which format: zendesk-talk does not carry")
    ]


def test_unreadable_values_are_named_by_their_record(tmp_path: Path) -> None:
    records = zendesk_calls(scenarios())
    records[5]["time_to_answer"] = "soon"  # k06, the sixth record of the page
    records[0]["created_at"] = "01/07/2026 08:00"  # k01, the first
    aggregation = engine.aggregate(_raw(_write_page(tmp_path, records)), base=tmp_path, partner_ids=["ATL", "BRV"])
    samples = {s.record: s.reason for s in aggregation.quality.samples}
    # a duration that is not a number makes its moment unreadable, and is shown as written
    assert samples == {1: "unparseable_timestamp", 6: "unparseable_timestamp"}
    assert {s.value for s in aggregation.quality.samples} == {"01/07/2026 08:00", "soon"}
    assert all(s.line is None for s in aggregation.quality.samples)


def test_the_public_sample_reads_as_delivered(tmp_path: Path) -> None:
    """Airbyte's test account's calls (tests/platform_samples/SOURCES): outbound calls, one of them
    given twice, read as four records, three calls, none queued and none rejected."""
    sample = SAMPLES / "zendesk-talk-calls.jsonl"
    (tmp_path / sample.name).write_bytes(sample.read_bytes())
    aggregation = engine.aggregate(_raw(sample.name, KPIS[:1]), base=tmp_path, partner_ids=["ATL", "BRV"])
    (source,) = aggregation.quality.sources
    assert (source.records, source.merged, source.read) == (4, 1, 3)
    assert (source.accepted, source.rejected, source.not_queued) == (0, 0, 3)


def test_another_export_is_named(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "legs.jsonl", [{"id": 1, "call_id": 2, "type": "agent", "talk_time": 0}])
    with pytest.raises(GovdocsError) as caught:
        engine.aggregate(_raw("legs.jsonl"), base=tmp_path, partner_ids=["ATL", "BRV"])
    (problem,) = caught.value.problems
    assert problem.message.startswith(
        "legs.jsonl does not look like Zendesk Talk incremental calls export: its records have no 'completion_status'"
    )


def test_zendesk_as_one_sql_statement_gives_the_same_table(tmp_path: Path) -> None:
    raw = _raw(_write_page(tmp_path, zendesk_calls(scenarios())))
    text = engine.aggregation_sql(raw, base=tmp_path, partner_ids=["ATL", "BRV"])
    rows = engine.run_sql(text)
    alone = rows[rows["segment"].isna()].reset_index(drop=True)
    made = engine.aggregate(raw, base=tmp_path, partner_ids=["ATL", "BRV"]).kpis
    assert alone[list(made.columns)].equals(made)
