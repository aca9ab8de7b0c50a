"""Score step, the rules: every partner's month statuses, quarter values, points and scores at once.

The one implementation of each per-KPI rule (a value's status, whether a proportion is clearly
judged, a month's status, a quarter's value, points), applied with NumPy to a whole portfolio:
one row per (partner, KPI) pair with the partner's overrides applied, one column per month. The
engine reads its results from here (`scored`), once per run; a caller judging one value (a plan's
check-in, the ladder's "may be red") uses the one-cell entry points at the end, which run the same
array code on a single cell. The readable statement of the rules, one value at a time, is the
tests' oracle (tests/rules_oracle.py); the tests compare the two on every partner, KPI and quarter
of generated portfolios, float for float.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from govdocs.config.model import Aggregation, Direction, GovernanceConfig, Kpi, Scoring, ScoringMethod, Uncertainty
from govdocs.data.table import KpiData
from govdocs.periods import Month, Quarter
from govdocs.scoring.results import MonthResult, QuarterValue, Score, Status, weighted_score
from govdocs.scoring.stats import wilson_bounds, z_score

# Status codes in the arrays; STATUSES[code] is the Status.
STATUSES = (Status.NO_DATA, Status.INSUFFICIENT, Status.NOT_CLEAR, Status.GREEN, Status.AMBER, Status.RED)
NO_DATA, INSUFFICIENT, NOT_CLEAR, GREEN, AMBER, RED = range(len(STATUSES))
Z95 = z_score(0.95)


@dataclass(frozen=True)
class QuarterArrays:
    value: np.ndarray  # NaN: no month with data
    volume: np.ndarray  # NaN: no data, or a month without a volume
    months_with_data: np.ndarray
    status: np.ndarray
    points: np.ndarray  # NaN: not scored


@dataclass(frozen=True)
class _Parameters:
    """Each pair's KPI as columns."""

    target: np.ndarray
    floor: np.ndarray  # NaN: no amber band
    higher: np.ndarray
    min_sample: np.ndarray
    proportion: np.ndarray
    aggregation: np.ndarray  # object: Aggregation

    @classmethod
    def of(cls, kpis: list[Kpi]) -> _Parameters:
        return cls(
            np.array([k.target for k in kpis], dtype=float),
            np.array([np.nan if k.floor is None else k.floor for k in kpis], dtype=float),
            np.array([k.direction is Direction.HIGHER for k in kpis]),
            np.array([k.min_sample for k in kpis], dtype=float),
            np.array([bool(k.proportion) for k in kpis]),
            np.array([k.aggregation for k in kpis], dtype=object),
        )


@dataclass
class ScoredTable:
    """The portfolio's KPI data as (pair x month) arrays, scored by the rules."""

    config: GovernanceConfig
    kpis: list[Kpi]  # per pair: the KPI with the partner's overrides
    pairs: dict[tuple[str, str], int]
    first: int  # Month.index of column 0
    value: np.ndarray
    volume: np.ndarray
    source: np.ndarray  # object: the row's source, None
    status: np.ndarray  # int8 codes, per month
    parameters: _Parameters
    _quarters: dict[Quarter, QuarterArrays] = field(default_factory=dict, repr=False)
    _window_key: tuple[int, object] | None = field(default=None, repr=False)
    _window_cells: tuple[list, ...] = field(default=(), repr=False)
    _scores: dict[tuple[str, Quarter], Score] = field(default_factory=dict, repr=False)

    def kpi(self, partner_id: str, kpi_id: str) -> Kpi:
        return self.kpis[self.pairs[(partner_id, kpi_id)]]

    def cells(self, matrix: np.ndarray, months: Sequence[Month], fill: object, rows: slice = slice(None)) -> np.ndarray:
        """The matrix's columns for these months (`fill` for a month outside the data)."""
        columns = np.array([m.index - self.first for m in months])
        inside = (columns >= 0) & (columns < matrix.shape[1])
        return np.where(inside, matrix[rows][:, np.where(inside, columns, 0)], fill)

    def _window(self, row: int, months: Sequence[Month]) -> tuple[list, list, list, list]:
        """The cells of the row's partner (its KPIs are consecutive rows) in these months, as
        Python lists: made once per partner and window, and only the last one is kept, so the
        whole portfolio is never held as Python objects."""
        first, last = months[0].index, months[-1].index
        # a run of consecutive months is named by its ends; any other list by every month
        span = ("run", first, last) if last - first + 1 == len(months) else tuple(m.index for m in months)
        width = len(self.config.kpis)
        block = row // width
        if self._window_key != (block, span):
            rows = slice(block * width, (block + 1) * width)
            self._window_key = (block, span)
            self._window_cells = tuple(
                self.cells(matrix, months, fill, rows).tolist()
                for matrix, fill in (
                    (self.value, np.nan),
                    (self.volume, np.nan),
                    (self.status, NO_DATA),
                    (self.source, None),
                )
            )
        return tuple(cells[row - block * width] for cells in self._window_cells)  # type: ignore[return-value]

    def month_results(self, partner_id: str, kpi_id: str, months: Sequence[Month]) -> tuple[MonthResult, ...]:
        """The KPI's month results in these months, as `engine.month_results` gives them from its series."""
        row = self.pairs[(partner_id, kpi_id)]
        values, volumes, statuses, sources = self._window(row, months)
        results = []
        for month, value, volume, code, source in zip(months, values, volumes, statuses, sources, strict=True):
            if value != value:
                results.append(MonthResult(month, None, None, Status.NO_DATA))
            else:
                results.append(MonthResult(month, value, None if volume != volume else volume, STATUSES[code], source))
        return tuple(results)

    def quarter(self, quarter: Quarter) -> QuarterArrays:
        if quarter not in self._quarters:
            self._quarters[quarter] = _quarter_arrays(self, quarter)
        return self._quarters[quarter]

    def quarter_value(self, partner_id: str, kpi_id: str, quarter: Quarter) -> QuarterValue:
        """The KPI's quarter value and status."""
        arrays, row = self.quarter(quarter), self.pairs[(partner_id, kpi_id)]
        value, volume = float(arrays.value[row]), float(arrays.volume[row])
        count = int(arrays.months_with_data[row])
        if count == 0:
            return QuarterValue(None, None, 0, Status.NO_DATA)
        return QuarterValue(value, None if volume != volume else volume, count, STATUSES[arrays.status[row]])

    def points(self, partner_id: str, kpi_id: str, quarter: Quarter) -> float | None:
        """The KPI's points for the quarter (a document prints them), by the one-cell `points`."""
        kpi, value = self.kpi(partner_id, kpi_id), self.quarter_value(partner_id, kpi_id, quarter)
        scale = value.months_with_data if kpi.aggregation is Aggregation.SUM else 1
        return points(kpi, value.status, value.value, self.config.scoring, scale)

    def score(self, partner_id: str, quarter: Quarter) -> Score:
        """As the engine scores a quarter: the weighted score of the partner's KPIs."""
        key = (partner_id, quarter)
        if key not in self._scores:
            arrays = self.quarter(quarter)
            items, unclear, ranges = [], 0.0, []
            for base in self.config.kpis:
                row = self.pairs[(partner_id, base.id)]
                earned = float(arrays.points[row])
                kpi = self.kpis[row]
                items.append((kpi.weight, None if earned != earned else earned))
                if arrays.status[row] == NOT_CLEAR:
                    unclear += kpi.weight
                    value, volume = float(arrays.value[row]), float(arrays.volume[row])
                    ranges.append((kpi.weight, *unclear_points(kpi, value, volume, self.config.scoring)))
            self._scores[key] = weighted_score(items, self.config.scoring, unclear, ranges)
        return self._scores[key]


def scored(config: GovernanceConfig, data: KpiData) -> ScoredTable:
    """The data scored under this config: made once per (config, data), kept on the data."""
    cached = data.scored
    if cached is None or cached.config is not config:
        cached = data.scored = _score_table(config, data)
    return cached


def _score_table(config: GovernanceConfig, data: KpiData) -> ScoredTable:
    pairs: dict[tuple[str, str], int] = {}
    kpis: list[Kpi] = []
    for partner in config.partners:
        for base in config.kpis:
            pairs[(partner.id, base.id)] = len(kpis)
            kpis.append(config.effective_kpi(partner, base))
    frame = data.frame
    months = frame["month"].to_numpy(dtype=np.int64)
    first = int(months.min()) if len(months) else 0
    width = int(months.max()) - first + 1 if len(months) else 1
    shape = (len(kpis), width)
    value, volume = np.full(shape, np.nan), np.full(shape, np.nan)
    source = np.full(shape, None, dtype=object)
    # Each row's cell in the (pair x month) arrays, as one flat index; rows of partners or KPIs
    # the config does not know are left out (validation refuses them). Built one array at a time:
    # at 7.2 million rows each temporary is 58 MB.
    cell = _codes(frame["partner"], {p.id: i for i, p in enumerate(config.partners)})
    known = cell >= 0
    cell *= len(config.kpis)
    kpi = _codes(frame["kpi"], {k.id: i for i, k in enumerate(config.kpis)})
    known &= kpi >= 0
    cell += kpi
    del kpi
    cell *= width
    cell += months - first
    del months
    every = bool(known.all())
    cell = cell if every else cell[known]

    def fill(target: np.ndarray, values: np.ndarray) -> None:
        target.reshape(-1)[cell] = values if every else values[known]

    fill(value, frame["value"].to_numpy(dtype=float))
    fill(volume, frame["volume"].to_numpy(dtype=float))
    # A row's source, as one of the few distinct strings (not a new one per row).
    source_codes, source_names = pd.factorize(frame["source"])  # missing: -1
    fill(source, np.array([*(str(n) for n in source_names), None], dtype=object)[source_codes])
    parameters = _Parameters.of(kpis)
    column = {name: getattr(parameters, name)[:, None] for name in ("target", "floor", "higher", "min_sample")}
    both_ways = config.scoring.uncertainty is Uncertainty.BOTH_WAYS
    status = _month_status(value, volume, parameters.proportion[:, None], both_ways=both_ways, **column)
    return ScoredTable(config, kpis, pairs, first, value, volume, source, status, parameters)


def _codes(column: pd.Series, positions: dict[str, int]) -> np.ndarray:
    """Each row's position in the config (-1 for an id it does not have)."""
    codes, distinct = pd.factorize(column)
    return np.array([positions.get(v, -1) for v in distinct], dtype=np.int64)[codes]


def _meets(higher: np.ndarray, value: np.ndarray, threshold: np.ndarray) -> np.ndarray:
    return np.where(higher, value >= threshold, value <= threshold)


def _value_status(higher: np.ndarray, value: np.ndarray, target: np.ndarray, floor: np.ndarray) -> np.ndarray:
    """A value's status: green at or beyond target, amber to the floor, red beyond it."""
    amber = ~np.isnan(floor) & _meets(higher, value, floor)
    return np.where(_meets(higher, value, target), GREEN, np.where(amber, AMBER, RED)).astype(np.int8)


def _not_clear(
    value: np.ndarray, volume: np.ndarray, target: np.ndarray, floor: np.ndarray, higher: np.ndarray, both_ways: bool
) -> np.ndarray:
    """Where a proportion is not clearly judged: its 95% Wilson interval (stats.wilson_interval, in
    percent) reaches across a band's edge (both ways) or the target (pass only): with twelve surveys
    a CSAT of 75% may well be 85%, so it is neither a pass nor a failure. Both ways (the default) a
    status needs its whole interval inside its band, so a red that may be amber is as unclear as a
    green that may be amber. Only called where volume > 0."""
    with np.errstate(invalid="ignore", divide="ignore"):
        successes = np.minimum(np.maximum(value / 100 * volume, 0.0), volume)
        low, high = wilson_bounds(successes, volume, Z95, np.sqrt)
        low, high = np.maximum(0.0, low) * 100.0, np.minimum(1.0, high) * 100.0
    if both_ways:
        return _value_status(higher, low, target, floor) != _value_status(higher, high, target, floor)
    met = np.where(higher, low >= target, high <= target)
    missed = np.where(higher, high < target, low > target)
    return ~met & ~missed


def _month_status(
    value: np.ndarray,
    volume: np.ndarray,
    proportion: np.ndarray,
    *,
    target: np.ndarray,
    floor: np.ndarray,
    higher: np.ndarray,
    min_sample: np.ndarray,
    both_ways: bool,
) -> np.ndarray:
    """Each month's status: no data, too small a sample, not clear, else its value's status."""
    has_volume = ~np.isnan(volume)
    insufficient = has_volume & (volume < min_sample)
    judged = proportion & has_volume & (volume > 0)
    unclear = judged & _not_clear(value, np.where(judged, volume, 1.0), target, floor, higher, both_ways)
    status = _value_status(higher, value, target, floor)
    status = np.where(unclear, NOT_CLEAR, status)
    status = np.where(insufficient, INSUFFICIENT, status)
    return np.where(np.isnan(value), NO_DATA, status).astype(np.int8)


def _quarter_arrays(table: ScoredTable, quarter: Quarter) -> QuarterArrays:
    """Every pair's quarter value, status and points.

    The quarter's months are aggregated per the KPI's rule. Months with data count even when
    their own sample is small: pooled, their volume weighs them. The quarter is insufficient only
    when the pooled volume is below the minimum. With `sum` the target applies per month, so the
    quarter compares against target x months with data."""
    pairs = len(table.kpis)
    parameters = table.parameters
    values = table.cells(table.value, quarter.months, np.nan)
    volumes = table.cells(table.volume, quarter.months, np.nan)
    present = ~np.isnan(values)
    count = present.sum(axis=1)
    # Sums in month order from 0, as Python's sum(): the same floats.
    total = np.zeros(pairs)
    weighted = np.zeros(pairs)
    volume_total = np.zeros(pairs)
    last = np.full(pairs, np.nan)
    for m in range(3):
        here = present[:, m]
        total = np.where(here, total + values[:, m], total)
        weighted = np.where(here, weighted + values[:, m] * volumes[:, m], weighted)
        volume_total = np.where(here, volume_total + volumes[:, m], volume_total)
        last = np.where(here, values[:, m], last)
    all_volumes = ~(present & np.isnan(volumes)).any(axis=1)
    total_volume = np.where(all_volumes & (count > 0), volume_total, np.nan)
    aggregation = parameters.aggregation
    is_sum = aggregation == Aggregation.SUM
    weighted_mean = (aggregation == Aggregation.WEIGHTED_MEAN) & ~np.isnan(total_volume) & (total_volume != 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / count
        by_volume = weighted / total_volume
    value = np.where(
        is_sum, total, np.where(aggregation == Aggregation.LAST, last, np.where(weighted_mean, by_volume, mean))
    )
    value = np.where(count > 0, value, np.nan)

    scale = np.where(is_sum, count, 1)
    target = parameters.target * scale
    floor = parameters.floor * scale
    status = _value_status(parameters.higher, value, target, floor)
    judged = (scale == 1) & parameters.proportion & ~np.isnan(total_volume) & (total_volume > 0)
    both_ways = table.config.scoring.uncertainty is Uncertainty.BOTH_WAYS
    unclear = judged & _not_clear(
        value, np.where(judged, total_volume, 1.0), parameters.target, parameters.floor, parameters.higher, both_ways
    )
    status = np.where(unclear, NOT_CLEAR, status)
    status = np.where(~np.isnan(total_volume) & (total_volume < parameters.min_sample), INSUFFICIENT, status)
    status = np.where(count == 0, NO_DATA, status).astype(np.int8)
    return QuarterArrays(
        value, total_volume, count, status, _points(table.config.scoring, parameters, status, value, scale)
    )


def _points(
    scoring: Scoring, parameters: _Parameters, status: np.ndarray, value: np.ndarray, scale: np.ndarray
) -> np.ndarray:
    """The points each status earns: NaN where the status is not scored (no data, small sample,
    not clear); linear scoring gives an amber value its share of the way from floor to target."""
    pts = scoring.points
    amber = np.full(len(status), float(pts.amber))
    if scoring.method is ScoringMethod.LINEAR:
        target, floor = parameters.target * scale, parameters.floor * scale
        with np.errstate(invalid="ignore", divide="ignore"):
            share = (value - floor) / (target - floor)
        linear = pts.amber + (pts.green - pts.amber) * np.minimum(np.maximum(share, 0.0), 1.0)
        amber = np.where(~np.isnan(parameters.floor), linear, amber)
    points = np.full(len(status), np.nan)
    points = np.where(status == GREEN, float(pts.green), points)
    points = np.where(status == RED, float(pts.red), points)
    return np.where(status == AMBER, amber, points)


# One cell: the same array code on a single value, for a caller judging one value at a time.


def _cell(value: float | None) -> np.ndarray:
    return np.array([np.nan if value is None else value], dtype=float)


def _interval_ends(parameters: _Parameters, value: np.ndarray, volume: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The 95% Wilson interval of a proportion's value in percent (stats.kpi_interval), as (low, high);
    the value itself at both ends when it has none (not a proportion, no sample)."""
    judged = parameters.proportion & ~np.isnan(volume) & (volume > 0)
    size = np.where(judged, volume, 1.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        successes = np.minimum(np.maximum(value / 100 * size, 0.0), size)
        low, high = wilson_bounds(successes, size, Z95, np.sqrt)
        low, high = np.maximum(0.0, low) * 100.0, np.minimum(1.0, high) * 100.0
    return np.where(judged, low, value), np.where(judged, high, value)


def month_status(
    kpi: Kpi, value: float | None, volume: float | None, uncertainty: Uncertainty = Uncertainty.BOTH_WAYS
) -> Status:
    """One month's status, by the rule every month of the portfolio is judged by."""
    parameters = _Parameters.of([kpi])
    code = _month_status(
        _cell(value),
        _cell(volume),
        parameters.proportion,
        target=parameters.target,
        floor=parameters.floor,
        higher=parameters.higher,
        min_sample=parameters.min_sample,
        both_ways=uncertainty is Uncertainty.BOTH_WAYS,
    )
    return STATUSES[int(code[0])]


def possible_statuses(kpi: Kpi, value: float, volume: float | None) -> tuple[Status, Status]:
    """The statuses at the worse and the better end of the value's 95% interval (both the
    measured status when it has no interval): what an unclear result may turn out to be."""
    parameters = _Parameters.of([kpi])
    low, high = _interval_ends(parameters, _cell(value), _cell(volume))
    worse, better = (low, high) if kpi.direction is Direction.HIGHER else (high, low)
    status = (_value_status(parameters.higher, end, parameters.target, parameters.floor) for end in (worse, better))
    worse_status, better_status = (STATUSES[int(code[0])] for code in status)
    return worse_status, better_status


def points(kpi: Kpi, status: Status, value: float | None, scoring: Scoring, scale: int = 1) -> float | None:
    """Points one quarter status earns; None when the KPI is not scored (no data, small sample,
    not clear). `scale`: months with data for a `sum` KPI, whose target applies per month."""
    code = np.array([STATUSES.index(status)], dtype=np.int8)
    earned = float(_points(scoring, _Parameters.of([kpi]), code, _cell(value), np.array([scale]))[0])
    return None if earned != earned else earned


def unclear_points(kpi: Kpi, value: float, volume: float | None, scoring: Scoring) -> tuple[float, float, float]:
    """The least, the measured and the most points an unclear quarter may earn: the points at the
    worse end of its 95% interval, at its measured value and at the better end (points never fall
    as the value improves, so the measured points lie between the other two)."""
    parameters = _Parameters.of([kpi])
    measured = _cell(value)
    low, high = _interval_ends(parameters, measured, _cell(volume))
    ends = np.concatenate([low, high, measured])
    three = _Parameters.of([kpi] * 3)
    status = _value_status(three.higher, ends, three.target, three.floor)
    earned = np.nan_to_num(_points(scoring, three, status, ends, np.ones(3, dtype=np.int64)), nan=0.0).tolist()
    least, most = min(earned[:2]), max(earned[:2])
    return least, min(max(earned[2], least), most), most
