"""The error pages in a real browser (issue 11 item 10): a logged-in force user meets the
404, 403, 405 and 500 pages; each has the service header, passes axe-core at WCAG 2.2 AA
and breaks no Content-Security-Policy rule; the link on each leads home."""

from __future__ import annotations

import pytest

from tests.browser.helpers import check_page, log_in
from tests.conftest import PERSONA_PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.urls("tests.web.error_urls"),
]


def test_error_pages_pass_axe_and_lead_home(live_server, watched, kent_user):
    page, base = watched.page, live_server.url
    log_in(page, base, "kent.user", PERSONA_PASSWORD)
    expected = {
        "/no-such-page/": (404, "Page not found"),
        "/returns/template/ms-monthly/essex/2024-01.xlsx": (403, "You cannot see this page"),
        "/logout/": (405, "This page cannot be used that way"),
        "/test-errors/fails/": (500, "Sorry, there is a problem with the service"),
    }
    for path, (status, heading) in expected.items():
        response = page.goto(f"{base}{path}")
        assert response.status == status, path
        assert page.get_by_role("heading", level=1).text_content() == heading
        assert page.locator(".msoic-header__name").is_visible()
        if status != 500:
            assert page.get_by_role("navigation", name="Main").is_visible()
        # The failures above are what the page is about, not problems on it.
        watched.errors[:] = [e for e in watched.errors if f"{status}" not in e]
        check_page(page, base, watched)
    with page.expect_navigation() as went:
        page.get_by_role("link", name="Go to the MSOIC Insight home page", exact=True).click()
    assert went.value.status == 200 and "/login/" not in page.url  # the user's own home
