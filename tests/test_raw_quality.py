"""Raw records: every reject reason, counted per partner and month, with file and line; nothing dropped."""

from __future__ import annotations

from pathlib import Path

import pytest

from govdocs.errors import ExitCode
from govdocs.raw import engine
from govdocs.raw.model import RawData
from tests.test_raw_engine import HEADER, INTERACTION_COLUMNS, write_csv

GOOD = [
    "g1",
    "ATL",
    "voice",
    "K1",
    "2026-07-01 09:00:00",
    "2026-07-01 09:00:10",
    "2026-07-01 09:05:00",
    "60",
    "",
    "",
    "",
]
# One row per reason, in file order (line = row + 1: the header is line 1).
BAD = [
    ["", "ATL", "voice", "K2", "2026-07-01 09:00:00", "", "2026-07-01 09:01:00", "", "", "", ""],  # line 3
    ["b2", "ATL", "voice", "K2", "2026-07-01 09:00:00", "", "", "", "", "", ""],  # line 4: no answer, no end
    ["b3", "ATL", "voice", "K3", "2026-13-01 09:00:00", "", "2026-07-01 09:01:00", "", "", "", ""],  # 5: month 13
    ["b4", "ATL", "voice", "K4", "2026-07-01 09:00:00", "2026-07-01 09:00:10", "", "6O", "", "", ""],  # 6: letter O
    ["g1", "ATL", "voice", "K1", "2026-07-02 09:00:00", "2026-07-02 09:00:10", "", "60", "", "", ""],  # 7: dup id
    ["b6", "ZZZ", "voice", "K6", "2026-08-01 09:00:00", "2026-08-01 09:00:10", "", "60", "", "", ""],  # 8
    ["b7", "ATL", "voice", "K7", "2026-08-01 09:00:00", "2026-08-01 08:59:10", "", "60", "", "", ""],  # 9
    ["b8", "ATL", "voice", "K8", "2026-08-01 09:00:00", "2026-08-01 09:00:10", "", "60", "-5", "", ""],  # 10
    ["b9", "ATL", "voice", "K9", "2026-08-01 09:00:00", "", "2026-08-01 08:00:00", "", "", "", ""],  # 11: ends early
    ["b10", "ATL", "voice", "K9", "2026-08-01 09:00:00", "2026-08-01 09:00:10", "", "", "", "", ""],  # 12: no talk
]
EXPECTED = [  # (reason, line, partner, period, column)
    ("answer_before_arrival", 9, "ATL", "2026-08", None),
    ("duplicate_id", 7, "ATL", "2026-07", None),
    ("missing_field", 3, "ATL", "2026-07", None),
    ("missing_field", 4, "ATL", "2026-07", None),
    ("missing_field", 12, "ATL", "2026-08", None),
    ("negative_duration", 10, "ATL", "2026-08", None),
    ("negative_duration", 11, "ATL", "2026-08", None),
    ("not_a_number", 6, "ATL", "2026-07", "Talk"),
    ("unknown_partner", 8, "ZZZ", "2026-08", None),
    ("unparseable_timestamp", 5, "ATL", None, "Queued"),
]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("bad")
    write_csv(folder / "calls.csv", HEADER, [GOOD, *BAD])
    raw = RawData.model_validate(
        {
            "sources": {
                "interactions": {"files": "calls.csv", "timezone": "Europe/Paris", "columns": INTERACTION_COLUMNS}
            },
            "kpis": [{"kpi": "asa", "measure": "asa"}],
        }
    )
    return engine.aggregate(raw, base=folder, partner_ids=["ATL"])


def test_every_row_is_accepted_or_rejected(report) -> None:
    (source,) = report.quality.sources
    assert (source.read, source.accepted, source.rejected) == (11, 1, 10)
    assert source.read == source.accepted + source.rejected
    assert sum(r.rows for r in report.quality.rejects) == source.rejected
    # only the good row is in the KPIs
    assert report.kpis[["kpi", "period", "value", "volume"]].values.tolist() == [["asa", "2026-07", 10.0, 1.0]]


def test_each_reason_with_its_file_line_partner_and_month(report) -> None:
    samples = [(s.reason, s.line, s.partner, s.period, s.column) for s in report.quality.samples]
    assert sorted(samples, key=lambda s: (s[0], s[1])) == EXPECTED
    assert all(s.file.endswith("calls.csv") and s.row == s.line - 1 for s in report.quality.samples)


def test_counts_per_partner_month_and_reason(report) -> None:
    counts = {(r.partner, r.period, r.reason): r.rows for r in report.quality.rejects}
    assert counts[("ATL", "2026-07", "missing_field")] == 2
    assert counts[("ATL", "2026-08", "missing_field")] == 1
    assert counts[("ATL", None, "unparseable_timestamp")] == 1
    assert counts[("ZZZ", "2026-08", "unknown_partner")] == 1
    assert report.quality.by_reason()["negative_duration"] == 2


def test_samples_are_warnings_naming_file_and_line(report) -> None:
    problems = {p.code: p for p in report.quality.problems()}
    bad_number = problems["raw.not_a_number"]
    assert bad_number.severity == "warning"
    assert bad_number.category is ExitCode.DATA
    assert str(bad_number).endswith(
        "calls.csv:6: column 'Talk': warning: contact 'b4' rejected: '6O' is not a number [raw.not_a_number]"
    )
    assert "partner 'ZZZ' is not a partner id" in problems["raw.unknown_partner"].message


def test_partner_copy_has_no_other_partner(report) -> None:
    atl = report.quality.for_partner("ATL")
    assert {r.partner for r in atl.rejects} == {"ATL"}
    assert all(s.partner == "ATL" for s in atl.samples)


def test_samples_are_limited_per_reason(tmp_path: Path) -> None:
    rows = [[f"x{i}", "ATL", "voice", "K", "never", "", "", "", "", "", ""] for i in range(12)]
    # one good row: a source whose every row is rejected is refused (test_platforms)
    rows.append(["ok", "ATL", "voice", "K", "2026-07-01 09:00:00", "2026-07-01 09:00:10", "2026-07-01 09:05:00", "290"])
    rows[-1] += [""] * (len(HEADER) - len(rows[-1]))
    write_csv(tmp_path / "calls.csv", HEADER, rows)
    raw = RawData.model_validate(
        {
            "sources": {"interactions": {"files": "calls.csv", "timezone": "UTC", "columns": INTERACTION_COLUMNS}},
            "kpis": [{"kpi": "asa", "measure": "asa"}],
        }
    )
    agg = engine.aggregate(raw, base=tmp_path, partner_ids=["ATL"], samples_per_reason=3)
    assert [s.line for s in agg.quality.samples] == [2, 3, 4]
    assert agg.quality.rejects[0].rows == 12
    assert list(agg.kpis["value"]) == [10.0]


def _other_sources(folder: Path) -> RawData:
    write_csv(
        folder / "surveys.csv",
        ["Id", "Vendor", "When", "Sat", "Rec", "Solved"],
        [
            ["s1", "ATL", "2026-07-02 10:00:00", "5", "10", "yes"],
            ["s2", "ATL", "2026-07-02 10:00:00", "6", "", ""],  # line 3: CSAT above the 1-5 scale
            ["s3", "ATL", "2026-07-02 10:00:00", "", "11", ""],  # line 4: NPS above 10
            ["s4", "ATL", "2026-07-02 10:00:00", "", "", "maybe"],  # line 5: not yes/no
            ["s5", "ATL", "2026-07-02 10:00:00", "", "", ""],  # line 6: no answer at all
            ["s1", "ATL", "2026-07-02 10:00:00", "4", "", ""],  # line 7: same response id
        ],
    )
    write_csv(
        folder / "qa.csv",
        ["Id", "BPO", "Date", "Score", "Fail"],
        [
            ["e1", "ATL", "2026-07-02", "90", "no"],
            ["e2", "ATL", "2026-07-02", "101", "no"],  # line 3: above score_max
            ["e3", "ATL", "2026-07-02", "80", "perhaps"],  # line 4
            ["e4", "ATL", "2026-07-02", "", "no"],  # line 5
        ],
    )
    write_csv(
        folder / "roster.csv",
        ["Agent", "Partner", "Start", "End"],
        [
            ["a1", "ATL", "2025-01-01", ""],
            ["a2", "ATL", "2026-07-10", "2026-07-01"],  # line 3: left before hired
            ["a3", "ATL", "2026-02-30", ""],  # line 4: no such date
            ["a1", "ATL", "2025-01-01", ""],  # line 5: listed twice
        ],
    )
    return RawData.model_validate(
        {
            "sources": {
                "surveys": {
                    "files": "surveys.csv",
                    "timezone": "UTC",
                    "columns": {
                        "response_id": "Id",
                        "partner": "Vendor",
                        "responded_at": "When",
                        "csat": "Sat",
                        "nps": "Rec",
                        "fcr": "Solved",
                    },
                },
                "qa": {
                    "files": "qa.csv",
                    "timezone": "UTC",
                    "columns": {
                        "evaluation_id": "Id",
                        "partner": "BPO",
                        "evaluated_at": "Date",
                        "score": "Score",
                        "auto_fail": "Fail",
                    },
                },
                "roster": {
                    "files": "roster.csv",
                    "columns": {"agent_id": "Agent", "partner": "Partner", "hired_on": "Start", "left_on": "End"},
                },
            },
            "kpis": [
                {"kpi": "csat", "measure": "csat_top_box"},
                {"kpi": "qa_score", "measure": "qa_score"},
                {"kpi": "attrition", "measure": "attrition"},
            ],
        }
    )


def test_survey_qa_and_roster_reasons(tmp_path: Path) -> None:
    agg = engine.aggregate(_other_sources(tmp_path), base=tmp_path, partner_ids=["ATL"])
    found = sorted((s.source, s.line, s.reason) for s in agg.quality.samples)
    assert found == [
        ("qa", 3, "out_of_range"),
        ("qa", 4, "bad_value"),
        ("qa", 5, "missing_field"),
        ("roster", 3, "left_before_hired"),
        ("roster", 4, "unparseable_timestamp"),
        ("roster", 5, "duplicate_id"),
        ("surveys", 3, "out_of_range"),
        ("surveys", 4, "out_of_range"),
        ("surveys", 5, "bad_value"),
        ("surveys", 6, "missing_field"),
        ("surveys", 7, "duplicate_id"),
    ]
    assert {(s.source, s.read, s.accepted) for s in agg.quality.sources} == {
        ("surveys", 6, 1),
        ("qa", 4, 1),
        ("roster", 4, 1),
    }


def test_the_same_id_at_two_partners_is_two_records(tmp_path: Path) -> None:
    """Each vendor's ACD numbers its own contacts: BRV's 'g1' is not a duplicate of ATL's, and a
    row of a partner not in the config cannot push out a real partner's row with the same id."""
    brv = ["g1", "BRV", *GOOD[2:]]
    stranger = ["g1", "ZZZ", *GOOD[2:]]
    write_csv(tmp_path / "calls.csv", HEADER, [stranger, GOOD, brv])
    raw = RawData.model_validate(
        {
            "sources": {"interactions": {"files": "calls.csv", "timezone": "UTC", "columns": INTERACTION_COLUMNS}},
            "kpis": [{"kpi": "asa", "measure": "asa"}],
        }
    )
    agg = engine.aggregate(raw, base=tmp_path, partner_ids=["ATL", "BRV"])
    assert [(r.reason, r.partner) for r in agg.quality.rejects] == [("unknown_partner", "ZZZ")]
    assert sorted(agg.kpis["partner"]) == ["ATL", "BRV"]
