"""The scoring rules, as worked examples and as properties (Hypothesis)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from rules_oracle import (
    MonthResult,
    Status,
    month_status,
    points,
    quarter_value,
    tier_for,
    value_status,
    weighted_score,
)

from govdocs.config.model import Kpi, Scoring, ScoringMethod, Tier
from govdocs.periods import Month

SCORING = Scoring()
LINEAR = Scoring(method=ScoringMethod.LINEAR)


def kpi(**changes) -> Kpi:
    base = dict(
        id="sl",
        name="Service level",
        definition="d",
        unit="percent",
        direction="higher_is_better",
        target=80,
        floor=75,
        weight=1,
        min_sample=100,
    )
    base.update(changes)
    return Kpi.model_validate(base)


def months(*rows: tuple[float | None, float | None]) -> list[MonthResult]:
    out = []
    for i, (value, volume) in enumerate(rows):
        k = kpi()
        out.append(MonthResult(Month(2026, 7 + i), value, volume, month_status(k, value, volume)))
    return out


def test_status_bands_higher_is_better():
    k = kpi()
    assert value_status(k, 80) is Status.GREEN  # the target itself is met
    assert value_status(k, 79.9) is Status.AMBER
    assert value_status(k, 75) is Status.AMBER  # the floor itself is amber
    assert value_status(k, 74.9) is Status.RED


def test_status_bands_lower_is_better_mirror():
    k = kpi(direction="lower_is_better", target=30, floor=45, unit="seconds")
    assert value_status(k, 30) is Status.GREEN
    assert value_status(k, 45) is Status.AMBER
    assert value_status(k, 45.1) is Status.RED


def test_no_floor_means_no_amber():
    k = kpi(floor=None)
    assert value_status(k, 79.99) is Status.RED


def test_missing_month_and_small_sample_are_never_pass_or_fail():
    k = kpi()
    assert month_status(k, None, None) is Status.NO_DATA
    assert month_status(k, 10.0, 99) is Status.INSUFFICIENT  # would be red with enough sample
    assert month_status(k, 95.0, 99) is Status.INSUFFICIENT  # would be green
    assert not Status.NO_DATA.scored and not Status.INSUFFICIENT.scored
    assert month_status(k, 95.0, None) is Status.GREEN  # no volume given: the minimum cannot apply


def test_quarter_value_is_volume_weighted():
    qv = quarter_value(kpi(), months((90, 1000), (70, 3000), (80, 1000)))
    assert qv.value == (90 * 1000 + 70 * 3000 + 80 * 1000) / 5000  # 76.0
    assert qv.status is Status.AMBER
    assert qv.volume == 5000


def test_quarter_value_falls_back_to_mean_without_volumes():
    qv = quarter_value(kpi(), months((90, None), (70, 3000), (80, None)))
    assert qv.value == 80 and qv.status is Status.GREEN


def test_quarter_value_skips_missing_months_and_pools_small_ones():
    qv = quarter_value(kpi(), months((None, None), (70, 40), (90, 160)))
    assert qv.months_with_data == 2
    assert qv.value == (70 * 40 + 90 * 160) / 200  # 86: both small months pooled, 200 >= 100
    assert qv.status is Status.GREEN


def test_quarter_insufficient_when_pooled_volume_too_small():
    qv = quarter_value(kpi(), months((70, 30), (90, 30), (None, None)))
    assert qv.status is Status.INSUFFICIENT


def test_sum_and_last_aggregations():
    total = quarter_value(
        kpi(aggregation="sum", min_sample=0, target=10, floor=8), months((4, None), (3, None), (4, None))
    )
    assert total.value == 11 and total.status is Status.RED  # 11 < 3 x 8
    last = quarter_value(kpi(aggregation="last", min_sample=0), months((50, None), (60, None), (81, None)))
    assert last.value == 81 and last.status is Status.GREEN


def test_points_banded_and_linear():
    k = kpi()
    assert points(k, Status.GREEN, 85, SCORING) == 100
    assert points(k, Status.AMBER, 77.5, SCORING) == 60
    assert points(k, Status.RED, 10, SCORING) == 0
    assert points(k, Status.NO_DATA, None, SCORING) is None
    assert points(k, Status.AMBER, 77.5, LINEAR) == 80  # halfway from 60 to 100
    assert points(k, Status.AMBER, 75, LINEAR) == 60


def test_score_renormalises_weights_and_reports_no_data_share():
    score = weighted_score([(20, 100), (10, 0), (10, None)], SCORING)
    assert score.value == round(2000 / 30, 1)  # 66.7 over the 30 weight with data
    assert score.no_data_share == 0.25
    assert not score.incomplete  # 25% is not above the 25% default
    assert weighted_score([(20, 100), (15, None)], SCORING).incomplete
    assert weighted_score([(1, None)], SCORING).value is None


def test_tiers():
    tiers = Scoring().tiers
    assert tier_for(90, tiers).name == "Strategic"
    assert tier_for(89.9, tiers).name == "Healthy"
    assert tier_for(59.9, tiers).name == "At risk"


values = st.floats(min_value=0, max_value=100, allow_nan=False)


@given(values, values)
def test_status_is_monotonic_in_value(a, b):
    k = kpi()
    rank = {Status.RED: 0, Status.AMBER: 1, Status.GREEN: 2}
    low, high = sorted((a, b))
    assert rank[value_status(k, low)] <= rank[value_status(k, high)]


@given(values, values)
def test_linear_points_monotonic_and_in_range(a, b):
    k = kpi()
    low, high = sorted((a, b))
    p_low = points(k, value_status(k, low), low, LINEAR)
    p_high = points(k, value_status(k, high), high, LINEAR)
    assert 0 <= p_low <= p_high <= 100


@given(st.lists(st.tuples(st.floats(0.1, 50), st.one_of(st.none(), st.floats(0, 100))), min_size=1, max_size=12))
def test_score_in_range_and_order_irrelevant(items):
    score = weighted_score(items, SCORING)
    reversed_score = weighted_score(list(reversed(items)), SCORING)
    assert score == reversed_score
    if score.value is not None:
        assert 0 <= score.value <= 100
    assert 0 <= score.no_data_share <= 1


@given(st.floats(0, 100), st.floats(0, 100), st.floats(0.1, 10), st.floats(0.1, 10))
def test_raising_one_kpi_never_lowers_the_score(a, b, w1, w2):
    k = kpi()
    before = weighted_score([(w1, points(k, value_status(k, a), a, LINEAR)), (w2, 60.0)], LINEAR)
    higher = max(a, b)
    after = weighted_score([(w1, points(k, value_status(k, higher), higher, LINEAR)), (w2, 60.0)], LINEAR)
    assert after.value >= before.value


def test_custom_tiers_are_respected():
    tiers = [Tier(name="Gold", min_score=70), Tier(name="Other", min_score=0)]
    assert tier_for(70, tiers).name == "Gold"
