"""Build-context step, shared parts: document identity, provenance, contract clock, badges.

Everything here is plain frozen data a template can print without computing.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from govdocs import __version__
from govdocs.config.model import GovernanceConfig, Kpi, Partner, Uncertainty
from govdocs.data.table import KpiData
from govdocs.periods import Month, Quarter
from govdocs.render.formatters import UNIT_SUFFIX, kpi_value, number
from govdocs.scoring.results import Score

if TYPE_CHECKING:
    import pandas as pd

    from govdocs.raw.quality import QualityReport


def score_words(score: Score) -> str:
    """A score as every table prints it: '94.0', or '62.0 (provisional, 56.0–68.0)' when results
    that are not statistically clear could move it (the range beside the score it contains)."""
    if score.value is None:
        return "–"
    text = number(score.value, 1)
    return f"{text} (provisional, {number(score.low, 1)}–{number(score.high, 1)})" if score.provisional else text


def kpi_text(kpi: Kpi, value: float | None) -> str:
    """A KPI value as every document prints it: its decimals and unit ('74.1%', '37 s'). A value
    that would print as its target or floor without meeting it prints with the decimals that tell
    it apart, so the printed value and its status agree: '79.96%' below an 80.0% target, never
    '80.0%' beside 'below target'. A value that meets the line prints as it ('80.0%', on target)."""
    if value is not None:
        kpi = apart_from_lines(kpi, value)
    return kpi_value(value, kpi.unit.value, kpi.decimals)


def apart_from_lines(kpi: Kpi, value: float) -> Kpi:
    """The KPI with the decimals `value` needs not to print as a target or floor it misses."""
    higher = kpi.direction.value == "higher_is_better"

    def misses_but_prints_as(line: float | None, decimals: int) -> bool:
        if line is None or value == line or (value > line if higher else value < line):
            return False
        return round(value, decimals) == round(line, decimals)

    decimals = kpi.decimals
    while decimals < kpi.decimals + 3 and any(misses_but_prints_as(t, decimals) for t in (kpi.target, kpi.floor)):
        decimals += 1
    return kpi if decimals == kpi.decimals else kpi.model_copy(update={"decimals": decimals})


def telling(kpi: Kpi, value: float, *thresholds: float | None) -> Kpi:
    """The KPI with enough decimals that `value` does not print as any of `thresholds`: an amber
    30.4 s is '30.4 s, 0.4 s above the 30 s target', never '30 s, 0 s above the 30 s target'."""
    decimals = kpi.decimals
    while decimals < kpi.decimals + 3 and any(
        t is not None and round(value, decimals) == round(t, decimals) and value != t for t in thresholds
    ):
        decimals += 1
    return kpi if decimals == kpi.decimals else kpi.model_copy(update={"decimals": decimals})


def gap_text(kpi: Kpi, value: float, threshold: float) -> str:
    """Distance between two values as printed, always positive, in the KPI's unit ('5.9 pp')."""
    unit = " pp" if kpi.unit.value == "percent" else UNIT_SUFFIX[kpi.unit.value]
    return f"{number(abs(round(value, kpi.decimals) - round(threshold, kpi.decimals)), kpi.decimals)}{unit}"


class Audience(StrEnum):
    PARTNER = "partner"
    INTERNAL = "internal"


@dataclass(frozen=True)
class InputFile:
    role: str  # "Governance config", "KPI data", "Partner inputs"
    name: str
    sha256: str
    detail: str  # rows, layout, ...

    @property
    def short_hash(self) -> str:
        return self.sha256[:12]


@dataclass(frozen=True)
class RunInputs:
    """The files a run was built from, hashed once per run."""

    config_path: Path
    config_sha256: str
    data: KpiData
    inputs_dir: Path | None
    quality: QualityReport | None = None  # when the KPIs were computed from raw exports
    breakdown: pd.DataFrame | None = None  # raw KPIs per channel or programme (`by:`), for inspection
    drill: pd.DataFrame | None = None  # raw KPI sums per drill-down segment: where a gap is (govdocs/gaps.py)
    qa_review: object = None  # QA calibration and coaching sums (govdocs.raw.engine.QaReviewRows)

    @classmethod
    def from_paths(
        cls,
        config_path: Path,
        data: KpiData,
        inputs_dir: Path | None,
        quality: QualityReport | None = None,
        breakdown: pd.DataFrame | None = None,
        drill: pd.DataFrame | None = None,
        qa_review: object = None,
    ) -> RunInputs:
        return cls(config_path, sha256_file(config_path), data, inputs_dir, quality, breakdown, drill, qa_review)


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class DocumentMeta:
    kind: str
    title: str
    document_id: str
    inputs_hash: str
    audience: Audience
    audience_label: str
    classification: str
    client_name: str
    programme: str | None
    partner_name: str
    period_label: str
    as_of: date
    generator: str

    @property
    def running_title(self) -> str:
        return f"{self.title} · {self.partner_name} · {self.period_label}"


def classification_line(config: GovernanceConfig, partner: Partner, audience: Audience) -> str:
    """Short enough for the running header; the cover says in full who the copy is for."""
    base = config.client.classification
    if audience is Audience.INTERNAL:
        return f"{base} · Internal: not for the partner"
    return f"{base} · Partner copy"


def inputs_hash(parts: list[tuple[str, str]]) -> str:
    """One hash over every input's own hash and the options that shape the document."""
    digest = hashlib.sha256()
    for label, value in sorted(parts):
        digest.update(f"{label}={value}\n".encode())
    return digest.hexdigest()


def document_meta(
    *,
    kind: str,
    title: str,
    config: GovernanceConfig,
    partner: Partner,
    quarter: Quarter,
    audience: Audience,
    as_of: date,
    files: list[InputFile],
) -> DocumentMeta:
    digest = inputs_hash(
        [(f"{f.role}:{f.name}", f.sha256) for f in files]
        + [
            ("kind", kind),
            ("partner", partner.id),
            ("quarter", str(quarter)),
            ("audience", audience.value),
            ("as_of", as_of.isoformat()),
            ("govdocs", __version__),
        ]
    )
    return DocumentMeta(
        kind=kind,
        title=title,
        document_id=f"{kind.upper()}-{quarter.year}Q{quarter.q}-{partner.id}-{audience.value[0].upper()}-{digest[:6].upper()}",
        inputs_hash=digest[:12],
        audience=audience,
        audience_label="Partner-facing" if audience is Audience.PARTNER else "Internal",
        classification=classification_line(config, partner, audience),
        client_name=config.client.name,
        programme=config.client.programme,
        partner_name=partner.name,
        period_label=quarter.label,
        as_of=as_of,
        generator=f"govdocs {__version__}",
    )


@dataclass(frozen=True)
class PartnerFingerprint:
    rows: int
    first_month: Month | None
    last_month: Month | None
    sha256: str

    @property
    def short_hash(self) -> str:
        return self.sha256[:12]


def partner_fingerprint(data: KpiData, partner_id: str, months: list[Month]) -> PartnerFingerprint:
    """Hash of exactly the rows a document used, so a partner can check them against its own extract."""
    indexes = {m.index for m in months}
    frame = data.frame
    rows = frame[(frame["partner"] == partner_id) & frame["month"].isin(indexes)]
    lines = sorted(
        f"{p},{Month.from_index(int(m))},{k},{v!r},{'' if vol != vol else repr(vol)}"
        for p, m, k, v, vol in zip(
            rows["partner"], rows["month"], rows["kpi"], rows["value"], rows["volume"], strict=True
        )
    )
    digest = hashlib.sha256("\n".join(lines).encode()).hexdigest()
    used = sorted(int(m) for m in set(rows["month"]))
    return PartnerFingerprint(
        rows=len(lines),
        first_month=Month.from_index(used[0]) if used else None,
        last_month=Month.from_index(used[-1]) if used else None,
        sha256=digest,
    )


def folder_name(path: Path) -> str:
    """A human input file by its folder and name, 'inputs/ECH.yaml', as the programme lays it out."""
    return f"{path.parent.name}/{path.name}" if path.parent.name else path.name


def run_files(run: RunInputs, partner_inputs: Path | None, partner_id: str | None = None) -> list[InputFile]:
    """Every file a document was built from; for raw exports, what each source's check rejected
    (for `partner_id` only on a partner's document; everything, unknown partners too, otherwise)."""
    files = [InputFile("Governance config", run.config_path.name, run.config_sha256, "validated")]
    raw = [s for s in run.data.sources if s.layout == "raw"]
    files += _table_files(run.data, partner_id)
    # A partner's document names no raw file (a vendor's export may carry its name); the hash
    # still lets the client match it to its file.
    files += [
        InputFile(
            "Raw export", s.name if partner_id is None else f"raw export {i} of {len(raw)}", s.sha256, "read directly"
        )
        for i, s in enumerate(raw, start=1)
    ]
    if run.quality is not None:
        files += _quality_rows(run.quality, partner_id)
    if partner_inputs is not None:
        # named with its folder: a partner's inputs and proposed actions may share a name ('ECH.yaml' twice)
        files.append(
            InputFile("Partner inputs", folder_name(partner_inputs), sha256_file(partner_inputs), "human input")
        )
    if partner_id is not None and run.inputs_dir is not None:
        returned = run.inputs_dir / f"{partner_id}.response.yaml"
        if returned.exists():
            files.append(InputFile("Partner response", returned.name, sha256_file(returned), "returned form"))
    return files


def figure_rows(run: RunInputs, config: GovernanceConfig) -> list[InputFile]:
    """For a KPI computed from a platform's export whose records carry the platform's own figure,
    which figure it is: the platform's, or govdocs' recomputation (the QBR's provenance)."""
    if run.quality is None:
        return []
    names = {k.id: k.name for k in config.kpis}
    return [InputFile("Figure used", names.get(f.kpi, f.kpi), "", f.text()) for f in run.quality.figures]


def _table_files(data: KpiData, partner_id: str | None) -> list[InputFile]:
    """The KPI tables (--data). A partner's document names only the files holding its rows, with
    its own row count: with the data split per partner, another file's name is another partner's
    name, and its row count that partner's volume. The other files are one unnamed line whose hash
    covers them all (the peer comparison reads them, so the document id still does)."""
    tables = [(i, s) for i, s in enumerate(data.sources) if s.layout != "raw"]
    if partner_id is None:
        return [InputFile("KPI data", s.name, s.sha256, f"{s.rows:,} rows, {s.layout} format") for _, s in tables]
    mine = data.rows_by_file(partner_id)
    files = [
        InputFile("KPI data", s.name, s.sha256, f"{mine[i]:,} rows of {partner_id}, {s.layout} format")
        for i, s in tables
        if mine.get(i)
    ]
    others = [s for i, s in tables if not mine.get(i)]
    if others:
        digest = hashlib.sha256("".join(s.sha256 for s in others).encode()).hexdigest()
        count = f"{len(others)} file{'s' if len(others) != 1 else ''}"
        what = f"{count} without {partner_id}'s rows, read for the peer comparison and not named here"
        files.append(InputFile("KPI data", "other partners' data", digest, what))
    return files


def _quality_rows(quality: QualityReport, partner_id: str | None) -> list[InputFile]:
    """One row per raw source, with the rejected rows by month and reason. On a partner's document
    only its own rejected rows (the export-wide counts would tell it the other partners' volumes);
    on the portfolio summary the rows read and used in all, and every rejected row, unknown
    partners included."""
    mine = quality if partner_id is None else quality.for_partner(partner_id)
    rows = []
    for source in quality.sources:
        rejected = sum(r.rows for r in mine.rejects if r.source == source.source)
        if partner_id is None and source.records is not None:
            detail = (
                f"{source.records:,} records read ({source.merged:,} re-delivered "
                f"{'copy' if source.merged == 1 else 'copies'} merged): "
                f"{source.read:,} customer contacts, {source.accepted:,} used, {source.not_queued:,} not queued, "
                f"{rejected:,} rejected"
            )
        elif partner_id is None:
            detail = f"{source.read:,} rows read, {source.accepted:,} used, {rejected:,} rejected"
        else:
            detail = f"{rejected:,} of {partner_id}'s rows rejected"
        months = _rejects_by_month(mine, source.source)
        rows.append(InputFile("Data quality", source.source, "", detail + (f" ({months})" if months else "")))
    return rows


def _rejects_by_month(quality: QualityReport, source: str) -> str:
    """'Jul 2026: 1 duplicate id; Aug 2026: 1 value not allowed' -- by the month of the row's own
    timestamp (rows whose timestamp could not be read last, as 'date unreadable')."""
    from govdocs.raw.quality import reasons_text

    months: dict[str, dict[str, int]] = {}
    for r in quality.rejects:
        if r.source == source:
            counts = months.setdefault(r.period or "", {})
            counts[r.reason] = counts.get(r.reason, 0) + r.rows
    ordered = sorted(months.items(), key=lambda item: (not item[0], item[0]))
    return "; ".join(
        f"{Month.parse(period).label if period else 'date unreadable'}: {reasons_text(counts)}"
        for period, counts in ordered
    )


def fairness_rules(config: GovernanceConfig) -> tuple[str, ...]:
    """The rules on uncertain results, provisional triggers and relief, in the words every document
    prints in its definitions (the QBR's Appendix B, the plan's appendix, the assessment's rules)."""
    if config.scoring.uncertainty is Uncertainty.BOTH_WAYS:
        clarity = (
            "Uncertain results, one rule both ways: a result of a proportion KPI (a share of a sample of surveys "
            "or evaluations) is given a status only when its whole 95% interval lies in that status's band. One "
            "whose interval reaches across the target or the floor is 'not clear': neither a pass nor a failure, "
            "never a credit."
        )
    else:
        clarity = (
            "Uncertain results, the configured rule (pass only): a pass of a proportion KPI needs its whole 95% "
            "interval to meet the target, or it is 'not clear'; a miss counts amber or red as measured, even when "
            "its interval reaches the floor."
        )
    return (
        clarity,
        "Triggers: a plan, a review or a credit follows from a rule only when the rule holds whatever the "
        "unclear results turn out to be (the score over its range with them counted each way). A trigger "
        "that holds only for some of their outcomes is stated as provisional and acts on nothing on its own.",
        "Relief: a month relieved for a client cause (volume above the forecast band for the SLAs the terms "
        "relieve, or a client factor that relieves the KPI) is shown as relieved with its reason, and is never "
        "a partner failure: not in the failure count, a run of red months, a credit or the offboarding evidence.",
    )


# A threshold that says how often or how widely, not how much: it follows its metric as a phrase
# ('…, every week of the plan'), where a level follows a colon ('Schedule adherence: ≥ 92%').
CADENCE_WORDS = ("every", "each", "all", "per", "once", "twice", "daily", "weekly", "fortnightly", "monthly")


def measured_by(metric: str, threshold: str) -> str:
    """An action's measure and its level as one phrase. 'Weekly forecasts delivered by Monday
    12:00' and 'Every week of the plan' were joined as 'by Monday 12:00: Every week of the plan':
    a cadence reads after a comma, in lower case, and a colon never follows a time of day."""
    metric, threshold = metric.strip().rstrip(":"), threshold.strip()
    if not threshold:
        return metric
    cadence = threshold.split(maxsplit=1)[0].lower() in CADENCE_WORDS
    time_of_day = re.search(r"\d:\d\d$", metric) is not None  # '… by Monday 12:00'
    if cadence or time_of_day:
        return f"{metric}, {threshold[0].lower()}{threshold[1:]}"
    return f"{metric}: {threshold}"


def target_source_text(kpi: Kpi, client: str, internal: bool) -> str:
    """Where a KPI's target comes from, as each copy tells it. A target is the client's: a partner
    copy names the contract clause the config gives, and a target still at govdocs' catalogue
    default (the starter's published benchmark, never replaced by a clause) is 'set by' the client;
    the internal copy names that benchmark and asks for the clause (issue 35)."""
    from govdocs.kpi_catalogue import BY_ID

    default = BY_ID.get(kpi.id)
    at_default = default is not None and kpi.target_source == default.target_source
    if kpi.target_source and not at_default:
        return kpi.target_source
    if not internal:
        return f"Set by {client}"
    if at_default:
        return f"Catalogue default ({kpi.target_source}); replace with the contract's clause"
    return "Not configured"
