"""The score's method as the QBR prints it is the method that made the score: a KPI too close to
call counts at its measured value in the score and at its interval's ends in the range (a reader
who applied the old sentence -- 'the weighted mean of the other KPIs' -- got 54.3 for BRV's 62.0)."""

from __future__ import annotations

from conftest import AS_OF, CONFIG, DATA

from govdocs.config import load_config
from govdocs.data.loader import load_kpi_data
from govdocs.documents.qbr_appendix import scoring_rules
from govdocs.documents.qbr_summary import data_notes
from govdocs.facts import assess_portfolio
from govdocs.periods import Quarter


def test_the_printed_score_method_is_the_one_applied():
    config = load_config(CONFIG)
    data = load_kpi_data([DATA], [k.id for k in config.kpis])
    assessments = assess_portfolio(config, data, Quarter(2026, 3), AS_OF)
    unclear = [pid for pid, a in assessments.items() if a.score.not_clear_share > 0]
    assert {"BRV", "CRN", "DLT", "ECH"} <= set(unclear)
    for pid in unclear:
        notes = " ".join(data_notes(assessments[pid]))
        assert "In the score, " in notes, pid
        assert "counts at its measured value, and the score's range at both ends of its interval" in notes, pid
        assert "weighted mean of the other KPIs" not in notes, pid
    rules = " ".join(scoring_rules(config))
    assert "counts at the points of its measured value in the score" in rules
    assert "weighted mean over KPIs with a scored quarter" not in rules
