"""Access cases for training and events (msoic.capability), for every persona.

The unit runs a course with a session attended from Kent and Cleveland; the Eastern region
runs a meeting attended from Essex. The unit sees and manages both; the Eastern
coordinator manages their region's and sees the unit's course too (Kent, of their region,
attended it); Kent sees the course, Essex the meeting, Cleveland the course; partners and
administrators see no training page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from msoic.capability.models import Event
from tests.capability.conftest import attend, attendance_csv, make_event, make_session
from tests.security.test_url_access import PERSONAS, Case, World

SEES_EVENT = {
    "unit": {"national", "eastern", "kent", "cleveland"},
    "eastern": {"national", "eastern", "essex"},
}
MANAGES = {"unit": {"national"}, "eastern": {"national", "eastern"}}


def _events(w: World) -> dict[str, Event]:
    cached = getattr(w, "training_events", None)
    if cached is None:
        unit = w.users["national"]
        course = make_event(unit, title="Investigators' course")
        attend(
            make_session(course, unit, date(2023, 6, 14)),
            unit,
            [["a@x.uk", "kent", "officer"], ["b@x.uk", "cleveland", "staff"]],
        )
        meeting = make_event(
            unit, owner="eastern", title="ERSAP meeting", kind="partnership_meeting"
        )
        attend(make_session(meeting, unit, date(2023, 6, 20)), unit, [["c@x.uk", "essex", "staff"]])
        cached = {"unit": course, "eastern": meeting}
        w.training_events = cached  # type: ignore[attr-defined]
    return cached  # type: ignore[no-any-return]


def _expect(p: str, which: str, ok: set[int]) -> set[int]:
    if p in MANAGES[which]:
        return ok
    return {403} if p in SEES_EVENT[which] else {404}


def listing(w: World) -> list[Case]:
    _events(w)
    readers = {"kent", "essex", "cleveland", "eastern", "national"}
    return [Case(p, "/training/", {200} if p in readers else {403}) for p in PERSONAS]


def detail(w: World) -> list[Case]:
    events = _events(w)
    return [
        Case(p, f"/training/{e.pk}/", {200} if p in SEES_EVENT[which] else {404})
        for p in PERSONAS
        for which, e in events.items()
    ]


def session_new(w: World) -> list[Case]:
    events = _events(w)
    data = {"on": "2023-07-01", "mode": "online", "delivered_by": "unit"}
    cases = []
    for p in PERSONAS:
        for which, e in events.items():
            url = f"/training/{e.pk}/sessions/new/"
            cases.append(Case(p, url, _expect(p, which, {200})))
            cases.append(Case(p, url, _expect(p, which, {302}), method="post", data=data))
    return cases


def attendance_import(w: World) -> list[Case]:
    events = _events(w)
    cases = []
    for p in PERSONAS:
        for which, e in events.items():
            session = e.sessions.get()
            url = f"/training/sessions/{session.pk}/attendance/"
            cases.append(Case(p, url, _expect(p, which, {200})))
            upload: dict[str, Any] = {
                "attendance_file": _file(attendance_csv([["z@x.uk", "essex", "staff"]]))
            }
            cases.append(Case(p, url, _expect(p, which, {302}), method="post", data=upload))
    return cases


def _file(data: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("list.csv", data, content_type="text/csv")


CASES: dict[str, Callable[[World], list[Case]]] = {
    "capability-event": detail,
    "capability-session-new": session_new,
    "capability-import": attendance_import,
    "capability-list": listing,
}
