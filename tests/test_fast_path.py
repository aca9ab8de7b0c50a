"""The fast path for regular CSV files against the exact pass: the same table, or no answer.

govdocs.data.fast reads a clean long-format CSV in C; anything it does not check for is left
to the exact pass (every cell read as text). The promise held here: whenever the fast path
returns a table, the exact pass reads the same file without a problem and gives the identical
frame (values bit for bit, dtypes, line numbers); and for a file a machine exports, it does
return one, so the promise is not kept by always declining.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import EXAMPLES
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from govdocs.data.fast import read_regular_csv
from govdocs.data.loader import read_kpi_file
from govdocs.errors import GovdocsError

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from synth import make_portfolio  # noqa: E402

SUITE = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def exact(path: Path) -> pd.DataFrame | None:
    try:
        return read_kpi_file(path, exact=True)[0]
    except GovdocsError:
        return None


def assert_same(path: Path) -> bool:
    """Whether the fast path took the file; when it did, its table is the exact pass's."""
    fast = read_regular_csv(path.read_bytes())
    if fast is None:
        return False
    reference = exact(path)
    assert reference is not None, "the fast path accepted a file the exact pass refuses"
    pd.testing.assert_frame_equal(fast, reference, check_exact=True)
    return True


def test_the_example_and_a_generated_portfolio_take_the_fast_path(tmp_path: Path) -> None:
    assert assert_same(EXAMPLES / "data" / "kpis.csv")
    portfolio = make_portfolio(tmp_path, partners=40, kpis=12, months=24)
    assert assert_same(portfolio / "kpis.csv")
    frame, source = read_kpi_file(portfolio / "kpis.csv")
    assert len(frame) == source.rows == 40 * 12 * 24
    assert frame["line"].iloc[-1] == 40 * 12 * 24 + 1


# Cells a person or a machine might write, the odd ones included.
NUMBERS = [
    "83.4",
    "0",
    "-0",
    "12",
    "1e3",
    "+.5",
    "7.",
    ".25",
    " 81.2",
    "81.2 ",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "1e400",
    "1e-400",
    "1,5",
    "1 234",
    "0x10",
    "",
    "NA",
    "n/a",
    "−3",
    "١٢",
    "1_000",
    "3.4e-2",
    "-5",
]
IDS = ["P1", "P2", "00123", "NA", "null", " P1", "P1 ", "P1\u00a0", "P1\x1f", "Ümit", "", "P,1", 'P"1', "p1"]
PERIODS = ["2026-07", "2026-08", "2026-7", "07/2026", "2026-07-01", "0226-07", "2026-13", " 2026-08", ""]
KPIS = ["csat", "aht", "service_level", "CSAT", " csat", ""]
SOURCES = ["measured", "Measured", "partner-reported", "partner_reported", "", "guess", " measured"]
HEADERS = [
    ["partner", "period", "kpi", "value"],
    ["partner", "period", "kpi", "value", "volume", "source"],
    ["Partner", "PERIOD", "kpi", "value", "volume"],
    ["kpi", "value", "partner", "period", "source"],
    ["partner", "period", "kpi", "value", "value"],
    ["partner", "period", "csat", "aht"],
    ["partner", "period", "kpi", "value", "notes"],
]
CELLS = {"partner": IDS, "period": PERIODS, "kpi": KPIS, "value": NUMBERS, "volume": NUMBERS, "source": SOURCES}
# What a machine export holds: most files are made of these alone, so the fast path is exercised.
CLEAN = {
    "partner": ["P1", "P2", "00123", "NA", "Ümit"],
    "period": ["2026-07", "2026-08"],
    "kpi": ["csat", "aht"],
    "value": ["83.4", "0", "12", "1e3", "-0", "+.5", "3.4e-2"],
    "volume": ["120", "", "7", "1e3"],
    "source": ["measured", "Measured", "partner_reported", ""],
}


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    header = draw(st.sampled_from(HEADERS[:4])) if draw(st.integers(0, 3)) else draw(st.sampled_from(HEADERS))
    odd = draw(st.sampled_from([0.0, 0.0, 0.05, 0.3]))  # the share of odd cells: none in half the files
    rows = []
    for _ in range(draw(st.integers(0, 8))):
        row = []
        for name in header:
            key = name.strip().lower()
            pool = CELLS.get(key, NUMBERS) if draw(st.floats(0, 1)) < odd else CLEAN.get(key, CLEAN["value"])
            row.append(draw(st.sampled_from(pool)))
        if draw(st.integers(0, 19)) == 0:
            row = row[:-1]  # ragged
        rows.append(",".join(row))
    newline = draw(st.sampled_from(["\n", "\n", "\r\n", "\r"]))
    lines = [",".join(header), *rows]
    if draw(st.integers(0, 4)) == 0 and rows:
        lines.insert(draw(st.integers(1, len(lines))), draw(st.sampled_from(["", ",,,,", "  "])))
    text = newline.join(lines) + draw(st.sampled_from(["", newline, newline * 2]))
    raw = text.encode("utf-8")
    return draw(st.sampled_from([b"", b"\xef\xbb\xbf"])) + raw


@SUITE
@given(csv_files())
@example(b"partner,period,kpi,value\nP1,2026-07,csat,81\nP1,2026-07,csat,82\n")  # a duplicate row
@example(b"partner,period,kpi,value\nP1,2026-07,csat,1e400\n")  # overflows to infinity
@example(b"partner,period,kpi,value,volume\nP1,2026-07,csat,81,-3\n")  # a negative volume
@example(b"partner,period,kpi,value\r\nP1,2026-07,csat,81\r\n")
def test_whatever_the_fast_path_accepts_the_exact_pass_reads_the_same(
    tmp_path_factory: pytest.TempPathFactory, raw: bytes
) -> None:
    path = tmp_path_factory.mktemp("fast") / "kpis.csv"
    path.write_bytes(raw)
    assert_same(path)


def test_clean_files_are_accepted_and_irregular_ones_left_to_the_exact_pass(tmp_path: Path) -> None:
    clean = b"partner,period,kpi,value,volume,source\nP1,2026-07,csat,81.5,120,Measured\nP2,2026-07,csat,79,,\n"
    irregular = {
        "quoted": b'partner,period,kpi,value\n"P1",2026-07,csat,81\n',
        "blank line": b"partner,period,kpi,value\n\nP1,2026-07,csat,81\n",
        "padded id": b"partner,period,kpi,value\nP1 ,2026-07,csat,81\n",
        "wide": b"partner,period,csat\nP1,2026-07,81\n",
        "bad number": b"partner,period,kpi,value\nP1,2026-07,csat,81%\n",
        "NA volume": b"partner,period,kpi,value,volume\nP1,2026-07,csat,81,NA\n",
        "duplicate": b"partner,period,kpi,value\nP1,2026-07,csat,81\nP1,2026-07,csat,81\n",
    }
    path = tmp_path / "kpis.csv"
    path.write_bytes(clean)
    assert assert_same(path)
    for name, raw in irregular.items():
        assert read_regular_csv(raw) is None, name
