"""A newcomer's own two-partner programme (init, hand-written data, actions, a returned form):
what `validate`, `build` and `response import` tell them, checked as they read it. One
programme made by `govdocs init`; each test copies it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from govdocs.cli import cli

AS_OF = "2026-12-08"
DATA = """partner,period,kpi,value,volume
ALPHA,2026-07,service_level,83.2,6200
ALPHA,2026-08,service_level,81.9,6450
ALPHA,2026-09,service_level,84.0,6100
ALPHA,2026-07,abandonment,3.9,6200
ALPHA,2026-08,abandonment,4.4,6450
ALPHA,2026-09,abandonment,3.6,6100
ALPHA,2026-07,csat,87.5,520
ALPHA,2026-08,csat,86.1,545
ALPHA,2026-09,csat,88.3,530
ALPHA,2026-07,fcr,76.8,520
ALPHA,2026-08,fcr,75.2,545
ALPHA,2026-09,fcr,77.5,530
ALPHA,2026-07,qa_score,91.0,60
ALPHA,2026-08,qa_score,89.5,60
ALPHA,2026-09,qa_score,92.1,62
BETA,2026-07,service_level,77.4,4800
BETA,2026-08,service_level,73.1,5050
BETA,2026-09,service_level,71.6,4900
BETA,2026-07,abandonment,6.2,4800
BETA,2026-08,abandonment,8.9,5050
BETA,2026-09,abandonment,9.6,4900
BETA,2026-07,csat,83.0,410
BETA,2026-08,csat,81.2,395
BETA,2026-09,csat,80.6,402
BETA,2026-07,fcr,72.4,410
BETA,2026-08,fcr,70.9,395
BETA,2026-09,fcr,69.8,402
BETA,2026-07,qa_score,87.0,45
BETA,2026-08,qa_score,86.2,44
BETA,2026-09,qa_score,84.5,46
"""
HEADER = "id,objective,category,action,metric,threshold,owner,due,side,replaces,status,note\n"
GOOD = (
    "B-1,service_level,staffing_attrition,Recruit and train 15 agents for the evening peaks,"
    "Trained agents taking calls in peak intervals,>= 15 by the due date,Beta operations manager,"
    "2027-01-29,partner,,,\n"
    "B-3,abandonment,tooling,Switch on the queue callback option for waits over 90 seconds,"
    "Share of callers offered a callback,>= 98% each week,Beta IT lead,2027-01-15,partner,,,\n"
)


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("newcomer") / "northwind"
    kpis = [a for k in ("service_level", "abandonment", "csat", "fcr", "qa_score") for a in ("--kpi", k)]
    result = run(
        "init", str(root), "--client", "Northwind Utilities", "--partner", "ALPHA=Alpha Contact",
        "--partner", "BETA=Beta Service", *kpis, "--as-of", AS_OF,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    (root / "data" / "kpis.csv").write_text(DATA, encoding="utf-8")
    return root


@pytest.fixture
def programme(made: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "northwind"
    shutil.copytree(made, root)
    monkeypatch.chdir(root)
    return root


def lines(output: str, start: str) -> list[str]:
    return [x for x in output.splitlines() if x.startswith(start)]


# --- finding 1: the actions files are checked by validate, every problem at once --------------

BAD_ACTIONS = HEADER + (
    "B-1,service_level,staffing_attrition,Recruit and train 15 agents for the evening peaks,"
    "Trained agents taking calls in peak intervals,>= 15 by the due date,Beta operations manager,"
    "29/01/2027,partner,,,\n"
    "B-2,CSAT,process_knowledge,Re-forecast intraday at 10:00 and 14:00 every day,Days with both re-forecasts logged,,"
    "Beta workforce planner,2027-01-08,partner,,,\n"
    "B-3,abandonment,tooling,Switch on the queue callback option for waits over 90 seconds,"
    "Share of callers offered a callback,>= 98% each week,,2027-09-15,partner,,,\n"
)
EXPECTED = [
    "actions/BETA.csv:2  due: expected a date like 2026-10-15, got '29/01/2027'; write 2027-01-29",
    "actions/BETA.csv:3  action 'B-2' is not SMART: no threshold for the metric; objective 'CSAT' is not an "
    "objective of this plan (did you mean 'csat'?) (service_level, abandonment)",
    "actions/BETA.csv:4  action 'B-3' is not SMART: no owner; due 2027-09-15 is outside the plan "
    "(2026-12-09 to 2027-05-07)",
]


def test_validate_reports_every_problem_of_an_actions_file_with_its_line(programme: Path):
    (programme / "actions" / "BETA.csv").write_text(BAD_ACTIONS, encoding="utf-8")
    result = run("validate", "--as-of", AS_OF)
    assert result.exit_code == 5, result.output
    errors = [x.removeprefix("error    ").rsplit("  [", 1)[0] for x in lines(result.stdout, "error")]
    assert errors == EXPECTED
    assert result.stdout.splitlines()[-1].startswith("invalid: 3 errors")


def test_the_build_reports_the_same_problems_in_one_run(programme: Path):
    (programme / "actions" / "BETA.csv").write_text(BAD_ACTIONS, encoding="utf-8")
    result = run("pip", "--partner", "BETA", "--as-of", AS_OF, "--format", "html")
    assert result.exit_code == 5, result.output
    errors = [x.removeprefix("error: ").rsplit(" [", 1)[0] for x in lines(result.output, "error:")]
    assert errors == [e.replace("  ", ": ", 1) for e in EXPECTED]
    assert not (programme / "output" / "2026-Q3" / "pip-BETA-partner.html").exists()


def test_without_data_validate_still_checks_the_actions_against_the_programme(programme: Path):
    (programme / "actions" / "BETA.csv").write_text(BAD_ACTIONS, encoding="utf-8")
    (programme / "data" / "kpis.csv").unlink()
    result = run("validate")
    assert result.exit_code == 5, result.output
    errors = [x.removeprefix("error    ").rsplit("  [", 1)[0] for x in lines(result.stdout, "error")]
    assert errors == [
        EXPECTED[0],
        "actions/BETA.csv:3  action 'B-2' is not SMART: no threshold for the metric; objective 'CSAT' is not "
        "a KPI of the programme (did you mean 'csat'?)",
        "actions/BETA.csv:4  action 'B-3' is not SMART: no owner",
    ]


def test_good_actions_pass_and_an_actions_file_of_no_partner_is_warned(programme: Path):
    (programme / "actions" / "BETA.csv").write_text(HEADER + GOOD, encoding="utf-8")
    (programme / "actions" / "BTEA.csv").write_text(HEADER, encoding="utf-8")
    result = run("validate", "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    assert lines(result.stdout, "error") == []
    assert (
        "warning  actions/BTEA.csv  no partner 'BTEA' in the config (did you mean 'BETA'?): no document reads "
        "this actions file (name it <PARTNER_ID>.csv)  [actions.unknown_partner]"
    ) in result.stdout


# --- findings 10 and 11: a KPI id in another case, a value with a % sign -----------------------


def test_a_kpi_id_in_another_case_is_named_and_the_fix_is_the_id_not_deleting_rows(programme: Path):
    (programme / "data" / "kpis.csv").write_text(DATA.replace(",csat,", ",CSAT,"), encoding="utf-8")
    result = run("validate", "--as-of", AS_OF)
    assert result.exit_code == 4, result.output
    assert (
        "error    data/kpis.csv:8: column 'kpi'  KPI 'CSAT' is not in the config (did you mean 'csat'?) "
        "(5 more rows): correct the KPI id in the data to the config's spelling  [data.unknown_kpi]"
    ) in result.stdout
    assert "remove its rows" not in result.stdout


def test_a_value_written_with_a_percent_sign_gets_the_number_to_write(programme: Path):
    (programme / "data" / "kpis.csv").write_text(DATA.replace(",70.9,", ",70.9%,"), encoding="utf-8")
    result = run("validate", "--as-of", AS_OF)
    assert result.exit_code == 4, result.output
    assert (
        "error    data/kpis.csv:27: column 'value'  '70.9%' has a % sign; write 70.9 "
        "(a percent KPI's value is the number of percent)  [data.not_a_number]"
    ) in result.stdout


# --- findings 4 and 7: what init guessed is never printed as a contract term --------------------


def set_contract(root: Path, partner: str, *lines: str) -> int:
    """Replace the partner's contract block with these lines; returns the line of its first."""
    path = root / "governance.yaml"
    text = path.read_text(encoding="utf-8")
    at = text.index(f'  - id: "{partner}"')
    start = text.index("    contract:\n", at) + len("    contract:\n")
    end = text.index("    # contacts:", start)
    path.write_text(text[:start] + "".join(f"      {x}\n" for x in lines) + text[end:], encoding="utf-8")
    return text[:start].count("\n") + 1


def text_of(path: Path) -> str:
    import html
    import re

    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8"))))


def test_init_writes_no_benchmark_target_as_an_sla_and_validate_warns_when_one_is(programme: Path):
    config = (programme / "governance.yaml").read_text(encoding="utf-8")
    assert "contractual: true" not in config
    assert config.count("    contractual: false ") == 5
    result = run("validate", "--as-of", AS_OF)
    assert "config.benchmark_sla" not in result.stdout
    qa = config.index("contractual: false", config.index("  - id: qa_score"))
    line = config[:qa].count("\n") + 1
    edited = config[:qa] + "contractual: true" + config[config.index("\n", qa) :]
    (programme / "governance.yaml").write_text(edited, encoding="utf-8")
    result = run("validate", "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    assert [x for x in lines(result.stdout, "warning") if "benchmark_sla" in x] == [
        f"warning  governance.yaml:{line}: kpis[4].contractual  KPI 'qa_score' is contractual (an SLA) but its "
        "target_source is govdocs' catalogue benchmark ('common industry practice (no published standard)'), not a "
        "contract clause: put the contract's clause in target_source, or set contractual: false  [config.benchmark_sla]"
    ]


def test_a_renewal_term_nobody_confirmed_is_printed_as_assumed_never_as_the_contracts(programme: Path):
    config = (programme / "governance.yaml").read_text(encoding="utf-8")
    assert config.count("to_confirm: [start, end, notice_days, auto_renew, renewal_months]") == 2
    # the newcomer's edit: the contract renews itself, the other terms confirmed, renewal_months never set
    first = set_contract(
        programme, "BETA", "start: 2025-01-01", "end: 2027-06-30", "notice_days: 120", "auto_renew: true"
    )
    result = run("validate", "--as-of", AS_OF)
    assert (
        f"warning  governance.yaml:{first + 3}: partners[1].contract.auto_renew  'BETA': the contract renews itself "
        "but renewal_months is not set: documents assume 12 months and say the term is to be confirmed; set "
        "partners[1].contract.renewal_months from the contract  [config.renewal_term_default]"
    ) in result.stdout
    (programme / "actions" / "BETA.csv").write_text(HEADER + GOOD, encoding="utf-8")
    result = run("build", "--as-of", AS_OF, "--format", "html")
    assert result.exit_code == 0, result.output
    out = programme / "output" / "2026-Q3"
    qbr, plan, portfolio = (text_of(out / f) for f in ("qbr-BETA-partner.html", "pip-BETA-partner.html",
                                                          "portfolio-summary-internal.html"))  # fmt: skip
    assert "Auto-renewal Yes, an assumed 12 months, to be confirmed " in qbr
    assert "the contract renews on 30 June 2027 for an assumed 12 months, to be confirmed)" in plan
    assert "renews to 30 Jun 2028: an assumed 12 months, to be confirmed" in portfolio
    for text in (qbr, plan, portfolio):
        assert "Yes, 12 months" not in text and "for 12 months" not in text and "renews 12 months" not in text
    # set from the contract: stated as the contract's, and validate is quiet about it
    set_contract(
        programme, "BETA", "start: 2025-01-01", "end: 2027-06-30", "notice_days: 120", "auto_renew: true",
        "renewal_months: 24",
    )  # fmt: skip
    result = run("validate", "--as-of", AS_OF)
    assert "renewal" not in " ".join(x for x in lines(result.stdout, "warning") if "partners[1]" in x)
    result = run("qbr", "--partner", "BETA", "--as-of", AS_OF, "--format", "html", "--force")
    assert result.exit_code == 0, result.output
    assert "Auto-renewal Yes, 24 months " in text_of(out / "qbr-BETA-partner.html")


# --- findings 2, 3 and 6: the round trip of a returned form; owners written as roles ----------

ROLE_ACTIONS = (
    HEADER
    + GOOD.replace("Beta IT lead", "Account Director")
    + (
        "B-2,service_level,process_knowledge,Re-forecast intraday at 10:00 and 14:00 every working day,"
        "Days with both re-forecasts logged,>= 95% of working days,Beta workforce planner,2027-01-08,partner,,,\n"
        "B-4,abandonment,client_policy,Publish the planned outage calendar to Beta's planners two weeks ahead,"
        "Outages announced at least 10 working days ahead,100% of planned outages,Northwind IT change manager,"
        "2026-12-31,client,,,\n"
    )
)


def add_contacts(root: Path, partner: str) -> None:
    path = root / "governance.yaml"
    text = path.read_text(encoding="utf-8")
    at = text.index("    # contacts:", text.index(f'  - id: "{partner}"'))
    end = text.index("\n\n", at)
    contacts = (
        "    contacts:\n"
        "      - {name: Marco Vidal, role: Account Director, email: marco@beta.example, side: partner}\n"
        "      - {name: Tom Hughes, role: Vendor Manager, email: tom@northwind.example, side: client}"
    )
    path.write_text(text[:at] + contacts + text[end:], encoding="utf-8")


def test_a_returned_acknowledgment_ends_every_request_to_sign_and_owners_print_as_written(programme: Path):
    add_contacts(programme, "BETA")
    (programme / "actions" / "BETA.csv").write_text(ROLE_ACTIONS, encoding="utf-8")
    result = run("pip", "--partner", "BETA", "--audience", "partner", "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    issued = programme / "output" / "2026-Q3" / "pip-BETA-partner.pdf"
    # the form's fields, listed without pypdf
    listed = run("response", "fill", str(issued)).stdout.splitlines()
    assert listed[:3] == ["ack:name", "ack:role", "ack:date"] and "checkin:date" in listed
    assert not [x for x in listed if x.startswith("govdocs:")]
    typo = run("response", "fill", str(issued), "--out", "x.pdf", "--set", "ack:nmae=Marco Vidal")
    assert typo.exit_code == 2 and "--set 'ack:nmae=Marco Vidal' names no field of this form (did you mean " \
        "'ack:name'?)" in typo.output  # fmt: skip
    ack = ["--set", "ack:name=Marco Vidal", "--set", "ack:role=Account Director"]
    returned = programme / "returned" / "pip-BETA-partner.pdf"
    returned.parent.mkdir(exist_ok=True)
    # a date after today is refused, one line naming the field, and nothing is written
    result = run("response", "fill", str(issued), "--out", str(returned), *ack, "--set", "ack:date=2026-12-14",
                 "--set", "checkin:date=2026-12-23")  # fmt: skip
    assert result.exit_code == 0 and result.output == f"wrote {returned}  (4 fields filled)\n"
    result = run("response", "import", str(returned), "--as-of", AS_OF)
    assert result.exit_code == 5, result.output
    assert lines(result.output, "error:") == [
        f"error: pip-BETA-partner.pdf: field {field}: {day} is after today (2026-12-08): a signature or a meeting "
        "cannot be dated in the future; correct the date in the form (or import with --as-of the day it was "
        "returned) [response.future_date]"
        for field, day in (("ack:date", "2026-12-14"), ("checkin:date", "2026-12-23"))
    ]
    assert not (programme / "inputs" / "BETA.response.yaml").exists()
    run("response", "fill", str(issued), "--out", str(returned), *ack, "--set", "ack:date=2026-12-08")
    result = run("response", "import", str(returned), "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    for command in ("qbr", "pip"):
        result = run(command, "--partner", "BETA", "--audience", "partner", "--as-of", AS_OF, "--format", "html")
        assert result.exit_code == 0, result.output
    out = programme / "output" / "2026-Q3"
    qbr, plan = text_of(out / "qbr-BETA-partner.html"), text_of(out / "pip-BETA-partner.html")
    # no document asks the partner to sign again: the QBR's next step is the plan's first check-in
    assert "Sign the performance-improvement plan" not in qbr
    assert (
        "Check-in 1 of the performance-improvement plan on Service level and Abandonment rate (acknowledged on "
        "8 December 2026): it reviews Nov 2026 Tom Hughes 23 Dec 2026"
    ) in qbr
    assert "acknowledge by" not in plan and "Acknowledgment due" not in plan
    assert "Status Starts 9 Dec 2026 acknowledged 8 Dec 2026 " in plan
    assert "Acknowledged 8 December 2026, by Marco Vidal " in plan
    assert "The partner acknowledged it on 8 December 2026 in its returned form: nothing more is asked of it." in plan
    assert "Marco Vidal , Account Director for Beta Service · acknowledged on 8 December 2026 (returned form)" in plan
    assert "The partner is asked to sign by" not in plan
    # an owner written as a role no contact holds prints as that role alone
    assert "working days Beta workforce planner 8 Jan 2027" in plan
    assert "planned outages Northwind IT change manager 31 Dec 2026" in plan
    assert "role: Beta workforce planner" not in plan and "role: Northwind IT change manager" not in plan
    assert "each week Marco Vidal role: Account Director 15 Jan 2027" in plan  # a contact's role: named
