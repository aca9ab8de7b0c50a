"""Decide step, money: what leaving the partner costs, set against what staying commits.

From the contract and the `commercial.exit` terms: the termination fee (owed only for ending
before the contract's end date), the transition cost per checklist item, the parallel run (its
monthly cost over the checklist's parallel-run weeks), and, against them, the value an automatic
renewal commits if notice is not given by the deadline, and the service credits of the last 12
months. Decimal, each amount rounded once to the currency's minor unit; the totals add the rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from govdocs.commercial import CreditStatement, as_decimal, minor_unit, round_money
from govdocs.config.model import ChecklistItem, GovernanceConfig, Partner
from govdocs.planning.contract import Clock

PARALLEL_RUN = "parallel_run"


@dataclass(frozen=True)
class CostLine:
    label: str
    amount: Decimal
    basis: str  # how the amount is made, in words a reader can recompute
    item_id: str = ""  # the checklist item it costs


@dataclass(frozen=True)
class ExitCost:
    currency: str
    quantum: Decimal
    leaving: tuple[CostLine, ...]  # what leaving at the contract's end costs
    termination_fee: Decimal | None  # owed only for ending before the contract's end date
    renewal_commitment: Decimal | None  # committed if notice is not given by the deadline (auto-renew)
    credits_12m: Decimal | None  # service credits owed over the last 12 months
    credits_open: Decimal = Decimal(0)  # of which can still be earned back

    @property
    def leaving_total(self) -> Decimal:
        return sum((line.amount for line in self.leaving), Decimal(0))

    @property
    def parallel_run(self) -> Decimal:
        return sum((line.amount for line in self.leaving if line.item_id == PARALLEL_RUN), Decimal(0))

    @property
    def transition(self) -> Decimal:
        """The transition items without the parallel run."""
        return self.leaving_total - self.parallel_run


def dependency_order(checklist: Sequence[ChecklistItem]) -> list[ChecklistItem]:
    """The checklist with every item after the items it comes after, otherwise in the config's
    order: the order a transition runs in."""
    placed: list[ChecklistItem] = []
    done: set[str] = set()
    known = {item.id for item in checklist}
    waiting = list(checklist)
    while waiting:
        ready = next(
            (i for i in waiting if all(a in done or a not in known for a in i.after)), waiting[0]
        )  # a cycle (refused by the config check) would otherwise stall: take the first
        placed.append(ready)
        done.add(ready.id)
        waiting.remove(ready)
    return placed


def exit_cost(
    config: GovernanceConfig,
    partner: Partner,
    clock: Clock,
    credits: CreditStatement | None,
    not_applicable: frozenset[str] = frozenset(),
) -> ExitCost | None:
    """None when neither the partner's nor the programme's commercial terms give exit costs. A
    checklist item the assessment marks not applicable costs nothing; the lines follow the order a
    transition runs in (each item after the ones it depends on)."""
    terms = next(
        (c.exit for c in (partner.commercial, config.commercial) if c is not None and c.exit is not None), None
    )
    if terms is None:
        return None
    currency = partner.contract.currency
    quantum = minor_unit(currency)
    lines = []
    for item in dependency_order(config.offboarding.checklist):
        if item.id in not_applicable:
            continue
        if item.id in terms.transition:
            cost = round_money(as_decimal(terms.transition[item.id]), quantum)
            lines.append(CostLine(item.label, cost, "transition estimate in the exit terms", item.id))
        if item.id == PARALLEL_RUN and terms.parallel_run_monthly is not None and item.weeks:
            monthly = as_decimal(terms.parallel_run_monthly)
            amount = round_money(monthly * Decimal(item.weeks) * 12 / 52, quantum)
            basis = f"{item.weeks} weeks × {currency} {monthly:,.2f} a month × 12 months / 52 weeks"
            lines.append(CostLine("Parallel run", amount, basis, item.id))
    fee = None if terms.termination_fee is None else round_money(as_decimal(terms.termination_fee), quantum)
    renewal = None if clock.locked_value is None else round_money(as_decimal(clock.locked_value), quantum)
    return ExitCost(
        currency=currency,
        quantum=quantum,
        leaving=tuple(lines),
        termination_fee=fee,
        renewal_commitment=renewal,
        credits_12m=None if credits is None else credits.trailing_totals.net,
        credits_open=Decimal(0) if credits is None else credits.trailing_totals.open_earn_back,
    )
