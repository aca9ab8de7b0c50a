"""Write the example's raw exports (examples/raw/) and the KPI table computed from them
(examples/data/kpis.csv), for April 2025 - September 2026.

The story -- each partner's KPI month by month -- is scripts/make_example_data.py's. This script
turns it into the records a contact centre exports: ACD interactions (one row per call, chat or
email; at a tenth of the story's volumes so the files stay small), post-contact survey responses
and QA evaluations (at the story's volumes). The counts are set, not drawn: a month whose story
says 84.3% service level on 4,100 offered contacts gets 3,456 contacts answered within 20 seconds,
so the KPIs computed from the exports tell the story's numbers up to the sample's granularity.

The KPI table is then what govdocs computes from these exports (`govdocs aggregate`), plus the
agent attrition the partners report themselves (examples/raw/partner_reported.csv): a QBR built
from the table and one built from the exports are the same document. A handful of deliberately bad
rows (one per reject reason) show the data-quality report at work; they are never counted.

Seeded and deterministic: the same bytes every run.

    python scripts/make_raw_examples.py
"""

from __future__ import annotations

import csv
import gzip
import io
import random
import sys
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from make_example_data import rows as story_rows  # noqa: E402

ZONE = ZoneInfo("Europe/Amsterdam")
SEED = 20260930
SCALE = 10  # the exports hold one interaction for every SCALE contacts of the story
SITES = {
    "ATL": "Atlas Lisbon",
    "BRV": "Bravo Manila",
    "CRN": "Corona Cairo",
    "DLT": "Delta Krakow",
    "ECH": "Echo Nairobi",
}
# The channel whose speed is measured (voice or chat), and the share of email on top of it.
CHANNELS = {
    "ATL": ("Voice", 0.30),
    "BRV": ("Voice", 0.0),
    "CRN": ("Voice", 0.0),
    "DLT": ("Chat", 0.30),
    "ECH": ("Voice", 0.0),
}
SLOW_WAIT = {"ATL": 75, "BRV": 95, "CRN": 170, "DLT": 60, "ECH": 70}  # mean wait beyond 20 s (s)
TRANSFER = {"ATL": 0.07, "BRV": 0.09, "CRN": 0.11, "DLT": 0.05, "ECH": 0.08}
REPEAT = {"ATL": 0.10, "BRV": 0.13, "CRN": 0.16, "DLT": 0.11, "ECH": 0.12}
SHORT_ABANDON = 0.012  # hang-ups within 5 s: in the export, not offered
QUEUES = ("Billing", "Moves", "Outages", "Sales")
# The drill-down (where a gap is): each partner's agents, teams and sites, in a roster of their own
# (examples/raw/roster.csv), drawn by a generator of their own so that the records' other columns,
# and so the KPIs, are the ones they were before these columns existed.
AGENTS = 48  # per partner
TEAMS = ("Team 1", "Team 2", "Team 3", "Team 4")
LOCATIONS = {
    "ATL": ("Lisbon",),
    "BRV": ("Manila", "Cebu"),
    "CRN": ("Cairo",),
    "DLT": ("Krakow", "Gdansk"),
    "ECH": ("Nairobi",),
}
# Bravo's service-level miss in Q3 2026 sits in the morning peak on one queue: its slow answers and
# abandons fall on contacts arriving 08:00-10:00 twice as often, and on the Outages queue 1.8 times
# as often, as on the others (the month's counts, hence its KPIs, stay the story's).
CONCENTRATED = {("BRV", "2026-07"), ("BRV", "2026-08"), ("BRV", "2026-09")}
PEAK_HOURS, PEAK_WEIGHT, QUEUE, QUEUE_WEIGHT = (8, 9), 2.0, "Outages", 1.8
INTERACTION_HEADER = [
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
    "Agent ID",
    "Team",
    "Location",
]
ROSTER_HEADER = ["Agent ID", "Vendor", "Hire Date", "Team", "Location"]
SURVEY_HEADER = [
    "Response ID",
    "Interaction ID",
    "Vendor",
    "Channel",
    "Completed At",
    "Satisfaction (1-5)",
    "Recommend (0-10)",
    "Resolved First Time",
]
QA_HEADER = ["Evaluation Id", "BPO", "Evaluated", "Total Score", "Critical Fail", "Agent"]
# QA calibration (examples/raw/calibration.csv): each month from October 2025, ten contacts each
# partner handled are scored by the client's evaluators and the partner's on the same five-section
# form. Corona's evaluators drift above the client's -- by 1 point in Q4 2025 up to 4 in Q3 2026,
# mostly on Compliance and Accuracy -- beyond the 2 points the programme accepts; the others agree
# within noise. Drawn by generators of their own: the other exports keep their bytes.
CALIBRATION_HEADER = ["Contact Ref", "Vendor", "Scored By", "Scored At", "Section", "Points"]
FORM = (
    ("Greeting and verification", 15),
    ("Understanding the need", 20),
    ("Accuracy of the answer", 30),
    ("Compliance", 20),
    ("Resolution and close", 15),
)
CALIBRATION_FROM, CALIBRATION_PAIRS = "2025-10", 10
LENIENT = {"CRN": {"2025": 1.0, "2026-Q1": 2.0, "2026-Q2": 3.0, "2026-Q3": 4.0}}
LENIENT_SECTIONS = {"Compliance": 0.45, "Accuracy of the answer": 0.4, "Resolution and close": 0.15}
# Coaching (examples/raw/coaching.csv): each low QA score (below 80) followed by a call review within
# 2-12 days at the partner's own rate, some of the rest late; routine side-by-sides besides. Corona
# coaches least, its QA never reaches some of its agents, and in Q3 2026 its low scores fall on its
# agents under 90 days in post four times as often as on the others.
COACHING_HEADER = ["Agent", "Vendor", "Session Date", "Type"]
FOLLOWS = {"ATL": 0.92, "BRV": 0.85, "CRN": 0.55, "DLT": 0.9, "ECH": 0.8}
UNREACHED = {"CRN": 8}  # agents the partner's QA never evaluates
NEW_HIRE_LOWS = {("CRN", "2026-07"), ("CRN", "2026-08"), ("CRN", "2026-09")}
EXPORTED_ON = datetime(2026, 10, 14, tzinfo=ZONE)  # the coaching export's last day
TABLE_HEADER = ["partner", "period", "kpi", "value", "volume", "source"]


def _local(moment: datetime) -> str:
    return moment.astimezone(ZONE).strftime("%Y-%m-%d %H:%M:%S")


def _month_days(period: str) -> list[datetime]:
    year, month = int(period[:4]), int(period[5:])
    day, days = datetime(year, month, 1, tzinfo=ZONE), []
    while day.month == month:
        days.append(day)
        day = (day + timedelta(days=1)).replace(tzinfo=ZONE)
    return days


def _arrival(rng: random.Random, days: list[datetime]) -> datetime:
    """A moment in opening hours (07:00-22:00 local, busiest mid-morning and early afternoon), in
    UTC: durations are added to instants, so a wait is the same seconds on a clock-change day."""
    hour = min(21.99, max(7.0, rng.gauss(12.5, 3.0)))
    local = rng.choice(days).replace(hour=int(hour), minute=int(hour % 1 * 60), second=rng.randrange(60))
    return local.astimezone(UTC)


def _spread(rng: random.Random, values: list[int], total: int, low: int, high: int) -> list[int]:
    """`values` nudged one unit at a time, within [low, high], until they sum to `total`."""
    values = list(values)
    gap = total - sum(values)
    step = 1 if gap > 0 else -1
    while gap:
        i = rng.randrange(len(values))
        if low <= values[i] + step <= high:
            values[i] += step
            gap -= step
    return values


def roster(partner: str) -> list[tuple[str, datetime, str, str]]:
    """The partner's agents: id, hire date (2021 to August 2026), team, location."""
    rng = random.Random(f"{SEED}-roster-{partner}")
    first, last = datetime(2021, 1, 4, tzinfo=ZONE), datetime(2026, 8, 31, tzinfo=ZONE)
    agents = []
    for n in range(1, AGENTS + 1):
        # most agents were hired years ago; a steady trickle of new hires replaces leavers
        days = (last - first).days
        hired = first + timedelta(days=int(days * (1 - rng.random() ** 1.6)))
        agents.append((f"{partner}-{n:03d}", hired, rng.choice(TEAMS), rng.choice(LOCATIONS[partner])))
    return agents


def _when(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=ZONE)


def _concentrate(rows: list[list[str]], rng: random.Random) -> None:
    """Bravo's Q3 2026: the month's outcomes (an answer with its wait and handling, or an abandon)
    dealt again over its contacts, the slow answers and abandons weighted towards the morning peak
    and one queue. Short abandons (never offered) stay where they are."""
    dealt = [r for r in rows if r[6] or (_when(r[7]) - _when(r[5])).total_seconds() >= 5]
    tails = []
    for r in dealt:
        start = _when(r[5])
        if r[6]:
            wait = (_when(r[6]) - start).total_seconds()
            tails.append(("answer", wait, r[8:12]))
        else:
            tails.append(("abandon", (_when(r[7]) - start).total_seconds(), ["", "", "", ""]))
    bad = [t for t in tails if t[0] == "abandon" or t[1] > 20]
    good = [t for t in tails if not (t[0] == "abandon" or t[1] > 20)]

    def weight(r: list[str]) -> float:
        peak = PEAK_WEIGHT if _when(r[5]).hour in PEAK_HOURS else 1.0
        return peak * (QUEUE_WEIGHT if r[3] == QUEUE else 1.0)

    # a weighted draw without replacement: the contacts with the largest u^(1/weight) take the bad outcomes
    keys = sorted(range(len(dealt)), key=lambda i: -(rng.random() ** (1 / weight(dealt[i]))))
    rng.shuffle(bad)
    rng.shuffle(good)
    for i, tail in zip(keys, bad + good, strict=True):
        r, (kind, wait, handling) = dealt[i], tail
        arrived = _when(r[5]).astimezone(UTC)
        if kind == "abandon":
            r[6:12] = ["", _local(arrived + timedelta(seconds=wait)), "", "", "", ""]
            continue
        talk, hold, acw = (int(x) for x in handling[:3])
        picked_up = arrived + timedelta(seconds=wait)
        ended = picked_up + timedelta(seconds=talk + hold + acw)
        r[6:12] = [_local(picked_up), _local(ended), *handling]


def _staff(rows: list[list[str]], partner: str, period: str, agents: list[tuple[str, datetime, str, str]]) -> None:
    """Each contact's location (the site whose queue took it, staffed by the agents employed that
    day) and, for an answered one, its agent and the agent's team."""
    rng = random.Random(f"{SEED}-staff-{partner}-{period}")
    for r in rows:
        day = _when(r[5])
        agent, _, team, location = rng.choice([a for a in agents if a[1] <= day])
        # an abandoned contact has no agent: its location is the site whose queue held it
        r += [agent, team, location] if r[6] else ["", "", location]


class Month:
    """One partner's month of records, built to the story's targets."""

    def __init__(self, rng: random.Random, partner: str, period: str, targets: dict[str, tuple[float, int]]):
        self.rng, self.partner, self.period, self.targets = rng, partner, period, targets
        self.days = _month_days(period)

    def interactions(self, number: int, recent: list[tuple[str, datetime]], customers: list[int]) -> list[list[str]]:
        rng, p = self.rng, self.partner
        level, calls = self.targets["service_level"]
        offered = max(1, round(calls / SCALE))
        abandoned = round(self.targets["abandonment"][0] * offered / 100)
        answered = offered - abandoned
        within = min(answered, round(level * offered / 100))
        # waits of the answered contacts: `within` of them in 0-20 s, the rest beyond, summing to ASA
        fast = [rng.randrange(0, 21) for _ in range(within)]
        slow_count = answered - within
        total_wait = round(self.targets["asa"][0] * answered)
        slow_total = max(21 * slow_count, total_wait - sum(fast))
        if slow_count:
            slow = [21 + round(rng.expovariate(1 / SLOW_WAIT[p])) for _ in range(slow_count)]
            slow = _spread(rng, slow, slow_total, 21, 3600)
        else:
            slow = []
        fast = _spread(rng, fast, max(0, total_wait - sum(slow)), 0, 20) if fast else fast
        waits = fast + slow
        rng.shuffle(waits)
        channel, email_share = CHANNELS[p]
        emails = round(offered * email_share)
        handled = answered + emails
        # handle times: talk + hold + after-call work, summing to AHT over every handled contact
        aht = self.targets["aht"][0]
        talks = [max(30, round(rng.gammavariate(4, aht * 0.8 / 4))) for _ in range(handled)]
        holds = [round(rng.expovariate(1 / (aht * 0.08))) if rng.random() < 0.6 else 0 for _ in range(handled)]
        acws = [max(5, round(rng.gauss(aht * 0.12, 15))) for _ in range(handled)]
        talks = _spread(rng, talks, round(aht * handled) - sum(holds) - sum(acws), 30, 7200)
        kinds = (
            [("answer", w) for w in waits]
            + [("abandon", 5 + round(rng.expovariate(1 / 60))) for _ in range(abandoned)]
            + [("short", rng.randrange(0, 5)) for _ in range(round(offered * SHORT_ABANDON))]
            + [("email", rng.randrange(600, 5400)) for _ in range(emails)]  # answered within 10-90 minutes
        )
        arrivals = sorted(_arrival(rng, self.days) for _ in kinds)
        rng.shuffle(kinds)
        rows, served = [], 0
        for arrived, (kind, wait) in zip(arrivals, kinds, strict=True):
            number += 1
            recent[:] = [(c, t) for c, t in recent if arrived - t < timedelta(days=6)]
            if recent and rng.random() < REPEAT[p]:
                customer = rng.choice(recent)[0]
            else:
                customers[0] += 1
                customer = f"{p[0]}{customers[0]:06d}"
            recent.append((customer, arrived))
            media = "Email" if kind == "email" else channel
            row = [f"IX-{number:07d}", SITES[p], media, rng.choice(QUEUES), customer, _local(arrived)]
            if kind in ("abandon", "short"):
                row += ["", _local(arrived + timedelta(seconds=wait)), "", "", "", "", "Inbound"]
            else:
                talk, hold, acw = talks[served], holds[served], acws[served]
                served += 1
                picked_up = arrived + timedelta(seconds=wait)
                ended = picked_up + timedelta(seconds=talk + hold + acw)
                transfers = "1" if rng.random() < TRANSFER[p] else "0"
                row += [_local(picked_up), _local(ended), str(talk), str(hold), str(acw), transfers, "Inbound"]
            rows.append(row)
        return rows

    def surveys(self, number: int, handled: list[list[str]]) -> list[list[str]]:
        """Responses to the month's answered contacts: exactly the story's top-box and resolved shares."""
        rng = self.rng
        csat, count = self.targets["csat"]
        fcr = self.targets["fcr"][0]
        top, resolved = round(csat * count / 100), round(fcr * count / 100)
        scores = [rng.choice((4, 5)) for _ in range(top)] + [rng.choice((1, 2, 3, 3)) for _ in range(count - top)]
        answers = ["Yes"] * resolved + ["No"] * (count - resolved)
        rng.shuffle(scores)
        rng.shuffle(answers)
        month_end = self.days[-1].replace(hour=23, minute=59)
        rows = []
        for contact, score, answer in zip(rng.sample(handled, count), scores, answers, strict=True):
            number += 1
            ended = datetime.strptime(contact[7], "%Y-%m-%d %H:%M:%S").replace(tzinfo=ZONE)
            responded = min(month_end, ended + timedelta(minutes=rng.randrange(5, 600)))
            nps = rng.choice((9, 10)) if score == 5 or (score == 4 and rng.random() < 0.4) else rng.randrange(0, 9)
            rows.append(
                [
                    f"S{number:07d}",
                    contact[0],
                    contact[1],
                    contact[2],
                    responded.isoformat(),
                    str(score),
                    str(nps),
                    answer,
                ]
            )
        return rows

    def evaluations(self, number: int) -> list[list[str]]:
        """QA evaluations whose scores (one decimal) average exactly the story's QA score."""
        rng = self.rng
        score, count = self.targets["qa_score"]
        tenths = [round(min(100.0, max(40.0, rng.gauss(score, 4.5))) * 10) for _ in range(count)]
        tenths = _spread(rng, tenths, round(score * 10 * count), 400, 1000)
        rows = []
        for t in tenths:
            number += 1
            when = _arrival(rng, self.days).astimezone(ZONE)
            rows.append(
                [
                    f"QA-{number:06d}",
                    self.partner,
                    when.strftime("%d/%m/%Y %H:%M"),
                    f"{t / 10:g}",
                    "Y" if rng.random() < 0.03 else "N",
                ]
            )
        return rows


def bad_interactions(first: list[str]) -> dict[str, list[list[str]]]:
    """One row per reject reason, in the export of the month they belong to; `first` is the first
    interaction written, exported again."""
    row = ["Inbound"]
    return {
        "2026-07": [
            # the same contact exported twice (the second copy is rejected)
            list(first),
            # a timestamp nobody can read
            [
                "IX-9000005",
                "Corona Cairo",
                "Voice",
                "Sales",
                "C900005",
                "31/07/2026 25:00",
                "",
                "2026-07-31 21:59:00",
                "",
                "",
                "",
                "",
                *row,
            ],
        ],
        "2026-08": [
            # answered before it arrived
            [
                "IX-9000001",
                "Atlas Lisbon",
                "Voice",
                "Billing",
                "A900001",
                "2026-08-14 10:00:30",
                "2026-08-14 10:00:10",
                "2026-08-14 10:05:00",
                "250",
                "0",
                "20",
                "0",
                *row,
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
                *row,
            ],
        ],
        "2026-09": [
            # negative talk time
            [
                "IX-9000002",
                "Bravo Manila",
                "Voice",
                "Moves",
                "B900002",
                "2026-09-03 11:00:00",
                "2026-09-03 11:00:12",
                "2026-09-03 11:06:00",
                "-40",
                "0",
                "25",
                "0",
                *row,
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
                *row,
            ],
        ],
    }


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


def _evaluated(rows: list[list[str]], partner: str, period: str, agents: list[tuple[str, datetime, str, str]]) -> None:
    """Each evaluation's agent: one employed that day whom the partner's QA reaches; in Corona's Q3
    2026 a low score (below 85) goes four times as often to an agent under 90 days in post."""
    unreached = set(
        random.Random(f"{SEED}-unreached-{partner}").sample([a[0] for a in agents], UNREACHED.get(partner, 0))
    )
    rng = random.Random(f"{SEED}-qa-agents-{partner}-{period}")
    for r in rows:
        day = datetime.strptime(r[2], "%d/%m/%Y %H:%M").replace(tzinfo=ZONE)
        pool = [a for a in agents if a[1] <= day and a[0] not in unreached]
        if (partner, period) in NEW_HIRE_LOWS and float(r[3]) < 85:
            weights = [4.0 if (day - a[1]).days < 90 else 1.0 for a in pool]
            r.append(rng.choices(pool, weights)[0][0])
        else:
            r.append(rng.choice(pool)[0])


def _bias(partner: str, period: str) -> float:
    quarter = f"{period[:4]}-Q{(int(period[5:]) - 1) // 3 + 1}"
    drift = LENIENT.get(partner, {})
    return drift.get(quarter, drift.get(period[:4], 0.0))


def calibration(partner: str, period: str, handled: list[list[str]]) -> list[list[str]]:
    """Ten contacts of the month scored by both sides, section by section: the partner's evaluators
    a day or three before the client's."""
    rng = random.Random(f"{SEED}-calibration-{partner}-{period}")
    bias = _bias(partner, period)
    rows = []
    for contact in rng.sample(handled, CALIBRATION_PAIRS):
        level = min(0.92, max(0.55, rng.gauss(0.78, 0.06)))  # room under each section's maximum
        client_at = datetime.strptime(contact[6], "%Y-%m-%d %H:%M:%S").replace(tzinfo=ZONE) + timedelta(days=3)
        partner_at = client_at - timedelta(days=rng.randint(1, 3))
        for section, points in FORM:
            client = min(points, max(0, round(points * level + rng.gauss(0, 1.0))))
            drift = bias * LENIENT_SECTIONS.get(section, 0.0) + rng.gauss(0, 1.2)
            scored = min(points, max(0, round(client + drift)))
            rows.append(
                [contact[0], SITES[partner], "Client", client_at.strftime("%Y-%m-%d %H:%M"), section, str(client)]
            )
            rows.append(
                [contact[0], SITES[partner], "BPO", partner_at.strftime("%Y-%m-%d %H:%M"), section, str(scored)]
            )
    return rows


def coaching(
    partner: str, evaluations: list[list[str]], agents: list[tuple[str, datetime, str, str]]
) -> list[list[str]]:
    """Call reviews after low scores (at the partner's rate, within 2-12 days; half the rest 20-35
    days late) and routine side-by-sides, one session per agent and day, up to the export's day."""
    rng = random.Random(f"{SEED}-coaching-{partner}")
    sessions: dict[tuple[str, str], str] = {}
    for r in evaluations:
        if float(r[3]) >= 80:
            continue
        day = datetime.strptime(r[2], "%d/%m/%Y %H:%M").replace(tzinfo=ZONE)
        if rng.random() < FOLLOWS[partner]:
            sessions.setdefault((r[5], (day + timedelta(days=rng.randint(2, 12))).strftime("%Y-%m-%d")), "Call review")
        elif rng.random() < 0.5:
            sessions.setdefault((r[5], (day + timedelta(days=rng.randint(20, 35))).strftime("%Y-%m-%d")), "Call review")
    first = min(datetime.strptime(r[2], "%d/%m/%Y %H:%M") for r in evaluations).replace(tzinfo=ZONE)
    for agent, hired, _, _ in agents:
        day = max(first, hired)
        while day <= EXPORTED_ON:
            day += timedelta(days=rng.randint(45, 90))
            sessions.setdefault((agent, day.strftime("%Y-%m-%d")), "Side-by-side")
    last = EXPORTED_ON.strftime("%Y-%m-%d")
    return [
        [a, SITES[partner], d, kind]
        for (a, d), kind in sorted(sessions.items(), key=lambda s: (s[0][1], s[0][0]))
        if d <= last
    ]


def write_exports(out: Path) -> list[dict[str, str]]:
    """The raw exports; returns the partner-reported rows of the story (attrition)."""
    rng = random.Random(SEED)
    story = story_rows()
    targets: dict[tuple[str, str], dict[str, tuple[float, int]]] = defaultdict(dict)
    for r in story:
        targets[(r["partner"], r["period"])][r["kpi"]] = (float(r["value"]), int(r["volume"] or 0))
    periods = sorted({period for _, period in targets})
    by_month: dict[str, list[list[str]]] = defaultdict(list)
    survey_rows: list[list[str]] = []
    qa_rows: list[list[str]] = []
    numbers = {"interaction": 0, "survey": 0, "qa": 0}
    agents = {partner: roster(partner) for partner in SITES}
    calibration_rows: list[list[str]] = []
    coaching_rows: list[list[str]] = []
    for partner in SITES:
        evaluated: list[list[str]] = []
        recent: list[tuple[str, datetime]] = []
        customers = [0]
        for period in periods:
            if (partner, period) not in targets:
                continue  # no month in the story (not live yet, or no export that month)
            month = Month(rng, partner, period, targets[(partner, period)])
            rows = month.interactions(numbers["interaction"], recent, customers)
            if (partner, period) in CONCENTRATED:
                _concentrate(rows, random.Random(f"{SEED}-peak-{partner}-{period}"))
            _staff(rows, partner, period, agents[partner])
            numbers["interaction"] += len(rows)
            by_month[period] += rows
            handled = [r for r in rows if r[6]]
            responses = month.surveys(numbers["survey"], handled)
            numbers["survey"] += len(responses)
            survey_rows += responses
            evaluations = month.evaluations(numbers["qa"])
            numbers["qa"] += len(evaluations)
            _evaluated(evaluations, partner, period, agents[partner])
            qa_rows += evaluations
            evaluated += evaluations
            if period >= CALIBRATION_FROM:
                calibration_rows += calibration(partner, period, handled)
        coaching_rows += coaching(partner, evaluated, agents[partner])
    bad = bad_interactions(next(r for r in by_month[periods[0]] if r[0] == "IX-0000001"))
    # the hand-written bad rows name no agent, team or location
    bad = {month: [r + [""] * (len(INTERACTION_HEADER) - len(r)) for r in rows] for month, rows in bad.items()}
    (out / "acd").mkdir(parents=True, exist_ok=True)
    for old in (out / "acd").glob("interactions_*.csv.gz"):
        old.unlink()
    for period in periods:
        rows = sorted(by_month[period], key=lambda r: (r[5], r[0])) + bad.get(period, [])
        name = f"interactions_{period.replace('-', '')}.csv.gz"
        (out / "acd" / name).write_bytes(_gzip(_csv_bytes(INTERACTION_HEADER, rows)))
    survey_rows.sort(key=lambda r: (r[4], r[0]))
    survey_rows.append(
        ["S9000001", "IX-0000002", "Atlas Lisbon", "Voice", "2026-07-02T10:00:00+02:00", "6", "9", "Yes"]
    )
    survey_rows.append(
        ["S9000002", "IX-0000003", "Bravo Manila", "Voice", "2026-08-02T10:00:00+02:00", "4", "8", "Maybe"]
    )
    (out / "surveys.csv.gz").write_bytes(_gzip(_csv_bytes(SURVEY_HEADER, survey_rows)))
    qa_rows.append(["QA-900001", "CRN", "15/08/2026 10:00", "n/a", "N", ""])
    (out / "qa.csv").write_bytes(_csv_bytes(QA_HEADER, qa_rows))
    calibration_rows.sort(key=lambda r: (r[3], r[0], r[2], r[4]))
    (out / "calibration.csv").write_bytes(_csv_bytes(CALIBRATION_HEADER, calibration_rows))
    coaching_rows.sort(key=lambda r: (r[2], r[1], r[0]))
    (out / "coaching.csv").write_bytes(_csv_bytes(COACHING_HEADER, coaching_rows))
    (out / "surveys.csv").unlink(missing_ok=True)
    staff = [
        [agent, SITES[partner], hired.strftime("%Y-%m-%d"), team, location]
        for partner in SITES
        for agent, hired, team, location in agents[partner]
    ]
    (out / "roster.csv").write_bytes(_csv_bytes(ROSTER_HEADER, staff))
    reported = [r for r in story if r["source"] == "partner-reported"]
    (out / "partner_reported.csv").write_bytes(
        _csv_bytes(TABLE_HEADER, [[r[c] for c in TABLE_HEADER] for r in reported])
    )
    return reported


def write_table(raw: Path, table: Path, reported: list[dict[str, str]]) -> None:
    """examples/data/kpis.csv: what govdocs computes from the exports, and the partner-reported rows."""
    from govdocs.config.loader import load_config
    from govdocs.raw.checks import load_raw_data
    from govdocs.raw.engine import aggregate

    config = load_config(ROOT / "examples" / "governance.yaml")
    ids = [p.id for p in config.partners]
    section = load_raw_data(raw / "mapping.yaml", kpi_units={k.id: k.unit.value for k in config.kpis}, partner_ids=ids)
    kpis = aggregate(section, base=raw, partner_ids=ids).kpis
    rows = [
        [r.partner, r.period, r.kpi, repr(float(r.value)), str(int(r.volume)), "measured"] for r in kpis.itertuples()
    ]
    rows += [[r[c] for c in TABLE_HEADER] for r in reported]
    order = {k.id: i for i, k in enumerate(config.kpis)}
    rows.sort(key=lambda r: (r[0], order[r[2]], r[1]))
    table.write_bytes(_csv_bytes(TABLE_HEADER, rows))


def main() -> None:
    raw = ROOT / "examples" / "raw"
    reported = write_exports(raw)
    write_table(raw, ROOT / "examples" / "data" / "kpis.csv", reported)
    print(f"wrote {raw} and examples/data/kpis.csv")


if __name__ == "__main__":
    main()
