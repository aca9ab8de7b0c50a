"""QA calibration and coaching that follows (govdocs/qa_review.py, govdocs/raw/sql/qa_review.py).

- a hand-made quarter: the mean difference, its interval, the share within tolerance and the
  sections most apart, computed by hand; a duplicate score and an unknown side rejected and counted;
  too few pairs give no figure, and the page says so;
- coaching: agents evaluated over the roster's employed agents, low scores followed within N days,
  the top quartile counted (named only when the config says so);
- DuckDB and Spark give the same tables (one small Spark run);
- the example: Corona's evaluators score about 4 points above the client's, a calibration gap with
  a joint session as its next step in both copies of its QBR, and no partner's copy holds another's.
"""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from govdocs.periods import Quarter
from govdocs.qa_review import APART, LOW_SAMPLE, partner_qa_review, qa_review_view
from govdocs.raw import engine
from govdocs.raw.model import RawData
from tests.test_raw_engine import write_csv

Q3 = Quarter(2026, 3)
Z95 = 1.959963984540054

CAL_HEADER = ["Vendor", "Contact", "Scored by", "When", "Section", "Points"]
# (contact, client's Greeting, client's Accuracy, partner's Greeting, partner's Accuracy), July 2026
PAIRS = [
    ("c1", 40, 45, 42, 47),  # d = 4: Greeting +2, Accuracy +2
    ("c2", 38, 50, 40, 50),  # d = 2: +2, 0
    ("c3", 45, 40, 44, 48),  # d = 7: -1, +8 (outside +-5)
    ("c4", 30, 40, 33, 41),  # d = 4: +3, +1
    ("c5", 42, 44, 45, 45),  # d = 4: +3, +1
]


def _calibration_rows() -> list[list[str]]:
    rows = []
    for contact, cg, ca, pg, pa in PAIRS:
        rows += [
            ["A", contact, "Client QA", "2026-07-03 10:00", "Greeting", str(cg)],
            ["A", contact, "Client QA", "2026-07-03 10:00", "Accuracy", str(ca)],
            ["A", contact, "Vendor QA", "2026-07-02 09:00", "Greeting", str(pg)],
            ["A", contact, "Vendor QA", "2026-07-02 09:00", "Accuracy", str(pa)],
        ]
    rows.append(["A", "c1", "Client QA", "2026-07-04 10:00", "Greeting", "10"])  # a duplicate: the first counts
    rows.append(["A", "c6", "Auditor", "2026-07-04 10:00", "Greeting", "10"])  # no side of ours: rejected
    rows.append(["A", "c7", "Client QA", "2026-07-04 10:00", "Greeting", "30"])  # scored by one side: no pair
    # June (Q2): two pairs, fewer than the minimum; partner B: one pair in July
    for contact, when in (("q1", "2026-06-10 10:00"), ("q2", "2026-06-11 10:00")):
        rows += [
            ["A", contact, "Client QA", when, "Greeting", "40"],
            ["A", contact, "Vendor QA", when, "Greeting", "41"],
        ]
    rows += [["B", "b1", "Client QA", "2026-07-10 10:00", "Greeting", "40"]]
    rows += [["B", "b1", "Vendor QA", "2026-07-10 10:00", "Greeting", "48"]]
    return rows


QA_HEADER = ["Id", "Vendor", "At", "Score", "Agent"]
QA_ROWS = [
    ["e1", "A", "2026-07-10 09:00", "70", "a1"],  # low; coached 10 days later
    ["e2", "A", "2026-07-11 09:00", "90", "a1"],
    ["e3", "A", "2026-08-01 09:00", "75", "a2"],  # low; coached 19 days later: not within 14
    ["e4", "A", "2026-08-02 09:00", "95", "a2"],
    ["e5", "A", "2026-09-01 09:00", "88", "x9"],  # not on the roster
    ["e6", "B", "2026-07-01 09:00", "60", "b1"],
]
ROSTER_HEADER = ["Agent", "Vendor", "Hired", "Left", "Team"]
ROSTER_ROWS = [
    ["a1", "A", "2024-01-01", "", "T1"],
    ["a2", "A", "2026-06-01", "", "T2"],  # under 90 days in post at both of its evaluations
    ["a3", "A", "2026-07-20", "", "T1"],  # employed, never evaluated
    ["a4", "A", "2023-01-01", "2026-06-15", "T2"],  # left before the quarter
    ["a5", "A", "2026-10-01", "", "T1"],  # hired after it
    ["b1", "B", "2020-01-01", "", "T9"],
]
COACHING_HEADER = ["Agent", "Vendor", "Day", "Kind"]
COACHING_ROWS = [
    ["a1", "A", "2026-07-20", "side-by-side"],
    ["a2", "A", "2026-08-20", "call review"],
    ["a2", "A", "2026-08-20", "call review"],  # the same session twice: a duplicate
]


def _raw(**coaching) -> RawData:
    return RawData.model_validate(
        {
            "sources": {
                "qa": {
                    "files": "qa.csv",
                    "timezone": "Europe/Amsterdam",
                    "columns": {
                        "evaluation_id": "Id",
                        "partner": "Vendor",
                        "evaluated_at": "At",
                        "score": "Score",
                        "agent_id": "Agent",
                    },
                },
                "roster": {
                    "files": "roster.csv",
                    "columns": {
                        "agent_id": "Agent",
                        "partner": "Vendor",
                        "hired_on": "Hired",
                        "left_on": "Left",
                        "team": "Team",
                    },
                },
                "calibration": {
                    "files": "calibration.csv",
                    "timezone": "Europe/Amsterdam",
                    "client_side": ["Client QA"],
                    "partner_side": ["Vendor QA"],
                    "min_pairs": 5,
                    "columns": {
                        "partner": "Vendor",
                        "contact_id": "Contact",
                        "side": "Scored by",
                        "evaluated_at": "When",
                        "section": "Section",
                        "score": "Points",
                    },
                },
                "coaching": {
                    "files": "coaching.csv",
                    "columns": {"partner": "Vendor", "agent_id": "Agent", "coached_on": "Day", "type": "Kind"},
                },
            },
            "kpis": [{"kpi": "qa_score", "measure": "qa_score"}],
            "coaching": {"min_sample": 2, "min_evaluations": 1, **coaching},
        }
    )


def _files(folder: Path) -> Path:
    write_csv(folder / "calibration.csv", CAL_HEADER, _calibration_rows())
    write_csv(folder / "qa.csv", QA_HEADER, QA_ROWS)
    write_csv(folder / "roster.csv", ROSTER_HEADER, ROSTER_ROWS)
    write_csv(folder / "coaching.csv", COACHING_HEADER, COACHING_ROWS)
    return folder


@pytest.fixture(scope="module")
def hand(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, engine.Aggregation]:
    folder = _files(tmp_path_factory.mktemp("qa-review"))
    return folder, engine.aggregate(_raw(), base=folder, partner_ids=["A", "B"])


def test_calibration_figures_by_hand(hand) -> None:
    _, aggregation = hand
    calibration, _ = partner_qa_review(aggregation.qa_review, "A", Q3)
    assert calibration is not None
    q = calibration.current
    diffs = [4, 2, 7, 4, 4]
    mean = sum(diffs) / 5  # 4.2
    s = math.sqrt(sum((d - mean) ** 2 for d in diffs) / 4)  # sqrt(3.2)
    half = Z95 * s / math.sqrt(5)
    assert q.pairs == 5
    assert q.mean == pytest.approx(4.2, abs=1e-12)
    assert (q.low, q.high) == (pytest.approx(mean - half, abs=1e-9), pytest.approx(mean + half, abs=1e-9))
    assert (round(q.low, 2), round(q.high, 2)) == (2.63, 5.77)
    assert q.within == pytest.approx(4 / 5)  # c3's 7 points are outside +-5
    assert q.status == APART  # the whole interval above the 2 points accepted
    # Accuracy: |2|, 0, 8, 1, 1 -> 2.4 apart, +2.4; Greeting: 2, 2, 1, 3, 3 -> 2.2 apart, +1.8
    assert [(x.section, x.pairs, x.mean_abs, x.mean) for x in calibration.sections] == [
        ("Accuracy", 5, pytest.approx(2.4), pytest.approx(2.4)),
        ("Greeting", 5, pytest.approx(2.2), pytest.approx(1.8)),
    ]
    # June's two pairs: in the trend, with no figure
    assert [(t.quarter, t.pairs, t.status) for t in calibration.trend] == [
        (Quarter(2026, 2), 2, LOW_SAMPLE),
        (Q3, 5, APART),
    ]


def test_rejected_calibration_rows_are_counted(hand) -> None:
    _, aggregation = hand
    counts: dict[tuple[str, str], int] = {}
    for r in aggregation.quality.rejects:
        counts[(r.source, r.reason)] = counts.get((r.source, r.reason), 0) + r.rows
    assert counts[("calibration", "duplicate_id")] == 1
    assert counts[("calibration", "bad_value")] == 1
    assert counts[("coaching", "duplicate_id")] == 1
    source = next(s for s in aggregation.quality.sources if s.source == "calibration")
    assert (source.read, source.rejected) == (len(_calibration_rows()), 2)


def test_the_panel_states_the_figures_and_the_finding(hand) -> None:
    _, aggregation = hand
    view = qa_review_view(*partner_qa_review(aggregation.qa_review, "A", Q3), "Alpha")
    text = " ".join(view.calibration)
    assert "5 contacts were scored by both the client's and Alpha's evaluators in Q3 2026" in text
    assert "scored 4.2 points higher than the client's" in text
    assert "interval +2.6 to +5.8" in text
    assert "80% of the pairs were within ±5 points" in text
    assert view.sections == (
        "The form sections they score most differently: Accuracy (2.4 points apart on average, +2.4); "
        "Greeting (2.2 points apart on average, +1.8)."
    )
    assert view.finding.startswith("Calibration gap: Alpha's evaluators score higher than the client's")
    assert "joint calibration session" in view.finding and "counts in no score" in view.finding
    assert [(r.quarter, r.pairs, r.difference) for r in view.trend] == [
        ("Q2 2026", "2", "fewer than 5 pairs"),
        ("Q3 2026", "5", "+4.2 (+2.6 to +5.8)"),
    ]


def test_too_few_pairs_give_no_figure(hand) -> None:
    _, aggregation = hand
    calibration, _ = partner_qa_review(aggregation.qa_review, "B", Q3)
    assert calibration.current.status == LOW_SAMPLE and calibration.current.mean is None
    view = qa_review_view(calibration, None, "Bravo")
    assert view.calibration == (
        "In Q3 2026 only 1 contact was scored by both the client's and Bravo's evaluators: fewer than the 5 "
        "pairs a calibration figure needs, so none is given.",
    )
    assert view.finding == "" and "+8" not in " ".join(view.calibration)


def test_coaching_by_hand(hand) -> None:
    _, aggregation = hand
    _, coaching = partner_qa_review(aggregation.qa_review, "A", Q3)
    assert (coaching.employed, coaching.evaluated_employed, coaching.evaluated) == (3, 2, 3)  # a1, a2 of a1-a3
    assert (coaching.low, coaching.followed) == (2, 1)  # a1 coached after 10 days, a2 after 19
    # means a1 80, a2 85, x9 88: the top quartile of three is the best one
    assert (coaching.ranked, coaching.top, coaching.top_threshold) == (3, 1, 88.0)
    assert coaching.named_agents == ()
    view = qa_review_view(None, coaching, "Alpha")
    lines = view.coaching
    assert lines[0] == "2 of Alpha's 3 agents on the roster (67%) were evaluated in Q3 2026."
    assert lines[1] == (
        "1 of the 2 evaluations that scored below 80 (50%) were followed by coaching of the same agent within 14 days."
    )
    # by tenure at the evaluation: a1 (hired 2024) and a2 (61 and 62 days in post); x9 not on the roster
    assert (coaching.known_evaluations, coaching.known_low) == (4, 2)
    assert (coaching.new_hire_evaluations, coaching.new_hire_low) == (2, 1)
    assert lines[2] == "Agents under 90 days in post had 1 of the 2 low scores (50%) and 50% of the evaluations."
    assert view.recognition.startswith(
        "Recognition: 1 of the 3 agents with 1 or more evaluations is in the top quartile"
    )
    assert "x9" not in " ".join((*lines, view.recognition))


def test_recognised_agents_are_named_only_when_the_config_says_so(hand) -> None:
    folder, _ = hand
    aggregation = engine.aggregate(_raw(name_recognised=True, within_days=20), base=folder, partner_ids=["A", "B"])
    _, coaching = partner_qa_review(aggregation.qa_review, "A", Q3)
    assert coaching.followed == 2  # a2's session 19 days later is within 20
    assert coaching.named_agents == ("x9",)
    assert "(x9)" in qa_review_view(None, coaching, "Alpha").recognition


def test_without_coaching_records_the_follow_up_is_not_known(hand) -> None:
    folder, _ = hand
    raw = _raw()
    raw = raw.model_copy(update={"sources": raw.sources.model_copy(update={"coaching": None})})
    aggregation = engine.aggregate(raw, base=folder, partner_ids=["A", "B"])
    _, coaching = partner_qa_review(aggregation.qa_review, "A", Q3)
    assert coaching.followed is None
    assert "no coaching records were delivered" in qa_review_view(None, coaching, "Alpha").coaching[1]


def test_spark_gives_duckdbs_tables(hand) -> None:
    pytest.importorskip("pyspark")
    folder, duck = hand
    spark = engine.aggregate(_raw(), base=folder, partner_ids=["A", "B"], engine="spark", spark_master="local[1]")
    for name in ("calibration", "coaching", "roster"):
        left, right = getattr(duck.qa_review, name), getattr(spark.qa_review, name)
        pd.testing.assert_frame_equal(
            left.astype(object).where(left.notna(), None),
            right.astype(object).where(right.notna(), None),
            check_dtype=False,
        )


def test_no_date_is_read_outside_the_quarter(hand) -> None:
    # the calibration rows of June stay in Q2: the quarter holds July's pairs only
    _, aggregation = hand
    rows = aggregation.qa_review.calibration
    assert sorted(set(rows[rows["partner"] == "A"]["m"])) == [2026 * 12 + 5, 2026 * 12 + 6]
    assert date(2026, 7, 1)  # the quarter's first day: Q3.months[0]


# --- the example: Corona's evaluators score above the client's ---------------------------------

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "examples" / "governance.yaml"
MAPPING = ROOT / "examples" / "raw" / "mapping.yaml"
INPUTS = ROOT / "examples" / "inputs"
PARTNER_DATA = ROOT / "examples" / "raw" / "partner_reported.csv"
AS_OF = date(2026, 10, 15)


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory):
    """The example from its raw exports, aggregated once; every partner copy and Corona's internal
    copy rendered as HTML."""
    from govdocs import pipeline
    from govdocs.documents.common import Audience
    from govdocs.facts import run_facts
    from govdocs.pipeline import QbrRequest, load_workspace, render_qbrs
    from tests.test_gaps import visible

    workspace = load_workspace(CONFIG, [PARTNER_DATA], INPUTS, raw=MAPPING)
    out = tmp_path_factory.mktemp("qa-review-example")
    patch = pytest.MonkeyPatch()
    patch.setattr(pipeline, "workspace_for", lambda request: workspace)
    qbrs = {}
    try:
        for audience, partners in ((Audience.PARTNER, ()), (Audience.INTERNAL, ("CRN",))):
            request = QbrRequest(
                config_path=CONFIG,
                data_paths=(PARTNER_DATA,),
                quarter=Q3,
                partner_ids=partners,
                audience=audience,
                out_dir=out / audience.value,
                fmt="html",
                inputs_dir=INPUTS,
                as_of=AS_OF,
                raw=MAPPING,
            )
            for written in render_qbrs(request):
                qbrs[(written.partner_id, audience.value)] = visible(written.path.read_text(encoding="utf-8"))
    finally:
        patch.undo()
    run = workspace.run
    facts = run_facts(workspace.config, workspace.data, Q3, AS_OF, CONFIG, drill=run.drill, qa_review=run.qa_review)
    plain = run_facts(workspace.config, workspace.data, Q3, AS_OF, CONFIG, drill=run.drill)
    return workspace.config, facts, plain, qbrs


def test_coronas_calibration_gap_is_a_finding_in_both_copies(example) -> None:
    config, facts, _, qbrs = example
    crn = facts["CRN"]
    q = crn.calibration.current
    assert q.status == APART and 3.0 <= q.mean <= 5.0 and q.low > 2.0 and q.pairs >= 20
    name = config.partner("CRN").name
    view = qa_review_view(crn.calibration, crn.coaching, name)
    for audience in ("partner", "internal"):
        text = qbrs[("CRN", audience)]
        for line in (*view.calibration, view.finding, *view.coaching, view.sections, view.recognition):
            assert line in text, (audience, line)
        assert f"Calibration gap: {name}'s evaluators score higher than the client's" in text  # Cornerstone BPO's
        assert "joint calibration session" in text
        assert f"{Quarter(2025, 4).label} {crn.calibration.trend[0].pairs}" in text  # the trend from Q4 2025
    for pid in ("ATL", "BRV", "DLT", "ECH"):
        assert facts[pid].calibration.current.status != APART, pid
        assert "Calibration gap" not in qbrs[(pid, "partner")]


def test_a_calibration_gap_is_in_no_score(example) -> None:
    _, facts, plain, _ = example
    for pid in facts.portfolio:
        assert facts[pid].assessment.score == plain[pid].assessment.score
        assert facts[pid].assessment.decision == plain[pid].assessment.decision


def test_coronas_coaching_facts_and_recognition_counted_not_named(example) -> None:
    config, facts, _, qbrs = example
    crn = facts["CRN"].coaching
    assert crn.employed and crn.evaluated_employed < crn.employed  # its QA never reaches some agents
    assert crn.low >= 10 and crn.followed is not None and crn.top_threshold is not None
    # its Q3 low scores fall on its agents under 90 days in post: a larger share of the lows than of the evaluations
    assert crn.new_hire_low / crn.known_low > 2 * crn.new_hire_evaluations / crn.known_evaluations
    text = qbrs[("CRN", "partner")]
    assert "CRN-0" not in text  # no agent is named
    name = config.partner("CRN").name  # Cornerstone BPO
    assert f"{crn.evaluated_employed} of {name}'s {crn.employed} agents on the roster" in text


def test_no_partner_copy_holds_another_partners_figures(example) -> None:
    config, facts, _, qbrs = example
    lines = {
        pid: qa_review_view(facts[pid].calibration, facts[pid].coaching, config.partner(pid).name)
        for pid in ("ATL", "BRV", "CRN", "DLT", "ECH")
    }
    for pid, view in lines.items():
        own = qbrs[(pid, "partner")]
        assert view.calibration[0] in own
        for other, theirs in lines.items():
            if other != pid:
                assert theirs.calibration[0] not in own
                # a line of theirs word for word in our copy is our own figure too (1 low score each), else a leak
                assert not any(line in own and line not in view.coaching for line in theirs.coaching), (pid, other)


def test_a_calibration_file_read_the_wrong_way_is_one_error(tmp_path: Path) -> None:
    # every side unknown (the mapping's side values are not the export's): refused, never an empty panel
    _files(tmp_path)
    rows = [[*r[:2], "Evaluator", *r[3:]] for r in _calibration_rows()]
    write_csv(tmp_path / "calibration.csv", CAL_HEADER, rows)
    with pytest.raises(engine.GovdocsError) as caught:
        engine.aggregate(_raw(), base=tmp_path, partner_ids=["A", "B"])
    (problem,) = caught.value.problems
    assert problem.code == "raw.all_rejected"
    assert "every one of the" in problem.message and "calibration rows was rejected" in problem.message
    assert problem.location.file.endswith("calibration.csv")


@pytest.mark.parametrize(
    ("low", "followed", "said"),
    [
        (1, 1, "1 evaluation scored below 80, followed by coaching within 14 days: too few low scores"),
        (1, 0, "1 evaluation scored below 80, not followed by coaching within 14 days: too few low scores"),
        (3, 2, "3 evaluations scored below 80, 2 of them followed by coaching within 14 days: too few low scores"),
    ],
)
def test_a_few_low_scores_are_told_in_plain_words(low: int, followed: int, said: str) -> None:
    """'1 evaluation scored below 80, 1 of it followed by coaching' (a fresh reader): one low score
    is followed or not, and a few are counted, never given a share."""
    from govdocs.qa_review import Coaching

    coaching = Coaching(
        quarter=Quarter(2026, 3),
        evaluated=30,
        employed=None,
        evaluated_employed=0,
        low=low,
        followed=followed,
        ranked=0,
        top=0,
        top_threshold=None,
        teams=0,
        top_teams=0,
        team_threshold=None,
        named_agents=(),
        named_teams=(),
        low_score=80,
        within_days=14,
        min_sample=10,
        min_evaluations=3,
    )
    view = qa_review_view(None, coaching, "Bravo CX Partners")
    text = " ".join(
        " ".join(getattr(view, field.name))
        for field in view.__dataclass_fields__.values()
        if isinstance(getattr(view, field.name), tuple) and all(isinstance(x, str) for x in getattr(view, field.name))
    )
    assert said in text
    assert "of it" not in text and "%" not in text.split("scored below 80")[1][:60]
