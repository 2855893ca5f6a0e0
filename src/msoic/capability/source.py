"""Training figures counted from attendance, as a derived source of the metric engine.

:data:`TRAINING_SOURCE` is registered by ``CapabilityConfig.ready()`` (ADR 0011). It covers
every force from the ``training`` dataset's first period on: no force returns these
metrics, the attendance records *are* the return, so a force-month with nothing recorded is
0 and a year is always complete.

Distinct people over a period are not the sum of distinct people per month, and the engine
only ever sums (force, month) cells. So each person is *attributed* once per financial
year: to the month and the force of their first attendance (by session date, then session,
then record) in that financial year. Consequences, which the metric's help text states:

- a financial year's figure, for the nation, a region or a force, counts each person once;
  the nation's is exactly the distinct people trained in the year (a person who changed
  force within the year counts under the force of their first attendance);
- a month or quarter reads "people trained for the first time this financial year in it"
  (someone already trained in April is not counted again in June);
- a period spanning two financial years (a calendar year, rolling twelve months) counts a
  person trained in both years once in each part.

The cells of a month therefore never depend on which other months are asked about, so
``query``, ``query_many`` and ``query_periods`` agree. Events held are attributed the same
way: an event counts once per financial year it runs in, in the month of its first session
in it that a force attended, under the force with most attendances at it in that year (ties
to the first force by code). Attendances are plain counts by the session's month.

Partners' attendance is recorded but is no force's: the engine counts forces, so these
figures are officers' and staff's.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection
from datetime import date, datetime

from django.db.models import Count
from django.db.models.functions import TruncMonth

from msoic.capability.models import Attendance
from msoic.catalogue.loader import Catalogue, get_catalogue
from msoic.metrics.periods import (
    MONTHLY,
    financial_year_start,
    month_end,
    parse_period,
)
from msoic.metrics.sources import Cells, covered_months
from msoic.orgunits.models import OrgUnit, OrgUnitKind

PEOPLE = "training_people_trained"
ATTENDANCES = "training_attendances"
EVENTS = "training_events_held"
METRICS = frozenset({PEOPLE, ATTENDANCES, EVENTS})
DATASET = "training"


def first_month(catalogue: Catalogue | None = None) -> date:
    """The first month the source gives: the ``training`` dataset's first period."""
    cat = catalogue or get_catalogue()
    return parse_period(MONTHLY, cat.datasets[DATASET].first_period)


def _month(value: date | datetime) -> date:
    """A truncated month as a date (some backends give a datetime)."""
    return value.date() if isinstance(value, datetime) else value


def training_cells(metric: str, coverage: dict[int, date], months: list[date]) -> Cells:
    """The figures of ``metric`` for each covered (force, month) among ``months``."""
    pairs = covered_months(coverage, months)
    cells = Cells(totals={p: 0 for p in pairs})
    if not pairs:
        return cells
    force_ids = sorted({f for f, _ in pairs})
    first, last = min(m for _, m in pairs), max(m for _, m in pairs)
    if metric == ATTENDANCES:
        counts = (
            Attendance.objects.filter(
                orgunit_id__in=force_ids,
                session__date__gte=first,
                session__date__lte=month_end(last),
            )
            .annotate(month=TruncMonth("session__date"))
            .order_by()
            .values_list("orgunit_id", "month")
            .annotate(n=Count("pk"))
        )
        for fid, month, n in counts:
            pair = (fid, _month(month))
            if pair in cells.totals:
                cells.totals[pair] += n
        return cells
    if metric not in (PEOPLE, EVENTS):
        raise ValueError(f"{metric} is not counted from training attendance")
    # Attribution looks back to the start of the first month's financial year: who was
    # already trained earlier in the year is not new in a later month.
    since = date(financial_year_start(first), 4, 1)
    # Every force is read, not only those asked about: a person first trained with another
    # force this year is not new to the forces asked about either.
    rows = (
        Attendance.objects.filter(
            orgunit__kind=OrgUnitKind.FORCE,
            session__date__gte=since,
            session__date__lte=month_end(last),
        )
        .order_by("session__date", "session_id", "pk")
        .values_list("attendee_key", "orgunit_id", "session__date", "session__event_id")
    )
    if metric == PEOPLE:
        seen: set[tuple[int, str]] = set()
        for key, fid, day, _ in rows.iterator(chunk_size=5000):
            year = financial_year_start(day)
            if (year, key) in seen:
                continue
            seen.add((year, key))
            cell = (fid, day.replace(day=1))
            if cell in cells.totals:
                cells.totals[cell] += 1
        return cells
    # Events: first month a force attended in each financial year, and the force most there.
    first_seen: dict[tuple[int, int], date] = {}
    by_force: dict[tuple[int, int], Counter[int]] = defaultdict(Counter)
    codes = dict(OrgUnit.objects.filter(kind=OrgUnitKind.FORCE).values_list("pk", "code"))
    for _, fid, day, event_id in rows.iterator(chunk_size=5000):
        year_event = (financial_year_start(day), event_id)
        first_seen.setdefault(year_event, day.replace(day=1))
        by_force[year_event][fid] += 1
    for year_event, month in first_seen.items():
        tally = by_force[year_event]
        lead = min(tally, key=lambda f: (-tally[f], codes.get(f, "")))
        if (lead, month) in cells.totals:
            cells.totals[(lead, month)] += 1
    return cells


class TrainingSource:
    """Training attendance as a :class:`~msoic.metrics.sources.DerivedSource`."""

    label = "training attendance records"

    def metrics(self) -> frozenset[str]:
        return METRICS

    def coverage(
        self, metrics: Collection[str], orgunit_ids: Collection[int] | None = None
    ) -> dict[str, dict[int, date]]:
        """Every force from the dataset's first period. With ``orgunit_ids`` given (the
        engine passes forces) no query is made; with None, one for the forces."""
        wanted = [m for m in metrics if m in METRICS]
        if not wanted:
            return {}
        if orgunit_ids is None:
            ids = list(OrgUnit.objects.forces().values_list("pk", flat=True))
        else:
            ids = list(orgunit_ids)
        start = first_month()
        return {m: dict.fromkeys(ids, start) for m in wanted}

    def all_coverage(self) -> dict[tuple[str, str], date]:
        """(force code, metric) -> first month derived: no force may return these."""
        start = first_month()
        codes = OrgUnit.objects.forces().values_list("code", flat=True)
        return {(code, m): start for code in codes for m in METRICS}

    def cells(
        self,
        metric: str,
        coverage: dict[int, date],
        months: list[date],
        breakdown: str | None,
        catalogue: Catalogue | None = None,
    ) -> Cells:
        return training_cells(metric, coverage, months)


TRAINING_SOURCE = TrainingSource()
