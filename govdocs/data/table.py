"""Load step, data: the result of loading KPI files, a tidy frame and each file's provenance."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from govdocs.periods import Month


@dataclass(frozen=True)
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
    _index: dict[tuple[str, str], dict[Month, Observation]] | None = field(default=None, repr=False)

    def _build_index(self) -> dict[tuple[str, str], dict[Month, Observation]]:
        index: dict[tuple[str, str], dict[Month, Observation]] = {}
        f = self.frame
        # Plain Python lists: iterating pandas (Arrow-backed) columns cell by cell is slow.
        volumes = f["volume"].astype(float).tolist()
        sources = [s if isinstance(s, str) else None for s in f["source"].astype(object).tolist()]
        for partner, kpi, month, value, volume, source, line in zip(
            f["partner"].astype(object).tolist(),
            f["kpi"].astype(object).tolist(),
            f["month"].tolist(),
            f["value"].astype(float).tolist(),
            volumes,
            sources,
            f["line"].tolist(),
            strict=True,
        ):
            index.setdefault((partner, kpi), {})[Month.from_index(int(month))] = Observation(
                value, None if volume != volume else volume, source, int(line)
            )
        return index

    def series(self, partner: str, kpi: str) -> dict[Month, Observation]:
        if self._index is None:
            self._index = self._build_index()
        return self._index.get((partner, kpi), {})

    def partners(self) -> list[str]:
        return sorted(set(self.frame["partner"].unique()))

    def kpis(self) -> list[str]:
        return sorted(set(self.frame["kpi"].unique()))

    def latest_month(self) -> Month | None:
        if self.frame.empty:
            return None
        return Month.from_index(int(self.frame["month"].max()))
