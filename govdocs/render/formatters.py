"""Render step, formatting: numbers, units, dates and statuses as documents print them.

Registered as Jinja filters; also used when the executive summary is written, so a
number reads the same in a sentence and in a table.
"""

from __future__ import annotations

import re
from datetime import date

from markupsafe import Markup

UNIT_SUFFIX = {"percent": "%", "seconds": " s", "minutes": " min", "score": "", "count": "", "ratio": ""}

STATUS_LABEL = {
    "green": "On target",
    "amber": "Below target",
    "red": "Below floor",
    "no_data": "No data",
    "insufficient_sample": "Low sample",
    "not_clear": "Not clear",
}
STATUS_SHORT = {
    "green": "Green",
    "amber": "Amber",
    "red": "Red",
    "no_data": "No data",
    "insufficient_sample": "Low sample",
    "not_clear": "Not clear",
}


MINUS = "\u2212"  # the minus sign: a hyphen is not a sign, and a negative number never starts with one

# A hyphen-minus that is a sign: before a digit, not inside a word, a date or an id ('2026-10-15',
# 'QBR-2026Q3'); and the ASCII comparisons. Every document's words pass through typeset().
_SIGN = re.compile(r"(?<![\w.\-/\u2212\u2013])-(?=\d)")
_COMPARISONS = (("<=", "\u2264"), (">=", "\u2265"), ("!=", "\u2260"))
# A hyphen between two numbers is a range ('0-100', '411-413 s', '08:00-10:00', '2022-2025'), set
# with an en dash; an ISO date or month ('2026-05-20', '2026-07') keeps its hyphens, and so does a
# number inside an id ('Q2-CRN-1', 'QBR-2026Q3').
_RANGE = re.compile(r"(?<![\w.\-/:\u2212])(\d+(?:[.,:]\d+)*)-(?=(\d+)(?:(-\d)|[.,:]?))")
_ISO_MONTH = re.compile(r"(?:19|20)\d\d")
# A spaced hyphen after a term and before a number or bracket is a minus ('(r - 1)'); between two
# words it is a dash ('chat - within 20 seconds').
_SPACED_MINUS = re.compile(r"(?<=[\w)]) - (?=[\d(])")
_SPACED_DASH = re.compile(r"(?<=\w) - (?=\w)")


def _range(match: re.Match[str]) -> str:
    first, second, date_tail = match.group(1), match.group(2), match.group(3)
    iso = _ISO_MONTH.fullmatch(first) and len(second) == 2 and 1 <= int(second) <= 12
    if iso or date_tail:  # '2026-07', '2026-05-20': a date, not a range
        return match.group(0)
    return f"{first}\u2013"


def typeset(text: str) -> str:
    """One typographic convention for every document: '−60.0' not '-60.0', '≥ 95%' not '>= 95%',
    '0–100' not '0-100', '(r − 1)' not '(r - 1)'."""
    for ascii_form, sign in _COMPARISONS:
        text = text.replace(ascii_form, sign)
    if "-" not in text:
        return text
    text = _RANGE.sub(_range, text)
    text = _SPACED_MINUS.sub(" \u2212 ", text)
    text = _SPACED_DASH.sub(" \u2013 ", text)
    return _SIGN.sub(MINUS, text)


def finalize(value: object) -> object:
    """Jinja's finalize: every printed value, sentences from the facts and user text alike, is
    typeset once here. Markup (SVG charts, pre-built HTML) is left as it is."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return typeset(value)
    return value


def labelled(label: str, text: str) -> str:
    """'Internal readiness: no budget approved': a label and what is said of it. A label that is
    itself a sentence or a question ('Is our organisation prepared?') is never followed by a colon
    ('prepared?: No budget'); its words are kept and the text follows after a dash."""
    label = label.strip()
    if label.endswith((":", "?", "!", ".")):
        return f"{label} – {text}"
    return f"{label}: {text}"


def number(value: float | None, decimals: int = 1) -> str:
    """1,234.5 style, a minus sign for a negative number; an en dash for a missing value."""
    if value is None:
        return "–"
    text = f"{value:,.{decimals}f}"
    if text.startswith("-0") and float(text) == 0:
        return "0" + text[2:]
    return text.replace("-", MINUS, 1)


def kpi_value(value: float | None, unit: str, decimals: int = 1) -> str:
    if value is None:
        return "–"
    return number(value, decimals) + UNIT_SUFFIX.get(unit, "")


def signed(value: float | None, unit: str = "", decimals: int = 1) -> str:
    """A change: +1.2 pp, −3 s, ±0.0."""
    if value is None:
        return "–"
    rounded = round(value, decimals)
    if rounded == 0:
        return "±" + number(0, decimals) + (" pp" if unit == "percent" else UNIT_SUFFIX.get(unit, ""))
    sign = "+" if rounded > 0 else MINUS
    suffix = " pp" if unit == "percent" else UNIT_SUFFIX.get(unit, "")
    return sign + number(abs(value), decimals) + suffix


def volume(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f}"


# Spelled out here, not taken from strftime, so documents never depend on the locale.
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def long_date(value: date | None) -> str:
    if value is None:
        return "–"
    return f"{value.day} {MONTH_NAMES[value.month - 1]} {value.year}"


def short_date(value: date | None) -> str:
    if value is None:
        return "–"
    return f"{value.day} {MONTH_NAMES[value.month - 1][:3]} {value.year}"


def money(value: float | None, currency: str) -> str:
    if value is None:
        return "–"
    return f"{currency} {value:,.0f}"


def status_label(status: str) -> str:
    return STATUS_LABEL[status]


def status_short(status: str) -> str:
    return STATUS_SHORT[status]


def percent(share: float | None, decimals: int = 0) -> str:
    return "–" if share is None else f"{share * 100:.{decimals}f}%"


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """'1 day', '2 days', '1 KPI', '0 failures': the noun agrees with the number."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def noun(n: int, singular: str, plural: str | None = None) -> str:
    """The noun alone, agreeing with `n`: for a count printed apart from its noun."""
    return singular if n == 1 else plural or singular + "s"


FILTERS = {
    "labelled": labelled,
    "counted": counted,
    "noun": noun,
    "number": number,
    "kpi_value": kpi_value,
    "signed": signed,
    "volume": volume,
    "long_date": long_date,
    "short_date": short_date,
    "money": money,
    "status_label": status_label,
    "status_short": status_short,
    "percent": percent,
}
