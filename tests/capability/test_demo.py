"""The demo gives the annual report's training figures from records, through the engine."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from msoic.capability.demo import build_capability_demo
from msoic.capability.models import Attendance, Event
from msoic.metrics import engine
from msoic.orgunits.models import OrgUnit

pytestmark = pytest.mark.django_db


def test_2023_24_has_2283_people_trained_from_the_records(personas: dict[str, Any]) -> None:
    report = build_capability_demo(personas["national"])
    nation = OrgUnit.objects.get(code="national")
    result = engine.query("training_people_trained", nation, "FY2023-24", by="region")
    assert result.value == 2283 and result.coverage.complete  # annual report, at a glance
    assert report.people_trained == 2283
    # the same count straight from the records: distinct people from forces in the year
    year = Attendance.objects.filter(
        orgunit__kind="force", session__date__range=(date(2023, 4, 1), date(2024, 3, 31))
    )
    assert year.values("attendee_key").distinct().count() == 2283
    assert year.count() == report.attendances > 2283  # many came to more than one event
    assert sum(r.value or 0 for r in result.rows) == 2283

    def people(title: str) -> int:
        event = Event.objects.get(title=title)
        return (
            Attendance.objects.filter(session__event=event)
            .values("attendee_key")
            .distinct()
            .count()
        )

    assert people("National Response Plan workshops") > 600
    assert 240 <= people("Intelligence Opportunities conference") <= 260
    ersap = Event.objects.get(title="ERSAP second annual conference")
    counties = set(
        Attendance.objects.filter(session__event=ersap, orgunit__kind="force").values_list(
            "orgunit__code", flat=True
        )
    )
    assert counties == set(
        OrgUnit.objects.filter(parent__code="eastern").values_list("code", flat=True)
    )
    assert Event.objects.get(title="ERSAP quarterly meeting").sessions.count() == 4
    assert Event.objects.filter(title__startswith="Romania and Roma", kind="webinar").exists()

    again = build_capability_demo(personas["national"])
    assert again.already and again.people_trained == 2283
    assert (
        Attendance.objects.count()
        == year.count() + Attendance.objects.filter(orgunit__kind="partner").count()
    )

    client = Client()
    client.force_login(personas["national"])
    page = client.get("/training/").content.decode()
    assert "Intelligence Opportunities conference" in page
