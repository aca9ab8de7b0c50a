"""Service credits worked by hand: allocation, cap, earn-back, relief, a low-sample month, a month with
no data, currency rounding and totals; the config's errors with their line; and the example's
credits, the same in every document and the export."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from govdocs.cli import cli
from govdocs.commercial import Band, EarnBack, credit_statement
from govdocs.config.model import GovernanceConfig
from govdocs.documents.credits import credits_view
from govdocs.periods import Month, Quarter, trailing_months
from govdocs.relief import relief_reasons, with_relief
from govdocs.scoring.results import MonthResult, Status
from tests.conftest import AS_OF, CONFIG, DATA, QUARTER, flat, pdf_text

Q3 = Quarter(2026, 3)
G, R, A, LOW, NONE = Status.GREEN, Status.RED, Status.AMBER, Status.INSUFFICIENT, Status.NO_DATA


def _config(commercial: dict, partner_commercial: dict | None = None, **contract) -> GovernanceConfig:
    doc = yaml.safe_load(CONFIG.read_text())
    doc["commercial"] = commercial
    partner = doc["partners"][0]
    partner["contract"].update(contract)
    partner["commercial"] = partner_commercial
    return GovernanceConfig.model_validate(doc)


TERMS = {
    "at_risk_percent": 10,
    "allocation": {"service_level": 60, "csat": 50, "abandonment": 40},  # 150: an over-allocation
    "cap_percent": 12,
    "earn_back_months": 2,
    "relief_kpis": ["service_level"],
}
FORECAST = {"forecast": {"volume_kpi": "service_level", "tolerance_percent": 10, "months": {}}}


def _history(statuses: dict[str, dict[str, Status]], volumes: dict[str, float] | None = None):
    """Twelve months to Sep 2026, green unless named; service level carries the month's volume."""
    volumes = volumes or {}
    out = {}
    for kpi in ("service_level", "csat", "abandonment"):
        rows = []
        for month in trailing_months(Month(2026, 9), 12):
            status = statuses.get(kpi, {}).get(str(month), G)
            value = None if status is NONE else 70.0
            volume = volumes.get(str(month), 1000.0) if kpi == "service_level" else 300.0
            rows.append(MonthResult(month, value, None if status is NONE else volume, status))
        out[kpi] = rows
    return out


def _statement(config: GovernanceConfig, history):
    """As the engine hands the months over: each with its relief (govdocs.relief, one fact)."""
    partner = config.partners[0]
    reasons = relief_reasons(config, partner, history)
    relieved = {kpi_id: with_relief(rows, reasons.get(kpi_id, {})) for kpi_id, rows in history.items()}
    return credit_statement(config, partner, Q3, relieved)


def test_a_quarter_worked_by_hand() -> None:
    """Fee 1,200,000 / 12 = 100,000.00; pool 10% = 10,000.00; cap 12% = 12,000.00.
    Jul: all three red: 6,000 + 5,000 + 4,000 = 15,000; none earned back (service level red again in
    Sep, CSAT a low sample in Aug, abandonment red in Aug); the cap takes 3,000: net 12,000.
    Aug: abandonment red at 15% over forecast (not a relieved SLA): 4,000, open (Sep met, Oct to come);
    CSAT a low sample: no credit. Sep: service level red 20% over forecast: relieved; CSAT no data."""
    forecast = {**FORECAST["forecast"], "months": {"2026-07": 1000, "2026-08": 1000, "2026-09": 1000}}
    config = _config(TERMS, {"forecast": forecast}, annual_value=1_200_000)
    history = _history(
        {
            "service_level": {"2026-07": R, "2026-09": R},
            "csat": {"2026-07": R, "2026-08": LOW, "2026-09": NONE},
            "abandonment": {"2026-07": R, "2026-08": R},
        },
        volumes={"2026-08": 1150, "2026-09": 1200},
    )
    statement = _statement(config, history)
    jul, aug, sep = statement.quarter_months
    assert (jul.fee, jul.at_risk, jul.cap) == (Decimal("100000.00"), Decimal("10000.00"), Decimal("12000.00"))
    assert [s.amount for s in jul.slas] == [Decimal("6000.00"), Decimal("5000.00"), Decimal("4000.00")]
    assert [s.earn_back for s in jul.slas] == [EarnBack.MISSED] * 3
    assert [s.earn_back_note for s in jul.slas] == [
        "not earned back: Sep 2026 red",
        "not earned back: Aug 2026 low sample",
        "not earned back: Aug 2026 red",
    ]
    assert (jul.gross, jul.earned_back, jul.cap_applied, jul.net) == (
        Decimal("15000.00"),
        0,
        Decimal("3000.00"),
        Decimal("12000.00"),
    )

    assert aug.volume.band is Band.ABOVE
    assert [s.amount for s in aug.slas] == [0, 0, Decimal("4000.00")]
    assert aug.slas[1].reason == "low sample: no credit"
    assert aug.slas[2].earn_back is EarnBack.OPEN and aug.net == Decimal("4000.00")

    assert sep.slas[0].relieved and sep.slas[0].amount == 0
    assert sep.slas[0].reason == "red, relieved: volume 20% over forecast"
    assert sep.slas[1].reason == "no data: no credit" and sep.net == 0

    quarter, trailing = statement.quarter_totals, statement.trailing_totals
    assert (quarter.fees, quarter.net, quarter.open_earn_back) == (
        Decimal("300000.00"),
        Decimal("16000.00"),
        Decimal("4000.00"),
    )
    assert f"{quarter.share_of_fees:.2f}" == "5.33"
    assert trailing.fees == Decimal("1200000.00") and trailing.net == Decimal("16000.00")


def test_earned_back_before_the_cap() -> None:
    """Jul: all three red (15,000); service level then meets target in Aug and Sep: its 6,000 is
    waived, and the 9,000 still owed is under the 12,000 cap: net 9,000, nothing capped."""
    history = _history(
        {
            "service_level": {"2026-07": R},
            "csat": {"2026-07": R, "2026-08": R},
            "abandonment": {"2026-07": R, "2026-08": R},
        }
    )
    jul = _statement(_config(TERMS, annual_value=1_200_000), history).quarter_months[0]
    assert [s.earn_back for s in jul.slas] == [EarnBack.EARNED, EarnBack.MISSED, EarnBack.MISSED]
    assert jul.slas[0].earn_back_note == "earned back: target met Aug 2026–Sep 2026"
    assert (jul.gross, jul.earned_back, jul.cap_applied, jul.net) == (
        Decimal("15000.00"),
        Decimal("6000.00"),
        0,
        Decimal("9000.00"),
    )


def test_the_cap_takes_what_is_over_it() -> None:
    """No earn-back: 15,000 of credits against a 12,000 cap: 3,000 taken off."""
    config = _config({**TERMS, "earn_back_months": 0}, annual_value=1_200_000)
    statement = _statement(config, _history({k: {"2026-07": R} for k in ("service_level", "csat", "abandonment")}))
    jul = statement.quarter_months[0]
    assert (jul.gross, jul.cap_applied, jul.net) == (Decimal("15000.00"), Decimal("3000.00"), Decimal("12000.00"))
    assert [s.earn_back for s in jul.slas] == [EarnBack.NONE] * 3


def test_amber_earns_a_credit_only_where_the_terms_say() -> None:
    history = _history({"service_level": {"2026-08": A}})
    red_only = _statement(_config(TERMS, annual_value=1_200_000), history)
    assert red_only.quarter_totals.gross == 0
    assert red_only.quarter_months[1].slas[0].reason == "amber: credits arise on red only"
    both = _statement(_config({**TERMS, "credit_statuses": ["red", "amber"]}, annual_value=1_200_000), history)
    assert both.quarter_totals.gross == Decimal("6000.00")


def test_no_data_low_sample_and_not_clear_never_earn_one() -> None:
    history = _history({"service_level": {"2026-07": NONE, "2026-08": LOW, "2026-09": Status.NOT_CLEAR}})
    config = _config({**TERMS, "credit_statuses": ["red", "amber"]}, annual_value=1_200_000)
    assert _statement(config, history).trailing_totals.gross == 0
    with pytest.raises(ValueError, match="red.*amber"):
        _config({**TERMS, "credit_statuses": ["no_data"]}, annual_value=1_200_000)


def test_rounding_once_to_the_minor_unit() -> None:
    """1,000,000 / 12 = 83,333.33; 7% of it 5,833.33 (5,833.3331); 33% of that 1,925.00 (1,924.9989).
    The yen has no minor unit: 10,000,000 / 12 = 833,333; 7% = 58,333; 33% = 19,250."""
    terms = {**TERMS, "at_risk_percent": 7, "allocation": {"service_level": 33}, "cap_percent": 7}
    history = _history({"service_level": {"2026-09": R}})
    euro = _statement(_config(terms, annual_value=1_000_000), history).quarter_months[2]
    assert (euro.fee, euro.at_risk, euro.slas[0].amount) == (
        Decimal("83333.33"),
        Decimal("5833.33"),
        Decimal("1925.00"),
    )
    yen = _statement(_config(terms, annual_value=10_000_000, currency="JPY"), history).quarter_months[2]
    assert (yen.fee, yen.at_risk, yen.slas[0].amount) == (Decimal(833333), Decimal(58333), Decimal(19250))
    view = credits_view(
        _statement(_config(terms, annual_value=10_000_000, currency="JPY"), history), {"service_level": "SL"}
    )
    assert view is not None and view.quarter[2].fee == "JPY 833,333"


def test_fees_per_contact_and_as_invoiced() -> None:
    fees = {"basis": "per_contact", "per_contact": 3.1, "volume_kpi": "service_level", "months": {"2026-09": 4000}}
    config = _config({**TERMS, "fees": fees})
    months = _statement(config, _history({}, volumes={"2026-08": 1234})).quarter_months
    assert [m.fee for m in months] == [Decimal("3100.00"), Decimal("3825.40"), Decimal("4000.00")]


def _invoke(tmp_path: Path, text: str) -> tuple[int, str]:
    path = tmp_path / "governance.yaml"
    path.write_text(text)
    result = CliRunner().invoke(cli, ["validate", "--config", str(path), "--data", str(DATA), "--quarter", "2026-Q3"])
    return result.exit_code, result.output


def test_config_errors_name_the_line(tmp_path: Path) -> None:
    text = CONFIG.read_text()
    bad = text.replace("allocation: {service_level: 40,", "allocation: {aht: 40, service_level: 40,")
    code, output = _invoke(tmp_path, bad)
    line = next(i for i, row in enumerate(bad.splitlines(), start=1) if "allocation: {aht" in row)
    assert code == 3, output
    assert f"governance.yaml:{line}: commercial.allocation.aht  'aht' is not a contractual SLA" in output
    assert "invalid: 1 error" in output
    code, output = _invoke(tmp_path, text.replace("at_risk_percent: 12", "at_risk_percent: 120"))
    assert code == 3 and "commercial.at_risk_percent" in output and "less than or equal to 100" in output, output


@pytest.fixture(scope="module")
def example_credits(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, str]]:
    out = tmp_path_factory.mktemp("credits") / "credits.csv"
    args = ["export", "--config", str(CONFIG), "--data", str(DATA), "--quarter", str(QUARTER)]
    result = CliRunner().invoke(cli, [*args, "--as-of", AS_OF.isoformat(), "--table", "credits", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "(300 rows: partner x month x SLA, 12 months, 2026-Q3)" in result.output
    with out.open(newline="") as handle:
        return list(csv.DictReader(handle))


def _net(rows: list[dict[str, str]], partner: str, quarter_only: bool) -> Decimal:
    months = {r["month"]: Decimal(r["month_net"]) for r in rows if r["partner"] == partner}
    chosen = {m: v for m, v in months.items() if not quarter_only or Month.parse(m).quarter == QUARTER}
    return sum(chosen.values(), Decimal(0))


def test_the_same_credits_in_every_document_and_the_export(rendered, example_build, example_credits) -> None:
    """Cornerstone: service level and abandonment red every month, 12,400 + 9,300 = 21,700.00 a month, under
    the cap of 25,833.33; its CSAT (77-80% of about 500 surveys, 95% intervals reaching the 80% floor) is
    not clear, so no credit, one rule both ways."""
    crn = _net(example_credits, "CRN", quarter_only=True)
    assert crn == Decimal("65100.0") and _net(example_credits, "CRN", quarter_only=False) == Decimal("260400.0")
    sentence = (
        "Service credits owed for Q3 2026: EUR 65,100.00 (8.40% of fees); over the 12 months Oct 2025 – Sep 2026: "
        "EUR 260,400.00 (8.40% of fees)."
    )
    folder = example_build.out / str(QUARTER)
    for path in (rendered["CRN", "partner"], rendered["CRN", "internal"], folder / "offboarding-CRN-internal.pdf"):
        assert sentence in flat(pdf_text(path)), path
    crn_text = flat(pdf_text(rendered["CRN", "partner"]))
    assert "Credits 21,700.00 − earned back 0.00 − cap applied 0.00 21,700.00 net for Jul 2026" in crn_text
    assert "red: 40% of the pool; not earned back: Aug 2026 red" in crn_text

    portfolio = flat(pdf_text(folder / "portfolio-summary-internal.pdf"))
    # The 12 months' fees add up to the annual value (3,100,000.00, not 12 x 258,333.33); what can
    # still be earned back is September's credit as charged after the cap.
    assert "Cornerstone BPO EUR 775,000.00 65,100.00 8.40% 3,100,000.00 260,400.00 8.40% 21,700.00" in portfolio
    total_q = sum((_net(example_credits, p, True) for p in ("ATL", "BRV", "CRN", "DLT", "ECH")), Decimal(0))
    assert total_q == Decimal("78633.33") and "All partners EUR 3,075,500.00 78,633.33 2.56%" in portfolio


def test_relief_and_earn_back_as_the_partner_reads_them(rendered) -> None:
    bravo = flat(pdf_text(rendered["BRV", "partner"]))
    assert "volume 2,829 against forecast 2,300 (+23.0%), above band" in bravo
    assert "red, relieved: volume 23% over forecast" in bravo
    assert "can be earned back: target to be met through Nov 2026" in bravo
    assert "Cornerstone" not in bravo
    # the watermelon panel: a fall inside its noise is printed as such, never flagged
    panel = (
        "Quality assurance score held at 90.8 and Customer satisfaction went from 86.3% in Q2 2026 to 84.8% in "
        "Q3 2026: within its noise (95% intervals 84.5%–87.9% and 82.9%–86.5% overlap)."
    )
    assert panel in bravo and panel in flat(pdf_text(rendered["BRV", "internal"]))
    assert "Flagged" not in bravo
    echo = flat(pdf_text(rendered["ECH", "partner"]))
    assert "low sample: no credit" in echo and "amber: 40% of the pool" in echo


def _watermelon(tmp_path: Path, csat: list[tuple[float, float]], pair: dict) -> list:
    """ATL's Q2 and Q3 2026: service level green each month, CSAT (value, surveys) per month."""
    months = [f"2026-{m:02d}" for m in range(4, 10)]
    rows = ["partner,period,kpi,value,volume"]
    rows += [f"ATL,{m},service_level,86,4000" for m in months]
    rows += [f"ATL,{m},csat,{v},{n}" for m, (v, n) in zip(months, csat, strict=True)]
    return _watermelon_rows(tmp_path, rows, pair)


def _watermelon_rows(tmp_path: Path, rows: list[str], pair: dict) -> list:
    from govdocs.config.loader import load_config
    from govdocs.data.loader import load_kpi_data
    from govdocs.scoring.engine import assess_partner
    from govdocs.watermelon import watermelon_rows

    (tmp_path / "kpis.csv").write_text("\n".join(rows) + "\n")
    doc = yaml.safe_load(CONFIG.read_text())
    doc["watermelon"] = [pair]
    (tmp_path / "governance.yaml").write_text(yaml.safe_dump(doc))
    config = load_config(tmp_path / "governance.yaml")
    data = load_kpi_data([tmp_path / "kpis.csv"], [k.id for k in config.kpis])
    return list(watermelon_rows(config, assess_partner(config, data, config.partner("ATL"), Q3)))


def test_watermelon_flags_a_real_fall_and_not_noise(tmp_path: Path) -> None:
    pair = {"sla": "service_level", "outcome": "csat", "note": "CSAT is the customer's word."}
    # 3,000 surveys a quarter: 88% -> 84%, intervals 86.8-89.1% and 82.6-85.3%: apart
    (row,) = _watermelon(tmp_path, [(88, 1000)] * 3 + [(84, 1000)] * 3, pair)
    assert row.flagged and row.note == "CSAT is the customer's word."
    assert row.text == (
        "Service level held at 86.0% while Customer satisfaction went from 88.0% in Q2 2026 to 84.0% in Q3 2026: "
        "worse beyond its noise (95% intervals 86.8%–89.1% and 82.6%–85.3% apart). "
        "Trend Q2 2026 to Q3 2026: declining (−4.0 pp a quarter)."
    )
    # the same fall on 150 surveys a quarter is inside the noise
    (row,) = _watermelon(tmp_path, [(88, 50)] * 3 + [(84, 50)] * 3, pair)
    assert not row.flagged and "within its noise" in row.text and "overlap" in row.text and row.note == ""
    # a stated threshold decides instead of the intervals
    (row,) = _watermelon(tmp_path, [(88, 50)] * 3 + [(84, 50)] * 3, {**pair, "min_change": 3})
    assert row.flagged and "a change of 4.0% against the 3.0% that counts" in row.text
    # an outcome that got better is never a flag
    (row,) = _watermelon(tmp_path, [(84, 1000)] * 3 + [(88, 1000)] * 3, pair)
    assert not row.flagged and "no worse." in row.text and row.text.endswith("improving (+4.0 pp a quarter).")


def test_watermelon_reads_nothing_into_a_missed_sla(tmp_path: Path) -> None:
    pair = {"sla": "service_level", "outcome": "csat"}
    rows = ["partner,period,kpi,value,volume"]
    for m in range(4, 10):
        rows += [f"ATL,2026-{m:02d},service_level,70,4000", f"ATL,2026-{m:02d},csat,{88 if m < 7 else 84},1000"]
    (row,) = _watermelon_rows(tmp_path, rows, pair)
    assert not row.flagged
    assert row.text == (
        "Service level was red in Q3 2026 (70.0%): the SLA did not hold, so it hides nothing; the scorecard shows it."
    )


def test_the_cost_of_leaving_worked_by_hand(example_build) -> None:
    """Cornerstone's exit terms: transition 85,000 + 60,000 + 15,000 + 30,000 = 190,000 (customer
    communication, 12,000, is not applicable in its assessment, so it costs nothing); parallel run
    6 weeks x 180,000 a month x 12 / 52 = 249,230.77; total 439,230.77. Against it: the termination
    fee (owed by ending early for convenience, not by a lapse or an end for cause), the renewal's
    3,100,000, the credits."""
    text = flat(pdf_text(example_build.out / str(QUARTER) / "offboarding-CRN-internal.pdf"))
    assert "Parallel run EUR 249,230.77 6 weeks × EUR 180,000.00 a month × 12 months / 52 weeks" in text
    assert "Total EUR 439,230.77 the rows above" in text
    assert "Customer communication EUR" not in text
    assert (
        "Leaving at the contract's end costs EUR 439,230.77 in transition and parallel run; missing the "
        "notice deadline of 30 December 2026 commits EUR 3,100,000.00 to 30 June 2028; the partner owes "
        "EUR 260,400.00 in service credits for the last 12 months."
    ) in text
    assert (
        "Termination fee EUR 450,000.00 owed when the contract is ended early for convenience (notice on 15 October "
        "2026, service ends 13 April 2027, before the contract's end on 30 June 2027); not owed when the contract "
        "lapses on 30 June 2027 (notice by 30 December 2026) or ends for cause"
    ) in text
    assert "owed by the partner; EUR 21,700.00 of it can still be earned back" in text
    # 180 days x 3,100,000 / 365 = 1,528,767.12
    assert "Fees over the notice period EUR 1,528,767.12 180 days × EUR 3,100,000.00 a year / 365" in text
