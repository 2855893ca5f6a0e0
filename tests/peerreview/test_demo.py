"""The demo reproduces the annual report's peer review figures from its records."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db.models import Count
from django.test import Client

from msoic.audit.models import AuditEvent
from msoic.peerreview.demo import build_peer_review_demo
from msoic.peerreview.models import PeerReview, Recommendation, RecStatus, Stage
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


def test_every_force_is_reviewed_or_scheduled_to_september_2024(demo: Any) -> None:
    reviews = PeerReview.objects.all()
    assert reviews.values("force").distinct().count() == 43
    pending = reviews.exclude(stage=Stage.PUBLISHED)
    assert pending.count() == 21
    assert max(r.fieldwork_start for r in pending) <= date(2024, 9, 30)
    assert all(r.published_on <= date(2024, 3, 31) for r in reviews.filter(stage=Stage.PUBLISHED))


def test_recommendations_are_at_realistic_stages(demo: Any) -> None:
    counts = dict(Recommendation.objects.values_list("status").annotate(n=Count("pk")).order_by())
    # every stage is represented, and most are still being worked on
    assert set(counts) == set(RecStatus.values)
    assert counts[RecStatus.OPEN] + counts[RecStatus.IN_PROGRESS] > 718 / 2
    assert 0 < counts[RecStatus.NOT_ACCEPTED] < 718 * 0.1
    closed = Recommendation.objects.filter(status=RecStatus.CLOSED)
    assert all(r.verified_by_id is not None for r in closed)
    assert AuditEvent.objects.filter(detail__step="peerreview.publish").count() == 22


def test_the_demo_is_idempotent(personas: dict[str, Any], demo: Any) -> None:
    again = build_peer_review_demo(personas["national"])
    assert (again.created, again.already) == (0, 43)
    assert (again.forces_reviewed, again.recommendations, again.good_practice) == (22, 718, 67)
