"""Every count and every "all / every / no KPI ..." sentence agrees with one set per quarter
standing (met, below target, below the floor, not clear at the target, not clear at the floor, no
data), recomputed from the scorecard by kpi_set_claims.py: over the example build, and over a
programme made by `govdocs init` with the data a new user wrote for it (Northwind: a partner with
an amber KPI, two KPIs certainly below target whose intervals reach across the floor, and a partner
whose only doubt is a KPI too close to the target to call).
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CONFIG, DATA, QUARTER, ExampleBuild, flat, pdf_text
from kpi_set_claims import set_claim_failures, sets_of
from test_claims_generated import visible_text

from govdocs.cli import cli
from govdocs.config.loader import load_config
from govdocs.data.loader import load_kpi_data
from govdocs.scoring.engine import PartnerAssessment, assess_partner

# The new user's three months (partner, kpi: values Jul-Sep, volumes Jul-Sep), as they wrote them.
NORTHWIND = {
    ("ALPHA", "service_level"): ((83.2, 81.9, 84.0), (6200, 6450, 6100)),
    ("ALPHA", "abandonment"): ((3.9, 4.4, 3.6), (6200, 6450, 6100)),
    ("ALPHA", "csat"): ((87.5, 86.1, 88.3), (520, 545, 530)),
    ("ALPHA", "fcr"): ((76.8, 75.2, 77.5), (520, 545, 530)),
    ("ALPHA", "qa_score"): ((91.0, 89.5, 92.1), (60, 60, 62)),
    ("BETA", "service_level"): ((77.4, 73.1, 71.6), (4800, 5050, 4900)),
    ("BETA", "abandonment"): ((6.2, 8.9, 9.6), (4800, 5050, 4900)),
    ("BETA", "csat"): ((83.0, 81.2, 80.6), (410, 395, 402)),
    ("BETA", "fcr"): ((72.4, 70.9, 69.8), (410, 395, 402)),
    ("BETA", "qa_score"): ((87.0, 86.2, 84.5), (45, 44, 46)),
}
KPIS = ("service_level", "abandonment", "csat", "fcr", "qa_score")


def assessments(config_path: Path, data_path: Path) -> dict[str, PartnerAssessment]:
    config = load_config(config_path)
    data = load_kpi_data([data_path], [k.id for k in config.kpis])
    return {p.id: assess_partner(config, data, p, QUARTER) for p in config.partners}


@cache
def example_facts() -> dict[str, PartnerAssessment]:
    return assessments(CONFIG, DATA)


@pytest.fixture(scope="module")
def northwind(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], dict[str, PartnerAssessment]]:
    """The Northwind programme: `govdocs init` as the user ran it, their data, built as HTML."""
    root = tmp_path_factory.mktemp("northwind") / "northwind"
    args = ["init", str(root), "--client", "Northwind Utilities"]
    args += ["--partner", "ALPHA=Alpha Contact", "--partner", "BETA=Beta Service"]
    args += [a for k in KPIS for a in ("--kpi", k)]
    made = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert made.exit_code == 0, made.output
    data = root / "data" / "kpis.csv"
    with data.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["partner", "period", "kpi", "value", "volume"])
        for (partner, kpi), (values, volumes) in NORTHWIND.items():
            for month, value, volume in zip(("2026-07", "2026-08", "2026-09"), values, volumes, strict=True):
                out.writerow([partner, month, kpi, value, volume])
    out_dir = root / "out"
    build = ["build", "--config", str(root / "governance.yaml"), "--data", str(data), "--quarter", str(QUARTER)]
    build += ["--as-of", "2026-12-08", "--out", str(out_dir), "--format", "html"]
    result = CliRunner().invoke(cli, build, catch_exceptions=False)
    # BETA's plan waits for the partner's actions (exit 5); every QBR is written.
    assert result.exit_code in (0, 5), result.output
    texts = {
        p.name: visible_text(p.read_text(encoding="utf-8")) for p in sorted((out_dir / str(QUARTER)).glob("qbr-*.html"))
    }
    assert len(texts) == 4, sorted(texts)
    return texts, assessments(root / "governance.yaml", data)


def partner_of(name: str) -> str:
    return name.split("-")[1]


def test_northwind_has_every_standing_the_rules_are_for(northwind) -> None:
    """The fixture exercises what the newcomer found: amber, not clear at the floor (certainly below
    target), not clear at the target, red."""
    _, facts = northwind
    alpha, beta = sets_of(facts["ALPHA"]), sets_of(facts["BETA"])
    assert alpha.unclear_target == ("First-contact resolution",) and not alpha.short
    assert beta.unclear_floor == ("Customer satisfaction", "First-contact resolution")
    assert beta.amber == ("Quality assurance score",) and len(beta.red) == 2


def test_every_count_and_universal_sentence_of_northwind_is_the_sets(northwind) -> None:
    texts, facts = northwind
    failures = [f for name, text in texts.items() for f in set_claim_failures(name, text, facts[partner_of(name)])]
    assert not failures, "\n".join(failures)
    beta = texts["qbr-BETA-partner.html"]
    assert "3 KPIs below target: 1 within the floor, 2 too close to the floor to call" in beta
    assert "Of the 5 KPIs below target, 4 in the partner's control and 1 shared with the client." in beta
    assert "Customer satisfaction at 81.6%: 3.4 pp short of the 85.0% target, too close to the 80.0% floor" in beta
    assert "too close to the floor to call (Customer satisfaction and First-contact resolution)" in beta
    how = beta[beta.index("In the score, ") :]
    assert "in the score" not in how[len("In the score, ") : how.index(".")]  # said once, not twice
    alpha = texts["qbr-ALPHA-partner.html"]
    assert "Every KPI with data met its target" not in alpha and "performance is on target" not in alpha
    assert "4 KPIs on target; 1 more too close to the target to call" in alpha
    assert "weighted over 5 of 5 KPIs; 21% of weight too close to the target to call" in alpha


def test_every_count_and_universal_sentence_of_the_example_is_the_sets(example_build: ExampleBuild) -> None:
    assert example_build.exit_code == 0, example_build.output
    folder = example_build.out / str(QUARTER)
    failures, checked = [], 0
    for path in sorted(folder.glob("qbr-*.pdf")):
        checked += 1
        failures += set_claim_failures(path.name, flat(pdf_text(path)), example_facts()[partner_of(path.name)])
    assert checked >= 10
    assert not failures, "\n".join(failures)


# The newcomer's documents, as the summary and follow-up code wrote them before the sets.
OLD_BETA = (
    "Executive summary Beta Service scored 34.2 (provisional) out of 100 in Q3 2026. 0KPIs on target "
    "1KPI below target 2KPIs beyond the floor What must improve Service level at 74.0%: 6.0 pp short of the "
    "80.0% target and beyond the 75.0% floor. Abandonment rate at 8.3%: 3.3 pp above the 5.0% target and beyond "
    "the 8.0% floor. Quality assurance score at 85.9: 4.1 short of the 90.0 target. Scorecard "
    "All 3 KPIs below target are in the partner's control. 43% of the KPI weight is measured but too close to "
    "the target to call (Customer satisfaction and First-contact resolution)."
)
OLD_ALPHA = (
    "Executive summary Alpha Contact scored 100.0 (provisional). weighted over 4 of 5 KPIs 4KPIs on target "
    "0KPIs below target 0KPIs beyond the floor What must improve Nothing is below target this quarter: the task "
    "is to hold the level. No action is due: performance is on target. Scorecard Every KPI with data met its "
    "target; no split of responsibility is needed this quarter."
)


def test_the_checker_fails_the_statements_the_newcomer_found(northwind) -> None:
    _, facts = northwind
    beta = "\n".join(set_claim_failures("qbr-BETA", OLD_BETA, facts["BETA"]))
    assert "'1 KPI below target'" in beta  # the tile: 3 below target, not beyond the floor for certain
    assert "'All 3 KPIs below target are'" in beta  # 5 are below target for certain
    assert "What must improve without Customer satisfaction" in beta
    assert "What must improve without First-contact resolution" in beta
    assert "too close to the target to call (Customer satisfaction" in beta  # the floor, not the target
    alpha = "\n".join(set_claim_failures("qbr-ALPHA", OLD_ALPHA, facts["ALPHA"]))
    for false in ("Every KPI with data met its target", "Nothing is below target", "performance is on target"):
        assert false in alpha
    assert "'weighted over 4 of 5 KPIs'" in alpha and "'4 KPIs on target'" in alpha
