"""Plans that answer their own causes: the earlier actions left open are carried forward (or closed
with a reason), each recorded cause is answered by an action or the internal copy says it is not,
and an action's owner is the person the inputs name. Read from the rendered plan (HTML: the same
context and template as the PDF)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import AS_OF, CONFIG, DATA, INPUTS, ROOT

from govdocs.config import load_config
from govdocs.documents.common import Audience
from govdocs.periods import Quarter
from govdocs.pipeline import PipRequest, render_pips

ACTIONS = ROOT / "examples" / "actions"
Q3 = Quarter(2026, 3)


def visible(html: str) -> str:
    html = re.sub(r"<style.*?</style>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", html)
    for entity, char in (("&amp;", "&"), ("&#39;", "'"), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"')):
        text = text.replace(entity, char)
    return " ".join(text.split())


def crn_plan(out: Path, inputs: Path, audience: Audience) -> str:
    written, _ = render_pips(
        PipRequest(
            config_path=CONFIG,
            data_paths=(DATA,),
            quarter=Q3,
            partner_ids=("CRN",),
            audience=audience,
            out_dir=out,
            fmt="html",
            inputs_dir=inputs,
            actions=None,
            start=None,
            extra_kpis=(),
            as_of=AS_OF,
            force=True,
        )
    )
    return visible(written[0].path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def plans(tmp_path_factory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("plans")
    # CRN's inputs with the offshore move's earlier action no longer saying it answers it
    changed = out / "inputs"
    shutil.copytree(INPUTS, changed)
    crn = changed / "CRN.yaml"
    text = crn.read_text(encoding="utf-8")
    assert "    addresses: [offshore_move]\n" in text
    crn.write_text(text.replace("    addresses: [offshore_move]\n", ""), encoding="utf-8")
    return {
        "internal": crn_plan(out / "a", INPUTS, Audience.INTERNAL),
        "partner": crn_plan(out / "b", INPUTS, Audience.PARTNER),
        "unanswered": crn_plan(out / "c", changed, Audience.INTERNAL),
    }


def test_the_not_started_action_is_carried_forward_with_its_owner(plans) -> None:
    """CRN's Q2 action 'Return the Manila share' (not started, due 31 Aug 2026) was dropped from the
    plan without a word; it is carried to the first check-in with its owner, in both copies."""
    first = re.search(r"Check-in 1 chair: [\w ]+? (\d{1,2} \w{3} \d{4})", plans["partner"])
    assert first, plans["partner"][:2000]
    for copy in ("internal", "partner"):
        text = plans[copy]
        assert (
            "Q2-CRN-1 last reported not started Return the Manila share of volume to the contracted site or agree "
            "a variation Share of the voice volume answered at the Manila site: 0%, or a contract variation signed "
            f"by both sides Priya Raman 31 Aug 2026 Carried forward: was due 31 Aug 2026, now due {first.group(1)}"
        ) in text, copy
        assert "Q2-CRN-2 last reported late Restore real-time adherence reporting" in text
        # the client's own earlier action is carried into the client's commitments, not the partner's
        carried = text[text.index("Earlier actions not done") : text.index("What Helios Energy Retail commits to")]
        assert "Run a joint call-calibration session" not in carried


def test_an_owner_is_the_person_the_inputs_name(plans) -> None:
    config = load_config(CONFIG)
    roles = {t.owner for t in config.action_library}
    text = plans["partner"]
    actions = text[text.index("Actions Each action") : text.index("Earlier actions not done")]
    # a library role no contact holds is printed as the role alone: never beside the name of a
    # contact who holds another role (Priya Raman is CRN's account director, not its analyst)
    assert "Partner real-time analyst" in actions
    assert "Priya Raman role: Partner real-time analyst" not in actions
    for role in roles:
        for found in re.finditer(re.escape(role), actions):
            assert actions[max(found.start() - 6, 0) : found.start()] != "role: ", (
                role,
                actions[found.start() - 40 :][:80],
            )


def test_each_recorded_cause_is_answered_or_the_internal_copy_says_so(plans) -> None:
    internal, unanswered = plans["internal"], plans["unanswered"]
    assert "Every recorded cause is answered by an action of the plan." in internal
    assert "Offshore move, since Apr 2026 (30% of the voice volume was moved" in internal
    assert "answered by Q2-CRN-1" in internal and "answered by Q2-CRN-2" in internal
    assert "answered by ATT-RET-1" in internal  # attrition: the stay interviews of the action library
    assert "1 recorded cause no action answers: Offshore move, since Apr 2026" in unanswered
    assert "Every recorded cause is answered" not in unanswered
    # the check is internal: the partner copy carries the carried-forward actions, not the audit
    assert "Do the actions answer the recorded causes?" not in plans["partner"]
