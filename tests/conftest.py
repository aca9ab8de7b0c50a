"""Shared fixtures: the example programme, built once per test run."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import pickle
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from govdocs.documents.common import Audience
from govdocs.periods import Quarter
from govdocs.pipeline import QbrRequest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
CONFIG = EXAMPLES / "governance.yaml"
DATA = EXAMPLES / "data" / "kpis.csv"
INPUTS = EXAMPLES / "inputs"
QUARTER = Quarter(2026, 3)
AS_OF = date(2026, 10, 15)
PARTNERS = ("ATL", "BRV", "CRN", "DLT", "ECH")


# The modules that keep one xdist worker longest (Spark's JVM and its stages, the generated portfolios,
# the canary and reproducibility builds, the stop loops' builds, venvs and installs), longest first.
# `--dist loadscope` hands a worker one module at a time in the collection's order; by default it
# first sorts the modules by their number of tests, which sent these few-test, long modules last,
# so one worker ran the last of them alone while the other had finished. Longest first (the rest in
# their usual order after them), the last modules to start are short and the workers end together.
LONGEST_FIRST = (
    "test_spark.py",
    "test_claims_generated.py",
    "test_isolation.py",
    "test_reproducible.py",
    "test_stops.py",
    "test_faults.py",
    "test_peer_privacy.py",
    "test_fuzz.py",
    "test_raw_same_documents.py",
    "test_install.py",
    "test_lock.py",
    "test_bad_inputs.py",
)


def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config.option, "loadscopereorder"):  # pytest-xdist: keep the order made below
        config.option.loadscopereorder = False


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: each module's own order kept


def qbr_request(out: Path, audience: Audience = Audience.PARTNER, partners: tuple[str, ...] = (), **kw) -> QbrRequest:
    options = dict(
        config_path=CONFIG,
        data_paths=(DATA,),
        quarter=QUARTER,
        partner_ids=partners,
        audience=audience,
        out_dir=out,
        fmt="pdf",
        inputs_dir=INPUTS,
        as_of=AS_OF,
        force=False,
    )
    options.update(kw)
    return QbrRequest(**options)


def flat(text: str) -> str:
    """Text with every run of whitespace (PDF line breaks included) as one space."""
    return " ".join(text.split())


def pdf_text(path: Path) -> str:
    return "\n".join(page_texts(path))


# pypdf takes about 0.15 s of CPU a page (it parses every font's ToUnicode map again on each page):
# one reading of the example build's 16 documents (162 pages) costs 26 s, and a dozen modules read
# them. Each file's text is therefore extracted once per test run, kept by the digest of its bytes
# (so a file written again is read again) in a folder the xdist workers share.
TEXT_CACHE = "GOVDOCS_TEST_PDF_TEXT_CACHE"
_page_texts: dict[tuple[str, str], tuple[str, ...]] = {}


def page_texts(path: Path, mode: str = "plain") -> tuple[str, ...]:
    """Each page's text as pypdf's `extract_text(extraction_mode=mode)` gives it, read once a run."""
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    key = (digest, mode)
    if key not in _page_texts:
        folder = os.environ.get(TEXT_CACHE)
        if folder is None:
            _page_texts[key] = _extract(path, mode)
        else:
            record = Path(folder) / f"{digest}-{mode}.json"
            with _exclusive(record.with_suffix(".lock")):  # one worker reads it, the other waits for it
                if not record.exists():
                    written = record.with_suffix(".part")
                    written.write_text(json.dumps(_extract(path, mode)), encoding="utf-8")
                    written.replace(record)
            _page_texts[key] = tuple(json.loads(record.read_text(encoding="utf-8")))
    return _page_texts[key]


def _extract(path: Path, mode: str) -> tuple[str, ...]:
    return tuple(page.extract_text(extraction_mode=mode) for page in PdfReader(path).pages)


def environment(**values: str) -> dict[str, str]:
    """This process's environment without locale, time zone, hash seed or SOURCE_DATE_EPOCH,
    with the checkout's code first on the path, and `values` on top."""
    inherited = ("LC_", "LANG", "PYTHONHASHSEED", "SOURCE_DATE_EPOCH", "TZ")  # LANG and LANGUAGE
    env = {k: v for k, v in os.environ.items() if not k.startswith(inherited)}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])
    return {**env, **values}


def build_command(programme: Path, out: Path, jobs: int) -> list[str]:
    """`govdocs build` of every document of a programme folder laid out as examples/ is."""
    args = [sys.executable, "-m", "govdocs", "build", "--quarter", str(QUARTER), "--as-of", AS_OF.isoformat()]
    args += ["--jobs", str(jobs), "--out", str(out)]
    args += ["--config", str(programme / "governance.yaml"), "--data", str(programme / "data" / "kpis.csv")]
    for option in ("inputs", "actions", "assessments"):
        args += [f"--{option}", str(programme / option)]
    return args


@dataclass(frozen=True)
class ExampleBuild:
    out: Path  # the --out folder; documents are in out / "2026-Q3"
    exit_code: int
    stdout: str
    stderr: str  # progress, one line per document

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


@contextmanager
def _exclusive(lock: Path) -> Iterator[None]:
    with lock.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file is closed
        yield


def _run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test run's temporary folder, shared by its xdist workers (each has its own below it)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session", autouse=True)
def _shared_pdf_texts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    folder = _run_folder(tmp_path_factory) / "pdf-texts"
    folder.mkdir(exist_ok=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(TEXT_CACHE, str(folder))
        yield


# The JVM of every Spark the suite starts (in-process sessions, the CLI's, the Spark Connect server)
# runs only its quick compiler (C1) and the serial collector: the suite's Spark work is hundreds of
# small jobs whose generated classes the optimising compiler (C2) would spend more CPU compiling
# than it saves, and whose GC threads only compete for the two cores. Neither changes a result: a
# compiler level or a collector is not a Spark setting, and every statement runs as a user's runs
# (the same plans, whole-stage code generation and shuffle partitions). A larger thread stack
# keeps the analyser's recursion over the long KPI statements clear of the C1 frames' size.
# Read by spark-submit from SPARK_CONF_DIR's spark-defaults.conf; a SPARK_CONF_DIR of the
# developer's own is left as it is.
SPARK_TEST_JAVA_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss4m"


@pytest.fixture(scope="session", autouse=True)
def _spark_jvm_options(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    if os.environ.get("SPARK_CONF_DIR"):
        yield
        return
    folder = tmp_path_factory.getbasetemp() / "spark-conf"
    folder.mkdir(exist_ok=True)
    (folder / "spark-defaults.conf").write_text(
        f"spark.driver.defaultJavaOptions {SPARK_TEST_JAVA_OPTIONS}\n", encoding="utf-8"
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SPARK_CONF_DIR", str(folder))
        yield


@pytest.fixture(scope="session")
def example_build(tmp_path_factory: pytest.TempPathFactory) -> ExampleBuild:
    """The whole example programme built as a user builds it: `python -m govdocs build` in a new
    process from the repository root, relative paths, two render workers, UTC and the C locale.

    The most expensive fixture of the suite, so it is made once per test run: the xdist workers
    share one copy (the first to ask builds it, the others wait on a file lock). Tests only read it.
    """
    base = _run_folder(tmp_path_factory)
    folder, record = base / "example-build", base / "example-build.json"
    with _exclusive(base / "example-build.lock"):
        if not record.exists():
            env = environment(PYTHONHASHSEED="0", TZ="UTC", LC_ALL="C.UTF-8", LANG="C.UTF-8")
            command = build_command(EXAMPLES.relative_to(ROOT), folder / "out", jobs=2)
            run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
            done = {"exit_code": run.returncode, "stdout": run.stdout, "stderr": run.stderr}
            record.write_text(json.dumps(done), encoding="utf-8")
    done = json.loads(record.read_text(encoding="utf-8"))
    return ExampleBuild(folder / "out", done["exit_code"], done["stdout"], done["stderr"])


@pytest.fixture(scope="session")
def rendered(example_build: ExampleBuild) -> dict[tuple[str, str], Path]:
    """Every example QBR, partner and internal copy, from the example build."""
    assert example_build.exit_code == 0, example_build.output
    folder = example_build.out / str(QUARTER)
    return {(p, a): folder / f"qbr-{p}-{a}.pdf" for p in PARTNERS for a in ("partner", "internal")}


def made_once(tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], None]) -> Path:
    """The folder `name` that `make` fills, made once a test run: the xdist workers share it (the
    first to ask makes it, the others wait on a file lock). A `make` that fails is tried again by
    the next test that asks."""
    base = _run_folder(tmp_path_factory)
    folder, done = base / name, base / f"{name}.done"
    with _exclusive(base / f"{name}.lock"):
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            make(folder)
            done.touch()
    return folder


@pytest.fixture(scope="session")
def brv_assessment(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Bravo's offboarding assessment, `govdocs offboarding --partner BRV` with the example's
    assessment file (the example build writes none: BRV's ladder calls for no review). Several
    modules read it; it is rendered once a run."""
    from click.testing import CliRunner

    from govdocs.cli import cli

    def make(out: Path) -> None:
        args = ["offboarding", "--config", str(CONFIG), "--data", str(DATA), "--quarter", str(QUARTER)]
        args += ["--as-of", AS_OF.isoformat(), "--partner", "BRV", "--out", str(out), "--format", "pdf"]
        args += ["--assessments", str(EXAMPLES / "assessments" / "BRV.yaml")]
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output

    return made_once(tmp_path_factory, "brv-assessment", make) / str(QUARTER) / "offboarding-BRV-internal.pdf"


@pytest.fixture(scope="session")
def brv_plans(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Bravo's plan, partner and internal copies, as issued by `govdocs pip --partner BRV` with the
    example's inputs and BRV.csv actions (the ladder calls for no plan for BRV, so the example build
    has none; a vendor manager may still name a partner for one). Read by the plan and response
    tests; rendered once a run. Tests only read it."""
    from click.testing import CliRunner

    from govdocs.cli import cli

    def make(out: Path) -> None:
        for audience in ("partner", "internal"):
            args = ["pip", "--config", str(CONFIG), "--data", str(DATA), "--inputs", str(INPUTS)]
            args += ["--partner", "BRV", "--quarter", str(QUARTER), "--as-of", AS_OF.isoformat()]
            args += ["--audience", audience, "--out", str(out), "--force"]
            args += ["--actions", str(EXAMPLES / "actions" / "BRV.csv")]
            result = CliRunner().invoke(cli, args)
            assert result.exit_code == 0, result.output

    return made_once(tmp_path_factory, "brv-plans", make) / str(QUARTER)


INIT_GOOD = {"service_level": 84, "aht": 400, "csat": 88, "fcr": 78, "abandonment": 3.5}
INIT_BAD = {"service_level": 70, "aht": 470, "csat": 86, "fcr": 76, "abandonment": 7.5}
INIT_VOLUME = {"service_level": 2000, "aht": 1900, "csat": 300, "fcr": 300, "abandonment": 2100}


@pytest.fixture(scope="session")
def init_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A programme made by `govdocs init` (two partners, five KPIs; NORTH on target, SOUTH red on
    service level, handle time and abandonment), its data template filled and SOUTH's actions
    typed as a user types them, built whole (`govdocs build`, PDF, both copies). Several modules
    read it; it is built once a run. Returns the folder of its documents."""
    import csv

    from click.testing import CliRunner

    from govdocs.cli import cli

    def make(root: Path) -> None:
        args = ["init", str(root), "--client", "Acme Energy", "--partner", "NORTH=North Contact Ltd"]
        args += ["--partner", "SOUTH=South Service Co", "--as-of", AS_OF.isoformat()]
        args += [a for k in INIT_GOOD for a in ("--kpi", k)]
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
        with (root / "data" / "kpis-template.csv").open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        with (root / "data" / "kpis.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            for row in rows:
                row["value"] = (INIT_GOOD if row["partner"] == "NORTH" else INIT_BAD)[row["kpi"]]
                row["volume"] = INIT_VOLUME[row["kpi"]]
                writer.writerow(row)
        with (root / "actions" / "SOUTH.csv").open("a", encoding="utf-8") as handle:
            for kpi in ("service_level", "aht", "abandonment"):
                handle.write(
                    f"S-{kpi},{kpi},staffing_attrition,Recruit and train 12 agents for the evening peak,"
                    "Agents live on the evening shift,>= 12 by the due date,South operations manager,"
                    "2026-12-15,partner,,,\n"
                )
        here = Path.cwd()
        os.chdir(root)
        try:
            result = CliRunner().invoke(cli, ["build", "--as-of", AS_OF.isoformat(), "--quarter", str(QUARTER)])
        finally:
            os.chdir(here)
        assert result.exit_code == 0, result.output

    return made_once(tmp_path_factory, "init-build", make) / "output" / str(QUARTER)


def shared_value(tmp_path_factory: pytest.TempPathFactory, name: str, compute: Callable[[], Any]) -> Any:
    """`compute()`'s value, worked out once a test run: the xdist workers share it (the first to
    ask computes it and pickles it, the others wait on a file lock and read it). A `compute` that
    fails is tried again by the next test that asks. For results that cost more than a few seconds
    and that several tests or modules read, such as an aggregation on Spark."""
    base = _run_folder(tmp_path_factory)
    record = base / f"{name}.pickle"
    with _exclusive(base / f"{name}.lock"):
        if not record.exists():
            written = record.with_suffix(".part")
            written.write_bytes(pickle.dumps(compute()))
            written.replace(record)
    return pickle.loads(record.read_bytes())


# --- the example's raw exports, on DuckDB and on Spark -------------------------------------------

RAW_MAPPING = EXAMPLES / "raw" / "mapping.yaml"
# Every test that starts Spark in-process asks for local[2]: the two cores of the suite's machine.
SPARK_MASTER = "local[2]"


@pytest.fixture(scope="session")
def raw_example():  # -> tuple[RawData, list[str]]
    """examples/raw/mapping.yaml read for the example config's KPIs and partners, and the
    partners' ids: what `govdocs aggregate --raw examples/raw/mapping.yaml` aggregates."""
    from govdocs.config.loader import load_config
    from govdocs.raw.checks import load_raw_data

    config = load_config(CONFIG)
    units = {k.id: k.unit.value for k in config.kpis}
    ids = [p.id for p in config.partners]
    return load_raw_data(RAW_MAPPING, kpi_units=units, partner_ids=ids), ids


@pytest.fixture(scope="session")
def raw_example_on_duckdb(raw_example, tmp_path_factory: pytest.TempPathFactory):  # -> engine.Aggregation
    """The example's raw exports aggregated on DuckDB, once a run (shared by the workers): the
    figures every Spark run of them is held to. Tests only read it."""
    from govdocs.raw import engine

    raw, ids = raw_example
    return shared_value(
        tmp_path_factory, "raw-example-duckdb", lambda: engine.aggregate(raw, base=RAW_MAPPING.parent, partner_ids=ids)
    )


@pytest.fixture(scope="session")
def raw_example_on_spark(raw_example, tmp_path_factory: pytest.TempPathFactory):  # -> engine.Aggregation
    """The example's raw exports aggregated on Spark (local[2]), once a run, shared by the workers
    and by every module that compares with it: a Spark aggregation of the example costs about a
    minute and a half of CPU. Tests only read it."""
    pytest.importorskip("pyspark")
    from govdocs.raw import engine

    raw, ids = raw_example

    def compute():
        base = RAW_MAPPING.parent
        return engine.aggregate(raw, base=base, partner_ids=ids, engine="spark", spark_master=SPARK_MASTER)

    return shared_value(tmp_path_factory, "raw-example-spark", compute)


@pytest.fixture(scope="session")
def spark_session():
    """The worker's Spark session (local[2]), as govdocs starts it: one JVM a worker, started by the
    first test that needs it (an aggregation on Spark asks for the same session)."""
    pytest.importorskip("pyspark")
    from govdocs.raw.spark import start_session

    return start_session(SPARK_MASTER)
