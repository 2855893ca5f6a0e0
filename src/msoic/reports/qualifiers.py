"""Rounding, printing and qualified figures ("over 1,300", "around 60%", "just over 3,000").

A qualified figure states a number with a word that says how it relates to the value. The
stated number is the template's own (``say=1300``) or the value rounded the way the word
needs (down for "over", up for "under", to the nearest for "around"). Either way the build
checks the word against the value and warns when it no longer holds:

=========================  ===========================================================
word                        holds when the value v and the stated number s satisfy
=========================  ===========================================================
over, more-than             v > s
just-over                   s < v <= s + tolerance
around, about,              |v - s| <= tolerance
approximately
nearly, almost, just-under  s - tolerance <= v < s
under, less-than            v < s
plus ("3,000,000+")         v >= s
at-least (printed bare)     v >= s  (the low end of a range: "2,500 to 2,700")
at-most (printed bare)      v <= s  (the high end of a range)
=========================  ===========================================================

The tolerance is 5% of s for counts and money, and 2 percentage points for percentages
(a change or a share), the half-width that words like "around" carry in the unit's reports.

Dates (``[[date ...]]``) are stated as a day, month, quarter, financial year or year (the
tag's ``show``), and their qualifiers compare the date d with the stated period S:

=========================  ===========================================================
word                        holds when
=========================  ===========================================================
by-end-of ("end of ...")    d <= the last day of S
by (printed bare)           d <= the last day of S
before (printed bare)       d < the first day of S
after (printed bare)        d > the last day of S
=========================  ===========================================================
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from msoic.metrics.dates import span
from msoic.metrics.periods import MONTH_NAMES, Period, PeriodError, financial_year_start

RELATIVE_TOLERANCE = Decimal("0.05")
PERCENT_POINTS = Decimal("2")
WORDS = {
    "over": "over",
    "more-than": "more than",
    "just-over": "just over",
    "around": "around",
    "about": "about",
    "approximately": "approximately",
    "nearly": "nearly",
    "almost": "almost",
    "just-under": "just under",
    "under": "under",
    "less-than": "less than",
    "plus": "",
    "at-least": "",
    "at-most": "",
}
_DOWN = {"over", "more-than", "just-over", "plus", "at-least"}
_UP = {"under", "less-than", "nearly", "almost", "just-under", "at-most"}


def round_to(value: Decimal, places: int, qualifier: str | None = None) -> Decimal:
    """``value`` to ``places`` decimal places (negative: to tens, hundreds...), in the
    direction the qualifier needs (half away from zero when it needs none)."""
    mode = ROUND_HALF_UP
    if qualifier in _DOWN:
        mode = ROUND_FLOOR
    elif qualifier in _UP:
        mode = ROUND_CEILING
    step = Decimal(1).scaleb(-places)
    return (value / step).quantize(Decimal(1), rounding=mode) * step


def tolerance(stated: Decimal, percent: bool) -> Decimal:
    return PERCENT_POINTS if percent else abs(stated) * RELATIVE_TOLERANCE


def holds(qualifier: str, value: Decimal, stated: Decimal, *, percent: bool) -> bool:
    """Does "``qualifier`` ``stated``" truly describe ``value``? (The table above.)"""
    tol = tolerance(stated, percent)
    if qualifier in ("over", "more-than"):
        return value > stated
    if qualifier == "just-over":
        return stated < value <= stated + tol
    if qualifier in ("around", "about", "approximately"):
        return abs(value - stated) <= tol
    if qualifier in ("nearly", "almost", "just-under"):
        return stated - tol <= value < stated
    if qualifier in ("under", "less-than"):
        return value < stated
    if qualifier in ("plus", "at-least"):
        return value >= stated
    if qualifier == "at-most":
        return value <= stated
    raise ValueError(f"unknown qualifier {qualifier!r}")


def number_text(value: Decimal, places: int) -> str:
    """Thousands separators, ``places`` decimals when positive, ASCII minus."""
    shown = max(places, 0)
    return f"{value:,.{shown}f}"


_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
WORDS_UP_TO = 99


def in_words(value: Decimal) -> str | None:
    """A whole number from zero to ninety-nine in words ("three", "forty-seven"); None for
    anything else (a fraction, a negative, 100 or more), which prints in digits."""
    if value != value.to_integral_value() or not 0 <= value <= WORDS_UP_TO:
        return None
    n = int(value)
    if n < 20:
        return _ONES[n]
    tens, ones = divmod(n, 10)
    return _TENS[tens - 2] + (f"-{_ONES[ones]}" if ones else "")


def printed(
    stated: Decimal,
    places: int,
    *,
    unit: str,
    qualifier: str | None,
    signed: bool = False,
    words: bool = False,
) -> str:
    """The figure as the report prints it: "over 1,300", "£46,400", "-10.8%", "£3,000,000+".

    ``unit``: ``gbp`` (``stated`` in pounds), ``percent`` or anything else for a count.
    ``signed`` puts "+" before a positive change (a change the template asks to sign).
    ``words`` prints a count from zero to ninety-nine in words ("three", "over five"); a
    count outside that, or money or a per cent, keeps its digits."""
    spelt = in_words(stated) if words and unit not in ("gbp", "percent") else None
    if spelt is not None:
        word = WORDS.get(qualifier or "", "")
        return f"{word} {spelt}" if word else spelt
    body = number_text(stated, places)
    if unit == "gbp":
        body = ("-£" + body[1:]) if body.startswith("-") else "£" + body
    elif unit == "percent":
        body += "%"
    if signed and stated > 0:
        body = "+" + body
    if qualifier == "plus":
        return body + "+"
    word = WORDS.get(qualifier or "", "")
    return f"{word} {body}" if word else body


# --- dates ----------------------------------------------------------------------------------

DATE_WORDS = {"by-end-of": "end of", "by": "", "before": "", "after": ""}


def date_text(on: date, show: str) -> str:
    """``on`` as the report prints it at ``show``: "31 March 2025", "August 2023",
    "Q1 of 2023/24", "2023/24", "2015"."""
    if show == "day":
        return f"{on.day} {MONTH_NAMES[on.month - 1]} {on.year}"
    if show == "month":
        return f"{MONTH_NAMES[on.month - 1]} {on.year}"
    fy = financial_year_start(on)
    if show == "quarter":
        quarter = (on.month - 4) % 12 // 3 + 1
        return f"Q{quarter} of {fy}/{(fy + 1) % 100:02d}"
    if show == "financial-year":
        return f"{fy}/{(fy + 1) % 100:02d}"
    if show == "year":
        return str(on.year)
    raise ValueError(f"unknown date show {show!r}")


def said_date(say: str, show: str) -> date:
    """The first day of the period a template states (``say=2024-09`` with show=month);
    a ValueError when it is no such date."""
    try:
        if show == "day":
            return date.fromisoformat(say)
        period = Period.parse(say)
    except (ValueError, PeriodError) as exc:
        raise ValueError(f"say={say!r} is not a date: {exc}") from None
    kinds = {"month": "month", "quarter": "quarter", "financial-year": "fy", "year": "year"}
    if period.kind != kinds.get(show):
        raise ValueError(f"say={say!r} is not a {show}")
    return period.start


def date_printed(stated: date, show: str, qualifier: str | None) -> str:
    """The stated date with its qualifier's word: "end of September 2024"."""
    body = date_text(stated, show)
    word = DATE_WORDS.get(qualifier or "", "")
    return f"{word} {body}" if word else body


def date_holds(qualifier: str, value: date, stated: date, show: str) -> bool:
    """Does "``qualifier`` ``stated``" (a period at ``show``) truly describe ``value``?"""
    first, last = span(stated, show)
    if qualifier in ("by-end-of", "by"):
        return value <= last
    if qualifier == "before":
        return value < first
    if qualifier == "after":
        return value > last
    raise ValueError(f"unknown date qualifier {qualifier!r}")
