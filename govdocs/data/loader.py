"""Load step, data half: KPI files (CSV, .xlsx, Parquet; long or wide) -> one strict table.

Every cell is read as text first and converted column by column, so identifiers stay
exactly as written (`00123`, `NA`) and each bad cell is reported with its file, line
and column. The result is a `KpiData`: a tidy frame plus the provenance of each file.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import hashlib
import io
import math
import re
import warnings
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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


def _shown(text: str, limit: int = 40) -> str:
    """A cell as quoted in a message: long ones cut, so that one line stays one line."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _blank(cells: Sequence[str]) -> bool:
    return not "".join(cells).strip()


# Byte patterns that tell what a file really is when it is not the text or workbook it claims to be.
_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)
_MAGIC = (
    (b"PK\x03\x04", "the file is a zip archive, not text; if it is an .xlsx workbook, name it .xlsx"),
    (b"PAR1", "the file is Parquet, not text; name it .parquet"),
    (b"\xd0\xcf\x11\xe0", "the file is an old-format .xls workbook, not text; save it as .xlsx"),
)


def _not_text(raw: bytes) -> str | None:
    """Why bytes that should be UTF-8 text are not, and what to do, when their start tells."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            return f"the file is {encoding} text (it starts with a {encoding} byte-order mark); export it as UTF-8 CSV"
    for magic, message in _MAGIC:
        if raw.startswith(magic):
            return message
    head = raw[:4096]
    half = len(head) // 2
    if half >= 8 and max(head[0::2].count(0), head[1::2].count(0)) >= half * 0.6:
        return "the file looks like UTF-16 text (every other byte is NUL); export it as UTF-8 CSV"
    return None


def _encoding_problem(raw: bytes, position: int) -> tuple[str, int, str | None]:
    """The message for the first byte that is not UTF-8, its line and (roughly) its column."""
    line_start = max(raw.rfind(b"\n", 0, position), raw.rfind(b"\r", 0, position)) + 1
    ends = [i for i in (raw.find(b"\n", position), raw.find(b"\r", position)) if i >= 0]
    text = raw[line_start : min(ends, default=len(raw))]
    offset = position - line_start
    # the field around the byte, read the way a Windows export most likely wrote it
    left = text.rfind(b",", 0, offset) + 1
    right = text.find(b",", offset)
    shown = text[left : right if right >= 0 else len(text)].strip()[:40].decode("cp1252", errors="replace")
    message = (
        f"not UTF-8 text: byte 0x{raw[position]:02X} in '{shown}' (Windows-1252 or Latin-1?); "
        "export the file as UTF-8 CSV"
    )
    header = raw.splitlines()[0].decode("utf-8-sig", errors="replace").split(",")
    field = text.count(b",", 0, offset)  # quoted commas aside: good enough to point at the column
    column = header[field].strip() if field < len(header) and line_start > 0 else None
    return message, _line_at(raw, position), column or None


def _read_csv(path: Path, raw: bytes, out: _Collector) -> tuple[list[str], pd.DataFrame, np.ndarray, int]:
    if (reason := _not_text(raw)) is not None:
        out.add("data.encoding", reason, 1)
        out.raise_if_any()
    if b"\x00" in raw:
        line = _line_at(raw, raw.index(b"\x00"))
        out.add("data.nul_byte", "file contains a NUL byte; is it really a CSV text file?", line)
        out.raise_if_any()
    bom = len(codecs.BOM_UTF8) if raw.startswith(codecs.BOM_UTF8) else 0  # a UTF-8 BOM is fine
    try:
        text = raw[bom:].decode("utf-8")
    except UnicodeDecodeError as exc:
        message, line, column = _encoding_problem(raw, bom + exc.start)
        out.add("data.encoding", message, line, column)
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
                    decimal = " with decimal commas" if separator == "semicolon" and _DECIMAL_COMMA.search(text) else ""
                    out.add(
                        "data.delimiter",
                        f"the file is {separator}-separated{decimal}; export it with commas as separators "
                        "and '.' as decimal point",
                        1,
                    )
                    out.raise_if_any()
                continue
            if _blank(record):
                continue  # blank lines (and rows of empty cells) carry no data
            if len(record) != len(header):
                out.add("data.ragged", _ragged_message(record, len(header)), line)
                continue
            rows.append(record)
            lines.append(line)
    except csv.Error as exc:
        message = str(exc)
        if "unexpected end of data" in message:
            message = 'unterminated quoted field (a " is never closed)'
        elif "field larger than field limit" in message:
            message = f'a field is longer than {csv.field_size_limit():,} characters (a " opened but never closed?)'
        out.add("data.malformed", f"cannot read CSV: {message}", start)
        out.raise_if_any()
    if header is None:
        out.add("data.empty", "file is empty (no header row)", 1)
        out.raise_if_any()
    assert header is not None
    frame = pd.DataFrame(rows, columns=range(len(header)), dtype=object)
    return header, frame, np.asarray(lines, dtype=int), 1


_DECIMAL_COMMA = re.compile(r"\d,\d")
_INTEGER = re.compile(r"-?\d+", re.ASCII)


def _ragged_message(record: list[str], expected: int) -> str:
    fewer = "fewer" if len(record) < expected else "more"
    message = f"row has {len(record)} fields, {fewer} than the {expected} in the header"
    if len(record) > expected:
        pairs = zip(record, record[1:], strict=False)
        split = next((f"{a},{b}" for a, b in pairs if _INTEGER.fullmatch(a) and b.isascii() and b.isdigit()), None)
        if split is not None:
            message += f" (is {split} a number with a decimal comma? write it with '.')"
    return message


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


# --- .xlsx: a zip of XML parts, judged by its directory before anything is inflated --------

XLSX_MAX_EXPANDED = 128 * 2**20  # all parts together, as the zip directory declares them
XLSX_MAX_RATIO = 200  # real sheets compress 5-20 times; zip bombs a thousand times and more
XLSX_MAX_PARTS = 2_000
XLSX_MAX_ROWS = 1_048_576  # Excel's own limit
XLSX_MAX_COLUMNS = 512
_XML_HEAD = 16_384  # a DTD comes before the root element: the first bytes of a part show it
_DTD = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)
_NAME = rb"<(?:[A-Za-z_][\w.-]*:)?"  # an element, with or without a namespace prefix
_MERGE = re.compile(_NAME + rb"mergeCell\b[^>]*?\bref\s*=\s*[\"']([A-Za-z]{1,3}\d+(?::[A-Za-z]{1,3}\d+)?)")
_FORMULA = re.compile(_NAME + rb"f[\s>/]")


@contextmanager
def _reading(out: _Collector, code: str, what: str) -> Iterator[None]:
    """A third-party reader failing on a file is that file's problem: one line naming the file.

    Only calls into openpyxl or pyarrow run inside; their warnings are not ours to print."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    except (GovdocsError, MemoryError):
        raise
    except Exception as exc:  # noqa: BLE001 - whatever a corrupt file makes the library raise
        if (refusal := _unsafe_xml(exc)) is not None:
            out.add("data.xlsx_unsafe", f"refused: an XML part of the workbook {refusal} (an XML entity bomb?)")
        else:
            detail = str(exc).strip().splitlines()[0][:160] if str(exc).strip() else ""
            out.add(code, f"not a readable {what} ({type(exc).__name__}{': ' + detail if detail else ''})")
        out.raise_if_any()


def _unsafe_xml(exc: BaseException) -> str | None:
    """What defusedxml refused, if that is what the error (or one it was raised from) is: the
    DTDs that the first bytes of a part did not show (see _open_archive) are refused here."""
    from defusedxml import DefusedXmlException

    refusals = {"DTDForbidden": "has a DTD", "ExternalReferenceForbidden": "refers to an outside resource"}
    seen: BaseException | None = exc
    for _ in range(10):  # openpyxl re-raises with its own message: follow the chain a little way
        if seen is None:
            return None
        if isinstance(seen, DefusedXmlException):
            return refusals.get(type(seen).__name__, "declares entities")
        seen = seen.__cause__ or seen.__context__
    return None


def _size(size: int) -> str:
    return f"{size / 2**20:,.0f} MB" if size >= 2**20 else f"{size / 1024:,.0f} KB"


def _not_a_zip(raw: bytes) -> str:
    if raw.startswith(b"\xd0\xcf\x11\xe0"):
        return "the file is an old-format .xls workbook (or an encrypted one); save it as .xlsx"
    try:
        raw[:4096].decode("utf-8")
    except UnicodeDecodeError:
        return "not a readable .xlsx workbook (not a zip archive)"
    return "the file is text, not an .xlsx workbook; is it a CSV file named .xlsx?"


def _open_archive(raw: bytes, out: _Collector) -> zipfile.ZipFile:
    """The workbook's zip directory; refused when its parts would inflate beyond the limits
    (a zip bomb) or an XML part declares a DTD (an entity bomb), before any part is inflated."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except Exception as exc:  # noqa: BLE001 - BadZipFile; NotImplementedError for a damaged version field
        detail = f"{type(exc).__name__}: {str(exc)[:80]}"
        out.add(
            "data.bad_xlsx",
            _not_a_zip(raw) if not raw.startswith(b"PK") else f"not a readable .xlsx workbook ({detail})",
        )
        out.raise_if_any()
    parts = archive.infolist()
    if len(parts) > XLSX_MAX_PARTS:
        out.add("data.xlsx_too_large", f"refused: the workbook has {len(parts):,} parts (limit {XLSX_MAX_PARTS:,})")
        out.raise_if_any()
    # The sizes are the ones the zip directory declares; zipfile never inflates a part past
    # its declared size (it stops with a CRC error), so checking them bounds all that follows.
    for part in parts:
        compressed = max(min(part.compress_size, len(raw)), 1)  # no part holds more than the file
        if part.file_size > 2**20 and part.file_size > XLSX_MAX_RATIO * compressed:
            out.add(
                "data.zip_bomb",
                f"refused: {part.filename} would inflate {part.file_size // compressed:,} times, "
                f"from {_size(compressed)} to {_size(part.file_size)} (a zip bomb?)",
            )
            out.raise_if_any()
    total = sum(part.file_size for part in parts)
    if total > XLSX_MAX_EXPANDED:
        out.add(
            "data.xlsx_too_large",
            f"refused: the workbook would inflate to {_size(total)}, more than {_size(XLSX_MAX_EXPANDED)}; "
            "save this much data as CSV or Parquet",
        )
        out.raise_if_any()
    with _reading(out, "data.bad_xlsx", ".xlsx workbook"):
        for part in parts:
            if not part.filename.lower().endswith((".xml", ".rels", ".vml")):
                continue
            with archive.open(part) as stream:
                head = stream.read(_XML_HEAD)
            if head.startswith((b"\xff\xfe", b"\xfe\xff")):
                head = head.decode("utf-16", errors="ignore").encode("utf-8")
            if _DTD.search(head):
                out.add(
                    "data.xlsx_unsafe",
                    f"refused: {part.filename} declares a DTD or entities, which no workbook needs "
                    "and which can expand without bound (an XML entity bomb?)",
                )
                out.raise_if_any()
    return archive


def _scan_sheet(archive: zipfile.ZipFile, part: str, out: _Collector) -> tuple[list[str], bool]:
    """Merged ranges of a sheet and whether it has formulas, read from its XML as a stream."""
    merges: dict[bytes, None] = {}
    formulas = False
    tail = b""
    with _reading(out, "data.bad_xlsx", ".xlsx workbook"), archive.open(part) as stream:
        while chunk := stream.read(2**20):
            data = tail + chunk
            merges.update(dict.fromkeys(_MERGE.findall(data)))
            formulas = formulas or _FORMULA.search(data) is not None
            tail = data[-256:]  # a tag cut in two by the chunking is found in the next round
    return [ref.decode("ascii").upper() for ref in merges], formulas


def _data_sheet(book: Any, out: _Collector) -> Any:
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    names = book.sheetnames
    chosen = [n for n in names if n.strip().lower() in {"kpis", "data"}]
    if len(names) > 1 and not chosen:
        out.add(
            "data.several_sheets",
            f"workbook has {len(names)} sheets ({', '.join(names)}); name the data sheet 'kpis'",
        )
        out.raise_if_any()
    if not names:
        out.add("data.empty", "workbook has no sheets")
        out.raise_if_any()
    sheet = book[chosen[0] if chosen else names[0]]
    if not isinstance(sheet, ReadOnlyWorksheet):
        out.add("data.bad_xlsx", f"sheet '{sheet.title}' is a chart, not a table of data")
        out.raise_if_any()
    return sheet


def _sheet_table(sheet: Any, out: _Collector) -> tuple[int, list[str], list[list[str]], list[int], list[bool]]:
    """Header row number, header, data rows (as text, header-wide), their Excel rows, and
    for each data row whether it has cells that are empty in the file."""
    from openpyxl.utils import get_column_letter

    # The dimension a file declares is not trusted (it can claim a million empty rows); at most
    # XLSX_MAX_COLUMNS columns are read, so that no row costs more than that.
    sheet.reset_dimensions()
    header: list[str] | None = None
    header_row = width = 0
    body: list[list[str]] = []
    lines: list[int] = []
    gaps: list[bool] = []
    blank: tuple[None, ...] = ()  # the one tuple openpyxl yields for every row missing in the file
    for number, row in enumerate(sheet.iter_rows(values_only=True, max_col=XLSX_MAX_COLUMNS), start=1):
        if number > XLSX_MAX_ROWS:
            out.add("data.xlsx_too_large", f"refused: the sheet goes past row {XLSX_MAX_ROWS:,}, Excel's last row")
            out.raise_if_any()
        if row is blank or row.count(None) == len(row):
            blank = row
            continue
        if header is None:
            cells = [_cell_text(c) for c in row]
            if _blank(cells):
                continue
            while cells[-1] == "":
                cells.pop()
            if len(cells) == XLSX_MAX_COLUMNS:
                out.add("data.xlsx_too_large", f"the header has more than {XLSX_MAX_COLUMNS - 1} columns", number)
                out.raise_if_any()
            header, header_row, width = cells, number, len(cells)
            continue
        rest = row[width:]
        if rest.count(None) != len(rest):
            stray = next((i for i, c in enumerate(rest) if _cell_text(c).strip()), None)
            if stray is not None:
                cell = f"{get_column_letter(width + stray + 1)}{number}"
                out.add("data.ragged", f"cell {cell} has a value but its column has no header", number)
                continue
        cells = [_cell_text(c) for c in row[:width]]
        cells += [""] * (width - len(cells))  # a row openpyxl made shorter than the header
        if _blank(cells):
            continue
        body.append(cells)
        lines.append(number)
        gaps.append(None in row[:width] or len(row) < width)
    if header is None:
        out.add("data.empty", "sheet is empty (no header row)", 1)
        out.raise_if_any()
    assert header is not None
    return header_row, header, body, lines, gaps


def _merge_problems(merges: list[str], header_row: int, header: list[str], out: _Collector) -> None:
    """Merged cells in the table leave all but their first cell empty: refused, one line each."""
    from openpyxl.utils.cell import range_boundaries

    for ref in merges:
        first_col, first_row, last_col, last_row = range_boundaries(ref if ":" in ref else f"{ref}:{ref}")
        if (first_col, first_row) == (last_col, last_row) or last_row < header_row or first_col > len(header):
            continue
        first = ref.split(":")[0]
        out.add(
            "data.merged_cells",
            f"cells {ref} are merged, which leaves all but {first} empty; unmerge them and fill in every cell",
            max(first_row, header_row),
            header[first_col - 1] or None,
        )
    out.raise_if_any()


def _formula_problems(
    raw: bytes,
    title: str,
    header: list[str],
    body: list[list[str]],
    lines: list[int],
    gaps: list[bool],
    out: _Collector,
) -> None:
    """Formulas whose result was never saved read as empty cells: name them instead."""
    import openpyxl
    from openpyxl.utils import get_column_letter

    empty = {line: cells for line, cells, gap in zip(lines, body, gaps, strict=True) if gap}
    if not empty:
        return
    with _reading(out, "data.bad_xlsx", ".xlsx workbook"):
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=False, keep_links=False)
        try:
            sheet = book[title]
            sheet.reset_dimensions()
            rows = sheet.iter_rows(max_row=max(empty), max_col=len(header), values_only=True)
            for number, row in enumerate(rows, start=1):
                cells = empty.get(number)
                for position, value in enumerate(row if cells is not None else ()):
                    formula = getattr(value, "text", value)  # array formulas are objects
                    if cells[position] == "" and isinstance(formula, str) and formula.startswith("="):
                        shown = formula if len(formula) <= 40 else formula[:37] + "..."
                        out.add(
                            "data.formula_without_value",
                            f"cell {get_column_letter(position + 1)}{number} holds the formula {shown} "
                            "but no saved result; open and save the file in Excel, or paste values",
                            number,
                            header[position] or None,
                        )
        finally:
            book.close()
    out.raise_if_any()


def _read_xlsx(path: Path, raw: bytes, out: _Collector) -> tuple[list[str], pd.DataFrame, np.ndarray, int]:
    import openpyxl  # defusedxml, a dependency, makes openpyxl refuse DTDs in every XML part too

    archive = _open_archive(raw, out)
    with _reading(out, "data.bad_xlsx", ".xlsx workbook"):
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True, keep_links=False)
    try:
        sheet = _data_sheet(book, out)
        with _reading(out, "data.bad_xlsx", ".xlsx workbook"):
            header_row, header, body, lines, gaps = _sheet_table(sheet, out)
        title, part = sheet.title, sheet._worksheet_path
    finally:
        book.close()
    merges, formulas = _scan_sheet(archive, part, out)
    _merge_problems(merges, header_row, header, out)
    if formulas:
        _formula_problems(raw, title, header, body, lines, gaps, out)
    frame = pd.DataFrame(body, columns=range(len(header)), dtype=object)
    return header, frame, np.asarray(lines, dtype=int), header_row


# --- Parquet: judged by its footer before the columns are decoded --------------------------

# Run-length and dictionary encoding let a small file declare millions of rows: the footer's
# row count bounds the cells, its uncompressed sizes bound the values behind them.
PARQUET_MAX_CELLS = 50_000_000
PARQUET_MAX_EXPANDED = 512 * 2**20


def _parquet_type_supported(kind: Any) -> bool:
    import pyarrow.types as types

    if types.is_dictionary(kind):
        return _parquet_type_supported(kind.value_type)
    checks = (
        types.is_string,
        types.is_large_string,
        getattr(types, "is_string_view", lambda _: False),
        types.is_integer,
        types.is_floating,
        types.is_decimal,
        types.is_null,
        types.is_date,
        types.is_timestamp,
    )
    return any(check(kind) for check in checks)


def _read_parquet(path: Path, raw: bytes, out: _Collector) -> tuple[list[str], pd.DataFrame, np.ndarray, int]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    with _reading(out, "data.bad_parquet", "Parquet file"):
        metadata = pq.read_metadata(pa.BufferReader(raw))
        schema = metadata.schema.to_arrow_schema()
        expanded = sum(metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups))
    cells = metadata.num_rows * max(metadata.num_columns, 1)
    if cells > PARQUET_MAX_CELLS:
        out.add(
            "data.parquet_too_large",
            f"refused: {metadata.num_rows:,} rows of {metadata.num_columns} columns, "
            f"more than {PARQUET_MAX_CELLS:,} cells",
        )
    elif expanded > PARQUET_MAX_EXPANDED:
        out.add(
            "data.parquet_too_large",
            f"refused: the columns would decode to {_size(expanded)}, more than {_size(PARQUET_MAX_EXPANDED)}",
        )
    out.raise_if_any()
    header = list(schema.names)
    if len(set(header)) != len(header):
        _check_header(header, out, 1)  # names the repeated column
    for column in schema:
        if not _parquet_type_supported(column.type):
            out.add("data.column_type", f"Parquet type {column.type} is not text, a number or a date", 1, column.name)
    out.raise_if_any()
    # Text columns are read as dictionaries: a value repeated on a million rows stays one value.
    texts = [c.name for c in schema if pa.types.is_string(c.type) or pa.types.is_large_string(c.type)]
    with _reading(out, "data.bad_parquet", "Parquet file"):
        frame = pq.ParquetFile(pa.BufferReader(raw), read_dictionary=texts).read().to_pandas()
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
        message = "value is empty; leave the row out when there is no data" if empty.iloc[i] else _number_message(cell)
        name = column if isinstance(column, str) else str(column[i])
        out.add("data.not_a_number", message, int(lines[i]), name)
    return numbers.where(~bad)


_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?", re.ASCII)


def _number_message(cell: str) -> str:
    """Why a non-empty cell is not a finite number, with the fix when it can be told."""
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
    return f"'{_shown(cell)}' is not a finite number"


# Years outside this range are typing slips (0226-07, 20260-07), not reporting months.
FIRST_YEAR, LAST_YEAR = 1900, 2999
_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])", re.ASCII)
_EXCEL_EPOCH = datetime.date(1899, 12, 30)


def _month_index(text: str) -> float:
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


def _months(series: pd.Series, lines: np.ndarray, column: str, out: _Collector) -> pd.Series:
    text = _texts(series)
    # A file holds few distinct months: parse each once, then map every row.
    indexes = {value: _month_index(value) for value in pd.unique(text.to_numpy())}
    result = text.map(indexes).astype(float)
    for i in np.flatnonzero(result.isna().to_numpy()):
        value = text.iloc[i]
        message = f"'{_shown(value)}' is not a month in YYYY-MM form{_period_hint(value)}"
        out.add("data.bad_period", message, int(lines[i]), column)
    return result


def _ids(series: pd.Series, lines: np.ndarray, column: str, out: _Collector) -> pd.Series:
    text = _texts(series)
    for i in np.flatnonzero((text == "").to_numpy()):
        out.add("data.empty_id", f"'{column}' is empty", int(lines[i]), column)
    return text


def _is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


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
    # Every layout has partner and period columns; a first row with neither but with a month or
    # a number in it is a data row, the header missing.
    keys = {"partner", "period"} & set(names)
    if not keys and any(_month_index(n) == _month_index(n) or _is_number(n) for n in names):
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
            out.add("data.duplicate_header", f"column '{_shown(name)}' appears twice in the header", line)
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
                    f"unknown column '{_shown(name)}' (long format: {', '.join(LONG_REQUIRED + LONG_OPTIONAL)})",
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
                out.add("data.unknown_column", f"'{_shown(name)}' has no matching KPI column", header_line)
            elif kpi_ids is not None and name in kpi_columns and name not in kpi_ids:
                out.add(
                    "data.unknown_kpi",
                    f"column '{_shown(name)}' is not a KPI id in the config",
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
                f"source '{_shown(text.iloc[i])}' must be measured or partner-reported",
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
                f"second row for partner '{_shown(row.partner)}', "
                f"period {Month.from_index(int(row.month))}, KPI '{_shown(row.kpi)}' (first at {where})",
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
        header, frame, lines, header_line = _read_xlsx(path, raw, out)
    elif suffix in {".parquet", ".pq"}:
        header, frame, lines, header_line = _read_parquet(path, raw, out)
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
