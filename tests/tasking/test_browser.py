"""The national CCA tasking tracker in a real browser: the unit opens it from the Operations
hub, reads the demo's figures, opens the revised disruption measure and revises its
threshold with a reason. No console error or CSP violation; axe-core finds no WCAG 2.2 AA
violation on any page."""

from __future__ import annotations

from typing import Any

import pytest

from msoic.tasking.demo import build_tasking_demo
from msoic.tasking.models import ThresholdRevision
from tests.browser.helpers import check_page, log_in
from tests.conftest import PERSONA_PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_national_tracker(live_server: Any, watched: Any, personas: dict[str, Any]) -> None:
    build_tasking_demo(personas["national"])
    page, url = watched.page, live_server.url
    log_in(page, url, personas["national"].username, PERSONA_PASSWORD)
    page.get_by_role("link", name="Operations", exact=True).click()
    page.get_by_role("link", name="CCA tasking tracker", exact=True).click()
    page.wait_for_url("**/cca-tasking/")
    check_page(page, url, watched)
    page.get_by_role(
        "link", name="CCA tasking: organised immigration crime, 2022/23", exact=True
    ).click()
    page.locator('[data-figure="discharged"]').wait_for()
    page.get_by_label("Position as at").fill("2023-03-31")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**as_of=2023-03-31")
    assert page.locator('[data-figure="measures"]').inner_text() == "9"
    assert page.locator('[data-figure="discharged"]').inner_text() == "7"
    assert page.locator('[data-figure="areas-of-focus"]').inner_text() == "2"
    assert page.locator('[data-figure="threshold-revisions"]').inner_text() == "1"
    focus = page.locator("#areas-of-focus li").all_inner_texts()
    assert [text.split(":")[0] for text in focus] == ["M2", "M4"]
    check_page(page, url, watched)

    page.locator("#areas-of-focus").get_by_role(
        "link", name="M4: ROCU OIC disruptions", exact=True
    ).click()
    page.locator("#threshold-history").wait_for()
    assert "unachievable" in page.locator("#threshold-history").inner_text()
    check_page(page, url, watched)
    page.get_by_role("link", name="Revise the threshold", exact=True).click()
    page.get_by_label("New threshold").wait_for()
    page.get_by_label("New threshold").fill("20")
    page.get_by_label("Effective from").fill("2023-02-01")
    page.get_by_role("button", name="Revise").click()
    page.get_by_text("Say why the threshold changes").first.wait_for()
    check_page(page, url, watched)
    page.get_by_label("Why it changes").fill("Regional teams merged in January")
    page.get_by_role("button", name="Revise").click()
    page.get_by_text("Threshold of M4 revised").wait_for()
    check_page(page, url, watched)
    assert ThresholdRevision.objects.latest("pk").reason == "Regional teams merged in January"
