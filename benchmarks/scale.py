"""Measure 4, in its own process: load + validate + score a large portfolio vs pandas.read_csv.

python benchmarks/scale.py PORTFOLIO_DIR   (made by synth.py) -> JSON on stdout

The floor (pandas reading the same file) runs in a child process, so the peak memory reported
is govdocs' own: config, table, scored arrays and every partner's assessment.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

FLOOR = """
import sys, time
import pandas as pd
pd.read_csv(sys.argv[1], nrows=10)  # the libraries pandas loads on first use are not the floor
start = time.perf_counter()
rows = len(pd.read_csv(sys.argv[1]))
print(rows, time.perf_counter() - start)
"""


def main() -> None:
    folder = Path(sys.argv[1])
    child = subprocess.run([sys.executable, "-c", FLOOR, str(folder / "kpis.csv")], check=True, capture_output=True)
    rows, floor = child.stdout.split()
    from datetime import date

    from govdocs.config.loader import load_config
    from govdocs.data.loader import load_kpi_data
    from govdocs.facts import assess_portfolio
    from govdocs.periods import Quarter
    from govdocs.validate import cross_check

    data_path = folder / "kpis.csv"
    start = time.perf_counter()
    config = load_config(folder / "governance.yaml")
    configured = time.perf_counter()
    data = load_kpi_data([data_path], [k.id for k in config.kpis])
    read = time.perf_counter()
    errors = [p for p in cross_check(config, data, [data_path]) if p.severity == "error"]
    assert not errors, errors[:3]
    checked = time.perf_counter()
    assess_portfolio(config, data, Quarter(2026, 3), date(2026, 10, 15))
    scored = time.perf_counter()
    print(
        json.dumps(
            {
                "rows": int(rows),
                "pandas": float(floor),
                "config": configured - start,
                "data": read - configured,
                "validate": checked - read,
                "score": scored - checked,
                "table": scored - configured,  # the KPI table's part: read, checked, scored
                "govdocs": scored - start,
                "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )


if __name__ == "__main__":
    main()
