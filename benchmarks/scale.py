"""Measure 4, in its own process: load + validate + score a large portfolio vs pandas.read_csv.

python benchmarks/scale.py PORTFOLIO_DIR   (made by synth.py) -> JSON on stdout
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def main() -> None:
    folder = Path(sys.argv[1])
    from datetime import date

    import pandas as pd

    from govdocs.facts import assess_portfolio
    from govdocs.periods import Quarter
    from govdocs.pipeline import load_workspace

    start = time.perf_counter()
    rows = len(pd.read_csv(folder / "kpis.csv"))
    floor = time.perf_counter() - start

    start = time.perf_counter()
    workspace = load_workspace(folder / "governance.yaml", [folder / "kpis.csv"])
    loaded = time.perf_counter()
    assess_portfolio(workspace.config, workspace.data, Quarter(2026, 3), date(2026, 10, 15))
    scored = time.perf_counter()
    print(
        json.dumps(
            {
                "rows": rows,
                "pandas": floor,
                "load": loaded - start,
                "score": scored - loaded,
                "govdocs": scored - start,
            }
        )
    )


if __name__ == "__main__":
    main()
