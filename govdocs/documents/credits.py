"""Build-context step, money: the service-credit statement as the documents print it.

Every amount is the statement's own Decimal, written to the currency's minor unit; the rows are
laid out so that a reader can recompute each one from the page: the fee, the pool (fee x at-risk
share), each missed SLA's credit (pool x its allocation), the month's cap (fee x cap share), and
net = credits - earned back - cap applied.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from govdocs.commercial import Band, CreditStatement, EarnBack, MonthCredit, Terms, Totals, as_decimal, money_text
from govdocs.config.model import FeeBasis
from govdocs.documents.common import kpi_text
from govdocs.exit_cost import ExitCost
from govdocs.facts import join_names
from govdocs.planning.contract import Clock
from govdocs.planning.options import Option, OptionKind, Options
from govdocs.render.formatters import long_date, number


def amount(value: Decimal | None, terms: Terms) -> str:
    return "–" if value is None else money_text(value, terms.currency, terms.quantum)


def figure(value: Decimal | None, terms: Terms) -> str:
    """25,833.33: an amount in a table whose heading names the currency."""
    return amount(value, terms).removeprefix(f"{terms.currency} ")


def _percent(value: Decimal) -> str:
    return f"{value.normalize():f}%"


@dataclass(frozen=True)
class SlaRow:
    kpi: str
    result: str  # the month's value against target, with its volume
    status: str
    allocation: str  # percent of the pool
    share: str  # the SLA's part of the pool
    credit: str
    credited: bool
    note: str  # why, and the earn-back
    earned_back: str


@dataclass(frozen=True)
class MonthBlock:
    month: str
    fee: str
    pool: str
    cap: str
    volume: str  # actual against the forecast band
    band: str  # within / above / below / "" (no forecast)
    slas: tuple[SlaRow, ...]
    gross: str
    earned_back: str
    cap_applied: str
    net: str
    fee_known: bool


@dataclass(frozen=True)
class TotalRow:
    label: str
    volume: str  # a month's volume against its forecast ("" for a total)
    fees: str
    gross: str
    earned_back: str
    cap_applied: str
    net: str
    share: str  # net as a share of fees


@dataclass(frozen=True)
class CreditsView:
    currency: str
    terms: tuple[str, ...]  # the terms in sentences
    quarter: tuple[MonthBlock, ...]
    quarter_total: TotalRow
    trailing: tuple[TotalRow, ...]  # one per month of the trailing 12, oldest first
    trailing_total: TotalRow
    summary: str  # one sentence: the quarter's net and the 12 months'
    open_note: str  # credits that can still be earned back


def terms_sentences(terms: Terms, kpi_names: dict[str, str]) -> tuple[str, ...]:
    allocation = ", ".join(f"{kpi_names[k]} {_percent(v)}" for k, v in terms.allocation.items())
    total = sum(terms.allocation.values(), Decimal(0))
    over = f" ({_percent(total)} in all: an over-allocation)" if total > 100 else f" ({_percent(total)} in all)"
    statuses = " and ".join(sorted(s.value for s in terms.statuses))
    fees = terms.fees
    if fees.basis is FeeBasis.MONTHLY and fees.monthly is not None:
        fee = f"The month's fee is the fixed monthly fee, {amount(terms.round(as_decimal(fees.monthly)), terms)}"
    elif fees.basis is FeeBasis.PER_CONTACT and fees.per_contact is not None:
        name = kpi_names.get(fees.volume_kpi or "", fees.volume_kpi)
        fee = (
            f"The month's fee is {amount(as_decimal(fees.per_contact), terms)} per contact of the month's {name} volume"
        )
    elif terms.annual_value is not None:
        shares = sorted({terms.position_share(terms.annual_value, p) for p in range(12)})
        each = " or ".join(amount(x, terms) for x in shares)
        fee = (
            f"The month's fee is the annual value spread over the 12 months of the contract year: "
            f"{amount(terms.annual_value, terms)} × the month's position in the year / 12, rounded to the cent, "
            f"less the same for the month before, so each month is {each} and a contract year's fees add up to exactly "
            f"{amount(terms.annual_value, terms)}"
        )
    else:
        fee = "The month's fee is as invoiced"
    if fees.months:
        fee += "; a month invoiced otherwise is stated as invoiced"
    lines = [
        fee + ".",
        f"Each month {_percent(terms.at_risk)} of the fee is at risk: the pool. An SLA whose month earns a credit "
        f"gives the client its allocation of the pool: {allocation}{over}.",
        f"A month's credits are capped at {_percent(terms.cap)} of its fee. Credits arise on {statuses} months only; "
        "a month with no data, a low sample or a result that is not statistically clear earns none.",
    ]
    if terms.earn_back_months:
        n = terms.earn_back_months
        months = "the next month" if n == 1 else f"each of the next {n} months"
        lines.append(f"A credit is earned back (waived) when its SLA meets target in {months}.")
    if terms.relief_kpis and terms.forecast is not None:
        relieved = join_names(kpi_names[k] for k in terms.allocation if k in terms.relief_kpis)
        band = number(float(terms.forecast.tolerance_percent), 0)
        lines.append(
            f"In a month whose volume is more than {band}% above forecast, the credits of {relieved} are suspended "
            "(relief)."
        )
    return tuple(lines)


def _volume(month: MonthCredit, terms: Terms) -> tuple[str, str]:
    volume = month.volume
    if volume.band is Band.NO_FORECAST:
        return ("–" if volume.actual is None else number(volume.actual, 0)), ""
    if volume.band is Band.NO_VOLUME:
        return f"no volume in the data (forecast {number(float(volume.forecast), 0)})", "no data"
    deviation = volume.deviation
    signed = f"{deviation:+.1f}%".replace("-", "−")
    text = f"volume {number(volume.actual, 0)} against forecast {number(float(volume.forecast), 0)} ({signed})"
    return text, {Band.WITHIN: "within band", Band.ABOVE: "above band", Band.BELOW: "below band"}[volume.band]


def _volume_cell(month: MonthCredit) -> str:
    """'2,829 / 2,300, above' in the twelve-month table; the volume alone without a forecast."""
    volume = month.volume
    if volume.band is Band.NO_FORECAST:
        return "–" if volume.actual is None else number(volume.actual, 0)
    if volume.band is Band.NO_VOLUME:
        return f"– / {number(float(volume.forecast), 0)}, no data"
    band = {Band.WITHIN: "within", Band.ABOVE: "above", Band.BELOW: "below"}[volume.band]
    return f"{number(volume.actual, 0)} / {number(float(volume.forecast), 0)}, {band}"


def _month_block(month: MonthCredit, terms: Terms) -> MonthBlock:
    volume, band = _volume(month, terms)
    rows = []
    for sla in month.slas:
        kpi, result = sla.kpi, sla.result
        shown = kpi_text(kpi, result.value)
        if result.value is not None:
            shown += f" (target {kpi_text(kpi, kpi.target)}"
            shown += f", volume {number(result.volume, 0)})" if result.volume is not None else ")"
        note = sla.reason + (f"; {sla.earn_back_note}" if sla.earn_back_note else "")
        rows.append(
            SlaRow(
                kpi=kpi.name,
                result=shown,
                status=result.status.value,
                allocation=_percent(sla.allocation),
                share=figure(sla.share, terms),
                credit=figure(sla.amount, terms),
                credited=bool(sla.amount),
                note=note,
                earned_back=figure(sla.earned_back, terms) if sla.earn_back is EarnBack.EARNED else "–",
            )
        )
    return MonthBlock(
        month=month.month.label,
        fee=amount(month.fee, terms),
        pool=amount(month.at_risk, terms),
        cap=amount(month.cap, terms),
        volume=volume,
        band=band,
        slas=tuple(rows),
        gross=figure(month.gross, terms),
        earned_back=figure(month.earned_back, terms),
        cap_applied=figure(month.cap_applied, terms),
        net=figure(month.net, terms),
        fee_known=month.fee is not None,
    )


def share_text(totals: Totals) -> str:
    share = totals.share_of_fees
    return "–" if share is None else f"{share:.2f}%"


def _total(label: str, totals: Totals, terms: Terms, volume: str = "") -> TotalRow:
    return TotalRow(
        label=label,
        volume=volume,
        fees=figure(totals.fees, terms),
        gross=figure(totals.gross, terms),
        earned_back=figure(totals.earned_back, terms),
        cap_applied=figure(totals.cap_applied, terms),
        net=figure(totals.net, terms),
        share=share_text(totals),
    )


def summary_sentence(statement: CreditStatement) -> str:
    """The statement in one sentence: the documents' and the portfolio's words for it."""
    terms, quarter, trailing = statement.terms, statement.quarter_totals, statement.trailing_totals
    first, last = statement.months[0].month.label, statement.months[-1].month.label
    if not quarter.net and not trailing.net:
        return f"No service credits are owed for {statement.quarter.label} or the 12 months {first} – {last}."
    return (
        f"Service credits owed for {statement.quarter.label}: {amount(quarter.net, terms)} "
        f"({share_text(quarter)} of fees); over the 12 months {first} – {last}: {amount(trailing.net, terms)} "
        f"({share_text(trailing)} of fees)."
    )


def credits_view(statement: CreditStatement | None, kpi_names: dict[str, str]) -> CreditsView | None:
    if statement is None:
        return None
    terms = statement.terms
    open_amount = statement.trailing_totals.open_earn_back
    open_note = (
        f"{amount(open_amount, terms)} of these credits can still be earned back: they are owed unless their SLA "
        "meets target in the months the notes name."
        if open_amount
        else ""
    )
    return CreditsView(
        currency=terms.currency,
        terms=terms_sentences(terms, kpi_names),
        quarter=tuple(_month_block(m, terms) for m in statement.quarter_months),
        quarter_total=_total(statement.quarter.label, statement.quarter_totals, terms),
        trailing=tuple(_total(m.month.label, Totals.of([m]), terms, _volume_cell(m)) for m in statement.months),
        trailing_total=_total(
            f"{statement.months[0].month.label} – {statement.months[-1].month.label}", statement.trailing_totals, terms
        ),
        summary=summary_sentence(statement),
        open_note=open_note,
    )


def termination_fee_basis(options: Options, clock: Clock) -> str:
    """When the termination fee is owed, option by option, from the options' own facts: owed by
    the option that ends the service before the contract's end without cause, not by the others."""
    paying = [o for o in options.options if o.available and o.termination_fee]
    free = [o for o in options.options if o.available and o.kind.leaves and o.termination_fee == 0]
    parts = [
        f"owed when the contract is {_ended(o)} (notice on {long_date(o.notice_by)}, service ends "
        f"{long_date(o.ends_on)}, before the contract's end on {long_date(clock.end)})"
        for o in paying
        if o.notice_by and o.ends_on
    ] or [f"owed only for ending before the contract's end on {long_date(clock.end)}"]
    if free:
        parts.append("not owed when the contract " + " or ".join(_ended(o, free=True) for o in free))
    return "; ".join(parts)


def _ended(option: Option, free: bool = False) -> str:
    if option.kind is OptionKind.CONVENIENCE:
        return "ended early for convenience"
    if option.kind is OptionKind.CAUSE:
        return "ends for cause" if free else "ended for cause"
    ends = long_date(option.ends_on) if option.ends_on else "its end"
    notice = f" (notice by {long_date(option.notice_by)})" if option.notice_by else ""
    return f"lapses on {ends}{notice}"


@dataclass(frozen=True)
class CostRow:
    label: str
    amount: str
    basis: str


@dataclass(frozen=True)
class ExitCostView:
    currency: str
    rows: tuple[CostRow, ...]  # what leaving at the contract's end costs
    total: str
    against: tuple[CostRow, ...]  # what else the decision weighs: termination fee, renewal, credits
    sentence: str  # the recommendation's evidence, in one sentence


def exit_cost_view(cost: ExitCost | None, clock: Clock, options: Options) -> ExitCostView | None:
    """The cost of leaving, and what the decision weighs against it. The termination fee and the
    fees over the notice period are the decision page's: each read from its option's one fact (the
    option that pays it, with its notice and end dates), so the two places cannot disagree."""
    if cost is None:
        return None
    currency, quantum = cost.currency, cost.quantum

    def money(value: Decimal) -> str:
        return money_text(value, currency, quantum)

    rows = tuple(CostRow(line.label, money(line.amount), line.basis) for line in cost.leaving)
    against = []
    early = options.get(OptionKind.CONVENIENCE)
    if cost.termination_fee is not None:
        against.append(CostRow("Termination fee", money(cost.termination_fee), termination_fee_basis(options, clock)))
    if early.available and early.fees is not None and clock.annual_value is not None and early.notice_by:
        against.append(
            CostRow(
                "Fees over the notice period",
                money(early.fees),
                f"{early.fee_days} days × {money(as_decimal(clock.annual_value))} a year / 365: paid while notice "
                f"runs when the contract is ended early for convenience (notice on {long_date(early.notice_by)}, "
                f"service ends {long_date(early.ends_on)})",
            )
        )
    if cost.renewal_commitment is not None and clock.locked_until is not None:
        against.append(
            CostRow(
                "Committed by the automatic renewal",
                money(cost.renewal_commitment),
                f"{clock.renewal_more}, to {long_date(clock.locked_until)}, if no notice is given by "
                f"{long_date(clock.notice_deadline)}",
            )
        )
    if cost.credits_12m is not None:
        basis = "owed by the partner" + (
            f"; {money(cost.credits_open)} of it can still be earned back" if cost.credits_open else ""
        )
        against.append(CostRow("Service credits, last 12 months", money(cost.credits_12m), basis))
    sentence = f"Leaving at the contract's end costs {money(cost.leaving_total)} in transition and parallel run"
    if cost.renewal_commitment is not None and clock.locked_until is not None:
        sentence += (
            f"; missing the notice deadline of {long_date(clock.notice_deadline)} commits "
            f"{money(cost.renewal_commitment)} to {long_date(clock.locked_until)}"
        )
    if cost.credits_12m:
        sentence += f"; the partner owes {money(cost.credits_12m)} in service credits for the last 12 months"
    return ExitCostView(currency, rows, money(cost.leaving_total), tuple(against), sentence + ".")
