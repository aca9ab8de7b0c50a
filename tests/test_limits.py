"""Human inputs are bounded, and what fits the bounds fits the page.

Every text field and list of an inputs file, an assessment and a proposed-actions file has a
limit (govdocs/limits.py), checked at load with the file and line. At the limit, the longest
word a field can hold -- 2,000 characters without a space, as a pasted link or a held-down
key gives -- breaks inside its column: no line of any document crosses the page's margin."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CONFIG, DATA, EXAMPLES, INPUTS
from weasyprint import HTML
from weasyprint.formatting_structure import boxes

from govdocs import limits
from govdocs.cli import cli
from govdocs.config.loader import load_config
from govdocs.data.actions import load_proposed_actions
from govdocs.data.assessment import load_assessment
from govdocs.data.inputs import load_partner_inputs
from govdocs.errors import GovdocsError

KPI_IDS = {k.id for k in load_config(CONFIG).kpis}


# Wider than any column, twice the page's width: a longer word breaks the same way, only more
# slowly (the concern below is the full 2,000 characters a text may hold).
WIDE = 400


def word(tag: str, length: int = WIDE) -> str:
    """A word of `length` characters with no space in it, findable by its tag."""
    return (tag + "-" + "w" * length)[:length]


def name(tag: str) -> str:
    return word(tag, limits.NAME_CHARACTERS)


# --- each limit, refused at load with file and line -------------------------------------------


def inputs_file(tmp: Path, body: str) -> Path:
    path = tmp / "BRV.yaml"
    path.write_text("partner: BRV\nquarter: 2026-Q3\n" + body, encoding="utf-8")
    return path


def refusal(load) -> str:
    with pytest.raises(GovdocsError) as info:
        load()
    assert info.value.exit_code == 5
    return "\n".join(str(p) for p in info.value.problems)


@pytest.mark.parametrize(
    ("body", "line", "field", "limit"),
    [
        ("context:\n  - kind: attrition\n    summary: {}\n", 5, "context[0].summary", limits.TEXT_CHARACTERS),
        (
            "next_steps:\n  - action: Call\n    owner: {}\n    due: 2026-12-01\n",
            5,
            "next_steps[0].owner",
            limits.NAME_CHARACTERS,
        ),
    ],
)
def test_one_character_over_a_limit_is_refused_at_its_line(tmp_path: Path, body, line, field, limit) -> None:
    path = inputs_file(tmp_path, body.format("x" * (limit + 1)))
    message = refusal(lambda: load_partner_inputs(path, "BRV", KPI_IDS, "2026-Q3"))
    assert message == (
        f"{path}:{line}: {field}: text of {limit + 1:,} characters, more than the {limit:,} this field may hold; "
        "shorten it [inputs.string_too_long]"
    )


def test_a_text_at_its_limit_is_accepted(tmp_path: Path) -> None:
    path = inputs_file(tmp_path, f"commentary:\n  concerns:\n    - {'x' * limits.TEXT_CHARACTERS}\n")
    inputs = load_partner_inputs(path, "BRV", KPI_IDS, "2026-Q3")
    assert len(inputs.commentary.concerns[0]) == limits.TEXT_CHARACTERS


def test_twenty_thousand_concerns_are_one_line_not_a_stalled_build(tmp_path: Path) -> None:
    path = inputs_file(tmp_path, "commentary:\n  concerns:\n" + "    - Too slow.\n" * 20_000)
    message = refusal(lambda: load_partner_inputs(path, "BRV", KPI_IDS, "2026-Q3"))
    assert message == (
        f"{path}:4: commentary.concerns: 20,000 entries, more than the 50 this list may hold; "
        "keep the ones the review needs [inputs.too_long]"
    )


def test_fifty_entries_are_accepted(tmp_path: Path) -> None:
    path = inputs_file(tmp_path, "commentary:\n  highlights:\n" + "    - Good.\n" * limits.LIST_ENTRIES)
    assert len(load_partner_inputs(path, "BRV", KPI_IDS, "2026-Q3").commentary.highlights) == 50


def test_a_file_over_one_megabyte_is_refused_before_it_is_parsed(tmp_path: Path, monkeypatch) -> None:
    path = inputs_file(tmp_path, "context:\n  - kind: other\n    summary: " + "word " * 1_000_000 + "\n")
    import govdocs.yamlfile

    parsed: list[str] = []
    monkeypatch.setattr(govdocs.yamlfile, "decode_text", lambda *a: parsed.append("x") or "")
    message = refusal(lambda: load_partner_inputs(path, "BRV", KPI_IDS, "2026-Q3"))
    assert message == (
        f"{path}: the file is 4.8 MB, more than the 1 MB a human-input file may hold "
        "(2,000 characters a text, 50 entries a list) [file.too_large]"
    )
    assert parsed == []


def test_many_problems_are_counted_not_all_printed(tmp_path: Path) -> None:
    long = "x" * (limits.TEXT_CHARACTERS + 1)
    path = inputs_file(
        tmp_path, "commentary:\n  concerns:\n" + f"    - {long}\n" * 50 + "  highlights:\n" + f"    - {long}\n" * 30
    )
    with pytest.raises(GovdocsError) as info:
        load_partner_inputs(path, "BRV", KPI_IDS, "2026-Q3")
    problems = info.value.problems
    assert len(problems) == 51
    assert str(problems[-1]) == f"{path}: 30 more problems not shown; fix the ones above first [inputs.more_problems]"


def test_an_assessment_with_too_many_risk_factors_is_refused(tmp_path: Path) -> None:
    text = (EXAMPLES / "assessments" / "BRV.yaml").read_text(encoding="utf-8")
    extra = "".join(f"  - kind: other\n    summary: Risk {i}.\n" for i in range(60))
    path = tmp_path / "BRV.yaml"
    path.write_text(text.replace("risk_factors:\n", "risk_factors:\n" + extra, 1), encoding="utf-8")
    line = text[: text.index("risk_factors:")].count("\n") + 1
    message = refusal(lambda: load_assessment(path, "BRV", load_config(CONFIG)))
    assert message == (
        f"{path}:{line}: risk_factors: 62 entries, more than the 50 this list may hold; "
        "keep the ones the review needs [assessment.too_long]"
    )


def test_a_proposed_actions_file_holds_at_most_one_hundred_actions(tmp_path: Path) -> None:
    path = tmp_path / "BRV.csv"
    rows = "".join(f"BRV-{i},Coach team {i}\n" for i in range(1, 102))
    path.write_text("id,action\n" + rows, encoding="utf-8")
    message = refusal(lambda: load_proposed_actions(path))
    assert message == (
        f"{path}:102: 101 proposed actions, more than the 100 one file may hold; "
        "a plan needs a few actions per objective [actions.too_many]"
    )


def test_a_proposed_action_text_over_its_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "BRV.csv"
    path.write_text(f"id,action\nBRV-1,{'x' * 2_001}\n", encoding="utf-8")
    message = refusal(lambda: load_proposed_actions(path))
    assert message == (
        f"{path}:2: action: text of 2,001 characters, more than the 2,000 this field may hold; "
        "shorten it [actions.string_too_long]"
    )


# --- what fits the limits fits the page -------------------------------------------------------


def longest_inputs() -> str:
    return f"""partner: BRV
quarter: 2026-Q3
context:
  - kind: attrition
    since: "2026-06"
    summary: {word("ctxsummary")}
    handling: {word("ctxhandling")}
commentary:
  highlights: [{word("highlight")}]
  concerns: [{word("concern", limits.TEXT_CHARACTERS)}]
  internal_notes: [{word("internalnote")}]
client_factors:
  - kpi: aht
    factor: {word("factor")}
    impact: {word("impact")}
    client_owner: {name("clientowner")}
previous_actions:
  - id: {name("ref")}
    action: {word("prevaction")}
    owner: {name("prevowner")}
    due: 2026-08-31
    status: done
    note: {word("prevnote")}
next_steps:
  - action: {word("nextstep")}
    owner: {name("stepowner")}
    due: 2026-12-10
"""


def longest_assessment() -> str:
    text = (EXAMPLES / "assessments" / "BRV.yaml").read_text(encoding="utf-8")
    text = text.replace("assessed_by: Tom Achterberg", f"assessed_by: {name('assessor')}")
    text = text.replace(
        "comment: Accepted the Q3 findings and proposed its own actions.", f"comment: {word('ratingcomment')}"
    )
    text = text.replace("evidence: Proposed actions, 2026-10-12", f"evidence: {word('ratingevidence')}")
    text = text.replace(
        "summary: A competitor hired 38 agents between June and August 2026.", f"summary: {word('risksummary')}"
    )
    text = text.replace("handling: Successor starts on 3 November.", f"handling: {word('riskhandling')}")
    return text.replace(
        "{status: done, owner: Helios IT}", f"{{status: blocked, owner: {name('itemowner')}, note: {word('itemnote')}}}"
    )


def longest_actions() -> str:
    row = [
        "BRV-1",
        "service_level",
        "staffing_attrition",
        "Coach every agent weekly " + word("action"),
        word("metric"),
        word("threshold"),
        name("owner"),
        "2026-11-27",
        "partner",
        "",
        "",
        word("actionnote"),
    ]
    return "id,objective,category,action,metric,threshold,owner,due,side,replaces,status,note\n" + ",".join(row) + "\n"


def text_boxes(path: Path) -> list[tuple[int, float, float, str]]:
    """Every line fragment WeasyPrint lays out: page, right edge, the page's content edge, text."""

    def walk(box):
        yield box
        for child in getattr(box, "children", None) or ():
            yield from walk(child)

    found = []
    for number, page in enumerate(HTML(filename=str(path)).render().pages, 1):
        frame = page._page_box
        edge = frame.content_box_x() + frame.width
        for box in walk(frame):
            if isinstance(box, boxes.TextBox):
                found.append((number, box.position_x + box.width, edge, box.text))
    return found


def crossing(document: str, lines: list[tuple[int, float, float, str]]) -> list[str]:
    return [
        f"{document} p.{n}: {text[:30]!r} ends {right - edge:.0f}px past the margin"
        for n, right, edge, text in lines
        if right > edge + 0.5
    ]


@pytest.fixture(scope="module")
def longest_documents(tmp_path_factory) -> Path:
    """BRV's QBR (both audiences), plan and offboarding assessment, every human field at its
    longest, as HTML (the PDF's layout is WeasyPrint's layout of that HTML)."""
    tmp = tmp_path_factory.mktemp("longest")
    inputs = tmp / "inputs"
    shutil.copytree(INPUTS, inputs)
    (inputs / "BRV.yaml").write_text(longest_inputs(), encoding="utf-8")
    (tmp / "BRV-assessment.yaml").write_text(longest_assessment(), encoding="utf-8")
    (tmp / "BRV-actions.csv").write_text(longest_actions(), encoding="utf-8")
    out = tmp / "out"
    common = ["--config", str(CONFIG), "--data", str(DATA), "--quarter", "2026-Q3", "--partner", "BRV"]
    common += ["--as-of", "2026-10-15", "--out", str(out), "--format", "html", "--jobs", "0"]
    for command in (
        ["qbr", "--inputs", str(inputs), "--audience", "internal"],  # the partner copy prints less
        ["pip", "--inputs", str(inputs), "--actions", str(tmp / "BRV-actions.csv"), "--audience", "partner"],
        ["offboarding", "--assessments", str(tmp / "BRV-assessment.yaml")],
    ):
        result = CliRunner().invoke(cli, [*command, *common], catch_exceptions=False)
        assert result.exit_code == 0, result.output
    return out / "2026-Q3"


def test_the_longest_words_the_inputs_allow_stay_inside_the_page(longest_documents: Path) -> None:
    documents = sorted(longest_documents.glob("*.html"))
    assert [p.name for p in documents] == [
        "offboarding-BRV-internal.html",
        "pip-BRV-partner.html",
        "qbr-BRV-internal.html",
    ]
    laid_out = {p.name: text_boxes(p) for p in documents}
    printed = {document: "".join(t for *_, t in lines) for document, lines in laid_out.items()}
    # the words are in the documents (broken across lines, so found by their tags)
    expected = {
        "qbr-BRV-internal.html": (
            "ctxsummary-",
            "ctxhandling-",
            "highlight-",
            "concern-",
            "internalnote-",
            "factor-",
            "prevaction-",
            "prevowner-",
            "prevnote-",
            "nextstep-",
            "stepowner-",
        ),
        "pip-BRV-partner.html": ("action-", "metric-", "threshold-", "owner-", "actionnote-", "ctxsummary-"),
        "offboarding-BRV-internal.html": (
            "assessor-",
            "ratingcomment-",
            "ratingevidence-",
            "risksummary-",
            "riskhandling-",
            "itemowner-",
            "itemnote-",
        ),
    }
    for document, tags in expected.items():
        missing = [tag for tag in tags if tag not in printed[document]]
        assert not missing, f"{document} does not print {missing}"
    problems = [line for document, lines in laid_out.items() for line in crossing(document, lines)]
    assert not problems, "\n".join(problems[:10])


def test_no_example_document_crosses_the_margin(tmp_path: Path) -> None:
    """Every partner's QBR (each scorecard has its own widths) and the portfolio summary: a
    table wider than the page (ten columns, a label that may not wrap) shows here first."""
    from conftest import build_command

    result = CliRunner().invoke(cli, [*build_command(EXAMPLES, tmp_path, 0)[3:], "--format", "html"])
    assert result.exit_code == 0, result.output
    folder = tmp_path / "2026-Q3"
    # (a plan and an offboarding assessment are laid out, with longer words, in the test above)
    documents = [*sorted(folder.glob("qbr-*-partner.html")), folder / "portfolio-summary-internal.html"]
    assert len(documents) == 6
    problems = [line for p in documents for line in crossing(p.name, text_boxes(p))]
    assert not problems, "\n".join(problems[:10])
