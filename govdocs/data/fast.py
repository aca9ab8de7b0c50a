"""Load step, data: the fast path for a regular long-format CSV file, read in C by pyarrow.

Most KPI files are plain machine exports: a long-format header, one record per line, no
quotes, every cell clean. Such a file is read by pyarrow's CSV reader (ids as dictionaries,
values as doubles) and checked on arrays, in a fraction of the time the exact pass takes.
The fast path only ever accepts: a file with anything it does not check for (quotes, blank
lines, a stray carriage return, a wide layout, a bad or padded cell, a duplicate row) is
handed to the exact pass, which reads every cell as text and names each problem by line and
column. So both paths give the same table for every file the fast one accepts (the tests hold
them to it), and error messages are the exact pass's alone.
"""

from __future__ import annotations

import csv

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from govdocs.data.cells import LONG_OPTIONAL, LONG_REQUIRED, SOURCES, column_name, month_index
from govdocs.limits import CONTROL_CHARACTER

# Every character Python's str.strip() removes: the exact pass strips cells, so a cell that
# starts or ends with one of them is left to it.
_SPACE = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_PADDED = f"^[{_SPACE}]|[{_SPACE}]$"
_DICTIONARY = pa.dictionary(pa.int32(), pa.string())
_NUMBER = pa.float64()


def read_regular_csv(raw: bytes) -> pd.DataFrame | None:
    """The tidy table of a regular long-format CSV file (as `cells.tidy_frame` gives it), or
    None when the file is anything else and must be read exactly."""
    body = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    names = _long_header(body)
    lines = _line_count(body) if names is not None else None
    if names is None or lines is None:
        return None
    try:
        table = _read(body, names)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None  # a ragged row, a cell that is not a number, bytes that are not UTF-8, ...
    rows = table.num_rows
    if rows == 0 or rows != lines - 1:
        return None
    columns = {name: _single(table[name]) for name in names}
    ids = {name: _clean_texts(columns[name]) for name in ("partner", "kpi", "period")}
    if any(texts is None for texts in ids.values()) or "" in ids["partner"][0] or "" in ids["kpi"][0]:
        return None
    values = columns["value"]
    if values.null_count or not _all_finite(values):
        return None
    volumes = columns.get("volume")
    if volumes is not None and not _all_finite(volumes.drop_null()):
        return None
    if volumes is not None and pc.any(pc.less(volumes, 0)).as_py():
        return None
    period_values, period_codes = ids["period"]
    month_of = np.array([month_index(p) for p in period_values], dtype=float)
    if np.isnan(month_of).any():
        return None
    source = _sources(columns["source"]) if "source" in columns else pa.nulls(rows, pa.string())
    keys = pd.DataFrame({"partner": ids["partner"][1], "kpi": ids["kpi"][1], "period": period_codes})
    if source is None or keys.duplicated().any():
        return None  # the exact pass names each second row and where the first one is
    frame = pa.table(
        {
            "partner": columns["partner"].dictionary_decode(),
            "kpi": columns["kpi"].dictionary_decode(),
            "month": month_of[period_codes],
            "value": values,
            "volume": volumes if volumes is not None else pa.nulls(rows, _NUMBER),
            "line": np.arange(2, rows + 2),
        }
    ).to_pandas(split_blocks=True, self_destruct=True)  # each Arrow column freed once converted
    pa.default_memory_pool().release_unused()  # the Arrow table's memory back to the system
    # As the exact pass has it: Python's None in every row when no row names a source.
    frame["source"] = source.to_pandas() if source.null_count < rows else None
    return frame


def _long_header(body: bytes) -> list[str] | None:
    """The column names of a long-format header line, or None."""
    end = body.find(b"\n")
    try:
        first = body[: end if end >= 0 else len(body)].rstrip(b"\r").decode("utf-8")
    except UnicodeDecodeError:
        return None
    names = [column_name(cell) for cell in first.split(",")]
    allowed = set(LONG_REQUIRED + LONG_OPTIONAL)
    if len(set(names)) != len(names) or not set(LONG_REQUIRED) <= set(names) <= allowed:
        return None
    return names


def _line_count(body: bytes) -> int | None:
    """The number of lines, when every record is one line: no quotes (so no record spans
    lines), no NUL, \r only before \n, no blank line and none longer than the csv module reads
    (the exact pass reports that). None otherwise."""
    if b'"' in body or b"\x00" in body:
        return None
    buffer = np.frombuffer(body, dtype=np.uint8)
    returns = np.flatnonzero(buffer == ord("\r"))
    if len(returns) and (returns[-1] + 1 >= len(buffer) or bool((buffer[returns + 1] != ord("\n")).any())):
        return None
    ends = np.flatnonzero(buffer == ord("\n"))
    if not body.endswith(b"\n"):
        ends = np.append(ends, len(body))
    starts = np.concatenate(([0], ends[:-1] + 1))
    lengths = ends - starts - (buffer[np.maximum(ends - 1, 0)] == ord("\r"))
    if not len(ends) or bool((lengths <= 0).any()) or int(lengths.max()) > csv.field_size_limit():
        return None
    return len(ends)


def _read(body: bytes, names: list[str]) -> pa.Table:
    types = {name: _NUMBER if name in ("value", "volume") else _DICTIONARY for name in names}
    return pa_csv.read_csv(
        pa.BufferReader(body),
        read_options=pa_csv.ReadOptions(column_names=names, skip_rows=1, use_threads=True),
        parse_options=pa_csv.ParseOptions(quote_char=False, double_quote=False, newlines_in_values=False),
        convert_options=pa_csv.ConvertOptions(
            column_types=types,
            null_values=[""],  # only an empty cell is missing: 'NA' or 'n/a' is a bad number
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )


def _single(column: pa.ChunkedArray) -> pa.Array:
    if pa.types.is_dictionary(column.type):
        column = column.unify_dictionaries()
    return column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)


def _clean_texts(column: pa.DictionaryArray) -> tuple[list[str], np.ndarray] | None:
    """The distinct cells and each row's code, when no cell is padded with white space."""
    distinct = column.dictionary
    if pc.any(pc.match_substring_regex(distinct, _PADDED)).as_py():
        return None
    cells = distinct.to_pylist()
    if any(CONTROL_CHARACTER.search(cell) for cell in cells if cell):
        return None  # the exact pass names the line
    return cells, column.indices.to_numpy(zero_copy_only=False)


def _all_finite(numbers: pa.Array) -> bool:
    return bool(np.isfinite(numbers.to_numpy(zero_copy_only=False)).all())


def _sources(column: pa.DictionaryArray) -> pa.Array | None:
    """Each row's source in our words; None when a cell is not one we know."""
    texts = _clean_texts(column)
    if texts is None:
        return None
    distinct, codes = texts
    named = [SOURCES.get(text.lower()) for text in distinct]
    if any(name is None and text != "" for name, text in zip(named, distinct, strict=True)):
        return None
    return pa.array(named, pa.string()).take(codes)
