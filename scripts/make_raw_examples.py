"""Write examples/raw/: ACD-style exports for the example partners, July-September 2026.

Seeded and deterministic (same bytes every run). Volumes are the example programme's
divided by about 20 so the files stay small. A handful of deliberately bad rows (one per
reject reason) show the data-quality report at work; examples/raw/mapping.yaml says which
column is which.

    python scripts/make_raw_examples.py [--out examples/raw]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import math
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Europe/Amsterdam")
MONTHS = ((2026, 7), (2026, 8), (2026, 9))
SEED = 20260930


@dataclass(frozen=True)
class Profile:
    site: str  # the ACD's name for the partner's site
    contacts: int  # contacts per month
    channels: tuple[str, ...]
    answered_fast: float  # share of answered contacts answered within 20 s
    slow_wait: float  # mean extra wait (s) beyond 20 s for the others
    abandon: float  # share of contacts abandoned
    aht: float  # mean handle time (s)
    transfer: float
    repeat: float  # share of contacts that are a repeat of a recent one
    csat: float  # top-two-box probability
    fcr: float
    qa: float  # mean QA score
    evaluations: int
    agents: int
    attrition: float  # annualised


PROFILES = {
    "ATL": Profile(
        "Atlas Lisbon", 2200, ("Voice", "Email"), 0.89, 75, 0.03, 400, 0.07, 0.10, 0.90, 0.79, 93.3, 60, 110, 0.21
    ),
    "BRV": Profile("Bravo Manila", 1400, ("Voice",), 0.78, 95, 0.057, 418, 0.09, 0.13, 0.85, 0.77, 90.8, 50, 70, 0.37),
    "CRN": Profile("Corona Cairo", 1650, ("Voice",), 0.76, 170, 0.094, 412, 0.11, 0.16, 0.78, 0.71, 87.1, 50, 85, 0.58),
    "DLT": Profile(
        "Delta Krakow", 850, ("Chat", "Email"), 0.90, 60, 0.038, 450, 0.05, 0.11, 0.86, 0.76, 90.6, 40, 45, 0.28
    ),
    "ECH": Profile("Echo Nairobi", 480, ("Voice",), 0.83, 70, 0.047, 430, 0.08, 0.12, 0.85, 0.75, 90.6, 30, 25, 0.30),
}
QUEUES = ("Billing", "Moves", "Outages", "Sales")


def _local(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _arrival(rng: random.Random, year: int, month: int) -> datetime:
    days = (date(year + month // 12, month % 12 + 1, 1) - date(year, month, 1)).days
    day = rng.randrange(days)
    # diurnal: busiest mid-morning and early afternoon, quiet at night
    hour = min(23.99, max(0.0, rng.gauss(12.5, 3.2)))
    start = datetime(year, month, 1, tzinfo=ZONE) + timedelta(days=day)
    return start.replace(hour=int(hour), minute=int(hour % 1 * 60), second=rng.randrange(60))


def interactions(rng: random.Random) -> list[list[str]]:
    rows: list[list[str]] = []
    number = 0
    for partner, p in PROFILES.items():
        recent: list[tuple[str, datetime]] = []
        customers = 0
        for year, month in MONTHS:
            arrivals = sorted(_arrival(rng, year, month) for _ in range(p.contacts))
            for arrived in arrivals:
                number += 1
                recent = [(c, t) for c, t in recent if arrived - t < timedelta(days=6)]
                if recent and rng.random() < p.repeat:
                    customer = rng.choice(recent)[0]
                else:
                    customers += 1
                    customer = f"{partner[0]}{customers:06d}"
                recent.append((customer, arrived))
                channel = p.channels[0] if len(p.channels) == 1 or rng.random() < 0.7 else p.channels[1]
                queue = rng.choice(QUEUES)
                row = [f"IX-{number:07d}", p.site, channel, queue, customer, _local(arrived)]
                if rng.random() < p.abandon:
                    waited = rng.expovariate(1 / 70) if rng.random() < 0.85 else rng.uniform(0, 5)
                    ended = arrived + timedelta(seconds=round(waited))
                    row += ["", _local(ended), "", "", "", "", "Inbound"]
                else:
                    fast = rng.random() < p.answered_fast
                    wait = rng.uniform(0, 20) if fast else 20 + rng.expovariate(1 / p.slow_wait)
                    answered = arrived + timedelta(seconds=math.floor(wait))
                    talk = max(30, round(rng.gammavariate(4, p.aht * 0.8 / 4)))
                    hold = round(rng.expovariate(1 / (p.aht * 0.08))) if rng.random() < 0.6 else 0
                    acw = max(5, round(rng.gauss(p.aht * 0.12, 15)))
                    transfers = 1 if rng.random() < p.transfer else 0
                    ended = answered + timedelta(seconds=talk + hold + acw)
                    row += [_local(answered), _local(ended), str(talk), str(hold), str(acw), str(transfers), "Inbound"]
                rows.append(row)
    return rows


def bad_interactions() -> list[list[str]]:
    """One row per reject reason; see examples/raw/mapping.yaml."""
    return [
        # answered before it arrived
        [
            "IX-9000001",
            "Atlas Lisbon",
            "Voice",
            "Billing",
            "A900001",
            "2026-07-14 10:00:30",
            "2026-07-14 10:00:10",
            "2026-07-14 10:05:00",
            "250",
            "0",
            "20",
            "0",
            "Inbound",
        ],
        # negative talk time
        [
            "IX-9000002",
            "Bravo Manila",
            "Voice",
            "Moves",
            "B900002",
            "2026-08-03 11:00:00",
            "2026-08-03 11:00:12",
            "2026-08-03 11:06:00",
            "-40",
            "0",
            "25",
            "0",
            "Inbound",
        ],
        # a site that is not one of the programme's partners
        [
            "IX-9000003",
            "Foxtrot Lima",
            "Voice",
            "Billing",
            "F900003",
            "2026-08-05 09:00:00",
            "2026-08-05 09:00:05",
            "2026-08-05 09:04:00",
            "200",
            "0",
            "30",
            "0",
            "Inbound",
        ],
        # the same contact exported twice (the second copy is rejected)
        [
            "IX-0000001",
            "Atlas Lisbon",
            "Voice",
            "Billing",
            "A000001",
            "2026-07-01 00:00:00",
            "2026-07-01 00:00:05",
            "2026-07-01 00:04:00",
            "200",
            "0",
            "30",
            "0",
            "Inbound",
        ],
        # a timestamp nobody can read
        [
            "IX-9000005",
            "Corona Cairo",
            "Voice",
            "Sales",
            "C900005",
            "31/07/2026 25:00",
            "",
            "2026-07-31 23:59:00",
            "",
            "",
            "",
            "",
            "Inbound",
        ],
        # neither answered nor ended: how long did the customer wait?
        [
            "IX-9000006",
            "Delta Krakow",
            "Chat",
            "Moves",
            "D900006",
            "2026-09-10 15:00:00",
            "",
            "",
            "",
            "",
            "",
            "",
            "Inbound",
        ],
    ]


def surveys(rng: random.Random, contacts: list[list[str]]) -> list[list[str]]:
    rows = []
    number = 0
    for row in contacts:
        if not row[6] or rng.random() > 0.13:  # about 13% of answered contacts answer the survey
            continue
        partner = next(k for k, p in PROFILES.items() if p.site == row[1])
        p = PROFILES[partner]
        number += 1
        ended = datetime.strptime(row[7], "%Y-%m-%d %H:%M:%S").replace(tzinfo=ZONE)
        responded = ended + timedelta(minutes=rng.randrange(5, 600))
        if responded.month != ended.month:
            continue  # keep every response in the three months
        csat = rng.choice((4, 5)) if rng.random() < p.csat else rng.choice((1, 2, 3, 3))
        nps = rng.choice((9, 10)) if rng.random() < p.csat - 0.25 else rng.randrange(0, 9)
        resolved = "Yes" if rng.random() < p.fcr else "No"
        rows.append([f"S{number:06d}", row[0], row[1], row[2], responded.isoformat(), str(csat), str(nps), resolved])
    rows.append(["S900001", "IX-0000002", "Atlas Lisbon", "Voice", "2026-07-02T10:00:00+02:00", "6", "9", "Yes"])
    rows.append(["S900002", "IX-0000003", "Bravo Manila", "Voice", "2026-08-02T10:00:00+02:00", "4", "8", "Maybe"])
    return rows


def qa(rng: random.Random) -> list[list[str]]:
    rows = []
    number = 0
    for partner, p in PROFILES.items():
        for year, month in MONTHS:
            for _ in range(p.evaluations):
                number += 1
                when = _arrival(rng, year, month)
                fail = rng.random() < 0.03
                score = round(min(100.0, max(40.0, rng.gauss(p.qa, 4.5))), 1)
                rows.append(
                    [f"QA-{number:05d}", partner, when.strftime("%d/%m/%Y %H:%M"), f"{score:g}", "Y" if fail else "N"]
                )
    rows.append(["QA-90001", "CRN", "15/08/2026 10:00", "n/a", "N"])
    return rows


def roster(rng: random.Random) -> list[list[str]]:
    rows = []
    for partner, p in PROFILES.items():
        # enough leavers over the three months for the annualised attrition
        leavers = round(p.agents * p.attrition / 12 * len(MONTHS))
        for number in range(1, p.agents + leavers + 1):
            hired = date(2024, 1, 1) + timedelta(days=rng.randrange(0, 880))
            rows.append([f"{partner}-{number:04d}", partner, hired.isoformat(), ""])
        # leavers among those hired before July
        employed = [r for r in rows if r[1] == partner and r[2] < "2026-07-01"]
        for r in rng.sample(employed, leavers):
            year, month = MONTHS[rng.randrange(len(MONTHS))]
            r[3] = date(year, month, rng.randrange(1, 29)).isoformat()
    rows.append(["ECH-9001", "ECH", "2026-08-10", "2026-08-01"])  # left before hired
    return rows


def _csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    text = io.StringIO(newline="")
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return text.getvalue().encode()


def _gzip(data: bytes) -> bytes:
    out = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0) as handle:  # no name, no time: same bytes
        handle.write(data)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "examples" / "raw")
    out = parser.parse_args().out
    rng = random.Random(SEED)
    calls = interactions(rng)
    header = [
        "Interaction ID",
        "Site Name",
        "Media Type",
        "Queue",
        "Customer Key",
        "Queue Start",
        "Answer Time",
        "End Time",
        "Talk Time",
        "Hold Time",
        "ACW Time",
        "Transfer Count",
        "Direction",
    ]
    (out / "acd").mkdir(parents=True, exist_ok=True)
    for year, month in MONTHS:
        prefix = f"{year}-{month:02d}"
        rows = [r for r in calls if r[5].startswith(prefix)]
        if month == 9:
            rows += bad_interactions()
        (out / "acd" / f"interactions_{year}{month:02d}.csv.gz").write_bytes(_gzip(_csv_bytes(header, rows)))
    survey_header = [
        "Response ID",
        "Interaction ID",
        "Vendor",
        "Channel",
        "Completed At",
        "Satisfaction (1-5)",
        "Recommend (0-10)",
        "Resolved First Time",
    ]
    (out / "surveys.csv").write_bytes(_csv_bytes(survey_header, surveys(rng, calls)))
    qa_header = ["Evaluation Id", "BPO", "Evaluated", "Total Score", "Critical Fail"]
    (out / "qa.csv").write_bytes(_csv_bytes(qa_header, qa(rng)))
    roster_header = ["Employee Number", "Partner", "Start Date", "Termination Date"]
    (out / "roster.csv").write_bytes(_csv_bytes(roster_header, roster(rng)))


if __name__ == "__main__":
    main()
