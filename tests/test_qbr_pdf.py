"""The QBR as a reader sees it: numbers in the PDF text, metadata, pages, isolation,
reproducibility and the sealed renderer."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import AS_OF, CONFIG, DATA, INPUTS, PARTNERS, ROOT, flat, pdf_text, qbr_request
from pypdf import PdfReader
from test_engine import independent_quarter, independent_score

from govdocs.errors import ExitCode, GovdocsError
from govdocs.render.pdf import html_to_pdf

NAMES = {
    "ATL": "Atlas Contact Solutions",
    "BRV": "Bravo CX Partners",
    "CRN": "Cornerstone BPO",
    "DLT": "Delta Digital Care",
    "ECH": "Echo Offshore Services",
}


@pytest.mark.parametrize("partner", PARTNERS)
def test_cover_and_summary_numbers_match_the_data(rendered, partner):
    text = flat(pdf_text(rendered[(partner, "partner")]))
    score = independent_score(partner)
    # a provisional score says so (issue 35)
    assert re.search(rf"scored {score:.1f}(?: \(provisional\))? out of 100 in Q3 2026", text), partner
    assert "Quarterly Business Review" in text and NAMES[partner] in text


def test_scorecard_values_for_the_slipping_partner(rendered):
    text = flat(pdf_text(rendered[("BRV", "partner")]))
    service_level = independent_quarter("BRV", "service_level")
    asa = independent_quarter("BRV", "asa")
    assert (
        f"Service level at {service_level:.1f}%: {80 - round(service_level, 1):.1f} pp short of the 80.0% target"
        in text
    )
    # lower is better: the gap is "above" the target, never "short of" it
    assert f"Average speed of answer at {asa:.0f} s: {round(asa) - 30} s above the 30 s target" in text
    # the three months exactly as in the data file, with their status words
    # August is marked relieved where its status is shown, as the credits say (issue 35)
    assert "76.5% Amber 73.2% Red relieved 72.4% Red" in text
    # August is relieved (volume 23% over forecast): no run of two red months, and a score whose range
    # reaches below 60 only for some outcomes of CSAT and FCR is a provisional trigger (issues 32, 35)
    assert "Escalation status: Watch" in text
    assert "Service level red 2 months running" not in text and "Service level red in Sep 2026" in text
    assert (
        "Provisional (no action on its own): Score 62.0 (provisional, 56.0–68.0) may be below the "
        "improvement-plan threshold of 60" in text
    )


def test_missing_month_and_low_sample_are_shown(rendered):
    delta = flat(pdf_text(rendered[("DLT", "partner")]))
    assert "No data for any KPI in Aug 2026" in delta
    assert "No data" in delta
    echo = flat(pdf_text(rendered[("ECH", "partner")]))
    assert "Jul 2026 volume below the minimum sample" in echo
    assert "Low sample" in echo


def test_contract_clock_on_the_cover(rendered):
    text = flat(pdf_text(rendered[("BRV", "partner")]))
    # Bravo: contract ends 31 Mar 2027 with 120 days' notice -> 1 Dec 2026; 47 days after 15 Oct 2026
    assert "1 December 2026 (47 days left)" in text


def test_earlier_actions_and_next_steps(rendered):
    text = flat(pdf_text(rendered[("BRV", "partner")]))
    assert "1 of the 2 actions agreed at the last review is done; 1 late, overdue or not started." in text
    assert "Share the recovery staffing plan" in text
    assert "Review Service level month by month at the governance meeting" in text
    # the renewal decision is the client's business: internal copy only
    assert "Decide whether to renew" not in text
    internal = flat(pdf_text(rendered[("BRV", "internal")]))
    assert "Decide whether to renew; without a new agreement the contract ends on 31 March 2027" in internal


def test_overdue_action_is_flagged(rendered):
    # CRN's Q2-CRN-3 was due 30 Sep 2026 and is still "on track" on 15 Oct 2026
    text = flat(pdf_text(rendered[("CRN", "partner")]))
    assert "30 Sep 2026 Overdue (last reported on track)" in text


def test_change_column_adds_up_as_printed(rendered):
    # DLT AHT: 450 s this quarter, 449 s the quarter before (both as printed) -> +1 s, not ±0
    text = flat(pdf_text(rendered[("DLT", "partner")]))
    assert "420 s 480 s 450 s 449 s +1 s" in text


def test_programme_wide_client_factor_reaches_every_affected_partner(rendered):
    for partner in ("ATL", "BRV", "CRN", "ECH"):
        text = flat(pdf_text(rendered[(partner, "partner")]))
        assert "identity-verification step Helios introduced in March 2026" in text, partner
    assert "identity-verification" not in flat(pdf_text(rendered[("DLT", "partner")]))


def test_peers_are_compared_within_their_group_and_never_by_single_figure(rendered):
    brv = flat(pdf_text(rendered[("BRV", "partner")]))
    assert "against the 3 other partners of its peer group (voice)" in brv
    assert "Best peer" not in brv
    assert "Peer figures are shown only where at least 5 peers have data for a KPI" in brv
    assert "Peer median" not in brv
    assert "No peer figure is shown this quarter: at most 3 other partners of the peer group have data" in brv
    delta = flat(pdf_text(rendered[("DLT", "partner")]))
    assert "No other partner is in Delta Digital Care" in delta
    assert "peer group (digital), so there is no one to compare with" in delta
    assert "0 other partners" not in delta


def test_partner_copy_refuses_text_naming_another_partner(tmp_path: Path):
    from govdocs.documents.common import Audience
    from govdocs.pipeline import render_qbrs

    inputs = tmp_path / "inputs"
    inputs.mkdir()
    original = (INPUTS / "BRV.yaml").read_text(encoding="utf-8")
    leaked = original.replace("hired from another outsourcer", "hired from Atlas")
    (inputs / "BRV.yaml").write_text(leaked, encoding="utf-8")
    line = leaked.splitlines().index(next(x for x in leaked.splitlines() if "hired from Atlas" in x)) + 1
    with pytest.raises(GovdocsError) as caught:
        render_qbrs(qbr_request(tmp_path / "out", partners=("BRV",), inputs_dir=inputs))
    assert caught.value.exit_code is ExitCode.INPUTS
    assert str(caught.value).startswith(f"{inputs / 'BRV.yaml'}:{line}: context[1].handling: names 'Atlas'")
    assert not (tmp_path / "out").exists()
    # the internal copy may say it
    written = render_qbrs(qbr_request(tmp_path / "out", Audience.INTERNAL, partners=("BRV",), inputs_dir=inputs))
    assert "hired from Atlas" in flat(pdf_text(written[0].path))


def test_partner_copy_refuses_config_text_naming_another_partner(tmp_path: Path):
    """Programme-wide text (a KPI definition) reaches every partner copy: naming a partner there
    would show it to all the others."""
    from govdocs.pipeline import render_qbrs

    text = CONFIG.read_text(encoding="utf-8")
    old = "Mean seconds from queue entry to answer, over answered calls."
    config = tmp_path / "governance.yaml"
    config.write_text(text.replace(old, "Mean seconds to answer, measured as Atlas reports it."), encoding="utf-8")
    line = text[: text.index(old)].count("\n") + 1
    with pytest.raises(GovdocsError) as caught:
        render_qbrs(qbr_request(tmp_path / "out", partners=("BRV",), config_path=config))
    assert caught.value.exit_code is ExitCode.CONFIG
    assert str(caught.value).startswith(f"{config}:{line}: kpis[1].definition: names 'Atlas'")
    assert not (tmp_path / "out").exists()


def test_partner_documents_never_name_another_partner(rendered):
    for partner in PARTNERS:
        path = rendered[(partner, "partner")]
        reader = PdfReader(path)
        text = pdf_text(path) + str(reader.metadata)
        for other, name in NAMES.items():
            if other != partner:
                assert name not in text, (partner, name)
                assert f"{other}.yaml" not in text


def test_internal_document_names_peers_and_internal_notes(rendered):
    text = flat(pdf_text(rendered[("CRN", "internal")]))
    assert all(name in text for name in NAMES.values())
    assert "Internal notes" in text and "not for the partner" in text.lower()
    partner_copy = flat(pdf_text(rendered[("CRN", "partner")]))
    assert "Procurement has asked" not in partner_copy


def test_metadata_identity_and_provenance(rendered):
    path = rendered[("ATL", "partner")]
    reader = PdfReader(path)
    meta = reader.metadata
    assert meta.title == "Quarterly Business Review · Atlas Contact Solutions · Q3 2026"
    assert meta.author == "Helios Energy Retail"
    assert meta["/CreationDate"] == "D:20261015000000Z"
    text = flat(pdf_text(path))
    doc_id = meta["/Keywords"].split(",")[0]
    assert doc_id.startswith("QBR-2026Q3-ATL-P-")
    assert text.count(doc_id) >= len(reader.pages) - 1  # in the footer of every page after the cover
    import hashlib

    assert hashlib.sha256(DATA.read_bytes()).hexdigest()[:12] in text
    assert f"Page 2 of {len(reader.pages)}" in text
    # cover and four body pages, the appendix, then the partner copy's response form (issue 35)
    assert 8 <= len(reader.pages) <= 13


def test_same_inputs_give_identical_bytes_across_processes(tmp_path: Path, rendered):
    out = tmp_path / "again"
    env = {**os.environ, "PYTHONHASHSEED": "123", "TZ": "Pacific/Auckland", "LC_ALL": "C.UTF-8"}
    subprocess.run(
        [
            sys.executable,
            "-m",
            "govdocs",
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
            "BRV",
            "--as-of",
            AS_OF.isoformat(),
            "--out",
            str(out),
        ],
        check=True,
        env=env,
        cwd=ROOT,
        capture_output=True,
    )
    again = out / "2026-Q3" / "qbr-BRV-partner.pdf"
    assert again.read_bytes() == rendered[("BRV", "partner")].read_bytes()


def test_renderer_refuses_network_and_stray_files(tmp_path: Path):
    from govdocs.render.environment import builtin_templates_dir

    secret = tmp_path / "secret.png"
    secret.write_bytes(b"not for you")
    for url in ("http://example.com/x.png", secret.as_uri(), "file:///etc/passwd"):
        html = f'<html lang="en"><body><img src="{url}"></body></html>'
        with pytest.raises(GovdocsError) as caught:
            html_to_pdf(html, [builtin_templates_dir()], "test.pdf")
        assert caught.value.exit_code is ExitCode.RENDER
        assert "refused" in str(caught.value)


def test_renderer_warning_fails_the_render():
    from govdocs.render.environment import builtin_templates_dir

    html = '<html lang="en"><head><style>p { %s: red }</style></head><body><p>x</p></body></html>'
    assert html_to_pdf(html % "color", [builtin_templates_dir()], "test.pdf").startswith(b"%PDF")
    with pytest.raises(GovdocsError) as caught:
        html_to_pdf(html % "colour", [builtin_templates_dir()], "test.pdf")
    # the warning itself is WeasyPrint's wording: only that it is passed on, under govdocs' code
    problems = caught.value.problems
    assert caught.value.exit_code is ExitCode.RENDER
    assert problems and all((p.code, p.location.file) == ("render.warning", "test.pdf") for p in problems)
    prefix = "PDF renderer warning: "
    assert all(p.message.startswith(prefix) and p.message.removeprefix(prefix).strip() for p in problems)


def test_partner_text_is_escaped_not_executed(tmp_path: Path):
    hostile = INPUTS / "BRV.yaml"
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    text = hostile.read_text(encoding="utf-8").replace(
        "Quality held at target", '<img src="http://example.com/t.png"><b>Quality</b> held at target'
    )
    (inputs / "BRV.yaml").write_text(text, encoding="utf-8")
    from govdocs.documents.common import Audience
    from govdocs.pipeline import render_qbrs

    # The data contradicts 'held at target' (July 89.4 against 90.0): the internal copy prints it
    # with the data, the partner copy not at all (govdocs.reviewer_claims).
    request = qbr_request(tmp_path / "out", Audience.INTERNAL, ("BRV",), inputs_dir=inputs)
    written = render_qbrs(request)
    # printed as the reviewer's note, as text; where a line wraps inside the markup is the layout's choice
    printed = "".join(flat(pdf_text(written[0].path)).split())
    expected = (
        'Reviewer\'s note, contradicted by the data: <img src="http://example.com/t.png"><b>Quality</b> held at target'
    )
    assert "".join(expected.split()) in printed


def test_existing_document_is_not_overwritten(tmp_path: Path):
    from govdocs.pipeline import render_qbrs

    target = tmp_path / "2026-Q3" / "qbr-ATL-partner.pdf"
    target.parent.mkdir(parents=True)
    target.write_bytes(b"keep me")
    with pytest.raises(GovdocsError) as caught:
        render_qbrs(qbr_request(tmp_path, partners=("ATL", "BRV")))
    assert caught.value.exit_code is ExitCode.OUTPUT
    assert target.read_bytes() == b"keep me"
    assert not (tmp_path / "2026-Q3" / "qbr-BRV-partner.pdf").exists()  # nothing half-done
