"""Validate step, raw half: rules of the `raw_data` section a schema cannot express.

Each problem carries its config path (raw_data.kpis[2].measure) and, given the YAML document,
its line. `load_raw_data` reads a stand-alone file whose top-level key is `raw_data`
(examples/raw/mapping.yaml); inside the governance config the same checks run on its section.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from govdocs.errors import ExitCode, GovdocsError, Location, Problem
from govdocs.raw.model import (
    MEASURE_COLUMNS,
    MEASURE_SOURCE,
    PLATFORM_FORMATS,
    PROPORTIONS,
    REQUIRED_INTERACTION_COLUMNS,
    FileFormat,
    RawData,
    _Model,
)
from govdocs.raw.presets import fields_of, preset_of
from govdocs.raw.quality import PLATFORM_MEASURES
from govdocs.yamlfile import format_path, load_yaml, model_from_document

if TYPE_CHECKING:
    from govdocs.yamlfile import YamlDocument

Path_ = tuple[str | int, ...]
UNIT = {
    "offered": "count",
    "answered": "count",
    "abandoned": "count",
    "asa": "seconds",
    "aht": "seconds",
    "nps": "score",
    "qa_score": "score",
    "attrition": "percent",
    **{m: "percent" for m in PROPORTIONS},
}


def _valid_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _check(
    raw: RawData, kpi_units: Mapping[str, str] | None, partner_ids: Sequence[str] | None
) -> Iterator[tuple[str, str, Path_, str]]:
    sources = raw.sources
    configured = {name for name in type(sources).model_fields if getattr(sources, name) is not None}
    if not configured:
        yield "config.raw_no_source", "raw_data.sources names no source", ("sources",), "error"
    for name in sorted(configured):
        src = getattr(sources, name)
        yield from _check_format(name, src)
        zone = getattr(src, "timezone", None)
        if zone is not None and not _valid_zone(zone):
            yield (
                "config.bad_timezone",
                f"'{zone}' is not an IANA time zone (e.g. Europe/Lisbon, America/New_York)",
                ("sources", name, "timezone"),
                "error",
            )
        if partner_ids is not None:
            for key, value in src.partner_values.items():
                if value not in partner_ids:
                    yield (
                        "config.unknown_partner",
                        f"'{value}' is not a partner id in the config",
                        ("sources", name, "partner_values", key),
                        "error",
                    )
    seen: dict[str, int] = {}
    for i, spec in enumerate(raw.kpis):
        here: Path_ = ("kpis", i)
        if spec.kpi in seen:
            message = f"KPI '{spec.kpi}' is already computed by raw_data.kpis[{seen[spec.kpi]}]"
            yield "config.duplicate_id", message, (*here, "kpi"), "error"
        seen.setdefault(spec.kpi, i)
        if kpi_units is not None and spec.kpi not in kpi_units:
            yield "config.unknown_kpi", f"'{spec.kpi}' is not a KPI id in the catalogue", (*here, "kpi"), "error"
        elif kpi_units is not None and kpi_units[spec.kpi] != UNIT[spec.measure]:
            yield (
                "config.unit_mismatch",
                f"measure {spec.measure} gives {UNIT[spec.measure]}, but KPI '{spec.kpi}' is in {kpi_units[spec.kpi]}",
                (*here, "measure"),
                "warning",
            )
        source = MEASURE_SOURCE[spec.measure]
        src = getattr(sources, source)
        if src is None:
            yield (
                "config.raw_source_missing",
                f"measure {spec.measure} reads raw_data.sources.{source}, which is not configured",
                (*here, "measure"),
                "error",
            )
            continue
        fields = fields_of(src)
        for column in MEASURE_COLUMNS.get(spec.measure, ()):
            if column not in fields:
                preset = preset_of(src)
                yield (
                    "config.raw_column_missing",
                    f"measure {spec.measure} needs raw_data.sources.{source}.columns.{column}"
                    if preset is None
                    else f"measure {spec.measure} needs the contacts' {column}, "
                    f"which format: {preset.name} does not carry",
                    (*here, "measure"),
                    "error",
                )
        by = getattr(spec, "by", None)
        if by is not None and by.value not in fields:
            yield (
                "config.raw_column_missing",
                f"by: {by.value} needs raw_data.sources.{source}.columns.{by.value}",
                (*here, "by"),
                "error",
            )
        for attr, column in (("channels", "channel"), ("programmes", "programme"), ("types", "type")):
            if getattr(spec, attr, None) and column not in fields:
                yield (
                    "config.raw_column_missing",
                    f"{attr} filter needs raw_data.sources.{source}.columns.{column}",
                    (*here, attr),
                    "error",
                )
        yield from _check_from(spec, src, here)
        if spec.measure == "csat_top_box" and not 1 <= spec.top_box_min <= src.csat_scale:
            yield (
                "config.out_of_range",
                f"top_box_min {spec.top_box_min:g} is not on the 1-{src.csat_scale} CSAT scale",
                (*here, "top_box_min"),
                "error",
            )
        if spec.measure == "qa_pass_rate" and not 0 <= spec.pass_score <= src.score_max:
            yield (
                "config.out_of_range",
                f"pass_score {spec.pass_score:g} is not between 0 and score_max {src.score_max:g}",
                (*here, "pass_score"),
                "error",
            )


# preset -> the measures whose platform figure its records carry (see quality.PLATFORM_FIGURES)
_PLATFORM_MEASURES = PLATFORM_MEASURES


def _check_from(spec: object, src: _Model, here: Path_) -> Iterator[tuple[str, str, Path_, str]]:
    """`from: platform` needs a platform preset whose records carry that measure's own figure."""
    chosen = getattr(spec, "from_", None)
    if chosen is None or chosen.value != "platform":
        return
    preset = preset_of(src)
    measure = spec.measure  # type: ignore[attr-defined]
    if preset is None or measure not in _PLATFORM_MEASURES.get(preset.name, {}):
        have = ", ".join(f"{name} ({', '.join(m)})" for name, m in _PLATFORM_MEASURES.items())
        message = (
            f"from: platform reads the platform's own figure for {measure}, which "
            f"{'a mapped table' if preset is None else f'format: {preset.name}'} does not carry (those that do: {have})"
        )
        yield "config.no_platform_figure", message, (*here, "from"), "error"
    elif getattr(spec, "per", None) is not None and spec.per.value == "leg":  # type: ignore[attr-defined]
        yield (
            "config.no_platform_figure",
            "from: platform gives a contact's figure: use per: contact",
            (*here, "per"),
            "error",
        )


def _check_format(name: str, src: _Model) -> Iterator[tuple[str, str, Path_, str]]:
    """A platform's format only on interactions; a mapped table names the required columns."""
    fmt = getattr(src, "format", FileFormat.AUTO)
    if fmt in PLATFORM_FORMATS and name != "interactions":
        message = f"format: {fmt.value} is a platform's contact export: it can be read for interactions only"
        yield "config.raw_bad_format", message, ("sources", name, "format"), "error"
        return
    if name != "interactions":
        return
    if fmt in PLATFORM_FORMATS:
        fixed = [f for f in src.columns.model_dump(exclude_none=True) if f in preset_of(src).fixed]  # type: ignore[attr-defined, union-attr]
        if fixed:
            message = (
                f"format: {fmt.value} reads {', '.join(fixed)} from the platform's own model; remove them from columns"
            )
            yield "config.raw_bad_format", message, ("sources", name, "columns", fixed[0]), "error"
        if getattr(src, "timestamp_format", None) is not None:
            message = f"format: {fmt.value} reads the platform's own timestamps; remove timestamp_format"
            yield "config.raw_bad_format", message, ("sources", name, "timestamp_format"), "error"
        if getattr(src, "queues", None) is not None and fmt is not FileFormat.GENESYS_CLOUD:
            message = "queues names a Genesys Cloud queues export; it is read with format: genesys-cloud only"
            yield "config.raw_bad_format", message, ("sources", name, "queues"), "error"
        return
    if getattr(src, "queues", None) is not None:
        message = "queues names a Genesys Cloud queues export; it is read with format: genesys-cloud only"
        yield "config.raw_bad_format", message, ("sources", name, "queues"), "error"
    columns = src.columns.model_dump(exclude_none=True)  # type: ignore[attr-defined]
    missing = [column for column in REQUIRED_INTERACTION_COLUMNS if column not in columns]
    if missing:
        message = (
            f"columns needs {', '.join(missing)} (the export's {'column' if len(missing) == 1 else 'columns'} "
            "for them), unless format names a platform's export "
            f"({', '.join(f.value for f in FileFormat if f in PLATFORM_FORMATS)})"
        )
        yield "config.raw_column_missing", message, ("sources", name, "columns"), "error"


def check_raw_data(
    raw: RawData,
    *,
    kpi_units: Mapping[str, str] | None = None,
    partner_ids: Sequence[str] | None = None,
    doc: YamlDocument | None = None,
    prefix: Path_ = ("raw_data",),
) -> list[Problem]:
    """Every problem of the section; `kpi_units` maps the catalogue's KPI ids to their unit."""
    problems = []
    for code, message, path, severity in _check(raw, kpi_units, partner_ids):
        full = (*prefix, *path)
        location = doc.location(full) if doc is not None else Location("raw_data", path=format_path(full))
        problems.append(Problem(code, message, location, ExitCode.CONFIG, severity))
    return problems


class RawDataFile(_Model):
    """A stand-alone file holding only the raw_data section."""

    raw_data: RawData


def load_raw_data(
    path: Path, *, kpi_units: Mapping[str, str] | None = None, partner_ids: Sequence[str] | None = None
) -> RawData:
    """Read and check a YAML file whose top-level key is `raw_data`; raise with every problem."""
    doc = load_yaml(path)
    model = model_from_document(
        doc, RawDataFile, "config", ExitCode.CONFIG, ("config.not_mapping", "the file must be a mapping with raw_data")
    )
    problems = check_raw_data(model.raw_data, kpi_units=kpi_units, partner_ids=partner_ids, doc=doc)
    if any(p.severity == "error" for p in problems):
        raise GovdocsError([p for p in problems if p.severity == "error"])
    return model.raw_data
