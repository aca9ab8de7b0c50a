"""Load step, data: each file type (CSV, .xlsx, Parquet) read into text cells.

Each reader returns the header, the data rows as a frame (one column per header cell, in
order), the line (CSV), Excel row or Parquet row number of every data row, and the header's.
Workbooks and Parquet files are judged by their directory or footer before anything is
inflated, so a zip or entity bomb is refused before it costs memory.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import warnings
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from govdocs.data.cells import cell_text, check_header
from govdocs.data.problems import Collector
from govdocs.errors import GovdocsError


def _line_at(raw: bytes, position: int) -> int:
    """Physical line (1-based) of a byte offset; \r\n, \n and \r all end a line."""
    before = raw[:position].replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return before.count(b"\n") + 1


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


def read_csv(path: Path, raw: bytes, out: Collector) -> tuple[list[str], pd.DataFrame, np.ndarray, int]:
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
def _reading(out: Collector, code: str, what: str) -> Iterator[None]:
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


def _open_archive(raw: bytes, out: Collector) -> zipfile.ZipFile:
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


def _scan_sheet(archive: zipfile.ZipFile, part: str, out: Collector) -> tuple[list[str], bool]:
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


def _data_sheet(book: Any, out: Collector) -> Any:
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


def _sheet_table(sheet: Any, out: Collector) -> tuple[int, list[str], list[list[str]], list[int], list[bool]]:
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
            cells = [cell_text(c) for c in row]
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
            stray = next((i for i, c in enumerate(rest) if cell_text(c).strip()), None)
            if stray is not None:
                cell = f"{get_column_letter(width + stray + 1)}{number}"
                out.add("data.ragged", f"cell {cell} has a value but its column has no header", number)
                continue
        cells = [cell_text(c) for c in row[:width]]
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


def _merge_problems(merges: list[str], header_row: int, header: list[str], out: Collector) -> None:
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
    out: Collector,
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


def read_xlsx(path: Path, raw: bytes, out: Collector) -> tuple[list[str], pd.DataFrame, np.ndarray, int]:
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


def read_parquet(path: Path, raw: bytes, out: Collector) -> tuple[list[str], pd.DataFrame, np.ndarray, int]:
    from govdocs import extras

    extras.require("parquet", "reading a Parquet KPI file", path.name)
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
        check_header(header, out, 1)  # names the repeated column
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
        frame[position] = series.map(cell_text).astype(object)
    # Parquet rows have no lines: report the 1-based row number instead.
    return header, frame, np.arange(1, len(frame) + 1), 1
