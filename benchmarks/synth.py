"""Synthetic but realistic portfolios for the benchmarks: N partners x K KPIs x M months.

The example programme's KPIs are the templates (KPI number k copies template k mod 8 with
its own id); every partner gets a contract, a peer group and contacts. Monthly values
drift around the target with partner-level quality, seasonal noise and, for about one
partner in six, a sustained slump that breaks the floor (so the ladder calls for plans and
offboarding reviews as it would in a real portfolio). Deterministic for a given seed.

    python benchmarks/synth.py OUT_DIR --partners 100 --kpis 8 --months 18
"""

from __future__ import annotations

import argparse
import csv
import random
from datetime import date
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "examples" / "governance.yaml"


def _month(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def make_portfolio(out: Path, partners: int, kpis: int, months: int, end: str = "2026-09", seed: int = 7) -> Path:
    """Write OUT/governance.yaml and OUT/kpis.csv; return OUT."""
    rng = random.Random(seed)
    config = yaml.safe_load(TEMPLATE.read_text(encoding="utf-8"))
    templates = config["kpis"]
    config["kpis"] = []
    for k in range(kpis):
        kpi = dict(templates[k % len(templates)])
        if k >= len(templates):
            kpi["id"] = f"{kpi['id']}_{k // len(templates)}"
            kpi["name"] = f"{kpi['name']} ({k // len(templates) + 1})"
        config["kpis"].append(kpi)
    config["client_factors"] = []
    total_weight = sum(k["weight"] for k in config["kpis"])
    for kpi in config["kpis"]:  # weights must sum to 100
        kpi["weight"] = round(kpi["weight"] * 100 / total_weight, 6)
    drift = 100 - sum(k["weight"] for k in config["kpis"])
    config["kpis"][0]["weight"] = round(config["kpis"][0]["weight"] + drift, 6)

    config["partners"] = []
    for p in range(partners):
        pid = f"P{p:04d}"
        config["partners"].append(
            {
                "id": pid,
                "name": f"Partner {p:04d} Services",
                "services": ["Voice"],
                "peer_group": ["voice", "digital", "back office"][p % 3],
                "contract": {
                    "start": date(2023, 1, 1),
                    "end": date(2027 + p % 3, [3, 6, 9, 12][p % 4], [31, 30, 30, 31][p % 4]),
                    "notice_days": [90, 120, 180][p % 3],
                    "auto_renew": p % 2 == 0,
                    "renewal_months": 12,
                    "annual_value": 1_000_000 + 50_000 * (p % 40),
                    "currency": "EUR",
                },
                "contacts": [
                    {"name": f"Account Lead {p:04d}", "role": "Account Director", "side": "partner"},
                    {"name": "Vendor Manager", "role": "Vendor Manager", "side": "client"},
                ],
            }
        )
    out.mkdir(parents=True, exist_ok=True)
    (out / "governance.yaml").write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")

    year, month = (int(x) for x in end.split("-"))
    last = year * 12 + month - 1
    with (out / "kpis.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["partner", "period", "kpi", "value", "volume", "source"])
        for p in range(partners):
            quality = rng.uniform(0.2, 1.6)  # in units of the target-floor gap: most partners do well
            slump_from = last - rng.randrange(2, 6) if p % 6 == 3 else None
            base_volume = rng.randrange(8_000, 60_000)
            for kpi in config["kpis"]:
                target, floor = kpi["target"], kpi.get("floor", kpi["target"])
                gap = abs(target - floor) or abs(target) * 0.05 or 1.0
                sign = 1 if kpi["direction"] == "higher_is_better" else -1
                for i in range(last - months + 1, last + 1):
                    shift = quality + rng.gauss(0, 0.35)
                    if slump_from is not None and i >= slump_from:
                        shift -= 2.2
                    value = target + sign * shift * gap
                    low, high = kpi.get("scale") or ((0.0, 100.0) if kpi["unit"] == "percent" else (0.0, None))
                    value = max(low, value if high is None else min(high, value))
                    volume = base_volume if kpi.get("min_sample") else ""
                    writer.writerow(
                        [f"P{p:04d}", _month(i), kpi["id"], f"{value:.{kpi.get('decimals', 1)}f}", volume, "measured"]
                    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--partners", type=int, default=100)
    parser.add_argument("--kpis", type=int, default=8)
    parser.add_argument("--months", type=int, default=18)
    args = parser.parse_args()
    make_portfolio(args.out, args.partners, args.kpis, args.months)
    print(f"wrote {args.out}/governance.yaml and {args.out}/kpis.csv")


if __name__ == "__main__":
    main()
