"""The demo gives the annual report's training figures from records, through the engine."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from msoic.audit.models import AuditEvent
from msoic.capability.demo import CONFERENCE_CODE, NRP_CODE, build_capability_demo
from msoic.capability.models import Answer, Attendance, Event, Invitation, Survey
from msoic.capability.survey.results import survey_results
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


def test_the_conference_survey_gives_the_reports_feedback_table(personas: dict[str, Any]) -> None:
    build_capability_demo(personas["national"])
    survey = Survey.objects.get(event__title="Intelligence Opportunities conference")
    results = survey_results(survey)
    assert not survey.is_open and results.shown
    assert [r.percent for r in results.questions] == [91, 94, 98, 90, 96]  # annual report, s.7
    for r in results.questions:  # the same from the stored answers, by hand
        answers = Answer.objects.filter(question=r.question)
        agreeing = answers.filter(choice__in=[4, 5]).count()
        assert abs(100 * agreeing / answers.count() - r.percent) <= 0.5
    assert 240 <= survey.sent_count <= 260 and results.responses < survey.sent_count
    assert Invitation.objects.filter(survey=survey, used=True).count() == results.responses
    # closed: every contact erased, the erasure in the audit log, the counts kept
    assert not Invitation.objects.filter(survey=survey).exclude(email="", attendee_key="").exists()
    erasure = AuditEvent.objects.get(action="erasure", object_id=str(survey.pk))
    assert erasure.detail["people_count"] == survey.sent_count
    again = build_capability_demo(personas["national"])
    assert "91 / 94 / 98 / 90 / 96" in again.survey
    assert Survey.objects.count() == 1
    # The same figures through the engine, as the annual report asks for them.
    nation = OrgUnit.objects.get(code="national")
    by_question = engine.query("survey_percent_agree", nation, "FY2023-24", by="survey_question")
    code = CONFERENCE_CODE
    assert [(r.key, r.value) for r in by_question.rows] == [
        (f"{code}.q{n}", percent) for n, percent in enumerate([91, 94, 98, 90, 96], start=1)
    ]
    responses = engine.query("survey_responses", nation, "FY2023-24", by="training_event")
    assert {r.key: r.value for r in responses.rows}[code] == results.responses


def test_the_engine_gives_the_attendees_of_the_conference_and_the_nrp_workshops(
    personas: dict[str, Any],
) -> None:
    build_capability_demo(personas["national"])
    nation = OrgUnit.objects.get(code="national")
    result = engine.query("training_event_attendees", nation, "FY2023-24", by="training_event")
    attendees = {r.key: r.value for r in result.rows}
    # Officers and staff of forces: the conference's 6 NCA partners are no force's.
    assert attendees[CONFERENCE_CODE] == 244  # "around 250"
    assert attendees[NRP_CODE] == 642  # "over 600"
    report = build_capability_demo(personas["national"])  # again: the figures it prints
    assert f"244 attendees from forces at {CONFERENCE_CODE}" in "\n".join(report.lines())
    for code, value in attendees.items():  # each the event's distinct people from forces
        event = Event.objects.get(code=code)
        people = Attendance.objects.filter(session__event=event, orgunit__kind="force")
        assert value == people.values("attendee_key").distinct().count(), code
