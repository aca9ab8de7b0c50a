"""A user's first programme, the rough edges: project-file values named as the project file's
(not as options), which project file a command read, paths that are not files, the words of a
quarter error, init's names checked as the config checks them, a lost build journal, values
init guessed, and `validate --fix`."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from govdocs.cli import cli

AS_OF = "2026-10-15"


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    root = tmp_path / "prog"
    result = run("init", str(root), "--partner", "NORTH=North Ltd", "--partner", "SOUTH=South Co", "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    shutil.copy(root / "data" / "kpis-template.csv", root / "data" / "kpis.csv")
    monkeypatch.chdir(root)
    return root


def _set(root: Path, key: str, value: str) -> int:
    """Set a key of the project file; returns its line."""
    lines = (root / "govdocs.yaml").read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if line.startswith(f"{key}:"):
            lines[i] = f"{key}: {value}"
            break
    else:
        lines.append(f"{key}: {value}")
        i = len(lines) - 1
    (root / "govdocs.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return i + 1


def test_an_as_of_from_the_project_file_is_named_as_its_line_not_an_option(project: Path):
    line = _set(project, "as_of", "2026-09-30")
    _set(project, "quarter", "2026-Q3")
    result = run("validate")  # validate takes no issue date: fine
    result = run("build", "--format", "html")
    assert result.exit_code == 3, result.output
    error = [x for x in result.output.splitlines() if x.startswith("error:")]
    assert error == [
        f"error: {project / 'govdocs.yaml'}:{line}: as_of: 2026-09-30 is not after Q3 2026 ended (2026-09-30): "
        "a document is issued after its quarter [project.as_of]"
    ]
    assert "--as-of" not in error[0]


def test_a_quarter_from_the_project_file_that_makes_the_date_wrong_names_its_line(project: Path):
    line = _set(project, "quarter", "2026-Q4")
    result = run("build", "--format", "html", "--as-of", AS_OF)
    assert result.exit_code == 3, result.output
    assert f"govdocs.yaml:{line}: quarter: 2026-10-15 is not after Q4 2026 ended" in result.output


def test_the_project_file_used_is_said_on_stderr_and_no_project_ignores_it(project: Path):
    (project / "sub").mkdir()
    os.chdir(project / "sub")
    result = run("validate")
    assert result.stderr.splitlines()[0] == f"project: {project / 'govdocs.yaml'}; --no-project to ignore it"
    assert "project:" not in result.stdout
    quiet = run("--quiet", "validate")
    assert "project:" not in quiet.output
    ignored = run("validate", "--no-project")
    assert ignored.exit_code == 2 and "Missing option '--config'" in ignored.output
    assert "project:" not in ignored.output
    both = run("validate", "--no-project", "--project", str(project))
    assert both.exit_code == 2 and "--project and --no-project exclude each other" in both.output


@pytest.mark.parametrize("kind", ["folder", "fifo"])
def test_a_data_path_that_is_not_a_regular_file_is_refused_not_taken_for_missing(project: Path, kind: str):
    target = project / "data" / "kpis.csv"
    target.unlink()
    if kind == "folder":
        target.mkdir()
    else:
        if not hasattr(os, "mkfifo"):
            pytest.skip("no FIFOs here")
        os.mkfifo(target)
    result = run("validate")
    assert result.exit_code == 3, result.output
    what = "a folder" if kind == "folder" else "not a regular file (a FIFO, device or socket)"
    lines = [x for x in result.output.splitlines() if x.startswith("error")]
    assert lines == [
        f"error: {project / 'govdocs.yaml'}:6: data[0]: 'data/kpis.csv' is {what}, where a file is expected "
        "[project.wrong_kind]"
    ]
    assert "no data/kpis.csv yet" not in result.output


def test_a_quarter_error_gives_the_expected_form_not_a_regular_expression(project: Path):
    line = _set(project, "quarter", "2026-3")
    result = run("validate")
    assert result.exit_code == 3
    assert (
        f"govdocs.yaml:{line}: quarter: '2026-3' is not a valid value here: expected a quarter written like "
        "2026-Q3, or last_complete" in result.output
    )
    assert "\\d" not in result.output and "match the pattern" not in result.output


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["--partner", "CON=Console Ltd"],
            "error: --partner CON=Console Ltd: partner id 'CON' is a reserved file name",
        ),
        (
            ["--partner", "A=Same Co", "--partner", "B=Same Co"],
            "error: --partner B=Same Co: 'Same Co' is also a name of partner 'A' [usage.duplicate_name]",
        ),
        (["--partner", "a=One", "--partner", "A=Two"], "error: --partner A=Two: partner id 'A' differs from 'a' only"),
        (["--partner", "A=North\u202eLtd"], "error: --partner A=North\\u202eLtd: 'North\\u202eLtd' contains a bidi"),
        (["--partner", "A=Alpha", "--client", "Ac\x1bme"], "error: --client: the text holds a control character"),
    ],
)
def test_init_refuses_what_validate_would_refuse_before_writing_anything(tmp_path: Path, args: list[str], line: str):
    target = tmp_path / "prog"
    result = run("init", str(target), *args)
    assert result.exit_code == 2, result.output
    errors = result.output.strip().splitlines()
    assert len(errors) == 1 and errors[0].startswith(line.replace("a bidi", "a bidirectional")), errors
    assert not target.exists()


def _fill(root: Path) -> None:
    """NORTH meets every default target; SOUTH falls short."""
    import csv

    values = {"service_level": (84, 70), "abandonment": (4, 9), "fcr": (78, 70), "csat": (88, 80)}
    with (root / "data" / "kpis-template.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    with (root / "data" / "kpis.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            row["value"] = values[row["kpi"]][row["partner"] != "NORTH"]
            row["volume"] = 2000
            writer.writerow(row)


def _text(path: Path) -> str:
    import html
    import re

    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8"))))


def _cover(path: Path) -> str:
    text = _text(path)
    return text[text.index("Contract") : text.index("Executive summary")]


def test_contract_terms_init_guessed_are_warned_at_their_line_and_never_printed_as_facts(project: Path):
    _fill(project)
    config = (project / "governance.yaml").read_text(encoding="utf-8").splitlines()
    result = run("validate", "--json")
    report = __import__("json").loads(result.stdout)
    guessed = [p for p in report["problems"] if p["code"] == "config.unconfirmed"]
    # start, end, notice_days, auto_renew of each of 2 partners (renewal_months: not of a contract that does
    # not renew itself)
    assert len(guessed) == 8
    start = next(p for p in guessed if p["location"]["path"] == "partners[0].contract.start")
    assert config[start["location"]["line"] - 1].strip().startswith("start: ")
    assert start["severity"] == "warning" and report["valid"]
    assert start["message"] == (
        "'NORTH': a placeholder of `govdocs init` (covers say 'to be confirmed'): set it from the contract, then "
        "remove start from partners[0].contract.to_confirm"
    )

    built = run("build", "--format", "html", "--out", "out", "--partner", "NORTH")
    assert built.exit_code == 0, built.output
    cover = _cover(project / "out" / "2026-Q3" / "qbr-NORTH-partner.html")
    assert "Term To be confirmed Notice period To be confirmed Notice deadline To be confirmed" in cover
    assert "Auto-renewal To be confirmed" in cover
    assert "2028" not in cover and "90 days" not in cover  # the placeholders: 1 Jan 2026 - 31 Dec 2028, 90 days

    # confirmed: the terms are facts again, and validate is silent about them
    text = (project / "governance.yaml").read_text(encoding="utf-8")
    (project / "governance.yaml").write_text(
        text.replace("to_confirm: [start, end, notice_days, auto_renew, renewal_months]", "to_confirm: []"),
        encoding="utf-8",
    )
    again = __import__("json").loads(run("validate", "--json").stdout)
    assert not [p for p in again["problems"] if p["code"] == "config.unconfirmed"]
    run("build", "--format", "html", "--out", "out2", "--partner", "NORTH")
    cover = _cover(project / "out2" / "2026-Q3" / "qbr-NORTH-partner.html")
    assert "To be confirmed" not in cover and "90 days" in cover and "2028" in cover


def test_a_cover_names_no_people_field_when_the_config_names_nobody(project: Path):
    _fill(project)
    run("build", "--format", "html", "--out", "out", "--partner", "NORTH")
    assert "People" not in _text(project / "out" / "2026-Q3" / "qbr-NORTH-partner.html")
    config = project / "governance.yaml"
    text = config.read_text(encoding="utf-8").replace(
        '  - id: "NORTH"\n',
        '  - id: "NORTH"\n    contacts:\n      - {name: Ann Lee, role: Account Director, side: partner}\n',
        1,
    )
    config.write_text(text, encoding="utf-8")
    run("build", "--format", "html", "--out", "out2", "--partner", "NORTH")
    cover = _text(project / "out2" / "2026-Q3" / "qbr-NORTH-partner.html")
    assert "People North Ltd Ann Lee · Account Director" in cover


def test_weights_that_do_not_add_up_to_100_are_said_by_validate_and_the_method_appendix(project: Path):
    _fill(project)
    config = project / "governance.yaml"
    lines = config.read_text(encoding="utf-8").splitlines()
    weights = [i for i, line in enumerate(lines) if line.strip().startswith("weight:")]
    assert sum(int(lines[i].split(":")[1]) for i in weights) == 100  # init writes a total of 100
    lines[weights[0]] = "    weight: 5"  # 33 -> 5: a total of 72
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = __import__("json").loads(run("validate", "--json").stdout)
    scaled = [p for p in report["problems"] if p["code"] == "config.weights_not_100"]
    assert len(scaled) == 1 and scaled[0]["location"]["path"] == "kpis"
    assert lines[scaled[0]["location"]["line"] - 1] == "kpis:"
    total = sum(int(line.split(":")[1]) for line in (lines[i] for i in weights))
    assert f"the KPI weights add up to {total}, not 100: each weight is scaled by 100/{total}" in scaled[0]["message"]
    run("build", "--format", "html", "--out", "out", "--partner", "NORTH")
    text = _text(project / "out" / "2026-Q3" / "qbr-NORTH-partner.html")
    assert f"The weights in the config add up to {total}: each weight is scaled by 100/{total}" in text
    assert f"Service level's 5 counts as {5 * 100 / total:.1f}" in text


def test_a_deleted_build_journal_keeps_identical_documents_and_still_protects_the_users(project: Path):
    _fill(project)
    out = project / "out" / "2026-Q3"
    first = run("build", "--format", "html", "--out", "out", "--partner", "NORTH")
    assert first.exit_code == 0, first.output
    journal = out / ".govdocs-build.json"
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file() and p != journal}
    journal.unlink()
    again = run("build", "--format", "html", "--out", "out", "--partner", "NORTH", "--json")
    assert again.exit_code == 0, again.output
    report = __import__("json").loads(again.stdout)
    assert report["documents"] and all(d["kept"] for d in report["documents"])
    assert journal.exists()  # recorded again: the next build keeps them without rendering

    # without the journal, a file that differs in one byte is not taken for ours, whatever it looks like
    journal.unlink()
    edited = out / "qbr-NORTH-partner.html"
    edited.write_bytes(before["qbr-NORTH-partner.html"].replace(b"</body>", b"<p>my note</p></body>"))
    refused = run("build", "--format", "html", "--out", "out", "--partner", "NORTH")
    assert refused.exit_code == 6, refused.output
    assert f"error: {Path('out/2026-Q3/qbr-NORTH-partner.html')}: document exists; pass --force" in refused.output
    assert b"my note" in edited.read_bytes()
    # and the manifest that lists it is not recognised either: nothing was replaced
    assert (out / "manifest.json").read_bytes() == before["manifest.json"]


EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "governance.yaml"


def _without(text: str, section: str, entry: str) -> str:
    """The config without one entry (its lines up to the next entry) of a top-level list."""
    lines = text.splitlines(keepends=True)
    top = lines.index(f"{section}:\n")
    start = next(i for i in range(top, len(lines)) if lines[i] == f"  - id: {entry}\n")
    end = next(
        i for i in range(start + 1, len(lines)) if lines[i].startswith("  - id: ") or not lines[i].startswith(" ")
    )
    return "".join(lines[:start] + lines[end:])


def test_validate_fix_removes_what_refers_to_a_removed_partner_and_kpi(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = tmp_path / "governance.yaml"
    config.write_text(
        _without(_without(EXAMPLE.read_text(encoding="utf-8"), "partners", "CRN"), "kpis", "fcr"), "utf-8"
    )
    broken = run("validate", "--no-project", "--config", str(config))
    assert broken.exit_code == 3
    assert broken.output.count("[config.unknown_kpi]") == 4 and broken.output.count("[config.unknown_partner]") == 1
    before = config.read_text(encoding="utf-8")

    dry = run("validate", "--no-project", "--config", str(config), "--fix", "--dry-run")
    assert dry.exit_code == 0 and config.read_text(encoding="utf-8") == before
    assert (
        "\n-    partners: [ATL, BRV, CRN, ECH]\n" in dry.stdout and "\n+    partners: [ATL, BRV, ECH]\n" in dry.stdout
    )
    assert "-  - id: FCR-KB-1\n" in dry.stdout
    assert "+  allocation: {service_level: 40, abandonment: 30, csat: 30, qa_score: 30}\n" in dry.stdout

    fixed = run("validate", "--no-project", "--config", str(config), "--fix")  # no terminal: the diff, written
    assert fixed.stdout.startswith(dry.stdout)
    assert fixed.exit_code == 0, fixed.output
    after = run("validate", "--no-project", "--config", str(config))
    assert after.exit_code == 0 and "valid: 0 errors" in after.output
    text = config.read_text(encoding="utf-8")
    # everything else as it was: comments kept, only the dangling lines gone
    assert text.count("\n#") == before.count("\n#")
    fields = ("factor", "impact", "client_owner", "category", "action", "metric", "threshold", "owner", "due_days")
    removed = difflib_removed(before, text)
    assert all(
        "fcr" in line.lower() or "CRN" in line or line.startswith(tuple(f"    {f}:" for f in fields))
        for line in removed
    ), removed
    again = run("validate", "--no-project", "--config", str(config), "--fix")
    assert "+++" not in again.stdout and "nothing to fix" in again.stderr
    assert config.read_text(encoding="utf-8") == text


def difflib_removed(before: str, after: str) -> list[str]:
    import difflib

    return [line[2:] for line in difflib.ndiff(before.splitlines(), after.splitlines()) if line.startswith("- ")]


def test_validate_fix_empties_a_list_of_ids_by_removing_its_entry(tmp_path: Path):
    from govdocs.config.fix import fix_config

    config = tmp_path / "governance.yaml"
    text = _without(EXAMPLE.read_text(encoding="utf-8"), "partners", "CRN")
    text = text.replace("partners: [ATL, BRV, CRN, ECH]", "partners: [CRN]  # only CRN")
    config.write_text(text, encoding="utf-8")
    fixed = fix_config(config)
    assert "only CRN" not in fixed.after and "Helios Customer Operations" not in fixed.after
    assert fixed.changes and all("client_factors[0]" in c for c in fixed.changes)
    assert fixed.after.count("\n  - kpi: ") == text.count("\n  - kpi: ") - 1


@pytest.mark.parametrize(("partner", "kpi"), [("BRV", "service_level"), ("ECH", "csat"), ("DLT", "abandonment")])
def test_validate_fix_leaves_a_valid_config_for_any_partner_and_kpi_removed(tmp_path: Path, partner: str, kpi: str):
    # service_level is every forecast's volume_kpi, a field a forecast needs: the forecast goes with it
    config = tmp_path / "governance.yaml"
    config.write_text(
        _without(_without(EXAMPLE.read_text(encoding="utf-8"), "partners", partner), "kpis", kpi), "utf-8"
    )
    assert run("validate", "--no-project", "--config", str(config)).exit_code == 3
    assert run("validate", "--no-project", "--config", str(config), "--fix").exit_code == 0
    result = run("validate", "--no-project", "--config", str(config))
    assert result.exit_code == 0 and "valid: 0 errors" in result.output, result.output


def test_a_deleted_journal_keeps_identical_qbrs_and_refuses_an_edited_one_before_writing(project: Path):
    _fill(project)
    out = project / "out" / "2026-Q3"
    assert run("qbr", "--format", "html", "--out", "out").exit_code == 0
    (out / ".govdocs-build.json").unlink()
    again = run("qbr", "--format", "html", "--out", "out")
    assert again.exit_code == 0, again.output
    assert "2 QBRs for 2026-Q3 written to out/2026-Q3/ (2 kept unchanged)" in again.output
    (out / ".govdocs-build.json").unlink()
    north = out / "qbr-NORTH-partner.html"
    edited = north.read_bytes() + b"\n"
    north.write_bytes(edited)
    south = (out / "qbr-SOUTH-partner.html").read_bytes()
    refused = run("qbr", "--format", "html", "--out", "out")
    assert refused.exit_code == 6
    assert [x for x in refused.output.splitlines() if x.startswith("error")] == [
        f"error: {Path('out/2026-Q3/qbr-NORTH-partner.html')}: document exists; pass --force to replace it "
        "[output.exists]"
    ]
    assert north.read_bytes() == edited and (out / "qbr-SOUTH-partner.html").read_bytes() == south


def test_a_plan_sets_no_date_against_guessed_contract_terms(project: Path):
    # SOUTH falls short: its plan's internal copy said "falls 544 days before the notice deadline of
    # 2 October 2028", a deadline made of init's placeholders, while its QBR cover said "to be confirmed"
    _fill(project)
    with (project / "actions" / "SOUTH.csv").open("a", encoding="utf-8") as handle:
        for kpi in ("service_level", "abandonment"):
            handle.write(
                f"S-{kpi},{kpi},staffing_attrition,Recruit and train 12 agents for the evening peak,"
                "Agents live on the evening shift,>= 12 by the due date,South operations manager,"
                "2026-12-15,partner,,,\n"
            )
    built = run("build", "--format", "html", "--out", "out", "--partner", "SOUTH")
    assert built.exit_code == 0, built.output
    internal = _text(project / "out" / "2026-Q3" / "pip-SOUTH-internal.html")
    assert "the notice deadline of" not in internal and "2028" not in internal
    assert "The contract's end, notice period or renewal are still to be confirmed" in internal
    partner = _text(project / "out" / "2026-Q3" / "pip-SOUTH-partner.html")
    assert "still to be confirmed" not in partner and "2028" not in partner
