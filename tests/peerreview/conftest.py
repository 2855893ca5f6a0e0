"""Peer review fixtures: reviews built through the actions, as the unit would."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from msoic.orgunits.models import OrgUnit
from msoic.peerreview import actions
from msoic.peerreview.models import PeerReview

PUBLISHED_ON = date(2024, 1, 15)


def make_review(
    force: str,
    unit: Any,
    *,
    publish: bool = True,
    recs: int = 2,
    good: int = 1,
) -> PeerReview:
    review = actions.do_schedule_peer_review(
        OrgUnit.objects.get(code=force),
        actor=unit,
        stage="fieldwork",
        fieldwork_start=date(2023, 10, 2),
        fieldwork_end=date(2023, 10, 6),
        team_names="A. Reviewer",
    )
    themes = ["leadership", "intelligence", "operational", "investigations", "training"]
    for i in range(recs):
        actions.do_add_recommendation(
            review,
            actor=unit,
            theme=themes[i % 5],
            text=f"{force} recommendation {i + 1}",
            priority="high",
            due_date=date(2024, 6, 30),
        )
    for i in range(good):
        actions.do_add_good_practice(
            review, actor=unit, theme=themes[i % 5], title=f"{force} practice {i + 1}", text="x"
        )
    if publish:
        actions.do_publish_peer_review(review, actor=unit, on=PUBLISHED_ON)
    review.refresh_from_db()
    return review


@pytest.fixture
def reviews(personas: dict[str, Any]) -> dict[str, PeerReview]:
    """Kent, Essex and Cleveland published; Surrey still in draft."""
    unit = personas["national"]
    out = {f: make_review(f, unit) for f in ("kent", "essex", "cleveland")}
    out["surrey"] = make_review("surrey", unit, publish=False)
    return out
