"""When an event was held (its first session), as a dated fact for reports: found by title,
narrowed by owner and period, an error naming the events when the title is not enough."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from msoic.capability.actions import do_add_session, do_create_event
from msoic.metrics import dates
from msoic.orgunits.models import OrgUnit

pytestmark = pytest.mark.django_db
TITLE = "Partnership annual conference"


def _event(actor: Any, owner: str, *days: date) -> Any:
    event = do_create_event(
        OrgUnit.objects.get(code=owner), actor=actor, kind="conference", title=TITLE
    )
    for day in days:
        do_add_session(
            event,
            actor=actor,
            on=day,
            mode="in_person",
            venue="Duxford",
            delivered_by="coordinator",
        )
    return event


def test_an_event_is_held_on_its_first_session_within_the_period(national_analyst: Any) -> None:
    event = _event(national_analyst, "eastern", date(2023, 9, 28), date(2023, 9, 27))
    later = _event(national_analyst, "national", date(2024, 9, 26))
    fact = dates.fact("event_held", {"event": TITLE.upper(), "owner": "eastern"})
    assert (fact.on, fact.records, fact.link) == (date(2023, 9, 27), 2, f"/training/{event.pk}/")
    assert fact.label == f"{TITLE} held"
    assert dates.fact("event_held", {"event": event.code}) == fact  # by its stable code
    this_year = dates.fact("event_held", {"event": TITLE, "period": "FY2024-25"})
    assert this_year.link == f"/training/{later.pk}/" and this_year.on == date(2024, 9, 26)
    with pytest.raises(dates.DateError, match=r"2 events are called .*add owner= or period="):
        dates.fact("event_held", {"event": TITLE})


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, "event_held needs event="),
        ({"event": "Nothing like it"}, "no session of an event 'Nothing like it'"),
        ({"event": TITLE, "period": "autumn"}, "period=: 'autumn' is not a period"),
    ],
)
def test_a_missing_event_or_bad_period_is_refused(
    national_analyst: Any, options: dict[str, str], message: str
) -> None:
    _event(national_analyst, "eastern", date(2023, 9, 28))
    with pytest.raises(dates.DateError, match=message):
        dates.fact("event_held", options)
