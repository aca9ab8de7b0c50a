"""Benchmarks: each figure as a ratio to its floor, measured in the same run.

Run with `make bench` (never part of the test suite); prints a Markdown table for the README.

1. `govdocs --help` against `python -c "import click"`.
2. One QBR end to end (new process) against a process that only imports WeasyPrint and
   renders the same final HTML.
3. `govdocs build` of a synthetic 100-partner portfolio with --jobs 1 and --jobs 2 against
   the sum of the floor's render times of the same final HTML (divided by the jobs), plus
   the peak memory of each render worker.
4. Loading, validating and scoring 1,000 partners x 20 KPIs x 36 months against pandas
   reading the same file alone.
5. The incremental build: the 100-partner portfolio built again after one partner's inputs
   changed (only what changed is rendered) against a build of that partner's documents alone
   into an empty folder. `python benchmarks/run.py incremental` runs this one only.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synth import make_portfolio  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GOVDOCS = str(Path(sys.executable).parent / "govdocs")  # the console script, as users run it
EXAMPLE = [
    "--config",
    str(ROOT / "examples/governance.yaml"),
    "--data",
    str(ROOT / "examples/data/kpis.csv"),
    "--inputs",
    str(ROOT / "examples/inputs"),
    "--quarter",
    "2026-Q3",
    "--as-of",
    "2026-10-15",
]
TARGETS = {"help": 1.5, "qbr": 1.5, "build": 1.25, "speedup": 1.7, "scoring": 3.0, "worker_mb": 500, "huge_mb": 2048}
TARGETS["incremental"] = 1.5

# The floor: WeasyPrint alone, rendering final HTML files; prints each render's seconds.
FLOOR = """
import json, sys, time
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
base, files = sys.argv[1], sys.argv[2:]
times = []
for name in files:
    html = open(name, encoding="utf-8").read()
    start = time.perf_counter()
    HTML(string=html, base_url=base).write_pdf(font_config=FontConfiguration())
    times.append(time.perf_counter() - start)
print(json.dumps(times))
"""


def timed(command: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def templates_uri() -> str:
    out = subprocess.run(
        [PYTHON, "-c", "from govdocs.render.environment import builtin_templates_dir as d; print(d().as_uri())"],
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip() + "/"


def floor_render(files: list[Path]) -> list[float]:
    out = subprocess.run(
        [PYTHON, "-c", FLOOR, templates_uri(), *map(str, files)], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout)


class WorkerMemory:
    """Peak RSS (VmHWM) of every process below a command, sampled from /proc (Linux)."""

    def __init__(self) -> None:
        self.peaks: dict[int, tuple[str, int]] = {}
        self.parents: dict[int, int] = {}
        self.stop = threading.Event()

    def watch(self, root: int) -> None:
        while not self.stop.is_set():
            for pid, parent in self._descendants(root):
                self.parents[pid] = parent
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                    cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:80]
                except OSError:
                    continue
                for line in status.splitlines():
                    if line.startswith("VmHWM:"):
                        kb = int(line.split()[1])
                        self.peaks[pid] = (cmd, max(kb, self.peaks.get(pid, ("", 0))[1]))
            time.sleep(0.2)

    @staticmethod
    def _descendants(root: int) -> list[tuple[int, int]]:
        children: dict[int, list[int]] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    ppid = int(Path(entry, "stat").read_text().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
                children.setdefault(ppid, []).append(int(entry.name))
        found, queue = [], [(root, 0)]
        while queue:
            pid, parent = queue.pop()
            found.append((pid, parent))
            queue.extend((child, pid) for child in children.get(pid, []))
        return found


def run_build(args: list[str]) -> tuple[float, WorkerMemory]:
    memory = WorkerMemory()
    start = time.perf_counter()
    process = subprocess.Popen([GOVDOCS, "build", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    watcher = threading.Thread(target=memory.watch, args=(process.pid,), daemon=True)
    watcher.start()
    out, err = process.communicate()
    elapsed = time.perf_counter() - start
    memory.stop.set()
    watcher.join()
    if process.returncode != 0:
        raise SystemExit(f"build failed ({process.returncode}): {err.decode()[-500:]}")
    return elapsed, memory


CHANGED = "P0007"  # the partner whose inputs change between the two builds


def incremental(tmp: Path) -> tuple[str, float, str, float, str]:
    """After one partner's inputs change, the portfolio's rebuild against that partner alone."""
    portfolio = make_portfolio(tmp / "incremental", partners=100, kpis=8, months=18)
    inputs = portfolio / "inputs"
    inputs.mkdir()
    args = ["--config", str(portfolio / "governance.yaml"), "--data", str(portfolio / "kpis.csv")]
    args += ["--inputs", str(inputs), "--quarter", "2026-Q3", "--as-of", "2026-10-15", "--audience", "partner"]
    args += sys.argv[2:]  # e.g. --format html for a quick look
    full = [GOVDOCS, "build", *args, "--out", str(tmp / "incremental-out")]
    start = time.perf_counter()
    subprocess.run(full, check=True, capture_output=True)
    first = time.perf_counter() - start
    (inputs / f"{CHANGED}.yaml").write_text(
        f"partner: {CHANGED}\nquarter: 2026-Q3\ncommentary:\n  highlights: [Quality held through the peak.]\n",
        encoding="utf-8",
    )
    start = time.perf_counter()
    rebuilt = subprocess.run([*full, "--json"], check=True, capture_output=True, text=True)
    again = time.perf_counter() - start
    report = json.loads(rebuilt.stdout)
    rendered = [d for d in report["documents"] if not d["kept"]]
    alone = [GOVDOCS, "build", *args, "--partner", CHANGED, "--out", str(tmp / "incremental-alone")]
    start = time.perf_counter()
    subprocess.run(alone, check=True, capture_output=True)
    floor = time.perf_counter() - start
    total = len(report["documents"])
    print(
        f"incremental build: first build {first:.1f} s ({total} documents); after {CHANGED}'s inputs changed "
        f"{again:.1f} s, {len(rendered)} rendered ({', '.join(Path(d['path']).name for d in rendered)}), "
        f"{total - len(rendered)} kept",
        file=sys.stderr,
    )
    return (
        f"`govdocs build` again, 100 partners, one partner's inputs changed ({len(rendered)} of {total} rendered)",
        again,
        f"`govdocs build --partner {CHANGED}` into an empty folder",
        floor,
        f"≤ {TARGETS['incremental']}×",
    )


def main() -> None:
    rows: list[tuple[str, float, str, float, str]] = []
    if sys.argv[1:2] == ["incremental"]:
        with tempfile.TemporaryDirectory() as tmp_name:
            rows.append(incremental(Path(tmp_name)))
        print("| measure | seconds | floor | seconds | ratio | target |")
        print("| --- | ---: | --- | ---: | ---: | --- |")
        for name, value, floor_name, floor, target in rows:
            print(f"| {name} | {value:.2f} | {floor_name} | {floor:.2f} | {value / floor:.2f}× | {target} |")
        return

    # 1. start-up
    click_floor = timed([PYTHON, "-c", "import click"], 9)
    help_time = timed([GOVDOCS, "--help"], 9)
    rows.append(("`govdocs --help`", help_time, "`python -c 'import click'`", click_floor, f"≤ {TARGETS['help']}×"))

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        # 2. one QBR, new process, against WeasyPrint alone on the same final HTML
        one = [*EXAMPLE, "--partner", "BRV", "--out", str(tmp / "one"), "--force"]
        subprocess.run([GOVDOCS, "qbr", *one, "--format", "html"], check=True, capture_output=True)
        html = tmp / "one" / "2026-Q3" / "qbr-BRV-partner.html"
        qbr_time = timed([GOVDOCS, "qbr", *one], 5)
        floor_one = timed([PYTHON, "-c", FLOOR, templates_uri(), str(html)], 5)
        rows.append(
            ("one QBR, new process", qbr_time, "import WeasyPrint + render its HTML", floor_one, f"≤ {TARGETS['qbr']}×")
        )

        # 3. a 100-partner build
        portfolio = make_portfolio(tmp / "portfolio", partners=100, kpis=8, months=18)
        build_args = [
            "--config",
            str(portfolio / "governance.yaml"),
            "--data",
            str(portfolio / "kpis.csv"),
            "--quarter",
            "2026-Q3",
            "--as-of",
            "2026-10-15",
            "--audience",
            "partner",
            "--force",
        ]
        subprocess.run(
            [GOVDOCS, "build", *build_args, "--format", "html", "--out", str(tmp / "html")],
            check=True,
            capture_output=True,
        )
        pages = sorted((tmp / "html" / "2026-Q3").glob("*.html"))
        render_sum = sum(floor_render(pages))
        builds = {}
        for jobs in (1, 2):
            elapsed, memory = run_build([*build_args, "--jobs", str(jobs), "--out", str(tmp / f"pdf{jobs}")])
            builds[jobs] = (elapsed, memory)
            rows.append(
                (
                    f"`govdocs build`, 100 partners ({len(pages)} documents), --jobs {jobs}",
                    elapsed,
                    f"sum of WeasyPrint-only renders ÷ {jobs}",
                    render_sum / jobs,
                    f"≤ {TARGETS['build']}×",
                )
            )
        speedup = builds[1][0] / builds[2][0]
        peaks = builds[2][1].peaks
        servers = {pid for pid, (cmd, _) in peaks.items() if "forkserver" in cmd}
        # Render workers are forked by the fork server: same command line, a server as parent.
        workers = [
            kb / 1024
            for pid, (cmd, kb) in peaks.items()
            if pid in builds[2][1].parents and builds[2][1].parents[pid] in servers
        ]
        coordinator = max(
            (kb / 1024 for cmd, kb in peaks.values() if "govdocs" in cmd and "forkserver" not in cmd), default=0.0
        )

        # 4. load, validate and score at scale, against pandas reading the file; then ten times the rows
        scale_script = str(Path(__file__).with_name("scale.py"))
        big = make_portfolio(tmp / "big", partners=1000, kpis=20, months=36)
        figures = json.loads(
            subprocess.run([PYTHON, scale_script, str(big)], check=True, capture_output=True, text=True).stdout
        )
        rows.append(
            (
                f"load + validate + score, 1,000 × 20 × 36 ({figures['rows']:,} rows)",
                figures["govdocs"],
                "`pandas.read_csv` of the same file",
                figures["pandas"],
                f"≤ {TARGETS['scoring']}×",
            )
        )
        rows.append(
            (
                "the same, the KPI table's part (config loaded)",
                figures["table"],
                "`pandas.read_csv` of the same file",
                figures["pandas"],
                f"≤ {TARGETS['scoring']}×",
            )
        )
        huge = make_portfolio(tmp / "huge", partners=10_000, kpis=20, months=36)
        tenfold = json.loads(
            subprocess.run([PYTHON, scale_script, str(huge)], check=True, capture_output=True, text=True).stdout
        )
        rows.append(incremental(tmp))

    print("| measure | seconds | floor | seconds | ratio | target |")
    print("| --- | ---: | --- | ---: | ---: | --- |")
    for name, value, floor_name, floor, target in rows:
        print(f"| {name} | {value:.2f} | {floor_name} | {floor:.2f} | {value / floor:.2f}× | {target} |")
    print()
    print(f"2-job speed-up of the build: {speedup:.2f}× (target ≥ {TARGETS['speedup']}×)")
    if workers:
        print(
            f"peak memory per render worker: {max(workers):.0f} MB (target ≤ {TARGETS['worker_mb']} MB); "
            f"coordinating process: {coordinator:.0f} MB"
        )
    for name, run in (("720,000 rows", figures), (f"{tenfold['rows']:,} rows", tenfold)):
        print(
            f"{name}: config {run['config']:.2f} s, KPI file {run['data']:.2f} s, validate {run['validate']:.2f} s, "
            f"score {run['score']:.2f} s; total {run['govdocs']:.2f} s against read_csv {run['pandas']:.2f} s; "
            f"peak memory {run['peak_mb']:,.0f} MB"
        )
    print(f"{tenfold['rows']:,} rows in {tenfold['peak_mb']:,.0f} MB (target ≤ {TARGETS['huge_mb']:,} MB)")
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
