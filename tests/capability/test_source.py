"""Training figures through the metric engine (the derived source), the API and disclosure."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from msoic.capability.source import TRAINING_SOURCE
from msoic.metrics import engine, sources
from msoic.metrics.periods import Period
from msoic.orgunits.models import OrgUnit
from tests.api.conftest import bearer
from tests.capability.conftest import attend, make_event, make_session

pytestmark = pytest.mark.django_db

PEOPLE = "training_people_trained"


def ou(code: str) -> OrgUnit:
    return OrgUnit.objects.get(code=code)


def value(metric: str, code: str, period: str) -> int | None:
    return engine.query(metric, ou(code), period).value


@pytest.fixture
def year(personas: dict[str, Any]) -> dict[str, Any]:
    """Ann (Kent) at a June and a July session; Bo (Kent, then Essex) in June and August;
    Cy (Essex) in March 2023 and April 2023; Di (NCA, a partner) in June."""
    unit = personas["national"]
    course = make_event(unit)
    sessions = {
        on: make_session(course, unit, on)
        for on in (date(2023, 3, 20), date(2023, 4, 5), date(2023, 6, 14), date(2023, 7, 12))
    }
    other = make_event(unit, title="Conference", kind="conference")
    august = make_session(other, unit, date(2023, 8, 2))
    attend(sessions[date(2023, 3, 20)], unit, [["cy@x.uk", "essex", "staff"]])
    attend(sessions[date(2023, 4, 5)], unit, [["cy@x.uk", "essex", "staff"]])
    attend(
        sessions[date(2023, 6, 14)],
        unit,
        [
            ["ann@x.uk", "kent", "officer"],
            ["bo@x.uk", "kent", "officer"],
            ["di@x.uk", "nca", "partner"],
        ],
    )
    attend(sessions[date(2023, 7, 12)], unit, [["ann@x.uk", "kent", "officer"]])
    attend(august, unit, [["bo@x.uk", "essex", "officer"], ["ann@x.uk", "kent", "officer"]])
    return {"course": course, "conference": other}


def test_the_source_is_registered_and_covers_every_force_from_the_first_period():
    assert sources.source_for(PEOPLE) is TRAINING_SOURCE
    covered = sources.coverage(PEOPLE)
    assert len(covered) == OrgUnit.objects.forces().count() == 43
    assert set(covered.values()) == {date(2021, 4, 1)}


@pytest.mark.parametrize(
    ("code", "period", "people"),
    [
        ("national", "FY2023-24", 3),  # Ann, Bo, Cy once each; Di is a partner
        ("kent", "FY2023-24", 2),  # Bo first attended with Kent this year
        ("essex", "FY2023-24", 1),  # Cy; Bo is not new to Essex in August
        ("eastern", "FY2023-24", 3),
        ("national", "FY2022-23", 1),  # Cy in March 2023
        ("national", "2023-06", 2),
        ("national", "2023-07", 0),  # Ann again: not new this financial year
        ("national", "FY2023-24-Q2", 0),  # July to September: nobody new
        ("national", "2023", 4),  # a calendar year spans two: Cy counts in each part
    ],
)
def test_people_are_counted_once_a_financial_year_at_their_first_attendance(
    year, code, period, people
):
    assert value(PEOPLE, code, period) == people


def test_attendances_and_events_held(year):
    assert value("training_attendances", "national", "FY2023-24") == 6
    assert value("training_attendances", "kent", "FY2023-24") == 4
    # each event once a year, under the force most there: the course (Kent 3, Essex 1),
    # the conference (Kent 1, Essex 1: a tie, to the first force by code, essex)
    assert value("training_events_held", "national", "FY2023-24") == 2
    assert value("training_events_held", "kent", "FY2023-24") == 1
    assert value("training_events_held", "essex", "FY2023-24") == 1
    assert value("training_events_held", "national", "FY2022-23") == 1


def test_the_figures_are_complete_and_agree_however_they_are_asked(year):
    nation = ou("national")
    result = engine.query(PEOPLE, nation, "FY2023-24", compare="previous-year", by="region")
    assert result.coverage.complete and result.coverage.expected == 43 * 12
    assert (result.value, result.previous_value) == (3, 1)
    assert {r.key: r.value for r in result.rows}["eastern"] == 3
    fy = Period.parse("FY2023-24")
    ask = engine.Ask(PEOPLE, fy, compare="previous-year")
    quarter = engine.Ask(PEOPLE, Period.parse("FY2023-24-Q1"))
    many = engine.query_many(nation, [ask, quarter])
    assert (many.query(ask).value, many.query(ask).previous_value) == (3, 1)
    assert many.query(quarter).value == 3
    periods = engine.query_periods([PEOPLE], nation, [fy, Period.parse("FY2023-24-Q1")])
    assert [r.value for r in periods[PEOPLE]] == [3, 3]


def test_the_api_answers_the_engine_for_a_national_user(year, personas):
    client = Client(**bearer(personas["national"]))
    body = client.get(
        "/api/v1/values", {"metric": PEOPLE, "orgunit": "national", "period": "FY2023-24"}
    ).json()
    assert body["value"] == 3 and body["complete"] is True
    assert body == engine.query(PEOPLE, ou("national"), "FY2023-24").as_dict()


def test_a_partner_gets_people_trained_through_disclosure_control(year, personas):
    client = Client(**bearer(personas["partner"]))
    body = client.get("/api/v1/values", {"metric": PEOPLE, "period": "FY2023-24"}).json()
    assert body["disclosure"]["controlled"] is True
    assert body["value"] is None and body["withheld"] == "<5"  # 3 people: under the threshold
    month = client.get("/api/v1/values", {"metric": PEOPLE, "period": "2023-06"})
    assert month.status_code == 400  # a month inside a year would difference a withheld count
    activity = client.get(
        "/api/v1/values", {"metric": "training_attendances", "period": "FY2023-24"}
    ).json()
    assert activity["disclosure"]["controlled"] is False and activity["value"] == 6
