"""The partner answers in the document: the response form in the partner plan, filled as a reader
fills it (pypdf), read back by `govdocs response import`; every bad field one line; another
partner's form, a changed one and a copy without a form refused, with nothing written."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from pypdf import PdfReader, PdfWriter

from govdocs.cli import cli
from tests.conftest import CONFIG, INPUTS, QUARTER

ANSWER = {
    "ack:name": "Daniel Okafor",
    "ack:role": "Client Services Director",
    "ack:date": "2026-10-20",
    "objective:service_level:root_cause": "Wave-1 attrition left the billing queues 9 agents short in August.",
    "objective:service_level:action1:action": "Cross-skill twelve tenured agents from moves to billing queues",
    "objective:service_level:action1:owner": "Partner training lead",
    "objective:service_level:action1:metric": "Cross-skilled agents taking billing calls",
    "objective:service_level:action1:threshold": "12 of 12",
    "objective:service_level:action1:due": "2026-11-30",
    "checkin:date": "2026-10-30",
    "action:BRV-1:status": "on_track",
    "action:BRV-1:note": "18 of 25 hired",
    "dispute1:kpi": "Service level",
    "dispute1:month": "2026-08",
    "dispute1:issue": "The IVR outage of 12 August counted as abandons",
    "dispute1:evidence": "Helios incident INC-4471",
}


def fill(source: Path, target: Path, values: dict[str, str]) -> Path:
    """As a PDF reader saves a filled form."""
    writer = PdfWriter(clone_from=PdfReader(source))
    for page in writer.pages:
        if "/Annots" in page:
            writer.update_page_form_field_values(page, values, auto_regenerate=False)
    writer.write(target)
    return target


def write_brv(out: Path, inputs: Path, *commands: str) -> Path:
    """Bravo's documents, each command for both audiences. Its plan is issued by name: since issue 32
    the ladder no longer calls for one (August relieved, the score's trigger provisional), and a
    vendor manager may still name a partner for a plan (`pip --partner`)."""
    from tests.conftest import AS_OF, DATA

    for command in commands:
        for audience in ("partner", "internal"):
            args = [command, "--config", str(CONFIG), "--data", str(DATA), "--inputs", str(inputs)]
            args += ["--partner", "BRV", "--quarter", str(QUARTER), "--as-of", AS_OF.isoformat()]
            args += ["--audience", audience, "--out", str(out), "--force"]
            if command == "pip":
                args += ["--actions", str(CONFIG.parent / "actions" / "BRV.csv")]
            result = CliRunner().invoke(cli, args)
            assert result.exit_code == 0, result.output
    return out / str(QUARTER)


@pytest.fixture
def plan(brv_plans: Path, tmp_path: Path) -> tuple[Path, Path]:
    """Bravo's partner plan as issued, and a copy of the example inputs to import into."""
    inputs = tmp_path / "inputs"
    shutil.copytree(INPUTS, inputs)
    return brv_plans / "pip-BRV-partner.pdf", inputs


def _import(pdf: Path, inputs: Path, *extra: str):
    args = ["response", "import", str(pdf), "--config", str(CONFIG), "--inputs", str(inputs), *extra]
    return CliRunner().invoke(cli, args)


def test_the_partner_copy_carries_the_form_and_the_internal_copy_none(brv_plans: Path) -> None:
    folder = brv_plans
    fields = PdfReader(folder / "pip-BRV-partner.pdf").get_fields()
    assert {
        "ack:name",
        "ack:date",
        "objective:service_level:root_cause",
        "action:BRV-1:status",
        "dispute2:evidence",
    } <= set(fields)
    assert fields["govdocs:document"]["/V"].startswith("PIP-2026Q3-BRV-P-")
    assert not PdfReader(folder / "pip-BRV-internal.pdf").get_fields()


def test_a_filled_form_round_trips_into_the_inputs(plan, tmp_path: Path) -> None:
    issued, inputs = plan
    filled = fill(issued, tmp_path / "returned.pdf", ANSWER)
    dry = _import(filled, inputs, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "+    service_level: Wave-1 attrition left the billing queues 9 agents short in August." in dry.output
    assert not (inputs / "BRV.response.yaml").exists()

    done = _import(filled, inputs)
    assert done.exit_code == 0, done.output
    saved = yaml.safe_load((inputs / "BRV.response.yaml").read_text())
    (entry,) = saved["responses"]
    assert entry["document"] == PdfReader(issued).get_fields()["govdocs:document"]["/V"]
    assert entry["acknowledged"] == {"name": "Daniel Okafor", "role": "Client Services Director", "date": "2026-10-20"}
    assert (
        entry["proposed_actions"][0]["due"] == "2026-11-30" and entry["proposed_actions"][0]["threshold"] == "12 of 12"
    )
    assert entry["checkin"] == {
        "date": "2026-10-30",
        "actions": [{"id": "BRV-1", "status": "on_track", "note": "18 of 25 hired"}],
    }
    assert entry["disputes"][0]["kpi"] == "service_level" and entry["disputes"][0]["decision"] == "pending"

    # the vendor manager decides the dispute; a second import of the same document keeps the decision
    text = (inputs / "BRV.response.yaml").read_text().replace("decision: pending", "decision: accepted")
    (inputs / "BRV.response.yaml").write_text(text)
    again = _import(filled, inputs)
    assert again.exit_code == 0 and "already holds this response" in again.output
    assert (
        yaml.safe_load((inputs / "BRV.response.yaml").read_text())["responses"][0]["disputes"][0]["decision"]
        == "accepted"
    )


@pytest.mark.parametrize(
    ("field", "value", "line"),
    [
        ("ack:date", "20/10/2026", "field ack:date: '20/10/2026' is not a date (YYYY-MM-DD)"),
        (
            "objective:service_level:action1:due",
            "2027-06-30",
            "field objective:service_level:action1: the proposed action is not SMART: "
            "due 2027-06-30 is outside the plan",
        ),
        (
            "objective:service_level:action1:owner",
            "",
            "field objective:service_level:action1: the proposed action is not SMART: no owner",
        ),
        ("dispute1:kpi", "speed", "field dispute1:kpi: 'speed' is not a KPI id or name of the programme"),
        ("dispute1:month", "August", "field dispute1:month: 'August' is not a month (YYYY-MM)"),
        ("dispute1:month", "2025-09", "field dispute1:month: 2025-09 is not a month PIP-2026Q3-BRV-P-"),
        ("action:BRV-1:status", "maybe", "field action:BRV-1:status: 'maybe' is not a status"),
        ("checkin:date", "2027-05-01", "field checkin:date: 2027-05-01 is outside the plan"),
    ],
)
def test_each_bad_field_is_one_line_naming_it(plan, tmp_path: Path, field: str, value: str, line: str) -> None:
    issued, inputs = plan
    filled = fill(issued, tmp_path / "returned.pdf", {**ANSWER, field: value})
    result = _import(filled, inputs)
    assert result.exit_code == 5, result.output
    errors = [row for row in result.output.splitlines() if row.startswith("error")]
    assert len(errors) == 1 and line in errors[0], result.output
    assert "returned.pdf" in errors[0]
    assert not (inputs / "BRV.response.yaml").exists()


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"govdocs:partner": "CRN"}, "answers for partner 'CRN', not for the document's partner"),
        ({"govdocs:document": "PIP-2026Q3-BRV-P-000000"}, "the form was changed"),
        ({"govdocs:inputs": "0123456789ab"}, "the form was changed"),
        ({"govdocs:plan": "2026-10-16/2027-12-31"}, "the form's plan dates were changed"),
    ],
)
def test_another_partners_or_a_changed_form_is_refused(plan, tmp_path: Path, changes, words) -> None:
    issued, inputs = plan
    filled = fill(issued, tmp_path / "returned.pdf", {**ANSWER, **changes})
    result = _import(filled, inputs)
    assert result.exit_code == 5 and words in result.output, result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (inputs / "BRV.response.yaml").exists()


def test_a_copy_without_a_form_is_refused(brv_plans: Path, tmp_path: Path) -> None:
    internal = brv_plans / "pip-BRV-internal.pdf"
    result = _import(internal, tmp_path)
    assert result.exit_code == 5
    assert "holds no govdocs response form (only the partner copy of a plan or a QBR carries one)" in result.output


def test_the_next_documents_show_the_answer_and_the_decisions(plan, tmp_path: Path) -> None:
    from tests.conftest import flat, pdf_text

    issued, inputs = plan
    assert _import(fill(issued, tmp_path / "returned.pdf", ANSWER), inputs).exit_code == 0
    saved = inputs / "BRV.response.yaml"
    text = saved.read_text().replace("decision: pending", "decision: rejected")
    saved.write_text(text.replace("decision_note: null", "decision_note: The outage was 14 minutes; abandons stand."))
    # The plan named by hand is no plan the ladder calls for (issue 32), so the QBR does not follow it up;
    # the plan itself, issued again, shows the answer.
    folder = write_brv(tmp_path / "out", inputs, "pip")
    document = PdfReader(issued).get_fields()["govdocs:document"]["/V"]
    for name in ("pip-BRV-partner", "pip-BRV-internal"):
        words = flat(pdf_text(folder / f"{name}.pdf"))
        assert (
            f"The partner's response to {document}: acknowledged on 20 October 2026, 1 proposed action, "
            "the status of 1 action, 1 data dispute (0 pending)." in words
        ), name
        assert "Rejected: The outage was 14 minutes; abandons stand." in words, name
        assert "Partner response BRV.response.yaml" in words, name  # in the provenance


def test_a_bad_decision_in_the_response_file_names_its_line(plan, tmp_path: Path) -> None:
    from tests.conftest import AS_OF, DATA

    issued, inputs = plan
    assert _import(fill(issued, tmp_path / "returned.pdf", ANSWER), inputs).exit_code == 0
    saved = inputs / "BRV.response.yaml"
    saved.write_text(saved.read_text().replace("decision: pending", "decision: maybe"))
    line = next(i for i, row in enumerate(saved.read_text().splitlines(), start=1) if "decision: maybe" in row)
    args = ["qbr", "--config", str(CONFIG), "--data", str(DATA), "--inputs", str(inputs), "--partner", "BRV"]
    result = CliRunner().invoke(
        cli, [*args, "--quarter", str(QUARTER), "--as-of", AS_OF.isoformat(), "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 5, result.output
    assert f"BRV.response.yaml:{line}:" in result.output and "decision" in result.output
    assert not (tmp_path / "o" / str(QUARTER)).exists() or not any((tmp_path / "o" / str(QUARTER)).glob("*.pdf"))


# --- the QBR's form: acknowledgment, the earlier actions' status, disputes --------------------------

REVIEW_ANSWER = {
    "ack:name": "Daniel Okafor",
    "ack:role": "Client Services Director",
    "ack:date": "2026-10-21",
    "checkin:date": "2026-10-21",
    "action:Q2-BRV-1:status": "done",
    "action:Q2-BRV-1:note": "Wave of 20 agents in production since 1 September",
    "action:Q2-BRV-2:status": "late",
    "dispute1:kpi": "csat",
    "dispute1:month": "2026-09",
    "dispute1:issue": "Surveys of the 14 September outage were sent to the wrong queue",
    "dispute1:evidence": "Survey log export of 15 September",
}


@pytest.fixture
def review(example_build, tmp_path: Path) -> tuple[Path, Path]:
    """Bravo's partner QBR as issued, and a copy of the example inputs to import into."""
    assert example_build.exit_code == 0, example_build.output
    inputs = tmp_path / "inputs"
    shutil.copytree(INPUTS, inputs)
    return example_build.out / str(QUARTER) / "qbr-BRV-partner.pdf", inputs


def test_the_partner_qbr_carries_the_review_form_and_the_internal_copy_none(example_build) -> None:
    folder = example_build.out / str(QUARTER)
    fields = PdfReader(folder / "qbr-BRV-partner.pdf").get_fields()
    assert set(fields) == {
        "govdocs:document", "govdocs:partner", "govdocs:inputs", "govdocs:review", "ack:name", "ack:role",
        "ack:date", "checkin:date", "action:Q2-BRV-1:status", "action:Q2-BRV-1:note", "action:Q2-BRV-2:status",
        "action:Q2-BRV-2:note", *(f"dispute{n}:{f}" for n in (1, 2) for f in ("kpi", "month", "issue", "evidence")),
    }  # fmt: skip
    assert fields["govdocs:review"]["/V"] == "2026-Q3"
    assert fields["action:Q2-BRV-1:status"]["/TU"] == "Action Q2-BRV-1: status"  # what a screen reader says
    assert not PdfReader(folder / "qbr-BRV-internal.pdf").get_fields()


def test_a_filled_review_round_trips_and_the_next_qbr_shows_it(review, tmp_path: Path) -> None:
    from tests.conftest import AS_OF, DATA, flat, pdf_text

    issued, inputs = review
    result = _import(fill(issued, tmp_path / "returned.pdf", REVIEW_ANSWER), inputs)
    assert result.exit_code == 0, result.output
    (entry,) = yaml.safe_load((inputs / "BRV.response.yaml").read_text())["responses"]
    document = PdfReader(issued).get_fields()["govdocs:document"]["/V"]
    assert entry["document"] == document and entry["review"] == "2026-Q3" and "plan" not in entry
    assert entry["checkin"] == {
        "date": "2026-10-21",
        "actions": [
            {"id": "Q2-BRV-1", "status": "done", "note": "Wave of 20 agents in production since 1 September"},
            {"id": "Q2-BRV-2", "status": "late", "note": None},
        ],
    }
    assert entry["disputes"][0]["kpi"] == "csat" and entry["disputes"][0]["decision"] == "pending"

    out = tmp_path / "out"
    args = ["qbr", "--config", str(CONFIG), "--data", str(DATA), "--inputs", str(inputs), "--partner", "BRV"]
    args += ["--quarter", str(QUARTER), "--as-of", AS_OF.isoformat(), "--out", str(out)]
    for audience in ("partner", "internal"):
        assert CliRunner().invoke(cli, [*args, "--audience", audience]).exit_code == 0
        words = flat(pdf_text(out / str(QUARTER) / f"qbr-BRV-{audience}.pdf"))
        assert (
            f"The partner's response to {document}: acknowledged on 21 October 2026, the status of 2 actions, "
            "1 data dispute (1 pending)." in words
        ), audience
        assert "As of 21 October 2026, the partner reports" in words
        assert "Q2-BRV-1 Done Wave of 20 agents in production since 1 September" in words
        assert "Customer satisfaction 2026-09 Surveys of the 14 September outage" in words


@pytest.mark.parametrize(
    ("field", "value", "line"),
    [
        (
            "checkin:date",
            "2027-01-04",
            "field checkin:date: 2027-01-04 is outside Q3 2026 and the quarter after it (2026-07-01 to 2026-12-31)",
        ),
        ("dispute1:month", "2026-10", "field dispute1:month: 2026-10 is not a month QBR-2026Q3-BRV-P-"),
        ("action:Q2-BRV-2:status", "finished", "field action:Q2-BRV-2:status: 'finished' is not a status"),
    ],
)
def test_each_bad_review_field_is_one_line(review, tmp_path: Path, field: str, value: str, line: str) -> None:
    issued, inputs = review
    result = _import(fill(issued, tmp_path / "returned.pdf", {**REVIEW_ANSWER, field: value}), inputs)
    assert result.exit_code == 5, result.output
    errors = [row for row in result.output.splitlines() if row.startswith("error")]
    assert len(errors) == 1 and line in errors[0], result.output
    assert "covers (2025-10 to 2026-09)" in errors[0] or field != "dispute1:month"
    assert not (inputs / "BRV.response.yaml").exists()


def test_a_changed_review_quarter_is_refused(review, tmp_path: Path) -> None:
    issued, inputs = review
    result = _import(fill(issued, tmp_path / "returned.pdf", {**REVIEW_ANSWER, "govdocs:review": "2026-Q4"}), inputs)
    assert result.exit_code == 5
    assert result.output.strip().splitlines() == [
        "error: returned.pdf: the form's review quarter was changed: answer in the copy as issued "
        "[response.changed_document]"
    ]


# --- an import that cannot poison later runs (issue 33, point 4) -----------------------------------


def _with_fields(monkeypatch, extra: dict[str, str]) -> None:
    """The returned form as read, plus fields a partner's tool added to it (an uncertified form
    can carry any field)."""
    import govdocs.response as response

    real = response.read_form

    def read_form(path, pdf=None):
        form = real(path, pdf)
        return response.Form(form.path, {**form.fields, **extra}, form.keywords, form.subject)

    monkeypatch.setattr(response, "read_form", read_form)


@pytest.mark.parametrize(
    ("extra", "line"),
    [
        (
            {f"objective:made_up_{i}:root_cause": "Because." for i in range(51)},
            "field objective:made_up_0:root_cause: 'made_up_0' is not an objective of PIP-2026Q3-BRV-P-",
        ),
        (
            {f"action:X-{i}:status": "done" for i in range(101)},
            "the answer's responses[0].checkin.actions: 102 entries, more than the 100 this list may hold",
        ),
    ],
    ids=["51 made-up objectives", "101 more action statuses"],
)
def test_an_answer_the_loaders_would_refuse_is_refused_before_it_is_written(
    plan, tmp_path: Path, monkeypatch, extra, line
) -> None:
    """Before, such an answer was imported (exit 0) and every later qbr, pip and build of the
    partner then failed (a TypeError for 51 root causes)."""
    issued, inputs = plan
    _with_fields(monkeypatch, extra)
    result = _import(fill(issued, tmp_path / "returned.pdf", ANSWER), inputs)
    assert result.exit_code == 5, result.output
    errors = [row for row in result.output.splitlines() if row.startswith("error")]
    assert errors and line in errors[0], result.output
    assert len(errors) <= 51
    assert not (inputs / "BRV.response.yaml").exists()


def test_proposed_actions_on_a_review_form_are_refused(review, tmp_path: Path, monkeypatch) -> None:
    issued, inputs = review
    _with_fields(monkeypatch, {"objective:service_level:action1:action": "Hire"})
    result = _import(fill(issued, tmp_path / "returned.pdf", REVIEW_ANSWER), inputs)
    assert result.exit_code == 5, result.output
    assert "a review's form has no objectives" in result.output
    assert not (inputs / "BRV.response.yaml").exists()


@pytest.mark.parametrize(
    "value", ["1900-01-01", "9999-12-31", "2026-W43-2", "20261020"], ids=["1900", "9999", "ISO week", "basic"]
)
def test_an_acknowledgment_date_outside_the_document_or_not_written_as_a_date_is_refused(
    plan, tmp_path: Path, value: str
) -> None:
    issued, inputs = plan
    result = _import(fill(issued, tmp_path / "returned.pdf", {**ANSWER, "ack:date": value}), inputs)
    assert result.exit_code == 5, result.output
    assert "field ack:date:" in result.output, result.output
    assert not (inputs / "BRV.response.yaml").exists()


def _damage(kind: str, target: Path, tmp_path: Path) -> None:
    import os

    if kind == "a list":
        target.write_text("- partner: BRV\n")
    elif kind == "bad YAML":
        target.write_text("partner: BRV\nresponses: [\n")
    elif kind == "a Python tag":
        target.write_text("partner: !!python/object/apply:os.system [touch pwned]\n")
    elif kind == "a symbolic link":
        (tmp_path / "elsewhere.yaml").write_text("partner: BRV\nresponses: []\n")
        target.symlink_to(tmp_path / "elsewhere.yaml")
    elif kind == "a directory":
        target.mkdir()
    elif kind == "a FIFO":
        os.mkfifo(target)
    elif kind == "a self-referencing mapping":
        target.write_text("partner: BRV\nresponses:\n  - &a\n    document: x\n    inputs_hash: y\n    self: *a\n")


@pytest.mark.parametrize(
    "kind",
    ["a list", "bad YAML", "a Python tag", "a symbolic link", "a directory", "a FIFO", "a self-referencing mapping"],
)
def test_a_damaged_response_file_is_refused_in_one_line(plan, tmp_path: Path, kind: str) -> None:
    """Before: an internal error for each (a FIFO hung). Nothing is merged into a file that the
    loaders cannot read, and the file is left as it was."""
    import os
    import stat

    issued, inputs = plan
    target = inputs / "BRV.response.yaml"
    _damage(kind, target, tmp_path)
    before = os.lstat(target)
    result = _import(fill(issued, tmp_path / "returned.pdf", ANSWER), inputs)
    assert result.exit_code == 5, result.output
    errors = result.output.strip().splitlines()
    assert len(errors) == 1 and "BRV.response.yaml" in errors[0], result.output
    assert "fix or move the existing response file, then import again" in errors[0]
    assert "internal error" not in result.output
    after = os.lstat(target)
    assert stat.S_IFMT(after.st_mode) == stat.S_IFMT(before.st_mode) and after.st_mtime_ns == before.st_mtime_ns
    assert not Path("pwned").exists()


def test_two_imports_at_once_keep_both_answers(plan, example_build, tmp_path: Path) -> None:
    """Two processes import into one folder at the same moment: the read-merge-write holds a
    lock, so neither answer is lost (before, both exited 0 and one answer was gone)."""
    import subprocess
    import sys

    issued_plan, inputs = plan
    issued_review = example_build.out / str(QUARTER) / "qbr-BRV-partner.pdf"
    returned = [
        fill(issued_plan, tmp_path / "plan.pdf", ANSWER),
        fill(issued_review, tmp_path / "review.pdf", REVIEW_ANSWER),
    ]
    commands = [
        [
            sys.executable,
            "-m",
            "govdocs",
            "response",
            "import",
            str(pdf),
            "--config",
            str(CONFIG),
            "--inputs",
            str(inputs),
        ]
        for pdf in returned
    ]
    running = [subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for c in commands]
    outputs = [p.communicate(timeout=300)[0] for p in running]
    assert [p.returncode for p in running] == [0, 0], outputs
    documents = [e["document"] for e in yaml.safe_load((inputs / "BRV.response.yaml").read_text())["responses"]]
    assert sorted(d[:3] for d in documents) == ["PIP", "QBR"], documents


def test_validate_reads_a_response_file_as_a_response_file(plan, tmp_path: Path) -> None:
    """Before: `validate --inputs` read BRV.response.yaml as the inputs of a partner
    'BRV.response' and failed (exit 5) after any import."""
    issued, inputs = plan
    assert _import(fill(issued, tmp_path / "returned.pdf", ANSWER), inputs).exit_code == 0
    result = CliRunner().invoke(cli, ["validate", "--config", str(CONFIG), "--inputs", str(inputs)])
    assert result.exit_code == 0, result.output
    saved = inputs / "BRV.response.yaml"
    saved.write_text(saved.read_text().replace("decision: pending", "decision: maybe"))
    result = CliRunner().invoke(cli, ["validate", "--config", str(CONFIG), "--inputs", str(inputs)])
    assert result.exit_code == 5, result.output
    assert "BRV.response.yaml" in result.output and "decision" in result.output


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "not a PDF: the file is empty"),
        (b"PK\x03\x04" + b"\x00" * 200, "not a PDF: it is a zip archive"),
        (b"Dear vendor manager, please find our answers below.\n", "not a PDF: it does not start as a PDF does"),
        (b"%PDF-1.7\n" + b"\x00garbage" * 50, "not a PDF govdocs can read"),
    ],
    ids=["empty", "zip", "text", "corrupt"],
)
def test_a_file_that_is_not_a_pdf_is_said_to_be_one_not_an_altered_signature(
    tmp_path: Path, content: bytes, words: str
) -> None:
    """Before: every one of these was "its signatures cannot be read [response.altered]", though
    none was signed."""
    returned = tmp_path / "returned.pdf"
    returned.write_bytes(content)
    result = _import(returned, tmp_path)
    assert result.exit_code == 5, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and words in lines[0] and "[response.unreadable]" in lines[0], result.output


def test_a_copy_with_an_owner_password_only_is_read_as_any_reader_opens_it(plan, tmp_path: Path) -> None:
    """An owner password restricts editing but opens without a prompt: the answer is read; a copy
    that needs a password to open is refused in one line."""
    issued, inputs = plan
    filled = fill(issued, tmp_path / "returned.pdf", ANSWER)
    for user, expected in (("", 0), ("secret", 5)):
        writer = PdfWriter(clone_from=PdfReader(filled))
        writer.encrypt(user_password=user, owner_password="owner-only", algorithm="AES-256")
        locked = tmp_path / f"locked-{user or 'none'}.pdf"
        writer.write(locked)
        result = _import(locked, inputs, "--dry-run")
        assert result.exit_code == expected, result.output
        if expected:
            assert "protected by a password" in result.output and len(result.output.strip().splitlines()) == 1


def test_a_form_returned_unfilled_is_imported_with_a_warning(plan, tmp_path: Path) -> None:
    """The partner sent the plan back without filling anything in: imported, and said so."""
    issued, inputs = plan
    result = CliRunner().invoke(
        cli, ["response", "import", str(issued), "--config", str(CONFIG), "--inputs", str(inputs), "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["entry"]["acknowledged"] is None
    assert report["warnings"] == [
        "the acknowledgment (name, role and date) is empty: imported as not acknowledged",
        "no field of the form is filled in: check this is the file the partner returned",
    ]
    again = _import(issued, inputs, "--dry-run")
    assert again.exit_code == 0
    assert "warning: pip-BRV-partner.pdf: the acknowledgment (name, role and date) is empty" in again.stderr
