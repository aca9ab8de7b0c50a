"""Load step, raw: which `raw_data` section computes the KPIs -- a mapping file given with
--raw (paths relative to it) or the governance config's own (paths relative to the config)."""

from __future__ import annotations

from pathlib import Path

from govdocs.config.model import GovernanceConfig
from govdocs.errors import ExitCode, GovdocsError, Location, Problem
from govdocs.raw.engine import Aggregation, aggregate
from govdocs.raw.model import RawData


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
    """KPIs computed from the raw exports, with the data-quality report."""
    section, base = raw_section(config, config_path, raw)
    return aggregate(section, base=base, partner_ids=[p.id for p in config.partners])
