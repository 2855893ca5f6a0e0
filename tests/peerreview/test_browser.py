"""A peer review end to end in a real browser: the unit schedules, writes and publishes;
Kent reports a recommendation implemented; the unit verifies it closed. Every page has no
console error or CSP violation, and axe-core finds no WCAG 2.2 AA violation."""

from __future__ import annotations

from typing import Any

import pytest

from msoic.peerreview.models import PeerReview, RecStatus
from tests.browser.helpers import check_page, log_in, switch_user
from tests.conftest import PERSONA_PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_peer_review_end_to_end(live_server: Any, watched: Any, personas: dict[str, Any]) -> None:
    page, url = watched.page, live_server.url
    log_in(page, url, personas["national"].username, PERSONA_PASSWORD)
    page.get_by_role("link", name="Peer reviews", exact=True).click()
    page.wait_for_url("**/peer-reviews/")
    check_page(page, url, watched)
    page.get_by_role("link", name="Schedule a review", exact=True).click()
    page.get_by_label("Force").select_option(label="Kent Police")
    page.get_by_label("Stage").select_option(label="Fieldwork")
    page.get_by_label("Fieldwork start").fill("2024-01-08")
    check_page(page, url, watched)
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Peer review of Kent Police scheduled").wait_for()
    check_page(page, url, watched)

    page.get_by_label("Theme").first.select_option(label="Investigations")
    page.get_by_label("Text").fill("Use financial investigation in every OIC case")
    page.get_by_role("button", name="Add recommendation").click()
    page.get_by_text("Recommendation added").wait_for()
    page.get_by_role("button", name="Publish the report").click()
    page.get_by_text("Report published").wait_for()
    check_page(page, url, watched)
    review = PeerReview.objects.get(force__code="kent")
    rec = review.recommendations.get()

    switch_user(page, url, personas["kent"].username)
    page.goto(f"{url}/peer-reviews/{review.pk}/")
    page.get_by_role("link", name="R1", exact=True).click()
    page.get_by_label("Evidence").wait_for()
    check_page(page, url, watched)
    page.get_by_label("Status").select_option(label="Implemented, pending verification")
    page.get_by_label("Evidence").fill("Financial investigator assigned on all 14 cases")
    page.get_by_role("button", name="Record update").click()
    page.get_by_text("Update recorded").wait_for()
    check_page(page, url, watched)

    switch_user(page, url, personas["national"].username)
    page.goto(f"{url}/peer-reviews/recommendations/{rec.pk}/")
    page.get_by_label("Status").select_option(label="Verified closed")
    page.get_by_role("button", name="Record update").click()
    page.get_by_text("Update recorded").wait_for()
    rec.refresh_from_db()
    assert rec.status == RecStatus.CLOSED
    for path in (
        "/peer-reviews/tracker/",
        "/peer-reviews/good-practice/",
        f"/peer-reviews/{review.pk}/report/",
    ):
        page.goto(url + path)
        check_page(page, url, watched)
