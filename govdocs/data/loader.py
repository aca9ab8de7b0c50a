"""Load step, data half: KPI files (CSV, .xlsx, Parquet; long or wide) -> one strict table.

Every cell is read as text first and converted column by column, so identifiers stay
exactly as written (`00123`, `NA`) and each bad cell is reported with its file, line
and column. The result is a `KpiData`: a tidy frame plus the provenance of each file.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from govdocs.errors import ExitCode, GovdocsError, Location, Problem
from govdocs.periods import Month

LONG_REQUIRED = ("partner", "period", "kpi", "value")
LONG_OPTIONAL = ("volume", "source")
SOURCES = {
    "measured": "measured",
    "partner-reported": "partner-reported",
    "partner_reported": "partner-reported",
}
VOLUME_SUFFIX = "__volume"
MAX_PROBLEMS = 50


@dataclass(frozen=True)
class Observation:
    value: float
    volume: float | None
    source: str | None
    line: int


@dataclass(frozen=True)
class SourceFile:
    name: str  # file name as given on the command line
    sha256: str
    rows: int
    layout: str  # "long" or "wide"

    @property
    def short_hash(self) -> str:
        return self.sha256[:12]


@dataclass
class KpiData:
    """All KPI observations.

    Columns: partner, kpi, month (Month.index), value, volume, source, line, file.
    """

    frame: pd.DataFrame
    sources: list[SourceFile]
    _index: dict[tuple[str, str], dict[Month, Observation]] | None = field(default=None, repr=False)

    def _build_index(self) -> dict[tuple[str, str], dict[Month, Observation]]:
        index: dict[tuple[str, str], dict[Month, Observation]] = {}
        f = self.frame
        # Plain Python lists: iterating pandas (Arrow-backed) columns cell by cell is slow.
        volumes = f["volume"].astype(float).tolist()
        sources = [s if isinstance(s, str) else None for s in f["source"].astype(object).tolist()]
        for partner, kpi, month, value, volume, source, line in zip(
            f["partner"].astype(object).tolist(),
            f["kpi"].astype(object).tolist(),
            f["month"].tolist(),
            f["value"].astype(float).tolist(),
            volumes,
            sources,
            f["line"].tolist(),
            strict=True,
        ):
            index.setdefault((partner, kpi), {})[Month.from_index(int(month))] = Observation(
                value, None if volume != volume else volume, source, int(line)
            )
        return index

    def series(self, partner: str, kpi: str) -> dict[Month, Observation]:
        if self._index is None:
            self._index = self._build_index()
        return self._index.get((partner, kpi), {})

    def partners(self) -> list[str]:
        return sorted(set(self.frame["partner"]))

    def kpis(self) -> list[str]:
        return sorted(set(self.frame["kpi"]))

    def latest_month(self) -> Month | None:
        if self.frame.empty:
            return None
        return Month.from_index(int(self.frame["month"].max()))


class _Collector:
    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []
        self.hidden = 0

    def add(self, code: str, message: str, line: int | None = None, column: str | None = None) -> None:
        self.add_problem(Problem(code, message, Location(self.file, line, column), ExitCode.DATA))

    def add_problem(self, problem: Problem) -> None:
        if len(self.problems) >= MAX_PROBLEMS:
            self.hidden += 1
            return
        self.problems.append(problem)

    def raise_if_any(self) -> None:
        if self.hidden:
            self.problems.append(
                Problem(
                    "data.more_problems",
                    f"{self.hidden} more problems not shown; fix the ones above first",
                    Location(self.file),
                    ExitCode.DATA,
                )
            )
        if self.problems:
            # report in file order (files as given, then lines); checks run column by column
            files: dict[str, int] = {}
            for problem in self.problems:
                files.setdefault(problem.location.file, len(files))
            self.problems.sort(
                key=lambda p: (
                    p.code == "data.more_problems",
                    files[p.location.file],
                    p.location.line or 0,
                )
            )
            raise GovdocsError(self.problems)


# --- reading each file type into text cells ------------------------------------------------
# Each reader returns the header, the data rows as a frame (one column per header cell, in
# order), the line (CSV), Excel row or Parquet row number of every data row, and the header's.


def _line_at(raw: bytes, position: int) -> int:
    """Physical line (1-based) of a byte offset; \r\n, \n and \r all end a line."""
    before = raw[:position].replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return before.count(b"\n") + 1


def _blank(cells: Sequence[str]) -> bool:
    return not "".join(cells).strip()


def _read_csv(path: Path, raw: bytes, out: _Collector) -> tuple[list[str], pd.DataFrame, np.ndarray, int]:
    if b"\x00" in raw:
        line = _line_at(raw, raw.index(b"\x00"))
        out.add("data.nul_byte", "file contains a NUL byte; is it really a CSV text file?", line)
        out.raise_if_any()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        out.add(
            "data.encoding",
            "not UTF-8 text; export the file as UTF-8 CSV",
            _line_at(raw, exc.start),
        )
        out.raise_if_any()
    # newline="" lets the csv module see \r, \n and \r\n itself, quoted line breaks included
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []
    start = 1  # physical line on which the record being read starts
    try:
        for record in reader:
            line, start = start, reader.line_num + 1
            if header is None:
                header = record
                if _blank(header):
                    out.add("data.empty", "line 1 is empty: the header row must be the first line", 1)
                    out.raise_if_any()
                if len(header) == 1 and (separator := _other_separator(header[0])):
                    out.add(
                        "data.delimiter",
                        f"the file is {separator}-separated; export it with commas as separators "
                        "and '.' as decimal point",
                        1,
                    )
                    out.raise_if_any()
                continue
            if _blank(record):
                continue  # blank lines (and rows of empty cells) carry no data
            if len(record) != len(header):
                fewer = "fewer" if len(record) < len(header) else "more"
                out.add(
                    "data.ragged",
                    f"row has {len(record)} fields, {fewer} than the {len(header)} in the header",
                    line,
                )
                continue
            rows.append(record)
            lines.append(line)
    except csv.Error as exc:
        message = str(exc)
        if "unexpected end of data" in message:
            message = 'unterminated quoted field (a " is never closed)'
        out.add("data.malformed", f"cannot read CSV: {message}", start)
        out.raise_if_any()
    if header is None:
        out.add("data.empty", "file is empty (no header row)", 1)
        out.raise_if_any()
    assert header is not None
    frame = pd.DataFrame(rows, columns=range(len(header)), dtype=object)
    return header, frame, np.asarray(lines, dtype=int), 1


def _other_separator(header_cell: str) -> str | None:
    for char, name in ((";", "semicolon"), ("\t", "tab"), ("|", "pipe")):
        if char in header_cell:
            return name
    return None


def _cell_text(value: object) -> str:
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


def _read_xlsx(path: Path, out: _Collector) -> tuple[list[str], pd.DataFrame, np.ndarray, int]:
    import zipfile
    from xml.etree.ElementTree import ParseError

    import openpyxl  # defusedxml, when installed, is used by openpyxl for every XML part
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.exceptions import InvalidFileException

    unreadable = (
        zipfile.BadZipFile,
        KeyError,
        OSError,
        ValueError,
        ParseError,
        InvalidFileException,
    )
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except unreadable as exc:
        out.add("data.bad_xlsx", f"not a readable .xlsx workbook ({type(exc).__name__})")
        out.raise_if_any()
    try:
        names = book.sheetnames
        chosen = [n for n in names if n.strip().lower() in {"kpis", "data"}]
        if len(names) > 1 and not chosen:
            out.add(
                "data.several_sheets",
                f"workbook has {len(names)} sheets ({', '.join(names)}); name the data sheet 'kpis'",
            )
            out.raise_if_any()
        sheet = book[chosen[0] if chosen else names[0]]
        # read-only sheets number rows from 1 and yield empty rows too: enumerate = Excel row
        numbered = [
            (number, [_cell_text(c) for c in row])
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
    except unreadable as exc:
        out.add("data.bad_xlsx", f"not a readable .xlsx workbook ({type(exc).__name__})")
        out.raise_if_any()
    finally:
        book.close()
    numbered = [(number, cells) for number, cells in numbered if not _blank(cells)]
    if not numbered:
        out.add("data.empty", "sheet is empty (no header row)", 1)
        out.raise_if_any()
    header_row, header = numbered[0]
    while header and header[-1] == "":
        header.pop()
    body = []
    lines = []
    for number, cells in numbered[1:]:
        stray = [i for i, c in enumerate(cells) if i >= len(header) and c.strip()]
        if stray:
            cell = f"{get_column_letter(stray[0] + 1)}{number}"
            out.add("data.ragged", f"cell {cell} has a value but its column has no header", number)
            continue
        body.append(cells[: len(header)] + [""] * (len(header) - len(cells)))
        lines.append(number)
    frame = pd.DataFrame(body, columns=range(len(header)), dtype=object)
    return header, frame, np.asarray(lines, dtype=int), header_row


def _read_parquet(path: Path, out: _Collector) -> tuple[list[str], pd.DataFrame, np.ndarray, int]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
        frame = table.to_pandas()
    except (pa.ArrowException, OSError, ValueError) as exc:
        out.add("data.bad_parquet", f"not a readable Parquet file ({str(exc).splitlines()[0]})")
        out.raise_if_any()
    header = list(table.column_names)
    frame.columns = range(len(header))
    for position, name in enumerate(header):
        series = frame[position]
        numeric = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
        if numeric and name.strip().lower() not in {"partner", "kpi", "period"}:
            continue  # numbers stay numbers; checked below like text
        frame[position] = series.map(_cell_text).astype(object)
    # Parquet rows have no lines: report the 1-based row number instead.
    return header, frame, np.arange(1, len(frame) + 1), 1


# --- converting text cells ----------------------------------------------------------------


def _texts(series: pd.Series) -> pd.Series:
    """Cells as stripped Python strings (missing -> ''), whatever the column's dtype."""
    return pd.Series(
        [v.strip() if type(v) is str else _cell_text(v).strip() for v in series.tolist()],
        index=series.index,
        dtype=object,
    )


def _numbers(
    series: pd.Series,
    lines: np.ndarray,
    column: str | np.ndarray,
    out: _Collector,
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
        if empty.iloc[i]:
            message = "value is empty; leave the row out when there is no data"
        elif "," in cell and pd.notna(pd.to_numeric(cell.replace(",", "."), errors="coerce")):
            message = f"'{cell}' uses a decimal comma; write {cell.replace(',', '.')}"
        else:
            message = f"'{cell}' is not a finite number"
        name = column if isinstance(column, str) else str(column[i])
        out.add("data.not_a_number", message, int(lines[i]), name)
    return numbers.where(~bad)


def _months(series: pd.Series, lines: np.ndarray, column: str, out: _Collector) -> pd.Series:
    text = _texts(series)
    # A file holds few distinct months: parse each once, then map every row.
    indexes: dict[str, float] = {}
    for value in pd.unique(text.to_numpy()):
        match = _MONTH.match(value)
        indexes[value] = int(match[1]) * 12 + int(match[2]) - 1 if match else np.nan
    result = text.map(indexes).astype(float)
    for i in np.flatnonzero(result.isna().to_numpy()):
        out.add("data.bad_period", f"'{text.iloc[i]}' is not a month in YYYY-MM form", int(lines[i]), column)
    return result


_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def _ids(series: pd.Series, lines: np.ndarray, column: str, out: _Collector) -> pd.Series:
    text = _texts(series)
    for i in np.flatnonzero((text == "").to_numpy()):
        out.add("data.empty_id", f"'{column}' is empty", int(lines[i]), column)
    return text


def _column_name(header_cell: str) -> str:
    """Our own column names match in any case; a wide file's KPI ids keep theirs."""
    name = header_cell.strip()
    lower = name.lower()
    if lower in LONG_REQUIRED + LONG_OPTIONAL:
        return lower
    if lower.endswith(VOLUME_SUFFIX):
        return name[: -len(VOLUME_SUFFIX)] + VOLUME_SUFFIX
    return name


def _check_header(header: list[str], out: _Collector, line: int) -> list[str]:
    names = [_column_name(h) for h in header]
    for position, name in enumerate(names):
        if name == "":
            out.add("data.empty_header", f"column {position + 1} has no header", line)
        elif names.index(name) != position:
            out.add("data.duplicate_header", f"column '{name}' appears twice in the header", line)
    out.raise_if_any()
    return names


def _tidy(
    header: list[str],
    frame: pd.DataFrame,
    lines: np.ndarray,
    out: _Collector,
    kpi_ids: Sequence[str] | None,
    header_line: int = 1,
) -> tuple[pd.DataFrame, str]:
    names = _check_header(header, out, header_line)
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
                    f"unknown column '{name}' (long format: {', '.join(LONG_REQUIRED + LONG_OPTIONAL)})",
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
        for name in names:
            if name.endswith(VOLUME_SUFFIX) and name[: -len(VOLUME_SUFFIX)] not in kpi_columns:
                out.add("data.unknown_column", f"'{name}' has no matching KPI column", header_line)
            elif kpi_ids is not None and name in kpi_columns and name not in kpi_ids:
                out.add(
                    "data.unknown_kpi",
                    f"column '{name}' is not a KPI id in the config",
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
        long = pd.concat(pieces, ignore_index=True) if pieces else pd.DataFrame()
        long_lines = long["_line"].to_numpy() if not long.empty else np.array([], dtype=int)

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
                f"source '{text.iloc[i]}' must be measured or partner-reported",
                int(long_lines[i]),
                "source",
            )
        result["source"] = text.map(lambda s: SOURCES.get(s)).where(text != "", None)
    else:
        result["source"] = None
    return result, layout


def _duplicates(frame: pd.DataFrame, files: list[str], out: _Collector) -> None:
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
                f"second row for partner '{row.partner}', "
                f"period {Month.from_index(int(row.month))}, KPI '{row.kpi}' (first at {where})",
                Location(here[0], here[1]),
                ExitCode.DATA,
            )
        )


def read_kpi_file(path: Path, kpi_ids: Sequence[str] | None = None) -> tuple[pd.DataFrame, SourceFile]:
    """Read one KPI file; raise GovdocsError naming every bad cell."""
    out = _Collector(str(path))
    try:
        raw = path.read_bytes()
    except OSError as exc:
        out.add("file.unreadable", f"cannot read file: {exc.strerror}")
        out.raise_if_any()
    if not raw.strip():
        out.add("data.empty", "file is empty")
        out.raise_if_any()
    suffix = path.suffix.lower()
    if suffix in {".csv", ".txt"}:
        header, frame, lines, header_line = _read_csv(path, raw, out)
    elif suffix in {".xlsx", ".xlsm"}:
        header, frame, lines, header_line = _read_xlsx(path, out)
    elif suffix in {".parquet", ".pq"}:
        header, frame, lines, header_line = _read_parquet(path, out)
    else:
        out.add("data.file_type", f"unsupported file type '{suffix}' (use .csv, .xlsx or .parquet)")
        out.raise_if_any()
    out.raise_if_any()
    tidy, layout = _tidy(header, frame, lines, out, kpi_ids, header_line)
    if out.problems:
        # Report duplicate rows together with the bad cells, among rows whose keys did parse.
        keyed = tidy[tidy["month"].notna() & (tidy["partner"] != "") & (tidy["kpi"] != "")]
        _duplicates(keyed.assign(file=0), [str(path)], out)
    out.raise_if_any()
    source = SourceFile(path.name, hashlib.sha256(raw).hexdigest(), int(len(frame)), layout)
    return tidy, source


def load_kpi_data(paths: Iterable[Path], kpi_ids: Sequence[str] | None = None) -> KpiData:
    """Read every KPI file, reject duplicate partner/period/KPI rows across all of them."""
    paths = list(paths)  # iterated twice: a generator would leave no names for duplicates
    if not paths:
        raise GovdocsError([Problem("data.no_files", "no KPI data file given", Location("--data"), ExitCode.DATA)])
    frames = []
    sources = []
    problems: list[Problem] = []
    for number, path in enumerate(paths):
        try:
            frame, source = read_kpi_file(path, kpi_ids)
        except GovdocsError as exc:
            problems.extend(exc.problems)
            continue
        frame["file"] = number
        frames.append(frame)
        sources.append(source)
    if problems:
        raise GovdocsError(problems)
    frame = pd.concat(frames, ignore_index=True)
    out = _Collector(", ".join(str(p) for p in paths))
    _duplicates(frame, [str(p) for p in paths], out)
    out.raise_if_any()
    frame["month"] = frame["month"].astype(int)
    return KpiData(frame=frame, sources=sources)
