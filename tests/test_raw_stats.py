"""Wilson score intervals, checked against published values and by hand."""

from __future__ import annotations

import pytest

from govdocs.config.model import Direction
from govdocs.scoring.stats import Clarity, kpi_interval, status_clarity, wilson_interval


@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    [
        # Newcombe (1998), Statistics in Medicine 17:857-872, Table I, method 3 (score, no continuity correction)
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0000, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_published_values(successes: int, n: int, low: float, high: float) -> None:
    interval = wilson_interval(successes, n)
    assert (round(interval.low, 4), round(interval.high, 4)) == (low, high)


def test_by_hand() -> None:
    # 8 of 10, z = 1.959964, z^2 = 3.841459: denominator 1 + 0.384146 = 1.384146
    # centre = (0.8 + 0.192073) / 1.384146 = 0.716740
    # half = 1.959964 / 1.384146 * sqrt(0.016 + 0.009604) = 1.416010 * 0.160011 = 0.226577
    interval = wilson_interval(8, 10)
    assert interval.low == pytest.approx(0.490163, abs=1e-5)
    assert interval.high == pytest.approx(0.943317, abs=1e-5)
    assert interval.estimate == 0.8


def test_kpi_rows_are_in_percent() -> None:
    # a CSAT of 83% from twelve surveys (10 of 12) says little: 55% to 95%
    interval = kpi_interval(100 * 10 / 12, 12)
    assert (round(interval.low, 1), round(interval.high, 1)) == (55.2, 95.3)
    small = kpi_interval(80.0, 10)
    assert (round(small.low, 2), round(small.high, 2)) == (49.02, 94.33)


def test_clarity_against_a_target() -> None:
    twelve = kpi_interval(75.0, 12)  # 9 of 12: 46.8% to 91.1%
    assert status_clarity(twelve, 85, Direction.HIGHER) is Clarity.NOT_CLEAR
    large = kpi_interval(75.0, 2000)  # 73.1% to 76.8%
    assert status_clarity(large, 85, Direction.HIGHER) is Clarity.CLEARLY_MISSED
    assert status_clarity(large, 70, Direction.HIGHER) is Clarity.CLEARLY_MET
    # lower is better (abandonment 5% target): 3% of 2000 is clearly met, 3% of 40 is not clear
    assert status_clarity(kpi_interval(3.0, 2000), 5, Direction.LOWER) is Clarity.CLEARLY_MET
    assert status_clarity(kpi_interval(3.0, 40), 5, Direction.LOWER) is Clarity.NOT_CLEAR
    assert status_clarity(kpi_interval(9.0, 2000), 5, "lower_is_better") is Clarity.CLEARLY_MISSED


def test_bad_samples_are_refused() -> None:
    with pytest.raises(ValueError):
        wilson_interval(1, 0)
    with pytest.raises(ValueError):
        wilson_interval(5, 4)
