"""When an event was held, as a dated fact reports can state (the registry of dated facts,
:mod:`msoic.metrics.dates`): registered by ``CapabilityConfig.ready()``.

``event_held event=CODE|"TITLE" [owner=CODE] [period=FY2023-24|FY]``: the day of the first
session of the event with that stable code, or that title (case ignored), among events owned
by ``owner`` and sessions within ``period``. More than one event matching is an error that
names them.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db.models import Q
from django.urls import reverse

from msoic.capability.models import Event, Session
from msoic.metrics.dates import DatedFact, DateError
from msoic.metrics.periods import Period, PeriodError, month_end


class EventHeld:
    name = "event_held"
    label = "training and events"
    options = {
        "event": "the event's code, or its title (case ignored)",
        "owner": "the code of the org unit that owns it (the unit: national; a region)",
        "period": "only sessions in this period (FY2023-24, or FY for the report's)",
    }

    def fact(self, options: Mapping[str, str]) -> DatedFact:
        title = options.get("event", "").strip()
        if not title:
            raise DateError(f'{self.name} needs event= (the event\'s code or "title")')
        sessions = Session.objects.filter(Q(event__code=title) | Q(event__title__iexact=title))
        if "owner" in options:
            sessions = sessions.filter(event__owner__code=options["owner"])
        if "period" in options:
            try:
                period = Period.parse(options["period"])
            except PeriodError as exc:
                raise DateError(f"period=: {exc}") from None
            sessions = sessions.filter(date__gte=period.start, date__lte=month_end(period.end))
        rows = list(sessions.order_by("date", "pk").values_list("event_id", "date"))
        if not rows:
            raise DateError(f"no session of an event {title!r} (code or title) is recorded")
        events = sorted({event_id for event_id, _ in rows})
        if len(events) > 1:
            named = ", ".join(
                f"{e.code} ({e.owner.code})"
                for e in Event.objects.filter(pk__in=events).select_related("owner")
            )
            raise DateError(
                f"{len(events)} events are called {title!r} ({named}): add owner= or period="
            )
        event = Event.objects.get(pk=events[0])
        return DatedFact(
            on=rows[0][1],
            precision="day",
            label=f"{event.title} held",
            records=len(rows),
            link=reverse("capability-event", args=[event.pk]),
        )


EVENT_HELD = EventHeld()
