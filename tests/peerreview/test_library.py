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


def library_links(html: str) -> dict[str, str]:
    """Item title -> the review address its title links to."""
    import re

    return dict(
        (title, href)
        for href, title in re.findall(
            r'<h2 class="govuk-summary-card__title"><a class="govuk-link" href="([^"]+)">([^<]+)<',
            html,
        )
    )


def test_each_item_links_to_its_review_where_the_viewer_may_open_it(
    personas: dict[str, Any], items: dict[str, GoodPractice]
) -> None:
    unit = client_for(personas["national"]).get("/peer-reviews/good-practice/").content.decode()
    links = library_links(unit)
    kent = items["kent"]
    assert links["Kent practice"] == f"/peer-reviews/{kent.review_id}/#good-practice-{kent.pk}"
    assert set(links) == {"Kent practice", "Essex practice", "Cleveland practice"}
    page = client_for(personas["national"]).get(links["Kent practice"].split("#")[0])
    assert page.status_code == 200
    assert f'id="good-practice-{kent.pk}"' in page.content.decode()
    # Kent's own users open Kent's review; Cleveland's item is another force's review,
    # which they may not open, and Kent's anonymous item never links for Cleveland.
    kent_view = library_links(
        client_for(personas["kent"]).get("/peer-reviews/good-practice/").content.decode()
    )
    assert set(kent_view) == {"Kent practice"}
    assert client_for(personas["kent"]).get(kent_view["Kent practice"]).status_code == 200
    cleveland_view = library_links(
        client_for(personas["cleveland"]).get("/peer-reviews/good-practice/").content.decode()
    )
    assert set(cleveland_view) == {"Cleveland practice"}
    eastern_view = library_links(
        client_for(personas["eastern"]).get("/peer-reviews/good-practice/").content.decode()
    )
    assert set(eastern_view) == {"Kent practice"}  # Kent is in their region; Cleveland not


def test_library_is_paginated_keeping_the_search(personas: dict[str, Any]) -> None:
    from msoic.peerreview.views import LIBRARY_PAGE_SIZE

    unit = personas["national"]
    make_review("kent", unit, recs=1, good=LIBRARY_PAGE_SIZE + 5)
    c = client_for(unit)
    first = c.get("/peer-reviews/good-practice/").content.decode()
    assert first.count('class="govuk-summary-card"') == LIBRARY_PAGE_SIZE
    assert f"{LIBRARY_PAGE_SIZE + 5} items: showing 1 to {LIBRARY_PAGE_SIZE}" in first
    assert '<nav class="govuk-pagination"' in first and 'aria-current="page">1</a>' in first
    second = c.get("/peer-reviews/good-practice/", {"page": 2}).content.decode()
    assert second.count('class="govuk-summary-card"') == 5
    assert 'rel="prev"' in second and 'rel="next"' not in second
    # Every item appears once over the two pages.
    titles = set(library_links(first)) | set(library_links(second))
    assert len(titles) == LIBRARY_PAGE_SIZE + 5
    # The search travels with the page links; a page past the end shows the last page.
    searched = c.get("/peer-reviews/good-practice/", {"theme": "training"}).content.decode()
    assert 'class="govuk-pagination"' not in searched  # 5 training items: one page
    searched = c.get("/peer-reviews/good-practice/", {"q": "kent", "page": 9}).content.decode()
    assert 'href="?q=kent&amp;page=1"' in searched
    assert searched.count('class="govuk-summary-card"') == 5
