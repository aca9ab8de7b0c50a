"""Raw step, the data-quality report: what each source read, used and rejected (and why, with
sample rows), counted by the engine from the tables the statements left; and the refusals it
decides -- a source with no row, a source none of whose rows is usable."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from govdocs.errors import ExitCode, GovdocsError, Location, Problem
from govdocs.raw import presets, quality, sql
from govdocs.raw.engines.base import engine_error
from govdocs.raw.model import FileFormat, RawData
from govdocs.raw.resolve import _format
from govdocs.raw.sql.platforms import CSV_LAYOUT
from govdocs.render.formatters import noun


def _refuse_empty(
    con, raw: RawData, report: quality.QualityReport, ctes: Mapping[str, Sequence[sql.Cte]], reads
) -> None:
    """A source whose files hold no row (a platform's: no customer contact) gives no KPI at all, as
    a KPI file with a header and no rows does: refused in one line naming its file and what it
    holds -- a header and no rows, an API page whose array is empty, or records none of which is
    a contact (TaskRouter events of workers only) -- never an empty KPI table and exit 0."""
    problems = []
    for count in report.sources:
        if count.read:
            continue
        read: sql.FileRead = reads[count.source]
        layouts = set(read.layouts) or {CSV_LAYOUT if read.file_format == "csv" else read.file_format}
        first = ctes[count.source][0]  # the FILE READ stage: every record of the files, as read
        try:
            records = int(con.execute(f"WITH {first} SELECT COUNT(*) FROM {first.name}").fetchall()[0][0])
        except Exception as exc:
            if not engine_error(exc):
                raise
            records = 0
        many = len(count.files) > 1
        files = f"the {len(count.files)} {count.source} files" if many else f"the {count.source} file"
        if records:
            preset = presets.preset_of(getattr(raw.sources, count.source))
            kinds = f": {NOT_CONTACTS[preset.name]}" if preset is not None and preset.name in NOT_CONTACTS else ""
            held = f"{records:,} {noun(records, 'record')} and no customer contact"
            message = f"{files} hold{'' if many else 's'} {held}{kinds}"
        elif layouts <= {CSV_LAYOUT, "csv"}:
            message = f"{files} {'have' if many else 'has'} a header and no rows"
        elif layouts & sql.platforms.ENVELOPES:
            arrays = ", ".join(f"'{e}'" for e in sorted(layouts & sql.platforms.ENVELOPES))
            message = f"{files} hold{'' if many else 's'} no records: an API page whose {arrays} array is empty"
        else:
            message = f"{files} hold{'' if many else 's'} no records"
        where = count.files[0] if not many else f"{count.files[0]} (+{len(count.files) - 1} more)"
        line = 1 if layouts <= {CSV_LAYOUT, "csv"} else None
        problems.append(
            Problem("raw.no_records", f"{message}: nothing to compute a KPI from", Location(where, line), ExitCode.DATA)
        )
    if problems:
        raise GovdocsError(problems)


# a preset whose records are not all contacts: what the others are, for a file with none
NOT_CONTACTS = {
    presets.TWILIO_FLEX.name: "TaskRouter events of workers, activities or workflows only, none of a task",
}


def _refuse_unusable(report: quality.QualityReport) -> None:
    """A source whose every row was rejected gives no KPI at all: that is a file read the wrong
    way (a timestamp format, a unit, a partner mapping), never an empty month to publish."""
    problems = []
    for source in report.sources:
        if source.accepted or not source.rejected:
            continue
        reasons = report.by_reason(source.source)
        reason, count = max(reasons.items(), key=lambda item: (item[1], item[0]))
        sample = next((s for s in report.samples if s.source == source.source and s.reason == reason), None)
        example = f"; the first: {sample.message}" if sample is not None else ""
        what = "contacts" if source.records is not None else "rows"
        problems.append(
            Problem(
                "raw.all_rejected",
                f"every one of the {source.read - source.not_queued:,} {source.source} {what} was rejected, "
                f"{count:,} for '{quality.SHORT.get(reason, reason)}'{example}",
                sample.location if sample is not None else Location(source.files[0] if source.files else source.source),
                ExitCode.DATA,
            )
        )
    if problems:
        raise GovdocsError(problems)


def _json_files(read: sql.FileRead | None) -> set[int]:
    """The positions of a source's files read as JSON records (numbered by record, not by line)."""
    if read is None:
        return set()
    if read.file_format == FileFormat.JSON.value:
        return set(range(len(read.paths)))
    return {i for i, layout in enumerate(read.layouts) if layout and layout not in (sql.platforms.PARQUET, CSV_LAYOUT)}


def _csv_files(read: sql.FileRead | None) -> set[int]:
    """The positions of a preset's files read as CSV (a row is the line after the header)."""
    return {i for i, layout in enumerate(read.layouts) if layout == CSV_LAYOUT} if read is not None else set()


def _quality(
    con,
    raw: RawData,
    files: Mapping[str, Sequence[Path]],
    present: Mapping[str, object],
    per_reason: int,
    reads: Mapping[str, sql.FileRead] | None = None,
) -> quality.QualityReport:
    sources: list[quality.SourceCount] = []
    rejects: list[quality.RejectCount] = []
    samples: list[quality.RejectSample] = []
    for source in present:
        src = getattr(raw.sources, source)
        mapped = presets.fields_of(src)
        paths = [str(p) for p in files[source]]
        # a Parquet row and a JSON record are numbered from 1 with no header line
        numbered = _format(src, files[source]) not in ("csv", FileFormat.NICE_CXONE.value)
        platform = presets.preset_of(src) is not None
        if platform:  # a record's own field a contact was rejected for (ivr_seconds: ivr_time_spent)
            mapped = {**presets.leg_paths(src), **mapped}
        json_files = _json_files((reads or {}).get(source))
        csv_files = _csv_files((reads or {}).get(source))
        accepted = rejected = not_queued = 0
        table = f"{source}_checked" if source in sql.TABLE_SOURCES else f"{source}_cube"
        count = "COUNT(*)" if source in sql.TABLE_SOURCES else "SUM(rows_read)"
        legs = ", SUM(legs_read), SUM(copies_merged)" if platform else ", 0, 0"
        counted = con.execute(
            f"SELECT partner, year, month, reject_reason, {count}{legs} FROM {table} GROUP BY ALL"
        ).fetchall()
        records = merged = 0
        for partner, year, month, reason, n, leg_count, copies in counted:
            records += int(leg_count or 0)
            merged += int(copies or 0)
            if reason is None:
                accepted += int(n)
                continue
            if reason == sql.NOT_QUEUED:
                not_queued += int(n)
                continue
            rejected += int(n)
            rejects.append(quality.RejectCount(source, partner, quality.period_text(year, month), reason, int(n)))
        if source in sql.TABLE_SOURCES:
            found = con.execute(quality.samples_sql(per_reason, source)).fetchall()
        else:
            found = [
                (reason, partner, year, month, *(sample[f] for f in sql.SAMPLE_FIELDS))
                for reason, partner, year, month, group in con.execute(
                    f"SELECT reject_reason, partner, year, month, samples FROM {table} WHERE reject_reason IS NOT NULL"
                ).fetchall()
                for sample in group or []
            ]
        found.sort(key=lambda s: (s[0], s[4]))
        taken: dict[str, int] = {}
        for reason, partner, year, month, _key, index, row, record_id, value, bad_field in found:
            if reason == sql.NOT_QUEUED or taken.setdefault(reason, 0) >= per_reason:
                continue
            taken[reason] += 1
            samples.append(
                quality.RejectSample(
                    source=source,
                    reason=reason,
                    file=paths[int(index)],
                    row=int(row),
                    line=None
                    if int(index) in json_files
                    else int(row) + 1
                    if int(index) in csv_files or not numbered
                    else int(row),
                    record=int(row) if int(index) in json_files else None,
                    platform=platform,
                    partner=partner,
                    period=quality.period_text(year, month),
                    record_id=record_id,
                    value=value,
                    column=_column_text(mapped.get(bad_field)) if bad_field else None,
                )
            )
        sources.append(
            quality.SourceCount(
                source,
                tuple(paths),
                accepted + rejected + not_queued,
                accepted,
                rejected,
                not_queued=not_queued,
                records=records + merged if platform else None,
                merged=merged,
            )
        )
    rejects.sort(key=lambda r: (r.source, r.partner or "", r.period or "", r.reason))
    agreement = _agreement(con, raw, present)
    return quality.QualityReport(tuple(sources), tuple(rejects), tuple(samples), agreement, quality.kpi_figures(raw))


def _agreement(con, raw: RawData, present: Mapping[str, object]) -> tuple[quality.PlatformAgreement, ...]:
    """The platform's own figures beside ours, for a platform's export that carries them."""
    src = getattr(raw.sources, "interactions", None)
    preset = presets.preset_of(src)
    if "interactions" not in present or preset is None:
        return ()
    mapped = presets.fields_of(src)
    numbers = tuple(f for f in ("talk_seconds", "hold_seconds", "acw_seconds") if f in mapped)
    # the platform's service-level flags are set beside ours at the service_level KPI's threshold
    seconds = next((float(k.answered_within_seconds) for k in raw.kpis if k.measure == "service_level"), None)
    rows = con.execute(quality.agreement_sql("interactions", numbers, seconds)).fetchall()
    return tuple(
        quality.PlatformAgreement(
            "interactions",
            quality.period_text(year, month),
            measure,
            quality.PLATFORM_FIGURES.get(preset.name, {}).get(measure, "figure"),
            int(compared),
            int(agreeing),
            contact_id,
            None if ours is None else float(ours),
            None if theirs is None else float(theirs),
            seconds if measure == "within" else None,
            int(ours_sum or 0) if measure == "within" else 0,
            int(theirs_sum or 0) if measure == "within" else 0,
        )
        for year, month, measure, compared, agreeing, contact_id, ours, theirs, ours_sum, theirs_sum in rows
    )


def _column_text(column: object) -> str | None:
    """A mapped column as the samples name it: 'Start_Date + Start_Time' for a date and time pair."""
    if column is None or isinstance(column, str):
        return column
    return " + ".join(str(c) for c in column)  # type: ignore[union-attr]
