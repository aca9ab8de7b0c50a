"""Decide step: QA calibration between the client's and the partner's evaluators, and coaching that
follows a low score -- facts per partner and quarter, computed once per run from the monthly sums
the raw engine wrote (govdocs/raw/sql/qa_review.py), read by the QBR's panel in both copies.

Calibration: over a quarter's pairs (a contact scored by both sides), the mean difference d̄
(partner minus client) and its interval d̄ ± z·s/√n (s: the pairs' sample standard deviation, z:
the normal quantile of govdocs.scoring.stats.z_score -- the minimum of pairs keeps the normal
approximation honest), the share of pairs whose totals are within the tolerance, and the form
sections with the largest mean absolute difference. A gap is a *calibration* gap: only when the
whole interval lies beyond the accepted bias is it a finding, with a joint calibration session as
its next step; it is never a partner failure and counts in no score.

Coaching: the roster's agents employed in the quarter who were evaluated, the low scores followed
by a coaching session within N days, and the agents and teams in the top quartile of the quarter's
mean QA score -- counted, named only when the config says so. No share from fewer than the
minimum sample: the documents say so instead.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import pandas as pd

from govdocs.periods import Quarter
from govdocs.render.formatters import number, percent
from govdocs.scoring.stats import z_score

TREND_QUARTERS = 4  # the quarter and up to three before it
MOST_SECTIONS = 3
ALIGNED, APART, NOT_CLEAR, LOW_SAMPLE = "aligned", "apart", "not_clear", "low_sample"


@dataclass(frozen=True)
class CalibrationQuarter:
    quarter: Quarter
    pairs: int
    status: str  # aligned (the whole interval within the accepted bias), apart (wholly beyond), not_clear, low_sample
    mean: float | None = None  # partner minus client, in points; None below the minimum of pairs
    low: float | None = None
    high: float | None = None
    within: float | None = None  # share of pairs within the tolerance, 0-1


@dataclass(frozen=True)
class SectionDifference:
    section: str
    pairs: int
    mean_abs: float  # mean |partner - client| over the pairs that scored the section
    mean: float  # mean partner - client


@dataclass(frozen=True)
class Calibration:
    current: CalibrationQuarter
    trend: tuple[CalibrationQuarter, ...]  # oldest first, ending with `current`; quarters with pairs only
    sections: tuple[SectionDifference, ...]  # most apart first (current quarter, enough pairs only)
    tolerance: float
    bias_tolerance: float
    min_pairs: int
    confidence: float


def _calibration_quarter(rows: pd.DataFrame, quarter: Quarter, rules) -> CalibrationQuarter:
    totals = rows[rows["section"].isna()]
    n = int(totals["pairs"].sum())
    if n < rules.min_pairs:
        return CalibrationQuarter(quarter, n, LOW_SAMPLE)
    total, squares = float(totals["diff_sum"].sum()), float(totals["diff_squares"].sum())
    mean = total / n
    variance = max(0.0, (squares - n * mean * mean) / (n - 1))
    half = z_score(float(rules.confidence)) * math.sqrt(variance / n)
    low, high = mean - half, mean + half
    bias = float(rules.bias_tolerance)
    status = ALIGNED if -bias <= low and high <= bias else APART if low > bias or high < -bias else NOT_CLEAR
    return CalibrationQuarter(quarter, n, status, mean, low, high, int(totals["within"].sum()) / n)


def _quarter_rows(rows: pd.DataFrame, quarter: Quarter) -> pd.DataFrame:
    first = quarter.months[0].index
    return rows[(rows["m"] >= first) & (rows["m"] <= first + 2)]


def partner_calibration(rows: pd.DataFrame | None, partner: str, quarter: Quarter, rules) -> Calibration | None:
    """The partner's calibration in `quarter` with its trend; None when it has no pair in any quarter shown."""
    if rows is None or rules is None:
        return None
    mine = rows[rows["partner"] == partner]
    shown = [quarter.shift(-k) for k in range(TREND_QUARTERS - 1, -1, -1)]
    trend = [_calibration_quarter(_quarter_rows(mine, q), q, rules) for q in shown]
    if not any(t.pairs for t in trend):
        return None
    current = trend[-1]
    sections: list[SectionDifference] = []
    by_section = _quarter_rows(mine, quarter)
    for section, group in by_section[by_section["section"].notna()].groupby("section"):
        n = int(group["pairs"].sum())
        if n >= rules.min_pairs:  # diff_squares holds the sum of |d| on a section's rows
            sections.append(
                SectionDifference(
                    str(section), n, float(group["diff_squares"].sum()) / n, float(group["diff_sum"].sum()) / n
                )
            )
    sections.sort(key=lambda s: (-s.mean_abs, s.section))
    return Calibration(
        current,
        tuple(t for t in trend if t.pairs or t is current),
        tuple(sections[:MOST_SECTIONS]) if current.status != LOW_SAMPLE else (),
        float(rules.tolerance),
        float(rules.bias_tolerance),
        int(rules.min_pairs),
        float(rules.confidence),
    )


# --- coaching ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Coaching:
    quarter: Quarter
    evaluated: int  # agents evaluated in the quarter
    employed: int | None  # roster agents employed in the quarter (None: no roster)
    evaluated_employed: int  # of those, evaluated
    low: int  # evaluations below the low score
    followed: int | None  # of those, followed by coaching within N days (None: no coaching records)
    ranked: int  # agents with enough evaluations to be ranked
    top: int  # of those, in the top quartile of mean score
    top_threshold: float | None
    teams: int  # teams with evaluated agents (None-free: 0 without a roster team)
    top_teams: int
    team_threshold: float | None
    named_agents: tuple[str, ...]  # only when the config says to name them
    named_teams: tuple[str, ...]
    low_score: float
    within_days: int
    min_sample: int
    min_evaluations: int
    # by tenure at the evaluation (from the roster): evaluations and low scores of agents whose
    # tenure is known, and of those under 90 days in post
    known_evaluations: int = 0
    known_low: int = 0
    new_hire_evaluations: int = 0
    new_hire_low: int = 0


def _top_quartile(means: Mapping[str, float]) -> tuple[float, tuple[str, ...]]:
    """The quarter ranked by mean: the threshold is the ⌈n/4⌉-th highest mean; ties with it are in."""
    ordered = sorted(means.values(), reverse=True)
    threshold = ordered[math.ceil(len(ordered) / 4) - 1]
    return threshold, tuple(sorted(k for k, v in means.items() if v >= threshold))


def _employed(roster: pd.DataFrame, partner: str, quarter: Quarter) -> set[str]:
    first, last = quarter.months[0].first_day(), quarter.end_date()
    mine = roster[roster["partner"] == partner]
    out = set()
    for r in mine.itertuples():
        hired = date.fromisoformat(str(r.hired_on)[:10])
        left = None if pd.isna(r.left_on) or r.left_on is None else date.fromisoformat(str(r.left_on)[:10])
        if hired <= last and (left is None or left >= first):
            out.add(str(r.agent_id))
    return out


def partner_coaching(
    rows: pd.DataFrame | None, roster: pd.DataFrame | None, partner: str, quarter: Quarter, rules
) -> Coaching | None:
    """The partner's coaching facts in `quarter`; None without evaluations naming their agent."""
    if rows is None or rules is None:
        return None
    mine = _quarter_rows(rows[rows["partner"] == partner], quarter)
    if mine.empty:
        return None
    agents = mine.groupby("agent_id").agg(evaluations=("evaluations", "sum"), score_sum=("score_sum", "sum"))
    employed = _employed(roster, partner, quarter) if roster is not None else None
    followed = None if mine["low_followed"].isna().all() else int(mine["low_followed"].fillna(0).sum())
    enough = agents[agents["evaluations"] >= rules.min_evaluations]
    means = {str(a): float(r.score_sum / r.evaluations) for a, r in enough.iterrows()}
    ranked = len(means) >= rules.min_sample
    threshold, top = _top_quartile(means) if ranked else (None, ())
    team_of: dict[str, str] = {}
    if roster is not None and "team" in roster:
        for r in roster[roster["partner"] == partner].itertuples():
            if isinstance(r.team, str) and r.team:
                team_of[str(r.agent_id)] = r.team
    team_sums: dict[str, list[float]] = {}
    for a, r in agents.iterrows():
        if str(a) in team_of:
            s = team_sums.setdefault(team_of[str(a)], [0.0, 0.0])
            s[0] += float(r.score_sum)
            s[1] += float(r.evaluations)
    team_means = {t: s[0] / s[1] for t, s in team_sums.items() if s[1] >= rules.min_evaluations}
    # a quartile of teams needs four of them
    team_threshold, top_teams = _top_quartile(team_means) if ranked and len(team_means) >= 4 else (None, ())
    named = bool(rules.name_recognised)
    known = mine[mine["new_hire"].notna()] if "new_hire" in mine else mine.iloc[0:0]
    new = known[known["new_hire"] == 1]
    return Coaching(
        quarter=quarter,
        evaluated=len(agents),
        employed=len(employed) if employed is not None else None,
        evaluated_employed=len(set(map(str, agents.index)) & employed) if employed is not None else 0,
        low=int(mine["low"].sum()),
        followed=followed,
        ranked=len(means),
        top=len(top),
        top_threshold=threshold,
        teams=len(team_means),
        top_teams=len(top_teams),
        team_threshold=team_threshold,
        named_agents=top if named else (),
        named_teams=top_teams if named else (),
        low_score=float(rules.low_score),
        within_days=int(rules.within_days),
        min_sample=int(rules.min_sample),
        min_evaluations=int(rules.min_evaluations),
        known_evaluations=int(known["evaluations"].sum()),
        known_low=int(known["low"].sum()),
        new_hire_evaluations=int(new["evaluations"].sum()),
        new_hire_low=int(new["low"].sum()),
    )


def partner_qa_review(review, partner: str, quarter: Quarter) -> tuple[Calibration | None, Coaching | None]:
    """Both facts of one partner from the engine's rows (govdocs.raw.engine.QaReviewRows, or None)."""
    if review is None:
        return None, None
    calibration = partner_calibration(review.calibration, partner, quarter, review.calibration_rules)
    coaching = partner_coaching(review.coaching, review.roster, partner, quarter, review.coaching_rules)
    return calibration, coaching


# --- the documents' view ----------------------------------------------------------------------


@dataclass(frozen=True)
class TrendRow:
    quarter: str
    pairs: str
    difference: str  # '+4.1 (3.2 to 5.0)' or 'fewer than 20 pairs'
    within: str


@dataclass(frozen=True)
class QaReviewView:
    """The body's panel (calibration, finding, coaching) and its appendix (the sections most apart,
    the trend, recognition, the method): the body stays within its page budget."""

    calibration: tuple[str, ...]  # sentences: the quarter's figures and whether the sides agree
    trend: tuple[TrendRow, ...]  # empty when only the current quarter has pairs
    finding: str  # a calibration gap beyond the accepted bias, and its next step; '' when none
    coaching: tuple[str, ...]
    method: str
    sections: str = ""  # the form sections most apart (appendix)
    recognition: str = ""  # the top quartile, counted (appendix)


SECTIONS = "The form sections they score most differently: "
RECOGNITION = "Recognition: "


def _signed(value: float) -> str:
    """+4.2, −1.3, 0.0 (a value that rounds to zero carries no sign)."""
    shown = round(value, 1)
    return ("+" if shown > 0 else "") + number(0.0 if shown == 0 else value, 1)


def _of(name: str) -> str:
    """Atlas Contact Solutions' evaluators, Bravo's evaluators."""
    return name + ("'" if name.endswith("s") else "'s")


def _calibration_lines(c: Calibration, name: str) -> tuple[tuple[str, ...], str]:
    q = c.current
    if q.status == LOW_SAMPLE:
        held = f"only {q.pairs} contact{'s were' if q.pairs != 1 else ' was'}" if q.pairs else "no contact was"
        return (
            f"In {q.quarter.label} {held} scored by both the client's and {_of(name)} evaluators: fewer than the "
            f"{c.min_pairs} pairs a calibration figure needs, so none is given.",
        ), ""
    assert q.mean is not None and q.low is not None and q.high is not None and q.within is not None
    direction = "higher than" if q.mean > 0 else "lower than" if q.mean < 0 else "the same as"
    amount = f"{number(abs(q.mean), 1)} points " if q.mean else ""
    lines = [
        f"{q.pairs} contacts were scored by both the client's and {_of(name)} evaluators in {q.quarter.label}: "
        f"{_of(name)} evaluators scored {amount}{direction} the client's on average (partner minus client "
        f"{_signed(q.mean)}, {percent(c.confidence)} interval {_signed(q.low)} to {_signed(q.high)}); "
        f"{percent(q.within)} of the pairs were within ±{number(c.tolerance, 0)} points of each other."
    ]
    if c.sections:
        parts = [
            f"{s.section} ({number(s.mean_abs, 1)} points apart on average, {_signed(s.mean)})" for s in c.sections
        ]
        lines.append(SECTIONS + "; ".join(parts) + ".")
    verdict = {
        ALIGNED: f"The two sides score alike: the whole interval lies within the ±{number(c.bias_tolerance, 1)} "
        "points the programme accepts.",
        NOT_CLEAR: f"Whether the two sides differ by more than the ±{number(c.bias_tolerance, 1)} points the "
        "programme accepts is not clear from these pairs.",
        APART: "",
    }[q.status]
    if verdict:
        lines.append(verdict)
    finding = ""
    if q.status == APART:
        where = f", starting with {c.sections[0].section}" if c.sections else ""
        finding = (
            f"Calibration gap: {_of(name)} evaluators score {direction} the client's by more than the "
            f"±{number(c.bias_tolerance, 1)} points accepted, over the whole interval. Next step: a joint calibration "
            f"session of both sides' evaluators on the same contacts{where}, before the next review. This is a "
            "difference between evaluators, not a result of the partner's: it counts in no score and no escalation."
        )
    return tuple(lines), finding


def _trend(c: Calibration) -> tuple[TrendRow, ...]:
    if len(c.trend) < 2:
        return ()
    rows = []
    for t in c.trend:
        if t.status == LOW_SAMPLE:
            rows.append(TrendRow(t.quarter.label, str(t.pairs), f"fewer than {c.min_pairs} pairs", "–"))
        else:
            assert t.mean is not None and t.low is not None and t.high is not None
            rows.append(
                TrendRow(
                    t.quarter.label,
                    str(t.pairs),
                    f"{_signed(t.mean)} ({_signed(t.low)} to {_signed(t.high)})",
                    percent(t.within),
                )
            )
    return tuple(rows)


def _coaching_lines(c: Coaching, name: str) -> tuple[str, ...]:
    lines = []
    q = c.quarter.label
    if c.employed is None:
        lines.append(f"{c.evaluated} of {_of(name)} agents were evaluated in {q} (no roster: the share is not known).")
    elif c.employed < c.min_sample:
        lines.append(
            f"{c.evaluated_employed} of {_of(name)} {c.employed} agents on the roster were evaluated in {q}: too few "
            f"agents (under {c.min_sample}) for a share."
        )
    else:
        lines.append(
            f"{c.evaluated_employed} of {_of(name)} {c.employed} agents on the roster "
            f"({percent(c.evaluated_employed / c.employed)}) were evaluated in {q}."
        )
    low = f"below {number(c.low_score, 0)}"
    if c.followed is None:
        lines.append(
            f"{c.low} evaluation{'s' if c.low != 1 else ''} scored {low}; no coaching records were delivered, so "
            "whether coaching followed is not known."
        )
    elif c.low == 0:
        lines.append(f"No evaluation scored {low} in {q}.")
    elif c.low == 1:  # "1 of it followed" read as a slip
        lines.append(
            f"1 evaluation scored {low}, {'' if c.followed else 'not '}followed by coaching within "
            f"{c.within_days} days: too few low scores (under {c.min_sample}) for a share."
        )
    elif c.low < c.min_sample:
        lines.append(
            f"{c.low} evaluations scored {low}, {c.followed} of them followed by coaching within {c.within_days} "
            f"days: too few low scores (under {c.min_sample}) for a share."
        )
    else:
        lines.append(
            f"{c.followed} of the {c.low} evaluations that scored {low} ({percent(c.followed / c.low)}) were "
            f"followed by coaching of the same agent within {c.within_days} days."
        )
    if c.known_low >= c.min_sample and c.new_hire_evaluations:
        lines.append(
            f"Agents under 90 days in post had {c.new_hire_low} of the {c.known_low} low scores "
            f"({percent(c.new_hire_low / c.known_low)}) and {percent(c.new_hire_evaluations / c.known_evaluations)} "
            "of the evaluations."
        )
    if c.top_threshold is None:
        lines.append(
            f"{RECOGNITION}{c.ranked} agent{'s' if c.ranked != 1 else ''} had {c.min_evaluations} or more "
            f"evaluations, too few (under {c.min_sample}) to rank a top quartile."
        )
    else:
        named = f" ({', '.join(c.named_agents)})" if c.named_agents else ""
        text = (
            f"{RECOGNITION}{c.top} of the {c.ranked} agents with {c.min_evaluations} or more evaluations{named} "
            f"{'is' if c.top == 1 else 'are'} in the top quartile, with a mean score of "
            f"{number(c.top_threshold, 1)} or more"
        )
        if c.team_threshold is not None:
            teams = f" ({', '.join(c.named_teams)})" if c.named_teams else ""
            text += (
                f"; {c.top_teams} of the {c.teams} teams{teams} {'is' if c.top_teams == 1 else 'are'} in the teams' "
                f"top quartile ({number(c.team_threshold, 1)} or more)"
            )
        lines.append(text + ".")
    return tuple(lines)


def qa_review_view(calibration: Calibration | None, coaching: Coaching | None, name: str) -> QaReviewView | None:
    """The QBR's "QA calibration and coaching" panel; None when the records hold neither."""
    if calibration is None and coaching is None:
        return None
    lines, finding = _calibration_lines(calibration, name) if calibration is not None else ((), "")
    method = ""
    if calibration is not None:
        method = (
            f"A pair is a contact scored by both sides; its difference is the partner's total minus the client's. "
            f"The interval is the mean ± z × s/√n (normal approximation, {percent(calibration.confidence)}); no "
            f"figure from fewer than {calibration.min_pairs} pairs. Only an interval wholly beyond "
            f"±{number(calibration.bias_tolerance, 1)} points is a calibration gap."
        )
    coached = _coaching_lines(coaching, name) if coaching is not None else ()
    return QaReviewView(
        tuple(line for line in lines if not line.startswith(SECTIONS)),
        _trend(calibration) if calibration is not None else (),
        finding,
        tuple(line for line in coached if not line.startswith(RECOGNITION)),
        method,
        next((line for line in lines if line.startswith(SECTIONS)), ""),
        next((line for line in coached if line.startswith(RECOGNITION)), ""),
    )
