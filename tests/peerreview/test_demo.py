"""The demo reproduces the annual report's peer review figures from its records."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db.models import Count
from django.test import Client

from msoic.audit.models import AuditEvent
from msoic.metrics import dates, engine
from msoic.orgunits.models import OrgUnit
from msoic.peerreview.demo import build_peer_review_demo
from msoic.peerreview.models import (
    PeerReview,
    Recommendation,
    RecommendationUpdate,
    RecStatus,
    Stage,
)
from tests.conftest import _make, module_data

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Any:
    """Built once for the module (it takes a while on PostgreSQL), rolled back after it."""
    with module_data(django_db_blocker):
        yield build_peer_review_demo(_make("national.analyst", "national", None))


def test_report_figures_come_from_the_roll_up(personas: dict[str, Any], demo: Any) -> None:
    assert (demo.forces_reviewed, demo.recommendations, demo.good_practice) == (22, 718, 67)
    assert demo.forces_scheduled == 21
    c = Client()
    c.force_login(personas["national"])
    text = c.get("/peer-reviews/tracker/?as_of=2024-03-31").content.decode()
    assert 'data-figure="forces-reviewed">22<' in text
    assert 'data-figure="recommendations">718<' in text
    assert 'data-figure="good-practice">67<' in text
    assert 'data-figure="forces-scheduled">21<' in text


def test_every_force_is_reviewed_by_the_end_of_september_2024(demo: Any) -> None:
    reviews = PeerReview.objects.all()
    assert reviews.values("force").distinct().count() == 43
    assert not reviews.exclude(stage=Stage.PUBLISHED).exists()
    by_march = reviews.filter(published_on__lte=date(2024, 3, 31))
    assert by_march.count() == 22
    later = reviews.exclude(pk__in=by_march)
    assert later.count() == 21
    assert all(date(2024, 4, 1) <= r.fieldwork_start < r.published_on for r in later)
    assert max(r.published_on for r in later) <= date(2024, 9, 30)
    assert demo.forces_reviewed_by_september == 43
    # every recommendation's progress is recorded on or after its review's publication
    for review in later:
        days = RecommendationUpdate.objects.filter(recommendation__review=review)
        assert all(u.on >= review.published_on for u in days)


def test_recommendations_are_at_realistic_stages(demo: Any) -> None:
    counts = dict(Recommendation.objects.values_list("status").annotate(n=Count("pk")).order_by())
    # every stage is represented, and most are still being worked on
    assert set(counts) == set(RecStatus.values)
    total = sum(counts.values())
    assert counts[RecStatus.OPEN] + counts[RecStatus.IN_PROGRESS] > total / 2
    assert 0 < counts[RecStatus.NOT_ACCEPTED] < total * 0.1
    closed = Recommendation.objects.filter(status=RecStatus.CLOSED)
    assert all(r.verified_by_id is not None for r in closed)
    assert AuditEvent.objects.filter(detail__step="peerreview.publish").count() == 43


def test_the_demo_is_idempotent(personas: dict[str, Any], demo: Any) -> None:
    again = build_peer_review_demo(personas["national"])
    assert (again.created, again.already) == (0, 43)
    assert (again.forces_reviewed, again.recommendations, again.good_practice) == (22, 718, 67)


def test_the_day_every_force_was_reviewed_is_read_from_the_records(demo: Any) -> None:
    fact = dates.fact("peer_reviews_all_forces", {})
    assert (fact.on, fact.precision, fact.records) == (date(2024, 9, 24), "day", 43)
    eastern = dates.fact("peer_reviews_all_forces", {"orgunit": "eastern"})
    assert eastern.on <= fact.on and eastern.records == 7
    national = OrgUnit.objects.get(code="national")
    reviewed = engine.query("peer_review_forces_reviewed", national, "2024-09").value
    assert reviewed == 43
