"""The README and the documentation tell the truth: sample outputs and the example table come from real
runs, and the documentation site builds with every link and anchor resolved."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from conftest import ROOT
from test_engine import portfolio

from govdocs.cli import cli

PAGES = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").glob("*.md"))]
README = "\n".join(page.read_text(encoding="utf-8") for page in PAGES)  # the README and every docs page


def console_block(command_start: str) -> tuple[str, list[str]]:
    """The command and printed lines of the console block starting with `$ command_start`, in the README
    or a page of the documentation."""
    start = README.index(f"$ {command_start}")
    block = README[start : README.index("```", start)].rstrip("\n").splitlines()
    return block[0][2:], block[1:]


def test_validate_sample_outputs_are_real(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(ROOT)
    command, expected = console_block(
        "govdocs validate --config examples/governance.yaml --data examples/data/kpis.csv"
    )
    result = CliRunner().invoke(cli, command.split()[1:])
    assert result.output.splitlines() == expected

    bad = tmp_path / "bad.csv"
    bad.write_text(
        "partner,period,kpi,value,volume\nATL,2026-07,csat,85.5,400\nATL,2026-13,csat,85.5,400\n"
        'ATL,2026-08,csat,"85,5",400\nBRV,2026-08,csat,abc,400\nATL,2026-07,csat,86,300\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    command, expected = console_block("govdocs validate --config examples/governance.yaml --data bad.csv")
    args = command.split()[1:]
    args[args.index("examples/governance.yaml")] = str(ROOT / "examples/governance.yaml")
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 4
    assert result.output.splitlines() == expected


def test_example_table_matches_the_engine():
    rows = re.findall(
        r"^\| (\w{3}) [^|]+\| [^|]+\| ([\d.]+)(?: \(provisional, ([\d.]+)–([\d.]+)\))? \| ([^|]+) \| ([^|]+) \|$",
        README,
        re.MULTILINE,
    )
    assert len(rows) == 5
    result = portfolio()
    labels = {
        "none": "None",
        "watch": "Watch",
        "improvement plan": "Performance-improvement plan",
        "offboarding review": "Offboarding review",
    }
    for partner, score, low, high, tier, escalation in rows:
        assessment = result[partner]
        assert float(score) == assessment.score.value
        # a provisional score is printed with its range, and its tier is every tier the range reaches
        assert bool(low) == assessment.score.provisional
        if low:
            assert (float(low), float(high)) == (assessment.score.low, assessment.score.high)
        assert tier.strip() == assessment.score.tier_words
        assert labels[escalation.strip()] == assessment.decision.level.label


def test_init_sample_output_is_real(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    command, expected = console_block("govdocs init my-program")
    result = CliRunner().invoke(cli, shlex.split(command)[1:])
    assert result.exit_code == 0
    assert result.output.splitlines() == expected


def test_document_sample_outputs_are_real(tmp_path: Path, monkeypatch):
    """The document commands as the README shows them (HTML here: ids do not depend on the format)."""
    monkeypatch.chdir(ROOT)
    commands = ("qbr", "pip", "offboarding", "build")
    for start in (f"govdocs {name} --config" for name in commands):
        command, expected = console_block(start)
        out = tmp_path / start.split()[1]
        result = CliRunner().invoke(cli, [*command.split()[1:], "--format", "html", "--out", str(out)])
        assert result.exit_code == 0, result.output
        printed = [line.replace(f"{out}/", "output/").replace(".html", ".pdf") for line in result.stdout.splitlines()]
        assert printed == [line for line in expected if not line.startswith("[")], start


def test_export_sample_output_is_real(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(ROOT)
    command, expected = console_block("govdocs export --config")
    out = tmp_path / "scorecard-2026-Q3.xlsx"
    args = command.split()[1:]
    args[args.index("--out") + 1] = str(out)
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert result.output.replace(str(out), "output/scorecard-2026-Q3.xlsx").splitlines() == expected


def test_aggregate_sample_output_is_real(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(ROOT)
    command, expected = console_block("govdocs aggregate --config")
    out = tmp_path / "kpis.parquet"
    args = command.split()[1:]
    args[args.index("--out") + 1] = str(out)
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert result.output.replace(str(out), "output/kpis-from-raw.parquet").splitlines() == expected


def test_platform_export_sample_output_is_real(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(ROOT)
    command, expected = console_block("govdocs aggregate --config examples/governance.yaml --raw examples/raw/connect")
    out = tmp_path / "kpis.csv"
    args = command.split()[1:]
    args[args.index("--out") + 1] = str(out)
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert result.output.replace(str(out), "output/from-connect/kpis.csv").splitlines() == expected


def test_spark_and_dialect_sample_outputs_are_real(monkeypatch):
    """The --engine spark block prints what the DuckDB block prints (tests/test_spark.py holds the two
    engines to the same output); the --sql --dialect block is the command's first lines."""
    monkeypatch.chdir(ROOT)
    _, duckdb_lines = console_block(
        "govdocs aggregate --config examples/governance.yaml --raw examples/raw/mapping.yaml --out"
    )
    _, spark_lines = console_block(
        "govdocs aggregate --config examples/governance.yaml --raw examples/raw/mapping.yaml --engine spark"
    )
    assert spark_lines == duckdb_lines
    command, expected = console_block(
        "govdocs aggregate --config examples/governance.yaml --raw examples/raw/mapping.yaml --sql --dialect trino"
    )
    args = command.split("|")[0].split()[1:]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[: len(expected)] == expected


def test_help_sample_output_is_real():
    """`govdocs --help` as a user's 80-column terminal prints it: every command listed."""
    command, expected = console_block("govdocs --help")
    env = {**os.environ, "COLUMNS": "80"}
    run = subprocess.run(
        [sys.executable, "-m", "govdocs", *command.split()[1:]], env=env, capture_output=True, text=True
    )
    assert run.returncode == 0
    assert run.stdout.replace("python -m govdocs", "govdocs").splitlines() == expected
    assert all(f"  {name} " in run.stdout for name in cli.commands)


def _build_site(root: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    mkdocs = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(root / "site")]
    return subprocess.run([*mkdocs, "--config-file", str(root / "mkdocs.yml")], env=env, capture_output=True, text=True)


def test_the_documentation_site_builds_with_every_link_resolved(tmp_path: Path):
    shutil.copytree(ROOT / "docs", tmp_path / "docs")
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    run = _build_site(tmp_path)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "site" / "numbers" / "index.html").is_file()
    assert sorted(p.name for p in (ROOT / "docs").glob("*.md")) == sorted(
        re.findall(r"^  - [^:]+: ([\w-]+\.md)$", (ROOT / "mkdocs.yml").read_text(encoding="utf-8"), re.MULTILINE)
    ), "every page is in the site's navigation"

    # The check bites: a link to an anchor no page has stops the build.
    page = tmp_path / "docs" / "index.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n[gone](numbers.md#no-such-heading)\n", encoding="utf-8")
    broken = _build_site(tmp_path)
    assert broken.returncode != 0 and "no-such-heading" in broken.stderr


def test_the_readme_stays_short_and_links_every_page():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 250
    linked = set(re.findall(r"\]\(docs/([\w-]+\.md)\)", readme))
    assert linked == {p.name for p in (ROOT / "docs").glob("*.md")}


def _tutorial_steps() -> list[tuple[str, str]]:
    """The tutorial in order: ("run", command and expected lines) for each console command and
    ("file", content) for each CSV block the reader saves."""
    text = (ROOT / "docs" / "tutorial.md").read_text(encoding="utf-8")
    steps: list[tuple[str, str]] = []
    for kind, body in re.findall(r"^```(console|csv)\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL):
        if kind == "csv":
            steps.append(("file", body))
            continue
        for command in re.split(r"^(?=\$ )", body, flags=re.MULTILINE):
            if command.strip():
                steps.append(("run", command))
    return steps


def test_the_tutorial_runs_as_written(tmp_path: Path, monkeypatch):
    """Every command of docs/tutorial.md, in order, in a new folder: each prints what the page
    shows (HTML here for speed: the printed lines name no file format), and each file the reader
    saves starts with the header the template gave it."""
    monkeypatch.chdir(tmp_path)
    targets = {"partner,period": Path("data/kpis.csv"), "id,objective": Path("actions/SOUTH.csv")}
    runs = 0
    for kind, body in _tutorial_steps():
        if kind == "file":
            target = next(path for start, path in targets.items() if body.startswith(start))
            if target.exists():  # a template init wrote: the page keeps its columns
                assert body.splitlines()[0] == target.read_text(encoding="utf-8").splitlines()[0]
            elif target.name == "kpis.csv":
                template = Path("data/kpis-template.csv").read_text(encoding="utf-8").splitlines()
                assert body.splitlines()[0] == template[0] and len(body.splitlines()) == len(template)
            target.write_text(body, encoding="utf-8")
            continue
        command, *expected = body.rstrip("\n").splitlines()
        args = shlex.split(command[2:])
        if args[0] == "cd":
            monkeypatch.chdir(args[1])
            continue
        assert args[0] == "govdocs", command
        if args[1] in ("build", "qbr", "pip", "offboarding"):
            args.append("--format=html")
        result = CliRunner().invoke(cli, args[1:])
        printed = [line for line in result.output.splitlines() if not re.match(r"^\[\d+/\d+\] ", line)]
        assert printed == expected, command
        runs += 1
    assert runs == 5  # init, validate twice, build twice
    _round_trip()
    assert sorted(p.name for p in Path("output/2026-Q3").iterdir() if p.suffix == ".html") == [
        "pip-SOUTH-internal.html",
        "pip-SOUTH-partner.html",
        "portfolio-summary-internal.html",
        "qbr-NORTH-internal.html",
        "qbr-NORTH-partner.html",
        "qbr-SOUTH-internal.html",
        "qbr-SOUTH-partner.html",
    ]


def _round_trip() -> None:
    """docs/responses.md's "try the round trip" on the tutorial's plan: the form filled as the page
    shows, imported, and the plan rebuilt says it was acknowledged and asks for no signature."""
    assert CliRunner().invoke(cli, ["pip", "--partner", "SOUTH", "--audience", "partner"]).exit_code == 0
    command, expected = console_block("govdocs response fill output/2026-Q3/pip-SOUTH-partner.pdf")
    result = CliRunner().invoke(cli, shlex.split(command)[1:])
    assert result.stdout.splitlines() == expected, result.output
    result = CliRunner().invoke(cli, ["response", "import", "returned/pip-SOUTH-partner.pdf"])
    assert result.exit_code == 0 and "wrote inputs/SOUTH.response.yaml" in result.stdout, result.output
    result = CliRunner().invoke(cli, ["pip", "--partner", "SOUTH", "--audience", "partner", "--format=html"])
    assert result.exit_code == 0, result.output
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", Path("output/2026-Q3/pip-SOUTH-partner.html").read_text()))
    assert "The partner acknowledged it on 15 October 2026 in its returned form" in text
    assert "The partner is asked to sign by" not in text


def test_the_reference_pages_are_generated_from_the_code():
    """docs/cli-reference.md and docs/schema-reference.md are what scripts/docs_reference.py
    writes from the commands and schemas as they are now."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("docs_reference", ROOT / "scripts" / "docs_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for page, maker in module.PAGES.items():
        written = (ROOT / "docs" / page).read_text(encoding="utf-8")
        assert written == getattr(module, maker)(), f"docs/{page} is stale: run python scripts/docs_reference.py"
    reference = (ROOT / "docs" / "cli-reference.md").read_text(encoding="utf-8")
    assert all(f"## govdocs {name}" in reference for name in cli.commands)
