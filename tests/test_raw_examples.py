"""The example raw exports: govdocs' KPIs equal the same definitions computed in plain Python,
and the mapping file is valid against the example config."""

from __future__ import annotations

import csv
import gzip
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from govdocs.config.loader import load_config
from govdocs.errors import ExitCode, GovdocsError
from govdocs.raw import engine
from govdocs.raw.checks import check_raw_data, load_raw_data
from govdocs.raw.model import RawData

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "examples" / "raw"
ZONE = ZoneInfo("Europe/Amsterdam")
SITES = {
    "Atlas Lisbon": "ATL",
    "Bravo Manila": "BRV",
    "Corona Cairo": "CRN",
    "Delta Krakow": "DLT",
    "Echo Nairobi": "ECH",
}
PARTNERS = set(SITES.values())


@pytest.fixture(scope="module")
def config():
    return load_config(ROOT / "examples" / "governance.yaml")


@pytest.fixture(scope="module")
def computed(config) -> dict[tuple[str, str, str], tuple[float, float]]:
    units = {k.id: k.unit.value for k in config.kpis}
    ids = [p.id for p in config.partners]
    raw = load_raw_data(RAW / "mapping.yaml", kpi_units=units, partner_ids=ids)
    agg = engine.aggregate(raw, base=RAW, partner_ids=ids)
    return {(r.partner, r.period, r.kpi): (r.value, r.volume) for r in agg.kpis.itertuples()}


def _local(text: str) -> datetime | None:
    try:
        return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=ZONE)
    except ValueError:
        return None


def _by_hand_interactions() -> dict[tuple[str, str, str], tuple[float, float]]:
    """Service level, ASA and abandonment (voice and chat), AHT (all channels), as mapping.yaml defines them."""
    seen: set[str] = set()
    sums: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for path in sorted((RAW / "acd").glob("interactions_*.csv.gz")):
        with gzip.open(path, "rt", newline="") as handle:
            for row in csv.DictReader(handle):
                cid, site = row["Interaction ID"], row["Site Name"]
                arrived, answered, ended = (_local(row[c]) for c in ("Queue Start", "Answer Time", "End Time"))
                talk = row["Talk Time"]
                duplicate = cid in seen
                seen.add(cid)
                if not cid or not site or not row["Queue Start"] or (not row["Answer Time"] and not row["End Time"]):
                    continue
                if answered is not None and not talk:
                    continue
                if arrived is None or (row["Answer Time"] and answered is None) or (row["End Time"] and ended is None):
                    continue
                partner = SITES.get(site, site)
                if duplicate or partner not in PARTNERS or (answered and answered < arrived):
                    continue
                durations = [float(row[c] or 0) for c in ("Talk Time", "Hold Time", "ACW Time", "Transfer Count")]
                if min(durations) < 0 or (ended and ended < (answered or arrived)):
                    continue
                s = sums[(partner, f"{arrived:%Y-%m}")]
                if answered is not None:
                    s["handled"] += 1
                    s["handle_time"] += sum(durations[:3])
                if row["Media Type"] not in ("Voice", "Chat"):
                    continue
                wait = ((answered or ended) - arrived).total_seconds()
                if answered is None and wait < 5:
                    continue  # short abandon: not offered
                s["offered"] += 1
                if answered is None:
                    s["abandoned"] += 1
                else:
                    s["answered"] += 1
                    s["wait"] += wait
                    s["within"] += wait <= 20
    out = {}
    for (partner, period), s in sums.items():
        out[(partner, period, "service_level")] = (100 * s["within"] / s["offered"], s["offered"])
        out[(partner, period, "abandonment")] = (100 * s["abandoned"] / s["offered"], s["offered"])
        out[(partner, period, "asa")] = (s["wait"] / s["answered"], s["answered"])
        out[(partner, period, "aht")] = (s["handle_time"] / s["handled"], s["handled"])
    return out


def _by_hand_others() -> dict[tuple[str, str, str], tuple[float, float]]:
    sums: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    seen: set[str] = set()
    with gzip.open(RAW / "surveys.csv.gz", "rt", newline="") as handle:
        for row in csv.DictReader(handle):
            first = row["Response ID"] not in seen
            seen.add(row["Response ID"])
            csat, fcr = row["Satisfaction (1-5)"], row["Resolved First Time"]
            if not first or not 1 <= int(csat) <= 5 or fcr not in ("Yes", "No"):
                continue
            when = datetime.fromisoformat(row["Completed At"]).astimezone(ZONE)
            s = sums[(SITES[row["Vendor"]], f"{when:%Y-%m}")]
            s["surveys"] += 1
            s["top_box"] += int(csat) >= 4
            s["resolved"] += fcr == "Yes"
    with (RAW / "qa.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            try:
                score = float(row["Total Score"])
            except ValueError:
                continue
            when = datetime.strptime(row["Evaluated"], "%d/%m/%Y %H:%M")
            s = sums[(row["BPO"], f"{when:%Y-%m}")]
            s["evaluations"] += 1
            s["score"] += score
    out = {}
    for (partner, period), s in sums.items():
        if s["surveys"]:
            out[(partner, period, "csat")] = (100 * s["top_box"] / s["surveys"], s["surveys"])
            out[(partner, period, "fcr")] = (100 * s["resolved"] / s["surveys"], s["surveys"])
        if s["evaluations"]:
            out[(partner, period, "qa_score")] = (s["score"] / s["evaluations"], s["evaluations"])
    return out


def _story_months() -> set[tuple[str, str]]:
    with (ROOT / "examples" / "data" / "kpis.csv").open(newline="") as handle:
        return {(r["partner"], r["period"]) for r in csv.DictReader(handle) if r["source"] == "measured"}


def test_interaction_kpis_equal_plain_python(computed) -> None:
    expected = _by_hand_interactions()
    assert len(expected) == 86 * 4  # 18 months of ATL, BRV, CRN; 17 of DLT; 15 of ECH
    for key, (value, volume) in expected.items():
        assert computed[key] == pytest.approx((value, volume), rel=1e-9), key


def test_survey_and_qa_kpis_equal_plain_python(computed) -> None:
    expected = _by_hand_others()
    assert len(expected) == 86 * 3
    for key, (value, volume) in expected.items():
        assert computed[key] == pytest.approx((value, volume), rel=1e-9), key


def test_every_example_kpi_is_computed_for_every_partner_and_month(computed, config) -> None:
    assert {(p, m) for p, m, _ in computed} == _story_months()
    assert ("DLT", "2026-08") not in _story_months()  # the platform migration month: no export
    assert {k for _, _, k in computed} == {k.id for k in config.kpis} - {"attrition"}  # partner-reported


def test_the_kpi_table_is_what_govdocs_computes_from_the_exports(computed) -> None:
    # examples/data/kpis.csv: the measured rows are the aggregation, to the last digit; the rest is
    # the attrition the partners report, the same rows as examples/raw/partner_reported.csv
    with (ROOT / "examples" / "data" / "kpis.csv").open(newline="") as handle:
        table = list(csv.DictReader(handle))
    measured = {
        (r["partner"], r["period"], r["kpi"]): (float(r["value"]), float(r["volume"]))
        for r in table
        if r["source"] == "measured"
    }
    assert measured.keys() == computed.keys()
    for key, (value, volume) in computed.items():
        assert measured[key] == (pytest.approx(value, rel=1e-12), volume), key
    with (RAW / "partner_reported.csv").open(newline="") as handle:
        reported = list(csv.DictReader(handle))
    assert reported == [r for r in table if r["source"] == "partner-reported"]
    assert {r["kpi"] for r in reported} == {"attrition"} and len(reported) == 86


def test_a_few_months_by_value(computed) -> None:
    # hand-checked against the exports (and pinned, so a change in the generator or the
    # definitions shows up here first): counts and sums read off the records
    assert computed[("ATL", "2026-07", "service_level")] == (pytest.approx(100 * 3817 / 4428), 4428)
    assert computed[("CRN", "2025-11", "asa")][0] == 45.0
    assert computed[("BRV", "2026-09", "abandonment")] == (pytest.approx(100 * 173 / 2747), 2747)
    assert computed[("ECH", "2026-07", "csat")] == (pytest.approx(100 * 6 / 7), 7)  # the storm month
    assert computed[("DLT", "2026-09", "aht")] == (449.0, 2070)  # chat and email handled
    assert computed[("CRN", "2026-08", "qa_score")] == (pytest.approx(86.7), 180)


def test_mapping_checks_against_the_catalogue(config) -> None:
    units = {k.id: k.unit.value for k in config.kpis}
    raw = load_raw_data(RAW / "mapping.yaml")
    assert check_raw_data(raw, kpi_units=units, partner_ids=[p.id for p in config.partners]) == []
    broken = RawData.model_validate(
        {
            "sources": {
                "surveys": {
                    "files": "x.csv",
                    "timezone": "Mars/Olympus",
                    "columns": {"partner": "p", "responded_at": "t"},
                }
            },
            "kpis": [
                {"kpi": "csat", "measure": "csat_top_box"},
                {"kpi": "nope", "measure": "nps"},
                {"kpi": "attrition", "measure": "asa"},  # seconds for a percent KPI, and no interactions
                {"kpi": "csat", "measure": "survey_fcr", "by": "channel"},
            ],
        }
    )
    problems = [(p.code, p.location.path) for p in check_raw_data(broken, kpi_units=units, partner_ids=["ATL"])]
    assert problems == [
        ("config.bad_timezone", "raw_data.sources.surveys.timezone"),
        ("config.raw_column_missing", "raw_data.kpis[0].measure"),
        ("config.unknown_kpi", "raw_data.kpis[1].kpi"),
        ("config.raw_column_missing", "raw_data.kpis[1].measure"),
        ("config.unit_mismatch", "raw_data.kpis[2].measure"),
        ("config.raw_source_missing", "raw_data.kpis[2].measure"),
        ("config.duplicate_id", "raw_data.kpis[3].kpi"),
        ("config.raw_column_missing", "raw_data.kpis[3].measure"),
        ("config.raw_column_missing", "raw_data.kpis[3].by"),
    ]


def test_mapping_errors_name_file_and_line(tmp_path: Path) -> None:
    text = (RAW / "mapping.yaml").read_text().replace("measure: asa ", "measure: speed ")
    (tmp_path / "mapping.yaml").write_text(text)
    with pytest.raises(GovdocsError) as caught:
        load_raw_data(tmp_path / "mapping.yaml")
    (problem,) = caught.value.problems
    assert problem.location.file.endswith("mapping.yaml")
    lines = text.splitlines()
    speed = lines.index(next(x for x in lines if "speed" in x))
    assert lines[problem.location.line - 1] == "    - kpi: asa"  # the entry holding the bad measure
    assert problem.location.line == speed  # the line above 'measure: speed'
    # the entry's config path; the message is pydantic's (a tagged union's), so only present
    entry = sum(1 for x in lines[:speed] if x.startswith("    - kpi:")) - 1
    assert problem.location.path == f"raw_data.kpis[{entry}]"
    assert problem.category is ExitCode.CONFIG and problem.code.startswith("config.")
    assert problem.message.strip()
