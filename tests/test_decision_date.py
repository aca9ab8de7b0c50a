"""One date for the decision on a partner under offboarding review: the QBR's "Decide retain,
remediate or exit" step is due on the date the offboarding assessment asks the decision by (its
options' one date), on every command path that writes a QBR: `qbr --assessments`, `build`, and a
project file whose assessments folder is the default. CRN's QBR said 16 Nov 2026 (as-of + 30) while
its assessment said 2 Dec 2026. Read from the rendered text (HTML: same context and template)."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from conftest import AS_OF, CONFIG, DATA, INPUTS, ROOT

from govdocs.cli import cli

ASSESSMENTS = ROOT / "examples" / "assessments"
COMMON = ["--config", str(CONFIG), "--data", str(DATA), "--quarter", "2026-Q3", "--as-of", AS_OF.isoformat()]
COMMON += ["--format", "html", "--no-project"]


def visible(html: str) -> str:
    html = re.sub(r"<style.*?</style>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", html).replace("&amp;", "&").replace("&#39;", "'")
    return " ".join(text.split())


def run(*args: str) -> None:
    result = CliRunner().invoke(cli, [*args])
    assert result.exit_code == 0, result.output


def decide_step(text: str) -> str:
    found = re.search(r"Decide retain, remediate or exit .{0,200}? (\d{1,2} \w{3} \d{4}) Governance rule", text)
    assert found, text[text.find("What happens next") :][:800]
    return found.group(1)


def review_step(text: str) -> str:
    found = re.search(r"Formal performance review of .{0,300}? (\d{1,2} \w{3} \d{4}) Governance rule", text)
    assert found, text[text.find("What happens next") :][:800]
    return found.group(1)


def assessment_date(text: str) -> str:
    found = re.search(r"Decide by (\d{1,2}) (\w+) (\d{4})", text)
    assert found, text[:2000]
    day, month, year = found.groups()
    return f"{day} {month[:3]} {year}"


@pytest.fixture(scope="module")
def texts(tmp_path_factory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("decision")
    where = ["--inputs", str(INPUTS), "--partner", "CRN"]
    run("offboarding", *COMMON, *where[2:], "--assessments", str(ASSESSMENTS), "--out", str(out / "o"))
    run("qbr", *COMMON, *where, "--audience", "internal", "--assessments", str(ASSESSMENTS), "--out", str(out / "q"))
    run("qbr", *COMMON, *where, "--audience", "partner", "--assessments", str(ASSESSMENTS), "--out", str(out / "p"))
    # a project file names the assessments folder: the qbr command takes it as its default
    project = out / "project"
    project.mkdir()
    (project / "govdocs.yaml").write_text(
        f"config: {CONFIG}\ndata: [{DATA}]\ninputs: {INPUTS}\nactions: {ROOT / 'examples' / 'actions'}\n"
        f"assessments: {ASSESSMENTS}\noutput: {out / 'j'}\n",
        encoding="utf-8",
    )
    args = [a for a in COMMON if a not in ("--no-project",)]
    args = args[args.index("--quarter") :]
    run("qbr", "--project", str(project), *args, "--partner", "CRN", "--audience", "internal")

    def read(folder: str, name: str) -> str:
        return visible((out / folder / "2026-Q3" / name).read_text(encoding="utf-8"))

    return {
        "assessment": read("o", "offboarding-CRN-internal.html"),
        "qbr": read("q", "qbr-CRN-internal.html"),
        "partner": read("p", "qbr-CRN-partner.html"),
        "project": read("j", "qbr-CRN-internal.html"),
    }


def test_the_qbr_decides_on_the_assessments_date(texts) -> None:
    when = assessment_date(texts["assessment"])
    assert when == "2 Dec 2026"  # the transition must start that day to end with the contract
    assert decide_step(texts["qbr"]) == when
    assert decide_step(texts["project"]) == when  # the project file's assessments folder is used


def test_the_partners_review_is_held_no_later_than_the_decision(texts) -> None:
    from datetime import datetime

    review = datetime.strptime(review_step(texts["partner"]), "%d %b %Y").date()
    decided = datetime.strptime(assessment_date(texts["assessment"]), "%d %b %Y").date()
    assert review <= decided
    assert "Decide retain" not in texts["partner"]  # the client's preparations stay internal


def test_the_build_states_one_date_in_both_documents(example_build) -> None:
    """The example build (`--assessments examples/assessments`): the PDFs' text agrees too."""
    from conftest import QUARTER, pdf_text

    folder = example_build.out / str(QUARTER)
    qbr = " ".join(pdf_text(folder / "qbr-CRN-internal.pdf").split())
    memo = " ".join(pdf_text(folder / "offboarding-CRN-internal.pdf").split())
    assert decide_step(qbr) == assessment_date(memo)
