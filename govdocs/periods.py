"""Calendar value types shared by every step: a reporting month and a quarter."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_QUARTER_RE = re.compile(r"^(\d{4})-?[Qq]([1-4])$")
_MONTH_ABBR = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


_BY_INDEX: dict[int, Month] = {}


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        """Parse 'YYYY-MM'; raise ValueError otherwise (no other date shapes are guessed)."""
        match = _MONTH_RE.match(text.strip())
        if not match:
            raise ValueError(f"'{text}' is not a month in YYYY-MM form")
        return cls(int(match[1]), int(match[2]))

    @property
    def index(self) -> int:
        """Months since year 0: consecutive months differ by one."""
        return self.year * 12 + self.month - 1

    @classmethod
    def from_index(cls, index: int) -> Month:
        # Months are few and made millions of times when a large portfolio is scored: shared.
        month = _BY_INDEX.get(index)
        if month is None:
            month = _BY_INDEX[index] = cls(index // 12, index % 12 + 1)
        return month

    def shift(self, months: int) -> Month:
        return Month.from_index(self.index + months)

    @property
    def quarter(self) -> Quarter:
        return Quarter(self.year, (self.month - 1) // 3 + 1)

    @property
    def label(self) -> str:
        return f"{_MONTH_ABBR[self.month - 1]} {self.year}"

    @property
    def short_label(self) -> str:
        return _MONTH_ABBR[self.month - 1]

    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    q: int

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """Parse '2026-Q3' (also '2026Q3', '2026-q3')."""
        match = _QUARTER_RE.match(text.strip())
        if not match:
            raise ValueError(f"'{text}' is not a quarter like 2026-Q3")
        return cls(int(match[1]), int(match[2]))

    @property
    def months(self) -> tuple[Month, Month, Month]:
        first = Month(self.year, self.q * 3 - 2)
        return (first, first.shift(1), first.shift(2))

    def shift(self, quarters: int) -> Quarter:
        index = self.year * 4 + self.q - 1 + quarters
        return Quarter(index // 4, index % 4 + 1)

    def previous(self) -> Quarter:
        return self.shift(-1)

    @property
    def last_month(self) -> Month:
        return self.months[-1]

    def end_date(self) -> date:
        nxt = self.last_month.shift(1)
        return date.fromordinal(nxt.first_day().toordinal() - 1)

    @property
    def label(self) -> str:
        return f"Q{self.q} {self.year}"

    def __str__(self) -> str:
        return f"{self.year}-Q{self.q}"


def trailing_months(end: Month, count: int) -> list[Month]:
    """The `count` months ending with `end`, oldest first."""
    return [end.shift(-i) for i in range(count - 1, -1, -1)]
