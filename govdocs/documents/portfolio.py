"""Build-context step, portfolio summary: every partner on one page, sorted by risk.

Internal only (it names every partner). One row per partner: score, tier, change,
escalation status, red KPIs, improvement-plan state, contract notice deadline and the
documents the ladder calls for; then the notice deadlines falling in the next 180 days.
Everything is computed before the template: the template prints.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from govdocs import __version__
from govdocs.commercial import Terms, Totals, money_text
from govdocs.config.model import GovernanceConfig
from govdocs.documents.common import Audience, DocumentMeta, InputFile, inputs_hash, score_words
from govdocs.documents.credits import figure, share_text
from govdocs.facts import PartnerFacts, PlanState, RunFacts
from govdocs.planning.options import OptionKind, Options
from govdocs.render.formatters import counted, number, short_date, signed
from govdocs.scoring.engine import Escalation, PartnerAssessment
from govdocs.scoring.standing import kpi_sets

NOTICE_HORIZON_DAYS = 180


@dataclass(frozen=True)
class BriefRow:
    """One partner on the executive brief: what it costs, what it delivers, what is owed back,
    what must be decided by when, and what data is missing."""

    name: str
    spend: str  # fees over the trailing 12 months (or the annual value where no credit terms)
    spend_basis: str
    score: str
    tier: str
    escalation: str
    escalation_slug: str
    credits_charged: str  # gross credits over the 12 months
    earned_back: str
    credits_net: str
    credits_share: str
    decision: str  # the decision asked ("" when none is due within the horizon)
    decide_by: str
    decide_days: int | None
    undelivered: str  # months and KPIs without data this quarter ("" when all delivered)


@dataclass(frozen=True)
class Brief:
    rows: tuple[BriefRow, ...]
    decisions: tuple[str, ...]  # one sentence per partner needing a decision, soonest first
    totals: str  # spend and credits over the portfolio, per currency
    undelivered_count: int  # KPI-months without data this quarter, over every partner


@dataclass(frozen=True)
class PortfolioRow:
    rank: int
    partner_id: str
    name: str
    peer_group: str | None
    score: str
    tier: str
    change: str
    change_style: str  # "better", "worse" or ""
    escalation: str
    escalation_slug: str
    reason: str  # the first reason the ladder gives, or ""
    red_kpis: tuple[str, ...]
    failures: int
    plan: PlanState | None
    notice_by: str
    notice_days: int
    notice_soon: bool
    notice_confirmed: bool  # False: terms `govdocs init` guessed; no date is set against them
    documents: str


@dataclass(frozen=True)
class NoticeRow:
    partner: str
    end: str
    notice_by: str
    days_left: int
    passed: bool
    renewal: str
    escalation: str
    escalation_slug: str


@dataclass(frozen=True)
class CreditRow:
    partner: str
    currency: str
    quarter_fees: str
    quarter_net: str
    quarter_share: str
    trailing_fees: str
    trailing_net: str
    trailing_share: str
    open: str  # credits that can still be earned back
    is_total: bool = False


def credit_rows(ordered: list[PartnerFacts]) -> tuple[CreditRow, ...]:
    """Each partner with credit terms, in the portfolio's order, then one total per currency."""
    rows, sums = [], {}
    for facts in ordered:
        statement = facts.credits
        if statement is None:
            continue
        terms, quarter, trailing = statement.terms, statement.quarter_totals, statement.trailing_totals
        rows.append(_credit_row(facts.assessment.partner.name, terms, quarter, trailing))
        total = sums.setdefault(terms.currency, [terms, [], []])
        total[1].append(quarter)
        total[2].append(trailing)
    for currency, (terms, quarters, trailings) in sums.items():
        label = "All partners" if len(sums) == 1 else f"All partners in {currency}"
        rows.append(_credit_row(label, terms, Totals.sum(quarters), Totals.sum(trailings), is_total=True))
    return tuple(rows)


def _credit_row(name: str, terms: Terms, quarter: Totals, trailing: Totals, is_total: bool = False) -> CreditRow:
    return CreditRow(
        partner=name,
        currency=terms.currency,
        quarter_fees=figure(quarter.fees, terms),
        quarter_net=figure(quarter.net, terms),
        quarter_share=share_text(quarter),
        trailing_fees=figure(trailing.fees, terms),
        trailing_net=figure(trailing.net, terms),
        trailing_share=share_text(trailing),
        open=figure(trailing.open_earn_back, terms) if trailing.open_earn_back else "–",
        is_total=is_total,
    )


@dataclass(frozen=True)
class PortfolioContext:
    meta: DocumentMeta
    quarter_label: str
    previous_label: str
    rows: tuple[PortfolioRow, ...]
    counts: tuple[tuple[str, str, int], ...]  # (label, escalation slug, partners)
    tiers: tuple[tuple[str, int], ...]
    notices: tuple[NoticeRow, ...]
    horizon_days: int
    files: tuple[InputFile, ...]
    unconfirmed: tuple[str, ...]  # partners whose contract terms are still to be confirmed (no notice date)
    ladder_note: str
    credits: tuple[CreditRow, ...] = ()
    credit_months: str = ""  # the trailing 12 months, "Oct 2025 – Sep 2026"
    brief: Brief | None = None  # the first page: the executive brief


def _risk_key(facts: PartnerFacts) -> tuple[float, ...]:
    """Highest escalation first; then a plan on record that ended unmet, more failures this
    quarter, a lower score (a partner without a score ranks as the riskiest of its level)."""
    assessment = facts.assessment
    unmet = 1 if any(p.unmet for p in facts.record) else 0
    score = assessment.score.value if assessment.score.value is not None else -1.0
    return (-int(assessment.decision.level), -unmet, -assessment.failures_in_quarter, score)


def _change(assessment: PartnerAssessment) -> tuple[str, str]:
    now, before = assessment.score.value, assessment.previous_score.value
    if now is None or before is None:
        return "–", ""
    # From the printed (one-decimal) scores, so the column adds up on paper.
    change = round(round(now, 1) - round(before, 1), 1)
    return signed(change, "", 1), "better" if change > 0 else "worse" if change < 0 else ""


OPTION_WORDS = {  # the decision an offboarding assessment's recommended option asks for
    OptionKind.RENEW: "renew",
    OptionKind.PLAN: "keep under an improvement plan",
    OptionKind.LAPSE: "let the contract lapse",
    OptionKind.CONVENIENCE: "end early for convenience",
    OptionKind.CAUSE: "end for cause",
}


def _decision(facts: PartnerFacts, options: Options | None, as_of: date) -> tuple[str, date | None]:
    """The decision a partner needs and its date: an offboarding assessment's (its decision page),
    else renewal or notice when the notice deadline falls within the horizon."""
    clock = facts.clock
    if options is not None:
        return f"{OPTION_WORDS[options.recommended]} (offboarding assessment)", options.decide_by
    if clock.ended or clock.passed or clock.days_left > NOTICE_HORIZON_DAYS:
        return "", None
    if not clock.decision_confirmed:  # guessed terms set no date
        return "", None
    if clock.auto_renew:
        return f"renew to {short_date(clock.locked_until)} or give notice", clock.notice_deadline
    return f"renew or let it end on {short_date(clock.end)}", clock.notice_deadline


def build_brief(
    ordered: list[PartnerFacts],
    options: dict[str, Options],
    as_of: date,
    quarter_label: str,
    client_gaps: Mapping[str, frozenset[str]] | None = None,  # partner -> months (YYYY-MM) the client caused
) -> Brief:
    client_gaps = client_gaps or {}
    rows, sentences = [], []
    spend_totals: dict[str, list[Decimal]] = {}
    missing_total = 0
    for facts in ordered:
        assessment, clock = facts.assessment, facts.clock
        partner = assessment.partner
        statement = facts.credits
        if statement is not None:
            terms, trailing = statement.terms, statement.trailing_totals
            spend, basis = money_text(trailing.fees, terms.currency, Decimal(1)), "fees, 12 months"
            charged, back, net = (
                figure(trailing.gross, terms),
                figure(trailing.earned_back, terms),
                figure(trailing.net, terms),
            )
            share = share_text(trailing)
            total = spend_totals.setdefault(terms.currency, [Decimal(0)] * 4)
            for i, amount in enumerate((trailing.fees, trailing.gross, trailing.earned_back, trailing.net)):
                total[i] += amount
        else:
            spend = number(clock.annual_value, 0) if clock.annual_value is not None else "–"
            basis, charged, back, net, share = "annual value", "no credit terms", "–", "–", "–"
        decision, by = _decision(facts, options.get(partner.id), as_of)
        gaps = assessment.undelivered
        missing_total += sum(len(kpis) for _, kpis in gaps)
        every = len(assessment.kpis)
        theirs = client_gaps.get(partner.id, frozenset())
        undelivered = "; ".join(
            f"{m.label}: "
            + (f"all {every} KPIs" if len(kpis) == every else ", ".join(k.name for k in kpis))
            + (" (a client-side gap, not the partner's)" if str(m) in theirs else "")
            for m, kpis in gaps
        )
        level = assessment.decision.level
        rows.append(
            BriefRow(
                name=partner.name,
                spend=spend if statement is not None or spend == "–" else f"{clock.currency} {spend}",
                spend_basis=basis,
                score=score_words(assessment.score),
                tier=assessment.score.tier_words,
                escalation=level.label,
                escalation_slug=level.slug,
                credits_charged=charged,
                earned_back=back,
                credits_net=net,
                credits_share=share,
                decision=decision,
                decide_by=short_date(by) if by else "",
                decide_days=(by - as_of).days if by else None,
                undelivered=undelivered,
            )
        )
        if by is not None:
            sentences.append(
                (by, f"{partner.name}: {decision}, by {short_date(by)} ({counted((by - as_of).days, 'day')}).")
            )
    totals = "; ".join(
        f"{currency}: fees {t[0]:,.2f}, credits charged {t[1]:,.2f}, earned back {t[2]:,.2f}, owed {t[3]:,.2f}"
        for currency, t in spend_totals.items()
    )
    return Brief(
        tuple(rows),
        tuple(text for _, text in sorted(sentences, key=lambda item: item[0])),
        totals,
        missing_total,
    )


def build_portfolio_context(
    *,
    config: GovernanceConfig,
    facts: RunFacts,
    documents: dict[str, tuple[str, ...]],
    files: list[InputFile],
    as_of: date,
    options: dict[str, Options] | None = None,  # the offboarding assessments' options, by partner
    client_gaps: Mapping[str, frozenset[str]] | None = None,  # months without data the client caused
) -> PortfolioContext:
    portfolio = facts.portfolio
    clocks = {pid: f.clock for pid, f in facts.items()}
    quarter = facts.quarter
    ordered = sorted(facts.values(), key=lambda f: (_risk_key(f), f.assessment.partner.name))
    rows = []
    for rank, partner_facts in enumerate(ordered, start=1):
        assessment = partner_facts.assessment
        pid = assessment.partner.id
        change, change_style = _change(assessment)
        clock = partner_facts.clock
        level = assessment.decision.level
        rows.append(
            PortfolioRow(
                rank=rank,
                partner_id=pid,
                name=assessment.partner.name,
                peer_group=assessment.partner.peer_group,
                score=score_words(assessment.score),
                tier=assessment.score.tier_words,
                change=change,
                change_style=change_style,
                escalation=level.label,
                escalation_slug=level.slug,
                reason=assessment.decision.reasons[0] if assessment.decision.reasons and level else "",
                red_kpis=tuple(k.kpi.name for k in kpi_sets(assessment).below_floor),
                failures=assessment.failures_in_quarter,
                plan=partner_facts.plan_line,
                notice_by=short_date(clock.notice_deadline),
                notice_days=clock.days_left,
                notice_soon=clock.decision_confirmed and 0 <= clock.days_left <= NOTICE_HORIZON_DAYS,
                notice_confirmed=clock.decision_confirmed,
                documents=" · ".join(documents.get(pid, ())),
            )
        )
    notices = tuple(
        NoticeRow(
            partner=portfolio[pid].partner.name,
            end=short_date(clock.end),
            notice_by=short_date(clock.notice_deadline),
            days_left=clock.days_left,
            passed=clock.passed,
            renewal=(
                f"renews {clock.renewal_term} to {short_date(clock.locked_until)}"
                if "renewal_months" not in clock.to_confirm
                else f"renews to {short_date(clock.locked_until)}: {clock.renewal_term}"
            )
            if clock.auto_renew
            else "ends without renewal",
            escalation=portfolio[pid].decision.level.label,
            escalation_slug=portfolio[pid].decision.level.slug,
        )
        for pid, clock in sorted(clocks.items(), key=lambda item: (item[1].notice_deadline, item[0]))
        if clock.decision_confirmed and clock.days_left <= NOTICE_HORIZON_DAYS and clock.end >= as_of
    )
    unconfirmed = tuple(
        portfolio[pid].partner.name for pid, clock in sorted(clocks.items()) if not clock.decision_confirmed
    )
    levels = Counter(a.decision.level for a in portfolio.values())
    counts = tuple((level.label, level.slug, levels.get(level, 0)) for level in reversed(Escalation))
    # A partner whose score range reaches across a tier boundary is counted under those tiers,
    # provisional: never under the one its score at the measured values falls in.
    tier_counts = Counter(a.score.tier_words if a.score.tier else "No score" for a in portfolio.values())
    tiers = tuple((t.name, tier_counts.get(t.name, 0)) for t in config.scoring.tiers)
    tiers += tuple((name, n) for name, n in sorted(tier_counts.items()) if name not in dict(tiers) and n)

    digest = inputs_hash(
        [(f"{f.role}:{f.name}", f.sha256) for f in files]
        + [("kind", "portfolio"), ("quarter", str(quarter)), ("as_of", as_of.isoformat()), ("govdocs", __version__)]
        + [("partner", pid) for pid in sorted(portfolio)]
    )
    meta = DocumentMeta(
        kind="portfolio",
        title="Portfolio Summary",
        document_id=f"PORTFOLIO-{quarter.year}Q{quarter.q}-I-{digest[:6].upper()}",
        inputs_hash=digest[:12],
        audience=Audience.INTERNAL,
        audience_label="Internal",
        classification=f"{config.client.classification} · Internal: not for partners",
        client_name=config.client.name,
        programme=config.client.programme,
        partner_name=f"{len(portfolio)} partners",
        period_label=quarter.label,
        as_of=as_of,
        generator=f"govdocs {__version__}",
    )
    return PortfolioContext(
        meta=meta,
        quarter_label=quarter.label,
        previous_label=quarter.previous().label,
        rows=tuple(rows),
        counts=counts,
        tiers=tiers,
        notices=notices,
        horizon_days=NOTICE_HORIZON_DAYS,
        files=tuple(files),
        unconfirmed=unconfirmed,
        credits=credit_rows(ordered),
        brief=build_brief(ordered, options or {}, as_of, quarter.label, client_gaps),
        credit_months=f"{quarter.last_month.shift(-11).label} – {quarter.last_month.label}",
        ladder_note=(
            "Sorted by risk: escalation status first, then an improvement plan that ended unmet, "
            "contractual failures this quarter and the lower score. Notice dates are the last business "
            "day to give notice under each contract."
        ),
    )
