"""Raw records -> KPIs: the arithmetic of every measure pinned on small hand-checked record sets."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import pandas as pd
import pytest

from govdocs.errors import GovdocsError
from govdocs.raw import engine
from govdocs.raw.model import RawData

INTERACTION_COLUMNS = {
    "contact_id": "Call ID",
    "partner": "Site",
    "channel": "Media",
    "customer_id": "Caller",
    "arrived_at": "Queued",
    "answered_at": "Answered",
    "ended_at": "Ended",
    "talk_seconds": "Talk",
    "hold_seconds": "Hold",
    "acw_seconds": "Wrap",
    "transfers": "Xfers",
}
HEADER = ["Call ID", "Site", "Media", "Caller", "Queued", "Answered", "Ended", "Talk", "Hold", "Wrap", "Xfers"]
# Local times in America/New_York (UTC-4 in summer). Waits: answered - queued (or ended - queued when abandoned).
# Rows without the partner cell (see at_atl).
CALLS = [
    # July
    ["c1", "voice", "K1", "2026-07-01 09:00:00", "2026-07-01 09:00:10", "2026-07-01 09:05:30", "300", "0", "20", "0"],
    ["c2", "voice", "K2", "2026-07-01 09:01:00", "", "2026-07-01 09:01:03", "", "", "", ""],  # short abandon (3 s)
    ["c3", "voice", "K3", "2026-07-01 09:02:00", "", "2026-07-01 09:02:40", "", "", "", ""],  # abandoned (40 s)
    ["c4", "voice", "K1", "2026-07-03 10:00:00", "2026-07-03 10:00:30", "2026-07-03 10:10:00", "500", "30", "40", "1"],
    # 23:30 in New York on 31 July is 03:30 UTC on 1 August: a July contact
    ["c5", "voice", "K4", "2026-07-31 23:30:00", "2026-07-31 23:30:05", "2026-07-31 23:35:00", "200", "0", "10", "0"],
    ["c6", "email", "K1", "2026-07-12 10:00:00", "2026-07-12 10:00:15", "2026-07-12 10:05:00", "100", "", "10", ""],
    # August
    ["c7", "voice", "K5", "2026-08-01 00:10:00", "2026-08-01 00:10:20", "2026-08-01 00:20:00", "400", "", "", ""],
    ["c8", "voice", "K5", "2026-08-05 12:00:00", "2026-08-05 12:00:50", "2026-08-05 12:10:00", "300", "0", "0", "2"],
    # September: the last contact in the data (its 7-day window is not complete)
    ["c9", "voice", "K9", "2026-09-30 10:00:00", "2026-09-30 10:00:05", "2026-09-30 10:05:00", "100", "0", "0", "0"],
]
MEASURES = [
    {"kpi": "offered", "measure": "offered", "short_abandon_seconds": 5},
    {"kpi": "answered", "measure": "answered"},
    {"kpi": "abandoned", "measure": "abandoned"},
    {"kpi": "abandonment", "measure": "abandon_rate", "short_abandon_seconds": 5},
    {"kpi": "service_level", "measure": "service_level", "answered_within_seconds": 20, "by": "channel"},
    {"kpi": "sl_voice", "measure": "service_level", "answered_within_seconds": 20, "channels": ["voice"]},
    {"kpi": "sl_answered", "measure": "service_level", "answered_within_seconds": 20, "denominator": "answered"},
    {"kpi": "asa", "measure": "asa"},
    {"kpi": "aht", "measure": "aht"},
    {"kpi": "transfer_rate", "measure": "transfer_rate"},
    {"kpi": "repeat_rate", "measure": "repeat_contact_rate", "within_days": 7},
    {"kpi": "fcr_proxy", "measure": "fcr_proxy", "within_days": 7},
]


def at_atl(rows: list[list[str]]) -> list[list[str]]:
    """Call rows written without their partner cell (to keep them short): all are ATL's."""
    return [[r[0], "ATL", *r[1:]] for r in rows]


def write_csv(path: Path, header: list[str], rows: list[list[str]], gz: bool = False) -> Path:
    opener = gzip.open if gz else open
    with opener(path, "wt", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def interactions_config(files: str, measures: list[dict], timezone: str = "America/New_York", **extra) -> RawData:
    source = {"files": files, "timezone": timezone, "columns": INTERACTION_COLUMNS, **extra}
    return RawData.model_validate({"sources": {"interactions": source}, "kpis": measures})


def table(agg: engine.Aggregation) -> dict[tuple[str, str], tuple[float, float]]:
    """(kpi, period) -> (value, volume) for partner ATL."""
    rows = agg.kpis[agg.kpis["partner"] == "ATL"]
    return {(r.kpi, r.period): (round(r.value, 6), r.volume) for r in rows.itertuples()}


@pytest.fixture(scope="module")
def calls_agg(tmp_path_factory: pytest.TempPathFactory) -> engine.Aggregation:
    folder = tmp_path_factory.mktemp("calls")
    write_csv(folder / "calls.csv.gz", HEADER, at_atl(CALLS), gz=True)
    raw = interactions_config("*.csv.gz", MEASURES)
    return engine.aggregate(raw, base=folder, partner_ids=["ATL", "BRV"])


JULY = {
    # offered: c1 c3 c4 c5 c6 (c2 gave up after 3 s < 5 s: not offered)
    "offered": (5, 5),
    "answered": (4, 4),  # c1 c4 c5 c6
    "abandoned": (1, 5),  # c3, out of 5 offered
    "abandonment": (20.0, 5),  # 1 / 5
    "service_level": (60.0, 5),  # within 20 s: c1 (10 s), c5 (5 s), c6 (15 s) -> 3 / 5 offered
    "sl_voice": (50.0, 4),  # voice only: c1, c5 of c1 c3 c4 c5
    "sl_answered": (75.0, 4),  # 3 / 4 answered
    "asa": (15.0, 4),  # (10 + 30 + 5 + 15) / 4
    "aht": (302.5, 4),  # (320 + 570 + 210 + 110) / 4; empty hold counts as 0
    "transfer_rate": (25.0, 4),  # c4
    # answered with a customer: c1 (K1 again 2 days later: repeat), c4 (K1 again 9 days later: no),
    # c5 (no other K4), c6 (no later K1) -> 1 / 4
    "repeat_rate": (25.0, 4),
    "fcr_proxy": (75.0, 4),
}
AUGUST = {
    "offered": (2, 2),
    "answered": (2, 2),
    "abandoned": (0, 2),
    "abandonment": (0.0, 2),
    "service_level": (50.0, 2),  # c7 answered after exactly 20 s counts as within; c8 after 50 s
    "sl_voice": (50.0, 2),
    "sl_answered": (50.0, 2),
    "asa": (35.0, 2),  # (20 + 50) / 2
    "aht": (350.0, 2),  # (400 + 300) / 2
    "transfer_rate": (50.0, 2),  # c8
    "repeat_rate": (50.0, 2),  # c7 -> c8 four days later
    "fcr_proxy": (50.0, 2),
}


@pytest.mark.parametrize("kpi", sorted(JULY))
def test_interaction_measures_july(calls_agg: engine.Aggregation, kpi: str) -> None:
    assert table(calls_agg)[(kpi, "2026-07")] == pytest.approx(JULY[kpi])


@pytest.mark.parametrize("kpi", sorted(AUGUST))
def test_interaction_measures_august(calls_agg: engine.Aggregation, kpi: str) -> None:
    assert table(calls_agg)[(kpi, "2026-08")] == pytest.approx(AUGUST[kpi])


def test_repeat_window_must_lie_inside_the_data(calls_agg: engine.Aggregation) -> None:
    # c9 is the last contact: its 7 days after are not in the data, so no repeat rate for September
    kpis = table(calls_agg)
    assert ("service_level", "2026-09") in kpis
    assert ("repeat_rate", "2026-09") not in kpis
    assert ("fcr_proxy", "2026-09") not in kpis


def test_breakdown_rows_are_apart_from_the_scored_table(calls_agg: engine.Aggregation) -> None:
    assert list(calls_agg.kpis.columns) == ["partner", "period", "kpi", "value", "volume", "source"]
    assert set(calls_agg.kpis["source"]) == {"measured"}
    july = calls_agg.breakdown[calls_agg.breakdown["period"] == "2026-07"]
    by_channel = {r.segment: (r.value, r.volume) for r in july.itertuples()}
    # voice: c1 c5 within 20 s of c1 c3 c4 c5; email: c6 within of c6
    assert by_channel == {"voice": (50.0, 4), "email": (100.0, 1)}
    assert set(july["segment_by"]) == {"channel"}


def test_month_boundary_in_a_zone_east_of_utc(tmp_path: Path) -> None:
    # Tokyo is UTC+9: 08:30 on 1 August there is 23:30 UTC on 31 July -> an August contact.
    rows = [
        ["t1", "voice", "K1", "2026-08-01 08:30:00", "2026-08-01 08:30:10", "2026-08-01 08:35:00", "100", "", "", ""],
        ["t2", "voice", "K2", "2026-07-31 23:59:59", "2026-08-01 00:00:30", "2026-08-01 00:05:00", "100", "", "", ""],
    ]
    write_csv(tmp_path / "calls.csv", HEADER, at_atl(rows))
    raw = interactions_config("calls.csv", [{"kpi": "offered", "measure": "offered"}], timezone="Asia/Tokyo")
    agg = engine.aggregate(raw, base=tmp_path, partner_ids=["ATL"])
    assert table(agg) == {("offered", "2026-07"): (1, 1), ("offered", "2026-08"): (1, 1)}
    # the same records read as UTC put t1 in July
    utc = engine.aggregate(interactions_config("calls.csv", raw.kpis, timezone="UTC"), base=tmp_path, partner_ids=None)
    assert table(utc) == {("offered", "2026-07"): (1, 1), ("offered", "2026-08"): (1, 1)}
    assert set(utc.kpis["period"]) == {"2026-07", "2026-08"}


def test_timestamps_with_offsets_keep_them(tmp_path: Path) -> None:
    # The same instant written three ways: local New York, with its offset, and in UTC.
    # All are 23:30 on 31 July in New York: a July contact, answered 15 s later.
    rows = [
        ["o1", "voice", "K1", "2026-07-31 23:30:00", "2026-07-31 23:30:15", "2026-07-31 23:40:00", "60", "", "", ""],
        ["o2", "voice", "K2", "2026-07-31T23:30:00-04:00", "2026-07-31T23:30:15-04:00", "", "60", "", "", ""],
        ["o3", "voice", "K3", "2026-08-01T03:30:00Z", "2026-08-01 03:30:15+00:00", "", "60", "", "", ""],
    ]
    write_csv(tmp_path / "calls.csv", HEADER, at_atl(rows))
    measures = [{"kpi": "offered", "measure": "offered"}, {"kpi": "asa", "measure": "asa"}]
    agg = engine.aggregate(interactions_config("calls.csv", measures), base=tmp_path, partner_ids=["ATL"])
    assert table(agg) == {("offered", "2026-07"): (3, 3), ("asa", "2026-07"): (15.0, 3)}


def test_dst_change_does_not_make_negative_waits(tmp_path: Path) -> None:
    # Clocks go back at 02:00 in New York on 1 November 2026: 01:59:50 EDT is followed by 01:00:00 EST.
    # Written with offsets, the wait is 20 s, not -3,590 s.
    rows = [["d1", "voice", "K1", "2026-11-01T01:59:50-04:00", "2026-11-01T01:00:10-05:00", "", "60", "", "", ""]]
    write_csv(tmp_path / "calls.csv", HEADER, at_atl(rows))
    agg = engine.aggregate(
        interactions_config("calls.csv", [{"kpi": "asa", "measure": "asa"}]), base=tmp_path, partner_ids=["ATL"]
    )
    assert table(agg) == {("asa", "2026-11"): (20.0, 1)}


def test_parquet_glob_with_different_columns_gives_the_same_table(tmp_path: Path, calls_agg) -> None:
    frame = pd.DataFrame(at_atl(CALLS), columns=HEADER).replace("", None)
    for column in ("Queued", "Answered", "Ended"):
        frame[column] = pd.to_datetime(frame[column])  # naive local times, as many exports store them
    for column in ("Talk", "Hold", "Wrap", "Xfers"):
        frame[column] = pd.to_numeric(frame[column])
    frame.iloc[:5].to_parquet(tmp_path / "part-1.parquet", index=False)
    frame.iloc[5:].assign(Extra="x").to_parquet(tmp_path / "part-2.parquet", index=False)  # one more column
    agg = engine.aggregate(interactions_config("part-*.parquet", MEASURES), base=tmp_path, partner_ids=["ATL", "BRV"])
    pd.testing.assert_frame_equal(agg.kpis, calls_agg.kpis)


def test_sql_text_runs_alone_and_gives_the_same_table(calls_agg: engine.Aggregation) -> None:
    text = calls_agg.sql
    assert "-- FILE READ (interactions)" in text
    assert text.count("read_csv(") == 1  # file reads only in the marked CTE
    rows = engine.run_sql(text)
    total = rows[rows["segment"].isna()].drop(columns="segment").reset_index(drop=True)
    pd.testing.assert_frame_equal(total, calls_agg.kpis, check_dtype=False)
    split = rows[rows["segment"].notna()]
    assert sorted(zip(split["segment"], split["value"], strict=True)) == sorted(
        zip(calls_agg.breakdown["segment"], calls_agg.breakdown["value"], strict=True)
    )


def test_aggregation_sql_without_running(tmp_path: Path) -> None:
    write_csv(tmp_path / "calls.csv", HEADER, at_atl(CALLS))
    text = engine.aggregation_sql(interactions_config("calls.csv", MEASURES), base=tmp_path, partner_ids=["ATL"])
    assert text.startswith("-- govdocs")
    assert "AT TIME ZONE 'America/New_York'" in text


SURVEY_HEADER = ["Id", "Vendor", "When", "Sat", "Rec", "Solved"]
SURVEYS = [
    ["s1", "Atlas", "2026-07-02 10:00:00", "5", "10", "Yes"],
    ["s2", "Atlas", "2026-07-03 10:00:00", "4", "9", "no"],
    ["s3", "Atlas", "2026-07-04 10:00:00", "3", "8", "YES"],
    ["s4", "Atlas", "2026-07-05 10:00:00", "1", "6", "No"],
    ["s5", "Atlas", "2026-07-06 10:00:00", "5", "0", ""],  # no FCR answer: not in the FCR sample
    ["s6", "Atlas", "2026-07-07 10:00:00", "", "7", "yes"],  # no CSAT: not in the CSAT sample
]


def test_survey_measures(tmp_path: Path) -> None:
    write_csv(tmp_path / "surveys.csv", SURVEY_HEADER, SURVEYS)
    raw = RawData.model_validate(
        {
            "sources": {
                "surveys": {
                    "files": "surveys.csv",
                    "timezone": "Europe/Lisbon",
                    "partner_values": {"Atlas": "ATL"},
                    "columns": {
                        "response_id": "Id",
                        "partner": "Vendor",
                        "responded_at": "When",
                        "csat": "Sat",
                        "nps": "Rec",
                        "fcr": "Solved",
                    },
                }
            },
            "kpis": [
                {"kpi": "csat", "measure": "csat_top_box", "top_box_min": 4},
                {"kpi": "nps", "measure": "nps"},
                {"kpi": "fcr", "measure": "survey_fcr"},
            ],
        }
    )
    agg = engine.aggregate(raw, base=tmp_path, partner_ids=["ATL"])
    assert table(agg) == (
        {
            ("csat", "2026-07"): (60.0, 5),  # 5, 4, 5 of 5, 4, 3, 1, 5
            # promoters 10, 9 (2); detractors 6, 0 (2); passives 8, 7 -> (2 - 2) / 6
            ("nps", "2026-07"): (0.0, 6),
            ("fcr", "2026-07"): (60.0, 5),  # yes: s1, s3, s6 of 5 answers
        }
    )


def test_qa_measures(tmp_path: Path) -> None:
    rows = [
        ["e1", "ATL", "02/07/2026 10:00", "90", "N"],
        ["e2", "ATL", "03/07/2026 10:00", "80", "Y"],
        ["e3", "ATL", "04/07/2026 10:00", "100", ""],
        ["e4", "ATL", "05/07/2026 10:00", "70", "N"],
    ]
    write_csv(tmp_path / "qa.csv", ["Id", "BPO", "Date", "Score", "Fail"], rows)
    raw = RawData.model_validate(
        {
            "sources": {
                "qa": {
                    "files": "qa.csv",
                    "timezone": "Europe/Lisbon",
                    "timestamp_format": "%d/%m/%Y %H:%M",
                    "yes_values": ["Y"],
                    "no_values": ["N", ""],
                    "columns": {
                        "evaluation_id": "Id",
                        "partner": "BPO",
                        "evaluated_at": "Date",
                        "score": "Score",
                        "auto_fail": "Fail",
                    },
                }
            },
            "kpis": [
                {"kpi": "qa_score", "measure": "qa_score"},
                {"kpi": "qa_fail", "measure": "qa_auto_fail_rate"},
                {"kpi": "qa_pass", "measure": "qa_pass_rate", "pass_score": 80},
            ],
        }
    )
    agg = engine.aggregate(raw, base=tmp_path, partner_ids=["ATL"])
    assert table(agg) == (
        {
            ("qa_score", "2026-07"): (85.0, 4),  # (90 + 80 + 100 + 70) / 4
            ("qa_fail", "2026-07"): (25.0, 4),  # e2
            ("qa_pass", "2026-07"): (50.0, 4),  # e1, e3 (e2 scores 80 but auto-failed; e4 below 80)
        }
    )


def test_attrition(tmp_path: Path) -> None:
    rows = [
        ["a1", "ATL", "2025-01-01", "2026-07-15"],
        ["a2", "ATL", "2025-01-01", ""],
        ["a3", "ATL", "2026-07-10", ""],
        ["a4", "ATL", "2025-06-01", "2026-06-30"],
    ]
    write_csv(tmp_path / "roster.csv", ["Agent", "Partner", "Start", "End"], rows)
    source = {
        "files": "roster.csv",
        "columns": {"agent_id": "Agent", "partner": "Partner", "hired_on": "Start", "left_on": "End"},
    }
    raw = RawData.model_validate(
        {
            "sources": {"roster": source},
            "kpis": [
                {"kpi": "attrition", "measure": "attrition"},
                {"kpi": "attrition_month", "measure": "attrition", "annualised": False},
            ],
        }
    )
    kpis = table(engine.aggregate(raw, base=tmp_path, partner_ids=["ATL"]))
    # June: employed on 1 June a1 a2 a4, on 30 June a1 a2 a4 (a4's last day) -> average 3; a4 left -> 1/3
    assert kpis[("attrition_month", "2026-06")] == pytest.approx((100 / 3, 3))
    assert kpis[("attrition", "2026-06")] == pytest.approx((400.0, 3))
    # July: on 1 July a1 a2 (a3 not yet hired); on 31 July a2 a3 -> average 2; a1 left -> 1/2, x 12
    assert kpis[("attrition_month", "2026-07")] == pytest.approx((50.0, 2))
    assert kpis[("attrition", "2026-07")] == pytest.approx((600.0, 2))
    # no roster events before January 2025: the months run from the first hire to the last event
    assert min(p for _, p in kpis) == "2025-01"


def test_kpi_data_feeds_scoring(calls_agg: engine.Aggregation) -> None:
    data = calls_agg.kpi_data()
    assert list(data.frame.columns) == ["partner", "kpi", "month", "value", "volume", "source", "line", "file"]
    series = data.series("ATL", "service_level")
    assert [str(m) for m in sorted(series)] == ["2026-07", "2026-08", "2026-09"]
    assert series[min(series)].value == pytest.approx(60.0)
    assert series[min(series)].volume == 5
    assert data.sources[0].layout == "raw"


def test_missing_files_and_columns_are_errors(tmp_path: Path) -> None:
    with pytest.raises(GovdocsError) as caught:
        engine.aggregate(interactions_config("nothing-*.csv", MEASURES), base=tmp_path, partner_ids=None)
    assert [p.code for p in caught.value.problems] == ["raw.no_files"]
    assert caught.value.problems[0].location.path == "raw_data.sources.interactions.files"
    write_csv(tmp_path / "calls.csv", [h if h != "Queued" else "Queue Time" for h in HEADER], at_atl(CALLS))
    with pytest.raises(GovdocsError) as caught:
        engine.aggregate(interactions_config("calls.csv", MEASURES), base=tmp_path, partner_ids=None)
    problem = caught.value.problems[0]
    assert problem.code == "raw.missing_column"
    assert "no column 'Queued' (mapped to arrived_at)" in problem.message
    assert "Queue Time" in problem.message
    assert problem.location.path == "raw_data.sources.interactions.columns.arrived_at"


def test_duplicates_are_judged_among_valid_rows(tmp_path: Path) -> None:
    """A copy rejected for a reason of its own never pushes out a valid later copy with the same id:
    the first VALID copy (in file order) counts, later valid copies are duplicates, and an invalid
    copy is rejected for its own reason."""
    rows = [
        # v1: the first copy has no arrival (missing field), the second is fine and counts
        ["v1", "voice", "K1", "", "", "2026-07-01 09:00:40", "", "", "", ""],
        ["v1", "voice", "K1", "2026-07-01 09:00:00", "2026-07-01 09:00:10", "2026-07-01 09:05:00", "60", "", "", ""],
        # v2: answered before it arrived, then a valid copy (counts), then another valid copy (duplicate)
        ["v2", "voice", "K2", "2026-07-01 10:00:00", "2026-07-01 09:59:00", "2026-07-01 10:05:00", "60", "", "", ""],
        ["v2", "voice", "K2", "2026-07-01 10:00:00", "2026-07-01 10:00:30", "2026-07-01 10:05:00", "60", "", "", ""],
        ["v2", "voice", "K2", "2026-07-01 10:00:00", "2026-07-01 10:00:50", "2026-07-01 10:05:00", "60", "", "", ""],
    ]
    write_csv(tmp_path / "calls.csv", HEADER, at_atl(rows))
    measures = [{"kpi": "offered", "measure": "offered"}, {"kpi": "asa", "measure": "asa"}]
    agg = engine.aggregate(interactions_config("calls.csv", measures), base=tmp_path, partner_ids=["ATL"])
    assert table(agg) == {("offered", "2026-07"): (2, 2), ("asa", "2026-07"): (20.0, 2)}  # (10 + 30) / 2
    reasons = sorted((s.line, s.reason) for s in agg.quality.samples)
    assert reasons == [(2, "missing_field"), (4, "answer_before_arrival"), (6, "duplicate_id")]
    (source,) = agg.quality.sources
    assert (source.read, source.accepted, source.rejected) == (5, 2, 3)


def test_survey_qa_and_roster_duplicates_keep_the_first_valid_copy(tmp_path: Path) -> None:
    write_csv(
        tmp_path / "surveys.csv",
        ["Id", "Vendor", "When", "Sat"],
        [
            ["s1", "ATL", "2026-07-02 10:00:00", "9"],  # line 2: CSAT outside 1-5: rejected, not the kept copy
            ["s1", "ATL", "2026-07-02 10:00:00", "5"],  # line 3: the first valid copy
            ["s1", "ATL", "2026-07-03 10:00:00", "1"],  # line 4: a later valid copy: duplicate
        ],
    )
    write_csv(
        tmp_path / "qa.csv",
        ["Id", "BPO", "Date", "Score"],
        [
            ["e1", "ATL", "2026-07-02", "n/a"],  # line 2: not a number
            ["e1", "ATL", "2026-07-02", "80"],  # line 3: kept
            ["e1", "ATL", "2026-07-02", "60"],  # line 4: duplicate
        ],
    )
    write_csv(
        tmp_path / "roster.csv",
        ["Agent", "Partner", "Start", "End"],
        [
            ["a1", "ATL", "2025-01-01", "2024-12-01"],  # line 2: left before hired
            ["a1", "ATL", "2025-01-01", ""],  # line 3: kept
            ["a1", "ATL", "2025-01-01", ""],  # line 4: duplicate
        ],
    )
    raw = RawData.model_validate(
        {
            "sources": {
                "surveys": {
                    "files": "surveys.csv",
                    "timezone": "UTC",
                    "columns": {"response_id": "Id", "partner": "Vendor", "responded_at": "When", "csat": "Sat"},
                },
                "qa": {
                    "files": "qa.csv",
                    "timezone": "UTC",
                    "columns": {"evaluation_id": "Id", "partner": "BPO", "evaluated_at": "Date", "score": "Score"},
                },
                "roster": {
                    "files": "roster.csv",
                    "columns": {"agent_id": "Agent", "partner": "Partner", "hired_on": "Start", "left_on": "End"},
                },
            },
            "kpis": [
                {"kpi": "csat", "measure": "csat_top_box", "top_box_min": 4},
                {"kpi": "qa_score", "measure": "qa_score"},
                {"kpi": "attrition_month", "measure": "attrition", "annualised": False},
            ],
        }
    )
    agg = engine.aggregate(raw, base=tmp_path, partner_ids=["ATL"])
    kpis = table(agg)
    assert kpis[("csat", "2026-07")] == (100.0, 1)  # only line 3's 5
    assert kpis[("qa_score", "2026-07")] == (80.0, 1)
    assert kpis[("attrition_month", "2026-07")] == (0.0, 1)  # one agent employed, not two
    found = sorted((s.source, s.line, s.reason) for s in agg.quality.samples)
    assert found == [
        ("qa", 2, "not_a_number"),
        ("qa", 4, "duplicate_id"),
        ("roster", 2, "left_before_hired"),
        ("roster", 4, "duplicate_id"),
        ("surveys", 2, "out_of_range"),
        ("surveys", 4, "duplicate_id"),
    ]


@pytest.mark.parametrize("zone", ["Europe/Amsterdam", "America/St_Johns", "Australia/Lord_Howe", "Asia/Kathmandu"])
def test_instants_per_local_hour_equal_converting_each_value(zone: str) -> None:
    """The engine reads local times through one offset per local hour (sql.stages._hours_cte); every value,
    in and around the clock changes (a skipped hour, a repeated one, 30-minute shifts), must get the
    very instant, and the very seconds, that AT TIME ZONE gives it one by one."""
    import duckdb

    from govdocs.raw import sql
    from govdocs.raw.sql import stages

    parsed = sql.Cte(
        "t_parsed",
        "  SELECT ts AS a_naive, CAST(NULL AS TIMESTAMPTZ) AS a_zoned FROM (\n"
        "    SELECT TIMESTAMP '2025-12-31 00:00:00.000001' + TO_MICROSECONDS(i * 59999999) AS ts\n"
        "    FROM RANGE(540000) AS r(i)\n"
        "    UNION ALL SELECT TIMESTAMP '1969-12-31 23:59:59.999999') AS stamps",
    )
    text = f"WITH {parsed}, {stages._hours_cte('t', ['a'], zone)}, {stages._timed_cte('t', ['a'], zone, 'a')}"
    exact = f"a_naive AT TIME ZONE {sql.literal(zone)}"
    query = (
        f"{text} SELECT COUNT(*) FILTER (WHERE a_us IS DISTINCT FROM EPOCH_US({exact})"
        f" OR {sql.seconds('a_us')} IS DISTINCT FROM EXTRACT(EPOCH FROM {exact})) FROM t_timed"
    )
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        assert con.execute(query).fetchone() == (0,)
    finally:
        con.close()


def test_an_infinite_or_huge_number_is_rejected_not_summed(tmp_path: Path) -> None:
    rows = [
        [
            "c1",
            "voice",
            "K1",
            "2026-07-01 09:00:00",
            "2026-07-01 09:00:10",
            "2026-07-01 09:05:30",
            "inf",
            "0",
            "20",
            "0",
        ],
        [
            "c2",
            "voice",
            "K2",
            "2026-07-01 09:10:00",
            "2026-07-01 09:10:10",
            "2026-07-01 09:15:30",
            "1e40",
            "0",
            "20",
            "0",
        ],
        [
            "c3",
            "voice",
            "K3",
            "2026-07-01 09:20:00",
            "2026-07-01 09:20:10",
            "2026-07-01 09:25:30",
            "300",
            "0",
            "20",
            "0",
        ],
    ]
    write_csv(tmp_path / "calls.csv", HEADER, at_atl(rows))
    agg = engine.aggregate(
        interactions_config("calls.csv", [{"kpi": "aht", "measure": "aht"}]), base=tmp_path, partner_ids=["ATL"]
    )
    assert table(agg) == {("aht", "2026-07"): (320.0, 1.0)}  # c3 alone: 300 talk + 20 wrap
    assert agg.quality.by_reason() == {"not_a_number": 2}
    assert [s.message for s in agg.quality.samples] == [
        "contact 'c1' rejected: 'inf' is not a usable number (infinite, NaN, or 10^15 or more)",
        "contact 'c2' rejected: '1e40' is not a usable number (infinite, NaN, or 10^15 or more)",
    ]


# --- a partner lookup read as any other input: bounded, regular, flat (issue 33, point 9) -------


def _lookup_problems(path):
    from govdocs.raw.resolve import _read_lookup

    problems = []
    found = _read_lookup(path, problems, None)
    return found, [f"{p.code}: {p.message}" for p in problems]


def test_a_partner_lookup_that_is_not_a_flat_file_is_one_line(tmp_path):
    """Before: a FIFO hung, /dev/zero grew to gigabytes, 100,000 nested brackets were a
    RecursionError and a nested value an internal error."""
    import os

    deep = tmp_path / "deep.json"
    deep.write_text('{"a": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    nested = tmp_path / "nested.json"
    nested.write_text('{"Atlas CS": {"id": "ATL"}}', encoding="utf-8")
    fifo = tmp_path / "lookup.csv"
    os.mkfifo(fifo)
    zero = tmp_path / "zero.csv"
    zero.symlink_to("/dev/zero")
    assert _lookup_problems(deep) == ({}, ["raw.unreadable: not a lookup: JSON nested too deeply"])
    assert _lookup_problems(nested)[1] == [
        'raw.bad_lookup: a JSON lookup is one object of export value to partner id: {"Atlas CS": "ATL"}'
    ]
    assert _lookup_problems(fifo)[1] == ["file.not_regular: is a FIFO (named pipe), not a file; give a regular file"]
    assert _lookup_problems(zero)[1] == ["file.not_regular: is a device, not a file; give a regular file"]
