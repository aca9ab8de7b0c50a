"""The reviewer's free text against the computed facts (issue 35): an inputs file's sentence that a
month's status, a 'below the floor since ...' or a KPI's percentage contradicts is a warning at its
line from `govdocs validate` and from the build, and the documents print the reviewer's text as
the reviewer's note. Only the claims govdocs.reviewer_claims can parse are checked."""

from __future__ import annotations

import json
import shutil
from functools import cache
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import AS_OF, CONFIG, DATA, INPUTS, QUARTER

from govdocs.cli import cli
from govdocs.config.loader import load_config
from govdocs.data.loader import load_kpi_data
from govdocs.reviewer_claims import contradictions
from govdocs.scoring.engine import PartnerAssessment, assess_partner


@cache
def assessed(partner: str) -> PartnerAssessment:
    config = load_config(CONFIG)
    data = load_kpi_data([DATA], [k.id for k in config.kpis])
    return assess_partner(config, data, config.partner(partner), QUARTER)


def test_each_parsed_claim_is_checked_against_the_facts() -> None:
    crn, brv = assessed("CRN"), assessed("BRV")
    # CRN's CSAT is under its 80% floor in value since Dec 2025, but never clearly (95% intervals reach it)
    (found,) = contradictions("Customer satisfaction has been below the floor since December 2025.", crn)
    assert found.claim == "Customer satisfaction below the floor since December 2025"
    assert found.fact.startswith("not clearly below the 80.0% floor in Dec 2025 79.2% (not statistically clear)")
    # its service level is red in September, not green; August is red too, as said
    (found,) = contradictions("Service level red in Aug 2026 and green in Sep.", crn)
    assert (found.claim, found.fact) == ("Service level green in Sep", "Service level in Sep 2026: 69.0%, red")
    # BRV's August service level was 73.2%: '73%' holds, '71%' does not
    assert contradictions("During the August peaks service level fell to 73%.", brv) == []
    (found,) = contradictions("Service level fell to 71% in August.", brv)
    assert found.fact == "Service level in Aug 2026: 73.2%"
    # BRV's August red is relieved for a client cause: still red, and the fact says it is relieved
    (found,) = contradictions("Service level green in August.", brv)
    assert found.fact == "Service level in Aug 2026: 73.2%, red (relieved)"


def test_what_cannot_be_parsed_is_not_checked() -> None:
    crn = assessed("CRN")
    for text in (
        "Service level and abandonment have been below the floor for twelve months running.",  # no 'since'
        "About a third of the voice volume moved to Manila.",  # no KPI named
        "30% of the voice volume was moved to Manila.",  # a percentage of no KPI
        "Customer satisfaction red in March 2024.",  # outside the 12 months: not judged
    ):
        assert contradictions(text, crn) == [], text


@pytest.fixture
def inputs_with_false_claims(tmp_path: Path) -> Path:
    folder = tmp_path / "inputs"
    shutil.copytree(INPUTS, folder)
    crn = folder / "CRN.yaml"
    text = crn.read_text(encoding="utf-8")
    text = text.replace(
        "    - Customer satisfaction has stayed just under the floor since December 2025, too close to call on its "
        "samples.",
        "    - Customer satisfaction has been below the floor since December 2025.\n"
        "    - Service level green in September, at last.",
    )
    crn.write_text(text, encoding="utf-8")
    return folder


def test_validate_warns_at_the_line_of_a_contradicted_sentence(inputs_with_false_claims: Path) -> None:
    args = ["validate", "--config", str(CONFIG), "--data", str(DATA), "--inputs", str(inputs_with_false_claims)]
    args += ["--quarter", str(QUARTER)]
    result = CliRunner().invoke(cli, [*args, "--json"])
    assert result.exit_code == 0, result.output  # a warning: the reviewer may know more than the data
    found = [p for p in json.loads(result.stdout)["problems"] if p["code"] == "inputs.reviewer_text_contradicts"]
    assert [(Path(p["location"]["file"]).name, p["location"]["line"]) for p in found] == [
        ("CRN.yaml", 24),
        ("CRN.yaml", 25),
    ]
    assert (
        "'Service level green in September' is contradicted by the data: Service level in Sep 2026: 69.0%, red"
        in (found[1]["message"])
    )
    # the example as shipped says nothing the data contradicts
    clean = CliRunner().invoke(cli, ["validate", "--config", str(CONFIG), "--data", str(DATA), "--inputs", str(INPUTS)])
    assert "reviewer_text_contradicts" not in clean.output


def test_the_build_warns_and_prints_the_text_as_the_reviewers_note(inputs_with_false_claims: Path, tmp_path: Path):
    from test_claims_generated import visible_text

    out = tmp_path / "out"
    args = ["build", "--config", str(CONFIG), "--data", str(DATA), "--inputs", str(inputs_with_false_claims)]
    args += ["--quarter", str(QUARTER), "--as-of", AS_OF.isoformat(), "--partner", "CRN", "--format", "html"]
    args += ["--out", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if "reviewer_text_contradicts" in line]
    assert len(warnings) == 2 and warnings[0].endswith(
        "CRN.yaml:24: commentary.concerns[1]: warning: the reviewer's "
        "'Customer satisfaction below the floor since December 2025' "
        "is contradicted by the data: not clearly below the 80.0% "
        "floor in Dec 2025 79.2% (not statistically clear), Jan 2026 "
        "78.3% (not statistically clear), Feb 2026 78.4% (not "
        "statistically clear) and 7 more; the documents print it as "
        "the reviewer's note [inputs.reviewer_text_contradicts]"
    )
    text = visible_text((out / str(QUARTER) / "qbr-CRN-partner.html").read_text(encoding="utf-8"))
    assert "Reviewer's note: Customer satisfaction has been below the floor since December 2025." in text
    assert "Reviewer's note: Service level green in September, at last." in text
    assert "Reviewer's note: Average handle time has been on target every month since July 2026 (411–413 s)." in text
