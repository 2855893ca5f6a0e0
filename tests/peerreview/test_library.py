"""Slice 4: the good practice library – shared by the unit, searchable, source named only
where the unit chooses."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from msoic.audit.models import AuditEvent
from msoic.peerreview import actions
from msoic.peerreview.models import GoodPractice
from tests.peerreview.conftest import make_review

pytestmark = pytest.mark.django_db
ON = date(2024, 2, 1)


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def items(personas: dict[str, Any]) -> dict[str, GoodPractice]:
    """Cleveland's item shared naming the force, Kent's shared anonymously, Essex's not
    shared."""
    unit = personas["national"]
    out = {}
    for force in ("kent", "essex", "cleveland"):
        review = make_review(force, unit, recs=1, good=0, publish=False)
        out[force] = actions.do_add_good_practice(
            review,
            actor=unit,
            theme="training" if force == "kent" else "investigations",
            title=f"{force.title()} practice",
            text=f"Joint debriefs with {force} partners",
        )
        actions.do_publish_peer_review(review, actor=unit, on=date(2024, 1, 15))
    client_for(unit).post(
        f"/peer-reviews/good-practice/{out['cleveland'].pk}/publish/", {"show_source": "on"}
    )
    client_for(unit).post(f"/peer-reviews/good-practice/{out['kent'].pk}/publish/", {})
    return out


@pytest.mark.parametrize("persona", ["kent", "essex", "cleveland", "eastern"])
def test_every_force_sees_shared_items_with_the_source_only_where_chosen(
    personas: dict[str, Any], items: dict[str, GoodPractice], persona: str
) -> None:
    text = client_for(personas[persona]).get("/peer-reviews/good-practice/").content.decode()
    assert "Kent practice" in text and "Cleveland practice" in text
    assert "Essex practice" not in text
    assert "Cleveland Police" in text


def test_anonymous_items_never_name_the_force_to_another_force(
    personas: dict[str, Any], items: dict[str, GoodPractice]
) -> None:
    text = client_for(personas["cleveland"]).get("/peer-reviews/good-practice/").content.decode()
    assert "Kent Police" not in text


def test_unit_sees_every_item_and_its_source(
    personas: dict[str, Any], items: dict[str, GoodPractice]
) -> None:
    text = client_for(personas["national"]).get("/peer-reviews/good-practice/").content.decode()
    assert "Essex practice" in text and "not yet shared" in text
    assert "Kent Police (not shown to forces)" in text


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("?theme=training", {"Kent practice"}),
        ("?theme=investigations", {"Cleveland practice"}),
        ("?q=essex", set()),
        ("?q=CLEVELAND", {"Cleveland practice"}),
        ("?q=debriefs", {"Kent practice", "Cleveland practice"}),
        ("?q=debriefs&theme=training", {"Kent practice"}),
        ("?theme=unknown", {"Kent practice", "Cleveland practice"}),
    ],
)
def test_library_search_by_theme_and_text(
    personas: dict[str, Any], items: dict[str, GoodPractice], query: str, shown: set[str]
) -> None:
    text = client_for(personas["essex"]).get(f"/peer-reviews/good-practice/{query}")
    body = text.content.decode()
    assert {t for t in ("Kent practice", "Cleveland practice") if t in body} == shown


def test_sharing_is_audited_and_can_be_withdrawn(
    personas: dict[str, Any], items: dict[str, GoodPractice]
) -> None:
    shared = AuditEvent.objects.filter(detail__step="peerreview.publish_good_practice")
    assert shared.count() == 2
    assert {(e.action, e.recipient) for e in shared} == {
        ("disclosure", "every force's users (good practice library)")
    }
    client_for(personas["national"]).post(
        f"/peer-reviews/good-practice/{items['kent'].pk}/withdraw/"
    )
    text = client_for(personas["essex"]).get("/peer-reviews/good-practice/").content.decode()
    assert "Kent practice" not in text
    assert AuditEvent.objects.filter(detail__step="peerreview.withdraw_good_practice").exists()


def test_good_practice_of_a_draft_report_cannot_be_shared(personas: dict[str, Any]) -> None:
    review = make_review("surrey", personas["national"], publish=False)
    with pytest.raises(ValidationError):
        actions.do_publish_good_practice(
            review.good_practice.get(), actor=personas["national"], show_source=True, on=ON
        )


@pytest.mark.parametrize("persona", ["kent", "eastern", "partner"])
def test_only_the_unit_shares_good_practice(
    personas: dict[str, Any], items: dict[str, GoodPractice], persona: str
) -> None:
    with pytest.raises(PermissionDenied):
        actions.do_publish_good_practice(
            items["essex"], actor=personas[persona], show_source=True, on=ON
        )
