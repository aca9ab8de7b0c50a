"""Load step, raw: which `raw_data` section computes the KPIs -- a mapping file given with
--raw (paths relative to it) or the governance config's own (paths relative to the config) --
and how its KPIs join a KPI table given with --data beside it (each KPI month in one place)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from govdocs.config.model import GovernanceConfig
from govdocs.errors import ExitCode, GovdocsError, Location, Problem
from govdocs.raw.engine import Aggregation, aggregate
from govdocs.raw.engines import engine_kind
from govdocs.raw.model import RawData

MAX_SHOWN = 20  # rows named when a table repeats computed KPI months


@dataclass(frozen=True)
class EngineChoice:
    """The command line's --engine and --spark-master: they win over the raw_data section's."""

    engine: str | None = None
    spark_master: str | None = None


_chosen = EngineChoice()


def choose_engine(**choice: str) -> None:
    """Record the command line's engine choice for this process (one command per process)."""
    global _chosen
    _chosen = EngineChoice(**{**_chosen.__dict__, **choice})


def chosen_engine() -> EngineChoice:
    return _chosen


if TYPE_CHECKING:
    from govdocs.data.table import KpiData


def raw_section(config: GovernanceConfig, config_path: Path, raw: Path | None) -> tuple[RawData, Path]:
    """The `raw_data` section to compute the KPIs with, and the folder its paths are relative to:
    the mapping file `raw` (--raw) or else the config's own section."""
    from govdocs.raw.checks import load_raw_data

    if raw is not None:
        units = {k.id: k.unit.value for k in config.kpis}
        return load_raw_data(raw, kpi_units=units, partner_ids=[p.id for p in config.partners]), raw.parent
    if config.raw_data is not None:
        return config.raw_data, config_path.parent
    raise GovdocsError(
        [
            Problem(
                "usage.no_data",
                "give --data files, or --raw with a raw_data mapping, or a raw_data section in the config",
                Location("--data"),
                ExitCode.USAGE,
            )
        ]
    )


def aggregate_raw(config: GovernanceConfig, config_path: Path, raw: Path | None) -> Aggregation:
    """KPIs computed from the raw exports, with the data-quality report (a KPI table: no drill-down)."""
    return load_raw(config, config_path, raw, drill_down=False)[1]


def load_raw(
    config: GovernanceConfig, config_path: Path, raw: Path | None, drill_down: bool = True
) -> tuple[GovernanceConfig, Aggregation]:
    """The KPIs computed from the raw exports, and the config they are judged with: a percent KPI
    measured on a sample (surveys, QA evaluations) is a proportion unless the catalogue says
    `proportion: false`, so its status carries its interval without anyone having to remember."""
    from govdocs import extras
    from govdocs.raw.model import SAMPLED

    section, base = raw_section(config, config_path, raw)
    where = "--raw" if raw is not None else f"{config_path.name}: raw_data"
    kind = engine_kind(_chosen.engine or section.engine.value)
    if kind.extra is not None:  # what the engine needs beyond the raw extra
        extras.require(kind.extra, f"the {kind.name} engine", "--engine" if _chosen.engine else f"{where}.engine")
    extras.require("raw", "reading raw exports", where)
    ids = [p.id for p in config.partners]
    aggregation = aggregate(
        section,
        base=base,
        partner_ids=ids,
        engine=_chosen.engine,
        spark_master=_chosen.spark_master,
        drill_down=drill_down,
    )
    sampled = {spec.kpi for spec in section.kpis if spec.measure in SAMPLED}
    kpis = [
        k.model_copy(update={"proportion": True})
        if k.id in sampled and k.proportion is None and k.unit.value == "percent"
        else k
        for k in config.kpis
    ]
    return config.model_copy(update={"kpis": kpis}), aggregation


def raw_warnings(config: GovernanceConfig, config_path: Path, raw: Path | None) -> list[Problem]:
    """The raw_data section's warnings (a measure's unit unlike its KPI's), with file and line, for
    `govdocs validate`; loading keeps only the errors."""
    from govdocs.raw.checks import check_raw_data
    from govdocs.yamlfile import load_yaml

    if raw is not None:
        section, doc = raw_section(config, config_path, raw)[0], load_yaml(raw)
    elif config.raw_data is not None:
        section, doc = config.raw_data, load_yaml(config_path)
    else:
        return []
    units = {k.id: k.unit.value for k in config.kpis}
    found = check_raw_data(section, kpi_units=units, partner_ids=[p.id for p in config.partners], doc=doc)
    return [p for p in found if p.severity == "warning"]


def join_table(table: KpiData, table_paths: list[Path], computed: KpiData) -> KpiData:
    """The KPI table's rows (--data) and the KPIs computed from raw exports (--raw) as one
    `KpiData`: the table supplies what the exports do not hold (a partner-reported KPI, the
    months before the exports begin). A partner's KPI month in both is refused, naming the
    table's row: two numbers for one month is the dispute raw exports are meant to end."""
    import pandas as pd

    from govdocs.data.table import KpiData
    from govdocs.periods import Month

    keys = ["partner", "kpi", "month"]
    both = table.frame.merge(computed.frame[keys], on=keys, how="inner").sort_values(["file", "line"])
    if not both.empty:
        problems = [
            Problem(
                "data.also_from_raw",
                f"{row.partner} {Month.from_index(int(row.month))} {row.kpi} is also computed from the raw "
                "exports (--raw); give each KPI month in one place",
                Location(str(table_paths[int(row.file)]), int(row.line)),
                ExitCode.DATA,
            )
            for row in both.head(MAX_SHOWN).itertuples(index=False)
        ]
        if len(both) > MAX_SHOWN:
            more = f"{len(both) - MAX_SHOWN} more KPI months are in both; fix the ones above first"
            problems.append(Problem("data.more_problems", more, Location(str(table_paths[0])), ExitCode.DATA))
        raise GovdocsError(problems)
    extra = computed.frame.assign(file=computed.frame["file"] + len(table.sources))
    frame = pd.concat([table.frame, extra], ignore_index=True)
    return KpiData(frame=frame, sources=[*table.sources, *computed.sources])
