"""Benchmark: raw contact records -> monthly KPIs, govdocs' DuckDB engine against two baselines.

    python benchmarks/raw_bench.py --rows 10000000 [--folder /tmp/govdocs-raw-bench] [--format parquet|csv]

1. Generates realistic synthetic contact records (once; reused when present): partners of
   different sizes, three channels, a diurnal arrival pattern, answered and abandoned contacts
   (some short abandons), waits, talk/hold/wrap times, transfers, customers who call back, and a
   sprinkling of bad rows (duplicates, unknown partners, answers before arrival, negative times).
2. Measures, each in its own process (so each peak RSS is its own), in the same run:
   - govdocs: `govdocs.raw.engine.aggregate` (KPIs + the data-quality report);
   - hand-written DuckDB: one query of the same KPIs with the same rules, as an expert would write it;
   - pandas: a straightforward read_parquet/read_csv + boolean masks + groupby.
   All three must give the same KPI table. Targets: govdocs <= 1.3x the hand-written query,
   >= 5x faster than pandas, peak memory <= 2 GB.

    python benchmarks/raw_bench.py --many-files 10000 [--folder /tmp/govdocs-raw-bench]

    python benchmarks/raw_bench.py --drill --rows 10000000 [--folder /tmp/govdocs-raw-bench]

The drill-down (where a gap is) against the KPIs alone: the same records, with a queue and the
answering agent on each contact and a roster of the agents (hire date, team, site), read by
`govdocs.raw.engine.aggregate` with the drill-down rows (hour band, weekday, queue, channel, site,
team, tenure) and without them, each in its own process. Both must give the same KPI table.
Target: with the drill-down within 1.5x of the KPIs alone.

Many small files against one: the same N contact records written as N one-row CSV files (each
with its header, as a per-contact export drops them) and as one CSV file, each read by govdocs'
DuckDB engine in its own process. Both must give the same KPI table. Target: the N files within
2x the one file's time and within the 1 GB memory limit.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

PARTNERS = {"ATL": 0.30, "BRV": 0.20, "CRN": 0.20, "DLT": 0.15, "ECH": 0.10, "FOX": 0.05}
CHANNELS = np.array(["voice", "chat", "email"])
MONTHS = 6  # January - June 2026
ZONE = "Europe/Amsterdam"
KPIS = [
    {"kpi": "offered", "measure": "offered", "short_abandon_seconds": 5},
    {"kpi": "abandonment", "measure": "abandon_rate", "short_abandon_seconds": 5},
    {"kpi": "service_level", "measure": "service_level", "answered_within_seconds": 20, "short_abandon_seconds": 5},
    {"kpi": "asa", "measure": "asa"},
    {"kpi": "aht", "measure": "aht"},
    {"kpi": "transfer_rate", "measure": "transfer_rate"},
    {"kpi": "repeat_rate", "measure": "repeat_contact_rate", "within_days": 7},
]
COLUMNS = {
    "contact_id": "InteractionId",
    "partner": "Site",
    "channel": "MediaType",
    "customer_id": "CustomerKey",
    "arrived_at": "QueueStart",
    "answered_at": "AnswerTime",
    "ended_at": "EndTime",
    "talk_seconds": "TalkTime",
    "hold_seconds": "HoldTime",
    "acw_seconds": "WrapTime",
    "transfers": "Transfers",
}
KNOWN = ["ATL", "BRV", "CRN", "DLT", "ECH"]  # FOX is not in the config: its rows are rejected


# --- the generator ---------------------------------------------------------------------------------


QUEUES = np.array(["Billing", "Outages", "Sales", "General"])
AGENTS_PER_PARTNER = 400
DRILL_COLUMNS = {**COLUMNS, "programme": "Queue", "agent_id": "AgentId"}


def generate(rows: int, folder: Path, fmt: str, seed: int = 7, drill: bool = False) -> list[Path]:
    """The monthly files; `drill`: each contact also names its queue and answering agent, and
    roster.csv lists the agents (drawn after every other column: the rest is the same data)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    per_month = rows // MONTHS
    customer_base = max(1000, rows // 3)
    next_id = 0
    for m in range(MONTHS):
        n = per_month if m < MONTHS - 1 else rows - per_month * (MONTHS - 1)
        start = np.datetime64(f"2026-{m + 1:02d}-01T00:00:00", "s")
        days = (
            np.datetime64(f"2026-{m + 2:02d}-01" if m < 11 else "2027-01-01") - np.datetime64(f"2026-{m + 1:02d}-01")
        ).astype(int)
        # diurnal: a morning and an afternoon peak, nothing between 01:00 and 06:00 (no DST gap)
        peak = rng.random(n) < 0.55
        hour = np.where(peak, rng.normal(10.5, 1.6, n), rng.normal(15.0, 2.2, n)).clip(6.0, 23.99)
        offset = rng.integers(0, days, n) * 86400 + (hour * 3600).astype(np.int64)
        offset.sort()  # an export is in arrival order
        arrived = start + offset.astype("timedelta64[s]")
        partner = rng.choice(list(PARTNERS), n, p=list(PARTNERS.values()))
        channel = CHANNELS[rng.choice(3, n, p=[0.6, 0.25, 0.15])]
        abandoned = rng.random(n) < 0.06
        short = abandoned & (rng.random(n) < 0.15)
        fast = rng.random(n) < 0.8
        wait = np.where(fast, rng.uniform(0, 20, n), 20 + rng.exponential(60, n)).astype(np.int64)
        wait = np.where(short, rng.integers(0, 5, n), wait)
        talk = np.maximum(20, rng.gamma(4, 80, n)).astype(np.int64)
        hold = np.where(rng.random(n) < 0.5, rng.exponential(30, n), 0).astype(np.int64)
        wrap = np.maximum(3, rng.normal(45, 15, n)).astype(np.int64)
        transfers = (rng.random(n) < 0.08).astype(np.int64) + (rng.random(n) < 0.01)
        # customers: new ones, or one who contacted shortly before (the rows are in arrival order)
        customer = rng.integers(0, customer_base, n)
        back = rng.random(n) < 0.25
        earlier = np.maximum(0, np.arange(n) - rng.integers(1, max(2, n // (days * 2)), n))
        customer = np.where(back, customer[earlier], customer)
        has_customer = rng.random(n) > 0.03
        answered = np.where(abandoned, np.datetime64("NaT"), arrived + wait.astype("timedelta64[s]"))
        ended = np.where(
            abandoned,
            arrived + wait.astype("timedelta64[s]"),
            answered + (talk + hold + wrap).astype("timedelta64[s]"),
        )
        ids = np.char.add("IX", (np.arange(n) + next_id).astype(str))
        next_id += n
        # dirt: re-exported contacts, answers before arrival, negative hold
        dup = rng.random(n) < 0.0005
        ids = np.where(dup, ids[np.maximum(0, np.arange(n) - 1)], ids)
        early = (rng.random(n) < 0.0002) & ~abandoned
        answered = np.where(early, arrived - np.timedelta64(30, "s"), answered)
        hold = np.where(rng.random(n) < 0.0001, -5, hold)
        table = pa.table(
            {
                "InteractionId": ids,
                "Site": partner,
                "MediaType": channel,
                "CustomerKey": pa.array(np.char.add("K", customer.astype(str)), mask=~has_customer),
                "QueueStart": arrived.astype("datetime64[us]"),
                "AnswerTime": pa.array(answered.astype("datetime64[us]"), mask=abandoned),
                "EndTime": ended.astype("datetime64[us]"),
                "TalkTime": pa.array(talk, mask=abandoned),
                "HoldTime": pa.array(hold, mask=abandoned),
                "WrapTime": pa.array(wrap, mask=abandoned),
                "Transfers": pa.array(transfers, mask=abandoned),
            }
        )
        if drill:
            queue = QUEUES[rng.choice(len(QUEUES), n, p=[0.35, 0.2, 0.25, 0.2])]
            agent = np.char.add(np.char.add(partner, "-"), rng.integers(0, AGENTS_PER_PARTNER, n).astype(str))
            table = table.append_column("Queue", pa.array(queue))
            table = table.append_column("AgentId", pa.array(agent, mask=abandoned))
        if fmt == "parquet":
            path = folder / f"contacts_2026{m + 1:02d}.parquet"
            pq.write_table(table, path, row_group_size=1 << 20)
        else:
            path = folder / f"contacts_2026{m + 1:02d}.csv.gz"
            with pa.CompressedOutputStream(str(path), "gzip") as out:
                pacsv.write_csv(table, out, pacsv.WriteOptions(quoting_style="needed"))
        paths.append(path)
    if drill:
        lines = ["AgentId,Vendor,HiredOn,Team,Site"]
        for partner in PARTNERS:
            for a in range(AGENTS_PER_PARTNER):
                hired = np.datetime64("2024-01-01") + int(rng.integers(0, 900))
                lines.append(f"{partner}-{a},{partner},{hired},{partner}-T{a % 20},{partner}-S{a % 2}")
        (folder / "roster.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return paths


# --- the three contenders ------------------------------------------------------------------------


def run_govdocs(folder: Path, fmt: str, engine_name: str = "duckdb"):
    from govdocs.raw import engine
    from govdocs.raw.model import RawData

    files = "contacts_*.parquet" if fmt == "parquet" else "contacts_*.csv.gz"
    raw = RawData.model_validate(
        {
            "sources": {"interactions": {"files": files, "timezone": ZONE, "columns": COLUMNS}},
            "kpis": KPIS,
            "memory_limit": "1GB",
        }
    )
    agg = engine.aggregate(raw, base=folder, partner_ids=KNOWN, engine=engine_name)
    return agg.kpis[["partner", "period", "kpi", "value", "volume"]], {"rejected": agg.quality.rejected}


def _drill_raw(fmt: str):
    from govdocs.raw.model import RawData

    files = "contacts_*.parquet" if fmt == "parquet" else "contacts_*.csv.gz"
    roster = {"agent_id": "AgentId", "partner": "Vendor", "hired_on": "HiredOn", "team": "Team", "site": "Site"}
    return RawData.model_validate(
        {
            "sources": {
                "interactions": {"files": files, "timezone": ZONE, "columns": DRILL_COLUMNS},
                "roster": {"files": "roster.csv", "columns": roster},
            },
            "kpis": KPIS,
            "memory_limit": "1GB",
        }
    )


def run_kpis_alone(folder: Path, fmt: str):
    """`aggregate` without the drill-down rows (what `govdocs aggregate` runs)."""
    from govdocs.raw import engine

    agg = engine.aggregate(_drill_raw(fmt), base=folder, partner_ids=KNOWN, drill_down=False)
    return agg.kpis[["partner", "period", "kpi", "value", "volume"]], {"drill_rows": 0}


def run_kpis_drill(folder: Path, fmt: str):
    """`aggregate` with the drill-down rows (what `govdocs build --raw` runs)."""
    from govdocs.raw import engine

    agg = engine.aggregate(_drill_raw(fmt), base=folder, partner_ids=KNOWN)
    assert agg.drill is not None and set(agg.drill["dimension"]) >= {"queue", "team", "site", "tenure"}
    return agg.kpis[["partner", "period", "kpi", "value", "volume"]], {"drill_rows": len(agg.drill)}


DRILL_CONTENDERS = {"kpis_alone": run_kpis_alone, "kpis_drill": run_kpis_drill}


def drill(rows: int, folder: Path, fmt: str) -> None:
    data = folder / f"drill-{fmt}-{rows}"
    if not data.exists():
        start = time.perf_counter()
        generate(rows, data, fmt, drill=True)
        print(f"generated {rows:,} rows in {time.perf_counter() - start:.1f} s -> {data}", file=sys.stderr)
    size = sum(p.stat().st_size for p in data.iterdir())
    results = {}
    for name in DRILL_CONTENDERS:
        command = [sys.executable, __file__, "--drill", "--rows", str(rows), "--folder", str(folder)]
        command += ["--format", fmt, "--child", name]
        done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"})
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
            raise SystemExit(f"{name} failed")
        results[name] = json.loads(done.stdout.strip().splitlines()[-1])
    _compare(folder, list(results))
    load = os.getloadavg()[0]
    print(f"{rows:,} contact records with queue and agent, {fmt}, {size / 1e6:.0f} MB on disk, {os.cpu_count()} cores,")
    print(f"  load average {load:.1f} at the end")
    for name, r in results.items():
        print(
            f"  {name:11s} {r['seconds']:7.2f} s ({r['cpu_seconds']:7.2f} s CPU)  peak RSS {r['peak_rss_mib']:7.0f} MiB"
            f"   drill-down rows {r['drill_rows']:,}"
        )
    alone, with_drill = results["kpis_alone"], results["kpis_drill"]
    print(
        f"  with the drill-down / KPIs alone = {with_drill['seconds'] / alone['seconds']:.2f}x wall, "
        f"{with_drill['cpu_seconds'] / alone['cpu_seconds']:.2f}x CPU (target <= 1.5x)"
    )


def run_spark(folder: Path, fmt: str):
    """The same definitions on Spark local[*] (the session's start included in the time)."""
    frame, extra = run_govdocs(folder, fmt, "spark")
    return frame, {**extra, "jvm_peak_mib": _jvm_peak()}


def _jvm_peak() -> float:
    """The peak resident memory (VmHWM) of this process's Java child: Spark's driver and its
    local executors, one JVM in local mode."""
    me = str(os.getpid())
    peak = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if fields[1] != me:
                continue
            for line in (stat.parent / "status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]) / 1024)
        except (OSError, IndexError, ValueError):
            continue
    return peak


# every check but the duplicate id (the same text in the duplicates' CTE and in the accepted rows')
HAND_VALID = """c.InteractionId IS NOT NULL AND c.Site IN ({known}) AND c.QueueStart IS NOT NULL
    AND (c.AnswerTime IS NOT NULL OR c.EndTime IS NOT NULL)
    AND NOT (c.AnswerTime IS NOT NULL AND c.TalkTime IS NULL)
    AND coalesce(c.AnswerTime >= c.QueueStart, true)
    AND coalesce(c.TalkTime, 0) >= 0 AND coalesce(c.HoldTime, 0) >= 0 AND coalesce(c.WrapTime, 0) >= 0
    AND coalesce(c.Transfers, 0) >= 0 AND coalesce(c.EndTime >= coalesce(c.AnswerTime, c.QueueStart), true)"""

HAND_SQL = """
WITH c AS (
  SELECT *, row_number() OVER () AS ord FROM {read}
), d AS (
  -- the same id twice at the same partner: the first valid copy counts
  SELECT Site, InteractionId, min(ord) AS first_ord FROM c WHERE {valid}
  GROUP BY Site, InteractionId HAVING count(*) > 1
), ok AS (
  SELECT c.Site AS partner, strftime(c.QueueStart, '%Y-%m') AS period, c.CustomerKey AS customer,
    epoch(c.QueueStart AT TIME ZONE '{zone}') AS arr,
    epoch(c.AnswerTime AT TIME ZONE '{zone}') AS ans,
    epoch(c.EndTime AT TIME ZONE '{zone}') AS fin,
    c.ord, c.TalkTime AS talk, coalesce(c.HoldTime, 0) AS hold, coalesce(c.WrapTime, 0) AS wrap,
    coalesce(c.Transfers, 0) AS transfers
  FROM c LEFT JOIN d ON d.Site = c.Site AND d.InteractionId = c.InteractionId
  WHERE {valid}
    AND (d.InteractionId IS NULL OR c.ord = d.first_ord)
), r AS (
  SELECT *, lead(arr) OVER (PARTITION BY customer ORDER BY arr, ord) AS next_arr, max(arr) OVER () AS data_end FROM ok
), m AS (
  SELECT partner, period,
    count(*) FILTER (WHERE ans IS NOT NULL OR fin - arr >= 5) AS offered,
    count(*) FILTER (WHERE ans IS NULL AND fin - arr >= 5) AS abandoned,
    count(*) FILTER (WHERE ans - arr <= 20) AS within,
    count(ans) AS answered,
    sum(ans - arr) AS wait,
    sum(talk + hold + wrap) FILTER (WHERE ans IS NOT NULL) AS handle,
    count(*) FILTER (WHERE ans IS NOT NULL AND transfers > 0) AS transferred,
    count(*) FILTER (WHERE ans IS NOT NULL AND customer IS NOT NULL AND arr + 604800 <= data_end) AS repeat_base,
    count(*) FILTER (WHERE ans IS NOT NULL AND customer IS NOT NULL AND arr + 604800 <= data_end
                     AND next_arr - arr <= 604800) AS repeated
  FROM r GROUP BY ALL
)
SELECT partner, period, kpi, value, volume FROM (
  SELECT partner, period, 'offered' AS kpi, offered::DOUBLE AS value, offered::DOUBLE AS volume FROM m
  UNION ALL SELECT partner, period, 'abandonment', 100.0 * abandoned / offered, offered FROM m
  UNION ALL SELECT partner, period, 'service_level', 100.0 * within / offered, offered FROM m
  UNION ALL SELECT partner, period, 'asa', wait / answered, answered FROM m
  UNION ALL SELECT partner, period, 'aht', handle / answered, answered FROM m
  UNION ALL SELECT partner, period, 'transfer_rate', 100.0 * transferred / answered, answered FROM m
  UNION ALL SELECT partner, period, 'repeat_rate', 100.0 * repeated / repeat_base, repeat_base FROM m
) WHERE volume > 0
ORDER BY partner, period, kpi
"""


def run_hand(folder: Path, fmt: str):
    import tempfile

    import duckdb

    if fmt == "parquet":
        read = f"read_parquet('{folder}/contacts_*.parquet')"
    else:
        types = "{'QueueStart': 'TIMESTAMP', 'AnswerTime': 'TIMESTAMP', 'EndTime': 'TIMESTAMP'}"
        read = f"read_csv('{folder}/contacts_*.csv.gz', types = {types})"
    with tempfile.TemporaryDirectory() as spill:
        con = duckdb.connect(config={"memory_limit": "1GB", "temp_directory": spill})
        known = ", ".join(f"'{p}'" for p in KNOWN)
        valid = HAND_VALID.format(known=known)
        frame = con.execute(HAND_SQL.format(read=read, zone=ZONE, valid=valid)).df()
        con.close()
    return frame, {}


def run_pandas(folder: Path, fmt: str):
    import pandas as pd

    if fmt == "parquet":
        df = pd.concat(pd.read_parquet(p) for p in sorted(folder.glob("contacts_*.parquet")))
    else:
        dates = ["QueueStart", "AnswerTime", "EndTime"]
        df = pd.concat(pd.read_csv(p, parse_dates=dates) for p in sorted(folder.glob("contacts_*.csv.gz")))
    df = df.reset_index(drop=True)
    df["period"] = df["QueueStart"].dt.strftime("%Y-%m")  # local times: the local month
    # durations between instants (a week across the March clock change is 167 local hours)
    for column in ("QueueStart", "AnswerTime", "EndTime"):
        df[column] = df[column].dt.tz_localize(ZONE)
    wait = (df["AnswerTime"].fillna(df["EndTime"]) - df["QueueStart"]).dt.total_seconds()
    answered = df["AnswerTime"].notna()
    valid = (
        df["InteractionId"].notna()
        & df["Site"].isin(KNOWN)
        & df["QueueStart"].notna()
        & (answered | df["EndTime"].notna())
        & ~(answered & df["TalkTime"].isna())
        & ~(df["AnswerTime"] < df["QueueStart"])
        & ~(df[["TalkTime", "HoldTime", "WrapTime", "Transfers"]].fillna(0) < 0).any(axis=1)
        & ~(df["EndTime"] < df["AnswerTime"].fillna(df["QueueStart"]))
    )
    # the same id twice at the same partner: the first valid copy (in file order) counts; the exact
    # rule only for the few rows whose id appears more than once
    again = valid & df["InteractionId"].duplicated(keep=False)
    valid[again] = ~df.loc[again, ["Site", "InteractionId"]].duplicated(keep="first").to_numpy()
    df = df[valid].assign(wait=wait[valid], answered=answered[valid])
    df["offered"] = df["answered"] | (df["wait"] >= 5)
    df["abandoned"] = ~df["answered"] & (df["wait"] >= 5)
    df["within"] = df["answered"] & (df["wait"] <= 20)
    df["handle"] = df["TalkTime"] + df["HoldTime"].fillna(0) + df["WrapTime"].fillna(0)
    df["transferred"] = df["answered"] & (df["Transfers"].fillna(0) > 0)
    df = df.sort_values(["CustomerKey", "QueueStart"], kind="stable")
    df["next"] = df.groupby("CustomerKey")["QueueStart"].shift(-1)
    week = pd.Timedelta(days=7)
    base = df["answered"] & df["CustomerKey"].notna() & (df["QueueStart"] + week <= df["QueueStart"].max())
    df["repeat_base"] = base
    df["repeated"] = base & ((df["next"] - df["QueueStart"]) <= week)
    df["answered_wait"] = df["wait"].where(df["answered"])
    g = df.groupby(["Site", "period"]).agg(
        offered=("offered", "sum"),
        abandoned=("abandoned", "sum"),
        within=("within", "sum"),
        answered=("answered", "sum"),
        wait=("answered_wait", "sum"),
        handle=("handle", "sum"),
        transferred=("transferred", "sum"),
        repeat_base=("repeat_base", "sum"),
        repeated=("repeated", "sum"),
    )
    parts = {
        "offered": (g["offered"], g["offered"]),
        "abandonment": (100.0 * g["abandoned"] / g["offered"], g["offered"]),
        "service_level": (100.0 * g["within"] / g["offered"], g["offered"]),
        "asa": (g["wait"] / g["answered"], g["answered"]),
        "aht": (g["handle"] / g["answered"], g["answered"]),
        "transfer_rate": (100.0 * g["transferred"] / g["answered"], g["answered"]),
        "repeat_rate": (100.0 * g["repeated"] / g["repeat_base"], g["repeat_base"]),
    }
    frames = [
        pd.DataFrame({"kpi": kpi, "value": value.astype(float), "volume": volume.astype(float)}).reset_index()
        for kpi, (value, volume) in parts.items()
    ]
    out = pd.concat(frames).rename(columns={"Site": "partner"})
    out = out[out["volume"] > 0].sort_values(["partner", "period", "kpi"])
    return out[["partner", "period", "kpi", "value", "volume"]].reset_index(drop=True), {}


CONTENDERS = {"govdocs": run_govdocs, "govdocs_spark": run_spark, "duckdb_hand": run_hand, "pandas": run_pandas}


# --- many small files against one -----------------------------------------------------------------


def generate_many(rows: int, folder: Path) -> None:
    """`rows` contact records as one CSV file (one/contacts.csv) and as one-row CSV files
    (many/contact_000000.csv, ...), each file with the header line."""
    import gzip

    generate(rows, folder / "gz", "csv")
    text = b""
    for path in sorted((folder / "gz").glob("contacts_*.csv.gz")):
        lines = gzip.decompress(path.read_bytes()).splitlines(keepends=True)
        text += (lines[0] if not text else b"") + b"".join(lines[1:])
    header, *records = text.splitlines(keepends=True)
    (folder / "one").mkdir(parents=True, exist_ok=True)
    (folder / "one" / "contacts.csv").write_bytes(text)
    (folder / "many").mkdir(exist_ok=True)
    for i, record in enumerate(records):
        (folder / "many" / f"contact_{i:06d}.csv").write_bytes(header + record)


def run_files(folder: Path, files: str):
    from govdocs.raw import engine
    from govdocs.raw.model import RawData

    raw = RawData.model_validate(
        {
            "sources": {"interactions": {"files": files, "timezone": ZONE, "columns": COLUMNS}},
            "kpis": KPIS,
            "memory_limit": "1GB",
        }
    )
    agg = engine.aggregate(raw, base=folder, partner_ids=KNOWN)
    return agg.kpis[["partner", "period", "kpi", "value", "volume"]], {"files": len(agg.files)}


FILE_CONTENDERS = {"one_file": "one/contacts.csv", "many_files": "many/contact_*.csv"}


def many_files(rows: int, folder: Path) -> None:
    data = folder / f"many-{rows}"
    if not (data / "one" / "contacts.csv").exists():
        start = time.perf_counter()
        generate_many(rows, data)
        print(
            f"generated {rows:,} rows as 1 and {rows:,} files in {time.perf_counter() - start:.1f} s", file=sys.stderr
        )
    results = {}
    for name in FILE_CONTENDERS:
        command = [sys.executable, __file__, "--many-files", str(rows), "--folder", str(folder), "--child", name]
        done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"})
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
            raise SystemExit(f"{name} failed")
        results[name] = json.loads(done.stdout.strip().splitlines()[-1])
    _compare(folder, list(results))
    print(f"{rows:,} contact records: one CSV file against {rows:,} one-row CSV files, {os.cpu_count()} cores")
    for name, r in results.items():
        print(
            f"  {name:10s} {r['files']:6,d} files {r['seconds']:7.2f} s (CPU {r['cpu_seconds']:6.2f} s)"
            f"   peak RSS {r['peak_rss_mib']:6.0f} MiB"
        )
    ratio = results["many_files"]["seconds"] / results["one_file"]["seconds"]
    cpu = results["many_files"]["cpu_seconds"] / results["one_file"]["cpu_seconds"]
    print(f"  CPU time: many / one = {cpu:.2f}x")
    peak = results["many_files"]["peak_rss_mib"]
    print(
        f"  many / one = {ratio:.2f}x (target <= 2x); many files' peak {peak:.0f} MiB (target <= 1024 MiB, the limit)"
    )


def child(name: str, folder: Path, fmt: str, out: Path) -> None:
    import duckdb  # noqa: F401  (imports are not what is measured)
    import pandas  # noqa: F401

    import govdocs.raw.engine  # noqa: F401

    start, used = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
    if name in FILE_CONTENDERS:
        frame, extra = run_files(folder, FILE_CONTENDERS[name])
    elif name in DRILL_CONTENDERS:
        frame, extra = DRILL_CONTENDERS[name](folder, fmt)
    else:
        frame, extra = CONTENDERS[name](folder, fmt)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF)
    # CPU time of all threads (DuckDB's too): steadier than wall time on a shared machine
    extra["cpu_seconds"] = after.ru_utime - used.ru_utime + after.ru_stime - used.ru_stime
    frame.to_parquet(out / f"{name}.parquet", index=False)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB -> MiB
    print(json.dumps({"name": name, "seconds": seconds, "peak_rss_mib": peak, **extra}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--folder", type=Path, default=Path("/tmp/govdocs-raw-bench"))
    parser.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    parser.add_argument("--skip", action="append", default=[], help="a contender not to run (e.g. pandas)")
    parser.add_argument("--many-files", type=int, help="N one-row CSV files against one file of the N rows")
    parser.add_argument("--drill", action="store_true", help="the drill-down against the KPIs alone")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.drill and args.child:
        child(args.child, args.folder / f"drill-{args.format}-{args.rows}", args.format, args.folder)
        return
    if args.drill:
        drill(args.rows, args.folder, args.format)
        return
    if args.many_files and args.child:
        child(args.child, args.folder / f"many-{args.many_files}", "csv", args.folder)
        return
    if args.many_files:
        many_files(args.many_files, args.folder)
        return
    data = args.folder / f"{args.format}-{args.rows}"
    if args.child:
        child(args.child, data, args.format, args.folder)
        return
    if not data.exists():
        start = time.perf_counter()
        generate(args.rows, data, args.format)
        print(f"generated {args.rows:,} rows in {time.perf_counter() - start:.1f} s -> {data}", file=sys.stderr)
    size = sum(p.stat().st_size for p in data.iterdir())
    results = {}
    for name in CONTENDERS:
        if name in args.skip:
            continue
        command = [sys.executable, __file__, "--rows", str(args.rows), "--folder", str(args.folder)]
        command += ["--format", args.format, "--child", name]
        done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"})
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
            raise SystemExit(f"{name} failed")
        results[name] = json.loads(done.stdout.strip().splitlines()[-1])
    _compare(args.folder, list(results))
    print(f"{args.rows:,} contact records, {args.format}, {size / 1e6:.0f} MB on disk, {os.cpu_count()} cores")
    for name, r in results.items():
        jvm = f" + Spark JVM {r['jvm_peak_mib']:7.0f} MiB" if "jvm_peak_mib" in r else ""
        print(f"  {name:13s} {r['seconds']:7.2f} s   peak RSS {r['peak_rss_mib']:7.0f} MiB{jvm}")
    if "govdocs" in results and "duckdb_hand" in results:
        ratio = results["govdocs"]["seconds"] / results["duckdb_hand"]["seconds"]
        print(f"  govdocs / hand-written DuckDB = {ratio:.2f}x (target <= 1.3x)")
    if "govdocs" in results and "pandas" in results:
        speedup = results["pandas"]["seconds"] / results["govdocs"]["seconds"]
        print(f"  pandas / govdocs = {speedup:.1f}x faster (target >= 5x)")
    if "govdocs" in results:
        print(f"  govdocs peak memory {results['govdocs']['peak_rss_mib']:.0f} MiB (target <= 2048 MiB)")
        print(f"  govdocs rejected rows: {results['govdocs'].get('rejected')}")


def _compare(folder: Path, names: list[str]) -> None:
    """Every contender must give the same KPI table."""
    import pandas as pd

    frames = {n: pd.read_parquet(folder / f"{n}.parquet") for n in names}
    first = names[0]
    for name in names[1:]:
        a, b = frames[first], frames[name]
        pd.testing.assert_frame_equal(
            a.reset_index(drop=True), b.reset_index(drop=True), check_dtype=False, rtol=1e-9, obj=f"{first} vs {name}"
        )


if __name__ == "__main__":
    main()
