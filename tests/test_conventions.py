"""One set of conventions for every command: the test walks every command's Click parameters
(govdocs.cli) and holds them to the same option names, meanings and help."""

from __future__ import annotations

from collections.abc import Iterator

import click
import pytest
from click.testing import CliRunner
from conftest import CONFIG, DATA

from govdocs.cli import cli
from govdocs.cli.app import DateType, QuarterType


def commands(group: click.Group = cli, prefix: str = "") -> Iterator[tuple[str, click.Command]]:
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from commands(command, f"{prefix}{name} ")
        else:
            yield f"{prefix}{name}", command


ALL = list(commands())
NAMES = [name for name, _ in ALL]


def options(command: click.Command) -> dict[str, click.Option]:
    return {opt: p for p in command.params if isinstance(p, click.Option) for opt in p.opts}


# Each shared option: the parameter it fills and what it holds. `init` defines partners and
# KPIs rather than choosing among the config's (ID=NAME), and is the one exception named here.
SHARED = {
    "--config": "config_path",
    "--data": "data_paths",
    "--inputs": "inputs_dir",
    "--quarter": "quarter",
    "--partner": "partner_ids",
    "--all": "all_partners",
    "--actions": "actions",
    "--assessments": "assessments",
    "--as-of": "as_of",
    "--raw": "raw",
    "--templates": "templates",
    "--json": "as_json",
    "--force": "force",
}
DEFINES_PARTNERS = {"init"}
RETIRED = {"--assessment", "--actions-dir", "--assessments-dir"}
EXIT_CODES = ("0 ok", "1 internal error", "2 usage", "3 config", "4 data", "5 human inputs", "6 output", "7 render")
EXIT_CODES += ("8 raw-data engine", "9 an extra", "130 interrupted", "143 stopped")


def test_the_listed_exit_codes_are_every_code_govdocs_exits_with():
    from govdocs.errors import ExitCode

    listed = {int(code.split()[0]) for code in EXIT_CODES}
    assert listed == {int(code) for code in ExitCode} | {130, 143}


@pytest.mark.parametrize("name", NAMES)
def test_every_command_prints_its_result_as_json_on_request(name):
    command = dict(ALL)[name]
    assert "--json" in options(command), f"{name} has no --json"
    assert options(command)["--json"].is_flag


@pytest.mark.parametrize("name", NAMES)
def test_shared_options_mean_the_same_everywhere(name):
    command = dict(ALL)[name]
    found = options(command)
    assert not RETIRED & set(found), f"{name} uses a retired option name"
    for opt, param_name in SHARED.items():
        if opt not in found or (opt == "--partner" and name in DEFINES_PARTNERS):
            continue
        assert found[opt].name == param_name, f"{name} {opt} fills {found[opt].name}, not {param_name}"
    if "--quarter" in found:
        assert isinstance(found["--quarter"].type, QuarterType) and not found["--quarter"].required
    if "--as-of" in found:
        assert isinstance(found["--as-of"].type, DateType)
    if "--partner" in found and name not in DEFINES_PARTNERS:
        assert found["--partner"].multiple and found["--partner"].metavar == "ID"
        assert "--all" in found, f"{name} has --partner without --all"
    for opt in ("--actions", "--assessments"):  # a folder of <ID> files, or one file with one --partner
        if opt in found:
            kind = found[opt].type
            assert isinstance(kind, click.Path) and kind.file_okay and kind.dir_okay and kind.exists
    if "--config" in found:
        assert "--project" in found, f"{name} reads the config but not the project file"


@pytest.mark.parametrize("name", NAMES)
def test_out_is_a_folder_for_documents_and_a_file_or_dash_for_tables(name):
    found = options(dict(ALL)[name])
    if "--out" not in found:
        return
    out = found["--out"]
    assert isinstance(out.type, click.Path)
    if out.name == "out_dir":  # documents go to OUT/<quarter>/
        assert not out.type.file_okay
    else:  # a table: a file, or - for stdout
        assert out.name == "out" and not out.type.dir_okay and out.type.allow_dash


@pytest.mark.parametrize("name", NAMES)
def test_every_option_has_help_and_every_help_lists_every_exit_code(name):
    command = dict(ALL)[name]
    for param in command.params:
        if isinstance(param, click.Option):
            assert param.help, f"{name} {param.opts[0]} has no help"
    text = CliRunner().invoke(cli, [*name.split(), "--help"]).output
    flat = " ".join(text.split())
    for code in EXIT_CODES:
        assert code in flat, f"{name} --help lacks exit code '{code}'"


def test_the_group_help_lists_every_exit_code():
    flat = " ".join(CliRunner().invoke(cli, ["--help"]).output.split())
    assert all(code in flat for code in EXIT_CODES)


@pytest.mark.parametrize("name", [n for n, c in ALL if "--all" in options(c)])
def test_partner_and_all_together_is_the_same_usage_error(name):
    args = [*name.split(), "--config", str(CONFIG), "--data", str(DATA), "--quarter", "2026-Q3"]
    result = CliRunner().invoke(cli, [*args, "--partner", "BRV", "--all"])
    assert result.exit_code == 2
    assert "--partner and --all exclude each other" in result.output


def test_quarter_is_needed_outside_a_project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no govdocs.yaml here or above
    result = CliRunner().invoke(cli, ["qbr", "--config", str(CONFIG), "--data", str(DATA), "--format", "html"])
    assert result.exit_code == 2
    assert "--quarter is needed outside a project folder" in result.output


def test_export_writes_to_stdout_with_dash_and_prints_rows_as_json(tmp_path):
    args = ["export", "--config", str(CONFIG), "--data", str(DATA), "--quarter", "2026-Q3", "--as-of", "2026-10-15"]
    csv_out = CliRunner().invoke(cli, [*args, "--out", "-"])
    assert csv_out.exit_code == 0, csv_out.output
    lines = csv_out.stdout.splitlines()
    assert lines[0].startswith("partner,partner_name,quarter,kpi,") and len(lines) == 1 + 40
    as_json = CliRunner().invoke(cli, [*args, "--json", "--partner", "BRV"])
    import json

    rows = json.loads(as_json.stdout)
    assert len(rows) == 8 and {row["partner"] for row in rows} == {"BRV"}
    written = CliRunner().invoke(cli, [*args, "--out", str(tmp_path / "scorecard.parquet")])
    assert written.exit_code == 0 and (tmp_path / "scorecard.parquet").stat().st_size > 0
