"""Load step, data: the result of loading KPI files, a tidy frame and each file's provenance."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from govdocs.periods import Month


@dataclass(frozen=True, slots=True)
class Observation:
    value: float
    volume: float | None
    source: str | None
    line: int


@dataclass(frozen=True)
class SourceFile:
    name: str  # file name as given on the command line
    sha256: str
    rows: int
    layout: str  # "long" or "wide"

    @property
    def short_hash(self) -> str:
        return self.sha256[:12]


@dataclass
class KpiData:
    """All KPI observations.

    Columns: partner, kpi, month (Month.index), value, volume, source, line, file.
    """

    frame: pd.DataFrame
    sources: list[SourceFile]
    # The frame scored under a config (govdocs.scoring.arrays.scored): made once per run.
    scored: Any = field(default=None, repr=False, compare=False)
    _series: dict[tuple[str, str], dict[Month, Observation]] = field(default_factory=dict, repr=False, compare=False)
    _rows: dict[tuple[str, str], Any] | None = field(default=None, repr=False, compare=False)
    _cells: tuple[list, ...] = field(default=(), repr=False, compare=False)

    def series(self, partner: str, kpi: str) -> dict[Month, Observation]:
        """The partner's observations of a KPI by month, made when first asked for (a document
        reads a few partners' series; a portfolio of 720,000 rows need not be turned into objects)."""
        key = (partner, kpi)
        if key in self._series:
            return self._series[key]
        if self._rows is None:
            f = self.frame
            self._rows = f.groupby(["partner", "kpi"], sort=False).indices if len(f) else {}
            # Plain Python lists: reading pandas (Arrow-backed) columns cell by cell is slow.
            self._cells = (
                f["month"].tolist(),
                f["value"].astype(float).tolist(),
                f["volume"].astype(float).tolist(),
                [s if isinstance(s, str) else None for s in f["source"].astype(object).tolist()],
                f["line"].tolist(),
            )
        months, values, volumes, sources, lines = self._cells
        made = self._series[key] = {}
        for i in self._rows.get(key, ()):
            volume = volumes[i]
            made[Month.from_index(int(months[i]))] = Observation(
                values[i], None if volume != volume else volume, sources[i], int(lines[i])
            )
        return made

    def rows_by_file(self, partner: str) -> dict[int, int]:
        """The partner's rows in each file, by the file's place in `sources`."""
        f = self.frame
        if f.empty or "file" not in f.columns:
            return {}
        counts = f.loc[f["partner"] == partner, "file"].value_counts()
        return {int(file): int(rows) for file, rows in counts.items()}

    def partners(self) -> list[str]:
        return sorted(set(self.frame["partner"].unique()))

    def kpis(self) -> list[str]:
        return sorted(set(self.frame["kpi"].unique()))

    def latest_month(self) -> Month | None:
        if self.frame.empty:
            return None
        return Month.from_index(int(self.frame["month"].max()))
