"""Write the example's Amazon Connect export (examples/raw/connect/): contact records for July -
September 2026 at Atlas Lisbon's and Bravo Manila's queues, as Kinesis Data Firehose delivers them
to S3 (JSON lines, gzip), in the shape the Connect data model documents: a new record per transfer,
contacts that end in the IVR, abandons, and a few records delivered twice.

`govdocs aggregate --raw examples/raw/connect/mapping.yaml` computes the KPIs from them (make demo).
Seeded and deterministic: the same bytes every run.

    python scripts/make_connect_example.py
"""

from __future__ import annotations

import gzip
import json
import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.platform_records import Contact, Leg, connect_records  # noqa: E402

OUT = ROOT / "examples" / "raw" / "connect"
# per queue: contacts a month, mean wait (s), abandon share, transfer share
QUEUES = {"Atlas Lisbon": (420, 14.0, 0.05, 0.06), "Bravo Manila": (380, 31.0, 0.09, 0.10)}


def contacts_of(month: int, rng: random.Random) -> list[Contact]:
    out = []
    start = datetime(2026, month, 1, tzinfo=UTC)
    end = datetime(2026, month + 1, 1, tzinfo=UTC) if month < 12 else datetime(2027, 1, 1, tzinfo=UTC)
    seconds = int((end - start).total_seconds())
    for queue, (volume, wait, abandon, transfer) in QUEUES.items():
        other = next(q for q in QUEUES if q != queue)
        for i in range(volume):
            arrived = start + timedelta(seconds=rng.randrange(seconds - 3600))
            customer = f"+3512{rng.randrange(10_000, 10_600):05d}"
            key = f"{queue[:3].lower()}-{month:02d}-{i:04d}"
            contact_id = f"{rng.getrandbits(32):08x}-{key}"
            if rng.random() < 0.10:  # self-service in the IVR: never queued
                out.append(Contact(contact_id, customer, arrived))
                continue
            waited = round(rng.expovariate(1 / wait))
            if rng.random() < abandon:
                out.append(Contact(contact_id, customer, arrived, (Leg(queue, waited, answered=False),)))
                continue
            first = Leg(
                queue, waited, talk=rng.randint(120, 480), hold=rng.choice([0, 0, 0, 30, 60]), acw=rng.randint(10, 60)
            )
            legs = (first,)
            if rng.random() < transfer:
                legs += (
                    Leg(other, round(rng.expovariate(1 / wait)), talk=rng.randint(60, 300), acw=rng.randint(10, 40)),
                )
            out.append(Contact(contact_id, customer, arrived, legs, redelivered=rng.random() < 0.03))
    return sorted(out, key=lambda c: c.arrived)


def main() -> None:
    rng = random.Random(20260930)
    OUT.mkdir(parents=True, exist_ok=True)
    for month in (7, 8, 9):
        records = connect_records(contacts_of(month, rng))
        text = "".join(json.dumps(r, separators=(",", ":")) + "\n" for r in records).encode()
        path = OUT / f"ctr-2026-{month:02d}.jsonl.gz"
        path.write_bytes(gzip.compress(text, mtime=0))
        print(f"wrote {path.relative_to(ROOT)} ({len(records):,} records)")


if __name__ == "__main__":
    main()
