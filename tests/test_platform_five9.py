"""Five9 (`format: five9`): the standard Call Log report as CSV gives the KPIs a hand computation
of the same calls gives -- moments made from TIMESTAMP (local to the report's zone) and its
HH:MM:SS durations, the wait to the answer its QUEUE WAIT TIME and RING TIME, a call in two
overlapping reports read once, outbound and IVR-only calls not queued -- and a report template
without a column the preset reads is named, not read as calls never queued."""

from __future__ import annotations

from pathlib import Path

import pytest

from govdocs.errors import GovdocsError
from govdocs.raw import engine
from govdocs.raw.model import RawData
from tests.platform_records import (
    FIVE9_HEADER,
    MEASURES,
    PARTNERS,
    ZONE,
    expected_kpis,
    five9_rows,
    preset_raw,
    scenarios,
    write_csv,
)
from tests.platform_records import (
    assert_same as _assert_same,
)
from tests.platform_records import (
    kpi_table as _table,
)

SAMPLES = Path(__file__).parent / "platform_samples"


def _raw(files: str, kpis: list[dict] = MEASURES) -> RawData:
    return preset_raw("five9", files, kpis)


def test_call_log_report_gives_the_hand_computed_kpis(tmp_path: Path) -> None:
    write_csv(tmp_path / "call-log.csv", FIVE9_HEADER, five9_rows(scenarios(), ZONE))
    aggregation = engine.aggregate(_raw("call-log.csv"), base=tmp_path, partner_ids=["ATL", "BRV"])
    got = _table(aggregation)
    _assert_same(got, expected_kpis(scenarios(), PARTNERS, ZONE))
    # by hand: ATL in July has k01 (12 s in the queue), k02 (19 s in the queue and 6 s ringing,
    # then transferred: TRANSFERS 1), k03 (ABANDONED after 45 s) and k06 (8 s); k04 abandoned after
    # 3 s (a short abandon, not offered)
    assert got[("ATL", "2026-07", "asa")] == pytest.approx((12 + (19 + 6) + 8) / 3)
    handles = [240 + 20 + 30, 120 + 300 + 15 + 10 + 20, 200 + 15]  # talk + hold + after call work
    assert got[("ATL", "2026-07", "aht")] == pytest.approx(sum(handles) / 3)
    assert got[("ATL", "2026-07", "abandonment")] == pytest.approx(25.0)
    assert got[("ATL", "2026-07", "service_level")] == pytest.approx(50.0)
    assert got[("ATL", "2026-07", "transfer_rate")] == pytest.approx(100 / 3)
    (source,) = aggregation.quality.sources
    # 12 calls in 13 rows: k07 in two overlapping reports
    assert (source.records, source.merged, source.read) == (13, 1, 12)
    assert (source.accepted, source.rejected, source.not_queued) == (11, 0, 1)


def test_unreadable_values_are_named_by_their_line(tmp_path: Path) -> None:
    rows = five9_rows(scenarios(), ZONE)
    rows[0][FIVE9_HEADER.index("QUEUE WAIT TIME")] = "12s"  # k01, on the file's second line
    rows[5][FIVE9_HEADER.index("TIMESTAMP")] = "2026-07-05 09:59:30"  # k06, on line 7
    write_csv(tmp_path / "call-log.csv", FIVE9_HEADER, rows)
    aggregation = engine.aggregate(_raw("call-log.csv"), base=tmp_path, partner_ids=["ATL", "BRV"])
    samples = {s.line: (s.reason, s.value) for s in aggregation.quality.samples}
    # the value is shown with its column (a duration makes the moment unreadable)
    assert samples == {
        2: ("unparseable_timestamp", "12s (QUEUE WAIT TIME)"),
        7: ("unparseable_timestamp", "2026-07-05 09:59:30 (TIMESTAMP)"),
    }
    assert all(s.record is None for s in aggregation.quality.samples)


def test_a_template_without_a_column_the_preset_reads_is_named(tmp_path: Path) -> None:
    drop = FIVE9_HEADER.index("QUEUE WAIT TIME")
    rows = [[cell for i, cell in enumerate(row) if i != drop] for row in five9_rows(scenarios(), ZONE)]
    write_csv(tmp_path / "call-log.csv", [c for c in FIVE9_HEADER if c != "QUEUE WAIT TIME"], rows)
    with pytest.raises(GovdocsError) as caught:
        engine.aggregate(_raw("call-log.csv"), base=tmp_path, partner_ids=["ATL", "BRV"])
    (problem,) = caught.value.problems
    assert problem.message.startswith(
        "call-log.csv lacks the field QUEUE WAIT TIME that format: five9 reads: add it to the report template"
    )


def test_the_public_sample_reads_as_delivered(tmp_path: Path) -> None:
    """The mock Call Log rows of a public dashboard (tests/platform_samples/SOURCES): autodialled
    calls, one of them twice, read as five rows, four calls, none queued and none rejected."""
    sample = SAMPLES / "five9-call-log.csv"
    (tmp_path / sample.name).write_bytes(sample.read_bytes())
    aggregation = engine.aggregate(_raw(sample.name, MEASURES[:1]), base=tmp_path, partner_ids=["ATL", "BRV"])
    (source,) = aggregation.quality.sources
    assert (source.records, source.merged, source.read) == (5, 1, 4)
    assert (source.accepted, source.rejected, source.not_queued) == (0, 0, 4)


def test_another_export_is_named(tmp_path: Path) -> None:
    write_csv(tmp_path / "agents.csv", ["AGENT", "LOGIN TIME"], [["a@example.com", "08:00:00"]])
    with pytest.raises(GovdocsError) as caught:
        engine.aggregate(_raw("agents.csv"), base=tmp_path, partner_ids=["ATL", "BRV"])
    (problem,) = caught.value.problems
    assert problem.message.startswith("agents.csv does not look like a Five9 Call Log report")


def test_five9_as_one_sql_statement_gives_the_same_table(tmp_path: Path) -> None:
    write_csv(tmp_path / "call-log.csv", FIVE9_HEADER, five9_rows(scenarios(), ZONE))
    raw = _raw("call-log.csv")
    text = engine.aggregation_sql(raw, base=tmp_path, partner_ids=["ATL", "BRV"])
    rows = engine.run_sql(text)
    alone = rows[rows["segment"].isna()].reset_index(drop=True)
    made = engine.aggregate(raw, base=tmp_path, partner_ids=["ATL", "BRV"]).kpis
    assert alone[list(made.columns)].equals(made)
