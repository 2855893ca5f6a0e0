"""The logs' tallies by force and day (:class:`~msoic.intel.models.IntelDayTally`), kept on
write, and the figures read from them.

Counting a million logs for each page costs seconds; a year of tallies is a few thousand
rows per force and reads in milliseconds. A tally is never adjusted by a delta: every action
that changes logs calls :func:`refresh_tallies` for the forces and days it touched, which
recounts those days from the logs themselves (through the covering indexes on the day of
receipt, of review and of creation), so a row always says what the logs say.
:func:`rebuild_tallies` recounts everything (after a bulk load, and in the migration that
made the table).

The day tallies are summed by month (:class:`~msoic.intel.models.IntelMonthTally`) in the
same refresh. Readers: :func:`monthly_totals` (the engine's figures) and
:func:`received_mix` (the dashboard's grading and theme mix) read the months,
:func:`backlog_at` (the backlog as at a day) the days.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Min, Q, Sum

from msoic.intel.models import (
    GRADINGS,
    REVIEW_TARGET_DAYS,
    HandlingCode,
    IntelDayTally,
    IntelLog,
    IntelMonthTally,
    Route,
)
from msoic.intel.queue import Backlog
from msoic.metrics.periods import month_end
from msoic.orgunits.models import OrgUnit, OrgUnitKind

COUNTERS = ("received", "reviewed", "in_time", "tagged")
GRADED = {g: f"graded_{g.lower()}" for g in GRADINGS}
ROUTED = {r.value: f"route_{r.value}" for r in Route}
# The counts by the day of receipt, each a filter on the logs received that day.
_RECEIVED_COUNTS: dict[str, Q] = {
    "received": Q(),
    "pending": Q(reviewed_on__isnull=True),
    **{
        column: Q(source_evaluation=grading[0], assessment=grading[1])
        for grading, column in GRADED.items()
    },
    "handling_c": Q(handling_code=HandlingCode.C),
    **{column: Q(route=route) for route, column in ROUTED.items()},
    "ms_referred": Q(ms_referred=True),
}
MIX = tuple(c for c in _RECEIVED_COUNTS if c not in ("received", "pending"))
# what a month's tally sums from its days
SUMMED = ("received", "reviewed", "in_time", "tagged", *MIX)


def _between(field: str, first: date | None, last: date | None) -> Q:
    q = Q()
    if first is not None:
        q &= Q(**{f"{field}__gte": first})
    if last is not None:
        q &= Q(**{f"{field}__lte": last})
    return q


def _ids(field: str, force_ids: Collection[int] | None) -> dict[str, list[int]]:
    return {} if force_ids is None else {f"{field}__in": sorted(force_ids)}


def _forces(field: str, force_ids: Collection[int] | None) -> Q:
    return Q(**_ids(field, force_ids))


# Within :func:`tallies_deferred`: (force id or None for every force) -> the span of days
# to recount on leaving it (None for an unbounded end).
_Span = tuple[date | None, date | None]
_deferred: ContextVar[dict[int | None, _Span] | None] = ContextVar("tallies_deferred", default=None)


def _widen(span: _Span | None, first: date | None, last: date | None) -> _Span:
    if span is None:
        return first, last
    lo = None if span[0] is None or first is None else min(span[0], first)
    hi = None if span[1] is None or last is None else max(span[1], last)
    return lo, hi


@contextmanager
def tallies_deferred() -> Iterator[None]:
    """Within the block, :func:`refresh_tallies` only notes the forces and days it is asked
    to recount; on leaving the block without an error each force's days are recounted once,
    over the span from the first to the last day noted. For a loop of many actions in one
    transaction (the demo's 1,300 reviews recounted two days each: 2,600 recounts become
    five). The tallies are stale inside the block: nothing there may read them. An error
    leaves the block without recounting (the caller's transaction is rolled back)."""
    if _deferred.get() is not None:  # already deferred: the outer block recounts
        yield
        return
    noted: dict[int | None, _Span] = {}
    token = _deferred.set(noted)
    try:
        yield
    finally:
        _deferred.reset(token)
    if None in noted:
        first, last = noted.pop(None)
        for span in noted.values():
            first, last = _widen((first, last), *span)
        refresh_tallies(None, first, last)
        return
    for force_id, (first, last) in sorted(noted.items(), key=lambda kv: kv[0] or 0):
        refresh_tallies([force_id] if force_id is not None else None, first, last)


@transaction.atomic
def refresh_tallies(
    force_ids: Collection[int] | None, first: date | None = None, last: date | None = None
) -> int:
    """Recount the tallies of ``force_ids`` (None: every force) for the days ``first`` to
    ``last`` (None: unbounded) from the logs; returns the rows written. Call it with every
    day whose logs changed: the day of receipt, of first review and of creation, before and
    after the change. Within :func:`tallies_deferred` it notes them for later and returns 0."""
    if force_ids is not None and not force_ids:
        return 0
    noted = _deferred.get()
    if noted is not None:
        for key in [None] if force_ids is None else list(force_ids):
            noted[key] = _widen(noted.get(key), first, last)
        return 0
    # One recount of a force's days at a time: the unit's reviews and a force's extract can
    # touch the same day (the import and do_review_log take the same lock first).
    forces = OrgUnit.objects.filter(kind=OrgUnitKind.FORCE, **_ids("pk", force_ids))
    list(forces.select_for_update().order_by("pk").values_list("pk", flat=True))
    return recount(IntelLog, IntelDayTally, IntelMonthTally, force_ids, first, last)


def recount(
    log_model: Any,
    tally_model: Any,
    month_model: Any,
    force_ids: Collection[int] | None,
    first: date | None,
    last: date | None,
) -> int:
    """:func:`refresh_tallies` without the lock, on the models given (the migration that
    made the tables passes its own)."""
    logs = log_model.objects.filter(_forces("force_id", force_ids)).order_by()
    rows: dict[tuple[int, date], dict[str, Any]] = {}

    def row(force_id: int, day: date) -> dict[str, Any]:
        found = rows.get((force_id, day))
        if found is None:
            found = rows[(force_id, day)] = {}
        return found

    by_receipt = (
        logs.filter(_between("received_on", first, last))
        .values("force_id", "received_on")
        .annotate(
            **{c: Count("pk", filter=q) if q else Count("pk") for c, q in _RECEIVED_COUNTS.items()},
            last_reviewed=Max("reviewed_on"),
        )
    )
    for r in by_receipt.iterator(chunk_size=5000):
        row(r.pop("force_id"), r.pop("received_on")).update(r)
    by_review = (
        logs.filter(_between("reviewed_on", first, last), reviewed_on__isnull=False)
        .values_list("force_id", "reviewed_on")
        .annotate(n=Count("pk"), late=Count("pk", filter=Q(review_days__gt=REVIEW_TARGET_DAYS)))
    )
    for force_id, day, n, late in by_review.iterator(chunk_size=5000):
        row(force_id, day).update(reviewed=n, in_time=n - late)
    by_creation = (
        logs.filter(_between("created_on", first, last), oic_tagged=True)
        .values_list("force_id", "created_on")
        .annotate(n=Count("pk"))
    )
    for force_id, day, n in by_creation.iterator(chunk_size=5000):
        row(force_id, day)["tagged"] = n
    tally_model.objects.filter(
        _forces("force_id", force_ids), _between("day", first, last)
    ).delete()
    tally_model.objects.bulk_create(
        (
            tally_model(force_id=force_id, day=day, month=day.replace(day=1), **values)
            for (force_id, day), values in rows.items()
        ),
        batch_size=2000,
    )
    # the months holding those days, summed again from their (now right) day tallies
    months = (
        first.replace(day=1) if first else None,
        month_end(last) if last else None,
    )
    sums = (
        tally_model.objects.filter(_forces("force_id", force_ids), _between("day", *months))
        .order_by()
        .values("force_id", "month")
        .annotate(**{c: Sum(c) for c in SUMMED})
    )
    month_model.objects.filter(_forces("force_id", force_ids), _between("month", *months)).delete()
    month_model.objects.bulk_create((month_model(**r) for r in sums), batch_size=2000)
    return len(rows)


def rebuild_tallies() -> int:
    """Recount every tally from the logs (after logs were loaded or changed in bulk)."""
    return refresh_tallies(None)


def _tallies(force_ids: Collection[int] | None, first: date | None, last: date | None) -> Any:
    return IntelDayTally.objects.filter(
        _forces("force_id", force_ids), _between("day", first, last)
    ).order_by()


def _months(force_ids: Collection[int] | None, first: date, last: date) -> Any:
    if first.day != 1 or last.day != 1:
        raise ValueError("month tallies are read by month (the first day of each)")
    return IntelMonthTally.objects.filter(
        _forces("force_id", force_ids), _between("month", first, last)
    ).order_by()


def monthly_totals(
    counter: str, force_ids: Collection[int], first: date, last: date
) -> dict[tuple[int, date], int]:
    """(force id, month) -> ``counter`` for the months ``first`` to ``last`` (first days)."""
    if counter not in COUNTERS:
        raise ValueError(f"{counter} is not a tally counter")
    rows = _months(force_ids, first, last).values_list("force_id", "month", counter)
    return {(force_id, month): n for force_id, month, n in rows}


def received_mix(force_ids: Collection[int] | None, first: date, last: date) -> dict[str, int]:
    """The grading and theme mix of the logs received in the months ``first`` to ``last``
    (first days): column -> count (see :data:`MIX`; ``received`` too)."""
    totals = _months(force_ids, first, last).aggregate(
        received=Sum("received"), **{c: Sum(c) for c in MIX}
    )
    return {c: n or 0 for c, n in totals.items()}


def backlog_at(force_ids: Collection[int] | None, on: date) -> Backlog:
    """The backlog as at ``on``, as :func:`msoic.intel.queue.backlog` counts it from the logs:
    logs received by ``on`` and not reviewed by then (``received - reviewed`` up to ``on``:
    no log is reviewed before it is received), the oldest of them (the first day whose logs
    are still waiting, or were reviewed after ``on``), and how many were past the target
    (all but those received in the 28 days before ``on``, counted from the logs)."""
    totals = _tallies(force_ids, None, on).aggregate(
        received=Sum("received"),
        reviewed=Sum("reviewed"),
        first=Min("day", filter=Q(pending__gt=0) | Q(last_reviewed__gt=on)),
    )
    count = (totals["received"] or 0) - (totals["reviewed"] or 0)
    recent = (
        IntelLog.objects.filter(
            _forces("force_id", force_ids),
            Q(reviewed_on__isnull=True) | Q(reviewed_on__gt=on),
            received_on__gte=on - timedelta(days=REVIEW_TARGET_DAYS),
            received_on__lte=on,
        )
        .order_by()
        .count()
    )
    return Backlog(on, count, count - recent, totals["first"] if count else None)


def latest_review_day(force_ids: Collection[int] | None) -> date | None:
    """The day of the latest first review among the forces' logs."""
    found: date | None = (
        _tallies(force_ids, None, None).filter(reviewed__gt=0).aggregate(last=Max("day"))["last"]
    )
    return found
