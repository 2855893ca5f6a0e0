"""The national NRM statistics as the metric engine's figures and the reports' dates.

The figures are the national org unit's submission of ``nrm-national-quarterly`` (loaded by
:func:`msoic.nrmstats.actions.do_load_release` through the collection pipeline). The engine
adds up forces, so :data:`NRM_SOURCE` gives them to it as the nation's own figures (ADR 14):
``unit_cells`` the quarter's total (and, for the non-police metric, the total less the
police's), ``unit_option_cells`` the split by first responder or exploitation type. It covers
every force from the dataset's first quarter with 0, so no force returns these metrics
(the pipeline refuses a force's row), but only for the quarters a release holds: a quarter
no release has given reads as missing ("0 of 43 returns"), not as 0.

:data:`RISING_SINCE` and :data:`FALL_QUARTER` are dated facts (msoic.metrics.dates) read
from the same figures through the engine: the first year of the run of yearly rises, and
the quarter of a period whose referrals fell most on the quarter before.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from django.urls import reverse

from msoic.catalogue.loader import Catalogue, get_catalogue
from msoic.collection.models import Value
from msoic.metrics import engine
from msoic.metrics.dates import DatedFact, DateError
from msoic.metrics.periods import QUARTERLY, Period, PeriodError, starts_within
from msoic.metrics.sources import Cells, EveryForceSource
from msoic.orgunits.models import OrgUnit, OrgUnitKind

DATASET = "nrm-national-quarterly"
REFERRALS = "nrm_national_referrals"
NON_POLICE = "nrm_national_referrals_non_police"
METRICS = frozenset({REFERRALS, NON_POLICE})
RESPONDER = "first_responder"
POLICE = "police"


def first_quarter(catalogue: Catalogue | None = None) -> date:
    """The first day of the dataset's first quarter."""
    return NRM_SOURCE.first_month(catalogue)


def national() -> OrgUnit:
    return OrgUnit.objects.get(kind=OrgUnitKind.NATIONAL)


def _national_id() -> int | None:
    return OrgUnit.objects.filter(kind=OrgUnitKind.NATIONAL).values_list("pk", flat=True).first()


def stored(months: list[date], breakdown: str = "") -> dict[tuple[date, str], int]:
    """(quarter start, option) -> the current national figure of ``nrm_national_referrals``
    for ``months`` (option "" for the total; with ``breakdown``, its options too). One query."""
    if not months:
        return {}
    wanted = [""] + ([breakdown] if breakdown else [])
    rows = Value.objects.filter(
        orgunit__kind=OrgUnitKind.NATIONAL,
        metric=REFERRALS,
        is_current=True,
        breakdown__in=wanted,
        period__gte=min(months),
        period__lte=max(months),
    ).values_list("period", "breakdown", "option", "value")
    keep = set(months)
    return {(p, o if b else ""): v for p, b, o, v in rows if p in keep}


class NrmStatisticsSource(EveryForceSource):
    """The national NRM statistics as a :class:`~msoic.metrics.sources.DerivedSource`: every
    force from the dataset's first quarter."""

    label = "national NRM statistics"
    dataset = DATASET
    metric_codes = METRICS

    def cells(
        self,
        metric: str,
        coverage: dict[int, date],
        months: list[date],
        breakdown: str | None,
        catalogue: Catalogue | None = None,
    ) -> Cells:
        """0 for every covered force in each quarter a release holds (the figures are the
        nation's own); nothing for the quarters no release holds."""
        held = {m for (m, option) in stored(months) if not option}
        out = Cells()
        options: list[str] = []
        if breakdown:
            cat = catalogue or get_catalogue()
            options = list(cat.breakdowns[breakdown].options)
        for fid, first in coverage.items():
            for m in months:
                if m >= first and m in held:
                    out.totals[(fid, m)] = 0
                    for option in options:
                        out.options[(fid, m, option)] = 0
        return out

    def unit_cells(
        self, metric: str, orgunit_ids: list[int], months: list[date]
    ) -> dict[tuple[int, date], int]:
        nid = _national_id()
        if nid is None or nid not in orgunit_ids:
            return {}
        found = stored(months, RESPONDER if metric == NON_POLICE else "")
        out: dict[tuple[int, date], int] = {}
        for (m, option), value in found.items():
            if option:
                continue
            if metric == NON_POLICE:
                value -= found.get((m, POLICE), 0)
            out[(nid, m)] = value
        return out

    def unit_option_cells(
        self, metric: str, orgunit_ids: list[int], months: list[date], breakdown: str
    ) -> dict[tuple[int, date, str], int]:
        nid = _national_id()
        if metric != REFERRALS or nid is None or nid not in orgunit_ids:
            return {}
        return {
            (nid, m, option): value
            for (m, option), value in stored(months, breakdown).items()
            if option
        }


NRM_SOURCE = NrmStatisticsSource()


# --- dated facts ---------------------------------------------------------------------------


def _period(options: Mapping[str, str]) -> Period:
    text = options.get("period")
    if not text:
        raise DateError("give the period (period=FY, or a period code such as FY2023-24)")
    try:
        return Period.parse(text)
    except PeriodError as exc:
        raise DateError(str(exc)) from None


def yearly_totals(last: int) -> dict[int, int]:
    """Calendar year -> national referrals, for the whole years from the series' first to
    ``last`` whose four quarters are all held (the engine's answer, one read)."""
    start = first_quarter()
    first = start.year if start.month == 1 else start.year + 1
    years = [Period.parse(str(y)) for y in range(first, last + 1)]
    if not years:
        return {}
    results = engine.query_periods([REFERRALS], national(), years)[REFERRALS]
    return {
        r.period.start.year: r.value for r in results if r.value is not None and r.coverage.complete
    }


def rising_since(last: int) -> tuple[int, dict[int, int]]:
    """The first year of the run of yearly rises that ends in ``last``, and the totals read.
    Raises DateError when ``last`` did not rise on the year before."""
    totals = yearly_totals(last)
    if last not in totals:
        raise DateError(f"the national NRM statistics do not hold the whole of {last}")
    year = last
    while year - 1 in totals and totals[year - 1] < totals[year]:
        year -= 1
    if year == last:
        raise DateError(f"national NRM referrals did not rise in {last} on the year before")
    return year, totals


def quarterly_totals(period: Period) -> dict[date, int]:
    """Quarter start -> national referrals, for the quarters of ``period`` and the one before
    it (the engine's answer, one read)."""
    starts = starts_within(QUARTERLY, period)
    if not starts:
        return {}
    quarters = [Period.quarter(s) for s in starts]
    previous = Period.quarter(_add_quarters(starts[0], -1))
    results = engine.query_periods([REFERRALS], national(), [previous, *quarters])[REFERRALS]
    return {r.period.start: r.value for r in results if r.value is not None}


def _add_quarters(start: date, n: int) -> date:
    index = start.year * 12 + start.month - 1 + 3 * n
    return date(index // 12, index % 12 + 1, 1)


def sharpest_fall(period: Period) -> tuple[date, float, dict[date, int]]:
    """The quarter of ``period`` whose referrals fell most on the quarter before (as a
    share), the fall in per cent, and the totals read. DateError when none fell."""
    totals = quarterly_totals(period)
    best: tuple[date, float] | None = None
    for start in starts_within(QUARTERLY, period):
        before = totals.get(_add_quarters(start, -1))
        now = totals.get(start)
        if not before or now is None or now >= before:
            continue
        fall = (before - now) / before
        if best is None or fall > best[1]:
            best = (start, fall)
    if best is None:
        raise DateError(f"national NRM referrals fell in no quarter of {period.label}")
    return best[0], round(100 * best[1], 1), totals


class RisingSince:
    """``[[date nrm_referrals_rising_since period=FY show=year]]``: the first calendar year of
    the unbroken run of yearly rises in national referrals that ends with the last whole
    year before the period starts (for FY2023-24, 2022)."""

    name = "nrm_referrals_rising_since"
    label = "national NRM statistics"
    options = {"period": "the report's period: the run ends in the calendar year before it"}

    def fact(self, options: Mapping[str, str]) -> DatedFact:
        period = _period(options)
        last = period.start.year - 1
        year, totals = rising_since(last)
        return DatedFact(
            on=date(year, 1, 1),
            precision="year",
            label=f"National NRM referrals rising every year from, to {last}",
            records=4 * len([y for y in totals if year - 1 <= y <= last]),
            link=reverse("nrm-statistics"),
        )


class FallQuarter:
    """``[[date nrm_referrals_sharpest_fall period=FY show=quarter]]``: the quarter of the
    period whose national referrals fell most on the quarter before."""

    name = "nrm_referrals_sharpest_fall"
    label = "national NRM statistics"
    options = {"period": "the period whose quarters are compared with the quarter before each"}

    def fact(self, options: Mapping[str, str]) -> DatedFact:
        period = _period(options)
        start, fall, totals = sharpest_fall(period)
        return DatedFact(
            on=start,
            precision="quarter",
            label=f"Quarter of {period.label} with the largest fall in national NRM referrals "
            f"({fall}% on the quarter before)",
            records=len(totals),
            link=reverse("nrm-statistics"),
        )


RISING_SINCE = RisingSince()
FALL_QUARTER = FallQuarter()
