"""The lean core: rendering from KPI files needs none of the extras, and a command that needs a
missing one ends in one line naming it (exit 9).

A real install of the core alone is `make core` (requirements-core.lock, measured in
docs/performance.md). Here, offline and in seconds: the core lock is checked against the
dependency metadata, and the CLI is run in a child process where the extras' packages cannot be
imported (an import hook refuses them), as on a machine that installed only `pip install govdocs`.
"""

from __future__ import annotations

import importlib.util
import io
import json
import os
import subprocess
import sys
import textwrap
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from conftest import CONFIG, DATA, INPUTS, ROOT

from govdocs import extras
from govdocs.errors import ExitCode, GovdocsError

# what the extras bring, directly or through their own dependencies; none of it may be in the core
EXTRA_PACKAGES = {
    "duckdb",
    "sqlglot",
    "pyarrow",
    "pyhanko",
    "pyhanko-certvalidator",
    "cryptography",
    "asn1crypto",
    "oscrypto",
    "aiohttp",
    "lxml",
    "pyspark",
    "py4j",
    "grpcio",
}
BLOCKED_MODULES = ("duckdb", "sqlglot", "pyarrow", "pyhanko", "pyhanko_certvalidator", "pyspark", "py4j")
BLOCKED_MODULES += ("cryptography", "asn1crypto", "oscrypto", "aiohttp", "lxml")


def _installer_module():
    spec = importlib.util.spec_from_file_location("locked_install", ROOT / "scripts" / "locked_install.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _requirement_closure(roots: list[str]) -> set[str]:
    """Every distribution the requirements `roots` need on this interpreter, following the
    installed metadata (extras included), as canonical names."""
    from pip._vendor.packaging.requirements import Requirement

    canonical = _installer_module().canonical
    seen: set[tuple[str, str]] = set()
    names: set[str] = set()
    pending = [(Requirement(text), "") for text in roots]
    while pending:
        requirement, extra = pending.pop()
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": extra}):
            continue
        key = canonical(requirement.name)
        names.add(key)
        for asked in ["", *sorted(requirement.extras)]:
            if (key, asked) in seen:
                continue
            seen.add((key, asked))
            for text in metadata.distribution(requirement.name).requires or []:
                child = Requirement(text)
                if asked and (child.marker is None or "extra" not in str(child.marker)):
                    continue  # under an extra, only what the extra adds
                if not asked and child.marker is not None and "extra" in str(child.marker):
                    continue
                pending.append((child, asked))
    return names


def test_the_core_lock_is_what_the_core_dependencies_need_and_no_extra() -> None:
    """requirements-core.lock holds exactly the closure of pyproject.toml's dependencies (read from
    the installed metadata, no network), pinned as the test lock pins them, and no extra's package."""
    from pip._vendor.packaging.markers import Marker

    read_lock = _installer_module().read_lock
    core = read_lock(ROOT / "requirements-core.lock")  # a name twice when markers split it (numpy)
    tested = {p.text for p in read_lock(ROOT / "requirements-test.lock")}
    assert EXTRA_PACKAGES & {p.key for p in core} == set()
    assert [p.name for p in core if p.text not in tested] == []
    here = {p.key for p in core if not p.marker or Marker(p.marker).evaluate()}
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    needed = _requirement_closure(project["dependencies"]) | {"pip", "setuptools"}
    assert here == needed


def test_the_demo_lock_holds_the_raw_and_sign_extras_but_not_spark() -> None:
    read_lock = _installer_module().read_lock
    demo = {p.key for p in read_lock(ROOT / "requirements.lock")}
    assert {"duckdb", "sqlglot", "pyarrow", "pyhanko"} <= demo
    assert {"pyspark", "py4j"} & demo == set()


def test_every_extra_names_the_modules_its_requirements_install() -> None:
    """govdocs/extras.py and pyproject.toml agree: each extra's modules come from its requirements."""
    optional = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    assert set(extras.EXTRAS) | {"all", "docs", "test"} == set(optional)
    assert optional["all"] == ["govdocs[raw,parquet,sign,spark]"]
    closure = {extra: _requirement_closure([f"govdocs[{extra}]"]) for extra in extras.EXTRAS}
    for extra, modules in extras.EXTRAS.items():
        for module in modules:
            owner = {"pyhanko_certvalidator": "pyhanko-certvalidator"}.get(module, module)
            assert owner in closure[extra], (extra, module)
    assert not EXTRA_PACKAGES & _requirement_closure(["govdocs"])


# --- the core at work: the CLI in a process where the extras cannot be imported -------------

BLOCKER = f"""
import importlib.abc, sys

BLOCKED = {set(BLOCKED_MODULES)!r}

class NotInstalled(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".", 1)[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None

sys.meta_path.insert(0, NotInstalled())
"""

RUNNER = """
import json, sys
from click.testing import CliRunner
from govdocs.cli import cli

results = []
for args in json.load(sys.stdin):
    result = CliRunner().invoke(cli, args)
    results.append({"exit": result.exit_code, "stdout": result.stdout, "stderr": result.stderr})
loaded = sorted(m for m in sys.modules if m.split(".", 1)[0] in BLOCKED)
print(json.dumps({"results": results, "loaded": loaded}))
"""


def _core_run(tmp_path: Path, commands: list[list[str]]) -> tuple[list[dict], list[str]]:
    """Run the commands in-process in one child where the extras' modules cannot be imported."""
    site = tmp_path / "core-site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(BLOCKER, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(ROOT)])}
    run = subprocess.run(
        [sys.executable, "-c", BLOCKER + textwrap.dedent(RUNNER)],
        input=json.dumps(commands),
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr
    answer = json.loads(run.stdout.splitlines()[-1])
    return answer["results"], answer["loaded"]


def test_the_core_renders_from_a_csv_and_names_each_missing_extra(tmp_path: Path) -> None:
    out = tmp_path / "out"
    common = ["--config", str(CONFIG), "--quarter", "2026-Q3", "--as-of", "2026-10-15"]
    parquet = tmp_path / "kpis.parquet"
    parquet.write_bytes(b"PAR1" + b"\0" * 16 + b"PAR1")
    key = tmp_path / "key.p12"
    key.write_bytes(b"not a key")
    commands = [
        ["qbr", *common, "--data", str(DATA), "--inputs", str(INPUTS), "--partner", "ATL", "--format", "html",
         "--out", str(out)],
        ["export", *common, "--data", str(DATA), "--out", str(tmp_path / "scorecard.csv")],
        ["aggregate", "--config", str(CONFIG), "--raw", str(ROOT / "examples" / "raw" / "mapping.yaml")],
        ["aggregate", "--config", str(CONFIG), "--raw", str(ROOT / "examples" / "raw" / "mapping.yaml"),
         "--engine", "spark"],
        ["aggregate", "--config", str(CONFIG), "--raw", str(ROOT / "examples" / "raw" / "mapping.yaml"), "--sql"],
        ["export", *common, "--data", str(DATA), "--out", str(tmp_path / "scorecard.parquet")],
        ["qbr", *common, "--data", str(parquet), "--partner", "ATL", "--format", "html", "--out", str(out)],
        ["qbr", *common, "--data", str(DATA), "--partner", "ATL", "--sign", str(key), "--out", str(tmp_path / "s")],
    ]  # fmt: skip
    results, loaded = _core_run(tmp_path, commands)
    qbr, export, *refused = results

    assert (qbr["exit"], qbr["stderr"]) == (0, "[1/1] rendered ATL\n")
    html = (out / "2026-Q3" / "qbr-ATL-partner.html").read_text(encoding="utf-8")
    assert "Atlas Contact Solutions" in html and "data:image/svg+xml;base64," in html  # its charts drawn
    assert export["exit"] == 0 and (tmp_path / "scorecard.csv").read_text(encoding="utf-8").count("\nATL,") == 8

    install = "pip install 'govdocs[{}]' [extra.missing]\n"
    assert [(r["exit"], r["stderr"]) for r in refused] == [
        (9, "error: --raw: reading raw exports needs the raw extra: " + install.format("raw")),
        (9, "error: --engine: the Spark engine needs the spark extra: " + install.format("spark")),
        (9, "error: --sql: the aggregation's SQL text needs the raw extra: " + install.format("raw")),
        (9, "error: --out: writing Parquet needs the parquet extra: " + install.format("parquet")),
        (9, "error: kpis.parquet: reading a Parquet KPI file needs the parquet extra: " + install.format("parquet")),
        (9, "error: --sign: signing needs the sign extra: " + install.format("sign")),
    ]
    assert all(r["stdout"] == "" for r in refused)
    assert not (tmp_path / "scorecard.parquet").exists() and not (tmp_path / "s").exists()
    assert loaded == []  # nothing of an extra was imported, not even in part


def test_exit_code_9_is_documented() -> None:
    assert int(ExitCode.EXTRA) == 9
    table = (ROOT / "docs" / "exit-codes.md").read_text(encoding="utf-8")
    assert "| 9 | a command needs an extra that is not installed" in table


# --- response import on a core install: an unsigned file has nothing to verify ------------------


def _pdf(signature_field: bool) -> bytes:
    from pypdf import PdfWriter
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

    writer = PdfWriter()
    page = writer.add_blank_page(200, 200)
    if signature_field:
        field = DictionaryObject(
            {
                NameObject("/FT"): NameObject("/Sig"),
                NameObject("/T"): TextStringObject("ack:signature"),
                NameObject("/Type"): NameObject("/Annot"),
                NameObject("/Subtype"): NameObject("/Widget"),
                NameObject("/Rect"): ArrayObject([NumberObject(0)] * 4),
            }
        )
        reference = writer._add_object(field)
        page[NameObject("/Annots")] = ArrayObject([reference])
        writer._root_object[NameObject("/AcroForm")] = DictionaryObject(
            {NameObject("/Fields"): ArrayObject([reference])}
        )
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_without_the_sign_extra_only_an_unsigned_file_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    from govdocs import signing

    monkeypatch.setattr(extras, "installed", lambda extra: extra != "sign")
    unsigned = signing.verify(Path("returned.pdf"), [], _pdf(signature_field=False))
    assert unsigned == signing.Verification((), None)
    with pytest.raises(GovdocsError) as caught:
        signing.verify(Path("returned.pdf"), [], _pdf(signature_field=True))
    assert caught.value.exit_code == ExitCode.EXTRA
    assert str(caught.value) == (
        "returned.pdf: checking a returned file's signatures needs the sign extra: "
        "pip install 'govdocs[sign]' [extra.missing]"
    )
