"""Benchmark: how long a user waits, measured against floors in the same run.

Run with `make bench` (never part of the test suite). Prints a Markdown table for the README.
Each figure is the median of several runs on this machine; ratios compare with a floor
measured in the same run so the numbers travel between machines.
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
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
# The console script, as users run it (it does not put the working directory on sys.path).
GOVDOCS = [str(Path(sys.executable).parent / "govdocs")]


def wall(command: list[str], runs: int) -> tuple[float, float]:
    """Median wall time (s) and the largest peak RSS (MB) of `command` run `runs` times."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return statistics.median(times), peak_kb / 1024


def main() -> None:
    rows = []
    click_floor, _ = wall([sys.executable, "-c", "import click"], 7)
    help_time, _ = wall([*GOVDOCS, "--help"], 7)
    rows.append(("`govdocs --help`", help_time, "`python -c 'import click'`", click_floor))

    with tempfile.TemporaryDirectory() as tmp:
        one, peak = wall([*GOVDOCS, "qbr", *EXAMPLE, "--partner", "BRV", "--out", tmp, "--force"], 3)
        html, _ = wall([*GOVDOCS, "qbr", *EXAMPLE, "--partner", "BRV", "--out", tmp, "--force", "--format", "html"], 3)
        rows.append(("one QBR, PDF, new process", one, "same command, HTML only", html))
        five, _ = wall([*GOVDOCS, "qbr", *EXAMPLE, "--all", "--out", tmp, "--force"], 3)
        rows.append(("five QBRs, PDF, one process", five, "one QBR, PDF", one))

    print("| measure | seconds | floor | seconds | ratio |")
    print("| --- | ---: | --- | ---: | ---: |")
    for name, value, floor_name, floor in rows:
        print(f"| {name} | {value:.2f} | {floor_name} | {floor:.2f} | {value / floor:.2f}× |")
    print(f"\npeak memory of a QBR process: {peak:.0f} MB; Python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
