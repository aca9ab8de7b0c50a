"""Raw step, the files: which files each source of a `raw_data` section names (globs, folders,
URLs), the partner lookups read into the sources, and the format a source's files are read as."""

from __future__ import annotations

import glob
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from govdocs.errors import ExitCode, GovdocsError, Location, Problem
from govdocs.raw import sql
from govdocs.raw.locations import JSON_SUFFIXES, PARQUET_SUFFIXES, Url, is_url
from govdocs.raw.model import FileFormat, RawData


def _location(source: str, *rest: str | int) -> str:
    return "raw_data.sources." + source + "".join(f".{r}" if isinstance(r, str) else f"[{r}]" for r in rest)


def with_lookups(raw: RawData, base: Path, partner_ids: Sequence[str] | None) -> RawData:
    """The sources with each `partner_lookup` file read into their partner_values (whose own
    entries win). A lookup naming an id that is not a partner is refused with its file and line."""
    sources = {}
    problems: list[Problem] = []
    for source in sql.SOURCES:
        src = getattr(raw.sources, source)
        if src is None or src.partner_lookup is None:
            continue
        path = Path(src.partner_lookup).expanduser()
        path = path if path.is_absolute() else base / path
        found = _read_lookup(path, problems, set(partner_ids) if partner_ids is not None else None)
        sources[source] = src.model_copy(update={"partner_values": {**found, **src.partner_values}})
    if problems:
        raise GovdocsError(problems)
    if not sources:
        return raw
    return raw.model_copy(update={"sources": raw.sources.model_copy(update=sources)})


LOOKUP_BYTES = 64 * 2**20  # a partner lookup: a million export values is about 30 MB


def _read_lookup(path: Path, problems: list[Problem], partner_ids: set[str] | None) -> dict[str, str]:
    import csv
    import json

    from govdocs.files import read_regular

    where = Location(str(path))
    try:
        text = read_regular(path, ExitCode.DATA, LOOKUP_BYTES, "a partner lookup").decode("utf-8-sig")
    except GovdocsError as exc:
        problems += exc.problems
        return {}
    except UnicodeDecodeError:
        problems.append(Problem("raw.unreadable", "the partner lookup is not UTF-8 text", where, ExitCode.DATA))
        return {}
    pairs: list[tuple[int, str, str]] = []
    if text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            problems.append(
                Problem("raw.unreadable", f"not JSON: {exc.msg}", Location(str(path), exc.lineno), ExitCode.DATA)
            )
            return {}
        except RecursionError:  # thousands of nested brackets: no lookup nests at all
            problems.append(Problem("raw.unreadable", "not a lookup: JSON nested too deeply", where, ExitCode.DATA))
            return {}
        flat = isinstance(data, dict) and all(isinstance(v, str | int) for v in data.values())
        if not flat:
            message = 'a JSON lookup is one object of export value to partner id: {"Atlas CS": "ATL"}'
            problems.append(Problem("raw.bad_lookup", message, where, ExitCode.DATA))
            return {}
        pairs = [(0, str(k), str(v)) for k, v in data.items()]
    else:
        rows = list(csv.reader(text.splitlines()))
        for line, row in enumerate(rows[1:], start=2):
            cells = [c.strip() for c in row]
            if not any(cells):
                continue
            if len(cells) < 2 or not cells[0] or not cells[1]:
                message = "a lookup row needs the export's value and the partner id"
                problems.append(Problem("raw.bad_lookup", message, Location(str(path), line), ExitCode.DATA))
                continue
            pairs.append((line, cells[0], cells[1]))
    out: dict[str, str] = {}
    for line, value, partner in pairs:
        if partner_ids is not None and partner not in partner_ids:
            message = f"'{partner}' (for '{value}') is not a partner id in the config"
            problems.append(Problem("raw.bad_lookup", message, Location(str(path), line or None), ExitCode.DATA))
        elif value in out and out[value] != partner:
            message = f"'{value}' is mapped twice, to {out[value]} and to {partner}"
            problems.append(Problem("raw.bad_lookup", message, Location(str(path), line or None), ExitCode.DATA))
        out[value] = partner
    return out


def resolve_files(raw: RawData, base: Path) -> dict[str, tuple[Path | Url, ...]]:
    """Every configured source's files: globs expanded relative to `base`, sorted, each file once.
    A URL (s3a://bucket/calls/*.csv) is kept as written, for the Spark session to list."""
    out: dict[str, tuple[Path | Url, ...]] = {}
    problems: list[Problem] = []
    for source in sql.SOURCES:
        src = getattr(raw.sources, source)
        if src is None:
            continue
        found: list[Path | Url] = []
        listed: set[Path] = set()  # each file once, however many patterns match it (a set: 10,000 files)
        for i, pattern in enumerate(src.file_patterns()):
            if is_url(pattern):
                found.append(Url(pattern))
                continue
            path = Path(pattern).expanduser()
            path = path if path.is_absolute() else base / path
            # in the order Path sorts them (part by part), without making a Path of each first
            names = sorted(_listed_files(str(path)), key=_parts)
            matches = [Path(p) for p in names]
            if not matches:
                where = _location(source, "files") + ("" if isinstance(src.files, str) else f"[{i}]")
                problems.append(
                    Problem(
                        "raw.no_files",
                        f"no file matches '{path}'",
                        Location(str(path), path=where),
                        ExitCode.DATA,
                    )
                )
            found += [m for m in matches if m not in listed]
            listed.update(matches)
        out[source] = tuple(found)
    if problems:
        raise GovdocsError(problems)
    return out


def _listed_files(pattern: str) -> list[str]:
    """The regular files (or links to them) a glob pattern matches. A pattern with wildcards only
    in its last part is listed with one scandir, whose entries say what they are without a stat
    each (10,000 files of a folder)."""
    import fnmatch

    folder, name = os.path.split(pattern)
    if glob.has_magic(folder) or "**" in name:
        return [p for p in glob.glob(pattern, recursive=True) if os.path.isfile(p)]
    if not glob.has_magic(name):
        return [pattern] if os.path.isfile(pattern) else []
    try:
        with os.scandir(folder or ".") as entries:
            # glob's rule: a name starting with a dot matches only a pattern that does
            found = [
                os.path.join(folder, e.name)
                for e in entries
                if (not e.name.startswith(".") or name.startswith("."))
                and fnmatch.fnmatch(e.name, name)
                and e.is_file()
            ]
    except OSError:
        return []
    return found


def _parts(name: str) -> object:
    """A listed file's sort key: on POSIX its parts, as a Path compares (Windows compares case-folded)."""
    return name.split("/") if os.sep == "/" else Path(name)


def refuse_urls(files: Mapping[str, Sequence[Path | Url]], why: str) -> None:
    """One line per source whose files are URLs, where only local files can be read (`why`)."""
    problems = [
        Problem(
            "raw.remote_files",
            f"a URL, not a local file: {why}",
            Location(str(paths[0]), path=_location(source, "files")),
            ExitCode.ENGINE,
        )
        for source, paths in files.items()
        if paths and any(isinstance(p, Url) for p in paths)
    ]
    if problems:
        raise GovdocsError(problems)


def _format(src: object, paths: Sequence[Path]) -> str:
    chosen = getattr(src, "format", FileFormat.AUTO)
    if chosen is not FileFormat.AUTO:
        return chosen.value
    name = str(paths[0]).lower().removesuffix(".gz") if paths else ""
    if name.endswith(PARQUET_SUFFIXES):
        return "parquet"
    return "json" if name.endswith(JSON_SUFFIXES) else "csv"
