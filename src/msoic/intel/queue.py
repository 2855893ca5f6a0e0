"""The review queue and the backlog: logs the unit has not yet reviewed, oldest first (by
the day the unit received them), and the backlog's size and age as at a day.

Both read the partial index ``intel_queue_idx`` (unreviewed logs only), so the queue's first
page and the backlog's figures cost the same however many reviewed logs there are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from msoic.intel.models import REVIEW_TARGET_DAYS, IntelLog

QUEUE_ORDER = ("received_on", "pk")


def apply_filters(
    logs: QuerySet[IntelLog], chosen: dict[str, str], today: date
) -> QuerySet[IntelLog]:
    """Filter by force (code), theme (``route:<code>`` or ``ms:<type>``), grading and age."""
    if chosen.get("force"):
        logs = logs.filter(force__code=chosen["force"])
    theme = chosen.get("theme", "")
    kind, _, code = theme.partition(":")
    if kind == "route" and code:
        logs = logs.filter(route=code)
    elif kind == "ms" and code:
        logs = logs.filter(ms_referred=True, exploitation_types__icontains=f'"{code}"')
    if chosen.get("source"):
        logs = logs.filter(source_evaluation=chosen["source"])
    if chosen.get("assessment"):
        logs = logs.filter(assessment=chosen["assessment"])
    if chosen.get("handling"):
        logs = logs.filter(handling_code=chosen["handling"])
    age = chosen.get("age")
    target = today - timedelta(days=REVIEW_TARGET_DAYS)
    week = today - timedelta(days=7)
    if age == "overdue":
        logs = logs.filter(received_on__lt=target)
    elif age == "due":
        logs = logs.filter(received_on__gte=target, received_on__lt=week)
    elif age == "new":
        logs = logs.filter(received_on__gte=week)
    return logs


def unreviewed(logs: QuerySet[IntelLog]) -> QuerySet[IntelLog]:
    return logs.filter(reviewed_on__isnull=True).order_by(*QUEUE_ORDER)


@dataclass(frozen=True)
class Backlog:
    """Logs received by ``on`` and not reviewed by then."""

    on: date
    count: int
    overdue: int
    oldest: date | None

    @property
    def oldest_days(self) -> int | None:
        return (self.on - self.oldest).days if self.oldest else None


def backlog(logs: QuerySet[IntelLog], on: date) -> Backlog:
    """The backlog as at ``on``: logs not yet reviewed (from the partial queue index) and,
    for a past day, those reviewed after it (from the index on the review day)."""
    overdue = Q(received_on__lt=on - timedelta(days=REVIEW_TARGET_DAYS))
    parts = [logs.filter(reviewed_on__isnull=True, received_on__lte=on)]
    if on < timezone.localdate():
        parts.append(logs.filter(reviewed_on__gt=on, received_on__lte=on))
    count = late = 0
    oldest: date | None = None
    for part in parts:
        row = part.aggregate(
            n=Count("pk"), late=Count("pk", filter=overdue), first=Min("received_on")
        )
        count += row["n"] or 0
        late += row["late"] or 0
        if row["first"] is not None:
            oldest = min(oldest or row["first"], row["first"])
    return Backlog(on, count, late, oldest)
