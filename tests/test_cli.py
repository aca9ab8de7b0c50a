"""The command line as a user meets it: help, exit codes, the exact error lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CONFIG, DATA, INPUTS, ROOT

from govdocs.cli import cli
from govdocs.validate import validate_inputs

COMMANDS = sorted(cli.commands)


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_top_level_help_lists_every_command_and_exit_codes():
    result = run("--help")
    assert result.exit_code == 0
    for name in COMMANDS:
        assert name in result.output
    assert "Exit codes" in result.output


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command):
    result = run(command, "--help")
    assert result.exit_code == 0
    assert "Example" in result.output
    assert cli.commands[command].get_short_help_str(100).strip()


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_is_in_the_readme(command):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"govdocs {command}" in readme


def test_validate_example_is_valid():
    result = run("validate", "--config", str(CONFIG), "--data", str(DATA), "--inputs", str(INPUTS))
    assert result.exit_code == 0
    # the four warnings: the reviewer's sentences issue 35's reader found false or unverifiable,
    # kept in the example to show the rule (tests/test_reviewer_claims.py)
    assert result.output.strip().splitlines()[-1].startswith("valid: 0 errors, 4 warnings")


def test_validate_json_equals_the_library_report(tmp_path: Path):
    bad = tmp_path / "kpis.csv"
    bad.write_text(DATA.read_text(encoding="utf-8").replace("ATL,2026-09,csat,", "ZZZ,2026-09,csat,", 1))
    result = run("validate", "--config", str(CONFIG), "--data", str(bad), "--json")
    assert result.exit_code == 4
    printed = json.loads(result.output)
    assert printed == json.loads(json.dumps(validate_inputs(CONFIG, [bad]).to_dict()))
    assert printed["valid"] is False
    problem = printed["problems"][0]
    assert problem["code"] == "data.unknown_partner"
    assert problem["location"]["file"] == str(bad) and problem["location"]["column"] == "partner"


def test_validate_reports_config_and_data_problems_together(tmp_path: Path):
    config = tmp_path / "governance.yaml"
    config.write_text(CONFIG.read_text(encoding="utf-8").replace("    floor: 75\n", "    floor: 85\n", 1))
    data = tmp_path / "kpis.csv"
    data.write_text("partner,period,kpi,value\nATL,2026-13,csat,80\n", encoding="utf-8")
    result = run("validate", "--config", str(config), "--data", str(data))
    assert result.exit_code == 3  # config problems rank first
    lines = result.output.splitlines()
    line_of_floor = CONFIG.read_text(encoding="utf-8").splitlines().index("    floor: 75") + 1
    assert any(f"{config}:{line_of_floor}: kpis[0].floor" in line and "[config.floor_side]" in line for line in lines)
    assert any(f"{data}:2: column 'period'" in line for line in lines)


def test_partner_and_all_together_is_one_usage_error_on_every_command():
    for command in ("qbr", "pip", "offboarding", "build", "export"):
        result = run(
            command, "--config", str(CONFIG), "--data", str(DATA), "--quarter", "2026-Q3", "--partner", "BRV", "--all"
        )
        assert result.exit_code == 2, command
        assert "--partner and --all exclude each other" in result.output, command


def test_qbr_bad_quarter_is_a_usage_error():
    result = run("qbr", "--config", str(CONFIG), "--data", str(DATA), "--quarter", "Q3-2026", "--all")
    assert result.exit_code == 2
    assert "'Q3-2026' is not a quarter like 2026-Q3" in result.output


def test_qbr_unknown_partner(tmp_path: Path):
    result = run(
        "qbr",
        "--config",
        str(CONFIG),
        "--data",
        str(DATA),
        "--quarter",
        "2026-Q3",
        "--partner",
        "XYZ",
        "--out",
        str(tmp_path),
    )
    assert result.exit_code == 2
    assert "error: --partner: no partner 'XYZ' in the config" in result.output
    assert not any(tmp_path.iterdir())


def test_qbr_quarter_without_data(tmp_path: Path):
    result = run(
        "qbr",
        "--config",
        str(CONFIG),
        "--data",
        str(DATA),
        "--quarter",
        "2027-Q1",
        "--as-of",
        "2027-04-15",
        "--all",
        "--out",
        str(tmp_path),
    )
    assert result.exit_code == 4
    assert "no KPI rows for 2027-Q1 (the data ends 2026-09)" in result.output


def test_qbr_bad_config_exit_3_and_nothing_written(tmp_path: Path):
    config = tmp_path / "governance.yaml"
    config.write_text("client:\n  name: X\nclient:\n  name: Y\n", encoding="utf-8")
    result = run(
        "qbr",
        "--config",
        str(config),
        "--data",
        str(DATA),
        "--quarter",
        "2026-Q3",
        "--all",
        "--out",
        str(tmp_path / "out"),
    )
    assert result.exit_code == 3
    assert f"error: {config}:3: client: duplicate key 'client' (first on line 1)" in result.output
    assert not (tmp_path / "out").exists()
    assert "Traceback" not in result.output


def test_qbr_html_format_and_existing_file(tmp_path: Path):
    args = [
        "qbr",
        "--config",
        str(CONFIG),
        "--data",
        str(DATA),
        "--inputs",
        str(INPUTS),
        "--quarter",
        "2026-Q3",
        "--partner",
        "ATL",
        "--format",
        "html",
        "--as-of",
        "2026-10-15",
        "--out",
        str(tmp_path),
    ]
    first = run(*args)
    assert first.exit_code == 0, first.output
    path = tmp_path / "2026-Q3" / "qbr-ATL-partner.html"
    assert "Atlas Contact Solutions" in path.read_text(encoding="utf-8")
    again = run(*args)  # its own document, unchanged: kept, not refused and not rendered again
    assert again.exit_code == 0
    assert f"kept  {path}" in again.output and "(1 kept unchanged)" in again.output
    path.write_text("my own notes", encoding="utf-8")  # now the user's file: refused
    refused = run(*args)
    assert refused.exit_code == 6
    assert f"error: {path}: document exists; pass --force to replace it" in refused.output
    assert run(*args, "--force").exit_code == 0
    assert "Atlas Contact Solutions" in path.read_text(encoding="utf-8")


def test_schema_is_json_schema():
    result = run("schema")
    schema = json.loads(result.output)
    assert schema["title"] == "GovernanceConfig"
    assert {"client", "kpis", "partners"} <= set(schema["required"])


def test_internal_error_is_one_line_without_debug(monkeypatch, tmp_path: Path):
    import govdocs.pipeline

    def boom(*args, **kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(govdocs.pipeline, "render_qbrs", boom)
    result = CliRunner().invoke(
        cli, ["qbr", "--config", str(CONFIG), "--data", str(DATA), "--quarter", "2026-Q3", "--all"]
    )
    assert result.exit_code == 1
    assert (
        result.output.strip()
        == "internal error: RuntimeError: kaboom (run with --debug for the traceback and report it)"
    )
    debug = CliRunner().invoke(
        cli, ["--debug", "qbr", "--config", str(CONFIG), "--data", str(DATA), "--quarter", "2026-Q3", "--all"]
    )
    assert isinstance(debug.exception, RuntimeError)


def test_missing_inputs_folder_is_a_usage_error_not_silently_ignored(tmp_path: Path):
    result = run(
        "qbr",
        "--config",
        str(CONFIG),
        "--data",
        str(DATA),
        "--inputs",
        str(tmp_path / "nope"),
        "--quarter",
        "2026-Q3",
        "--all",
        "--out",
        str(tmp_path / "out"),
    )
    assert result.exit_code == 2
    assert str(tmp_path / "nope") in result.output  # named; the wording around it is click's
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_validate_warns_when_the_reviewers_words_contradict_the_status(tmp_path: Path):
    """A highlight about a red KPI, or a concern about a green one, would print beside a status
    that says the opposite: validate says so, with the line."""
    import shutil

    inputs = tmp_path / "inputs"
    shutil.copytree(INPUTS, inputs)
    crn = inputs / "CRN.yaml"
    text = crn.read_text(encoding="utf-8")
    old = "  highlights:\n"
    assert text.count(old) == 1
    crn.write_text(text.replace(old, old + "    - Service level recovered well in September.\n"), encoding="utf-8")
    line = crn.read_text(encoding="utf-8").splitlines().index("    - Service level recovered well in September.") + 1
    args = ["validate", "--config", str(CONFIG), "--data", str(DATA), "--inputs", str(inputs), "--quarter", "2026-Q3"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert (
        f"warning  {crn}:{line}: commentary.highlights[0]  highlight about Service level, which is below target "
        "in Q3 2026 (red): the QBR prints it beside that status  [inputs.highlights_contradict]"
    ) in result.output
    # and the sentence states nothing the checker reads (left out of the partner copy); the other four
    # are the example's own (tests/test_reviewer_claims.py)
    assert f"{crn}:{line}: commentary.highlights[0]  the reviewer's sentence is about the KPIs" in result.output
    assert "valid: 0 errors, 6 warnings (5 partners" in result.output


@pytest.mark.parametrize(
    ("as_of", "reason"),
    [
        ("9999-12-31", "is more than 3 years after Q3 2026 ended (2026-09-30)"),
        ("0001-01-01", "is not after Q3 2026 ended (2026-09-30): a document is issued after its quarter"),
        ("2026-07-01", "is not after Q3 2026 ended (2026-09-30): a document is issued after its quarter"),
    ],
)
@pytest.mark.parametrize("command", ["qbr", "build", "export"])
def test_an_issue_date_outside_its_quarters_reach_is_a_usage_error(tmp_path: Path, as_of, reason, command):
    """'--as-of 9999-12-31' ended in an OverflowError, 0001-01-01 in a ValueError, and a Q3 review dated
    1 July was accepted: each is now exit 2 with one line, and nothing is written."""
    out = tmp_path / ("out.csv" if command == "export" else "out")
    args = [command, "--config", str(CONFIG), "--data", str(DATA), "--quarter", "2026-Q3", "--as-of", as_of]
    args += ["--out", str(out)] + (["--all", "--format", "html"] if command == "qbr" else [])
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert result.stderr == f"error: --as-of: {as_of} {reason} [usage.as_of]\n"
    assert not out.exists()


def test_a_plan_older_than_the_data_is_left_out_with_a_warning(tmp_path: Path):
    """A plan on record from before the data starts cannot be judged: validate says so at its line,
    and the documents do not name it (nor stop for it)."""
    text = CONFIG.read_text(encoding="utf-8")
    old = "      - {quarter: 2026-Q1, start: 2026-04-07, final_review: 2026-07-06}"
    assert old in text
    config = tmp_path / "governance.yaml"
    config.write_text(text.replace(old, "      - {quarter: 2024-Q1, start: 2024-04-08}\n" + old), encoding="utf-8")
    line = config.read_text(encoding="utf-8").splitlines().index("      - {quarter: 2024-Q1, start: 2024-04-08}") + 1
    result = CliRunner().invoke(cli, ["validate", "--config", str(config), "--data", str(DATA)])
    assert result.exit_code == 0, result.output
    assert (
        f"warning  {config}:{line}: partners[2].plans[0]  the data has no row of 'CRN' in 2024-Q1: this plan "
        "cannot be judged, so no document names it  [config.plan_before_data]"
    ) in result.output
    args = ["qbr", "--config", str(config), "--data", str(DATA), "--quarter", "2026-Q3", "--partner", "CRN"]
    args += ["--as-of", "2026-10-15", "--format", "html", "--out", str(tmp_path / "out")]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    html = (tmp_path / "out" / "2026-Q3" / "qbr-CRN-partner.html").read_text(encoding="utf-8")
    assert "2024" not in html.split("Improvement plans.")[1][:600]
    assert "The plan after the Q1 2026 review" in html
