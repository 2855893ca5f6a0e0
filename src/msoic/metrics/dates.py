"""Dated facts: dates an app reads from its own records (a tasking's issue, an event, the
end of an allocation), as the one registry reports ask for a date.

The metric engine answers numbers; a report also states dates ("first issued in October
2021", "by the end of September 2024"). As with derived sources (ADR 0011), the core must
not know which apps hold them: each app implements :class:`DateSource` and calls
:func:`register` from its ``AppConfig.ready()``; reports and ``msoic query date`` ask
:func:`fact`. This module imports no feature app (ADR 0016).

A fact has a *precision*: a day, or the month, quarter (of a financial year), financial
year or calendar year it falls in; :attr:`DatedFact.on` is then the period's first day.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Protocol, runtime_checkable

from msoic.metrics.periods import add_months, financial_year_start, month_end, quarter_start

# Finest first. A fact may be shown at its own precision or any coarser one that contains it
# (see :func:`can_show`).
PRECISIONS = ("day", "month", "quarter", "financial-year", "year")
_COARSER = {
    "day": {"day", "month", "quarter", "financial-year", "year"},
    "month": {"month", "quarter", "financial-year", "year"},
    "quarter": {"quarter", "financial-year", "year"},
    "financial-year": {"financial-year"},
    "year": {"year"},
}


class DateError(ValueError):
    """A dated fact cannot be given (unknown source, bad option, no record): the message
    says why, without the tag or line (the caller adds them)."""


@dataclass(frozen=True)
class DatedFact:
    """One date read from records."""

    on: date  # the day; for a coarser precision, its period's first day
    precision: str  # one of PRECISIONS
    label: str  # what the date is, in words
    records: int  # how many records the fact was drawn from
    link: str | None = None  # the path of the page that shows it

    def __post_init__(self) -> None:
        if self.precision not in PRECISIONS:
            raise ValueError(f"precision {self.precision!r} is not one of {PRECISIONS}")
        start, _ = span(self.on, self.precision)
        if start != self.on:
            raise ValueError(f"{self.on} is not the first day of its {self.precision}")


@runtime_checkable
class DateSource(Protocol):
    """Dates an app reads from its records, under one name."""

    @property
    def name(self) -> str:
        """The name a tag uses (``[[date NAME ...]]``), snake_case, unique among sources."""
        ...

    @property
    def label(self) -> str:
        """Where the dates come from, in words, for messages ("CCA tasking versions")."""
        ...

    @property
    def options(self) -> Mapping[str, str]:
        """Option name -> what it means. Only these reach :meth:`fact`."""
        ...

    def fact(self, options: Mapping[str, str]) -> DatedFact:
        """The date for ``options`` (values as written); :class:`DateError` for a bad or
        missing option or when the records hold no such date."""
        ...


class DateSourceError(ValueError):
    """A source cannot be registered."""


_SOURCES: dict[str, DateSource] = {}


def register(source: DateSource) -> None:
    """Add ``source`` (from an ``AppConfig.ready()``; the same object twice is a no-op).
    Refuses a second source of the same name."""
    if not isinstance(source, DateSource):
        raise DateSourceError(f"{source!r} does not implement msoic.metrics.dates.DateSource")
    other = _SOURCES.get(source.name)
    if other is source:
        return
    if other is not None:
        raise DateSourceError(f"{source.label}: the date {source.name!r} is {other.label}'s")
    _SOURCES[source.name] = source


def unregister(source: DateSource) -> None:
    """Take ``source`` out (for tests that plug in a source of their own)."""
    if _SOURCES.get(source.name) is source:
        del _SOURCES[source.name]


def date_sources() -> list[DateSource]:
    return [_SOURCES[name] for name in sorted(_SOURCES)]


def source(name: str) -> DateSource:
    """The source called ``name``; :class:`DateError` naming the known ones."""
    found = _SOURCES.get(name)
    if found is None:
        known = ", ".join(sorted(_SOURCES)) or "none"
        raise DateError(f"unknown date {name!r} (known: {known})")
    return found


def fact(name: str, options: Mapping[str, str]) -> DatedFact:
    """Ask the source ``name`` for its date; unknown options are refused here, bad values
    by the source. Raises :class:`DateError`."""
    found = source(name)
    unknown = sorted(set(options) - set(found.options))
    if unknown:
        allowed = ", ".join(sorted(found.options)) or "none"
        raise DateError(
            f"{name}: unknown option {', '.join(map(repr, unknown))} (allowed: {allowed})"
        )
    answer = found.fact(dict(options))
    if not isinstance(answer, DatedFact):
        raise DateError(f"{name}: the source gave {answer!r}, not a dated fact")
    return answer


def can_show(precision: str, show: str) -> bool:
    """May a fact of ``precision`` be stated as a ``show`` (the same or a coarser period
    wholly containing it)?"""
    return show in _COARSER.get(precision, set())


def span(on: date, precision: str) -> tuple[date, date]:
    """The first and last day of the ``precision`` period holding ``on``."""
    if precision == "day":
        return on, on
    if precision == "month":
        first = on.replace(day=1)
        return first, month_end(first)
    if precision == "quarter":
        first = quarter_start(on.replace(day=1))
        return first, month_end(add_months(first, 2))
    if precision == "financial-year":
        first = date(financial_year_start(on), 4, 1)
        return first, date(first.year + 1, 3, 31)
    if precision == "year":
        return date(on.year, 1, 1), date(on.year, 12, 31)
    raise ValueError(f"precision {precision!r} is not one of {PRECISIONS}")
