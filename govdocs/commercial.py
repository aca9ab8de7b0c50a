"""Decide step, money: the service-credit statement a partner's month results earn under its terms.

A month's fee puts a share at risk (the pool); each contractual SLA holds an allocation of the
pool, earned by the client as a credit when the SLA's month status is one the terms name (red by
default, never no data, a low sample or a result that is not clear). A month's credits are capped;
a credit is earned back when its SLA meets target in each of the next N months; a month relieved
for a client cause (govdocs.relief: volume above the forecast band for the SLAs the terms relieve,
or a client factor that relieves the KPI) earns no credit.

Arithmetic is in Decimal. Each amount is rounded once, to the currency's minor unit, where it is
first stated (the fee, the pool, the cap, each SLA's credit); every total is the sum of rounded
amounts, so the statement adds up on the page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from govdocs.config.model import Commercial, CreditStatus, FeeBasis, Fees, Forecast, GovernanceConfig, Kpi, Partner
from govdocs.periods import Month, Quarter, trailing_months
from govdocs.scoring.results import MonthResult, Status

# ISO 4217 currencies without a minor unit; every other is stated to the cent
NO_MINOR_UNIT = frozenset({"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND", "VUV"})
STATEMENT_MONTHS = 12


def minor_unit(currency: str) -> Decimal:
    """The smallest amount the currency states: 1 without a minor unit, else a cent."""
    return Decimal(1) if currency in NO_MINOR_UNIT else Decimal("0.01")


def round_money(amount: Decimal, quantum: Decimal) -> Decimal:
    """An amount rounded once, half up, to the currency's minor unit."""
    return amount.quantize(quantum, rounding=ROUND_HALF_UP)


def money_text(value: Decimal, currency: str, quantum: Decimal) -> str:
    """EUR 25,833.33 / JPY 833,333: to the minor unit, always (a statement must add up on the page)."""
    return f"{currency} {value:,.{0 if quantum == 1 else 2}f}"


def as_decimal(value: float) -> Decimal:
    """A config number as the decimal its YAML text wrote (3.1, not 3.100000000000000088)."""
    return Decimal(repr(float(value))) if not float(value).is_integer() else Decimal(int(value))


@dataclass(frozen=True)
class Terms:
    """A partner's commercial terms: its own fields over the programme's."""

    currency: str
    fees: Fees
    annual_value: Decimal | None
    at_risk: Decimal  # percent of the fee
    cap: Decimal  # percent of the fee
    allocation: Mapping[str, Decimal]  # KPI id -> percent of the pool, in the config's order
    earn_back_months: int
    statuses: frozenset[Status]
    forecast: Forecast | None
    relief_kpis: frozenset[str]
    year_start: Month | None = None  # the contract's first month: its years run from there

    @property
    def quantum(self) -> Decimal:
        return minor_unit(self.currency)

    def round(self, amount: Decimal) -> Decimal:
        return round_money(amount, self.quantum)

    def annual_share(self, month: Month) -> Decimal | None:
        """The month's part of the annual value, so the 12 months of a contract year add up to it
        exactly: the value to the end of the month (its position in the year x value / 12, rounded
        to the currency's minor unit) less the value to the end of the month before. Months differ by
        at most one minor unit (258,333.33 or 258,333.34 of 3,100,000)."""
        if self.annual_value is None:
            return None
        position = (month.index - self.year_start.index) % 12 if self.year_start is not None else month.month - 1
        return self.position_share(self.annual_value, position)

    def position_share(self, annual: Decimal, position: int) -> Decimal:
        """The share of `annual` for the month at `position` (0-11) of the contract year."""
        return self.round(annual * (position + 1) / 12) - self.round(annual * position / 12)

    @property
    def over_allocation(self) -> Decimal:
        """Sum of the allocations over 100: 1.5 for 150%."""
        return sum(self.allocation.values(), Decimal(0)) / 100


def _field(name: str, partner: Commercial | None, programme: Commercial | None):
    for source in (partner, programme):
        if source is not None and getattr(source, name) is not None:
            return getattr(source, name)
    return None


def partner_terms(config: GovernanceConfig, partner: Partner) -> Terms | None:
    """None when the partner has no credit terms (no at-risk share or no allocation)."""
    own, programme = partner.commercial, config.commercial
    at_risk, allocation = _field("at_risk_percent", own, programme), _field("allocation", own, programme)
    if at_risk is None or not allocation:
        return None
    cap = _field("cap_percent", own, programme)
    statuses = _field("credit_statuses", own, programme) or [CreditStatus.RED]
    value = partner.contract.annual_value
    return Terms(
        currency=partner.contract.currency,
        fees=_field("fees", own, programme) or Fees(),
        annual_value=None if value is None else as_decimal(value),
        at_risk=as_decimal(at_risk),
        cap=as_decimal(at_risk if cap is None else cap),
        allocation={k: as_decimal(v) for k, v in allocation.items()},
        earn_back_months=_field("earn_back_months", own, programme) or 0,
        statuses=frozenset(Status(s.value) for s in statuses),
        forecast=own.forecast if own is not None else None,
        relief_kpis=frozenset(_field("relief_kpis", own, programme) or ()),
        year_start=Month(partner.contract.start.year, partner.contract.start.month),
    )


class EarnBack(StrEnum):
    NONE = "none"  # no credit, or the terms have no earn-back
    EARNED = "earned"  # met target in each month of the window: waived
    MISSED = "missed"  # a month of the window did not meet target (or was not scored)
    OPEN = "open"  # the window reaches past the reviewed months


class Band(StrEnum):
    WITHIN = "within"
    ABOVE = "above"
    BELOW = "below"
    NO_FORECAST = "no_forecast"
    NO_VOLUME = "no_volume"


@dataclass(frozen=True)
class SlaCredit:
    kpi: Kpi  # with the partner's overrides
    result: MonthResult
    allocation: Decimal  # percent of the pool
    share: Decimal  # the SLA's part of the pool, rounded: at risk x allocation
    amount: Decimal  # the credit the month's status earns (0 when none)
    reason: str  # why this amount, in the statement's words
    earn_back: EarnBack
    earn_back_note: str
    earned_back: Decimal
    relieved: bool


@dataclass(frozen=True)
class Volume:
    actual: float | None
    forecast: Decimal | None
    low: Decimal | None
    high: Decimal | None
    band: Band

    @property
    def deviation(self) -> Decimal | None:
        """Actual against forecast, in percent (+31.2 for 31.2% over)."""
        if self.actual is None or self.forecast is None:
            return None
        return (as_decimal(self.actual) - self.forecast) / self.forecast * 100


@dataclass(frozen=True)
class MonthCredit:
    month: Month
    fee: Decimal | None  # None: the fee is not known (per-contact fee, no volume)
    at_risk: Decimal
    cap: Decimal
    volume: Volume
    slas: tuple[SlaCredit, ...]

    @property
    def gross(self) -> Decimal:
        return sum((s.amount for s in self.slas), Decimal(0))

    @property
    def earned_back(self) -> Decimal:
        return sum((s.earned_back for s in self.slas), Decimal(0))

    @property
    def cap_applied(self) -> Decimal:
        """What the cap takes off the credits still owed."""
        return max(Decimal(0), self.gross - self.earned_back - self.cap)

    @property
    def net(self) -> Decimal:
        return self.gross - self.earned_back - self.cap_applied

    @property
    def relief(self) -> bool:
        return any(s.relieved for s in self.slas)

    @property
    def open_earn_back(self) -> Decimal:
        """Credits of the month that can still be earned back: at most what the month charged after
        the cap (a credit the cap took off was never charged, so it cannot be earned back)."""
        pending = sum((s.amount for s in self.slas if s.earn_back is EarnBack.OPEN), Decimal(0))
        return min(pending, self.net)


@dataclass(frozen=True)
class Totals:
    fees: Decimal
    gross: Decimal
    earned_back: Decimal
    cap_applied: Decimal
    net: Decimal
    months: int  # months with a known fee
    open_earn_back: Decimal  # credits owed that can still be earned back

    @property
    def share_of_fees(self) -> Decimal | None:
        return None if not self.fees else self.net / self.fees * 100

    @classmethod
    def sum(cls, totals: Sequence[Totals]) -> Totals:
        """Several partners' totals added up (one currency)."""
        zero = Decimal(0)
        return cls(
            fees=sum((t.fees for t in totals), zero),
            gross=sum((t.gross for t in totals), zero),
            earned_back=sum((t.earned_back for t in totals), zero),
            cap_applied=sum((t.cap_applied for t in totals), zero),
            net=sum((t.net for t in totals), zero),
            months=sum(t.months for t in totals),
            open_earn_back=sum((t.open_earn_back for t in totals), zero),
        )

    @classmethod
    def of(cls, months: Sequence[MonthCredit]) -> Totals:
        known = [m for m in months if m.fee is not None]
        zero = Decimal(0)
        return cls(
            fees=sum((m.fee for m in known if m.fee is not None), zero),
            gross=sum((m.gross for m in months), zero),
            earned_back=sum((m.earned_back for m in months), zero),
            cap_applied=sum((m.cap_applied for m in months), zero),
            net=sum((m.net for m in months), zero),
            months=len(known),
            open_earn_back=sum((m.open_earn_back for m in months), zero),
        )


@dataclass(frozen=True)
class CreditStatement:
    partner: Partner
    quarter: Quarter
    terms: Terms
    months: tuple[MonthCredit, ...]  # the trailing 12 months, oldest first, ending with the quarter

    @property
    def quarter_months(self) -> tuple[MonthCredit, ...]:
        return tuple(m for m in self.months if m.month.quarter == self.quarter)

    @property
    def quarter_totals(self) -> Totals:
        return Totals.of(self.quarter_months)

    @property
    def trailing_totals(self) -> Totals:
        return Totals.of(self.months)

    @property
    def currency(self) -> str:
        return self.terms.currency


def _fee(terms: Terms, month: Month, volumes: Mapping[str, Mapping[Month, MonthResult]]) -> Decimal | None:
    fees = terms.fees
    if str(month) in fees.months:
        return terms.round(as_decimal(fees.months[str(month)]))
    match fees.basis:
        case FeeBasis.MONTHLY:
            return None if fees.monthly is None else terms.round(as_decimal(fees.monthly))
        case FeeBasis.PER_CONTACT:
            result = volumes.get(fees.volume_kpi or "", {}).get(month)
            if result is None or result.volume is None or fees.per_contact is None:
                return None
            return terms.round(as_decimal(fees.per_contact) * as_decimal(result.volume))
        case _:
            return terms.annual_share(month)


def month_volume(terms: Terms, month: Month, results: Mapping[str, Mapping[Month, MonthResult]]) -> Volume:
    """The month's volume against the partner's forecast band."""
    forecast = terms.forecast
    if forecast is None:
        return Volume(None, None, None, None, Band.NO_FORECAST)
    result = results.get(forecast.volume_kpi, {}).get(month)
    actual = None if result is None else result.volume
    expected = forecast.months.get(str(month))
    if expected is None:
        return Volume(actual, None, None, None, Band.NO_FORECAST)
    value, tolerance = as_decimal(expected), as_decimal(forecast.tolerance_percent) / 100
    low, high = value * (1 - tolerance), value * (1 + tolerance)
    if actual is None:
        return Volume(None, value, low, high, Band.NO_VOLUME)
    band = Band.ABOVE if as_decimal(actual) > high else Band.BELOW if as_decimal(actual) < low else Band.WITHIN
    return Volume(actual, value, low, high, band)


def _earn_back(
    terms: Terms, kpi_id: str, month: Month, last: Month, results: Mapping[str, Mapping[Month, MonthResult]]
) -> tuple[EarnBack, str]:
    n = terms.earn_back_months
    window = [month.shift(i) for i in range(1, n + 1)]
    for later in window:
        if later.index > last.index:
            return EarnBack.OPEN, f"can be earned back: target to be met through {window[-1].label}"
        result = results.get(kpi_id, {}).get(later)
        status = Status.NO_DATA if result is None else result.status
        if status is not Status.GREEN:
            words = {Status.NO_DATA: "no data", Status.INSUFFICIENT: "low sample", Status.NOT_CLEAR: "not clear"}
            return EarnBack.MISSED, f"not earned back: {later.label} {words.get(status, status.value)}"
    span = window[0].label if n == 1 else f"{window[0].label}–{window[-1].label}"
    return EarnBack.EARNED, f"earned back: target met {span}"


_NO_CREDIT = {
    Status.GREEN: "target met",
    Status.NO_DATA: "no data: no credit",
    Status.INSUFFICIENT: "low sample: no credit",
    Status.NOT_CLEAR: "not statistically clear: no credit",
}


def _sla_credit(
    terms: Terms,
    kpi: Kpi,
    month: Month,
    last: Month,
    pool: Decimal,
    volume: Volume,
    results: Mapping[str, Mapping[Month, MonthResult]],
) -> SlaCredit:
    allocation = terms.allocation[kpi.id]
    share = terms.round(pool * allocation / 100)
    result = results.get(kpi.id, {}).get(month) or MonthResult(month, None, None, Status.NO_DATA)
    status = result.status

    def made(amount: Decimal, reason: str, relieved: bool = False) -> SlaCredit:
        if not amount or not terms.earn_back_months:
            return SlaCredit(kpi, result, allocation, share, amount, reason, EarnBack.NONE, "", Decimal(0), relieved)
        state, note = _earn_back(terms, kpi.id, month, last, results)
        back = amount if state is EarnBack.EARNED else Decimal(0)
        return SlaCredit(kpi, result, allocation, share, amount, reason, state, note, back, relieved)

    if status not in terms.statuses:
        reason = (
            _NO_CREDIT.get(status) or f"{status.value}: credits arise on {' and '.join(sorted(terms.statuses))} only"
        )
        return made(Decimal(0), reason)
    if result.relief is not None:  # one fact (govdocs.relief), read by the ladder and the plan too
        return made(Decimal(0), f"{status.value}, relieved: {result.relief}", relieved=True)
    return made(share, f"{status.value}: {terms.allocation[kpi.id].normalize():f}% of the pool")


def credit_statement(
    config: GovernanceConfig,
    partner: Partner,
    quarter: Quarter,
    history: Mapping[str, Sequence[MonthResult]],
) -> CreditStatement | None:
    """The trailing 12 months to the quarter's end, from each KPI's month results (partner's
    overrides applied), or None when the partner has no credit terms."""
    terms = partner_terms(config, partner)
    if terms is None:
        return None
    results = {kpi_id: {r.month: r for r in rows} for kpi_id, rows in history.items()}
    last = quarter.last_month
    kpis = {k.id: config.effective_kpi(partner, k) for k in config.kpis}
    months = []
    for month in trailing_months(last, STATEMENT_MONTHS):
        fee = _fee(terms, month, results)
        volume = month_volume(terms, month, results)
        if fee is None:
            months.append(MonthCredit(month, None, Decimal(0), Decimal(0), volume, ()))
            continue
        pool, cap = terms.round(fee * terms.at_risk / 100), terms.round(fee * terms.cap / 100)
        slas = tuple(_sla_credit(terms, kpis[k], month, last, pool, volume, results) for k in terms.allocation)
        months.append(MonthCredit(month, fee, pool, cap, volume, slas))
    return CreditStatement(partner, quarter, terms, tuple(months))
