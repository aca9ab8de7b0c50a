"""How each platform's export reads at size: the same customer contacts written as every preset
reads them (Amazon Connect contact records as Firehose writes them, Genesys Cloud conversations,
a NICE CXone Call Detail download, Salesforce VoiceCall records, Zendesk Talk calls, a Five9 Call
Log report, a Talkdesk calls report, Twilio TaskRouter events), each read through its `format:` in a child
process of its
own, with its time and peak RSS, against DuckDB's memory_limit (1 GB by default). DuckDB engine,
or with --engine spark (or both) the same definitions on a local Spark session: the session is
started before the clock starts (its start is printed apart), and the CPU time counts the
driver's and the JVM's; with both, the two KPI tables are compared.

    python benchmarks/platform_bench.py --contacts 1000000            # every preset
    python benchmarks/platform_bench.py --contacts 1000000 --preset five9 --data /tmp/bench
    python benchmarks/platform_bench.py --contacts 100000 --engine both --spark-master 'local[2]'

The exports are written first (two presets at a time, in processes of their own; with --data
kept there and reused), then each is read alone. Peak memory is the reading process's own
high-water mark (VmHWM): getrusage's ru_maxrss would carry over the writer's across fork.

The records are the tests' (tests/platform_records.py): a tenth never queued, a few abandoned,
some transferred (two legs), 3% delivered twice; JSON files as JSON lines and CSV files as CSV,
both gzip, in six files.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import json
import multiprocessing
import os
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

from tests.platform_records import (  # noqa: E402
    CXONE_HEADER,
    FIVE9_HEADER,
    ZENDESK_PARTNERS,
    Contact,
    Leg,
    connect_records,
    cxone_rows,
    five9_rows,
    genesys_conversation,
    genesys_queues,
    salesforce_records,
    talkdesk_entries,
    twilio_events,
    zendesk_calls,
)

QUEUES = ("Atlas Lisbon", "Bravo Manila")
ZONE = "Europe/Lisbon"
BY_QUEUE = {"Atlas Lisbon": "ATL", "Bravo Manila": "BRV"}

# preset -> (its files' pattern, its contacts as records or CSV rows, CSV header or None for JSON lines)
WRITERS = {
    "amazon-connect": ("ctr-*.jsonl.gz", connect_records, None),
    "genesys-cloud": ("details-*.jsonl.gz", lambda cs: [genesys_conversation(c) for c in cs], None),
    "nice-cxone": ("call-detail-*.csv.gz", lambda cs: cxone_rows(cs, ZONE, int(cs[0].id[1:])), CXONE_HEADER),
    "salesforce-voice": ("voicecall-*.jsonl.gz", salesforce_records, None),
    "zendesk-talk": ("calls-*.jsonl.gz", zendesk_calls, None),
    "five9": ("call-log-*.csv.gz", lambda cs: five9_rows(cs, ZONE, int(cs[0].id[1:])), FIVE9_HEADER),
    "talkdesk": ("talkdesk-calls-*.jsonl.gz", talkdesk_entries, None),
    "twilio-flex": ("taskrouter-events-*.jsonl.gz", twilio_events, None),
}


def generate(contacts: int, folder: Path, preset: str = "amazon-connect", files: int = 6, seed: int = 11) -> int:
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
        pattern, write, header = WRITERS[preset]
        rows = write(made)
        records += len(rows)
        name = pattern.replace("*", f"{f:02d}")
        with gzip.open(folder / name, "wt", encoding="utf-8", compresslevel=1, newline="") as out:
            if header is None:
                for r in rows:
                    out.write(json.dumps(r, separators=(",", ":")) + "\n")
            else:
                lines = csv.writer(out)
                lines.writerow(header)
                lines.writerows(rows)
    if preset == "genesys-cloud":  # the queues export that names the queue ids
        (folder / "queues.json").write_text(json.dumps(genesys_queues(list(QUEUES))), encoding="utf-8")
    return records


def child(folder: Path, preset: str, engine_name: str = "duckdb", master: str = "local[*]") -> None:
    from govdocs.raw import engine
    from govdocs.raw.model import RawData

    source = {
        "files": WRITERS[preset][0],
        "format": preset,
        "timezone": ZONE,
        "partner_values": ZENDESK_PARTNERS if preset == "zendesk-talk" else BY_QUEUE,
    }
    if preset == "genesys-cloud":
        source["queues"] = "queues.json"
    raw = RawData.model_validate(
        {
            "sources": {"interactions": source},
            "kpis": [
                {"kpi": "service_level", "measure": "service_level", "answered_within_seconds": 20},
                {"kpi": "asa", "measure": "asa"},
                {"kpi": "aht", "measure": "aht"},
                {"kpi": "abandonment", "measure": "abandon_rate"},
                {"kpi": "fcr", "measure": "fcr_proxy", "within_days": 7},
            ],
        }
    )
    started, jvm = 0.0, None
    if engine_name == "spark":
        from govdocs.raw import spark

        began = time.perf_counter()
        session = spark.start_session(master)  # aggregate's own start finds it running
        started = time.perf_counter() - began
        jvm = session.sparkContext._gateway.proc.pid
    cpu = _cpu_seconds(jvm)
    began = time.perf_counter()
    aggregation = engine.aggregate(
        raw, base=folder, partner_ids=["ATL", "BRV"], engine=engine_name, spark_master=master
    )
    seconds = time.perf_counter() - began
    cpu = _cpu_seconds(jvm) - cpu
    (source,) = aggregation.quality.sources
    peak = _high_water_mib()
    table = sorted((r.partner, r.period, r.kpi, f"{r.value:.9g}") for r in aggregation.kpis.itertuples())
    print(
        json.dumps(
            {"seconds": seconds, "cpu_seconds": cpu, "start_seconds": started, "peak_rss_mib": peak,
             "records": source.records, "contacts": source.read, "kpi_rows": len(aggregation.kpis),
             "kpis": hashlib.sha256(json.dumps(table).encode()).hexdigest()}
        )
    )  # fmt: skip


def _cpu_seconds(jvm: int | None) -> float:
    """CPU seconds (user + system) of this process, and of the Spark JVM it started (by its pid)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    total = own.ru_utime + own.ru_stime
    if jvm is not None:
        fields = Path(f"/proc/{jvm}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _high_water_mib() -> float:
    """This process's peak resident memory (Linux VmHWM), MiB; else getrusage's."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _write(job: tuple[int, str, str]) -> tuple[str, int, float, float]:
    """Write one preset's export into its folder (unless already there): records, MB, seconds."""
    contacts, preset, folder = job
    where = Path(folder)
    done = where / "records.txt"
    began = time.perf_counter()
    if not done.exists():
        where.mkdir(parents=True, exist_ok=True)
        done.write_text(str(generate(contacts, where, preset)))
    size = sum(p.stat().st_size for p in where.iterdir()) / 1e6
    return preset, int(done.read_text()), size, time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--preset", choices=sorted(WRITERS), action="append", help="repeat; default: every preset")
    parser.add_argument("--child", type=Path)
    parser.add_argument("--data", type=Path, help="keep the written exports here, and reuse them")
    parser.add_argument("--engine", choices=("duckdb", "spark", "both"), default="duckdb")
    parser.add_argument("--spark-master", default="local[*]")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.preset[0], args.engine, args.spark_master)
        return
    presets = args.preset or list(WRITERS)
    with tempfile.TemporaryDirectory(prefix="govdocs-platform-bench-") as tmp:
        base = args.data or Path(tmp)
        jobs = [(args.contacts, p, str(base / f"{p}-{args.contacts}")) for p in presets]
        with multiprocessing.get_context("spawn").Pool(2) as pool:
            written = {preset: (records, size, made) for preset, records, size, made in pool.map(_write, jobs)}
        engines = ("duckdb", "spark") if args.engine == "both" else (args.engine,)
        for _, preset, folder in jobs:
            records, size, made = written[preset]
            tables = set()
            for engine_name in engines:
                command = [sys.executable, __file__, "--child", folder, "--preset", preset, "--engine", engine_name]
                command += ["--spark-master", args.spark_master]
                out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
                r = json.loads(out.strip().splitlines()[-1])
                tables.add(r["kpis"])
                start = f", Spark started in {r['start_seconds']:.1f} s before" if engine_name == "spark" else ""
                print(
                    f"{preset} [{engine_name}]: {r['seconds']:.1f} s, CPU {r['cpu_seconds']:.1f} s, "
                    f"peak RSS {r['peak_rss_mib']:.0f} MiB{start} "
                    f"({args.contacts:,} contacts written as {records:,} records, {size:.0f} MB gzip in {made:.0f} s; "
                    f"read as {r['records']:,} records -> {r['contacts']:,} contacts -> {r['kpi_rows']} KPI rows)",
                    flush=True,
                )
            if len(engines) > 1:
                print(f"{preset}: the KPI tables {'agree' if len(tables) == 1 else 'DIFFER'}", flush=True)


if __name__ == "__main__":
    main()
