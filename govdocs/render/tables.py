"""Render step, tables: rows out as CSV, Excel or JSON, safe to open.

A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` as a formula (and a
leading tab or carriage return can hide one), so every text cell that starts with one
of them is written with a leading apostrophe: shown as text, never executed. Numbers
stay numbers. A CSV file is also opened with ';' or a tab as its list separator (the
default where ',' is the decimal comma): a CSV text cell holding any separator is quoted,
so no reader splits it, and a trigger after a separator gets its apostrophe too, for a
reader that ignores the quotes. JSON never holds `NaN` or `Infinity` (not JSON; many parsers reject it):
a missing or non-finite number is `null`. Every format is written atomically and is
byte-identical for the same rows.
"""

from __future__ import annotations

import io
import json
import math
import re
import zipfile
from collections.abc import Sequence
from datetime import date, datetime, time
from pathlib import Path

from govdocs.errors import ExitCode, GovdocsError, Location, Problem
from govdocs.render.output import check_targets, write_atomic

Cell = str | int | float | bool | date | None
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
FORMATS = (".csv", ".xlsx", ".json", ".parquet")


def neutralise(value: Cell) -> Cell:
    """A text cell a spreadsheet would run as a formula, made plain text."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


# A list separator, or a line break a line-by-line reader would start a new row at.
# Spaces and quotes between it and the trigger hide nothing: a reader may trim both.
_AFTER_SEPARATOR = re.compile(r"((?:^|[,;\t\r\n])[\s\"]*)(?=[=+\-@])")
_NEEDS_QUOTES = re.compile(r'[,;\t\r\n"]')


def neutralise_csv(value: Cell) -> Cell:
    """A CSV text cell in which no separator or line break can start a formula:
    'Bravo;=1+1;x' -> "Bravo;'=1+1;x"."""
    value = neutralise(value)
    if isinstance(value, str):
        return _AFTER_SEPARATOR.sub(r"\1'", value)
    return value


def csv_field(value: Cell) -> str:
    """One CSV field: text quoted when it holds a separator, a quote or a line break (whichever
    separator the reader splits on, the cell stays one cell); numbers as Python writes them."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    if isinstance(value, str) and _NEEDS_QUOTES.search(text):
        return '"' + text.replace('"', '""') + '"'
    return text


def _finite(value: Cell) -> Cell:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def to_csv(columns: Sequence[str], rows: Sequence[Sequence[Cell]]) -> bytes:
    lines = [",".join(csv_field(neutralise_csv(c)) for c in columns)]
    lines += [",".join(csv_field(neutralise_csv(_finite(c))) for c in row) for row in rows]
    return "".join(line + "\r\n" for line in lines).encode("utf-8")


def to_json(columns: Sequence[str], rows: Sequence[Sequence[Cell]]) -> bytes:
    records = [
        {column: c.isoformat() if isinstance(c, date) else _finite(c) for column, c in zip(columns, row, strict=True)}
        for row in rows
    ]
    return (json.dumps(records, indent=2, ensure_ascii=False, allow_nan=False) + "\n").encode("utf-8")


def to_xlsx(columns: Sequence[str], rows: Sequence[Sequence[Cell]], sheet: str, stamp: date) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.writer.excel import ExcelWriter

    def text(value: str) -> str:
        return ILLEGAL_CHARACTERS_RE.sub("\ufffd", str(neutralise(value)))

    book = Workbook()
    book.properties.creator = "govdocs"
    book.properties.created = book.properties.modified = datetime.combine(stamp, time())
    table = book.active
    table.title = sheet
    table.append([text(c) for c in columns])
    for cell in table[1]:
        cell.font = Font(bold=True)
    table.freeze_panes = "A2"
    for row in rows:
        table.append([text(c) if isinstance(c, str) else _finite(c) for c in row])
    buffer = io.BytesIO()
    # ExcelWriter rather than Workbook.save: save() stamps the core properties' "modified" with
    # the clock, so two exports of the same rows a second apart differed.
    ExcelWriter(book, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)).save()
    return _pin_zip_times(buffer.getvalue(), stamp)


def _pin_zip_times(archive: bytes, stamp: date) -> bytes:
    """The same workbook bytes for the same rows: zip entries carry the stamp, not the clock."""
    source = zipfile.ZipFile(io.BytesIO(archive))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as pinned:
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=(stamp.year, stamp.month, stamp.day, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            pinned.writestr(info, source.read(entry.filename))
    return out.getvalue()


def to_parquet(columns: Sequence[str], rows: Sequence[Sequence[Cell]]) -> bytes:
    """Typed columns for tools that read Parquet (numbers stay numbers, no formula risk)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({column: [_finite(row[i]) for row in rows] for i, column in enumerate(columns)})
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


def check_format(path: Path) -> str:
    """The table format a file name asks for (its suffix), refused when unknown or when its
    writer is not installed (Parquet: the parquet extra); called before any work is done."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise GovdocsError(
            [
                Problem(
                    "usage.export_format",
                    f"cannot tell the format from '{path.name}': "
                    f"name the file {', '.join(FORMATS[:-1])} or {FORMATS[-1]}",
                    Location("--out"),
                    ExitCode.USAGE,
                )
            ]
        )
    if suffix == ".parquet":
        from govdocs import extras

        extras.require("parquet", "writing Parquet", "--out")
    return suffix


def write_table(
    path: Path, columns: Sequence[str], rows: Sequence[Sequence[Cell]], *, sheet: str, stamp: date, force: bool
) -> None:
    """Write the rows in the format the file name asks for; refuse to overwrite unless forced."""
    suffix = check_format(path)
    check_targets([path], force)
    if suffix == ".csv":
        content = to_csv(columns, rows)
    elif suffix == ".json":
        content = to_json(columns, rows)
    elif suffix == ".parquet":
        content = to_parquet(columns, rows)
    else:
        content = to_xlsx(columns, rows, sheet, stamp)
    write_atomic(path, content)
