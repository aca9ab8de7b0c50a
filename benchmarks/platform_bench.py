"""How a platform's export reads at size: Amazon Connect contact records (JSON lines, gzip, as
Firehose writes them) through `format: amazon-connect`, in a child process of its own, with its
time and peak RSS, against DuckDB's memory_limit (1 GB by default).

    python benchmarks/platform_bench.py --contacts 1000000

The records are the tests' (tests/platform_records.py): a tenth never queued, a few abandoned,
some transferred (two legs), 3% delivered twice.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.platform_records import Contact, Leg, connect_records  # noqa: E402

QUEUES = ("Atlas Lisbon", "Bravo Manila")


def generate(contacts: int, folder: Path, files: int = 6, seed: int = 11) -> int:
    rng = random.Random(seed)
    start = datetime(2026, 4, 1, tzinfo=UTC)
    span = 183 * 86400
    records = 0
    per_file = -(-contacts // files)
    for f in range(files):
        made = []
        for i in range(f * per_file, min(contacts, (f + 1) * per_file)):
            arrived = start + timedelta(seconds=rng.randrange(span))
            queue = QUEUES[i % 2]
            customer = f"+3512{rng.randrange(100_000, 400_000):06d}"
            if rng.random() < 0.10:
                made.append(Contact(f"c{i:09d}", customer, arrived))
                continue
            wait = round(rng.expovariate(1 / 20))
            if rng.random() < 0.06:
                made.append(Contact(f"c{i:09d}", customer, arrived, (Leg(queue, wait, answered=False),)))
                continue
            legs = (Leg(queue, wait, talk=rng.randint(60, 600), hold=rng.choice([0, 0, 30]), acw=rng.randint(5, 60)),)
            if rng.random() < 0.08:
                legs += (Leg(QUEUES[(i + 1) % 2], round(rng.expovariate(1 / 20)), talk=rng.randint(60, 300)),)
            made.append(Contact(f"c{i:09d}", customer, arrived, legs, redelivered=rng.random() < 0.03))
        rows = connect_records(made)
        records += len(rows)
        with gzip.open(folder / f"ctr-{f:02d}.jsonl.gz", "wt", encoding="utf-8", compresslevel=1) as out:
            for r in rows:
                out.write(json.dumps(r, separators=(",", ":")) + "\n")
    return records


def child(folder: Path) -> None:
    from govdocs.raw import engine
    from govdocs.raw.model import RawData

    raw = RawData.model_validate(
        {
            "sources": {
                "interactions": {
                    "files": "ctr-*.jsonl.gz",
                    "format": "amazon-connect",
                    "timezone": "Europe/Lisbon",
                    "partner_values": {"Atlas Lisbon": "ATL", "Bravo Manila": "BRV"},
                }
            },
            "kpis": [
                {"kpi": "service_level", "measure": "service_level", "answered_within_seconds": 20},
                {"kpi": "asa", "measure": "asa"},
                {"kpi": "aht", "measure": "aht"},
                {"kpi": "abandonment", "measure": "abandon_rate"},
                {"kpi": "fcr", "measure": "fcr_proxy", "within_days": 7},
            ],
        }
    )
    began = time.perf_counter()
    aggregation = engine.aggregate(raw, base=folder, partner_ids=["ATL", "BRV"])
    seconds = time.perf_counter() - began
    (source,) = aggregation.quality.sources
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {"seconds": seconds, "peak_rss_mib": peak, "records": source.records, "contacts": source.read,
             "kpi_rows": len(aggregation.kpis)}
        )
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--child", type=Path)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    with tempfile.TemporaryDirectory(prefix="govdocs-platform-bench-") as tmp:
        folder = Path(tmp)
        began = time.perf_counter()
        records = generate(args.contacts, folder)
        size = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
        print(
            f"{args.contacts:,} contacts, {records:,} records, {size:.0f} MB gzip ({time.perf_counter() - began:.0f} s)"
        )
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(folder)], check=True, capture_output=True, text=True
        ).stdout
        r = json.loads(out.strip().splitlines()[-1])
        print(
            f"amazon-connect: {r['seconds']:.1f} s, peak RSS {r['peak_rss_mib']:.0f} MiB "
            f"({r['records']:,} records -> {r['contacts']:,} contacts -> {r['kpi_rows']} KPI rows)"
        )


if __name__ == "__main__":
    main()
