"""Progress: the steps of a run on stderr, never on stdout, so a command's result stays clean.

On a terminal the steps show by default; elsewhere (a pipe, a log, these tests) only with
`--progress`; `--quiet` silences every progress line, the per-document ones included.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CONFIG, DATA, INPUTS, ROOT

from govdocs.cli import app, cli
from govdocs.progress import LOGGER, step

QBR = ["qbr", "--config", str(CONFIG), "--data", str(DATA), "--inputs", str(INPUTS), "--quarter", "2026-Q3"]
QBR += ["--as-of", "2026-10-15", "--partner", "ATL", "--format", "html", "--force"]
STEP = re.compile(r"^\[ *\d+\.\d s\] (.+)$")


def _run(args: list[str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, args)
    return result.exit_code, result.stdout, result.stderr


def test_steps_go_to_stderr_with_progress_and_stdout_stays_the_result(tmp_path: Path) -> None:
    code, stdout, stderr = _run(["--progress", *QBR, "--out", str(tmp_path)])
    assert code == 0, stderr
    wrote, total = stdout.splitlines()
    document = rf"{re.escape(str(tmp_path))}/2026-Q3/qbr-ATL-partner.html  \(QBR-2026Q3-ATL-P-[0-9A-F]{{6}}\)"
    assert re.fullmatch(f"wrote {document}", wrote)
    assert total == f"1 QBR for 2026-Q3 written to {tmp_path}/2026-Q3/"
    lines = stderr.splitlines()
    steps = [m[1] for m in map(STEP.match, lines) if m and not m[1].startswith("still ")]  # a busy machine: beats
    assert steps == [
        "reading the config governance.yaml",
        "reading the KPI data (1 file)",
        "scoring 5 partners for 2026-Q3",
    ]
    assert lines[-1] == "[1/1] rendered ATL"


def test_off_a_terminal_no_steps_unless_asked_and_quiet_says_nothing(tmp_path: Path) -> None:
    code, stdout, stderr = _run([*QBR, "--out", str(tmp_path)])
    assert (code, stderr) == (0, "[1/1] rendered ATL\n")  # the per-document line, as before
    quiet = tmp_path / "quiet"  # a folder of its own: into the first, the document would be kept
    code, quiet_stdout, stderr = _run(["--quiet", *QBR, "--out", str(quiet)])
    assert (code, stderr, quiet_stdout) == (0, "", stdout.replace(str(tmp_path), str(quiet)))
    assert LOGGER.handlers == []  # each command removes what it added (CliRunner: one process)


def test_json_on_stdout_parses_with_progress_on() -> None:
    args = ["--progress", "validate", "--config", str(CONFIG), "--data", str(DATA), "--inputs", str(INPUTS)]
    code, stdout, stderr = _run([*args, "--quarter", "2026-Q3", "--json"])
    assert code == 0, stderr
    assert json.loads(stdout)["valid"] is True


def test_aggregate_says_each_raw_step(tmp_path: Path) -> None:
    pytest.importorskip("duckdb")
    mapping = ROOT / "examples" / "raw" / "mapping.yaml"
    code, stdout, stderr = _run(["--progress", "aggregate", "--config", str(CONFIG), "--raw", str(mapping)])
    assert code == 0, stderr
    assert not any(STEP.match(line) for line in stdout.splitlines())
    steps = [m[1] for m in map(STEP.match, stderr.splitlines()) if m and not m[1].startswith("still ")]
    assert steps == [
        "reading the config governance.yaml",
        "reading the raw exports' columns (interactions, surveys, qa, roster, calibration, coaching)",
        "roster: checking the rows of 1 file on DuckDB",  # first: the drill-down reads the agents' tenure
        "interactions: checking the rows of 18 files on DuckDB",
        "surveys: checking the rows of 1 file on DuckDB",
        "qa: checking the rows of 1 file on DuckDB",
        "calibration: checking the rows of 1 file on DuckDB",
        "coaching: checking the rows of 1 file on DuckDB",
        "computing the KPIs on DuckDB",
        "pairing the QA calibration scores and following the coaching on DuckDB",
        "counting the rejected rows for the data-quality report",
    ]


def test_a_long_step_is_said_again_while_it_lasts(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setattr(app, "HEARTBEAT_SECONDS", 0.2)
    handler = app._ProgressLines()
    LOGGER.addHandler(handler)
    LOGGER.setLevel("INFO")
    try:
        with step("starting Spark (local[*])"):
            time.sleep(0.9)
        time.sleep(0.5)  # the step has ended: nothing more is said
    finally:
        LOGGER.removeHandler(handler)
        LOGGER.setLevel("NOTSET")
        handler.close()
    said = [STEP.match(line)[1] for line in capsys.readouterr().err.splitlines()]
    assert said[0] == "starting Spark (local[*])"
    still = re.compile(r"still starting Spark \(local\[\*\]\) \(\d s\)")
    assert 3 <= len(said) <= 6 and all(still.fullmatch(s) for s in said[1:])  # none once the step ended


def test_the_start_of_a_command_is_said_again_until_its_first_step(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setattr(app, "HEARTBEAT_SECONDS", 0.2)
    handler = app._ProgressLines()
    LOGGER.addHandler(handler)
    LOGGER.setLevel("INFO")
    try:
        time.sleep(0.5)  # the command's imports
        with step("reading the config governance.yaml"):
            pass
        time.sleep(0.5)  # every step has ended: nothing is said
    finally:
        LOGGER.removeHandler(handler)
        LOGGER.setLevel("NOTSET")
        handler.close()
    said = [STEP.match(line)[1] for line in capsys.readouterr().err.splitlines()]
    assert said[-1] == "reading the config governance.yaml"
    assert 1 <= len(said[:-1]) <= 3 and all(re.fullmatch(r"still starting govdocs \(\d s\)", s) for s in said[:-1])
