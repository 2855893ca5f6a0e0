"""Reporting periods as values: a parser, a formatter and the months each one covers.

Codes: ``2024-02`` (a month), ``FY2023-24`` (April 2023 to March 2024), ``R12-2024-02``
(the twelve months to February 2024), ``2023`` (a calendar year).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
FY_RE = re.compile(r"^FY(\d{4})-(\d{2})$")
R12_RE = re.compile(r"^R12-(\d{4})-(0[1-9]|1[0-2])$")
YEAR_RE = re.compile(r"^(\d{4})$")
MONTH_NAMES = [
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
]


class PeriodError(ValueError):
    pass


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + (month.month - 1) + n
    return date(index // 12, index % 12 + 1, 1)


def month_index(month: date) -> int:
    return month.year * 12 + month.month - 1


def parse_month(text: str) -> date:
    m = MONTH_RE.match(text.strip())
    if not m:
        raise PeriodError(f"{text!r} is not a month written YYYY-MM")
    return date(int(m.group(1)), int(m.group(2)), 1)


def format_month(month: date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def month_label(month: date, short: bool = False) -> str:
    name = MONTH_NAMES[month.month - 1]
    return f"{name[:3] if short else name} {month.year}"


@dataclass(frozen=True, order=True)
class Period:
    """A contiguous run of whole months, ``start`` to ``end`` inclusive."""

    start: date
    end: date
    kind: str  # month | fy | r12 | year

    @classmethod
    def parse(cls, text: str) -> Period:
        text = (text or "").strip()
        if m := MONTH_RE.match(text):
            month = date(int(m.group(1)), int(m.group(2)), 1)
            return cls(month, month, "month")
        if m := FY_RE.match(text):
            first = int(m.group(1))
            if (first + 1) % 100 != int(m.group(2)):
                raise PeriodError(
                    f"{text!r}: a financial year runs into the next year, e.g. FY2023-24"
                )
            return cls(date(first, 4, 1), date(first + 1, 3, 1), "fy")
        if m := R12_RE.match(text):
            end = date(int(m.group(1)), int(m.group(2)), 1)
            return cls(add_months(end, -11), end, "r12")
        if m := YEAR_RE.match(text):
            year = int(m.group(1))
            return cls(date(year, 1, 1), date(year, 12, 1), "year")
        raise PeriodError(f"{text!r} is not a period: use YYYY-MM, FYYYYY-YY, R12-YYYY-MM or YYYY")

    @classmethod
    def month(cls, month: date) -> Period:
        return cls(month, month, "month")

    @property
    def code(self) -> str:
        if self.kind == "month":
            return format_month(self.start)
        if self.kind == "fy":
            return f"FY{self.start.year}-{(self.start.year + 1) % 100:02d}"
        if self.kind == "r12":
            return f"R12-{format_month(self.end)}"
        return f"{self.start.year}"

    @property
    def label(self) -> str:
        if self.kind == "month":
            return month_label(self.start)
        if self.kind == "fy":
            return f"Financial year {self.start.year}/{(self.start.year + 1) % 100:02d}"
        if self.kind == "r12":
            return f"Year to {month_label(self.end, short=True)}"
        return f"Calendar year {self.start.year}"

    def __str__(self) -> str:
        return self.code

    def months(self) -> list[date]:
        return [
            add_months(self.start, i)
            for i in range(month_index(self.end) - month_index(self.start) + 1)
        ]

    def previous_year(self) -> Period:
        return Period(add_months(self.start, -12), add_months(self.end, -12), self.kind)

    def contains(self, month: date) -> bool:
        return self.start <= month <= self.end


def due_date(month: date, due_day: int) -> date:
    """The deadline of a monthly return: ``due_day`` of the following month."""
    following = add_months(month, 1)
    return date(following.year, following.month, due_day)


def last_complete_month(today: date) -> date:
    """The newest month that is over (returns for it can be made)."""
    return add_months(date(today.year, today.month, 1), -1)
