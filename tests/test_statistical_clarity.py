"""Statistical honesty: a proportion KPI (CSAT top-box, survey FCR, QA pass rate) whose 95% Wilson
interval reaches across the target is 'not statistically clear' -- never a failure, never a
reason for a plan. No partner is put on a plan because of twelve surveys."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CONFIG, DATA, INPUTS, flat, pdf_text

from govdocs.cli import cli
from govdocs.config.loader import load_config
from govdocs.data.loader import load_kpi_data
from govdocs.periods import Quarter
from govdocs.scoring.arrays import month_status
from govdocs.scoring.engine import Escalation, assess_partner
from govdocs.scoring.results import Status

Q3 = Quarter.parse("2026-Q3")


def workspace(tmp_path: Path, proportion: bool) -> tuple[Path, Path]:
    """The example, with ATL's CSAT at 75% from twelve surveys in August and September; CSAT
    flagged as a proportion (as the example is) or not."""
    text = CONFIG.read_text(encoding="utf-8")
    old = "    min_sample: 100\n    proportion: true\n    contractual: true\n    controlled_by: partner\n"
    old += "    target_source: MSA Schedule 2, SLA 4\n"
    assert text.count(old) == 1
    new = old.replace("min_sample: 100", "min_sample: 10")
    if not proportion:
        new = new.replace("proportion: true", "proportion: false")
    config = tmp_path / f"governance-{proportion}.yaml"
    config.write_text(text.replace(old, new), encoding="utf-8")
    lines = DATA.read_text(encoding="utf-8").splitlines(keepends=True)
    for month in ("08", "09"):
        (i,) = [i for i, row in enumerate(lines) if row.startswith(f"ATL,2026-{month},csat,")]
        lines[i] = f"ATL,2026-{month},csat,75.0,12,measured\n"
    path = tmp_path / "kpis.csv"
    path.write_text("".join(lines), encoding="utf-8")
    return config, path


@pytest.mark.parametrize(
    ("value", "volume", "expected"),
    [
        (75.0, 12, Status.NOT_CLEAR),  # 9 of 12: 95% interval 46.8% to 91.1% reaches across 85
        (75.0, 2000, Status.RED),  # the same share of 2,000 is clearly below the floor of 80
        (95.0, 20, Status.NOT_CLEAR),  # 19 of 20: 76.4% to 99.1%, may be below 85
        (95.0, 400, Status.GREEN),  # 92.4% to 96.6%: clearly met
        (84.0, 2000, Status.NOT_CLEAR),  # 82.3% to 85.5%: even 2,000 surveys cannot tell 84 from 85
        (82.0, 5000, Status.AMBER),  # 80.9% to 83.0%: clearly below target, clearly above the floor
    ],
)
def test_month_status_of_a_proportion(tmp_path: Path, value: float, volume: int, expected: Status):
    config = load_config(workspace(tmp_path, proportion=True)[0])
    csat = config.kpi("csat")
    assert month_status(csat, value, volume) is expected
    plain = csat.model_copy(update={"proportion": False})
    assert month_status(plain, value, volume) is not Status.NOT_CLEAR


def test_twelve_surveys_do_not_put_a_partner_on_a_plan(tmp_path: Path):
    decisions = {}
    for proportion in (False, True):
        config_path, data_path = workspace(tmp_path, proportion)
        config = load_config(config_path)
        data = load_kpi_data([data_path], [k.id for k in config.kpis])
        assessment = assess_partner(config, data, config.partner("ATL"), Q3)
        csat = next(k for k in assessment.kpis if k.kpi.id == "csat")
        decisions[proportion] = (assessment.decision, csat)
    plain, csat_plain = decisions[False]
    assert [m.status for m in csat_plain.months][1:] == [Status.RED, Status.RED]
    assert plain.level is Escalation.PIP and any("Customer satisfaction" in r for r in plain.reasons)
    honest, csat_honest = decisions[True]
    assert [m.status for m in csat_honest.months] == [Status.GREEN, Status.NOT_CLEAR, Status.NOT_CLEAR]
    assert csat_honest.failures == 0
    assert honest.level is Escalation.NONE, honest.reasons


def test_the_qbr_says_why_the_status_is_not_clear(tmp_path: Path):
    config, data = workspace(tmp_path, proportion=True)
    out = tmp_path / "out"
    args = ["qbr", "--config", str(config), "--data", str(data), "--inputs", str(INPUTS), "--quarter", "2026-Q3"]
    result = CliRunner().invoke(cli, [*args, "--partner", "ATL", "--as-of", "2026-10-15", "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = flat(pdf_text(out / "2026-Q3" / "qbr-ATL-partner.pdf"))
    # every unclear result in one sentence, each KPI named once with the edge its intervals reach across
    assert "Not statistically clear, each counted neither as a pass nor as a failure" in text
    assert (
        "Customer satisfaction, across the floor of 80.0% and the target of 85.0%: Aug 2026 75.0% of 12, "
        "interval 46.8% to 91.1%"
    ) in text
    assert text.count("counted neither as a pass nor as a failure") == 1
    assert "95% interval reaches across the target" in text  # the legend explains the mark


def test_proportion_needs_a_percent_unit(tmp_path: Path):
    text = CONFIG.read_text(encoding="utf-8")
    config = tmp_path / "governance.yaml"
    config.write_text(
        text.replace("  - id: qa_score\n", "  - id: qa_score\n    proportion: true\n", 1), encoding="utf-8"
    )
    result = CliRunner().invoke(cli, ["validate", "--config", str(config), "--data", str(DATA)])
    assert result.exit_code == 3
    line = text[: text.index("  - id: qa_score\n")].count("\n") + 2
    assert f"{config}:{line}: kpis[6].proportion" in result.output
    assert "proportion: true needs unit percent (a share of the sample, 0-100), not score" in result.output
