"""Validate step, the reviewer's words: free text from the inputs checked against the computed facts.

A reviewer writes "Customer satisfaction has been below the floor since December 2025" into an
inputs file, and the documents print it beside the scorecard. This module reads the claims such a
sentence makes that it can parse, and only those:

  "<KPI> ... below|above the floor|target since <month>"  every month with data from that month to
                                                          the quarter's end is below (above) it;
  "<KPI> ... red|amber|green in <month>"                  that month's status is the one named;
  "<KPI> ... <number>%"                                   the number is, to the digits written, the
                                                          KPI's quarter value or one of its monthly
                                                          values in the 12 months to the quarter end
                                                          (or that month's, when the clause names one);
  "<KPI> held|stayed|was ... at|on|above|below the         every month with data in the span is (clearly)
   [<number>] target|floor [span]"                        on that side; the span is "since <month>",
                                                          "for twelve months running", "in <month>",
                                                          "this year", or else the quarter;
  a concern naming a month relieved for its KPI            the month is no partner failure.

The KPI is the last one named before the claim in the same clause: by its display name, its id
("FCR", "AHT") or its family word ("quality", "abandonment", "handle time"); "Service level and
abandonment" names two. Words it cannot parse ("about a third", "on or near target") are not
checked, and a month without data or with a low sample is not judged.

What a document does with the sentence (read_text): one the facts contradict never reaches a
partner copy; the internal copy prints it with the fact that contradicts it. One that names a KPI
or a figure but makes no claim the checker reads is "not checked": printed in the internal copy
only, so labelled, and a warning at its line. One about no KPI (an event, a staffing story) is the
reviewer's note in both copies. A contradiction is a warning, never an error: the reviewer may
know something the data does not.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from govdocs.config.model import Direction, Kpi
from govdocs.periods import Month, Quarter
from govdocs.scoring.engine import KpiQuarter, PartnerAssessment
from govdocs.scoring.results import Status

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH = (
    r"(?P<mon>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|"
    r"Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)(?: (?P<year>\d{4}))?"
)
SINCE = re.compile(rf"\b(?P<side>below|above) the (?P<line>floor|target) since {_MONTH}\b", re.I)
STATUS_IN = re.compile(rf"\b(?P<status>red|amber|green) in {_MONTH}\b", re.I)
PERCENT = re.compile(r"(?<![\d.])(?P<number>\d+(?:\.\d+)?)\s?%")
MONTH_WORD = re.compile(rf"\b(?:in|during|since|for) (?:the )?{_MONTH}\b", re.I)
SENTENCE = re.compile(r"[^.;!?]+(?:\.(?=\d)[^.;!?]*)*")  # a clause: up to . ; ! ? (not a decimal point)


HOLD = re.compile(
    r"\b(?P<side>at|on|above|over|below|under|beyond)(?: or (?:above|below))? (?:the |its |their )?"
    r"(?:(?P<number>\d+(?:\.\d+)?)\s?(?:%|s|pp)? )?(?P<line>target|floor)s?\b",
    re.I,
)
NUMBER_WORDS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12,
}  # fmt: skip
RUNNING = re.compile(r"\bfor (?P<count>\d+|" + "|".join(NUMBER_WORDS) + r") (?:consecutive )?months\b", re.I)
THIS_YEAR = re.compile(r"\b(?:this|the) year\b", re.I)
HEDGED = re.compile(r"too close to call|not (?:statistically )?clear", re.I)
FIGURE = re.compile(r"\d\s?(?:%|s\b|pp\b)")


@dataclass(frozen=True)
class Contradiction:
    claim: str  # the words, as written
    fact: str  # what the computed facts say


@dataclass(frozen=True)
class Reading:
    """What the checker makes of one sentence of the reviewer's."""

    claims: int  # claims it parsed and judged
    contradicted: tuple[Contradiction, ...]
    about_kpis: bool  # it names a KPI (or a KPI family) or a KPI-like figure

    @property
    def verdict(self) -> str:
        """'contradicted', 'checked' (every claim parsed holds), 'not checked' (about the KPIs, but
        nothing parsed) or 'not a KPI claim' (the reviewer's note on something else)."""
        if self.contradicted:
            return "contradicted"
        if self.claims:
            return "checked"
        return "not checked" if self.about_kpis else "not a KPI claim"

    @property
    def partner_may_read(self) -> bool:
        return self.verdict in ("checked", "not a KPI claim")


def aliases(kpi: Kpi) -> tuple[str, ...]:
    """The words a reviewer names a KPI by: its display name, its id ('fcr', 'service level') and
    its family word, the name without a generic head or tail ('quality', 'abandonment',
    'handle time', 'attrition')."""
    name = re.sub(r"\s*\(.*?\)", "", kpi.name).strip().casefold()
    words = name.split()
    found = {kpi.name.casefold(), name, kpi.id.replace("_", " ").casefold()}
    generic_head = {"average", "agent", "customer", "first-contact", "total"}
    generic_tail = {"rate", "score", "assurance score"}
    if len(words) > 1 and words[0] in generic_head:
        found.add(" ".join(words[1:]))
    for tail in generic_tail:
        if name.endswith(" " + tail) and len(name) > len(tail) + 4:
            found.add(name[: -len(tail) - 1])
    if len(words) > 1 and words[-1] == "score" and words[0] not in generic_head:
        found.add(words[0])  # 'quality' for 'Quality assurance score'
    return tuple(sorted((a for a in found if len(a) >= 3), key=len, reverse=True))


def _month(match: re.Match[str], quarter: Quarter) -> Month:
    """The month a claim names; without a year, the latest such month up to the quarter's end."""
    number = MONTHS.index(match.group("mon")[:3].lower()) + 1
    last = quarter.last_month
    if match.group("year"):
        return Month(int(match.group("year")), number)
    return Month(last.year if number <= last.month else last.year - 1, number)


def _mentions(clause: str, kpi: Kpi, before: int | None = None) -> int:
    """Where the clause last names the KPI (by any of its aliases, as a whole word) before
    `before`; -1 when it does not."""
    folded = clause.casefold()[:before]
    best = -1
    for alias in aliases(kpi):
        for found in re.finditer(rf"(?<![\w-]){re.escape(alias)}(?![\w-])", folded):
            best = max(best, found.start())
    return best


def _subject(clause: str, position: int, kpis: Sequence[Kpi]) -> Kpi | None:
    """The KPI named last before `position` in the clause."""
    best, where = None, -1
    for kpi in kpis:
        found = _mentions(clause, kpi, position)
        if found > where:
            best, where = kpi, found
    return best


def _subjects(clause: str, position: int, kpis: Sequence[Kpi]) -> list[Kpi]:
    """The KPIs a claim is about: the last one named before it, and those joined to it by 'and'
    ('Service level and abandonment have been below the floor')."""
    last = _subject(clause, position, kpis)
    if last is None:
        return []
    named = sorted(((_mentions(clause, k, position), k) for k in kpis), key=lambda item: item[0])
    named = [(at, k) for at, k in named if at >= 0]
    chosen = [last]
    for (at, kpi), (after, _) in zip(named, named[1:], strict=False):
        between = clause.casefold()[at:after]
        if kpi is not last and re.search(r"\band\b|,", between) and not re.search(r"[;:]", between):
            chosen.append(kpi)
    return chosen


def _printed(value: float, decimals: int) -> float:
    return round(value, decimals)


def contradictions(text: str, assessment: PartnerAssessment, concern: bool = False) -> list[Contradiction]:
    """The claims of `text` that the partner's computed facts contradict."""
    return list(read_text(text, assessment, concern).contradicted)


@dataclass(frozen=True)
class _Parsed:
    parsed: tuple[str, ...]
    found: tuple[Contradiction, ...]


def _claims(text: str, assessment: PartnerAssessment) -> _Parsed:
    """The 'since', 'red in <month>' and percentage claims: those parsed and those contradicted."""
    parsed: list[str] = []
    kpis = [k.kpi for k in assessment.kpis]
    by_id = {k.kpi.id: k for k in assessment.kpis}
    quarter = assessment.quarter
    found: list[Contradiction] = []
    for clause_match in SENTENCE.finditer(text):
        clause = clause_match.group(0)
        for claim in SINCE.finditer(clause):
            kpi = _subject(clause, claim.start(), kpis)
            if kpi is None:
                continue
            item, start = by_id[kpi.id], _month(claim, quarter)
            line = kpi.target if claim.group("line").lower() == "target" else kpi.floor
            if line is None:
                continue
            parsed.append(claim.group(0))
            below = claim.group("side").lower() == "below"
            # A month supports the claim when its value is on that side and its status is clear: a
            # value below the floor whose 95% interval reaches it is no failure (one rule both ways).
            wrong = [
                m
                for m in item.history
                if m.month >= start
                and m.value is not None
                and (not (m.value < line if below else m.value > line) or m.status is Status.NOT_CLEAR)
            ]
            if wrong:
                months = ", ".join(
                    f"{m.month.label} {_shown(kpi, m.value)}"
                    + (" (not statistically clear)" if m.status is Status.NOT_CLEAR else "")
                    for m in wrong[:3]
                )
                more = f" and {len(wrong) - 3} more" if len(wrong) > 3 else ""
                found.append(
                    Contradiction(
                        f"{kpi.name} {claim.group(0)}",
                        f"not clearly {claim.group('side').lower()} the {_shown(kpi, line)} "
                        f"{claim.group('line').lower()} in {months}{more}",
                    )
                )
        for claim in STATUS_IN.finditer(clause):
            kpi = _subject(clause, claim.start(), kpis)
            if kpi is None:
                continue
            month = _month(claim, quarter)
            result = next((m for m in by_id[kpi.id].history if m.month == month), None)
            if result is None or result.value is None:
                continue  # a month without data or outside the 12 months: not judged
            parsed.append(claim.group(0))
            said = claim.group("status").lower()
            if result.status.value != said:
                relieved = " (relieved)" if result.relief else ""
                found.append(
                    Contradiction(
                        f"{kpi.name} {claim.group(0)}",
                        f"{kpi.name} in {month.label}: {_shown(kpi, result.value)}, "
                        f"{result.status.value.replace('_', ' ')}{relieved}",
                    )
                )
        for claim in PERCENT.finditer(clause):
            kpi = _subject(clause, claim.start(), kpis)
            if kpi is None or kpi.unit.value != "percent":
                continue
            if re.search(r"\bfrom\s*$", clause[: claim.start()], re.I):
                continue  # 'rose from 38% to 58%': where it started may lie before the 12 months
            item = by_id[kpi.id]
            written = claim.group("number")
            decimals = len(written.split(".")[1]) if "." in written else 0
            named = [_month(m, quarter) for m in MONTH_WORD.finditer(clause)]
            values = [m.value for m in item.history if m.value is not None and (not named or m.month in named)]
            if not named and item.current.value is not None:
                values.append(item.current.value)
            if not values:
                continue
            parsed.append(claim.group(0))
            if float(written) not in {_printed(v, decimals) for v in values}:
                where = f"in {', '.join(m.label for m in named)}" if named else "in the 12 months to the quarter's end"
                shown = ", ".join(_shown(kpi, v) for v in values[-3:])
                found.append(Contradiction(f"{kpi.name} … {written}%", f"{kpi.name} {where}: {shown}"))
    return _Parsed(tuple(parsed), tuple(found))


def _span(clause: str, claim_end: int, quarter: Quarter) -> tuple[Month, str]:
    """The first month a held/at/above claim covers (to the quarter's end) and its words: 'since
    <month>', 'for N months', 'in <month>' (that month only: the caller checks), 'this year', else
    the quarter."""
    rest = clause[claim_end:]
    last = quarter.last_month
    since = re.search(rf"\bsince {_MONTH}\b", rest, re.I)
    if since:
        return _month(since, quarter), since.group(0)
    running = RUNNING.search(clause)
    if running:
        count = running.group("count").lower()
        months = int(count) if count.isdigit() else NUMBER_WORDS[count]
        return last.shift(1 - months), running.group(0)
    if THIS_YEAR.search(clause):
        return Month(last.year, 1), "this year"
    return quarter.months[0], f"in {quarter.label}"


def _holds(kpi: Kpi, side: str, line: float, value: float, is_target: bool) -> bool:
    """Whether a value is on the side a claim says. 'At/on' a line meets it; against the target,
    'above' and 'below' are the value's own side; against the floor they are the performance's, as
    reviewers write them ('abandonment below the floor': worse than the floor, whichever way is better)."""
    higher = kpi.direction is Direction.HIGHER
    meets = value >= line if higher else value <= line
    if side in ("at", "on"):
        return meets
    if not is_target:
        return meets if side == "above" else not meets
    return value > line if side == "above" else value < line


def _line_claims(
    clause: str, item_of: Mapping[str, KpiQuarter], kpis: Sequence[Kpi], quarter: Quarter
) -> tuple[int, list[Contradiction]]:
    """'held at target', 'above the 75% target in every month with data this year', 'below the floor
    for twelve months running': every month of the span with a clear status is on the side said."""
    claims, found = 0, []
    for claim in HOLD.finditer(clause):
        if re.search(r"\bsince\b", clause[claim.end() : claim.end() + 8], re.I) and claim.group("side").lower() in (
            "below",
            "above",
        ):
            continue  # 'below the floor since <month>': the SINCE rule reads it
        named_month = MONTH_WORD.search(clause[claim.end() :])
        for kpi in _subjects(clause, claim.start(), kpis):
            item = item_of[kpi.id]
            is_target = claim.group("line").lower() == "target"
            line = kpi.target if is_target else kpi.floor
            if line is None:
                continue
            written = claim.group("number")
            if written is not None and abs(float(written) - line) > 10 ** -max(kpi.decimals, 0) / 2:
                claims += 1
                found.append(
                    Contradiction(
                        f"{kpi.name} … {claim.group(0)}",
                        f"the {kpi.name} {claim.group('line').lower()} is {_shown(kpi, line)}",
                    )
                )
                continue
            side = claim.group("side").lower()
            side = {"over": "above", "under": "below", "beyond": "below"}.get(side, side)
            if named_month and not re.search(r"\bsince\b", named_month.group(0), re.I):
                start = end = _month(named_month, quarter)
                words = named_month.group(0)
            else:
                start, words = _span(clause, claim.end(), quarter)
                end = quarter.last_month
            months = [
                m
                for m in item.history
                if start <= m.month <= end
                and m.value is not None
                and m.status not in (Status.INSUFFICIENT, Status.NO_DATA)
            ]
            if not months:
                continue
            claims += 1
            # A month too close to call supports no claim, unless the clause says so itself.
            hedged = bool(HEDGED.search(clause))
            wrong = [
                m
                for m in months
                if not _holds(kpi, side, line, m.value, is_target) or (m.status is Status.NOT_CLEAR and not hedged)
            ]
            if wrong:
                shown = ", ".join(
                    f"{m.month.label} {_shown(kpi, m.value)}"
                    + (" (not statistically clear)" if m.status is Status.NOT_CLEAR else "")
                    for m in wrong[:3]
                )
                more = f" and {len(wrong) - 3} more" if len(wrong) > 3 else ""
                said = "on" if side in ("at", "on") else side
                found.append(
                    Contradiction(
                        f"{kpi.name} {claim.group(0)} {words}".strip(),
                        f"not clearly {said} the {_shown(kpi, line)} {claim.group('line').lower()} in {shown}{more}",
                    )
                )
    return claims, found


def _relieved_claims(
    clause: str, item_of: Mapping[str, KpiQuarter], kpis: Sequence[Kpi], quarter: Quarter
) -> tuple[int, list[Contradiction]]:
    """A concern naming a month relieved for a KPI it names: holding that month against the
    partner is contrary to the relief (the month is no partner failure)."""
    claims, found = 0, []
    for named in MONTH_WORD.finditer(clause):
        month = _month(named, quarter)
        for kpi in kpis:
            if _mentions(clause, kpi) < 0:
                continue
            result = next((m for m in item_of[kpi.id].history if m.month == month), None)
            if result is None or result.value is None:
                continue
            claims += 1
            if result.relief:
                found.append(
                    Contradiction(
                        f"{kpi.name} … {named.group(0)}",
                        f"{kpi.name} in {month.label} is relieved ({result.relief}): no partner failure",
                    )
                )
    return claims, found


def read_text(text: str, assessment: PartnerAssessment, concern: bool = False) -> Reading:
    """The checker's reading of one of the reviewer's sentences: how many claims it parsed, the
    ones the facts contradict, and whether it is about the KPIs at all. `concern`: the sentence is
    held against the partner (a concern), so a relieved month it names contradicts it."""
    kpis = [k.kpi for k in assessment.kpis]
    item_of: Mapping[str, KpiQuarter] = {k.kpi.id: k for k in assessment.kpis}
    contradicted = _claims(text, assessment)
    claims = len(contradicted.parsed)
    found = list(contradicted.found)
    for clause_match in SENTENCE.finditer(text):
        clause = clause_match.group(0)
        count, wrong = _line_claims(clause, item_of, kpis, assessment.quarter)
        claims, found = claims + count, found + wrong
        if concern:
            count, wrong = _relieved_claims(clause, item_of, kpis, assessment.quarter)
            claims, found = claims + count, found + wrong
    about = any(_mentions(text, k) >= 0 for k in kpis) or bool(FIGURE.search(text))
    unique = tuple(dict.fromkeys(found))
    return Reading(claims, unique, about)


def _shown(kpi: Kpi, value: float) -> str:
    from govdocs.render.formatters import kpi_value

    return kpi_value(value, kpi.unit.value, kpi.decimals)
