"""Aggregate step, raw half: the data-quality report of raw records.

Every row read is either accepted or rejected with one reason (the first that applies, in
the order of `REASONS`); rejected rows are counted per source, partner, month and reason,
and a few of each reason are kept as samples with their file and row, so nothing is dropped
silently: for every source, read = accepted + rejected.
"""

from __future__ import annotations

from dataclasses import dataclass

from govdocs.errors import ExitCode, Location, Problem
from govdocs.raw import sql
from govdocs.render.formatters import noun

# reason -> what it means (shown in the provenance appendix and in sample messages)
REASONS: dict[str, str] = {
    sql.MISSING_FIELD: "a required field is empty",
    sql.UNPARSEABLE_TIMESTAMP: "a timestamp or date cannot be read",
    sql.NOT_A_NUMBER: "a number field is not a number",
    sql.BAD_VALUE: "a yes/no field has another value",
    sql.DUPLICATE_ID: "the same id appears again (the first valid copy is kept)",
    sql.UNKNOWN_PARTNER: "the partner is not in the config",
    sql.ANSWER_BEFORE_ARRIVAL: "answered before it arrived",
    sql.NEGATIVE_DURATION: "a negative duration, or it ended before it started or was answered",
    sql.IN_PROGRESS: "still in progress when exported (no end yet): read it again once it has ended",
    sql.OUT_OF_RANGE: "a score outside its scale",
    sql.LEFT_BEFORE_HIRED: "left before being hired",
}

# reason -> a few words, for counts ("3 duplicate ids" style lists)
SHORT: dict[str, str] = {
    sql.MISSING_FIELD: "required field empty",
    sql.UNPARSEABLE_TIMESTAMP: "unreadable timestamp",
    sql.NOT_A_NUMBER: "not a number",
    sql.BAD_VALUE: "value not allowed",
    sql.DUPLICATE_ID: "duplicate id",
    sql.UNKNOWN_PARTNER: "partner not in the config",
    sql.ANSWER_BEFORE_ARRIVAL: "answered before it arrived",
    sql.NEGATIVE_DURATION: "negative duration",
    sql.IN_PROGRESS: "in progress",
    sql.OUT_OF_RANGE: "value out of range",
    sql.LEFT_BEFORE_HIRED: "left before hired",
}


def reasons_text(counts: dict[str, int]) -> str:
    """'1 duplicate id, 2 negative duration' -- rejected rows by reason, in a stable order."""
    return ", ".join(f"{n:,} {SHORT.get(reason, reason.replace('_', ' '))}" for reason, n in sorted(counts.items()))


REQUIRED: dict[str, str] = {
    "interactions": "contact_id, partner, arrived_at; ended_at when not answered; talk_seconds when answered",
    "surveys": "partner, responded_at and at least one of csat, nps, fcr",
    "qa": "partner, evaluated_at, score",
    "roster": "partner, agent_id, hired_on",
    "calibration": "partner, contact_id, side, evaluated_at, score",
    "coaching": "partner, agent_id, coached_on",
}
ID_FIELD = {
    "interactions": "contact_id",
    "surveys": "response_id",
    "qa": "evaluation_id",
    "roster": "agent_id",
    "calibration": "contact_id",
    "coaching": "agent_id",
}


@dataclass(frozen=True)
class SourceCount:
    """Rows read from one source, and how many were accepted and rejected."""

    source: str
    files: tuple[str, ...]
    read: int  # rows, or for a platform's export customer contacts: accepted + rejected + not_queued
    accepted: int
    rejected: int
    not_queued: int = 0  # contacts that never entered a queue: neither offered nor rejected
    records: int | None = None  # a platform's export: the records (legs) read, after merging copies
    merged: int = 0  # re-delivered copies of a record, merged into the latest (not rejects)

    def summary(self, files: str) -> str:
        """'12,000 rows read from 3 files, 11,990 used'; for a platform's export the records, the
        copies merged, the customer contacts they make and those never queued."""
        if self.records is None:
            return f"{self.read:,} rows read from {files}, {self.accepted:,} used"
        copies = f" ({self.merged:,} re-delivered {noun(self.merged, 'copy', 'copies')} merged)" if self.merged else ""
        queued = f", {self.not_queued:,} not queued (self-service or outbound)" if self.not_queued else ""
        return (
            f"{self.records:,} {noun(self.records, 'record')} read from {files}{copies}: "
            f"{self.read:,} customer {noun(self.read, 'contact')}, {self.accepted:,} used{queued}"
        )


@dataclass(frozen=True)
class RejectCount:
    source: str
    partner: str | None  # as written in the export (after partner_values); None when empty
    period: str | None  # YYYY-MM in the source's time zone; None when the timestamp could not be read
    reason: str
    rows: int


@dataclass(frozen=True)
class RejectSample:
    """One rejected row, where to find it and why."""

    source: str
    reason: str
    file: str
    row: int  # 1-based data row in the file (header not counted)
    line: int | None  # CSV: physical line (header = 1) when no field spans lines; Parquet: the row number
    partner: str | None
    period: str | None
    record_id: str | None  # contact / response / evaluation / agent id
    value: str | None  # the text that could not be read, when that is the reason
    column: str | None  # the export's column, when one is to blame
    # a JSON file: the record's number in it (a pretty-printed record spans many lines, so its
    # number is said as a record number, never as if it were a line)
    record: int | None = None
    platform: bool = False  # read through a platform preset (its timestamp format is not configurable)

    @property
    def message(self) -> str:
        what = {
            "interactions": "contact",
            "surveys": "response",
            "qa": "evaluation",
            "roster": "agent",
            "calibration": "calibration score",
            "coaching": "coaching session",
        }[self.source]
        who = f"{what} '{self.record_id}'" if self.record_id else f"{what} without id"
        if self.record is not None:
            who += f" (record {self.record:,} of the file)"
        if self.reason == sql.MISSING_FIELD:
            detail = f"a required field is empty ({REQUIRED[self.source]})"
        elif self.reason == sql.UNPARSEABLE_TIMESTAMP:
            hint = "the platform writes ISO 8601" if self.platform else _timestamp_hint(self.value)
            detail = f"'{self.value}' is not a timestamp ({hint})"
        elif self.reason == sql.NOT_A_NUMBER:
            detail = f"'{self.value}' is not a number"
            if _finite_or_not(self.value):
                detail = f"'{self.value}' is not a usable number (infinite, NaN, or 10^15 or more)"
        elif self.reason == sql.BAD_VALUE:
            detail = f"'{self.value}' is not one of the configured yes/no values"
        elif self.reason == sql.UNKNOWN_PARTNER:
            detail = f"partner '{self.partner}' is not a partner id in the config (map it in partner_values)"
        else:
            detail = REASONS[self.reason]
        return f"{who} rejected: {detail}"

    @property
    def location(self) -> Location:
        return Location(self.file, self.line, self.column)

    def problem(self) -> Problem:
        return Problem(f"raw.{self.reason}", self.message, self.location, ExitCode.DATA, severity="warning")


def _timestamp_hint(value: str | None) -> str:
    """What to set: a 13-digit number is epoch milliseconds (2001-2286), a 10-digit one seconds."""
    digits = (value or "").strip().split(".")[0]
    if digits.isdigit() and len(digits) == 13:
        return "it looks like epoch milliseconds: set timestamp_format: epoch_milliseconds"
    if digits.isdigit() and len(digits) == 10:
        return "it looks like epoch seconds: set timestamp_format: epoch_seconds"
    return "ISO 8601, or set timestamp_format"


AGREE_WITHIN = 1.0  # seconds: our figure and the platform's agree when this close (its whole seconds)

# measure -> what it is, for the report's lines
AGREEMENT_MEASURES = {
    "wait": "wait (to the answer, or to abandoning)",
    "handle": "handle time",
    "within": "service level",
}


# preset -> the KPI measures whose platform figure its records carry -> that figure's kind
PLATFORM_MEASURES = {
    "amazon-connect": {"asa": "wait"},
    "genesys-cloud": {"asa": "wait", "aht": "handle"},
    "zendesk-talk": {"asa": "wait"},
    "nice-cxone": {"service_level": "within"},
}

# preset -> the platform's name, as a document says it
PLATFORM_NAMES = {
    "amazon-connect": "Amazon Connect",
    "genesys-cloud": "Genesys Cloud",
    "nice-cxone": "NICE CXone",
    "zendesk-talk": "Zendesk Talk",
}

# preset -> measure -> the platform's own field it is compared with
PLATFORM_FIGURES = {
    "amazon-connect": {"wait": "Queue.Duration"},
    "genesys-cloud": {"wait": "tAnswered or tAbandon", "handle": "tHandle"},
    "zendesk-talk": {"wait": "wait_time"},
    "nice-cxone": {"within": "serviceLevelFlag"},
}


@dataclass(frozen=True)
class PlatformAgreement:
    """For one source, month (of arrival, in the source's zone) and measure: the used contacts
    whose record carries the platform's own figure (Connect Queue.Duration; Genesys tAnswered or
    tAbandon, tHandle), how many of them agree with govdocs' recomputation from timestamps and
    segments, and the contact that differs most."""

    source: str
    period: str | None
    measure: str  # wait | handle | within (the service level: 1 within, 0 outside)
    figure: str  # the platform's field: Queue.Duration, tAnswered or tAbandon, tHandle, serviceLevelFlag
    compared: int
    agreeing: int
    contact_id: str | None  # the contact with the largest difference
    ours: float | None
    theirs: float | None
    # within: the seconds ours is answered within (the service_level KPI's), and of the contacts
    # compared, how many are within by ours and by the platform's flag
    seconds: float | None = None
    ours_within: int = 0
    theirs_within: int = 0

    @property
    def difference(self) -> float:
        return 0.0 if self.ours is None or self.theirs is None else abs(self.ours - self.theirs)

    def text(self) -> str:
        """'2026-07 wait (...): 8 contacts compared with the platform's own Queue.Duration, 7 agree
        within 1 s; largest difference 5.0 s (contact 'k01': 12.0 s here, 17.0 s the platform's)'."""
        if self.measure == "within":
            return self._within_text()
        head = (
            f"{self.period or 'date unreadable'} {AGREEMENT_MEASURES[self.measure]}: {self.compared:,} "
            f"{noun(self.compared, 'contact')} compared with the platform's own {self.figure}, {self.agreeing:,} "
            f"{'agrees' if self.agreeing == 1 else 'agree'} within {AGREE_WITHIN:g} s"
        )
        if self.agreeing == self.compared:
            return head
        return (
            f"{head}; largest difference {self.difference:,.1f} s (contact '{self.contact_id}': "
            f"{self.ours:,.1f} s here, {self.theirs:,.1f} s the platform's)"
        )

    def _within_text(self) -> str:
        """'2026-07 service level (answered within 20 s): 4 contacts compared with the platform's own
        serviceLevelFlag, 3 agree: 75.0 % within here, 50.0 % by the platform's flags; contact 'k03'
        within here, outside by the platform's'."""
        share = 100.0 * self.ours_within / self.compared if self.compared else 0.0
        theirs = 100.0 * self.theirs_within / self.compared if self.compared else 0.0
        head = (
            f"{self.period or 'date unreadable'} service level (answered within {self.seconds or 0:g} s): "
            f"{self.compared:,} {noun(self.compared, 'contact')} compared with the platform's own {self.figure}, "
            f"{self.agreeing:,} {'agrees' if self.agreeing == 1 else 'agree'}: {share:.1f} % within here, "
            f"{theirs:.1f} % by the platform's flags"
        )
        if self.agreeing == self.compared:
            return head

        def side(value: float | None) -> str:
            return "within" if value else "outside"

        return f"{head}; contact '{self.contact_id}' {side(self.ours)} here, {side(self.theirs)} by the platform's"


@dataclass(frozen=True)
class KpiFigure:
    """Which figure a KPI was computed from, where the platform's records carry one of their own:
    the platform's (`from: platform`) or govdocs' recomputation from the records (the default)."""

    kpi: str
    measure: str  # wait | handle | within
    platform: bool
    preset: str
    seconds: float | None = None  # within: the service level's threshold

    def text(self) -> str:
        """In plain words, for a document's provenance: 'the platform's own queue time (Amazon
        Connect Queue.Duration)', 'recomputed from the Amazon Connect records, from entering the
        queue to the answer (not the platform's own queue time, Queue.Duration)'."""
        name = PLATFORM_NAMES.get(self.preset, self.preset)
        field = PLATFORM_FIGURES.get(self.preset, {}).get(self.measure, "")
        theirs = {
            "wait": "the platform's own queue time",
            "handle": "the platform's own handle time",
            "within": "the platform's own service-level flags",
        }[self.measure]
        if self.platform:
            tail = ", at the platform's own threshold" if self.measure == "within" else ""
            return f"{theirs} ({name} {field}){tail}"
        how = {
            "wait": "from entering the queue to the answer",
            "handle": "talk, hold and wrap-up added up",
            "within": f"answered within {self.seconds or 0:g} seconds of entering the queue",
        }[self.measure]
        return f"recomputed from the {name} records, {how} (not {theirs}, {field})"


def kpi_figures(raw: object) -> tuple[KpiFigure, ...]:
    """Each KPI of a platform's export whose records carry the platform's own figure for it."""
    from govdocs.raw.presets import preset_of

    preset = preset_of(getattr(getattr(raw, "sources", None), "interactions", None))
    if preset is None:
        return ()
    kinds = PLATFORM_MEASURES.get(preset.name, {})
    return tuple(
        KpiFigure(
            spec.kpi,
            kinds[spec.measure],
            getattr(getattr(spec, "from_", None), "value", "recomputed") == "platform",
            preset.name,
            float(spec.answered_within_seconds) if spec.measure == "service_level" else None,
        )
        for spec in raw.kpis  # type: ignore[attr-defined]
        if spec.measure in kinds
    )


def agreement_sql(source: str, numbers: tuple[str, ...], within_seconds: float | None = None) -> str:
    """Per month and measure: the used contacts with a platform figure, those agreeing with ours,
    and the one differing most (its id, our figure, the platform's), and for the service level
    how many are within by ours and by the platform's (answered within `within_seconds`, the
    service_level KPI's; not compared without one). Reads `<source>_tested`."""
    handle = " + ".join(f"COALESCE({f}, 0)" for f in numbers) or "NULL"
    within = ""
    if within_seconds is not None:
        ours = (
            f"CASE WHEN answered_at_us IS NOT NULL AND (answered_at_us - arrived_at_us) / 1e6 <= {within_seconds:g}"
            " THEN 1.0 ELSE 0.0 END"
        )
        within = (
            "  UNION ALL\n"
            f"  SELECT year, month, source_key, contact_id, 'within', {ours}, platform_within\n"
            f"  FROM {source}_tested WHERE check_reason IS NULL AND platform_within IS NOT NULL\n"
        )
    agree = f"CASE WHEN measure = 'within' THEN ours = theirs ELSE ABS(ours - theirs) <= {AGREE_WITHIN} END"
    return (
        "SELECT year, month, measure, COUNT(*),\n"
        f"  COUNT(*) FILTER (WHERE {agree}),\n"
        "  ARG_MAX(contact_id, [ABS(ours - theirs), -source_key]), ARG_MAX(ours, [ABS(ours - theirs), -source_key]),\n"
        "  ARG_MAX(theirs, [ABS(ours - theirs), -source_key]), SUM(ours), SUM(theirs)\n"
        "FROM (\n"
        "  SELECT year, month, source_key, contact_id, 'wait' AS measure,\n"
        "    (COALESCE(answered_at_us, ended_at_us) - arrived_at_us) / 1e6 AS ours, platform_wait AS theirs\n"
        f"  FROM {source}_tested WHERE check_reason IS NULL AND platform_wait IS NOT NULL\n"
        "  UNION ALL\n"
        f"  SELECT year, month, source_key, contact_id, 'handle', {handle}, platform_handle\n"
        f"  FROM {source}_tested\n"
        "  WHERE check_reason IS NULL AND platform_handle IS NOT NULL AND answered_at_us IS NOT NULL\n"
        f"{within}"
        ") AS compared\n"
        "GROUP BY year, month, measure ORDER BY year, month, measure"
    )


@dataclass(frozen=True)
class QualityReport:
    sources: tuple[SourceCount, ...]
    rejects: tuple[RejectCount, ...]
    samples: tuple[RejectSample, ...]
    agreement: tuple[PlatformAgreement, ...] = ()
    figures: tuple[KpiFigure, ...] = ()  # which figure each KPI used, where the platform has its own

    @property
    def read(self) -> int:
        return sum(s.read for s in self.sources)

    @property
    def rejected(self) -> int:
        return sum(s.rejected for s in self.sources)

    def problems(self) -> list[Problem]:
        """The samples as warnings (file + line), for `govdocs validate` style listings."""
        return [s.problem() for s in self.samples]

    def for_partner(self, partner: str) -> QualityReport:
        """Only what concerns one partner (for a partner-facing document: no other partner's rows,
        no rows of unknown partners)."""
        return QualityReport(
            sources=self.sources,
            rejects=tuple(r for r in self.rejects if r.partner == partner),
            samples=tuple(s for s in self.samples if s.partner == partner),
            figures=self.figures,  # the same for every partner
        )  # the platform agreement is export-wide: not on a partner's document

    def by_reason(self, source: str | None = None) -> dict[str, int]:
        totals: dict[str, int] = {}
        for r in self.rejects:
            if source is None or r.source == source:
                totals[r.reason] = totals.get(r.reason, 0) + r.rows
        return totals


def samples_sql(per_reason: int, source: str = "roster") -> str:
    """A table source's first rejected rows of each reason (the event sources keep theirs in their cube)."""
    return (
        "SELECT reject_reason, partner, year, month, source_key, source_index, source_row,\n"
        f"  {ID_FIELD[source]} AS record_id, bad_value, bad_field FROM (\n"
        "  SELECT *, ROW_NUMBER() OVER (PARTITION BY reject_reason ORDER BY source_key) AS k\n"
        f"  FROM {source}_checked WHERE reject_reason IS NOT NULL\n"
        f") AS ranked WHERE k <= {int(per_reason)}"
    )


def _finite_or_not(value: object) -> bool:
    """Whether a rejected number's text reads as a float at all (inf, nan, 1e40 do)."""
    try:
        float(str(value))
    except ValueError:
        return False
    return True


def period_text(year: object, month: object) -> str | None:
    if year is None or month is None:
        return None
    return f"{int(year):04d}-{int(month):02d}"  # type: ignore[call-overload]
