"""Load step, data: text cells converted column by column and checked, into the tidy long table.

Identifiers stay exactly as written (`00123`, `NA`); every bad cell is reported with its
line and column; wide files (one column per KPI) are turned long here.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from govdocs.data.problems import Collector, shown
from govdocs.errors import ExitCode, Location, Problem
from govdocs.limits import CONTROL_CHARACTER, control_character
from govdocs.periods import Month

LONG_REQUIRED = ("partner", "period", "kpi", "value")
LONG_OPTIONAL = ("volume", "source")
SOURCES = {
    "measured": "measured",
    "partner-reported": "partner-reported",
    "partner_reported": "partner-reported",
}
VOLUME_SUFFIX = "__volume"


def cell_text(value: object) -> str:
    """One cell as the text a person would have typed (None, NaN -> '')."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float):
        if np.isnan(value):
            return ""
        if value.is_integer():
            return str(int(value))
    if isinstance(value, datetime.datetime) and value.time() == datetime.time(0):
        value = value.date()
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        # a spreadsheet turns 2026-07 into the date 2026-07-01: that is the month
        return f"{value:%Y-%m}" if value.day == 1 else value.isoformat()
    return str(value)


def _texts(series: pd.Series) -> pd.Series:
    """Cells as stripped Python strings (missing -> ''), whatever the column's dtype."""
    return pd.Series(
        [v.strip() if type(v) is str else cell_text(v).strip() for v in series.tolist()],
        index=series.index,
        dtype=object,
    )


def _numbers(
    series: pd.Series,
    lines: np.ndarray,
    column: str | np.ndarray,
    out: Collector,
    *,
    allow_empty: bool,
) -> pd.Series:
    """Convert to float; `column` is one name or, for wide files, the column of each row."""
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        numbers = series.astype(float)
        text = pd.Series([repr(v) for v in numbers], index=series.index, dtype=object)
        empty = numbers.isna()
    else:
        text = _texts(series)
        numbers = pd.to_numeric(text, errors="coerce").astype(float)
        empty = text == ""
    bad = (numbers.isna() & ~empty) | np.isinf(numbers)
    if not allow_empty:
        bad |= empty
    for i in np.flatnonzero(bad.to_numpy()):
        cell = text.iloc[i]
        message = "value is empty; leave the row out when there is no data" if empty.iloc[i] else _number_message(cell)
        name = column if isinstance(column, str) else str(column[i])
        out.add("data.not_a_number", message, int(lines[i]), name)
    return numbers.where(~bad)


_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?", re.ASCII)


def _number_message(cell: str) -> str:
    """Why a non-empty cell is not a finite number, with the fix when it can be told."""
    bare = cell.strip().removesuffix("%").rstrip()
    if (
        bare != cell.strip()
        and bare
        and pd.notna(number := pd.to_numeric(bare, errors="coerce"))
        and np.isfinite(number)
    ):
        return f"'{cell}' has a % sign; write {bare} (a percent KPI's value is the number of percent)"
    if _THOUSANDS.fullmatch(cell):
        plain = cell.replace(",", "")
        return (
            f"'{cell}' has a comma: write {plain} if it separates thousands, "
            f"{cell.replace(',', '.', 1)} if it is a decimal comma"
            if cell.count(",") == 1
            else f"'{cell}' has thousands separators; write {plain}"
        )
    if "," in cell and pd.notna(pd.to_numeric(cell.replace(",", "."), errors="coerce")):
        return f"'{cell}' uses a decimal comma; write {cell.replace(',', '.')}"
    return f"'{shown(cell)}' is not a finite number"


# Years outside this range are typing slips (0226-07, 20260-07), not reporting months.
FIRST_YEAR, LAST_YEAR = 1900, 2999
_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])", re.ASCII)
_EXCEL_EPOCH = datetime.date(1899, 12, 30)


def month_index(text: str) -> float:
    match = _MONTH.fullmatch(text)
    if not match or not FIRST_YEAR <= int(match[1]) <= LAST_YEAR:
        return np.nan
    return int(match[1]) * 12 + int(match[2]) - 1


def _period_hint(text: str) -> str:
    """What a period that is not YYYY-MM most likely is, and how to write it."""

    def month(year: str, number: str) -> str | None:
        return f"{year}-{int(number):02d}" if 1 <= int(number) <= 12 else None

    if (m := re.fullmatch(r"(\d{4})[-/.](\d)", text, re.ASCII)) and (fixed := month(m[1], m[2])):
        return f"; write {fixed}"
    if (m := re.fullmatch(r"(\d{1,2})[-/.](\d{4})", text, re.ASCII)) and (fixed := month(m[2], m[1])):
        return f"; write {fixed}"
    if (m := re.fullmatch(r"(\d{4})(\d{2})", text, re.ASCII)) and (fixed := month(m[1], m[2])):
        return f"; write {fixed}"
    if re.fullmatch(r"\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}", text, re.ASCII):
        return "; a date whose day and month cannot be told apart (7/1/2026: 1 July or 7 January?): write YYYY-MM"
    if (m := re.fullmatch(r"(\d{4})-(\d{2})-\d{2}(?:[ T][\d:.]+)?", text, re.ASCII)) and (fixed := month(m[1], m[2])):
        return f"; a date, not a month: write {fixed}"
    if re.fullmatch(r"\d{5}(\.0+)?", text, re.ASCII) and 20_000 <= float(text) <= 80_000:
        day = _EXCEL_EPOCH + datetime.timedelta(days=int(float(text)))
        return f"; an Excel date serial number ({day}?): format the column as text and write {day:%Y-%m}"
    if (m := _MONTH.fullmatch(text)) and not FIRST_YEAR <= int(m[1]) <= LAST_YEAR:
        return f"; the year must be between {FIRST_YEAR} and {LAST_YEAR}"
    return ""


def _months(series: pd.Series, lines: np.ndarray, column: str, out: Collector) -> pd.Series:
    text = _texts(series)
    # A file holds few distinct months: parse each once, then map every row.
    indexes = {value: month_index(value) for value in pd.unique(text.to_numpy())}
    result = text.map(indexes).astype(float)
    for i in np.flatnonzero(result.isna().to_numpy()):
        value = text.iloc[i]
        message = f"'{shown(value)}' is not a month in YYYY-MM form{_period_hint(value)}"
        out.add("data.bad_period", message, int(lines[i]), column)
    return result


def _ids(series: pd.Series, lines: np.ndarray, column: str, out: Collector) -> pd.Series:
    text = _texts(series)
    for i in np.flatnonzero((text == "").to_numpy()):
        out.add("data.empty_id", f"'{column}' is empty", int(lines[i]), column)
    for i in np.flatnonzero(text.str.contains(CONTROL_CHARACTER, regex=True).to_numpy()):
        found = control_character(text.iloc[i])
        out.add("data.control_character", f"'{column}' holds a control character ({found})", int(lines[i]), column)
    return text


def _is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def column_name(header_cell: str) -> str:
    """Our own column names match in any case; a wide file's KPI ids keep theirs."""
    name = header_cell.strip()
    lower = name.lower()
    if lower in LONG_REQUIRED + LONG_OPTIONAL:
        return lower
    if lower.endswith(VOLUME_SUFFIX):
        return name[: -len(VOLUME_SUFFIX)] + VOLUME_SUFFIX
    return name


def check_header(header: list[str], out: Collector, line: int) -> list[str]:
    names = [column_name(h) for h in header]
    # Every layout has partner and period columns; a first row with neither but with a month or
    # a number in it is a data row, the header missing.
    keys = {"partner", "period"} & set(names)
    if not keys and any(month_index(n) == month_index(n) or _is_number(n) for n in names):
        out.add(
            "data.missing_header",
            f"row {line} holds data, not column names: the first row must be the header "
            f"({', '.join(LONG_REQUIRED + LONG_OPTIONAL)})",
            line,
        )
        out.raise_if_any()
    for position, name in enumerate(names):
        if name == "":
            out.add("data.empty_header", f"column {position + 1} has no header", line)
        elif names.index(name) != position:
            out.add("data.duplicate_header", f"column '{shown(name)}' appears twice in the header", line)
    out.raise_if_any()
    return names


def tidy_frame(
    header: list[str],
    frame: pd.DataFrame,
    lines: np.ndarray,
    out: Collector,
    kpi_ids: Sequence[str] | None,
    header_line: int = 1,
) -> tuple[pd.DataFrame, str]:
    names = check_header(header, out, header_line)
    frame = frame.copy()
    frame.columns = names
    if frame.empty:
        out.add("data.no_rows", "file has a header but no data rows", header_line)
        out.raise_if_any()
    if "kpi" in names or "value" in names:
        layout = "long"
        for required in LONG_REQUIRED:
            if required not in names:
                out.add("data.missing_column", f"long format needs a '{required}' column", header_line)
        for name in names:
            if name not in LONG_REQUIRED + LONG_OPTIONAL:
                out.add(
                    "data.unknown_column",
                    f"unknown column '{shown(name)}' (long format: {', '.join(LONG_REQUIRED + LONG_OPTIONAL)})",
                    header_line,
                )
        out.raise_if_any()
        long = frame
        long_lines = lines
    else:
        layout = "wide"
        for required in ("partner", "period"):
            if required not in names:
                out.add(
                    "data.missing_column",
                    f"no '{required}' column: use long format (partner, period, kpi, value) "
                    "or wide format (partner, period, one column per KPI id)",
                    header_line,
                )
        out.raise_if_any()
        kpi_columns = [n for n in names if n not in {"partner", "period"} and not n.endswith(VOLUME_SUFFIX)]
        if not kpi_columns:
            out.add(
                "data.missing_column",
                "no KPI columns: a wide file has one column per KPI id besides partner and period",
                header_line,
            )
        for name in names:
            if name.endswith(VOLUME_SUFFIX) and name[: -len(VOLUME_SUFFIX)] not in kpi_columns:
                out.add("data.unknown_column", f"'{shown(name)}' has no matching KPI column", header_line)
            elif kpi_ids is not None and name in kpi_columns and name not in kpi_ids:
                out.add(
                    "data.unknown_kpi",
                    f"column '{shown(name)}' is not a KPI id in the config",
                    header_line,
                )
        out.raise_if_any()
        pieces = []
        for kpi in kpi_columns:
            cells = frame[kpi]
            present = cells.notna() if pd.api.types.is_numeric_dtype(cells) else _texts(cells) != ""
            piece = pd.DataFrame(
                {
                    "partner": frame["partner"][present],
                    "period": frame["period"][present],
                    "kpi": kpi,
                    "value": cells[present],
                    "volume": frame[kpi + VOLUME_SUFFIX][present] if kpi + VOLUME_SUFFIX in names else "",
                    "_line": lines[present.to_numpy()],
                }
            )
            pieces.append(piece)
        long = pd.concat(pieces, ignore_index=True)
        if long.empty:
            out.add("data.no_rows", f"no row has a value in a KPI column ({', '.join(kpi_columns)})", header_line)
            out.raise_if_any()
        long_lines = long["_line"].to_numpy()

    result = pd.DataFrame(
        {
            "partner": _ids(long["partner"], long_lines, "partner", out).astype(str),
            "kpi": (_ids(long["kpi"], long_lines, "kpi", out) if layout == "long" else long["kpi"]).astype(str),
            "month": _months(long["period"], long_lines, "period", out),
            "value": _numbers(
                long["value"],
                long_lines,
                "value" if layout == "long" else long["kpi"].to_numpy(),
                out,
                allow_empty=False,
            ),
            "volume": _numbers(long["volume"], long_lines, "volume", out, allow_empty=True)
            if "volume" in long.columns
            else np.nan,
            "line": long_lines,
        }
    )
    negative = result["volume"] < 0
    for i in np.flatnonzero(negative.to_numpy()):
        out.add(
            "data.negative_volume",
            f"volume {result['volume'].iloc[i]:g} is negative",
            int(long_lines[i]),
            "volume",
        )
    if "source" in long.columns:
        text = _texts(long["source"]).str.lower()
        unknown = (text != "") & ~text.isin(list(SOURCES))
        for i in np.flatnonzero(unknown.to_numpy()):
            out.add(
                "data.bad_source",
                f"source '{shown(text.iloc[i])}' must be measured or partner-reported",
                int(long_lines[i]),
                "source",
            )
        result["source"] = text.map(lambda s: SOURCES.get(s)).where(text != "", None)
    else:
        result["source"] = None
    return result, layout


def duplicate_problems(frame: pd.DataFrame, files: list[str], out: Collector) -> None:
    keys = ["partner", "month", "kpi"]
    dup = frame.duplicated(keys, keep=False)
    if not dup.any():
        return
    first: dict[tuple[str, float, str], tuple[str, int]] = {}
    for row in frame[dup].itertuples(index=False):
        key = (row.partner, row.month, row.kpi)
        here = (files[row.file], int(row.line))
        if key not in first:
            first[key] = here
            continue
        where = f"line {first[key][1]}" if first[key][0] == here[0] else f"{first[key][0]}:{first[key][1]}"
        out.add_problem(
            Problem(
                "data.duplicate_row",
                f"second row for partner '{shown(row.partner)}', "
                f"period {Month.from_index(int(row.month))}, KPI '{shown(row.kpi)}' (first at {where})",
                Location(here[0], here[1]),
                ExitCode.DATA,
            )
        )
