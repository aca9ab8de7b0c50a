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
                                                          (or that month's, when the clause names one).

The KPI is the last one named (by its display name) before the claim in the same sentence. Words
it cannot parse ("for twelve months running", "about a third") are not checked, and a claim about a
month without data is not judged. A contradiction is a warning at the file's line, never an error:
the reviewer may know something the data does not, and the document prints the text as theirs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from govdocs.config.model import Kpi
from govdocs.periods import Month, Quarter
from govdocs.scoring.engine import PartnerAssessment
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


@dataclass(frozen=True)
class Contradiction:
    claim: str  # the words, as written
    fact: str  # what the computed facts say


def _month(match: re.Match[str], quarter: Quarter) -> Month:
    """The month a claim names; without a year, the latest such month up to the quarter's end."""
    number = MONTHS.index(match.group("mon")[:3].lower()) + 1
    last = quarter.last_month
    if match.group("year"):
        return Month(int(match.group("year")), number)
    return Month(last.year if number <= last.month else last.year - 1, number)


def _subject(clause: str, position: int, kpis: Sequence[Kpi]) -> Kpi | None:
    """The KPI named last before `position` in the clause."""
    folded = clause.casefold()
    best, where = None, -1
    for kpi in kpis:
        found = folded.rfind(kpi.name.casefold(), 0, position)
        if found > where:
            best, where = kpi, found
    return best


def _printed(value: float, decimals: int) -> float:
    return round(value, decimals)


def contradictions(text: str, assessment: PartnerAssessment) -> list[Contradiction]:
    """The claims of `text` that the partner's computed facts contradict."""
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
            item = by_id[kpi.id]
            written = claim.group("number")
            decimals = len(written.split(".")[1]) if "." in written else 0
            named = [_month(m, quarter) for m in MONTH_WORD.finditer(clause)]
            values = [m.value for m in item.history if m.value is not None and (not named or m.month in named)]
            if not named and item.current.value is not None:
                values.append(item.current.value)
            if not values:
                continue
            if float(written) not in {_printed(v, decimals) for v in values}:
                where = f"in {', '.join(m.label for m in named)}" if named else "in the 12 months to the quarter's end"
                shown = ", ".join(_shown(kpi, v) for v in values[-3:])
                found.append(Contradiction(f"{kpi.name} … {written}%", f"{kpi.name} {where}: {shown}"))
    return found


def _shown(kpi: Kpi, value: float) -> str:
    from govdocs.render.formatters import kpi_value

    return kpi_value(value, kpi.unit.value, kpi.decimals)
