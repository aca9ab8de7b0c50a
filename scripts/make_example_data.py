"""The example programme's story: 18 months of monthly KPIs for the five example partners.

scripts/make_raw_examples.py turns it into raw exports (examples/raw/) and writes
examples/data/kpis.csv as govdocs computes it from them; running this script runs that one.

Deterministic (fixed seed). Each partner/KPI follows key points interpolated month by month
plus small noise, so the stories are stable:
  ATL  strong all along;
  BRV  healthy until Q2 2026, slipping in Q3 2026 (service level red two months running);
  CRN  failing for months (contractual SLAs red since late 2025);
  DLT  chat/email partner with no data at all for 2026-08 (platform migration);
  ECH  newer offshore partner with a low-volume month (2026-07: below the minimum samples).

Run:  python scripts/make_example_data.py  (or scripts/make_raw_examples.py)
"""

from __future__ import annotations

import numpy as np

MONTHS = [f"{2025 + (m - 1) // 12}-{(m - 1) % 12 + 1:02d}" for m in range(4, 22)]  # 2025-04..2026-09
KPIS = ["service_level", "asa", "abandonment", "aht", "fcr", "csat", "qa_score", "attrition"]
DECIMALS = {"asa": 0, "aht": 0}
NOISE = {
    "service_level": 0.6,
    "asa": 1.5,
    "abandonment": 0.25,
    "aht": 5,
    "fcr": 0.6,
    "csat": 0.5,
    "qa_score": 0.5,
    "attrition": 1.2,
}

# Key points per partner and KPI: {month: value}; values between key points are interpolated.
PROFILES: dict[str, dict[str, dict[str, float]]] = {
    "ATL": {
        "service_level": {"2025-04": 84, "2026-09": 86},
        "asa": {"2025-04": 22, "2026-09": 19},
        "abandonment": {"2025-04": 3.4, "2026-09": 2.9},
        "aht": {"2025-04": 410, "2026-09": 398},
        "fcr": {"2025-04": 77, "2026-09": 79},
        "csat": {"2025-04": 87, "2026-09": 89.5},
        "qa_score": {"2025-04": 92, "2026-09": 93.5},
        "attrition": {"2025-04": 26, "2026-09": 22},
    },
    "BRV": {
        "service_level": {
            "2025-04": 82,
            "2026-05": 81.5,
            "2026-06": 80.4,
            "2026-07": 76.5,
            "2026-08": 73.2,
            "2026-09": 72.4,
        },
        "asa": {"2025-04": 27, "2026-06": 29, "2026-08": 38, "2026-09": 40},
        "abandonment": {"2025-04": 4.2, "2026-06": 4.6, "2026-08": 5.8, "2026-09": 6.3},
        "aht": {"2025-04": 415, "2026-09": 418},
        "fcr": {"2025-04": 76.5, "2026-06": 76.8, "2026-09": 76.2},
        "csat": {"2025-04": 86.5, "2026-06": 86.2, "2026-09": 84.2},
        "qa_score": {"2025-04": 91, "2026-09": 91.4},
        "attrition": {"2025-04": 29, "2026-05": 31, "2026-07": 37, "2026-09": 39},
    },
    "CRN": {
        "service_level": {"2025-04": 79, "2025-09": 76, "2025-11": 72, "2026-04": 68, "2026-09": 69.5},
        "asa": {"2025-04": 34, "2025-11": 49, "2026-09": 55},
        "abandonment": {"2025-04": 5.6, "2025-11": 8.6, "2026-09": 9.4},
        "aht": {"2025-04": 430, "2026-09": 412},
        "fcr": {"2025-04": 74.5, "2025-12": 71.5, "2026-09": 71.2},
        "csat": {"2025-04": 82.5, "2025-12": 79, "2026-09": 77.8},
        "qa_score": {"2025-04": 88.5, "2026-01": 87.2, "2026-09": 86.8},
        "attrition": {"2025-04": 38, "2025-12": 55, "2026-09": 58},
    },
    "DLT": {  # chat and email: overridden speed targets (85 / 20 s)
        "service_level": {"2025-04": 86.5, "2026-09": 88},
        "asa": {"2025-04": 18, "2026-09": 16},
        "abandonment": {"2025-04": 3.9, "2026-09": 3.6},
        "aht": {"2025-04": 455, "2026-09": 446},
        "fcr": {"2025-04": 73, "2026-09": 76.5},
        "csat": {"2025-04": 84, "2026-09": 86.4},
        "qa_score": {"2025-04": 89.5, "2026-09": 91.2},
        "attrition": {"2025-04": 31, "2026-09": 27},
    },
    "ECH": {
        "service_level": {"2025-04": 74, "2025-12": 79.5, "2026-06": 80.5, "2026-09": 79.0},
        "asa": {"2025-04": 38, "2025-12": 31, "2026-09": 27},
        "abandonment": {"2025-04": 6.5, "2025-12": 5.2, "2026-09": 4.6},
        "aht": {
            "2025-04": 505,
            "2025-12": 492,
            "2026-04": 489,
            "2026-06": 485,
            "2026-07": 452,
            "2026-08": 436,
            "2026-09": 418,
        },
        "fcr": {"2025-04": 70, "2026-09": 75.6},
        "csat": {"2025-04": 81, "2026-09": 85.8},
        "qa_score": {"2025-04": 86, "2026-09": 90.4},
        "attrition": {"2025-04": 35, "2026-09": 29.5},
    },
}

CALLS = {"ATL": 41000, "BRV": 26500, "CRN": 31000, "DLT": 15800, "ECH": 9200}
SURVEY_RATE = {"ATL": 0.021, "BRV": 0.019, "CRN": 0.016, "DLT": 0.034, "ECH": 0.018}
EVALUATIONS = {"ATL": 240, "BRV": 160, "CRN": 180, "DLT": 110, "ECH": 60}
FIRST_MONTH = {"ECH": "2025-07"}  # Echo went live in July 2025
EXACT = {"BRV", ("ECH", "aht")}  # key points from June 2026 (BRV) or all (ECH AHT) are kept exact
MISSING_MONTHS = {"DLT": {"2026-08"}}  # platform migration: no export for August
LOW_VOLUME = {("ECH", "2026-07"): 0.04}  # storm outage: traffic re-routed to other partners


def _interpolate(points: dict[str, float]) -> np.ndarray:
    keys = [MONTHS.index(m) for m in points]
    return np.interp(np.arange(len(MONTHS)), keys, list(points.values()))


def rows() -> list[dict[str, str]]:
    rng = np.random.default_rng(20261122)
    out: list[dict[str, str]] = []
    for partner, profile in PROFILES.items():
        for kpi in KPIS:
            values = _interpolate(profile[kpi]) + rng.normal(0, NOISE[kpi], len(MONTHS))
            # Keep the named months of the stories exact where a key point sets them.
            for month, value in profile[kpi].items():
                if (partner, kpi) in EXACT or partner in EXACT and month >= "2026-06":
                    values[MONTHS.index(month)] = value
            for i, month in enumerate(MONTHS):
                if month < FIRST_MONTH.get(partner, MONTHS[0]) or month in MISSING_MONTHS.get(partner, ()):
                    continue
                calls = CALLS[partner] * (1 + 0.08 * np.sin(i / 1.9)) * LOW_VOLUME.get((partner, month), 1)
                if kpi in {"fcr", "csat"}:
                    volume = round(calls * SURVEY_RATE[partner])
                elif kpi == "qa_score":
                    volume = round(EVALUATIONS[partner] * LOW_VOLUME.get((partner, month), 1) ** 0.5 * 0.65)
                    volume = max(volume, 12) if (partner, month) in LOW_VOLUME else EVALUATIONS[partner]
                elif kpi == "attrition":
                    volume = None
                else:
                    volume = round(calls)
                value = round(float(values[i]), DECIMALS.get(kpi, 1))
                out.append(
                    {
                        "partner": partner,
                        "period": month,
                        "kpi": kpi,
                        "value": f"{value:g}" if DECIMALS.get(kpi, 1) == 0 else f"{value:.1f}",
                        "volume": "" if volume is None else str(volume),
                        "source": "partner-reported" if kpi == "attrition" else "measured",
                    }
                )
    return out


def main() -> None:
    # the table is what govdocs computes from the raw exports made of this story
    from make_raw_examples import main as make_raw_examples

    make_raw_examples()


if __name__ == "__main__":
    main()
