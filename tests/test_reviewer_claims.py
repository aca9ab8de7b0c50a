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
    found = [p for p in found if Path(p["location"]["file"]).name == "CRN.yaml"]
    assert [p["location"]["line"] for p in found] == [24, 25]
    assert (
        "'Service level green in September' is contradicted by the data: Service level in Sep 2026: 69.0%, red"
        in (found[1]["message"])
    )
    # the example as shipped: the three sentences issue 35's reader found false (BRV's quality and its
    # August concern, DLT's FCR), and ECH's 'on or near target' that no claim of the checker reads
    shipped = CliRunner().invoke(
        cli, ["validate", "--config", str(CONFIG), "--data", str(DATA), "--inputs", str(INPUTS), "--json"]
    )
    problems = json.loads(shipped.stdout)["problems"]
    where = sorted(
        (p["code"].split(".")[1], Path(p["location"]["file"]).name, p["location"]["line"])
        for p in problems
        if p["code"].startswith("inputs.reviewer_text")
    )
    assert where == [
        ("reviewer_text_contradicts", "BRV.yaml", 17),
        ("reviewer_text_contradicts", "BRV.yaml", 19),
        ("reviewer_text_contradicts", "DLT.yaml", 18),
        ("reviewer_text_not_checked", "ECH.yaml", 14),
    ]


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
        "statistically clear) and 7 more; the partner copy leaves it "
        "out; the internal copy prints it with the data [inputs.reviewer_text_contradicts]"
    )
    # a contradicted sentence never reaches the partner copy; a checked one does
    text = visible_text((out / str(QUARTER) / "qbr-CRN-partner.html").read_text(encoding="utf-8"))
    assert "Customer satisfaction has been below the floor since December 2025" not in text
    assert "Service level green in September" not in text
    assert "Reviewer's note: Average handle time has been on target every month since July 2026 (411–413 s)." in text
    # the internal copy prints it with the data that contradicts it
    internal = visible_text((out / str(QUARTER) / "qbr-CRN-internal.html").read_text(encoding="utf-8"))
    assert (
        "Reviewer's note, contradicted by the data: Service level green in September, at last. The data: "
        "Service level in Sep 2026: 69.0%, red." in internal
    )


# --- the class of claims a reviewer writes, and what a document does with each ------------------


def test_held_at_above_below_target_or_floor_is_read_for_a_kpi_or_its_family() -> None:
    """The findings of issue 35: BRV's 'Quality held at target' (July 89.4 against 90.0), DLT's
    'First-contact resolution held above the 75% target in every month with data this year' (never
    clearly above it), CRN's two KPIs 'below the floor for twelve months running' (true)."""
    from govdocs.reviewer_claims import read_text

    brv, dlt, crn = assessed("BRV"), assessed("DLT"), assessed("CRN")
    reading = read_text("Quality held at target through the staffing shortfall.", brv)
    assert reading.verdict == "contradicted"
    assert reading.contradicted[0].fact == "not clearly on the 90.0 target in Jul 2026 89.4"
    reading = read_text("First-contact resolution held above the 75% target in every month with data this year.", dlt)
    assert (
        reading.verdict == "contradicted" and "Jan 2026 75.1% (not statistically clear)" in reading.contradicted[0].fact
    )
    reading = read_text("Service level and abandonment have been below the floor for twelve months running.", crn)
    assert (reading.verdict, reading.claims) == ("checked", 2)
    # a written figure that is not the KPI's line is a contradiction of its own
    facts = [c.fact for c in read_text("FCR held above the 80% target this quarter.", dlt).contradicted]
    assert "the First-contact resolution target is 75.0%" in facts
    # true claims hold: CRN's handle time on target every month since July; the hedged CSAT claim
    assert read_text("AHT on target every month since July 2026.", crn).verdict == "checked"
    hedged = "Customer satisfaction has stayed just under the floor since December 2025, too close to call."
    assert read_text(hedged, crn).verdict == "checked"


def test_a_concern_about_a_relieved_month_is_contradicted() -> None:
    """BRV's concern held August against the partner: August's service level is relieved (volume 23%
    over forecast), no partner failure. The same words as a highlight hold nothing against it."""
    from govdocs.reviewer_claims import read_text

    brv = assessed("BRV")
    text = "Intraday re-forecasting was not used during the August peaks, when service level fell to 73%."
    (found,) = read_text(text, brv, concern=True).contradicted
    assert found.fact == "Service level in Aug 2026 is relieved (volume 23% over forecast): no partner failure"
    assert read_text(text, brv).verdict == "checked"


def test_the_rule_for_each_verdict() -> None:
    """Contradicted: internal copy only, with the data. About the KPIs but not parsed: internal copy
    only, labelled not checked. Checked, or about no KPI: the reviewer's note in both copies."""
    from govdocs.documents.qbr_summary import reviewer_note

    ech, brv, atl = assessed("ECH"), assessed("BRV"), assessed("ATL")
    vague = "Every KPI except handle time is now on or near target, one year after go-live."
    assert reviewer_note(vague, ech, internal=False) is None
    assert reviewer_note(vague, ech, internal=True).label == "Reviewer's note (not checked against the data)"
    wrong = "Quality held at target through the staffing shortfall."
    assert reviewer_note(wrong, brv, internal=False) is None
    note = reviewer_note(wrong, brv, internal=True)
    assert note.label == "Reviewer's note, contradicted by the data"
    assert note.text == wrong + " The data: not clearly on the 90.0 target in Jul 2026 89.4."
    story = "Atlas piloted the new knowledge-base search for the whole programme."
    assert reviewer_note(story, atl, internal=False).label == "Reviewer's note"


def test_no_partner_copy_of_the_example_prints_a_sentence_the_data_contradicts(example_build) -> None:
    """The class over the rendered example: every reviewer's sentence a partner QBR prints is one the
    checker verifies or one about no KPI; the contradicted and unchecked ones are in the internal
    copies, labelled."""
    import yaml
    from conftest import flat, pdf_text

    from govdocs.reviewer_claims import read_text

    folder = example_build.out / str(QUARTER)
    seen = {"contradicted": 0, "not checked": 0}
    for partner in ("ATL", "BRV", "CRN", "DLT", "ECH"):
        commentary = yaml.safe_load((INPUTS / f"{partner}.yaml").read_text(encoding="utf-8")).get("commentary", {})
        # spaces out: a line may wrap anywhere inside the sentence ("re- forecasting")
        copies = {
            a: "".join(flat(pdf_text(folder / f"qbr-{partner}-{a}.pdf")).split()) for a in ("partner", "internal")
        }
        for key in ("highlights", "concerns"):
            for text in commentary.get(key, []):
                verdict = read_text(text, assessed(partner), concern=key == "concerns").verdict
                head = "".join(text.split()[:6])
                if verdict in ("contradicted", "not checked"):
                    seen[verdict] += 1
                    assert head not in copies["partner"], (partner, text)
                    label = "contradictedbythedata" if verdict == "contradicted" else "(notcheckedagainst"
                    assert label in copies["internal"] and head in copies["internal"], (partner, text)
                else:
                    assert head in copies["partner"], (partner, text)
    assert seen == {"contradicted": 3, "not checked": 1}  # BRV's two and DLT's; ECH's 'on or near target'
