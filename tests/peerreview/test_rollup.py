"""Slice 3: the national roll-up, the annual report's counts, and the tracker downloads."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from msoic.orgunits.models import OrgUnit
from msoic.peerreview import access as review_access
from msoic.peerreview import actions
from msoic.peerreview.models import PeerReview, RecStatus
from msoic.peerreview.rollup import build_rollup, headline_counts
from tests.peerreview.conftest import make_review

pytestmark = pytest.mark.django_db
TODAY = date(2024, 9, 1)


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_rollup_counts_by_theme_status_age_force_and_region(personas: dict[str, Any]) -> None:
    unit = personas["national"]
    kent = make_review("kent", unit, recs=5)
    make_review("essex", unit, recs=2)
    make_review("cleveland", unit, recs=3)
    make_review("surrey", unit, recs=4, publish=False)  # drafts are not in the roll-up
    recs = list(kent.recommendations.order_by("number"))
    actions.do_update_recommendation(
        recs[0], actor=personas["kent"], status="implemented", on=TODAY, evidence="e"
    )
    actions.do_update_recommendation(recs[0], actor=unit, status="closed", on=TODAY)
    actions.do_update_recommendation(
        recs[1], actor=unit, status="not_accepted", on=TODAY, reason="r"
    )
    actions.do_plan_recommendation(recs[2], actor=unit, owner="o", due_date=date(2024, 12, 1))

    rollup = build_rollup(review_access.recommendations_visible_to(unit), TODAY)
    assert rollup.total.total == 10
    assert rollup.total.statuses[RecStatus.CLOSED] == 1
    assert rollup.total.statuses[RecStatus.NOT_ACCEPTED] == 1
    # due 30 June 2024, still open on 1 September: all but the closed, refused and re-planned
    assert rollup.total.overdue == 7
    themes = {t.label: t.total for t in rollup.by_theme}
    assert themes["Leadership and governance"] == 3  # Kent R1, Essex R1, Cleveland R1
    assert sum(themes.values()) == 10
    forces = {t.label: t for t in rollup.by_force}
    assert set(forces) == {"Kent Police", "Essex Police", "Cleveland Police"}
    # Kent: 1 closed of 4 accepted
    assert forces["Kent Police"].implementation_rate == 25.0
    assert forces["Essex Police"].implementation_rate == 0.0
    regions = {t.label: t.total for t in rollup.by_region}
    assert regions == {"Eastern": 7, "North East": 3}
    ages = {t.label: t.total for t in rollup.by_age}
    assert ages == {"Under 6 months": 0, "6 to 12 months": 10, "Over 12 months": 0}


@pytest.mark.parametrize(
    ("as_of", "forces", "recs", "good"),
    [(date(2024, 1, 14), 0, 0, 0), (date(2024, 1, 15), 2, 5, 3), (date(2024, 3, 31), 3, 6, 4)],
)
def test_headline_counts_as_at_a_date(
    personas: dict[str, Any], as_of: date, forces: int, recs: int, good: int
) -> None:
    unit = personas["national"]
    make_review("kent", unit, recs=3, good=2)  # published 15 January 2024
    make_review("essex", unit, recs=2, good=1)
    late = make_review("cleveland", unit, recs=1, good=1, publish=False)
    actions.do_publish_peer_review(late, actor=unit, on=date(2024, 3, 31))
    make_review("surrey", unit, publish=False)
    headline = headline_counts(PeerReview.objects.all(), as_of)
    assert (headline.forces_reviewed, headline.recommendations, headline.good_practice) == (
        forces,
        recs,
        good,
    )


def test_headline_counts_scheduled_forces_not_yet_reviewed(personas: dict[str, Any]) -> None:
    unit = personas["national"]
    make_review("kent", unit)
    make_review("surrey", unit, publish=False)
    actions.do_schedule_peer_review(OrgUnit.objects.get(code="durham"), actor=unit)
    assert headline_counts(PeerReview.objects.all(), date(2024, 3, 31)).forces_scheduled == 2


def _tracker_queries(user: Any) -> int:
    c = client_for(user)
    with CaptureQueriesContext(connection) as ctx:
        response = c.get("/peer-reviews/tracker/")
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_tracker_query_count_does_not_grow_with_forces(personas: dict[str, Any]) -> None:
    unit = personas["national"]
    make_review("kent", unit, recs=3)
    few = _tracker_queries(unit)
    for force in OrgUnit.objects.forces().exclude(code="kent").values_list("code", flat=True)[:12]:
        make_review(force, unit, recs=6, good=2)
    assert _tracker_queries(unit) == few == 14  # 13 before the themes were data


def test_tracker_page_shows_the_headline(personas: dict[str, Any]) -> None:
    make_review("kent", personas["national"], recs=3, good=2)
    page = client_for(personas["national"]).get("/peer-reviews/tracker/?as_of=2024-03-31")
    text = page.content.decode()
    assert 'data-figure="forces-reviewed">1<' in text
    assert 'data-figure="recommendations">3<' in text
    assert 'data-figure="good-practice">2<' in text


def test_a_bad_as_of_date_is_reported_not_a_crash(personas: dict[str, Any]) -> None:
    response = client_for(personas["national"]).get("/peer-reviews/tracker/?as_of=31/03/2024")
    assert response.status_code == 200
    assert "YYYY-MM-DD" in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "forces"),
    [
        ("kent", {"Kent Police"}),
        ("eastern", {"Kent Police", "Essex Police"}),
        ("national", {"Kent Police", "Essex Police", "Cleveland Police"}),
    ],
)
def test_tracker_is_scoped_to_what_the_user_may_see(
    personas: dict[str, Any], reviews: dict[str, PeerReview], persona: str, forces: set[str]
) -> None:
    c = client_for(personas[persona])
    text = c.get("/peer-reviews/tracker/").content.decode()
    for name in ("Kent Police", "Essex Police", "Cleveland Police", "Surrey Police"):
        assert (name in text) is (name in forces), name
    body = c.get("/peer-reviews/tracker/?format=csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert {r[0] for r in rows[1:]} == forces


def test_tracker_downloads_are_formula_safe(personas: dict[str, Any]) -> None:
    unit = personas["national"]
    review = make_review("kent", unit, recs=0, good=0, publish=False)
    actions.do_add_recommendation(review, actor=unit, theme="training", text="=HYPERLINK(1)")
    actions.do_publish_peer_review(review, actor=unit, on=date(2024, 1, 15))
    c = client_for(unit)
    body = c.get("/peer-reviews/tracker/?format=csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in body
    response = c.get("/peer-reviews/tracker/?format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert "'=HYPERLINK(1)" in values and "=HYPERLINK(1)" not in values
