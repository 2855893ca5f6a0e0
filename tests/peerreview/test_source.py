"""Forces peer reviewed, recommendations and good practice through the metric engine (the
derived source: stocks as at the period's end), and the API's scope."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from msoic.metrics import engine, sources
from msoic.orgunits.models import OrgUnit
from msoic.peerreview import actions
from msoic.peerreview.source import (
    FORCES_REVIEWED,
    GOOD_PRACTICE,
    PEER_REVIEW_SOURCE,
    RECOMMENDATIONS,
)
from tests.api.conftest import bearer
from tests.peerreview.conftest import make_review

pytestmark = pytest.mark.django_db


def ou(code: str) -> OrgUnit:
    return OrgUnit.objects.get(code=code)


def value(metric: str, code: str, period: str) -> int | None:
    return engine.query(metric, ou(code), period).value


def published(force: str, unit: Any, on: date, recs: int, good: int) -> None:
    review = make_review(force, unit, publish=False, recs=recs, good=good)
    actions.do_publish_peer_review(review, actor=unit, on=on)


@pytest.fixture
def programme(personas: dict[str, Any]) -> None:
    """Kent published May 2023 (3 recommendations, 2 good practice), Essex March 2024 (4, 1),
    Cleveland April 2024 (2, 1); Kent reviewed again in February 2024 (1, 0); Surrey in
    fieldwork (not published)."""
    unit = personas["national"]
    published("kent", unit, date(2023, 5, 10), 3, 2)
    published("essex", unit, date(2024, 3, 28), 4, 1)
    published("cleveland", unit, date(2024, 4, 3), 2, 1)
    published("kent", unit, date(2024, 2, 1), 1, 0)
    make_review("surrey", unit, publish=False, recs=5, good=5)


def test_the_source_is_registered_and_covers_every_force():
    for metric in (FORCES_REVIEWED, RECOMMENDATIONS, GOOD_PRACTICE):
        assert sources.source_for(metric) is PEER_REVIEW_SOURCE
    assert len(sources.coverage(FORCES_REVIEWED)) == 43


@pytest.mark.parametrize(
    ("code", "period", "figures"),
    [
        # as at 31 March 2024: Kent (twice, one force) and Essex
        ("national", "FY2023-24", (2, 8, 3)),
        ("national", "FY2022-23", (0, 0, 0)),
        ("national", "2023-05", (1, 3, 2)),
        ("national", "2024-02", (1, 4, 2)),
        ("national", "FY2024-25-Q1", (3, 10, 4)),  # Cleveland in April; Surrey never
        ("kent", "FY2023-24", (1, 4, 2)),
        ("eastern", "FY2023-24", (2, 8, 3)),
        ("north-east", "FY2023-24", (0, 0, 0)),
        ("north-east", "2024-09", (1, 2, 1)),
    ],
)
def test_the_figures_are_what_the_reviews_published_by_the_end_hold(
    programme, code, period, figures
):
    got = tuple(value(m, code, period) for m in (FORCES_REVIEWED, RECOMMENDATIONS, GOOD_PRACTICE))
    assert got == figures


def test_a_year_is_its_end_and_compares_with_the_year_before(programme):
    result = engine.query(RECOMMENDATIONS, ou("national"), "FY2024-25", compare="previous-year")
    assert result.coverage.complete
    assert (result.value, result.previous_value) == (10, 8)
    rows = engine.query(FORCES_REVIEWED, ou("national"), "FY2023-24", by="force").rows
    assert sorted(r.key for r in rows if r.value) == ["essex", "kent"]


def test_a_force_reads_its_own_figure_and_not_another_forces(programme, personas):
    kent = Client(**bearer(personas["kent"]))
    ask = {"metric": RECOMMENDATIONS, "period": "FY2023-24"}
    own = kent.get("/api/v1/values", {**ask, "orgunit": "kent"})
    assert own.status_code == 200 and own.json()["value"] == 4
    assert kent.get("/api/v1/values", {**ask, "orgunit": "essex"}).status_code == 403
