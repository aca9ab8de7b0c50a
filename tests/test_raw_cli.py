"""Raw exports to documents from the command line: `govdocs aggregate`, and --raw (or the config's
own raw_data section) on the document commands."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CONFIG, DATA, EXAMPLES, INPUTS

from govdocs.cli import cli
from govdocs.raw.checks import load_raw_data
from govdocs.raw.engine import aggregate, run_sql

MAPPING = EXAMPLES / "raw" / "mapping.yaml"


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.fixture(scope="module")
def engine_table():
    raw = load_raw_data(MAPPING)
    return aggregate(raw, base=MAPPING.parent, partner_ids=["ATL", "BRV", "CRN", "DLT", "ECH"]).kpis


def test_aggregate_reports_every_source_and_writes_the_engines_table(tmp_path: Path, engine_table):
    out = tmp_path / "kpis.csv"
    result = run("aggregate", "--config", str(CONFIG), "--raw", str(MAPPING), "--out", str(out))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("interactions: 253,817 rows read from 18 files, 253,811 used, 6 rejected (")
    assert "1 partner not in the config" in lines[0] and "1 answered before it arrived" in lines[0]
    assert any("[raw.unknown_partner]" in line and "interactions_202608.csv.gz:" in line for line in lines)
    assert lines[-1] == f"wrote {out}  (602 KPI rows: 5 partners, 7 KPIs, 2025-04 to 2026-09)"
    written = list(csv.DictReader(out.open(encoding="utf-8", newline="")))
    assert len(written) == len(engine_table) == 602  # 86 partner-months x 7 KPIs (attrition is reported)
    first = engine_table.iloc[0]
    row = next(
        r for r in written if (r["partner"], r["period"], r["kpi"]) == tuple(first[["partner", "period", "kpi"]])
    )
    assert float(row["value"]) == pytest.approx(float(first["value"]))
    assert float(row["volume"]) == float(first["volume"])


def test_aggregate_sql_runs_alone_and_gives_the_same_table(engine_table):
    result = run("aggregate", "--config", str(CONFIG), "--raw", str(MAPPING), "--sql")
    assert result.exit_code == 0, result.output
    rows = run_sql(result.output)
    totals = rows[rows["segment"].isna()] if "segment" in rows else rows
    key = ["partner", "period", "kpi"]
    mine = totals.sort_values(key).reset_index(drop=True)
    theirs = engine_table.sort_values(key).reset_index(drop=True)
    assert mine[key].values.tolist() == theirs[key].values.tolist()
    assert mine["value"].round(9).tolist() == theirs["value"].round(9).tolist()


def test_a_qbr_from_raw_exports_in_one_command(tmp_path: Path):
    out = tmp_path / "out"
    args = ["qbr", "--config", str(CONFIG), "--raw", str(MAPPING), "--inputs", str(INPUTS), "--quarter", "2026-Q3"]
    result = run(*args, "--partner", "BRV", "--as-of", "2026-10-15", "--out", str(out), "--format", "html")
    assert result.exit_code == 0, result.output
    html = (out / "2026-Q3" / "qbr-BRV-partner.html").read_text(encoding="utf-8")
    # The provenance shows each raw file by hash (a vendor's file name may name it) and what was
    # rejected of this partner's rows: nothing of anyone else's rows or volumes.
    assert "raw export 1 of 23" in html and "interactions_202607.csv.gz" not in html
    assert "1 of BRV&#39;s rows rejected (Sep 2026: 1 negative duration)" in html
    assert "1 of BRV&#39;s rows rejected (Aug 2026: 1 value not allowed)" in html  # the survey
    assert "253,817" not in html and "Foxtrot" not in html and "partner not in the config" not in html


def test_the_configs_own_raw_data_section_is_used_without_data(tmp_path: Path):
    """The section inside the governance config, its paths relative to the config's folder."""
    mapping = MAPPING.read_text(encoding="utf-8")
    section = mapping[mapping.index("\nraw_data:") + 1 :].replace("files: ", f"files: {MAPPING.parent}/")
    config = tmp_path / "governance.yaml"
    config.write_text(CONFIG.read_text(encoding="utf-8") + "\n" + section, encoding="utf-8")
    out = tmp_path / "out"
    args = ["qbr", "--config", str(config), "--inputs", str(INPUTS), "--quarter", "2026-Q3", "--partner", "ATL"]
    result = run(*args, "--as-of", "2026-10-15", "--out", str(out), "--format", "html")
    assert result.exit_code == 0, result.output
    assert "of ATL&#39;s rows rejected" in (out / "2026-Q3" / "qbr-ATL-partner.html").read_text(encoding="utf-8")

    zone = "timezone: Europe/Amsterdam"
    broken = CONFIG.read_text(encoding="utf-8") + "\n" + section.replace(zone, "timezone: Mars/Olympus", 1)
    config.write_text(broken, encoding="utf-8")
    line = broken.splitlines().index(next(x for x in broken.splitlines() if "Mars/Olympus" in x)) + 1
    result = run(*args, "--as-of", "2026-10-15", "--out", str(tmp_path / "again"))
    assert result.exit_code == 3
    assert result.stderr.startswith(f"error: {config}:{line}: raw_data.sources.interactions.timezone: 'Mars/Olympus'")
    assert not (tmp_path / "again").exists()


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        ([], "give --data files, or --raw with a raw_data mapping, or a raw_data section in the config"),
    ],
)
def test_where_the_kpis_come_from_must_be_clear(tmp_path: Path, extra: list[str], words: str):
    out = tmp_path / "out"
    result = run("qbr", "--config", str(CONFIG), "--quarter", "2026-Q3", "--all", "--out", str(out), *extra)
    assert result.exit_code == 2
    assert words in result.stderr
    assert not out.exists()


def test_a_kpi_month_from_the_table_and_from_the_raw_exports_is_refused(tmp_path: Path):
    # the example table holds the measured KPIs the raw exports compute: two numbers for one month
    out = tmp_path / "out"
    args = ("--config", str(CONFIG), "--quarter", "2026-Q3", "--all", "--out", str(out))
    result = run("qbr", *args, "--data", str(DATA), "--raw", str(MAPPING))
    assert result.exit_code == 4
    first = result.stderr.splitlines()[0]
    line = next(
        number
        for number, row in enumerate(DATA.read_text(encoding="utf-8").splitlines(), start=1)
        if row.startswith("ATL,") and ",measured" in row
    )
    assert first.startswith(f"error: {DATA}:{line}: ATL 20")
    assert "is also computed from the raw exports (--raw); give each KPI month in one place" in first
    assert "more KPI months are in both; fix the ones above first" in result.stderr
    assert not out.exists()


def test_validate_lists_the_rejected_rows_as_warnings():
    result = run(
        "validate",
        "--config",
        str(CONFIG),
        "--raw",
        str(MAPPING),
        "--data",
        str(MAPPING.parent / "partner_reported.csv"),
        "--inputs",
        str(INPUTS),
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    # 6 interactions + 2 surveys + 1 QA evaluation rejected, and the 4 reviewer sentences the data
    # contradicts or cannot check (BRV, DLT, ECH); 86 partner-months x 8 KPIs
    assert lines[-1] == "valid: 0 errors, 13 warnings (5 partners, 8 KPIs, 688 rows, months 2025-04 to 2026-09)"
    unknown = next(line for line in lines if "[raw.unknown_partner]" in line)
    assert unknown.startswith("warning  ") and "interactions_202608.csv.gz:" in unknown and "Foxtrot Lima" in unknown


def test_validate_shows_the_mappings_unit_warnings(tmp_path: Path):
    # loading keeps only a mapping's errors; validate also shows its warnings, with file and line
    text = MAPPING.read_text(encoding="utf-8").replace(
        "    - kpi: aht\n      measure: aht", "    - kpi: aht\n      measure: transfer_rate"
    )
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(
        text.replace("files: acd/", f"files: {MAPPING.parent}/acd/")
        .replace("files: surveys", f"files: {MAPPING.parent}/surveys")
        .replace("files: qa", f"files: {MAPPING.parent}/qa")
        .replace("files: roster", f"files: {MAPPING.parent}/roster")
        .replace("files: calibration", f"files: {MAPPING.parent}/calibration")
        .replace("files: coaching", f"files: {MAPPING.parent}/coaching"),
        encoding="utf-8",
    )
    line = next(n for n, row in enumerate(mapping.read_text().splitlines(), start=1) if "measure: transfer_rate" in row)
    result = run(
        "validate",
        "--config",
        str(CONFIG),
        "--raw",
        str(mapping),
        "--data",
        str(MAPPING.parent / "partner_reported.csv"),
    )
    assert result.exit_code == 0, result.output
    warning = next(row for row in result.output.splitlines() if "[config.unit_mismatch]" in row)
    assert f"{mapping}:{line}" in warning
    assert "measure transfer_rate gives percent, but KPI 'aht' is in seconds" in warning
