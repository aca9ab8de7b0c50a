"""From `govdocs init` to a programme's own documents: the project folder every command reads,
the starter written for the user's partners and KPIs, and the incremental build."""

from __future__ import annotations

import csv
import json
import re
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from govdocs.cli import cli
from govdocs.kpi_catalogue import CATALOGUE
from govdocs.project import last_complete_quarter

AS_OF = "2026-10-15"
PARTNERS = ("NORTH=North Contact Ltd", "SOUTH=South Service Co")
KPIS = ("service_level", "aht", "csat", "fcr")
# Every name of the example programme (client, partners, people, policies): none may reach a starter.
EXAMPLE_WORDS = ("Helios", "Atlas", "Bravo", "Cornerstone", "Delta", "Echo", "Okafor", "Achterberg", "refund")
EXAMPLE_WORDS += ("identity-verification", "billing", "MSA Schedule")


def run(*args: str, cwd: Path | None = None, monkeypatch=None):
    if cwd is not None and monkeypatch is not None:
        monkeypatch.chdir(cwd)
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def programme(tmp_path_factory) -> Path:
    """A programme made by init (2 partners, 4 KPIs), its data template filled: NORTH meets
    every target, SOUTH's service level is red all quarter (a plan is called for)."""
    root = tmp_path_factory.mktemp("init") / "acme"
    args = ["init", str(root), "--client", "Acme Energy"]
    args += [a for p in PARTNERS for a in ("--partner", p)] + [a for k in KPIS for a in ("--kpi", k)]
    result = run(*args)
    assert result.exit_code == 0, result.output
    return root


def fill_data(root: Path) -> None:
    good = {"service_level": 84, "aht": 400, "csat": 88, "fcr": 78}
    bad = {"service_level": 70, "aht": 470, "csat": 86, "fcr": 76}
    volume = {"service_level": 2000, "aht": 1900, "csat": 300, "fcr": 300}
    with (root / "data" / "kpis-template.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    with (root / "data" / "kpis.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            row["value"] = (good if row["partner"] == "NORTH" else bad)[row["kpi"]]
            row["volume"] = volume[row["kpi"]]
            writer.writerow(row)


def test_init_writes_a_project_for_the_given_partners_and_kpis(programme: Path):
    names = sorted(p.relative_to(programme).as_posix() for p in programme.rglob("*") if p.is_file())
    assert names == [
        "README.md",
        "actions/NORTH.csv",
        "actions/SOUTH.csv",
        "assessments/.keep",
        "data/kpis-template.csv",
        "govdocs.yaml",
        "governance.yaml",
        "inputs/NORTH.yaml",
        "inputs/SOUTH.yaml",
    ]
    for path in programme.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            assert not [w for w in EXAMPLE_WORDS if w in text], path
    config = (programme / "governance.yaml").read_text(encoding="utf-8")
    ids = re.findall(r"^  - id: (\S+)$", config, flags=re.MULTILINE)
    assert ids == [*KPIS, '"NORTH"', '"SOUTH"']
    for section in ("action_library", "commercial", "watermelon", "client_factors", "offboarding"):
        assert f"\n# {section}:" in config and f"\n{section}:" not in config  # present, commented out
    header = (programme / "actions" / "SOUTH.csv").read_text(encoding="utf-8").strip()
    assert header == "id,objective,category,action,metric,threshold,owner,due,side,replaces,status,note"
    with (programme / "data" / "kpis-template.csv").open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["partner", "period", "kpi", "value", "volume"] and len(rows) == 1 + 2 * 3 * 4


def test_the_config_validates_as_written_with_every_default_target_sourced(programme: Path):
    result = run("validate", "--project", str(programme))
    assert result.exit_code == 0, result.output
    # the only warnings: the contract terms init had to guess, 4 a partner, until confirmed
    assert result.output.splitlines()[-1].startswith("valid: 0 errors, 8 warnings (2 partners, 4 KPIs")
    assert result.output.count("[config.unconfirmed]") == 8
    config = (programme / "governance.yaml").read_text(encoding="utf-8")
    for kpi in CATALOGUE:
        if kpi.id in KPIS:
            assert json.dumps(kpi.target_source) in config
    # a target with a named source links the page it was checked against; the rest say so plainly
    assert all(
        k.source_url or "common industry practice" in k.target_source or "baseline" in k.target_source
        for k in CATALOGUE
    )


def test_every_command_reads_the_project_and_options_still_win(programme: Path, monkeypatch, tmp_path: Path):
    monkeypatch.chdir(programme / "inputs")  # found by walking up, as git finds .git
    missing = run("qbr", "--as-of", AS_OF, "--format", "html")
    assert missing.exit_code == 2
    assert "no KPI data yet:" in missing.output and "data/kpis.csv does not exist" in missing.output
    fill_data(programme)
    assert run("validate").exit_code == 0
    result = run("qbr", "--as-of", AS_OF, "--format", "html")
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in (programme / "output" / "2026-Q3").glob("*.html"))
    assert written == ["qbr-NORTH-partner.html", "qbr-SOUTH-partner.html"]
    html = (programme / "output" / "2026-Q3" / "qbr-SOUTH-partner.html").read_text(encoding="utf-8")
    assert "Acme Energy" in html and "South Service Co" in html
    assert not [w for w in EXAMPLE_WORDS if w in html]
    assert "North Contact Ltd" not in html  # nor the other partner's name
    elsewhere = tmp_path / "elsewhere"
    again = run("qbr", "--as-of", AS_OF, "--format", "html", "--partner", "NORTH", "--out", str(elsewhere))
    assert again.exit_code == 0
    assert (elsewhere / "2026-Q3" / "qbr-NORTH-partner.html").exists()


def test_a_plan_needs_the_partners_actions_and_then_renders(programme: Path, monkeypatch):
    monkeypatch.chdir(programme)
    if not (programme / "data" / "kpis.csv").exists():
        fill_data(programme)
    refused = run("pip", "--as-of", AS_OF, "--format", "html")
    assert refused.exit_code == 5
    assert "objective 'service_level' (Service level) has no partner action" in refused.output
    row = "S-1,service_level,staffing_attrition,Hire and train 12 agents for the evening peak,"
    row += "Agents live on the evening shift,>= 12 by the due date,South operations manager,2026-12-15,partner,,,\n"
    with (programme / "actions" / "SOUTH.csv").open("a", encoding="utf-8") as handle:
        handle.write(row)
    result = run("pip", "--as-of", AS_OF, "--format", "html", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [(d["partner"], d["type"]) for d in report["documents"]] == [("SOUTH", "pip")]
    assert report["skipped"] == [
        {"partner": "NORTH", "reason": "escalation status none in 2026-Q3: no plan called for"}
    ]
    html = Path(report["documents"][0]["path"]).read_text(encoding="utf-8")
    assert "Hire and train 12 agents for the evening peak" in html


def test_removing_a_kpi_or_partner_says_what_to_remove_with_it(programme: Path, tmp_path: Path):
    if not (programme / "data" / "kpis.csv").exists():
        fill_data(programme)
    config = (programme / "governance.yaml").read_text(encoding="utf-8")
    blocks = [b for b in config.split("\n\n") if not b.startswith(("  - id: fcr", '  - id: "SOUTH"'))]
    edited = tmp_path / "governance.yaml"
    edited.write_text("\n\n".join(blocks), encoding="utf-8")
    result = run("validate", "--project", str(programme), "--config", str(edited))
    assert result.exit_code == 4
    assert "KPI 'fcr' is not in the config (5 more rows): remove its rows with the KPI" in result.output
    assert "partner 'SOUTH' is not in the config (11 more rows): remove its rows with the partner" in result.output
    assert "no partner 'SOUTH' in the config: remove this file with the partner" in result.output


def test_a_problem_in_the_project_file_is_one_line_with_its_line(tmp_path: Path):
    (tmp_path / "govdocs.yaml").write_text("version: 1\nconfig: governance.yaml\nqarter: 2026-Q3\n", encoding="utf-8")
    result = run("build", "--project", str(tmp_path))
    assert result.exit_code == 3
    lines = result.output.strip().splitlines()
    assert lines == [
        f"error: {tmp_path / 'govdocs.yaml'}:3: qarter: unknown field (check the spelling; see "
        "`govdocs schema --of project`) [project.extra_forbidden]"
    ]
    (tmp_path / "govdocs.yaml").write_text("version: 1\nconfig: governance.yaml\n", encoding="utf-8")
    result = run("validate", "--project", str(tmp_path))
    assert result.exit_code == 3
    assert f"{tmp_path / 'govdocs.yaml'}:2: config: no file 'governance.yaml'" in result.output


@pytest.mark.parametrize(
    ("day", "quarter"), [(date(2026, 10, 15), "2026-Q3"), (date(2026, 1, 1), "2025-Q4"), (date(2026, 9, 30), "2026-Q2")]
)
def test_the_default_quarter_is_the_last_complete_one(day: date, quarter: str):
    assert str(last_complete_quarter(day)) == quarter


def test_a_second_build_keeps_unchanged_documents_and_protects_the_users_files(programme: Path, monkeypatch):
    monkeypatch.chdir(programme)
    if not (programme / "data" / "kpis.csv").exists():
        fill_data(programme)
    out = programme / "output-incremental"
    first = run("build", "--as-of", AS_OF, "--format", "html", "--out", str(out), "--json")
    assert first.exit_code == 0, first.output
    second = json.loads(run("build", "--as-of", AS_OF, "--format", "html", "--out", str(out), "--json").stdout)
    assert second["exit_code"] == 0 and all(d["kept"] for d in second["documents"])
    # one partner's inputs change: only its documents (and the portfolio summary) are rendered again
    inputs = programme / "inputs" / "SOUTH.yaml"
    inputs.write_text(inputs.read_text(encoding="utf-8") + "commentary:\n  highlights: [Quality held.]\n", "utf-8")
    third = json.loads(run("build", "--as-of", AS_OF, "--format", "html", "--out", str(out), "--json").stdout)
    rendered = sorted(Path(d["path"]).name for d in third["documents"] if not d["kept"])
    assert rendered == [
        "pip-SOUTH-internal.html",
        "pip-SOUTH-partner.html",
        "qbr-SOUTH-internal.html",
        "qbr-SOUTH-partner.html",
    ]
    # a document edited by hand is the user's now: refused, never replaced without --force
    (out / "2026-Q3" / "qbr-NORTH-partner.html").write_text("my notes", encoding="utf-8")
    refused = run("build", "--as-of", AS_OF, "--format", "html", "--out", str(out))
    assert refused.exit_code == 6
    assert "qbr-NORTH-partner.html: document exists; pass --force to replace it" in refused.output
