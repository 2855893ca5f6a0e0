"""Training figures counted from attendance, as a derived source of the metric engine.

:data:`TRAINING_SOURCE` is registered by ``CapabilityConfig.ready()`` (ADR 0011). It covers
every force from the ``training`` dataset's first period on: no force returns these
metrics, the attendance records *are* the return, so a force-month with nothing recorded is
0 and a year is always complete.

Distinct people over a period are not the sum of distinct people per month, and the engine
only ever sums (force, month) cells. So each person is *attributed* once per financial
year: to the month and the force of their first attendance in that financial year (by
session date, then session; numbered in SQL, one query a year). Consequences, which the
metric's help text states:

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
figures are officers' and staff's. ``python -m benchmarks.training`` times a year of
100,000 attendances.

**By event.** The ``training_event`` breakdown's options are the events' own codes
(``options: records`` in the catalogue): the events with a session in the months asked
about. Attendances split by event are plain counts. ``training_event_attendees`` counts
people at each event: a person once per event per financial year, in the month and under
the force of their first attendance at that event in the year (as people trained, but per
event), so split by event it reads "the distinct attendees of this event", and its total
is the sum over the events (a person at two events counts twice). The feedback surveys'
figures (:mod:`msoic.capability.survey.figures`) are the event owner's, not a force's.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

from django.db.models import Count, F, Min, QuerySet, Window
from django.db.models.functions import RowNumber, TruncMonth

from msoic.capability.models import Attendance, Session
from msoic.capability.survey import figures as survey_figures
from msoic.catalogue.loader import Catalogue
from msoic.metrics.periods import (
    financial_year_start,
    month_end,
)
from msoic.metrics.sources import Cells, EveryForceSource, covered_months
from msoic.orgunits.models import OrgUnitKind

PEOPLE = "training_people_trained"
ATTENDANCES = "training_attendances"
EVENTS = "training_events_held"
EVENT_ATTENDEES = "training_event_attendees"
BY_EVENT = "training_event"
METRICS = frozenset({PEOPLE, ATTENDANCES, EVENTS, EVENT_ATTENDEES}) | survey_figures.METRICS
DATASET = "training"


def first_month(catalogue: Catalogue | None = None) -> date:
    """The first month the source gives: the ``training`` dataset's first period."""
    return TRAINING_SOURCE.first_month(catalogue)


def _month(value: date | datetime) -> date:
    """A truncated month as a date (some backends give a datetime)."""
    return value.date() if isinstance(value, datetime) else value


def training_cells(
    metric: str, coverage: dict[int, date], months: list[date], breakdown: str | None = None
) -> Cells:
    """The figures of ``metric`` for each covered (force, month) among ``months``, split by
    event when ``breakdown`` is ``training_event``."""
    pairs = covered_months(coverage, months)
    cells = Cells(totals={p: 0 for p in pairs})
    if not pairs or metric in survey_figures.METRICS:  # no force's: the event owner's
        return cells
    force_ids = sorted({f for f, _ in pairs})
    first, last = min(m for _, m in pairs), max(m for _, m in pairs)
    by_event = breakdown == BY_EVENT
    if metric == ATTENDANCES:
        fields = ["orgunit_id", "month", *(["session__event__code"] if by_event else [])]
        counts = (
            Attendance.objects.filter(
                orgunit_id__in=force_ids, on__gte=first, on__lte=month_end(last)
            )
            .annotate(month=TruncMonth("on"))
            .order_by()
            .values_list(*fields)
            .annotate(n=Count("pk"))
        )
        for fid, month, *event, n in counts:
            pair = (fid, _month(month))
            if pair in cells.totals:
                cells.totals[pair] += n
                if event:
                    key = (*pair, event[0])
                    cells.options[key] = cells.options.get(key, 0) + n
        return cells
    if metric == EVENT_ATTENDEES:
        for year in range(financial_year_start(first), financial_year_start(last) + 1):
            start = date(year, 4, 1)
            end = min(date(year + 1, 3, 31), month_end(last))
            for (fid, month, code), n in _first_at_events(start, end).items():
                if (fid, month) in cells.totals:
                    cells.totals[(fid, month)] += n
                    if by_event:
                        cells.options[(fid, month, code)] = n
        return cells
    if metric not in (PEOPLE, EVENTS):
        raise ValueError(f"{metric} is not counted from training attendance")
    counted = _first_people if metric == PEOPLE else _first_events
    for year in range(financial_year_start(first), financial_year_start(last) + 1):
        # Attribution looks back to the start of the financial year: who was already
        # trained earlier in the year is not new in a later month.
        start = date(year, 4, 1)
        end = min(date(year + 1, 3, 31), month_end(last))
        for (fid, month), n in counted(start, end).items():
            if (fid, month) in cells.totals:
                cells.totals[(fid, month)] += n
    return cells


def _year_rows(start: date, end: date) -> QuerySet[Attendance]:
    """Attendance from forces between two days of one financial year. Every force is read,
    not only those asked about: a person first trained with another force this year is not
    new to the forces asked about either."""
    # Joined on the org unit's kind (not "orgunit_id IN forces"), SQLite reads the rows in
    # key and date order from capability_att_first_idx and sorts nothing.
    return Attendance.objects.filter(orgunit__kind=OrgUnitKind.FORCE, on__gte=start, on__lte=end)


def _first_people(start: date, end: date) -> Counter[tuple[int, date]]:
    """(force id, month) -> people whose first attendance from ``start`` (the start of a
    financial year) to ``end`` was then and there: one query, numbering each person's
    attendances by date in SQL and keeping the first."""
    firsts = (
        _year_rows(start, end)
        .annotate(
            nth=Window(
                RowNumber(),
                partition_by=[F("attendee_key")],
                # (key, day, session) is unique: a person attends a session once
                order_by=[F("on").asc(), F("session_id").asc()],
            )
        )
        .filter(nth=1)
        .values_list("orgunit_id", "on")
    )
    out: Counter[tuple[int, date]] = Counter()
    for fid, day in firsts:
        out[(fid, day.replace(day=1))] += 1
    return out


def _first_at_events(start: date, end: date) -> Counter[tuple[int, date, str]]:
    """(force id, month, event code) -> people whose first attendance at that event from
    ``start`` (the start of a financial year) to ``end`` was then and there: one query, as
    :func:`_first_people` but numbering each person's attendances at each event."""
    firsts = (
        _year_rows(start, end)
        .annotate(
            nth=Window(
                RowNumber(),
                partition_by=[F("attendee_key"), F("session__event_id")],
                order_by=[F("on").asc(), F("session_id").asc()],
            )
        )
        .filter(nth=1)
        .values_list("orgunit_id", "on", "session__event__code")
    )
    out: Counter[tuple[int, date, str]] = Counter()
    for fid, day, code in firsts:
        out[(fid, day.replace(day=1), code)] += 1
    return out


def event_options(months: list[date]) -> dict[str, str]:
    """The ``training_event`` options over ``months``: the events with a session in them,
    code -> title, in the order of their first session."""
    if not months:
        return {}
    rows = (
        Session.objects.filter(date__gte=min(months), date__lte=month_end(max(months)))
        .order_by("date", "event_id")
        .values_list("date", "event__code", "event__title")
    )
    keep = set(months)
    out: dict[str, str] = {}
    for day, code, title in rows:
        if day.replace(day=1) in keep and code not in out:
            out[code] = title
    return out


def _first_events(start: date, end: date) -> Counter[tuple[int, date]]:
    """(force id, month) -> events first attended from a force that month of the financial
    year, each under the force with most attendances at it in the year (ties: the first by
    code). One grouped query: per event and force, the attendances and first day."""
    rows = (
        _year_rows(start, end)
        .order_by()
        .values_list("session__event_id", "orgunit_id", "orgunit__code")
        .annotate(n=Count("pk"), first=Min("on"))
    )
    lead: dict[int, tuple[int, str, int]] = {}  # event -> (-attendances, code, force id)
    first: dict[int, date] = {}
    for event_id, fid, code, n, day in rows:
        first[event_id] = min(first.get(event_id, day), day)
        lead[event_id] = min(lead.get(event_id, (-n, code, fid)), (-n, code, fid))
    out: Counter[tuple[int, date]] = Counter()
    for event_id, (_, _, fid) in lead.items():
        out[(fid, first[event_id].replace(day=1))] += 1
    return out


class TrainingSource(EveryForceSource):
    """Training attendance as a :class:`~msoic.metrics.sources.DerivedSource`: every force
    from the dataset's first period."""

    label = "training attendance records"
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
        return training_cells(metric, coverage, months, breakdown)

    def unit_cells(
        self, metric: str, orgunit_ids: list[int], months: list[date]
    ) -> dict[tuple[int, date], int]:
        """The feedback surveys' figures, the event owner's (the unit's or a region's)."""
        if metric not in survey_figures.METRICS:
            return {}
        return survey_figures.unit_cells(metric, orgunit_ids, months)

    def unit_option_cells(
        self, metric: str, orgunit_ids: list[int], months: list[date], breakdown: str | None
    ) -> dict[tuple[int, date, str], int]:
        """The feedback surveys' figures by event or question, the event owner's."""
        if metric not in survey_figures.METRICS:
            return {}
        return survey_figures.unit_option_cells(metric, orgunit_ids, months, breakdown)

    def breakdown_options(self, metric: str, breakdown: str, months: list[date]) -> dict[str, str]:
        """The events (``training_event``) or the surveys' questions (``survey_question``)
        that have records in ``months``."""
        if breakdown == BY_EVENT:
            return event_options(months)
        if breakdown == survey_figures.BY_QUESTION:
            return survey_figures.question_options(months)
        return {}


TRAINING_SOURCE = TrainingSource()
