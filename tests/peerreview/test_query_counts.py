"""Peer reviews' lists and dashboards make the same number of queries for one review as for
eight, with more recommendations and good practice each: an N+1 (a query per review, per
recommendation or per library item) fails here. The pins are exact, so a new query is a
decision, not an accident."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from msoic.peerreview import actions
from msoic.peerreview.models import PeerReview
from tests.peerreview.conftest import make_review
from tests.query_counts import pinned_get

pytestmark = pytest.mark.django_db

MORE_FORCES = ("essex", "cleveland", "suffolk", "norfolk", "durham", "cumbria", "dorset")


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def shared(review: PeerReview, unit: Any) -> None:
    """Every good practice item of a published review put in the library, naming the force."""
    for item in review.good_practice.all():
        actions.do_publish_good_practice(item, actor=unit, show_source=True, on=date(2024, 2, 1))


def grow(unit: Any) -> None:
    """Seven more forces reviewed (one still in draft), with more findings each."""
    for force in MORE_FORCES:
        review = make_review(force, unit, recs=4, good=3, publish=force != "dorset")
        if review.is_published:
            shared(review, unit)


# The library pages its items (a count, then the page's items) and asks once which of the
# page's reviews the viewer may open, to link them: 8 before it was paginated and linked.
# The themes are data: the roll-up and the library's theme filter read them once (one query).
PAGES = [
    ("national", "/peer-reviews/", 9),
    ("eastern", "/peer-reviews/", 7),
    ("kent", "/peer-reviews/", 8),
    ("national", "/peer-reviews/tracker/", 14),
    ("eastern", "/peer-reviews/tracker/", 13),
    ("kent", "/peer-reviews/tracker/", 14),
    ("national", "/peer-reviews/good-practice/", 11),
    ("kent", "/peer-reviews/good-practice/", 11),
]


@pytest.mark.parametrize(("persona", "url", "queries"), PAGES)
def test_list_and_dashboard_queries_do_not_grow_with_reviews(
    personas: dict[str, Any], persona: str, url: str, queries: int
) -> None:
    unit = personas["national"]
    shared(make_review("kent", unit), unit)
    c = client_for(personas[persona])
    pinned_get(c, url, queries)
    grow(unit)
    pinned_get(c, url, queries)


# 12 and 11 before the themes were data (the review's page reads them once).
@pytest.mark.parametrize(("persona", "queries"), [("national", 13), ("eastern", 12)])
def test_review_page_queries_do_not_grow_with_findings(
    personas: dict[str, Any], persona: str, queries: int
) -> None:
    unit = personas["national"]
    few = make_review("kent", unit, recs=1, good=1)
    many = make_review("essex", unit, recs=10, good=5)
    c = client_for(personas[persona])
    pinned_get(c, f"/peer-reviews/{few.pk}/", queries)
    html = pinned_get(c, f"/peer-reviews/{many.pk}/", queries).content.decode()
    assert "essex recommendation 10" in html and "essex practice 5" in html
