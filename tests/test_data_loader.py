"""Load step, data half: KPI files in every accepted shape, and every way they can be wrong.

Line numbers are the physical line of a CSV (header = line 1), the Excel row of an .xlsx
and the 1-based row of a Parquet file.
"""

from __future__ import annotations

import math
import random
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govdocs.data.loader import load_kpi_data, read_kpi_file
from govdocs.data.table import KpiData
from govdocs.errors import ExitCode, GovdocsError, Problem
from govdocs.periods import Month

ROOT = Path(__file__).resolve().parent.parent
HEADER = "partner,period,kpi,value,volume,source\n"

# (partner, period, kpi, value, volume): ids that pandas would otherwise turn into numbers/NaN
RECORDS = [
    ("00123", "2026-07", "sl", 85.5, 1200.0),
    ("00123", "2026-07", "aht", 310.0, 1200.0),
    ("00123", "2026-08", "sl", 79.25, 1100.0),
    ("NA", "2026-07", "sl", 90.0, None),
    ("NA", "2026-08", "sl", 88.0, 950.0),
    ("NA", "2026-08", "aht", 402.5, 950.0),
]
KPIS = ["sl", "aht"]


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def data_problems(*paths: Path) -> list[Problem]:
    with pytest.raises(GovdocsError) as info:
        load_kpi_data(paths)
    error = info.value
    assert error.exit_code == ExitCode.DATA
    assert all(p.category is ExitCode.DATA for p in error.problems)
    return error.problems


def one_problem(path: Path) -> Problem:
    problems = data_problems(path)
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


def where(problem: Problem) -> tuple[str, int | None, str | None]:
    return problem.code, problem.location.line, problem.location.column


def csv_file(tmp_path: Path, *rows: str, name: str = "kpis.csv") -> Path:
    return write(tmp_path, name, HEADER + "".join(row + "\n" for row in rows))


def tidy(data: KpiData) -> pd.DataFrame:
    columns = ["partner", "kpi", "month", "value", "volume"]
    return data.frame[columns].sort_values(columns[:3]).reset_index(drop=True)


# --- the files in every shape ---------------------------------------------------------------


def write_long_csv(tmp_path: Path) -> Path:
    rows = [f"{p},{m},{k},{v!r},{'' if n is None else repr(n)}," for p, m, k, v, n in RECORDS]
    return csv_file(tmp_path, *rows, name="long.csv")


def wide_rows() -> tuple[list[str], list[list[object]]]:
    header = ["partner", "period", *KPIS, *(f"{k}__volume" for k in KPIS)]
    keys = sorted({(p, m) for p, m, *_ in RECORDS})
    by_key = {(p, m, k): (v, n) for p, m, k, v, n in RECORDS}
    rows = []
    for partner, month in keys:
        cells = [by_key.get((partner, month, k)) for k in KPIS]
        values = [c[0] if c else None for c in cells]
        volumes = [c[1] if c else None for c in cells]
        rows.append([partner, month, *values, *volumes])
    return header, rows


def write_wide_csv(tmp_path: Path) -> Path:
    header, rows = wide_rows()
    lines = [",".join(header)] + [",".join("" if c is None else str(c) for c in row) for row in rows]
    return write(tmp_path, "wide.csv", "\n".join(lines) + "\n")


def write_xlsx(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def write_long_xlsx(tmp_path: Path) -> Path:
    rows = [["partner", "period", "kpi", "value", "volume"], *map(list, RECORDS)]
    return write_xlsx(tmp_path / "long.xlsx", {"kpis": rows, "Notes": [["written by hand"]]})


def write_wide_xlsx(tmp_path: Path) -> Path:
    header, rows = wide_rows()
    return write_xlsx(tmp_path / "wide.xlsx", {"Sheet1": [header, *rows]})


def write_long_parquet(tmp_path: Path) -> Path:
    columns = list(zip(*RECORDS, strict=True))
    table = pa.table(
        {
            "partner": pa.array(columns[0], pa.string()),
            "period": pa.array(columns[1], pa.string()),
            "kpi": pa.array(columns[2], pa.string()),
            "value": pa.array(columns[3], pa.float64()),
            "volume": pa.array(columns[4], pa.float64()),
        }
    )
    pq.write_table(table, tmp_path / "long.parquet")
    return tmp_path / "long.parquet"


def write_wide_parquet(tmp_path: Path) -> Path:
    header, rows = wide_rows()
    table = pa.table({name: [row[i] for row in rows] for i, name in enumerate(header)})
    pq.write_table(table, tmp_path / "wide.parquet")
    return tmp_path / "wide.parquet"


WRITERS = {
    "long csv": write_long_csv,
    "wide csv": write_wide_csv,
    "long xlsx": write_long_xlsx,
    "wide xlsx": write_wide_xlsx,
    "long parquet": write_long_parquet,
    "wide parquet": write_wide_parquet,
}


def expected_frame() -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "partner": [r[0] for r in RECORDS],
            "kpi": [r[2] for r in RECORDS],
            "month": [Month.parse(r[1]).index for r in RECORDS],
            "value": [r[3] for r in RECORDS],
            "volume": [math.nan if r[4] is None else r[4] for r in RECORDS],
        }
    )
    return frame.sort_values(["partner", "kpi", "month"]).reset_index(drop=True)


@pytest.mark.parametrize("shape", list(WRITERS))
def test_every_shape_gives_the_same_tidy_frame(tmp_path: Path, shape: str) -> None:
    data = load_kpi_data([WRITERS[shape](tmp_path)], KPIS)
    pd.testing.assert_frame_equal(tidy(data), expected_frame())
    assert data.sources[0].layout == shape.split()[0]


def test_long_csv_keeps_ids_as_written_and_normalises_source(tmp_path: Path) -> None:
    path = csv_file(
        tmp_path,
        "00123,2026-07,sl,85.5,1200,Measured",
        "NA,2026-07,sl,80,,partner_reported",
        "null, 2026-08 ,0042,7, ,",
    )
    data = load_kpi_data([path])
    assert data.partners() == ["00123", "NA", "null"]
    assert data.kpis() == ["0042", "sl"]
    july = Month(2026, 7)
    first = data.series("00123", "sl")[july]
    assert (first.value, first.volume, first.source, first.line) == (85.5, 1200.0, "measured", 2)
    second = data.series("NA", "sl")[july]
    assert (second.value, second.volume, second.source, second.line) == (
        80.0,
        None,
        "partner-reported",
        3,
    )
    third = data.series("null", "0042")[Month(2026, 8)]
    assert (third.value, third.volume, third.source) == (7.0, None, None)
    assert data.latest_month() == Month(2026, 8)
    assert data.sources[0].name == "kpis.csv" and data.sources[0].rows == 3


def test_example_data_loads() -> None:
    data = load_kpi_data([ROOT / "examples" / "data" / "kpis.csv"])
    assert data.partners() == ["ATL", "BRV", "CRN", "DLT", "ECH"]
    assert len(data.frame) == 688
    assert data.series("ATL", "service_level")[Month(2025, 4)].line == 2


def test_accepted_variations(tmp_path: Path) -> None:
    """A UTF-8 BOM, CRLF or CR line ends, blank lines, quoted cells and header case are fine."""
    text = '\ufeffPartner, Period ,KPI,Value\r\nA,2026-07,sl,"1.5"\r\n\r\n,,,\r\nA,2026-08,sl,2\r\n'
    for name, content in (("crlf.csv", text), ("cr.csv", text.replace("\r\n", "\r"))):
        data = load_kpi_data([write(tmp_path, name, content)])
        assert {m: o.line for m, o in data.series("A", "sl").items()} == {
            Month(2026, 7): 2,
            Month(2026, 8): 5,
        }


def test_wide_columns_keep_the_case_of_kpi_ids(tmp_path: Path) -> None:
    path = write(tmp_path, "wide.csv", "Partner,Period,CSAT,CSAT__Volume\nA,2026-07,88,120\n")
    data = load_kpi_data([path], ["CSAT"])
    assert data.series("A", "CSAT")[Month(2026, 7)].volume == 120


def test_spreadsheet_month_dates_are_months(tmp_path: Path) -> None:
    """Excel turns a typed 2026-07 into the date 2026-07-01; that cell means July 2026."""
    from datetime import datetime

    rows = [["partner", "period", "kpi", "value"], ["A", datetime(2026, 7, 1), "sl", 1]]
    data = load_kpi_data([write_xlsx(tmp_path / "dates.xlsx", {"Sheet1": rows})])
    assert list(data.series("A", "sl")) == [Month(2026, 7)]


def test_generator_of_paths_is_accepted(tmp_path: Path) -> None:
    paths = [
        csv_file(tmp_path, "A,2026-07,sl,1,,", name="a.csv"),
        csv_file(tmp_path, "A,2026-07,sl,2,,", name="b.csv"),
    ]
    problems = data_problems(*paths)
    with pytest.raises(GovdocsError) as info:
        load_kpi_data(p for p in paths)
    assert [str(p) for p in info.value.problems] == [str(p) for p in problems]


# --- bad cells ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("abc", "'abc' is not a finite number"),
        ("inf", "'inf' is not a finite number"),
        ("-inf", "'-inf' is not a finite number"),
        ("nan", "'nan' is not a finite number"),
        ("1e400", "'1e400' is not a finite number"),
        ('"85,5"', "'85,5' uses a decimal comma; write 85.5"),
        ('"1,250"', "'1,250' has a comma: write 1250 if it separates thousands, 1.250 if it is a decimal comma"),
        ('"1,250,000.5"', "'1,250,000.5' has thousands separators; write 1250000.5"),
        ("70.9%", "'70.9%' has a % sign; write 70.9 (a percent KPI's value is the number of percent)"),
        ("70.9 %", "'70.9 %' has a % sign; write 70.9 (a percent KPI's value is the number of percent)"),
        ("abc%", "'abc%' is not a finite number"),
        ("", "value is empty; leave the row out when there is no data"),
    ],
)
def test_value_must_be_a_finite_number(tmp_path: Path, cell: str, message: str) -> None:
    path = csv_file(tmp_path, "A,2026-07,sl,80,,", f"A,2026-08,sl,{cell},,")
    problem = one_problem(path)
    assert str(problem) == f"{path}:3: column 'value': {message} [data.not_a_number]"


@pytest.mark.parametrize(
    ("period", "hint"),
    [
        ("2026-13", ""),
        ("Jul 2026", ""),
        ("2026-00", ""),
        ("07/2026", "; write 2026-07"),
        ("7.2026", "; write 2026-07"),
        ("2026-7", "; write 2026-07"),
        ("202607", "; write 2026-07"),
        ("2026-07-01", "; a date, not a month: write 2026-07"),
        ("2026-07-15 00:00:00", "; a date, not a month: write 2026-07"),
        (
            "7/1/2026",
            "; a date whose day and month cannot be told apart (7/1/2026: 1 July or 7 January?): write YYYY-MM",
        ),
        ("46204", "; an Excel date serial number (2026-07-01?): format the column as text and write 2026-07"),
        ("0226-07", "; the year must be between 1900 and 2999"),
        ("\u0662\u0660\u0662\u0666-07", ""),  # Arabic-Indic digits are not ASCII digits
    ],
)
def test_period_must_be_yyyy_mm(tmp_path: Path, period: str, hint: str) -> None:
    path = csv_file(tmp_path, "A,2026-07,sl,80,,", "A,2026-08,sl,80,,", f"A,{period},sl,80,,")
    problem = one_problem(path)
    assert str(problem) == (
        f"{path}:4: column 'period': '{period}' is not a month in YYYY-MM form{hint} [data.bad_period]"
    )


def test_volume_problems(tmp_path: Path) -> None:
    path = csv_file(tmp_path, "A,2026-07,sl,80,-5,", "A,2026-08,sl,80,many,", "A,2026-09,sl,80,0,")
    assert [str(p) for p in data_problems(path)] == [
        f"{path}:2: column 'volume': volume -5 is negative [data.negative_volume]",
        f"{path}:3: column 'volume': 'many' is not a finite number [data.not_a_number]",
    ]


def test_empty_ids(tmp_path: Path) -> None:
    path = csv_file(tmp_path, ",2026-07,sl,80,,", "A,2026-07, ,80,,")
    assert [where(p) for p in data_problems(path)] == [
        ("data.empty_id", 2, "partner"),
        ("data.empty_id", 3, "kpi"),
    ]


def test_unknown_source(tmp_path: Path) -> None:
    path = csv_file(tmp_path, "A,2026-07,sl,80,,vendor")
    assert where(one_problem(path)) == ("data.bad_source", 2, "source")


def test_every_bad_cell_is_reported_at_once(tmp_path: Path) -> None:
    path = csv_file(tmp_path, "A,2026-7,sl,x,,", "B,2026-07,sl,1,-1,", "C,2026-07,sl,1,,")
    assert [where(p) for p in data_problems(path)] == [
        ("data.bad_period", 2, "period"),
        ("data.not_a_number", 2, "value"),
        ("data.negative_volume", 3, "volume"),
    ]


def test_many_problems_are_capped(tmp_path: Path) -> None:
    path = csv_file(tmp_path, *(f"A,2026-07,k{i},x,," for i in range(60)))
    problems = data_problems(path)
    assert len(problems) == 51
    assert problems[-1].code == "data.more_problems"
    assert problems[-1].message.startswith("10 more problems")


# --- duplicates ---------------------------------------------------------------------------


def test_duplicate_rows_name_both_lines(tmp_path: Path) -> None:
    path = csv_file(tmp_path, "A,2026-07,sl,80,,", "A,2026-08,sl,80,,", " A ,2026-07,sl,81,,")
    problem = one_problem(path)
    assert str(problem) == (
        f"{path}:4: second row for partner 'A', period 2026-07, KPI 'sl' (first at line 2) [data.duplicate_row]"
    )


def test_duplicate_rows_across_files(tmp_path: Path) -> None:
    first = csv_file(tmp_path, "A,2026-06,sl,80,,", "A,2026-07,sl,80,,", name="q2.csv")
    second = csv_file(tmp_path, "A,2026-07,sl,82,,", name="q3.csv")
    problem = one_problem_of(first, second)
    assert str(problem) == (
        f"{second}:2: second row for partner 'A', period 2026-07, KPI 'sl' (first at {first}:3) [data.duplicate_row]"
    )


def one_problem_of(*paths: Path) -> Problem:
    problems = data_problems(*paths)
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


def test_duplicates_are_reported_in_file_order_and_capped(tmp_path: Path) -> None:
    rows = [f"A,{Month.from_index(24000 + i)},sl,1,," for i in range(60)]
    first = csv_file(tmp_path, *rows, name="a.csv")
    second = csv_file(tmp_path, *reversed(rows), name="b.csv")
    problems = data_problems(first, second)
    assert len(problems) == 51
    assert [p.location.line for p in problems[:3]] == [2, 3, 4]
    assert {p.location.file for p in problems[:50]} == {str(second)}
    assert problems[0].message.endswith(f"(first at {first}:61)")
    more = problems[-1]
    assert (more.code, more.location.file) == ("data.more_problems", f"{first}, {second}")
    assert more.message == "10 more problems not shown; fix the ones above first"


def test_duplicate_in_wide_file(tmp_path: Path) -> None:
    path = write(tmp_path, "wide.csv", "partner,period,sl\nA,2026-07,1\nB,2026-07,1\nA,2026-07,2\n")
    assert where(one_problem(path)) == ("data.duplicate_row", 4, None)


def test_same_month_in_two_files_for_different_partners_is_fine(tmp_path: Path) -> None:
    first = csv_file(tmp_path, "A,2026-07,sl,80,,", name="a.csv")
    second = csv_file(tmp_path, "B,2026-07,sl,82,,", name="b.csv")
    data = load_kpi_data([first, second])
    assert data.partners() == ["A", "B"]
    assert [s.name for s in data.sources] == ["a.csv", "b.csv"]


# --- broken files ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected", "words"),
    [
        (b"", ("data.empty", None, None), "file is empty"),
        (b"  \n\n", ("data.empty", None, None), "file is empty"),
        (HEADER.encode(), ("data.no_rows", 1, None), "file has a header but no data rows"),
        (
            (HEADER + "\n,,,,,\n").encode(),
            ("data.no_rows", 1, None),
            "file has a header but no data rows",
        ),
        (
            b"partner;period;kpi;value\nA;2026-07;sl;85,5\n",
            ("data.delimiter", 1, None),
            "semicolon-separated",
        ),
        (
            b"partner\tperiod\tkpi\tvalue\nA\t2026-07\tsl\t1\n",
            ("data.delimiter", 1, None),
            "tab-separated",
        ),
        (
            (HEADER + "A,2026-07,sl,1,,\nA,2026-08,sl,1,,,x\n").encode(),
            ("data.ragged", 3, None),
            "row has 7 fields, more than the 6 in the header",
        ),
        (
            (HEADER + "A,2026-07,sl,1,,,x\n").encode(),
            ("data.ragged", 2, None),
            "row has 7 fields, more than the 6 in the header",
        ),
        (
            (HEADER + "A,2026-07,sl,1,,\nA,2026-08,sl\n").encode(),
            ("data.ragged", 3, None),
            "row has 3 fields, fewer than the 6 in the header",
        ),
        (
            (HEADER + 'A,2026-07,sl,1,,"never\nclosed\n').encode(),
            ("data.malformed", 2, None),
            'unterminated quoted field (a " is never closed)',
        ),
        (
            (HEADER + "A,2026-07,sl,1,,\nA,2026-08,sl,1\x00,,\n").encode(),
            ("data.nul_byte", 3, None),
            "NUL byte",
        ),
        (
            (HEADER + "A,2026-07,sl,1,,\nZ\xfcrich,2026-08,sl,1,,\n").encode("latin-1"),
            ("data.encoding", 3, "partner"),
            "not UTF-8 text: byte 0xFC in 'Zürich' (Windows-1252 or Latin-1?); export the file as UTF-8 CSV",
        ),
        (
            b"partner,period,kpi,value,Value\nA,2026-07,sl,1,2\n",
            ("data.duplicate_header", 1, None),
            "column 'value' appears twice in the header",
        ),
        (
            b"partner,period,kpi,value,\nA,2026-07,sl,1,\n",
            ("data.empty_header", 1, None),
            "column 5 has no header",
        ),
        (
            b"partner,period,kpi,value,comment\nA,2026-07,sl,1,ok\n",
            ("data.unknown_column", 1, None),
            "unknown column 'comment'",
        ),
        (
            b"partner,period,kpi\nA,2026-07,sl\n",
            ("data.missing_column", 1, None),
            "long format needs a 'value' column",
        ),
        (
            b"partner,month,sl\nA,2026-07,1\n",
            ("data.missing_column", 1, None),
            "no 'period' column",
        ),
        (
            b"partner,period,sl,aht__volume\nA,2026-07,1,2\n",
            ("data.unknown_column", 1, None),
            "'aht__volume' has no matching KPI column",
        ),
    ],
)
def test_broken_csv_files(
    tmp_path: Path, content: bytes, expected: tuple[str, int | None, str | None], words: str
) -> None:
    path = write(tmp_path, "kpis.csv", content)
    problem = one_problem(path)
    assert where(problem) == expected
    assert words in problem.message
    assert problem.location.file == str(path)


def test_misspelt_long_column_names_both_problems(tmp_path: Path) -> None:
    path = write(tmp_path, "kpis.csv", "partner,period,kpi,valeu\nA,2026-07,sl,1\n")
    assert [(p.code, p.location.line, p.message) for p in data_problems(path)] == [
        ("data.missing_column", 1, "long format needs a 'value' column"),
        (
            "data.unknown_column",
            1,
            "unknown column 'valeu' (long format: partner, period, kpi, value, volume, source)",
        ),
    ]


def test_quoted_line_breaks_keep_physical_line_numbers(tmp_path: Path) -> None:
    path = csv_file(tmp_path, 'A,2026-07,sl,1,,"measured\n"', "A,2026-08,sl,x,,")
    assert where(one_problem(path)) == ("data.not_a_number", 4, "value")


def test_wide_column_that_is_not_a_kpi(tmp_path: Path) -> None:
    path = write(tmp_path, "wide.csv", "partner,period,sl,hold\nA,2026-07,1,2\n")
    assert str(one_problem_with_ids(path, ["sl"])) == (
        f"{path}:1: column 'hold' is not a KPI id in the config [data.unknown_kpi]"
    )


def one_problem_with_ids(path: Path, kpi_ids: list[str]) -> Problem:
    with pytest.raises(GovdocsError) as info:
        read_kpi_file(path, kpi_ids)
    [problem] = info.value.problems
    assert problem.category is ExitCode.DATA
    return problem


def test_wide_bad_value_names_the_kpi_column(tmp_path: Path) -> None:
    path = write(tmp_path, "wide.csv", "partner,period,sl,aht\nA,2026-07,80,300\nB,2026-07,,x\n")
    assert str(one_problem(path)) == f"{path}:3: column 'aht': 'x' is not a finite number [data.not_a_number]"


def test_unsupported_extension(tmp_path: Path) -> None:
    path = write(tmp_path, "kpis.json", "[]")
    assert str(one_problem(path)) == (
        f"{path}: unsupported file type '.json' (use .csv, .xlsx or .parquet) [data.file_type]"
    )


def test_missing_file(tmp_path: Path) -> None:
    assert one_problem(tmp_path / "nowhere.csv").code == "file.unreadable"


def test_problems_from_several_files_are_collected(tmp_path: Path) -> None:
    first = csv_file(tmp_path, "A,2026-07,sl,x,,", name="a.csv")
    second = write(tmp_path, "b.csv", "")
    assert [(p.location.file, p.code) for p in data_problems(first, second)] == [
        (str(first), "data.not_a_number"),
        (str(second), "data.empty"),
    ]


# --- Excel and Parquet ----------------------------------------------------------------------

XLSX_HEADER = ["partner", "period", "kpi", "value", "volume"]


def test_xlsx_problems_use_excel_row_numbers(tmp_path: Path) -> None:
    """Rows above the header and blank rows between data rows keep Excel's numbering."""
    rows = [
        [None],
        [None],
        XLSX_HEADER,
        ["A", "2026-07", "sl", 80, 10],
        [None],
        ["A", "2026-08", "sl", "abc", 10],
        ["A", "2026-09", "sl", 1, -2],
    ]
    path = write_xlsx(tmp_path / "kpis.xlsx", {"Sheet1": rows})
    assert [str(p) for p in data_problems(path)] == [
        f"{path}:6: column 'value': 'abc' is not a finite number [data.not_a_number]",
        f"{path}:7: column 'volume': volume -2 is negative [data.negative_volume]",
    ]


def test_xlsx_value_outside_the_header(tmp_path: Path) -> None:
    rows = [XLSX_HEADER, ["A", "2026-07", "sl", 80, 10, None, "stray"]]
    path = write_xlsx(tmp_path / "kpis.xlsx", {"kpis": rows})
    assert str(one_problem(path)) == f"{path}:2: cell G2 has a value but its column has no header [data.ragged]"


def test_xlsx_several_sheets_none_named_kpis(tmp_path: Path) -> None:
    rows = [XLSX_HEADER, ["A", "2026-07", "sl", 80, 10]]
    path = write_xlsx(tmp_path / "kpis.xlsx", {"Summary": [["x"]], "Q3": rows})
    assert str(one_problem(path)) == (
        f"{path}: workbook has 2 sheets (Summary, Q3); name the data sheet 'kpis' [data.several_sheets]"
    )


@pytest.mark.parametrize(
    ("sheets", "code"),
    [({"Sheet1": []}, "data.empty"), ({"Sheet1": [XLSX_HEADER]}, "data.no_rows")],
)
def test_xlsx_without_data(tmp_path: Path, sheets: dict[str, list[list[object]]], code: str) -> None:
    problem = one_problem(write_xlsx(tmp_path / "kpis.xlsx", sheets))
    assert (problem.code, problem.location.line) == (code, 1)


def test_corrupt_xlsx(tmp_path: Path) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", {"kpis": [XLSX_HEADER, ["A", "2026-07", "sl", 80, 10]]})
    for name, content, message in (
        (
            "junk.xlsx",
            b"this is not a workbook",
            re.escape("the file is text, not an .xlsx workbook; is it a CSV file named .xlsx?"),
        ),
        # what zipfile says of a cut archive is its own wording: not pinned
        ("cut.xlsx", good.read_bytes()[:200], r"not a readable \.xlsx workbook \(\S.*\)$"),
        ("binary.xlsx", bytes(range(256)), re.escape("not a readable .xlsx workbook (not a zip archive)")),
        (
            "old.xlsx",
            b"\xd0\xcf\x11\xe0" + bytes(100),
            re.escape("the file is an old-format .xls workbook (or an encrypted one)"),
        ),
    ):
        problem = one_problem(write(tmp_path, name, content))
        assert problem.code == "data.bad_xlsx"
        assert problem.location.file == str(tmp_path / name)
        assert re.match(message, problem.message), (name, problem.message)


def test_corrupt_sheet_inside_a_valid_zip(tmp_path: Path) -> None:
    import zipfile

    good = write_xlsx(tmp_path / "good.xlsx", {"kpis": [XLSX_HEADER, ["A", "2026-07", "sl", 80, 10]]})
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(bad, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                content = b"<worksheet><sheetData><row><c"
            target.writestr(item, content)
    assert one_problem(bad).code == "data.bad_xlsx"


def test_corrupt_parquet(tmp_path: Path) -> None:
    problem = one_problem(write(tmp_path, "kpis.parquet", b"PAR1 not really parquet PAR1"))
    assert problem.code == "data.bad_parquet"
    assert problem.location.file == str(tmp_path / "kpis.parquet")


def test_parquet_problems_use_row_numbers(tmp_path: Path) -> None:
    table = pa.table(
        {
            "partner": ["A", None, "C"],
            "period": ["2026-07", "2026-07", "2026-7"],
            "kpi": ["sl", "sl", "sl"],
            "value": [80.0, 81.0, None],
            "volume": pa.array([10, None, 5], pa.int64()),
        }
    )
    pq.write_table(table, tmp_path / "kpis.parquet")
    assert [where(p) for p in data_problems(tmp_path / "kpis.parquet")] == [
        ("data.empty_id", 2, "partner"),
        ("data.bad_period", 3, "period"),
        ("data.not_a_number", 3, "value"),
    ]


# --- property: row order does not matter ----------------------------------------------------

ROW_KEYS = st.tuples(st.sampled_from(["A", "007", "NA"]), st.integers(0, 23), st.sampled_from(["sl", "aht"]))
VALUES = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False)
VOLUMES = st.one_of(st.none(), st.integers(0, 10**6))
SOURCES = st.sampled_from(["", "measured", "Partner-Reported"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(
        st.tuples(ROW_KEYS, VALUES, VOLUMES, SOURCES),
        min_size=1,
        max_size=30,
        unique_by=lambda r: r[0],
    ),
    seed=st.integers(0, 2**32 - 1),
)
def test_row_order_does_not_change_the_series(tmp_path: Path, rows: list, seed: int) -> None:
    def text(ordered: list) -> str:
        return "".join(
            f"{p},{Month.from_index(24312 + m)},{k},{v!r},{'' if n is None else n},{s}\n"
            for (p, m, k), v, n, s in ordered
        )

    shuffled = rows[:]
    random.Random(seed).shuffle(shuffled)
    original = load_kpi_data([write(tmp_path, "original.csv", HEADER + text(rows))])
    reordered = load_kpi_data([write(tmp_path, "shuffled.csv", HEADER + text(shuffled))])

    def content(data: KpiData, partner: str, kpi: str) -> dict[Month, tuple]:
        return {m: (o.value, o.volume, o.source) for m, o in data.series(partner, kpi).items()}

    assert original.partners() == reordered.partners()
    for (partner, month, kpi), value, volume, source in rows:
        series = content(original, partner, kpi)
        assert series == content(reordered, partner, kpi)
        observed = series[Month.from_index(24312 + month)]
        expected_source = {"": None, "measured": "measured"}.get(source, "partner-reported")
        assert observed == (value, None if volume is None else float(volume), expected_source)


def test_values_out_of_range_are_named_fifty_at_most_in_file_order(tmp_path: Path) -> None:
    """A file with thousands of impossible values names the first 50 by line, then counts the rest."""
    from conftest import CONFIG

    from govdocs.config.loader import load_config
    from govdocs.validate import cross_check

    config = load_config(CONFIG)
    rows = [
        f"BRV,{2020 + i // 12}-{i % 12 + 1:02d},{kpi},{value},100,"
        for i in range(40)
        for kpi, value in (("service_level", "173.5"), ("aht", "-4"))
    ]
    path = csv_file(tmp_path, *rows)
    problems = [p for p in cross_check(config, load_kpi_data([path]), [path]) if p.severity == "error"]
    assert len(problems) == 51
    assert [p.location.line for p in problems[:50]] == list(range(2, 52))
    assert problems[0].message == "service_level value 173.5 is outside what a percent KPI can be (0 to 100)"
    assert problems[1].message == "aht value -4 is outside what a seconds KPI can be (0 or more)"
    assert problems[-1].message == "30 more values out of range not shown; fix the ones above first"
