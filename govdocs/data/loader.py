"""Load step, data half: KPI files (CSV, .xlsx, Parquet; long or wide) -> one strict table.

A regular long-format CSV file is read in C (govdocs.data.fast) when pyarrow is installed (the
parquet or raw extra); every other file, any file the fast path finds anything unusual in, and
every CSV file of a core install is read exactly: every cell as text, converted
column by column, so identifiers stay as written and each bad cell is reported with its
file, line and column. The result is a `KpiData`: a tidy frame plus the provenance of each file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from govdocs import extras
from govdocs.data.cells import duplicate_problems, tidy_frame
from govdocs.data.problems import Collector
from govdocs.data.readers import read_csv, read_parquet, read_xlsx
from govdocs.data.table import KpiData, SourceFile
from govdocs.errors import ExitCode, GovdocsError, Location, Problem

# One KPI table file: 10,000 partners x 36 months x 20 KPIs in long CSV is about 300 MB.
DATA_FILE_BYTES = 2**30


def _read_fast(raw: bytes) -> pd.DataFrame | None:
    """The fast path's table, or None (also when pyarrow, which it reads with, is not installed)."""
    if not extras.installed("parquet"):
        return None
    from govdocs.data.fast import read_regular_csv

    return read_regular_csv(raw)


def read_kpi_file(
    path: Path, kpi_ids: Sequence[str] | None = None, *, exact: bool = False
) -> tuple[pd.DataFrame, SourceFile]:
    """Read one KPI file; raise GovdocsError naming every bad cell. `exact`: skip the fast path
    (the tests hold the two to the same table)."""
    from govdocs.files import read_regular

    out = Collector(str(path))
    raw = read_regular(path, ExitCode.DATA, DATA_FILE_BYTES, "a KPI data file")
    if not raw.strip():
        out.add("data.empty", "file is empty")
        out.raise_if_any()
    suffix = path.suffix.lower()
    if suffix in {".csv", ".txt"} and not exact and (regular := _read_fast(raw)) is not None:
        return regular, SourceFile(path.name, hashlib.sha256(raw).hexdigest(), len(regular), "long")
    if suffix in {".csv", ".txt"}:
        header, frame, lines, header_line = read_csv(path, raw, out)
    elif suffix in {".xlsx", ".xlsm"}:
        header, frame, lines, header_line = read_xlsx(path, raw, out)
    elif suffix in {".parquet", ".pq"}:
        header, frame, lines, header_line = read_parquet(path, raw, out)
    else:
        out.add("data.file_type", f"unsupported file type '{suffix}' (use .csv, .xlsx or .parquet)")
        out.raise_if_any()
    out.raise_if_any()
    tidy, layout = tidy_frame(header, frame, lines, out, kpi_ids, header_line)
    if out.problems:
        # Report duplicate rows together with the bad cells, among rows whose keys did parse.
        keyed = tidy[tidy["month"].notna() & (tidy["partner"] != "") & (tidy["kpi"] != "")]
        duplicate_problems(keyed.assign(file=0), [str(path)], out)
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
    out = Collector(", ".join(str(p) for p in paths))
    duplicate_problems(frame, [str(p) for p in paths], out)
    out.raise_if_any()
    frame["month"] = frame["month"].astype(int)
    return KpiData(frame=frame, sources=sources)
