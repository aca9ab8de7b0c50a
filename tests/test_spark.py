"""Spark and DuckDB from one definition: the same KPI table (partner, period, KPI, value, volume),
the same breakdowns, the same data-quality counts and rejected-row samples, on the example raw
exports, a synthetic programme, the hand-checked calls (repeats, a month end across zones) and
a roster (attrition's recursive month spine); the SQL for the warehouses parsed back, and the
Spark and DuckDB texts over named tables run and compared; the engine's errors in one line."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
import sqlglot
import yaml
from click.testing import CliRunner

from govdocs.cli import cli
from govdocs.raw import engine
from govdocs.raw.model import RawData
from govdocs.raw.sql import dialects
from tests.test_raw_engine import CALLS, HEADER, MEASURES, at_atl, interactions_config, write_csv

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "examples" / "governance.yaml"
MAPPING = ROOT / "examples" / "raw" / "mapping.yaml"
sys.path.insert(0, str(ROOT / "benchmarks"))

pytest.importorskip("pyspark")


def _same(a: engine.Aggregation, b: engine.Aggregation) -> None:
    """Number for number: the tables compared exactly, the report as a whole (counts, samples)."""
    for name in ("kpis", "breakdown"):
        left, right = getattr(a, name), getattr(b, name)
        assert len(left) > 0 or name == "breakdown"
        pd.testing.assert_frame_equal(left, right, check_exact=True)
    assert a.quality == b.quality


def _both(raw: RawData, base: Path, partner_ids) -> tuple[engine.Aggregation, engine.Aggregation]:
    duck = engine.aggregate(raw, base=base, partner_ids=partner_ids)
    spark = engine.aggregate(raw, base=base, partner_ids=partner_ids, engine="spark", spark_master="local[2]")
    return duck, spark


def test_example_exports_give_the_same_kpis_counts_and_samples(raw_example_on_duckdb, raw_example_on_spark) -> None:
    duck, spark = raw_example_on_duckdb, raw_example_on_spark
    _same(duck, spark)
    # what was compared: every source's rows, with rejects of several reasons and their samples
    assert len(duck.kpis) == 602 and len(duck.breakdown) == 430
    assert duck.quality.rejected > 0 and len(duck.quality.samples) >= 5
    assert {s.source for s in duck.quality.sources} == {
        "interactions",
        "surveys",
        "qa",
        "roster",
        "calibration",
        "coaching",
    }
    # where the gap is: the KPIs' sums per segment, the roster's tenure included, number for number
    pd.testing.assert_frame_equal(duck.drill, spark.drill, check_exact=True)
    # QA calibration and coaching: the monthly sums, number for number
    for name in ("calibration", "coaching", "roster"):
        left, right = getattr(duck.qa_review, name), getattr(spark.qa_review, name)
        pd.testing.assert_frame_equal(
            left.astype(object).where(left.notna(), None), right.astype(object).where(right.notna(), None)
        )


SYNTHETIC_ROWS = 1_000_000


def test_synthetic_programme_in_parquet(tmp_path: Path) -> None:
    """The benchmark's generator at a million contacts: six partners (one unknown), three channels,
    abandons short and long, transfers, repeat callers, bad rows, the March clock change; typed
    Parquet columns, six monthly files."""
    import raw_bench

    raw_bench.generate(SYNTHETIC_ROWS, tmp_path, "parquet")
    raw = RawData.model_validate(
        {
            "sources": {
                "interactions": {
                    "files": "contacts_*.parquet",
                    "timezone": raw_bench.ZONE,
                    "columns": raw_bench.COLUMNS,
                }
            },
            "kpis": raw_bench.KPIS,
        }
    )
    duck, spark = _both(raw, tmp_path, raw_bench.KNOWN)
    _same(duck, spark)
    assert duck.quality.sources[0].read == SYNTHETIC_ROWS
    assert duck.quality.rejected > 0 and len(duck.quality.samples) > 0
    assert {"repeat_rate", "asa", "aht"} <= set(duck.kpis["kpi"])


def test_hand_checked_calls_and_a_roster(tmp_path: Path) -> None:
    write_csv(tmp_path / "calls.csv.gz", HEADER, at_atl(CALLS), gz=True)
    duck, spark = _both(interactions_config("*.csv.gz", MEASURES), tmp_path, ["ATL", "BRV"])
    _same(duck, spark)
    # the month end across zones (c5: 23:30 in New York on 31 July is August in UTC) stays July
    july = duck.kpis[(duck.kpis["kpi"] == "offered") & (duck.kpis["period"] == "2026-07")]
    assert july["value"].tolist() == [5.0]

    rows = [["a1", "ATL", "2025-01-01", "2026-07-15"], ["a2", "ATL", "2025-01-01", ""], ["a3", "ATL", "2026-07-10", ""]]
    write_csv(tmp_path / "roster.csv", ["Agent", "Partner", "Start", "End"], [*rows, ["a4", "ZZZ", "2025-01-01", ""]])
    roster = {
        "files": "roster.csv",
        "columns": {"agent_id": "Agent", "partner": "Partner", "hired_on": "Start", "left_on": "End"},
    }
    raw = RawData.model_validate(
        {"sources": {"roster": roster}, "kpis": [{"kpi": "attrition", "measure": "attrition", "annualised": False}]}
    )
    duck, spark = _both(raw, tmp_path, ["ATL"])
    _same(duck, spark)
    # a1 left in July: one leaver over an average of 2 (a1 a2 on 1 July; a2 a3 on 31 July)
    assert duck.kpis.set_index("period").loc["2026-07", "value"] == 50.0
    assert duck.quality.rejected == 1  # a4 works for no partner of the config


def _sql(*args: str) -> str:
    result = CliRunner().invoke(cli, ["aggregate", "--config", str(CONFIG), "--raw", str(MAPPING), "--sql", *args])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("dialect", dialects.DIALECTS)
def test_every_dialect_parses_back(dialect: str) -> None:
    text = _sql("--dialect", dialect, "--table", "interactions=lake.calls")
    statements = [s for s in sqlglot.parse(text, read=dialect) if s is not None]
    assert len(statements) == 1
    assert "lake.calls" in text and "read_csv(" not in text.lower()
    if dialect != "duckdb":
        assert text.startswith(f"-- govdocs: KPIs from raw records, as one {dialect} SQL statement")


def _example_tables(folder: Path) -> dict[str, Path]:
    """The example's exports as tables of text columns, rows in file order: one Parquet file per
    source, which each engine reads into a table (Spark reads Parquet far faster than it takes
    a pandas frame)."""
    import duckdb

    con = duckdb.connect()
    out = {}
    for source, files in (
        ("interactions", "acd/interactions_*.csv.gz"),
        ("surveys", "surveys.csv.gz"),
        ("qa", "qa.csv"),
    ):
        path, table = str(MAPPING.parent / files), folder / f"{source}.parquet"
        con.execute(f"COPY (SELECT * FROM read_csv('{path}', all_varchar = true, header = true)) TO '{table}'")
        out[source] = table
    con.close()
    return out


def test_duckdb_and_spark_texts_over_named_tables_match_the_engine(
    raw_example_on_duckdb, spark_session, tmp_path: Path
) -> None:
    import duckdb

    expected = raw_example_on_duckdb.kpis
    tables = _example_tables(tmp_path)
    names = ["--table", "interactions=t_interactions", "--table", "surveys=t_surveys", "--table", "qa=t_qa"]

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    for source, path in tables.items():
        con.execute(f"CREATE TABLE t_{source} AS SELECT * FROM read_parquet('{path}')")
    duck = con.execute(_sql("--dialect", "duckdb", *names)).df()
    con.close()

    session = spark_session
    for source, path in tables.items():
        session.read.parquet(str(path)).createOrReplaceTempView(f"t_{source}")
    spark = session.sql(_sql("--dialect", "spark", *names)).toPandas()

    got = [
        f[f["segment"].isna()][["partner", "period", "kpi", "value", "volume"]].reset_index(drop=True)
        for f in (duck, spark)
    ]
    pd.testing.assert_frame_equal(got[0], got[1], check_exact=True)
    pd.testing.assert_frame_equal(got[0], expected[["partner", "period", "kpi", "value", "volume"]], check_exact=True)


def _small_mapping(tmp_path: Path) -> Path:
    """The example's mapping over two months of its interactions (the CLI's own run, kept short)."""
    doc = yaml.safe_load(MAPPING.read_text())
    for name in ("interactions_202608.csv.gz", "interactions_202609.csv.gz"):
        (tmp_path / "acd").mkdir(exist_ok=True)
        shutil.copy(MAPPING.parent / "acd" / name, tmp_path / "acd" / name)
    section = doc["raw_data"]
    section["sources"] = {"interactions": section["sources"]["interactions"]}
    section["kpis"] = [k for k in section["kpis"] if k["kpi"] in ("service_level", "asa", "abandonment", "aht")]
    path = tmp_path / "mapping.yaml"
    path.write_text(yaml.safe_dump(doc))
    return path


def test_cli_engine_spark_prints_what_duckdb_prints(tmp_path: Path) -> None:
    """The same result on stdout from either engine; the steps of each (--progress) on stderr."""
    mapping = _small_mapping(tmp_path)
    outputs, steps = [], {}
    for choice in ("duckdb", "spark"):
        out = tmp_path / f"{choice}.csv"
        args = ["aggregate", "--config", str(CONFIG), "--raw", str(mapping), "--engine", choice, "--out", str(out)]
        result = CliRunner().invoke(cli, ["--progress", *args])
        assert result.exit_code == 0, result.output
        outputs.append((result.stdout.replace(str(out), "OUT"), out.read_bytes()))
        steps[choice] = [line.split("] ", 1)[1] for line in result.stderr.splitlines()]
    assert outputs[0] == outputs[1]
    assert outputs[0][0].startswith("interactions: ")
    for choice, name in (("duckdb", "DuckDB"), ("spark", "Spark")):
        assert f"interactions: checking the rows of 2 files on {name}" in steps[choice]
        assert f"computing the KPIs on {name}" in steps[choice]
    assert "starting Spark (local[*])" in steps["spark"] and "starting Spark (local[*])" not in steps["duckdb"]


def test_an_unreachable_master_is_one_line_exit_8(tmp_path: Path) -> None:
    mapping = _small_mapping(tmp_path)
    args = ["aggregate", "--config", str(CONFIG), "--raw", str(mapping), "--engine", "spark"]
    result = CliRunner().invoke(cli, [*args, "--spark-master", "spark://127.0.0.1:9"])
    assert result.exit_code == 8
    assert result.output.strip().splitlines() == [
        "error: --spark-master: the Spark master spark://127.0.0.1:9 does not answer [raw.engine]"
    ]


def test_no_java_is_one_line_exit_8(tmp_path: Path) -> None:
    mapping = _small_mapping(tmp_path)
    env = {k: v for k, v in os.environ.items() if k not in ("JAVA_HOME", "SPARK_HOME")}
    env["JAVA_HOME"] = str(tmp_path / "no-java")
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if not (Path(p) / "java").exists())
    args = ["-m", "govdocs", "aggregate", "--config", str(CONFIG), "--raw", str(mapping), "--engine", "spark"]
    done = subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 8, done.stderr
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.startswith("error:")]
    assert lines == ["error: --engine spark: Spark could not start Java: install Java 17 or set JAVA_HOME [raw.engine]"]
    assert not (tmp_path / "out").exists()


def test_a_platform_preset_on_spark_prints_what_duckdb_prints(tmp_path: Path) -> None:
    """The Connect example (contact records as Firehose writes them: JSON lines, gzip) through
    format: amazon-connect on either engine: the same lines and the same KPI file; only its files
    named by URL are refused on Spark (JSON is read from local files), in one line, exit 8."""
    connect = ROOT / "examples" / "raw" / "connect" / "mapping.yaml"
    outputs = []
    for choice in ("duckdb", "spark"):
        out = tmp_path / f"{choice}.csv"
        args = ["aggregate", "--config", str(CONFIG), "--raw", str(connect), "--engine", choice, "--out", str(out)]
        args += ["--spark-master", "local[2]"] if choice == "spark" else []
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
        outputs.append((result.stdout.replace(str(out), "OUT"), out.read_bytes()))
    assert outputs[0] == outputs[1]
    assert outputs[0][0].startswith("interactions: ") and len(outputs[0][1].splitlines()) == 1 + 30

    raw = yaml.safe_load(connect.read_text(encoding="utf-8"))
    raw["raw_data"]["sources"]["interactions"]["files"] = (connect.parent / "ctr-*.jsonl.gz").as_uri()
    mapping = tmp_path / "by-url.yaml"
    mapping.write_text(yaml.safe_dump(raw), encoding="utf-8")
    args = ["aggregate", "--config", str(CONFIG), "--raw", str(mapping), "--engine", "spark"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 8
    assert (
        "--engine spark reads files named by URL as CSV or Parquet; the interactions source is format: "
        "amazon-connect (name its files by local path)" in result.output
    )


def test_each_command_starts_from_its_own_engine_choice(tmp_path: Path) -> None:
    from govdocs.raw.source import chosen_engine

    mapping = _small_mapping(tmp_path)
    base = ["aggregate", "--config", str(CONFIG), "--raw", str(mapping)]
    CliRunner().invoke(cli, [*base, "--engine", "spark", "--spark-master", "spark://127.0.0.1:9"])
    result = CliRunner().invoke(cli, base)  # in the same process, with neither option
    assert result.exit_code == 0, result.output
    assert chosen_engine().engine is None and chosen_engine().spark_master is None


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_spark_connect_prints_what_duckdb_prints(tmp_path: Path) -> None:
    """SPARK_REMOTE: a Spark Connect server (pyspark's own, on local[2]) runs the statements; the
    KPI file and every printed line are the DuckDB run's."""
    import socket
    import time

    import pyspark

    home = Path(pyspark.__file__).parent
    port = _free_port()
    env = {**os.environ, "SPARK_HOME": str(home), "SPARK_IDENT_STRING": f"govdocs-{port}"}
    env |= {"SPARK_LOG_DIR": str(tmp_path / "logs"), "SPARK_PID_DIR": str(tmp_path / "pids")}
    server = ["bash", str(home / "sbin" / "start-connect-server.sh"), "--master", "local[2]"]
    server += ["--conf", f"spark.connect.grpc.binding.port={port}", "--conf", "spark.ui.enabled=false"]
    subprocess.run(server, env=env, check=True, capture_output=True, timeout=60)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, (tmp_path / "logs").iterdir()
                time.sleep(0.5)
        mapping = _small_mapping(tmp_path)
        runs = []
        for choice, remote in (("duckdb", None), ("spark", f"sc://127.0.0.1:{port}")):
            out = tmp_path / f"{choice}.csv"
            args = ["-m", "govdocs", "aggregate", "--config", str(CONFIG), "--raw", str(mapping), "--engine", choice]
            child = {k: v for k, v in os.environ.items() if k != "SPARK_REMOTE"} | (
                {"SPARK_REMOTE": remote} if remote else {}
            )
            done = subprocess.run(
                [sys.executable, *args, "--out", str(out)], capture_output=True, text=True, env=child, timeout=300
            )
            assert done.returncode == 0, done.stderr
            runs.append((done.stdout.replace(str(out), "OUT"), out.read_bytes()))
            if remote:
                # nothing of Spark's or pyspark's own chatter in what the user reads
                assert "Warning" not in done.stderr, done.stderr
        assert runs[0] == runs[1]
    finally:
        subprocess.run(
            ["bash", str(home / "sbin" / "stop-connect-server.sh")], env=env, capture_output=True, timeout=60
        )


def _as_urls(raw: RawData, folder: Path) -> RawData:
    """The mapping with every source's files named by URL (file:///...), as an object store's are."""
    sources = {}
    for source in ("interactions", "surveys", "qa", "roster", "calibration", "coaching"):
        src = getattr(raw.sources, source)
        if src is not None:
            urls = ["file://" + str((folder / p).resolve()) for p in src.file_patterns()]  # the glob unescaped
            sources[source] = src.model_copy(update={"files": urls})
    return raw.model_copy(update={"sources": raw.sources.model_copy(update=sources)})


def test_files_named_by_url_are_listed_hashed_and_read_by_spark(raw_example, raw_example_on_duckdb) -> None:
    """The object-store path (s3a://, abfss://: whatever the session reads) taken with file:// URLs:
    Spark lists each glob, hashes each file where it reads it, and gives DuckDB's numbers on the
    local files, with the same file hashes (so the same document ids)."""
    raw, ids = raw_example
    duck = raw_example_on_duckdb
    remote = engine.aggregate(
        _as_urls(raw, MAPPING.parent), base=MAPPING.parent, partner_ids=ids, engine="spark", spark_master="local[2]"
    )
    for name in ("kpis", "breakdown"):
        pd.testing.assert_frame_equal(getattr(duck, name), getattr(remote, name), check_exact=True)

    def names(counts):  # a count names its files as they were listed: paths here, URLs there
        return [replace(c, files=tuple(engine.Url(f).name for f in c.files)) for c in counts]

    assert names(duck.quality.sources) == names(remote.quality.sources)
    assert duck.quality.rejects == remote.quality.rejects
    # the samples name their file as Spark lists it (file:/...), the row and the reason as DuckDB does
    strip = [(s.source, Path(s.file).name, s.line, s.reason) for s in duck.quality.samples]
    assert strip == [(s.source, engine.Url(s.file).name, s.line, s.reason) for s in remote.quality.samples]
    local, listed = duck.kpi_data().sources, remote.kpi_data().sources
    # 23 files: the 20 of the exports before the roster (where a gap is), the roster, and the QA
    # calibration and coaching records
    assert [(s.name, s.sha256) for s in local] == [(s.name, s.sha256) for s in listed] and len(listed) == 23


def test_a_url_on_duckdb_or_matching_nothing_is_one_line(raw_example, tmp_path: Path) -> None:
    raw, ids = raw_example
    urls = _as_urls(raw, MAPPING.parent)
    with pytest.raises(engine.GovdocsError) as caught:
        engine.aggregate(urls, base=MAPPING.parent, partner_ids=ids)
    (problem,) = caught.value.problems[:1]
    assert problem.code == "raw.remote_files" and "the duckdb engine reads local files" in problem.message
    assert caught.value.exit_code == engine.ExitCode.ENGINE
    missing = raw.model_copy(
        update={
            "sources": raw.sources.model_copy(
                update={"qa": raw.sources.qa.model_copy(update={"files": ["file://" + str(tmp_path / "none-*.csv")]})}
            )
        }
    )
    with pytest.raises(engine.GovdocsError) as caught:
        engine.aggregate(missing, base=MAPPING.parent, partner_ids=ids, engine="spark", spark_master="local[2]")
    assert [p.code for p in caught.value.problems] == ["raw.no_files"]
    assert f"no file matches '{'file://' + str(tmp_path / 'none-*.csv')}'" in caught.value.problems[0].message


def test_parquet_files_named_by_url_give_duckdbs_numbers(tmp_path: Path) -> None:
    """Typed Parquet columns through a URL: DuckDB describes a local copy of the first rows Spark
    reads, so the types it sees are the file's."""
    import raw_bench

    raw_bench.generate(20_000, tmp_path, "parquet")
    mapping = {"timezone": raw_bench.ZONE, "columns": raw_bench.COLUMNS}
    local = RawData.model_validate(
        {"sources": {"interactions": {"files": "contacts_*.parquet", **mapping}}, "kpis": raw_bench.KPIS}
    )
    urls = _as_urls(local, tmp_path)
    duck = engine.aggregate(local, base=tmp_path, partner_ids=raw_bench.KNOWN)
    remote = engine.aggregate(urls, base=tmp_path, partner_ids=raw_bench.KNOWN, engine="spark", spark_master="local[2]")
    for name in ("kpis", "breakdown"):
        pd.testing.assert_frame_equal(getattr(duck, name), getattr(remote, name), check_exact=True)
    assert duck.quality.rejects == remote.quality.rejects and duck.quality.rejected > 0


def test_an_object_store_the_session_cannot_reach_is_one_line_exit_8(tmp_path: Path) -> None:
    mapping = _small_mapping(tmp_path)
    doc = yaml.safe_load(mapping.read_text())
    doc["raw_data"]["sources"]["interactions"]["files"] = "s3a://lake/acd/interactions_*.csv.gz"
    mapping.write_text(yaml.safe_dump(doc))
    out = tmp_path / "kpis.csv"
    args = ["aggregate", "--config", str(CONFIG), "--raw", str(mapping), "--out", str(out)]
    for engine_args, line in (
        ([], "a URL, not a local file: the duckdb engine reads local files only; --engine spark reads the URLs"),
        (["--engine", "spark", "--spark-master", "local[2]"], "the Spark session has no file system for s3a://"),
        (["--sql"], "the SQL text is made from local files; name the warehouse's tables with --table"),
    ):
        result = CliRunner().invoke(cli, [*args, *engine_args])
        assert result.exit_code == 8, result.output
        (error,) = [row for row in result.output.splitlines() if row.startswith("error:")]
        assert error.startswith("error: s3a://lake/acd/interactions_*.csv.gz: ") and line in error
        assert not out.exists()


def test_a_missing_column_in_a_file_named_by_url_names_the_url(tmp_path: Path) -> None:
    mapping = _small_mapping(tmp_path)
    doc = yaml.safe_load(mapping.read_text())
    interactions = doc["raw_data"]["sources"]["interactions"]
    interactions["files"] = "file://" + str(tmp_path / "acd" / "interactions_*.csv.gz")
    interactions["columns"]["contact_id"] = "Contact Number"
    mapping.write_text(yaml.safe_dump(doc))
    args = [
        "aggregate",
        "--config",
        str(CONFIG),
        "--raw",
        str(mapping),
        "--engine",
        "spark",
        "--spark-master",
        "local[2]",
    ]
    result = CliRunner().invoke(cli, [*args, "--out", str(tmp_path / "kpis.csv")])
    assert result.exit_code == 4, result.output
    (error,) = [row for row in result.output.splitlines() if row.startswith("error:")]
    assert error.startswith(f"error: file:{tmp_path}/acd/interactions_202608.csv.gz:1: ")  # the URL, as listed
    assert "no column 'Contact Number' (mapped to contact_id)" in error and "head-" not in error
