"""Names of training events, sessions and feedback surveys in the audit log
(msoic.audit.names), linked for those the viewer may see. One query a kind of object."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse

from msoic.audit.names import Named, namer
from msoic.capability import access
from msoic.capability.models import Session, Survey

if TYPE_CHECKING:
    from msoic.accounts.models import User


def _ids(ids: list[str]) -> list[int]:
    return [int(i) for i in ids if i.isdigit()]


@namer("capability.event")
def name_events(viewer: User, ids: list[str]) -> dict[str, Named]:
    events = access.events_visible_to(viewer).filter(pk__in=_ids(ids))
    return {
        str(e.pk): Named(f"Event “{e.title}”", reverse("capability-event", args=[e.pk]))
        for e in events
    }


@namer("capability.session")
def name_sessions(viewer: User, ids: list[str]) -> dict[str, Named]:
    sessions = Session.objects.filter(
        pk__in=_ids(ids), event__in=access.events_visible_to(viewer)
    ).select_related("event")
    return {
        str(s.pk): Named(
            f"Session of “{s.event.title}”, {s.date:%d %b %Y}",
            reverse("capability-event", args=[s.event_id]),
        )
        for s in sessions
    }


@namer("capability.survey")
def name_surveys(viewer: User, ids: list[str]) -> dict[str, Named]:
    surveys = Survey.objects.filter(
        pk__in=_ids(ids), event__in=access.events_visible_to(viewer)
    ).select_related("event")
    return {
        str(s.pk): Named(
            f"Feedback survey of “{s.event.title}”", reverse("capability-survey", args=[s.pk])
        )
        for s in surveys
    }
