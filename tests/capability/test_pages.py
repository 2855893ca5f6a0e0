"""The training pages for each persona: what they list, what counts they show, the forms."""

from __future__ import annotations

import io
import json
import re
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from msoic.capability.models import Attendance, Event, Session
from tests.capability.conftest import attend, attendance_csv, make_event, make_session

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def events(personas: dict[str, Any]) -> dict[str, Event]:
    """The unit's course: Kent 2, Essex 1, Cleveland 1, NCA 1. Eastern's meeting: Essex 2."""
    unit = personas["national"]
    course = make_event(unit, title="Investigators' course")
    attend(
        make_session(course, unit, date(2023, 6, 14)),
        unit,
        [
            ["k1@x.uk", "kent", "officer"],
            ["k2@x.uk", "kent", "staff"],
            ["e1@x.uk", "essex", "officer"],
            ["c1@x.uk", "cleveland", "officer"],
            ["n1@x.uk", "nca", "partner"],
        ],
    )
    meeting = make_event(unit, owner="eastern", title="ERSAP meeting", kind="partnership_meeting")
    attend(
        make_session(meeting, unit, date(2023, 6, 20)),
        unit,
        [["e2@x.uk", "essex", "staff"], ["e3@x.uk", "essex", "officer"]],
    )
    return {"course": course, "meeting": meeting}


def people_shown(html: str) -> int:
    found = re.search(r"data-people>(\d+)<", html)
    assert found, "the page shows how many people attended"
    return int(found.group(1))


def test_the_unit_lists_every_event_with_its_counts(events, personas):
    html = client_for(personas["national"]).get("/training/").content.decode()
    assert "Investigators&#x27; course" in html and "ERSAP meeting" in html
    assert "Record an event" in html
    page = client_for(personas["national"]).get(f"/training/{events['course'].pk}/")
    html = page.content.decode()
    assert people_shown(html) == 5
    assert "National Crime Agency" in html and "Import attendance" in html
    assert "@" not in re.sub(r"<[^>]+>", "", html)  # no email, and no key either
    assert Attendance.objects.first().attendee_key not in html  # type: ignore[union-attr]


def test_a_force_user_sees_events_their_force_attended_with_their_counts_only(events, personas):
    html = client_for(personas["kent"]).get("/training/").content.decode()
    assert "Investigators&#x27; course" in html and "ERSAP meeting" not in html
    assert "Record an event" not in html
    html = client_for(personas["kent"]).get(f"/training/{events['course'].pk}/").content.decode()
    assert people_shown(html) == 2
    assert "Kent Police" in html and "Essex Police" not in html and "National Crime" not in html
    assert "Import attendance" not in html and "Add a session" not in html
    assert client_for(personas["kent"]).get(f"/training/{events['meeting'].pk}/").status_code == 404
    essex = client_for(personas["essex"]).get("/training/").content.decode()
    assert "ERSAP meeting" in essex and "Investigators&#x27; course" in essex


def test_a_coordinator_manages_their_region_and_counts_only_its_forces(events, personas):
    eastern = client_for(personas["eastern"])
    html = eastern.get(f"/training/{events['course'].pk}/").content.decode()
    assert people_shown(html) == 3  # Kent 2 and Essex 1; not Cleveland nor the NCA
    assert "Cleveland" not in html and "Import attendance" not in html
    html = eastern.get(f"/training/{events['meeting'].pk}/").content.decode()
    assert people_shown(html) == 2 and "Import attendance" in html
    form = eastern.get("/training/new/").content.decode()
    assert 'value="eastern"' in form and 'value="national"' not in form


def test_partners_and_administrators_get_no_training_pages(events, personas):
    for who in ("partner", "admin"):
        assert client_for(personas[who]).get("/training/").status_code == 403
        assert client_for(personas[who]).get("/training/new/").status_code == 403


def test_recording_an_event_and_a_session_on_the_web(personas):
    unit = client_for(personas["national"])
    response = unit.post(
        "/training/new/", {"owner": "national", "kind": "webinar", "title": "Guide launch"}
    )
    event = Event.objects.get(title="Guide launch")
    assert response.status_code == 302 and response["Location"] == f"/training/{event.pk}/"
    assert event.code == "guide-launch"  # made from the title
    assert "data-event-code>guide-launch<" in unit.get(f"/training/{event.pk}/").content.decode()
    coded = {"owner": "national", "kind": "webinar", "title": "Another launch"}
    given = unit.post("/training/new/", {**coded, "code": "launch-2024"})
    assert (
        given.status_code == 302 and Event.objects.get(code="launch-2024").title == "Another launch"
    )
    for code, says in (("launch-2024", "already recorded"), ("Launch 2024", "lower-case letters")):
        refused = unit.post("/training/new/", {**coded, "code": code})
        assert refused.status_code == 200 and says in refused.content.decode()
    assert Event.objects.filter(title="Another launch").count() == 1
    bad = unit.post(
        f"/training/{event.pk}/sessions/new/",
        {"on": "2024-01-24", "mode": "in_person", "delivered_by": "unit"},
    )
    assert bad.status_code == 200 and "Give the venue" in bad.content.decode()
    ok = unit.post(
        f"/training/{event.pk}/sessions/new/",
        {"on": "2024-01-24", "mode": "online", "delivered_by": "unit", "audience": "Forces"},
    )
    assert ok.status_code == 302
    assert Session.objects.get(event=event).date == date(2024, 1, 24)


def test_importing_on_the_web_shows_every_problem_where_it_is(events, personas):
    session = events["meeting"].sessions.get()
    eastern = client_for(personas["eastern"])
    url = f"/training/sessions/{session.pk}/attendance/"
    data = attendance_csv([["new@x.uk", "suffolk", "officer"], ["bad@x.uk", "Atlantis", "officer"]])
    response = eastern.post(url, {"attendance_file": SimpleUploadedFile("may.csv", data)})
    html = response.content.decode()
    assert response.status_code == 200 and "nothing was stored" in html
    assert "may.csv, row 3, column B (force): unknown force or partner" in html
    assert session.attendances.count() == 2
    good = attendance_csv([["new@x.uk", "suffolk", "officer"], ["e2@x.uk", "essex", "staff"]])
    response = eastern.post(url, {"attendance_file": SimpleUploadedFile("may.csv", good)})
    assert response.status_code == 302 and session.attendances.count() == 3


def test_the_list_costs_the_same_however_many_events(events, personas):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    unit = personas["national"]
    client = client_for(personas["kent"])
    client.get("/training/")
    counts = []
    for batch in range(2):
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/training/").status_code == 200
        counts.append(len(queries))
        for n in range(5):
            extra = make_event(unit, title=f"Extra {batch} {n}")
            attend(make_session(extra, unit), unit, [[f"x{batch}{n}@x.uk", "kent", "officer"]])
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/training/").content.decode()
    assert html.count("Extra ") == 10
    assert counts[0] == counts[1] == len(queries) <= 9


def test_the_query_command_answers_people_trained(events):
    out = io.StringIO()
    call_command(
        "query",
        "training_people_trained",
        "--orgunit",
        "national",
        "--period",
        "FY2023-24",
        stdout=out,
    )
    body = json.loads(out.getvalue())
    assert body["value"] == 6 and body["complete"] is True  # 4 from the course, 2 from Essex
