"""The day every force (of the nation or a region) had a published peer review, as a dated
fact for reports; an error while a force has none."""

from __future__ import annotations

from datetime import date

import pytest

from msoic.metrics import dates
from msoic.orgunits.models import OrgUnit
from msoic.peerreview.models import PeerReview, Stage

pytestmark = pytest.mark.django_db


def _review(code: str, stage: str, published: date | None = None) -> None:
    PeerReview.objects.create(
        force=OrgUnit.objects.get(code=code), stage=stage, published_on=published
    )


def test_a_region_is_covered_on_the_day_its_last_force_is_published() -> None:
    eastern = OrgUnit.objects.forces().filter(parent__code="eastern").order_by("code")
    for n, force in enumerate(eastern):
        _review(force.code, Stage.PUBLISHED, date(2024, 5, 1 + n))
    _review(eastern[0].code, Stage.PUBLISHED, date(2024, 9, 1))  # a second review: not later
    fact = dates.fact("peer_reviews_all_forces", {"orgunit": "eastern"})
    assert (fact.on, fact.records) == (date(2024, 5, len(eastern)), len(eastern))
    assert fact.link == "/peer-reviews/" and "Eastern" in fact.label


def test_a_force_without_a_published_review_is_an_error_that_counts_them() -> None:
    _review("kent", Stage.PUBLISHED, date(2024, 5, 1))
    _review("essex", Stage.DRAFTED)
    with pytest.raises(dates.DateError, match="1 of 43 forces of .* have a published peer review"):
        dates.fact("peer_reviews_all_forces", {})
    with pytest.raises(dates.DateError, match="orgunit='kent' is not the nation or a region"):
        dates.fact("peer_reviews_all_forces", {"orgunit": "kent"})
