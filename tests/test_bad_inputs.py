"""The bad-input catalogue, at the command line: each hostile or broken input gives one clear
line naming its file and line/column (or config path and line), the documented exit code
(config 3, data 4, human inputs 5), no traceback, and nothing in the output folder.

Every case runs the example's `govdocs qbr --all` with one input replaced. The loaders' unit
tests (test_data_loader.py, test_config.py) cover the finer variations of each refusal.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import shutil
import struct
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from conftest import CONFIG, DATA, INPUTS

from govdocs.cli import cli
from govdocs.data.actions import load_proposed_actions
from govdocs.data.loader import load_kpi_data, read_kpi_file
from govdocs.errors import GovdocsError
from tests.platform_records import (
    CXONE_HEADER,
    FIVE9_HEADER,
    PARTNERS,
    ZENDESK_PARTNERS,
    ZONE,
    cxone_rows,
    five9_rows,
    salesforce_csv,
    salesforce_records,
    scenarios,
    talkdesk_entries,
    talkdesk_report,
    twilio_list,
    write_csv,
    zendesk_page,
)

CSV = DATA.read_text(encoding="utf-8")
YAML = CONFIG.read_text(encoding="utf-8")
ATL = (INPUTS / "ATL.yaml").read_text(encoding="utf-8")
CSV_HEADER = CSV.split("\n", 1)[0].split(",")
RAW = CONFIG.parent / "raw"
ROW_3 = CSV.split("\n")[2]  # line 3 of the example data: ATL, 2025-05, service_level
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

# --- building the broken inputs -------------------------------------------------------------

Inputs = dict[str, Path]  # which inputs a case replaces: "config", "data" and/or "inputs" (one file)

UNKNOWN_PARTNER_REMEDY = "remove its rows with the partner (or add the partner back to the config)"


def edit(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"{old!r} must occur once"
    return text.replace(old, new)


def line_of(text: str, fragment: str) -> int:
    return text[: text.index(fragment)].count("\n") + 1


def data(name: str, content: str | bytes | Callable[[], bytes]) -> Callable[[Path], Inputs]:
    def build(tmp: Path) -> Inputs:
        body = content() if callable(content) else content
        path = tmp / name
        path.write_bytes(body.encode("utf-8") if isinstance(body, str) else body)
        return {"data": path}

    return build


def row_3(new: str) -> str:
    return edit(CSV, ROW_3 + "\n", new + "\n")


def config(content: str | bytes) -> Callable[[Path], Inputs]:
    def build(tmp: Path) -> Inputs:
        path = tmp / "governance.yaml"
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        return {"config": path}

    return build


def inputs(content: str | bytes) -> Callable[[Path], Inputs]:
    """A copy of the example inputs folder with ATL.yaml replaced."""

    def build(tmp: Path) -> Inputs:
        folder = tmp / "inputs"
        shutil.copytree(INPUTS, folder)
        path = folder / "ATL.yaml"
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        return {"inputs": path}

    return build


def csv_rows() -> list[list[object]]:
    """The example data as spreadsheet rows, numbers as numbers."""
    lines = [line.split(",") for line in CSV.splitlines()]
    return [lines[0]] + [[p, m, k, float(v), float(n) if n else None, s] for p, m, k, v, n, s in lines[1:]]


def workbook(sheets: dict[str, list[list[object]]], merge: str | None = None) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        if merge:
            sheet.merge_cells(merge)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def formula_workbook() -> bytes:
    rows = csv_rows()
    rows[2][3] = "=D2*1"  # openpyxl writes the formula and no result, as scripts do
    return workbook({"kpis": rows})


def workbook_parts() -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(workbook({"kpis": [["partner"]]}))) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def deflate(data: bytes, final: bool) -> bytes:
    """Raw deflate; a full flush ends on a byte boundary with no back-references, so that
    chunks made this way can be repeated and concatenated into one valid stream."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(zlib.Z_FINISH if final else zlib.Z_FULL_FLUSH)


def zip_file(parts: dict[str, tuple[int, int, bytes]]) -> bytes:
    """A zip of already-deflated parts: name -> (crc32, declared size, deflated bytes)."""
    out = io.BytesIO()
    directory = []
    for name, (crc, size, body) in parts.items():
        offset, encoded = out.tell(), name.encode()
        fields = (20, 0, 8, 0, 0x21, crc, len(body), size, len(encoded))
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields, 0) + encoded + body)
        directory.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, *fields, 0, 0, 0, 0, 0, offset) + encoded)
    start, listing = out.tell(), b"".join(directory)
    out.write(
        listing + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(directory), len(directory), len(listing), start, 0)
    )
    return out.getvalue()


def zip_bomb(megabytes: int, row: Callable[[int], bytes], declared: int | None = None) -> bytes:
    """A workbook whose sheet XML inflates to `megabytes` MB of rows, built without holding them."""
    head = f'<worksheet xmlns="{MAIN}"><sheetData>'.encode()
    tail = b"</sheetData></worksheet>"
    rows, length = [], 0
    while length < 2**20:
        rows.append(row(len(rows)))
        length += len(rows[-1])
    block = b"".join(rows)
    crc = zlib.crc32(head)
    for _ in range(megabytes):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(tail, crc)
    size = len(head) + len(block) * megabytes + len(tail)
    body = deflate(head, False) + deflate(block, False) * megabytes + deflate(tail, True)
    parts = {n: (zlib.crc32(c), len(c), deflate(c, True)) for n, c in workbook_parts().items()}
    parts["xl/worksheets/sheet1.xml"] = (crc, size if declared is None else declared, body)
    return zip_file(parts)


def zeros_row(_: int) -> bytes:
    return b"<row><c><v>0</v></c></row>"


def numbers_row(number: int) -> bytes:
    """Rows that compress about 50 times, as a plausible sheet of numbers might."""
    return f"<row><c><v>{(number * 7919) % 999_983 if number % 8 == 0 else 0}</v></c></row>".encode()


def entity_bomb(padding: int = 0) -> bytes:
    """Billion laughs in a sheet: ten entities each ten times the one before, behind a comment
    of `padding` bytes."""
    entities = '<!ENTITY a0 "lol">' + "".join(f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10))
    sheet = (
        f'<?xml version="1.0"?><!--{" " * padding}--><!DOCTYPE worksheet [{entities}]><worksheet xmlns="{MAIN}">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&a9;</t></is></c></row></sheetData></worksheet>'
    ).encode()
    parts = {**workbook_parts(), "xl/worksheets/sheet1.xml": sheet}
    return zip_file({n: (zlib.crc32(c), len(c), deflate(c, True)) for n, c in parts.items()})


def sheet_workbook(rows: str, dimension: str = "") -> bytes:
    """A workbook whose one sheet is the XML given (rows, and optionally the size it claims)."""
    sheet = f'<worksheet xmlns="{MAIN}">{dimension}<sheetData>{rows}</sheetData></worksheet>'.encode()
    parts = {**workbook_parts(), "xl/worksheets/sheet1.xml": sheet}
    return zip_file({n: (zlib.crc32(c), len(c), deflate(c, True)) for n, c in parts.items()})


HEADER_ROW = "".join(
    f'<c r="{column}1" t="inlineStr"><is><t>{name}</t></is></c>'
    for column, name in zip("ABCD", CSV_HEADER, strict=False)
)


def row_bomb() -> bytes:
    """A tiny workbook whose second row is numbered one billion: a reader that fills in the
    missing rows would make a billion of them."""
    far = '<row r="1000000000"><c r="A1000000000" t="inlineStr"><is><t>ATL</t></is></c></row>'
    return sheet_workbook(f'<row r="1">{HEADER_ROW}</row>{far}')


def dimension_bomb() -> bytes:
    """A header only, in a sheet that claims to be A1:XFD1048576: 17 billion cells if believed."""
    return sheet_workbook(f'<row r="1">{HEADER_ROW}</row>', '<dimension ref="A1:XFD1048576"/>')


def parquet(table: pa.Table) -> bytes:
    buffer = pa.BufferOutputStream()
    pq.write_table(table, buffer)
    return buffer.getvalue().to_pybytes()


def example_table() -> pa.Table:
    return pa.Table.from_pandas(pd.read_csv(DATA, dtype=str, keep_default_na=False), preserve_index=False)


def list_column_parquet() -> bytes:
    table = example_table()
    return parquet(table.set_column(3, "value", pa.array([[1.0]] * len(table))))


# A config whose partner ATL is "0123", with the data to match, but for one row written 00123.
ZERO_CONFIG = edit(edit(YAML, "  - id: ATL\n", '  - id: "0123"\n'), "partners: [ATL, ", 'partners: ["0123", ')
ZERO_DATA = row_3("00123" + ROW_3[3:]).replace("\nATL,", "\n0123,")


def zero_ids(tmp: Path) -> Inputs:
    return {**config(ZERO_CONFIG)(tmp), **data("kpis.csv", ZERO_DATA)(tmp)}


def alias_bomb(key: str) -> str:
    lines = [f"{key}: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 8)]
    return "\n".join(lines) + "\n"


DEEP = "client: " + "[" * 5000 + "]" * 5000 + "\n"
# Written 51 levels deep at most, but each anchor holds the one before: 612 levels once expanded.
DEEP_ALIASES = "".join(f"a{i}: &a{i} {'[' * 51}{f'*a{i - 1}' if i else 'x'}{']' * 51}\n" for i in range(12))

# --- the catalogue --------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    build: Callable[[Path], Inputs]
    exit_code: int
    lines: tuple[str, ...]  # {data}, {config}, {inputs}: the replaced files
    pattern: bool = False  # lines are regular expressions (after formatting)
    options: tuple[str, ...] = ()  # added to the command line; a repeated option's last value wins


PARTNER_LINE = line_of(YAML, "  - id: ATL\n")
MEETING_LINE = line_of(YAML, "  meeting_time:")
CRN_NAME_LINE = line_of(YAML, "    name: Cornerstone BPO\n")
BRV_ALIASES_LINE = line_of(YAML, "aliases: [Bravo, Bravo CX]")
CONCERN_LINE = line_of(ATL, "not reported proactively.")
CLIENT_NAME_LINE = line_of(YAML, "  name: Helios Energy Retail\n")
OWNER_LINE = line_of(ATL, "    owner: Mara Lindqvist")
ID_LINE = line_of(ATL, "  - id: Q2-ATL-1")
DUE_LINE = line_of(ATL, "    due: 2026-08-31")
DTD_REFUSED = (
    "declares a DTD or entities, which no workbook needs and which can expand without bound (an XML entity bomb?)"
)
TAG_REFUSED = "tag !!python/object/apply:os.system is not allowed: write plain YAML (no !!python/... or other tags)"
# Deep nesting is refused by govdocs' own depth check or, with libyaml >= 0.2.6, by the YAML
# library's nesting limit first: either way one line at line 1 with a govdocs code, whatever the
# library's wording. The message after the location is not pinned.
NESTING_REFUSED = r"{}:1: \S.* \[yaml\.(?:too_large|syntax)\]"


def first_row(kpi: str, value: str | None = None, volume: str | None = None) -> tuple[str, int]:
    """The example data with the first row of `kpi` changed, and that row's line."""
    lines = CSV.split("\n")
    number = next(i for i, line in enumerate(lines) if line.split(",")[2:3] == [kpi])
    cells = lines[number].split(",")
    cells[3] = value if value is not None else cells[3]
    cells[4] = volume if volume is not None else cells[4]
    lines[number] = ",".join(cells)
    return "\n".join(lines), number + 1


def out_of_range(kpi: str, value: str, domain: str) -> Case:
    text, line = first_row(kpi, value=value)
    message = f"{kpi} value {value} is outside what a {domain}"
    return Case(data("kpis.csv", text), 4, (f"{{data}}:{line}: column 'value': {message} [data.value_out_of_range]",))


NEXT_STEP_LINE = line_of(ATL, "    due: 2026-12-10")
CONTEXT_ATL = edit(
    ATL,
    "commentary:\n",
    'context:\n  - kind: volume_change\n    since: "2031-01"\n    summary: Volume doubles.\ncommentary:\n',
)

CONTEXT_LINE = line_of(CONTEXT_ATL, '    since: "2031-01"')


def with_inputs(edit_atl: Callable[[str], str]) -> Callable[[Path], Inputs]:
    return inputs(edit_atl(ATL))


def config_and_data(config_text: str, data_text: str) -> Callable[[Path], Inputs]:
    def build(tmp: Path) -> Inputs:
        return {**config(config_text)(tmp), **data("kpis.csv", data_text)(tmp)}

    return build


def aht_as_count() -> str:
    """The example config with aht measured as a count instead of seconds."""
    start = YAML.index("  - id: aht")
    unit = YAML.index("unit: seconds", start)
    return YAML[:unit] + "unit: count" + YAML[unit + len("unit: seconds") :]


LONG_SUMMARY = "x" * 3_000
FIVE_MB_ATL = edit(
    ATL, "commentary:\n", "context:\n  - kind: other\n    summary: " + "word " * 1_000_000 + "\ncommentary:\n"
)
CONCERNS_LINE = line_of(ATL, "  concerns:")
NEXT_STEPS_LINE = line_of(ATL, "next_steps:")
STEP_OWNER_LINE = line_of(ATL, "    owner: Tom Achterberg")
NOTE_LINE = line_of(ATL, "    - Candidate for the 2027")
WEIGHT_LINE = line_of(YAML, "    weight: 20\n")
CURRENCY_LINE = line_of(YAML, "      currency: EUR\n")
NOTICE_LINE = line_of(YAML, "      notice_days: 180\n")
VERSION_LINE = line_of(YAML, "version: 1\n")
BRV_LINE = line_of(YAML, "  - id: BRV\n")
AS_OF_EARLY = "not after Q3 2026 ended (2026-09-30): a document is issued after its quarter [usage.as_of]"
AS_OF_LATE = "more than 3 years after Q3 2026 ended (2026-09-30) [usage.as_of]"

CONTACT_LINE = line_of(YAML, "email: m.lindqvist@atlas-cs.example")
FIRST_CONCERN_LINE = CONCERNS_LINE + 1


def fifo_config(tmp: Path) -> Inputs:
    """A named pipe where the config should be: a read would wait for a writer forever."""
    import os

    path = tmp / "governance.yaml"
    os.mkfifo(path)
    return {"config": path}


def fifo_inputs(tmp: Path) -> Inputs:
    import os

    folder = tmp / "inputs"
    shutil.copytree(INPUTS, folder)
    (folder / "ATL.yaml").unlink()
    os.mkfifo(folder / "ATL.yaml")
    return {"inputs": folder / "ATL.yaml"}


def fifo_data(tmp: Path) -> Inputs:
    import os

    path = tmp / "kpis.csv"
    os.mkfifo(path)
    return {"data": path}


def many_raw_files(tmp: Path) -> Inputs:
    """A raw mapping reading 40 one-row ACD files of one header (the example's first July contacts),
    one of which ends in a quoted field left open: DuckDB reads that file with other columns than
    its header line says."""
    mapping = (RAW / "mapping.yaml").read_text(encoding="utf-8")
    head, kpis = mapping.split("    surveys:")[0], mapping.split("  kpis:")[1].split("    - kpi: fcr")[0]
    (tmp / "mapping.yaml").write_text(
        edit(head, "files: acd/interactions_*.csv.gz", "files: calls/*.csv") + "  kpis:" + kpis, encoding="utf-8"
    )
    header, *rows = gzip.decompress((RAW / "acd" / "interactions_202607.csv.gz").read_bytes()).splitlines()[:41]
    (tmp / "calls").mkdir()
    for i, row in enumerate(rows):
        open_quote = b'IX-X,Atlas Lisbon,"Voice\n' if i == 31 else b""
        (tmp / "calls" / f"c{i:03d}.csv").write_bytes(header + b"\n" + row + b"\n" + open_quote)
    return {"raw": tmp / "mapping.yaml"}


def platform_export(
    fmt: str, name: str, write: Callable[[Path], object], partners: dict[str, str] = PARTNERS
) -> Callable[[Path], Inputs]:
    """A raw mapping reading one export (`write` writes it to `name`) through `format: fmt`."""

    def build(tmp: Path) -> Inputs:
        write(tmp / name)
        source = {"files": name, "format": fmt, "timezone": ZONE, "partner_values": partners}
        mapping = {"raw_data": {"sources": {"interactions": source}, "kpis": [{"kpi": "asa", "measure": "asa"}]}}
        (tmp / "mapping.yaml").write_text(json.dumps(mapping, indent=2), encoding="utf-8")  # JSON is YAML
        return {"raw": tmp / "mapping.yaml"}

    return build


def column_twice(header: list[str], rows: list[list[str]], spelled: str) -> Callable[[Path], object]:
    """A CSV export with a column it has given again at the end, `spelled` in other letters (a
    report template's column added twice): its cells differ from the first column's."""
    return lambda path: write_csv(path, [*header, spelled], [[*row, "00:00:01"] for row in rows])


def talkdesk_csv(path: Path) -> None:
    """The calls report requested as CSV, with talk_time given twice."""
    entries = talkdesk_entries(scenarios())
    fields = list(entries[0])
    rows = [["" if e[f] is None else str(e[f]) for f in fields] + ["1"] for e in entries]
    write_csv(path, [*fields, "Talk_Time"], rows)


def salesforce_twice(path: Path) -> None:
    """Bulk API 2.0 results whose query selected CallQueuedDateTime twice (once by an alias's spelling)."""
    records = [{**r, "callqueueddatetime": "2026-07-01T08:00:00.000Z"} for r in salesforce_records(scenarios())]
    salesforce_csv(path, records)


DUPLICATE = r"\[raw\.duplicate_column\]"
NO_RECORDS = "nothing to compute a KPI from \\[raw\\.no_records\\]"
WORKER_EVENT = {
    "sid": "EV" + "1" * 32,
    "event_type": "worker.activity.update",
    "event_date": "2026-07-01T08:00:00Z",
    "event_date_ms": 1782892800000,
    "event_data": {"worker_sid": "WK" + "2" * 32, "worker_activity_name": "Available"},
}


def zero_link(tmp: Path) -> Inputs:
    """A data file that is a link to /dev/zero: a read without a bound grows until memory runs out."""
    path = tmp / "kpis.csv"
    path.symlink_to("/dev/zero")
    return {"data": path}


SIGNING_LINE = YAML.count("\n") + 2  # the trust list's entry, appended after the last line

CASES: dict[str, Case] = {
    # --- unbounded human inputs: every text and list has a limit, checked at load
    "inputs: a 5 MB context summary": Case(
        inputs(FIVE_MB_ATL),
        5,
        (
            "{inputs}: the file is 4.8 MB, more than the 1 MB a human-input file may hold "
            "(2,000 characters a text, 50 entries a list) [file.too_large]",
        ),
    ),
    "inputs: a context summary of 3,000 characters": Case(
        with_inputs(
            lambda t: edit(t, "commentary:\n", f"context:\n  - kind: other\n    summary: {LONG_SUMMARY}\ncommentary:\n")
        ),
        5,
        (
            f"{{inputs}}:{line_of(ATL, 'commentary:') + 2}: context[0].summary: text of 3,000 characters, more than "
            "the 2,000 this field may hold; shorten it [inputs.string_too_long]",
        ),
    ),
    "inputs: 20,000 concerns": Case(
        with_inputs(lambda t: edit(t, "  concerns:\n", "  concerns:\n" + "    - Too slow.\n" * 20_000)),
        5,
        (
            f"{{inputs}}:{CONCERNS_LINE}: commentary.concerns: 20,001 entries, more than the 50 this list may hold; "
            "keep the ones the review needs [inputs.too_long]",
        ),
    ),
    "inputs: 51 next steps": Case(
        with_inputs(
            lambda t: edit(
                t, "next_steps:\n", "next_steps:\n" + "  - {action: Call the team, owner: Ana, due: 2026-12-01}\n" * 49
            )
        ),
        5,
        (
            f"{{inputs}}:{NEXT_STEPS_LINE}: next_steps: 51 entries, more than the 50 this list may hold; "
            "keep the ones the review needs [inputs.too_long]",
        ),
    ),
    "inputs: an owner of 300 characters": Case(
        with_inputs(lambda t: edit(t, "owner: Tom Achterberg", "owner: " + "T" * 300)),
        5,
        (
            f"{{inputs}}:{STEP_OWNER_LINE}: next_steps[1].owner: text of 300 characters, more than the 200 this "
            "field may hold; shorten it [inputs.string_too_long]",
        ),
    ),
    "inputs: an action id of 201 characters": Case(
        with_inputs(lambda t: edit(t, "id: Q2-ATL-1", "id: " + "Q" * 201)),
        5,
        (
            f"{{inputs}}:{ID_LINE}: previous_actions[0].id: text of 201 characters, more than the 200 this field "
            "may hold; shorten it [inputs.string_too_long]",
        ),
    ),
    "inputs: an internal note of 2,001 characters": Case(
        with_inputs(
            lambda t: edit(t, "    - Candidate for the 2027", "    - " + "n" * 1_950 + " Candidate for the 2027")
        ),
        5,
        (
            rf"{{inputs}}:{NOTE_LINE}: commentary\.internal_notes\[0\]: text of 2,0\d\d characters, more than the "
            r"2,000 this field may hold; shorten it \[inputs\.string_too_long\]",
        ),
        pattern=True,
    ),
    "inputs: a 2 MB word": Case(
        with_inputs(lambda t: edit(t, "    - Candidate for the 2027", "    - " + "w" * 2_000_000)),
        5,
        (
            "{inputs}: the file is 1.9 MB, more than the 1 MB a human-input file may hold "
            "(2,000 characters a text, 50 entries a list) [file.too_large]",
        ),
    ),
    # --- smaller ones: the message says what is wrong in the author's terms
    "a weight written 1e-320": Case(
        config(edit(YAML, "    weight: 20\n", "    weight: 1e-320\n")),
        3,
        (
            f"{{config}}:{WEIGHT_LINE}: kpis[0].weight: expected a number but YAML 1.1 reads 1e-320 as text: "
            "an exponent needs a decimal point and a sign; write 1.0e-320 [config.float_type]",
        ),
    ),
    "a weight in quotes": Case(
        config(edit(YAML, "    weight: 20\n", '    weight: "20"\n')),
        3,
        (
            f"{{config}}:{WEIGHT_LINE}: kpis[0].weight: expected a number but got the text '20'; "
            "write it without quotes [config.float_type]",
        ),
    ),
    "a currency in lower case": Case(
        config(YAML.replace("      currency: EUR\n", "      currency: eur\n", 1)),
        3,
        (
            f"{{config}}:{CURRENCY_LINE}: partners[0].contract.currency: 'eur' is not a valid value here: expected a "
            "three-letter currency code in capitals, e.g. EUR [config.string_pattern_mismatch]",
        ),
    ),
    "a partner id with spaces": Case(
        config(edit(YAML, "  - id: ATL\n", '  - id: "A T L"\n')),
        3,
        (
            f"{{config}}:{PARTNER_LINE}: partners[0].id: 'A T L' is not a valid value here: expected an id: letters, "
            "digits, '_', '-' and '.', starting with a letter or digit, at most 64 characters "
            "[config.string_pattern_mismatch]",
        ),
    ),
    # Names that cannot be disguised (issue 33 point 5): a name written to read as another, and
    # another partner named in ATL's inputs behind an invisible or look-alike character.
    "a partner named with a right-to-left override": Case(
        config(edit(YAML, "    name: Cornerstone BPO\n", '    name: "\\u202eOPB enotsrenroC"\n')),
        3,
        (
            f"{{config}}:{CRN_NAME_LINE}: partners[2].name: '\\u202eOPB enotsrenroC' contains a bidirectional "
            "control character, which can make it display as another name [config.disguised_name]",
        ),
    ),
    "an alias mixing Latin and Cyrillic letters": Case(
        config(edit(YAML, "aliases: [Bravo, Bravo CX]", 'aliases: [Bravo, "Br\u0430vo CX"]')),
        3,
        (
            f"{{config}}:{BRV_ALIASES_LINE}: partners[1].aliases[1]: 'Br\\u0430vo CX' mixes Latin and Cyrillic "
            "letters, which can disguise another name [config.disguised_name]",
        ),
    ),
    "another partner's contact with a Cyrillic look-alike letter in the inputs": Case(
        inputs(edit(ATL, "not reported proactively.", "not reported proactively, unlike Daniel Ok\u0430for.")),
        5,
        (
            f"{{inputs}}:{CONCERN_LINE}: commentary.concerns[0]: names 'Daniel Okafor', which identifies another "
            "partner ('BRV'), in text the partner copy for 'ATL' prints; reword it or move it to "
            "commentary.internal_notes [isolation.other_partner_named]",
        ),
    ),
    "another partner's name behind a zero-width space in the inputs": Case(
        inputs(edit(ATL, "not reported proactively.", "not reported proactively, as Corner\u200bstone does.")),
        5,
        (
            f"{{inputs}}:{CONCERN_LINE}: commentary.concerns[0]: names 'Cornerstone', which identifies another "
            "partner ('CRN'), in text the partner copy for 'ATL' prints; reword it or move it to "
            "commentary.internal_notes [isolation.other_partner_named]",
        ),
    ),
    "config version 2": Case(
        config(edit(YAML, "version: 1\n", "version: 2\n")),
        3,
        (f"{{config}}:{VERSION_LINE}: version: format version 2 is not one this govdocs reads (1) [config.version]",),
    ),
    "partner ids ATL and atl": Case(
        config(YAML.replace("BRV", "atl")),
        3,
        (
            f"{{config}}:{BRV_LINE}: partners[1].id: partner id 'atl' differs from 'ATL' only by case: their file "
            "names would be one file on Windows and macOS [config.duplicate_id]",
        ),
    ),
    "the partner id CON": Case(
        config(YAML.replace("BRV", "CON")),
        3,
        (
            f"{{config}}:{BRV_LINE}: partners[1].id: partner id 'CON' is a reserved file name on Windows: "
            "choose another [config.reserved_id]",
        ),
    ),
    "a notice period longer than the contract": Case(
        config(YAML.replace("      notice_days: 180\n", "      notice_days: 2000\n", 1)),
        3,
        (
            f"{{config}}:{NOTICE_LINE}: partners[0].contract.notice_days: a notice period of 2000 days is as long as "
            "the contract or longer (2023-01-01 to 2027-12-31): notice could never be given in time "
            "[config.notice_period]",
        ),
    ),
    # --- an issue date the quarter cannot have
    **{
        f"--as-of {day}": Case(lambda tmp: {}, 2, (f"--as-of: {day} is {reason}",), options=("--as-of", day))
        for day, reason in (
            ("9999-12-31", AS_OF_LATE),
            ("2030-01-01", AS_OF_LATE),
            ("0001-01-01", AS_OF_EARLY),
            ("2026-07-01", AS_OF_EARLY),
            ("2026-09-30", AS_OF_EARLY),
        )
    },
    # --- dates at the edge
    "a next step due before the review": Case(
        inputs(edit(ATL, "    due: 2026-12-10", "    due: 1999-05-01")),
        5,
        (
            f"{{inputs}}:{NEXT_STEP_LINE}: next_steps[0].due: next step due 1999-05-01 is not after Q3 2026 ended "
            "(2026-09-30): a next step is agreed at the review, so it falls due after it [inputs.step_before_review]",
        ),
    ),
    "context that starts after the quarter": Case(
        inputs(CONTEXT_ATL),
        5,
        (
            f"{{inputs}}:{CONTEXT_LINE}: context[0].since: since 2031-01 is after "
            "Q3 2026 ended: the review reports what had happened by then [inputs.after_quarter]",
        ),
    ),
    # --- values the data cannot have (each unit's domain)
    "a percent above 100": out_of_range("service_level", "173.5", "percent KPI can be (0 to 100)"),
    "a negative percent": out_of_range("abandonment", "-5", "percent KPI can be (0 to 100)"),
    "a negative handle time": out_of_range("aht", "-12", "seconds KPI can be (0 or more)"),
    "a negative speed of answer": out_of_range("asa", "-1", "seconds KPI can be (0 or more)"),
    "a QA score beyond its declared scale": out_of_range("qa_score", "140", "score KPI can be (0 to 100)"),
    "a negative QA score": out_of_range("qa_score", "-3", "score KPI can be (0 to 100)"),
    "a satisfaction share above 100": out_of_range("csat", "100.5", "percent KPI can be (0 to 100)"),
    "a count that is not whole": Case(
        config_and_data(aht_as_count(), first_row("aht", value="412.5")[0]),
        4,
        (
            f"{{data}}:{first_row('aht')[1]}: column 'value': aht value 412.5 is not a whole number (a count) "
            "[data.value_out_of_range]",
        ),
    ),
    "a fractional volume": Case(
        data("kpis.csv", first_row("csat", volume="12.5")[0]),
        4,
        (
            f"{{data}}:{first_row('csat')[1]}: column 'volume': volume 12.5 is not a whole number (volumes count "
            "contacts, surveys or evaluations) [data.fractional_volume]",
        ),
    ),
    # --- CSV: encodings, separators, structure
    "latin-1": Case(
        data("kpis.csv", row_3("Zürich" + ROW_3[3:]).encode("latin-1")),
        4,
        (
            "{data}:3: column 'partner': not UTF-8 text: byte 0xFC in 'Zürich' (Windows-1252 or Latin-1?); "
            "export the file as UTF-8 CSV [data.encoding]",
        ),
    ),
    "UTF-16 with a byte-order mark": Case(
        data("kpis.csv", CSV.encode("utf-16")),
        4,
        (
            "{data}:1: the file is UTF-16 text (it starts with a UTF-16 byte-order mark); "
            "export it as UTF-8 CSV [data.encoding]",
        ),
    ),
    "UTF-16 without a byte-order mark": Case(
        data("kpis.csv", CSV.encode("utf-16-le")),
        4,
        (
            "{data}:1: the file looks like UTF-16 text (every other byte is NUL); "
            "export it as UTF-8 CSV [data.encoding]",
        ),
    ),
    "semicolons and decimal commas": Case(
        data("kpis.csv", re.sub(r"(\d)\.(\d)", r"\1,\2", CSV.replace(",", ";"))),
        4,
        (
            "{data}:1: the file is semicolon-separated with decimal commas; export it with commas as separators "
            "and '.' as decimal point [data.delimiter]",
        ),
    ),
    "a quoted decimal comma": Case(
        data("kpis.csv", row_3('ATL,2025-05,service_level,"85,5",42648,measured')),
        4,
        ("{data}:3: column 'value': '85,5' uses a decimal comma; write 85.5 [data.not_a_number]",),
    ),
    "an unquoted decimal comma": Case(
        data("kpis.csv", row_3("ATL,2025-05,service_level,85,5,42648,measured")),
        4,
        (
            "{data}:3: row has 7 fields, more than the 6 in the header "
            "(is 85,5 a number with a decimal comma? write it with '.') [data.ragged]",
        ),
    ),
    "a short row": Case(
        data("kpis.csv", row_3("ATL,2025-05,service_level,85.0,42648")),
        4,
        ("{data}:3: row has 5 fields, fewer than the 6 in the header [data.ragged]",),
    ),
    "an unterminated quote": Case(
        data("kpis.csv", row_3('ATL,2025-05,service_level,"85.0,42648,measured')),
        4,
        ('{data}:3: cannot read CSV: unterminated quoted field (a " is never closed) [data.malformed]',),
    ),
    "a NUL byte": Case(
        data("kpis.csv", row_3("ATL,2025-05,service_level,85.0\x00,42648,measured")),
        4,
        ("{data}:3: file contains a NUL byte; is it really a CSV text file? [data.nul_byte]",),
    ),
    "a duplicate header": Case(
        data("kpis.csv", CSV.replace("kpi,value,volume", "kpi,value,Value", 1)),
        4,
        ("{data}:1: column 'value' appears twice in the header [data.duplicate_header]",),
    ),
    "a missing header": Case(
        data("kpis.csv", CSV.split("\n", 1)[1]),
        4,
        (
            "{data}:1: row 1 holds data, not column names: the first row must be the header "
            "(partner, period, kpi, value, volume, source) [data.missing_header]",
        ),
    ),
    "a header only": Case(
        data("kpis.csv", CSV.split("\n", 1)[0] + "\n"),
        4,
        ("{data}:1: file has a header but no data rows [data.no_rows]",),
    ),
    "an empty file": Case(data("kpis.csv", b""), 4, ("{data}: file is empty [data.empty]",)),
    "an xlsx named .csv": Case(
        data("kpis.csv", lambda: workbook({"kpis": csv_rows()})),
        4,
        ("{data}:1: the file is a zip archive, not text; if it is an .xlsx workbook, name it .xlsx [data.encoding]",),
    ),
    # --- CSV: dates, numbers, identifiers
    **{
        f"the period {period}": Case(
            data("kpis.csv", row_3(f"ATL,{period},service_level,85.0,42648,measured")),
            4,
            (f"{{data}}:3: column 'period': '{period}' is not a month in YYYY-MM form{hint} [data.bad_period]",),
        )
        for period, hint in (
            ("07/2026", "; write 2026-07"),
            ("2026-7", "; write 2026-07"),
            (
                "7/1/2026",
                "; a date whose day and month cannot be told apart (7/1/2026: 1 July or 7 January?): write YYYY-MM",
            ),
            ("46204", "; an Excel date serial number (2026-07-01?): format the column as text and write 2026-07"),
            ("2026-07-01", "; a date, not a month: write 2026-07"),
        )
    },
    **{
        f"the value {value}": Case(
            data("kpis.csv", row_3(f"ATL,2025-05,service_level,{value},42648,measured")),
            4,
            (f"{{data}}:3: column 'value': '{value}' is not a finite number [data.not_a_number]",),
        )
        for value in ("inf", "nan", "1e400", "-Infinity")
    },
    "a negative volume": Case(
        data("kpis.csv", row_3("ATL,2025-05,service_level,85.0,-42648,measured")),
        4,
        ("{data}:3: column 'volume': volume -42648 is negative [data.negative_volume]",),
    ),
    **{
        f"the partner id {pid}": Case(
            data("kpis.csv", row_3(pid + ROW_3[3:])),
            4,
            (
                f"{{data}}:3: column 'partner': partner '{pid}' is not in the config: "
                f"{UNKNOWN_PARTNER_REMEDY} [data.unknown_partner]",
            ),
        )
        for pid in ("NA", "N/A", "null", "None", "#N/A")
    },
    "00123 in the data, 0123 in the config": Case(
        zero_ids,
        4,
        (
            "{data}:3: column 'partner': partner '00123' is not in the config (did you mean '0123'?): "
            "correct the partner id in the data to the config's spelling [data.unknown_partner]",
        ),
    ),
    # --- spreadsheets
    "a formula without a saved result": Case(
        data("kpis.xlsx", formula_workbook),
        4,
        (
            "{data}:3: column 'value': cell D3 holds the formula =D2*1 but no saved result; "
            "open and save the file in Excel, or paste values [data.formula_without_value]",
        ),
    ),
    "several sheets, none named kpis": Case(
        data("kpis.xlsx", lambda: workbook({"Summary": [["Q3 review"]], "Q3": csv_rows()})),
        4,
        ("{data}: workbook has 2 sheets (Summary, Q3); name the data sheet 'kpis' [data.several_sheets]",),
    ),
    "merged cells": Case(
        data("kpis.xlsx", lambda: workbook({"kpis": csv_rows()}, merge="A2:A4")),
        4,
        (
            "{data}:2: column 'partner': cells A2:A4 are merged, which leaves all but A2 empty; "
            "unmerge them and fill in every cell [data.merged_cells]",
        ),
    ),
    "an Excel date in the period column": Case(
        data(
            "kpis.xlsx",
            lambda: workbook({"kpis": [*csv_rows()[:2], ["ATL", datetime(2025, 5, 15), *ROW_3.split(",")[2:]]]}),
        ),
        4,
        (
            "{data}:3: column 'period': '2025-05-15' is not a month in YYYY-MM form; a date, not a month: "
            "write 2025-05 [data.bad_period]",
        ),
    ),
    "a text file named .xlsx": Case(
        data("kpis.xlsx", CSV),
        4,
        ("{data}: the file is text, not an .xlsx workbook; is it a CSV file named .xlsx? [data.bad_xlsx]",),
    ),
    "an XML entity bomb": Case(
        data("kpis.xlsx", entity_bomb),
        4,
        ("{data}: refused: xl/worksheets/sheet1.xml " + DTD_REFUSED + " [data.xlsx_unsafe]",),
    ),
    "an XML entity bomb behind a 20 KB comment": Case(
        data("kpis.xlsx", lambda: entity_bomb(padding=20_000)),
        4,
        ("{data}: refused: an XML part of the workbook declares entities (an XML entity bomb?) [data.xlsx_unsafe]",),
    ),
    "a zip bomb (300 MB of rows, 400 times compressed)": Case(
        data("kpis.xlsx", lambda: zip_bomb(300, zeros_row)),
        4,
        (
            r"{data}: refused: xl/worksheets/sheet1\.xml would inflate \d+ times, from \d+ KB to 300 MB "
            r"\(a zip bomb\?\) \[data\.zip_bomb\]",
        ),
        pattern=True,
    ),
    "a zip bomb under the size limit (100 MB, 400 times compressed)": Case(
        data("kpis.xlsx", lambda: zip_bomb(100, zeros_row)),
        4,
        (
            r"{data}: refused: xl/worksheets/sheet1\.xml would inflate \d+ times, from \d+ KB to 100 MB "
            r"\(a zip bomb\?\) \[data\.zip_bomb\]",
        ),
        pattern=True,
    ),
    "a workbook too large (150 MB of rows, 50 times compressed)": Case(
        data("kpis.xlsx", lambda: zip_bomb(150, numbers_row)),
        4,
        (
            "{data}: refused: the workbook would inflate to 150 MB, more than 128 MB; "
            "save this much data as CSV or Parquet [data.xlsx_too_large]",
        ),
    ),
    "a zip bomb that lies about its size": Case(
        data("kpis.xlsx", lambda: zip_bomb(300, zeros_row, declared=50_000)),
        4,
        (r"{data}: not a readable \.xlsx workbook \(.+\) \[data\.bad_xlsx\]",),
        pattern=True,
    ),
    "a sheet whose second row is row 1,000,000,000": Case(
        data("kpis.xlsx", row_bomb),
        4,
        ("{data}: refused: the sheet goes past row 1,048,576, Excel's last row [data.xlsx_too_large]",),
    ),
    "a sheet that claims to be A1:XFD1048576": Case(
        data("kpis.xlsx", dimension_bomb),
        4,
        ("{data}:1: file has a header but no data rows [data.no_rows]",),
    ),
    # --- Parquet
    # pyarrow's own words (its exception and how it spells a type) are not pinned
    "a truncated Parquet file": Case(
        data("kpis.parquet", lambda: parquet(example_table())[:-100]),
        4,
        (r"{data}: not a readable Parquet file \(\S.*\) \[data\.bad_parquet\]",),
        pattern=True,
    ),
    "a Parquet column of lists": Case(
        data("kpis.parquet", list_column_parquet),
        4,
        (r"{data}:1: column 'value': Parquet type \S.* is not text, a number or a date \[data\.column_type\]",),
        pattern=True,
    ),
    "a Parquet file of 10,000,000 empty rows (115 KB)": Case(
        data("kpis.parquet", lambda: parquet(pa.table({c: pa.nulls(10_000_000, pa.string()) for c in CSV_HEADER}))),
        4,
        ("{data}: refused: 10,000,000 rows of 6 columns, more than 50,000,000 cells [data.parquet_too_large]",),
    ),
    # --- the governance config
    "a duplicate key": Case(
        config(edit(YAML, "  name: Helios Energy Retail\n", "  name: Helios Energy Retail\n  name: Helios\n")),
        3,
        (
            f"{{config}}:{CLIENT_NAME_LINE + 1}: client.name: duplicate key 'name' (first on line {CLIENT_NAME_LINE}) "
            "[yaml.duplicate_key]",
        ),
    ),
    "a Python tag": Case(
        config(edit(YAML, "  name: Helios Energy Retail\n", "  name: !!python/object/apply:os.system [touch pwned]\n")),
        3,
        (f"{{config}}:{CLIENT_NAME_LINE}: client.name: {TAG_REFUSED} [yaml.tag]",),
    ),
    "NO as a partner id": Case(
        config(edit(YAML, "  - id: ATL\n", "  - id: NO\n")),
        3,
        (
            f"{{config}}:{PARTNER_LINE}: partners[0].id: expected text but YAML read NO as False; "
            'write it in quotes ("NO") [config.string_type]',
        ),
    ),
    "0123 as a partner id": Case(
        config(edit(YAML, "  - id: ATL\n", "  - id: 0123\n")),
        3,
        (
            f"{{config}}:{PARTNER_LINE}: partners[0].id: expected text but YAML read 0123 as the number 83 (octal); "
            'write it in quotes ("0123") [config.string_type]',
        ),
    ),
    "1:30 as a meeting time": Case(
        config(re.sub(r"meeting_time: \S+", "meeting_time: 1:30", YAML)),
        3,
        (
            f"{{config}}:{MEETING_LINE}: pip.meeting_time: expected text but YAML read 1:30 as the number 90 "
            '(base 60); write it in quotes ("1:30") [config.string_type]',
        ),
    ),
    "an alias bomb": Case(
        config(alias_bomb("client")),
        3,
        ("{config}:1: aliases expand the file by more than 100,000 values (nested too deeply?) [yaml.too_large]",),
    ),
    "5,000 nested lists": Case(config(DEEP), 3, (NESTING_REFUSED.format("{config}"),), pattern=True),
    "aliases nesting 612 levels deep": Case(
        config(DEEP_ALIASES),
        3,
        ("{config}:1: values are nested more than 64 levels deep [yaml.too_large]",),
    ),
    "a UTF-16 config": Case(
        config(YAML.encode("utf-16")),
        3,
        (
            "{config}:1: the file is UTF-16 text (it starts with a UTF-16 byte-order mark); "
            "save it as UTF-8 [file.encoding]",
        ),
    ),
    "a Latin-1 config": Case(
        config(edit(YAML, "Helios Energy Retail", "Hélios Energy Retail").encode("latin-1")),
        3,
        (
            f"{{config}}:{CLIENT_NAME_LINE}: not UTF-8 text: byte 0xE9 in 'name: Hélios Energy Retail' "
            "(Windows-1252 or Latin-1?); save the file as UTF-8 [file.encoding]",
        ),
    ),
    "a NUL byte in the config": Case(
        config(edit(YAML, "Helios Energy Retail", "Helios\x00")),
        3,
        (  # govdocs' sentence around the YAML library's reason, which is not pinned
            rf"{{config}}:{CLIENT_NAME_LINE}: character #x0000 is not allowed in YAML "
            r"\(\S[^)]*\); is this a text file\? \[yaml\.syntax\]",
        ),
        pattern=True,
    ),
    # --- a partner's human inputs
    "inputs: a duplicate key": Case(
        inputs(edit(ATL, "quarter: 2026-Q3\n", "quarter: 2026-Q3\nquarter: 2026-Q2\n")),
        5,
        (
            f"{{inputs}}:{line_of(ATL, 'quarter:') + 1}: quarter: duplicate key 'quarter' "
            f"(first on line {line_of(ATL, 'quarter:')}) [yaml.duplicate_key]",
        ),
    ),
    "inputs: a Python tag": Case(
        inputs(ATL.replace("owner: Mara Lindqvist", "owner: !!python/object/apply:os.system [touch pwned]", 1)),
        5,
        (f"{{inputs}}:{OWNER_LINE}: previous_actions[0].owner: {TAG_REFUSED} [yaml.tag]",),
    ),
    "inputs: NO as an owner": Case(
        inputs(ATL.replace("owner: Mara Lindqvist", "owner: NO", 1)),
        5,
        (
            f"{{inputs}}:{OWNER_LINE}: previous_actions[0].owner: expected text but YAML read NO as False; "
            'write it in quotes ("NO") [inputs.string_type]',
        ),
    ),
    "inputs: 0123 as an action id": Case(
        inputs(edit(ATL, "id: Q2-ATL-1", "id: 0123")),
        5,
        (
            f"{{inputs}}:{ID_LINE}: previous_actions[0].id: expected text but YAML read 0123 as the number 83 "
            '(octal); write it in quotes ("0123") [inputs.string_type]',
        ),
    ),
    "inputs: 1:30 as a due date": Case(
        inputs(edit(ATL, "due: 2026-08-31", "due: 1:30")),
        5,
        (
            f"{{inputs}}:{DUE_LINE}: previous_actions[0].due: expected a date like 2026-10-15, "
            "but YAML read 1:30 as the number 90 (base 60) [inputs.date_from_datetime_inexact]",
        ),
    ),
    "inputs: UTF-16": Case(
        inputs(ATL.encode("utf-16")),
        5,
        (
            "{inputs}:1: the file is UTF-16 text (it starts with a UTF-16 byte-order mark); "
            "save it as UTF-8 [file.encoding]",
        ),
    ),
    "inputs: an alias bomb": Case(
        inputs(alias_bomb("partner")),
        5,
        ("{inputs}:1: aliases expand the file by more than 100,000 values (nested too deeply?) [yaml.too_large]",),
    ),
    "inputs: 5,000 nested lists": Case(
        inputs(DEEP.replace("client", "partner")), 5, (NESTING_REFUSED.format("{inputs}"),), pattern=True
    ),
    # --- issue 33: text that cannot break a document or a terminal
    "an ESC written as a quoted escape in the client name": Case(
        config(edit(YAML, "  name: Helios Energy Retail\n", '  name: "Helios\\e[2J Energy Retail"\n')),
        3,
        (
            f"{{config}}:{CLIENT_NAME_LINE}: client.name: the text holds a control character "
            "(U+001B at character 7); remove it [yaml.control_character]",
        ),
    ),
    "inputs: a BEL in a concern": Case(
        with_inputs(lambda t: edit(t, "  concerns:\n", '  concerns:\n    - "Too slow\\a"\n')),
        5,
        (
            f"{{inputs}}:{FIRST_CONCERN_LINE}: commentary.concerns[0]: the text holds a control character "
            "(U+0007 at character 9); remove it [yaml.control_character]",
        ),
    ),
    "a line break in a contact's e-mail": Case(
        config(
            edit(
                YAML, "email: m.lindqvist@atlas-cs.example", 'email: "m.lindqvist@atlas-cs.example\\nBcc: x@y.example"'
            )
        ),
        3,
        (
            f"{{config}}:{CONTACT_LINE}: partners[0].contacts[0].email: 'm.lindqvist@atlas-cs.example\\nBcc: x@y...' "
            "is not a valid value here: expected an e-mail address like name@example.com (one address, no spaces "
            "or line breaks) [config.string_pattern_mismatch]",
        ),
    ),
    "an ESC in a partner id in the data": Case(
        data("kpis.csv", row_3("AT\x1bL" + ROW_3[3:])),
        4,
        (
            "{data}:3: column 'partner': 'partner' holds a control character (U+001B at character 3) "
            "[data.control_character]",
        ),
    ),
    # --- issue 33: every read bounded, regular files only
    "a FIFO as the config": Case(
        fifo_config, 3, ("{config}: is a FIFO (named pipe), not a file; give a regular file [file.not_regular]",)
    ),
    "inputs: a FIFO as a partner's inputs file": Case(
        fifo_inputs, 5, ("{inputs}: is a FIFO (named pipe), not a file; give a regular file [file.not_regular]",)
    ),
    "a FIFO as the data file": Case(
        fifo_data, 4, ("{data}: is a FIFO (named pipe), not a file; give a regular file [file.not_regular]",)
    ),
    "/dev/zero as the config": Case(
        lambda tmp: {"config": Path("/dev/zero")},
        3,
        ("{config}: is a device, not a file; give a regular file [file.not_regular]",),
    ),
    "a data file linked to /dev/zero": Case(
        zero_link, 4, ("{data}: is a device, not a file; give a regular file [file.not_regular]",)
    ),
    "a config of 33 MB": Case(
        config(YAML + "# " + "x" * (33 * 2**20) + "\n"),
        3,
        ("{config}: the file is 33.0 MB, more than the 32 MB a governance config may hold [file.too_large]",),
    ),
    # --- issue 33: the trust list a certification is checked against
    # --- issue 33: many raw files read as one (files of one header line are described once)
    "raw: a file read unlike its header among 40 files of that header": Case(
        many_raw_files,
        4,
        (
            r".*/calls/c000\.csv \(\+39 more\): cannot read the interactions files: .*/calls/c031\.csv.* "
            r"\[raw\.unreadable\]",
        ),
        pattern=True,
    ),
    # --- issue 36: platform exports that hold no contact, or name a column twice
    "raw: a Five9 report with a column it reads named twice": Case(
        platform_export(
            "five9", "call-log.csv", column_twice(FIVE9_HEADER, five9_rows(scenarios(), ZONE), "Talk Time")
        ),
        4,
        (
            r".*/call-log\.csv:1: raw_data\.sources\.interactions\.format: call-log\.csv has two columns named "
            rf"'TALK TIME' and 'Talk Time' \(columns {FIVE9_HEADER.index('TALK TIME') + 1} and "
            rf"{len(FIVE9_HEADER) + 1}\): format: five9 would read one and drop the other; remove or rename one in "
            "the report template " + DUPLICATE,
        ),
        pattern=True,
    ),
    "raw: a CXone download with a column it reads named twice": Case(
        platform_export(
            "nice-cxone", "call-detail.csv", column_twice(CXONE_HEADER, cxone_rows(scenarios(), ZONE), "INQUEUE")
        ),
        4,
        (
            r".*/call-detail\.csv:1: .* call-detail\.csv has two columns named 'InQueue' and 'INQUEUE' "
            rf"\(columns {CXONE_HEADER.index('InQueue') + 1} and {len(CXONE_HEADER) + 1}\): format: nice-cxone would "
            "read one and drop the other; remove or rename one in the export " + DUPLICATE,
        ),
        pattern=True,
    ),
    "raw: a Talkdesk CSV report with a field it reads named twice": Case(
        platform_export("talkdesk", "calls.csv", talkdesk_csv),
        4,
        (r".*/calls\.csv:1: .* two columns named 'talk_time' and 'Talk_Time' \(columns 9 and 17\): .*" + DUPLICATE,),
        pattern=True,
    ),
    "raw: Salesforce Bulk API results with a field it reads named twice": Case(
        platform_export("salesforce-voice", "voicecall.csv", salesforce_twice),
        4,
        (r".*/voicecall\.csv:1: .* two columns named 'CallQueuedDateTime' and 'callqueueddatetime' .*" + DUPLICATE,),
        pattern=True,
    ),
    "raw: a Five9 report with its header and no call": Case(
        platform_export("five9", "call-log.csv", lambda path: write_csv(path, FIVE9_HEADER, [])),
        4,
        (r".*/call-log\.csv:1: the interactions file has a header and no rows: " + NO_RECORDS,),
        pattern=True,
    ),
    "raw: an empty page of the Zendesk calls export": Case(
        platform_export(
            "zendesk-talk",
            "calls.json",
            lambda path: path.write_text(json.dumps(zendesk_page([])), encoding="utf-8"),
            ZENDESK_PARTNERS,
        ),
        4,
        (
            r".*/calls\.json: the interactions file holds no records: an API page whose 'calls' array is empty: "
            + NO_RECORDS,
        ),
        pattern=True,
    ),
    "raw: an empty Talkdesk calls report": Case(
        platform_export(
            "talkdesk", "report.json", lambda path: path.write_text(json.dumps(talkdesk_report([])), encoding="utf-8")
        ),
        4,
        (
            r".*/report\.json: the interactions file holds no records: an API page whose 'entries' array is empty: "
            + NO_RECORDS,
        ),
        pattern=True,
    ),
    "raw: TaskRouter events of workers only": Case(
        platform_export(
            "twilio-flex",
            "events.json",
            lambda path: path.write_text(json.dumps(twilio_list([WORKER_EVENT, WORKER_EVENT])), encoding="utf-8"),
        ),
        4,
        (
            r".*/events\.json: the interactions file holds 2 records and no customer contact: TaskRouter events of "
            "workers, activities or workflows only, none of a task: " + NO_RECORDS,
        ),
        pattern=True,
    ),
    "a trust list naming a missing certificate": Case(
        config(YAML + "signing:\n  trusted: [certificates/helios.pem]\n"),
        3,
        (
            f"{{config}}:{SIGNING_LINE}: signing.trusted[0]: 'certificates/helios.pem': cannot read file: "
            "No such file or directory [file.unreadable]",
        ),
    ),
    "a trust list naming a file that is not a certificate": Case(
        config(YAML + "signing:\n  trusted: [governance.yaml]\n"),
        3,
        (
            f"{{config}}:{SIGNING_LINE}: signing.trusted[0]: governance.yaml is not an X.509 certificate "
            "(PEM or DER); give the certifier's certificate [config.not_a_certificate]",
        ),
    ),
}


def qbr(tmp: Path, replaced: Inputs, out: Path, options: tuple[str, ...] = ()):
    args = {"config": str(CONFIG), "data": str(DATA), "inputs": str(INPUTS)}
    args.update({k: str(v.parent if k == "inputs" else v) for k, v in replaced.items()})
    command = ["qbr", "--all", "--quarter", "2026-Q3", "--as-of", "2026-10-15", "--jobs", "0", "--out", str(out)]
    for option, value in args.items():
        command += [f"--{option}", value]
    return CliRunner().invoke(cli, [*command, *options], catch_exceptions=False)


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_gives_one_clear_line_and_writes_nothing(tmp_path: Path, name: str) -> None:
    case = CASES[name]
    (tmp_path / "work").mkdir()
    replaced = case.build(tmp_path / "work")
    out = tmp_path / "out"
    result = qbr(tmp_path, replaced, out, case.options)

    names = {k: re.escape(str(v)) if case.pattern else str(v) for k, v in replaced.items()}
    expected = [line.format(**names) for line in case.lines]
    errors = result.stderr.splitlines()
    assert result.exit_code == case.exit_code, result.output
    assert len(errors) == len(expected), result.output
    for line, wanted in zip(errors, expected, strict=True):
        if case.pattern:
            assert re.fullmatch("error: " + wanted, line), line
        else:
            assert line == "error: " + wanted
    assert result.stdout == ""
    assert "Traceback" not in result.output
    written = [p for p in out.rglob("*") if p.is_file()] if out.exists() else []
    assert written == []
    assert not (tmp_path / "work" / "pwned").exists() and not Path("pwned").exists()


# --- what is accepted, and what is kept as written ---------------------------------------------


def test_utf8_bom_csv_gives_the_same_data(tmp_path: Path) -> None:
    """A UTF-8 byte-order mark (Excel's "CSV UTF-8") is accepted: same rows, same lines."""
    path = tmp_path / "kpis.csv"
    path.write_bytes(b"\xef\xbb\xbf" + DATA.read_bytes())
    with_bom, plain = load_kpi_data([path]), load_kpi_data([DATA])
    pd.testing.assert_frame_equal(with_bom.frame, plain.frame)
    result = CliRunner().invoke(cli, ["validate", "--config", str(CONFIG), "--data", str(path)])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "pid", ["NA", "N/A", "n/a", "null", "NULL", "None", "nan", "NaN", "#N/A", "-", "00123", "0123"]
)
def test_ids_that_look_missing_or_numeric_are_kept_as_written(tmp_path: Path, pid: str) -> None:
    path = tmp_path / "kpis.csv"
    path.write_text(f"partner,period,kpi,value\n{pid},2026-07,sl,1\n0123,2026-08,sl,2\n", encoding="utf-8")
    data = load_kpi_data([path])
    assert data.frame["partner"].tolist() == [pid, "0123"]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("300 MB zip bomb", lambda: zip_bomb(300, zeros_row)),
        ("150 MB workbook", lambda: zip_bomb(150, numbers_row)),
        ("zip bomb lying about its size", lambda: zip_bomb(300, zeros_row, declared=50_000)),
        ("entity bomb", entity_bomb),
    ],
)
def test_bombs_are_refused_without_inflating_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, content: Callable[[], bytes]
) -> None:
    """Judged from the zip directory (sizes, ratios) and a look at each XML part's head: the
    hundreds of megabytes are never decompressed. Counted, not timed: every byte any reader
    takes out of the archive goes through ZipExtFile."""
    path = tmp_path / "kpis.xlsx"
    path.write_bytes(content())
    inflated = [0]
    for method in ("read", "read1"):
        real = getattr(zipfile.ZipExtFile, method)

        def counting(self, n=-1, _real=real):
            data = _real(self, n)
            inflated[0] += len(data)
            return data

        monkeypatch.setattr(zipfile.ZipExtFile, method, counting)
    with pytest.raises(GovdocsError):
        read_kpi_file(path)
    assert inflated[0] < 2**20, f"{name}: {inflated[0] / 2**20:.0f} MB inflated before the refusal"


def test_deep_nesting_does_not_crash_the_yaml_composer(tmp_path: Path) -> None:
    """200,000 nested lists overflow the C stack of libyaml's composer (a segmentation fault,
    not an exception): the depth is checked on the parser's events first. In a subprocess, so
    that a crash fails this test instead of ending the test run."""
    path = tmp_path / "governance.yaml"
    path.write_text("client: " + "[" * 200_000 + "]" * 200_000 + "\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "govdocs", "validate", "--config", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 3, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stdout.splitlines()
    errors = [line for line in lines if line.startswith("error")]
    assert len(errors) == 1, result.stdout
    # govdocs' depth check or the YAML library's own limit may stop it first: the line names the
    # file and line 1 and carries a govdocs code; the library's wording is not pinned
    assert re.fullmatch(rf"error +{re.escape(str(path))}:1  \S.*  \[yaml\.(?:too_large|syntax)\]", errors[0]), errors
    assert lines[-1] == "invalid: 1 error, 0 warnings"


def test_parquet_values_are_bounded_by_the_footer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The uncompressed size a Parquet footer declares is checked before any column is read."""
    import govdocs.data.readers

    path = tmp_path / "kpis.parquet"
    path.write_bytes(parquet(example_table()))
    monkeypatch.setattr(govdocs.data.readers, "PARQUET_MAX_EXPANDED", 1_000)
    with pytest.raises(GovdocsError) as info:
        read_kpi_file(path)
    [problem] = info.value.problems
    assert problem.code == "data.parquet_too_large"
    assert re.fullmatch(r"refused: the columns would decode to \d+ KB, more than 1 KB", problem.message)


@pytest.mark.parametrize(
    ("content", "line"),
    [
        (
            b"id,action,owner\nA-1,Coach,Ana,extra\n",
            "2: row has 4 fields, more than the 3 in the header [actions.ragged]",
        ),
        (b"id,action,id\nA-1,Coach,A-2\n", "1: column 'id' appears twice [actions.duplicate_column]"),
        (
            b'id,action\nA-1,"Coach\n',
            '2: cannot read CSV: unterminated quoted field (a " is never closed) [actions.malformed]',
        ),
        (
            b"id,action\nA-1,Co\x00ach\n",
            "2: file contains a NUL byte; is it really a CSV text file? [actions.nul_byte]",
        ),
        (
            b"id,action\nBRV-1,Coach every agent weekly\nBRV-1,Run a second coaching round\n",
            "3: action id 'BRV-1' is used twice (first at line 2): the plan would list two [actions.duplicate_id]",
        ),
        (
            "id,action\nA-1,Coach\n".encode("utf-16"),
            "1: the file is UTF-16 text (it starts with a UTF-16 byte-order mark); save it as UTF-8 [file.encoding]",
        ),
    ],
)
def test_proposed_actions_csv_refuses_what_it_cannot_read_exactly(tmp_path: Path, content: bytes, line: str) -> None:
    """A partner's actions file (govdocs pip --actions): before, extra fields were dropped, a
    repeated column silently won and an unclosed quote swallowed the rest of the file."""
    path = tmp_path / "BRV.csv"
    path.write_bytes(content)
    with pytest.raises(GovdocsError) as info:
        load_proposed_actions(path)
    assert [str(p) for p in info.value.problems] == [f"{path}:{line}"]
    assert info.value.exit_code == 5


def test_a_parquet_text_repeated_on_every_row_is_not_copied_per_row(tmp_path: Path, monkeypatch) -> None:
    """A dictionary-encoded column stores a value once however many rows use it: 40,000 rows
    of a 10 KB partner name are a small file, and must not become 400 MB of strings. Text
    columns are therefore read as dictionaries (checked on the reader's arguments, not by
    measuring memory)."""
    rows = 40_000
    table = pa.table(
        {
            "partner": pa.DictionaryArray.from_arrays(pa.array([0] * rows, pa.int32()), pa.array(["x" * 10_000])),
            "period": [f"{1900 + i // 96}-{i // 8 % 12 + 1:02d}" for i in range(rows)],
            "kpi": [f"k{i % 8}" for i in range(rows)],
            "value": pa.array([1.0] * rows),
        }
    )
    path = tmp_path / "kpis.parquet"
    pq.write_table(table, path, store_schema=False)  # as other writers do: no Arrow types to restore
    assert path.stat().st_size < 2**20
    opened: list[object] = []
    real = pq.ParquetFile

    def spy(source, *args, **kwargs):
        opened.append(kwargs.get("read_dictionary"))
        return real(source, *args, **kwargs)

    monkeypatch.setattr(pq, "ParquetFile", spy)
    data = load_kpi_data([path])
    assert len(data.frame) == rows and set(data.frame["partner"]) == {"x" * 10_000}
    assert opened and all({"partner", "period", "kpi"} <= set(d or ()) for d in opened), opened


def test_the_size_a_sheet_claims_costs_nothing(tmp_path: Path, monkeypatch) -> None:
    """A sheet's <dimension> can claim 16,384 columns: a reader that believed it would pad
    every row to that width. Only the columns a KPI file can have are read: no row handed to
    the loader is wider than XLSX_MAX_COLUMNS (counted, not timed)."""
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    from govdocs.data.readers import XLSX_MAX_COLUMNS

    rows = f'<row r="1">{HEADER_ROW}</row>' + "<row><c><v>1</v></c></row>" * 2_000
    widest = [0]
    real = ReadOnlyWorksheet.iter_rows

    def measuring(self, *args, **kwargs):
        for row in real(self, *args, **kwargs):
            widest[0] = max(widest[0], len(row))
            yield row

    monkeypatch.setattr(ReadOnlyWorksheet, "iter_rows", measuring)
    path = tmp_path / "kpis.xlsx"
    path.write_bytes(sheet_workbook(rows, '<dimension ref="A1:XFD1048576"/>'))
    with pytest.raises(GovdocsError):
        read_kpi_file(path)
    assert 0 < widest[0] <= XLSX_MAX_COLUMNS
