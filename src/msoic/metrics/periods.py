"""Reporting periods as values: a parser, a formatter and the months each one covers.

Codes: ``2024-02`` (a month), ``FY2023-24`` (April 2023 to March 2024), ``FY2024-25-Q1``
(a quarter of a financial year: April to June 2024), ``R12-2024-02`` (the twelve months to
February 2024), ``2023`` (a calendar year).

This module is the one home of the period vocabulary: the financial year of a day
(:meth:`Period.financial_year_of`), the rolling year to a month, the last financial year
over by a month, a month's last day (:func:`month_end`) and a return's deadline
(:func:`due_date`, :func:`period_due_date`). Reach for these before writing ``month >= 4``.

Years are bounded: a period written by a user must lie in :data:`MIN_YEAR` to
:data:`MAX_YEAR` (1900 to 2999), so that every window built from it (a rolling year back,
the same period a year earlier) is a real date; anything else is a :class:`PeriodError`
naming the bound, never a crash deeper down.

A dataset is returned ``monthly`` or ``quarterly`` (its catalogue ``frequency``). Either
way a return's period is stored as the date of its first day: a quarterly return for
Q1 2024/25 has period 2024-04-01. The ``*_period`` helpers below take the frequency and
are what collection uses, so a month and a quarter are never confused.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

# ASCII digits only (``\d`` alone would take other scripts' digits, e.g. fullwidth ones);
# ``\Z``, not ``$``, so that a trailing newline is not part of a period.
MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])\Z", re.ASCII)
FY_RE = re.compile(r"^FY(\d{4})-(\d{2})\Z", re.ASCII)
QUARTER_RE = re.compile(r"^FY(\d{4})-(\d{2})-Q([1-4])\Z", re.ASCII)
R12_RE = re.compile(r"^R12-(\d{4})-(0[1-9]|1[0-2])\Z", re.ASCII)
YEAR_RE = re.compile(r"^(\d{4})\Z", re.ASCII)
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


# The years a period may name. Records of modern slavery and organised immigration crime
# policing start long after 1900; 2999 leaves room for any forecast while keeping a window
# built from the period (a rolling year back, the year before) inside what ``date`` holds.
MIN_YEAR = 1900
MAX_YEAR = 2999
FINANCIAL_YEAR_FIRST_MONTH = 4  # April

MONTHLY = "monthly"
QUARTERLY = "quarterly"
FREQUENCIES = (MONTHLY, QUARTERLY)


class PeriodError(ValueError):
    """A period that is badly written or out of range; the message says which and why."""


def check_year(year: int, text: str) -> int:
    """``year`` if a period may name it, else a :class:`PeriodError` quoting ``text``."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise PeriodError(f"{text!r}: the year must be between {MIN_YEAR} and {MAX_YEAR}")
    return year


def add_months(month: date, n: int) -> date:
    """The first day of the month ``n`` months after ``month`` (before, if ``n`` < 0)."""
    index = month.year * 12 + (month.month - 1) + n
    if not 12 <= index < 10000 * 12:  # years 1 to 9999, what ``date`` holds
        raise PeriodError(f"{n} months from {format_month(month)} is outside the calendar")
    return date(index // 12, index % 12 + 1, 1)


def month_end(month: date) -> date:
    """The last day of the month holding ``month``."""
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def financial_year_start(day: date) -> int:
    """The calendar year in which the financial year holding ``day`` began (April)."""
    return day.year if day.month >= FINANCIAL_YEAR_FIRST_MONTH else day.year - 1


def month_index(month: date) -> int:
    return month.year * 12 + month.month - 1


def _text(text: object) -> str:
    if not isinstance(text, str):
        raise PeriodError(f"{text!r} is not a period written as text")
    return text.strip()


def parse_month(text: str) -> date:
    m = MONTH_RE.match(_text(text))
    if not m:
        raise PeriodError(f"{text!r} is not a month written YYYY-MM")
    return date(check_year(int(m.group(1)), text), int(m.group(2)), 1)


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
        text = _text(text if text is not None else "")
        if m := MONTH_RE.match(text):
            month = date(check_year(int(m.group(1)), text), int(m.group(2)), 1)
            return cls(month, month, "month")
        if m := QUARTER_RE.match(text):
            first = check_year(int(m.group(1)), text)
            if (first + 1) % 100 != int(m.group(2)):
                raise PeriodError(
                    f"{text!r}: a financial year runs into the next year, e.g. FY2024-25-Q1"
                )
            return cls.quarter(add_months(date(first, 4, 1), 3 * (int(m.group(3)) - 1)))
        if m := FY_RE.match(text):
            first = check_year(int(m.group(1)), text)
            if (first + 1) % 100 != int(m.group(2)):
                raise PeriodError(
                    f"{text!r}: a financial year runs into the next year, e.g. FY2023-24"
                )
            return cls.financial_year_starting(first)
        if m := R12_RE.match(text):
            end = date(check_year(int(m.group(1)), text), int(m.group(2)), 1)
            return cls.rolling_year_to(end)
        if m := YEAR_RE.match(text):
            year = check_year(int(m.group(1)), text)
            return cls(date(year, 1, 1), date(year, 12, 1), "year")
        raise PeriodError(
            f"{text!r} is not a period: use YYYY-MM, FYYYYY-YY, FYYYYY-YY-Qn, R12-YYYY-MM or YYYY"
        )

    @classmethod
    def month(cls, month: date) -> Period:
        return cls(month, month, "month")

    @classmethod
    def financial_year_starting(cls, year: int) -> Period:
        """The financial year April ``year`` to March ``year + 1``."""
        return cls(date(year, FINANCIAL_YEAR_FIRST_MONTH, 1), date(year + 1, 3, 1), "fy")

    @classmethod
    def financial_year_of(cls, day: date) -> Period:
        """The financial year (April to March) holding ``day``."""
        return cls.financial_year_starting(financial_year_start(day))

    @classmethod
    def last_financial_year_to(cls, month: date) -> Period:
        """The newest financial year that is over by the end of ``month``: the one ending
        in March of ``month``'s year if ``month`` is March or later, else the year before."""
        end_year = month.year if month.month >= 3 else month.year - 1
        return cls.financial_year_starting(end_year - 1)

    @classmethod
    def rolling_year_to(cls, month: date) -> Period:
        """The twelve months ending with ``month`` (``R12-YYYY-MM``)."""
        end = month.replace(day=1)
        return cls(add_months(end, -11), end, "r12")

    @classmethod
    def quarter(cls, start: date) -> Period:
        """The quarter starting on ``start`` (1 January, April, July or October)."""
        if not is_quarter_start(start):
            raise PeriodError(f"{start.isoformat()} is not the first day of a quarter")
        return cls(start, add_months(start, 2), "quarter")

    @property
    def financial_year(self) -> int:
        """The year the financial year containing ``start`` begins in (April)."""
        return financial_year_start(self.start)

    @property
    def quarter_number(self) -> int:
        """1 for April to June, ..., 4 for January to March."""
        return (self.start.month - 4) % 12 // 3 + 1

    @property
    def code(self) -> str:
        if self.kind == "month":
            return format_month(self.start)
        if self.kind == "fy":
            return f"FY{self.start.year}-{(self.start.year + 1) % 100:02d}"
        if self.kind == "r12":
            return f"R12-{format_month(self.end)}"
        if self.kind == "quarter":
            fy = self.financial_year
            return f"FY{fy}-{(fy + 1) % 100:02d}-Q{self.quarter_number}"
        return f"{self.start.year}"

    @property
    def label(self) -> str:
        if self.kind == "month":
            return month_label(self.start)
        if self.kind == "fy":
            return f"Financial year {self.start.year}/{(self.start.year + 1) % 100:02d}"
        if self.kind == "r12":
            return f"Year to {month_label(self.end, short=True)}"
        if self.kind == "quarter":
            fy = self.financial_year
            return f"Q{self.quarter_number} {fy}/{(fy + 1) % 100:02d}"
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
    """The deadline of a monthly return: ``due_day`` (the catalogue's, 15 for every dataset
    today) of the following month, or that month's last day if it is shorter."""
    following = add_months(month, 1)
    return following.replace(day=min(due_day, month_end(following).day))


def last_complete_month(today: date) -> date:
    """The newest month that is over (returns for it can be made)."""
    return add_months(date(today.year, today.month, 1), -1)


# --- quarters and frequency-aware helpers ----------------------------------------------


def is_quarter_start(day: date) -> bool:
    return day.day == 1 and day.month in (1, 4, 7, 10)


def quarter_start(month: date) -> date:
    """The first day of the quarter containing ``month``."""
    return date(month.year, (month.month - 1) // 3 * 3 + 1, 1)


def step_months(frequency: str) -> int:
    return 3 if frequency == QUARTERLY else 1


def parse_period(frequency: str, text: str) -> date:
    """The first day of the period ``text`` names, for a dataset returned at ``frequency``."""
    if frequency == QUARTERLY:
        try:
            period = Period.parse(text)
        except PeriodError:
            if QUARTER_RE.match(_text(text)):
                raise  # written as a quarter, but out of range: that message says why
            period = None
        if period is None or period.kind != "quarter":
            raise PeriodError(f"{text!r} is not a quarter written like FY2024-25-Q1")
        return period.start
    return parse_month(text)


def format_period(frequency: str, start: date) -> str:
    """``2024-04`` for a month, ``FY2024-25-Q1`` for a quarter."""
    if frequency == QUARTERLY:
        return Period.quarter(start).code
    return format_month(start)


def period_label(frequency: str, start: date, short: bool = False) -> str:
    if frequency == QUARTERLY:
        return Period.quarter(start).label
    return month_label(start, short=short)


def period_of(frequency: str, start: date) -> Period:
    return Period.quarter(start) if frequency == QUARTERLY else Period.month(start)


def period_due_date(frequency: str, start: date, due_day: int) -> date:
    """``due_day`` of the month after the period's last month."""
    return due_date(add_months(start, step_months(frequency) - 1), due_day)


def last_complete_period(frequency: str, today: date) -> date:
    """The newest period that is over (returns for it can be made)."""
    newest = last_complete_month(today)
    if frequency != QUARTERLY:
        return newest
    start = quarter_start(newest)
    return start if add_months(start, 2) == newest else add_months(start, -3)


def period_range(frequency: str, end: date, count: int) -> list[date]:
    """``count`` periods ending with the one starting at ``end``, oldest first."""
    step = step_months(frequency)
    return [add_months(end, -step * i) for i in range(count - 1, -1, -1)]


def starts_within(frequency: str, period: Period) -> list[date]:
    """First days of the returns of ``frequency`` that lie wholly inside ``period``."""
    if frequency != QUARTERLY:
        return period.months()
    return [m for m in period.months() if is_quarter_start(m) and add_months(m, 2) <= period.end]


# --- plain labels and the choices a period picker offers --------------------------------

# The kinds of period a person may pick, in the order a picker lists them, each with the
# name of its group: what the codes above mean, in words.
PICKER_KINDS: dict[str, str] = {
    "month": "Months",
    "quarter": "Quarters (of the financial year)",
    "fy": "Financial years (April to March)",
    "year": "Calendar years (January to December)",
    "r12": "Years to a month (the 12 months to it)",
}
# One period of each kind, for a sentence: "choose a financial year or a quarter".
KIND_NAMES: dict[str, str] = {
    "month": "a month",
    "quarter": "a quarter",
    "fy": "a financial year",
    "year": "a calendar year",
    "r12": "a year to a month",
}


def choice_label(period: Period) -> str:
    """A period in plain words, as a picker lists it: ``February 2024``, ``April to June
    2023 (Q1 2023/24)``, ``2023/24`` (a financial year), ``2023`` (a calendar year),
    ``Year to February 2024``. The picker's groups say which kind a bare year is."""
    if period.kind == "month":
        return month_label(period.start)
    if period.kind == "quarter":
        fy = period.financial_year
        first, last = MONTH_NAMES[period.start.month - 1], MONTH_NAMES[period.end.month - 1]
        return f"{first} to {last} {period.end.year} (Q{period.quarter_number} {fy}/{(fy + 1) % 100:02d})"
    if period.kind == "fy":
        return f"{period.start.year}/{(period.start.year + 1) % 100:02d}"
    if period.kind == "r12":
        return f"Year to {month_label(period.end)}"
    return f"{period.start.year}"


def describe(period: Period) -> str:
    """A period in words that stand alone, for a sentence or a heading: as
    :func:`choice_label`, with the kind named where a bare year would be ambiguous
    (``financial year 2023/24``, ``calendar year 2023``)."""
    if period.kind == "fy":
        return f"financial year {choice_label(period)}"
    if period.kind == "year":
        return f"calendar year {choice_label(period)}"
    return choice_label(period)


def periods_within(kind: str, first: date, last: date) -> list[Period]:
    """Every period of ``kind`` lying wholly inside the months ``first`` to ``last``
    (inclusive), newest first: the periods that have figures when ``first`` to ``last``
    are the months that do."""
    if kind not in PICKER_KINDS:
        raise PeriodError(f"{kind!r} is not a kind of period: use one of {', '.join(PICKER_KINDS)}")
    first, last = first.replace(day=1), last.replace(day=1)
    out: list[Period] = []
    if kind == "month":
        out = (
            [Period.month(m) for m in Period(first, last, "month").months()]
            if first <= last
            else []
        )
    elif kind == "r12":
        start = add_months(first, 11)
        out = (
            [Period.rolling_year_to(m) for m in Period(start, last, "r12").months()]
            if start <= last
            else []
        )
    elif kind == "quarter":
        month = quarter_start(first)
        while month <= last:
            if month >= first and add_months(month, 2) <= last:
                out.append(Period.quarter(month))
            month = add_months(month, 3)
    elif kind == "fy":
        for year in range(financial_year_start(first), financial_year_start(last) + 1):
            p = Period.financial_year_starting(year)
            if first <= p.start and p.end <= last:
                out.append(p)
    else:
        for year in range(first.year, last.year + 1):
            p = Period(date(year, 1, 1), date(year, 12, 1), "year")
            if first <= p.start and p.end <= last:
                out.append(p)
    return sorted(out, key=lambda p: p.end, reverse=True)


def parse_choice(text: object, kinds: tuple[str, ...] | list[str] = tuple(PICKER_KINDS)) -> Period:
    """The period ``text`` names, if it is one of ``kinds``; else a :class:`PeriodError`
    saying, in words, which kinds of period are wanted."""
    period = Period.parse(text)  # type: ignore[arg-type]
    if period.kind not in kinds:
        wanted = " or ".join(KIND_NAMES[k] for k in kinds)
        raise PeriodError(f"{text!r} is {KIND_NAMES[period.kind]}: choose {wanted}")
    return period
