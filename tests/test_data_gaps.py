"""A month without data that the client caused is not the partner's failure anywhere. DLT's August
2026 has no data; its inputs said "Helios IT owns the report rebuild", yet the QBR asked the partner
to deliver it. The inputs' `data_gaps` records whose a gap is (client, partner, unknown): a client's
gap asks nothing of the partner and holds nothing against it, is named as the client's in the
internal copy and neutrally in the partner copy; a partner's or an unknown one is the partner's
data-delivery obligation, as before. Read from the rendered QBRs (HTML: same context and template)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import AS_OF, CONFIG, DATA, INPUTS, QUARTER, qbr_request

from govdocs.config import load_config
from govdocs.data.inputs import load_partner_inputs
from govdocs.documents.common import Audience
from govdocs.errors import GovdocsError
from govdocs.pipeline import render_qbrs

DLT = (INPUTS / "DLT.yaml").read_text(encoding="utf-8")
KPI_IDS = {k.id for k in load_config(CONFIG).kpis}


def visible(html: str) -> str:
    html = re.sub(r"<style.*?</style>", " ", html, flags=re.S)
    html = re.sub(r"<svg.*?</svg>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", html).replace("&amp;", "&").replace("&#39;", "'")
    return " ".join(text.split())


def render(out: Path, inputs: Path, audience: Audience) -> str:
    (written,) = render_qbrs(qbr_request(out, audience, ("DLT",), fmt="html", inputs_dir=inputs, force=True))
    return visible(written.path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def qbrs(tmp_path_factory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("gaps")
    partner_cause = out / "inputs"
    shutil.copytree(INPUTS, partner_cause)
    (partner_cause / "DLT.yaml").write_text(DLT.replace("    cause: client\n", "    cause: partner\n"), "utf-8")
    return {
        "internal": render(out / "a", INPUTS, Audience.INTERNAL),
        "partner": render(out / "b", INPUTS, Audience.PARTNER),
        "theirs": render(out / "c", partner_cause, Audience.PARTNER),
    }


def test_a_client_gap_asks_nothing_of_the_partner(qbrs) -> None:
    for copy in ("internal", "partner"):
        text = qbrs[copy]
        assert "Deliver the missing" not in text, copy
        assert "owed under the reporting obligation" not in text, copy
        assert "Data-delivery obligation" not in text, copy
    internal = qbrs["internal"]
    assert (
        "No data for any of the 8 KPIs in Aug 2026: a gap on Helios Energy Retail's side (The chat platform "
        "migration to the Helios messaging suite stopped the August KPI export; Helios IT owns the report rebuild), "
        "not Delta Digital Care's; the month is unscored, so the tier rests on the other months, and no delivery is "
        "asked of Delta Digital Care." in internal
    )
    # the client's own step, in the internal copy only
    assert re.search(
        r"Restore the missing Aug 2026 data for all 8 KPIs: a gap on Helios Energy Retail's side, not the partner's "
        r"Ines Cardoso \d+ \w{3} 2026 Client data gap",
        internal,
    ), internal[internal.find("What happens next") :][:600]


def test_the_partner_copy_states_it_neutrally(qbrs) -> None:
    partner = qbrs["partner"]
    assert (
        "No data for any of the 8 KPIs in Aug 2026, for a cause outside Delta Digital Care's reporting: the month is "
        "unscored, so the tier rests on the other months; no delivery is asked of Delta Digital Care." in partner
    )
    assert "Restore the missing" not in partner and "Client data gap" not in partner
    # with no step left, the cover line says why, not that performance is on target (AHT is amber)
    assert "No step is due: no escalation rule calls for one and none was agreed." in partner
    assert "performance is on target" not in partner


def test_a_partner_gap_is_still_the_partners_obligation(qbrs) -> None:
    """Fair both ways: the same month recorded as the partner's asks the partner to deliver it."""
    text = qbrs["theirs"]
    assert "No data delivered for any of the 8 KPIs in Aug 2026" in text
    assert re.search(r"Deliver the missing Aug 2026 data for all 8 KPIs, or state in writing why it cannot be", text)


def test_the_brief_names_a_client_gap_as_the_clients() -> None:
    from govdocs.build import BuildRequest, client_gaps
    from govdocs.documents.portfolio import build_brief
    from govdocs.facts import run_facts
    from govdocs.pipeline import load_workspace

    workspace = load_workspace(CONFIG, [DATA], INPUTS)
    facts = run_facts(workspace.config, workspace.data, QUARTER, AS_OF)
    request = BuildRequest(CONFIG, (DATA,), QUARTER, (), Path("unused"), INPUTS, None, None, (), AS_OF)
    gaps = client_gaps(request, workspace, facts)
    assert gaps == {"DLT": frozenset({"2026-08"})}
    brief = build_brief(list(facts.values()), {}, AS_OF, QUARTER.label, gaps)
    row = next(r for r in brief.rows if r.name == "Delta Digital Care")
    assert row.undelivered == "Aug 2026: all 8 KPIs (a client-side gap, not the partner's)"


@pytest.mark.parametrize(
    ("entry", "line", "message"),
    [
        (
            '  - month: "2026-08"\n    cause: client\n    owner: Helios IT\n',
            3,
            "data_gaps[0].owner: unknown field",
        ),
        ('  - month: "2026-13"\n    cause: client\n', 1, "data_gaps[0].month"),
        ('  - month: "2026-08"\n    cause: weather\n', 2, "data_gaps[0].cause"),
        (
            '  - month: "2026-05"\n    cause: client\n',
            1,
            "data gap 2026-05 is not a month of Q3 2026: the inputs explain this review's months "
            "[inputs.gap_outside_quarter]",
        ),
    ],
)
def test_a_bad_data_gap_is_one_error_line_with_file_and_line(tmp_path, entry, line, message) -> None:
    start = DLT.index("data_gaps:")
    end = DLT.index("\ncommentary:")
    text = DLT[:start] + "data_gaps:\n" + entry + DLT[end:]
    path = tmp_path / "DLT.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(GovdocsError) as caught:
        load_partner_inputs(path, "DLT", KPI_IDS, "2026-Q3")
    (problem,) = caught.value.problems
    first = text[:start].count("\n") + 2  # the line of the entry's first key
    assert str(problem).startswith(f"{path}:{first + line - 1}: "), str(problem)
    assert message in str(problem), str(problem)
    assert int(caught.value.exit_code) == 5
