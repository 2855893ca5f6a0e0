"""User management in a real browser, as an administrator: the list (filtered), the form to
create a user (refused, then accepted), the one-time link page, the new user's page and a
deactivation, then the set-password page the new user opens. No console error or CSP
violation, and no axe WCAG 2.2 AA violation on any page."""

from __future__ import annotations

from typing import Any

import pytest

from msoic.accounts.models import ApiToken, User
from tests.browser.helpers import axe_violations, check_page, log_in
from tests.conftest import PERSONA_PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def expect_refused(watched: Any, path: str) -> None:
    """A refused form answers 400 (the page is still checked); take out exactly the 400
    and the console's note of it, so that anything else still fails the test."""
    expected = [e for e in watched.errors if "400" in e and (path in e or "status of 400" in e)]
    assert any(e.startswith("HTTP 400") and path in e for e in expected), watched.errors
    watched.errors[:] = [e for e in watched.errors if e not in expected]


def test_an_administrator_creates_and_deactivates_a_user(
    live_server: Any, watched: Any, admin_user: Any, kent_user: Any, browser: Any
) -> None:
    page, url = watched.page, live_server.url
    log_in(page, url, admin_user.username, PERSONA_PASSWORD)
    page.goto(f"{url}/admin-users/")
    page.get_by_role("link", name="Users", exact=True).click()
    page.get_by_role("heading", name="Users", exact=True).wait_for()
    check_page(page, url, watched)

    page.get_by_label("Role").select_option("force")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**/admin-users/?*")
    assert page.get_by_role("link", name="kent.user", exact=True).is_visible()
    assert page.get_by_role("link", name="admin.user", exact=True).count() == 0

    page.get_by_role("link", name="Create a user", exact=True).click()
    page.get_by_role("heading", name="Create a user").wait_for()
    check_page(page, url, watched)
    page.get_by_label("Username").fill("r.patel")
    page.get_by_role("button", name="Create the user").click()
    page.get_by_role("heading", name="There is a problem").wait_for()
    expect_refused(watched, "/admin-users/new/")
    check_page(page, url, watched)

    page.get_by_label("First name").fill("Ravi")
    page.get_by_label("Last name").fill("Patel")
    page.get_by_label("Role").select_option("regional")
    page.get_by_label("Org unit").select_option("eastern")
    page.get_by_role("button", name="Create the user").click()
    page.get_by_role("heading", name="User r.patel created").wait_for()
    check_page(page, url, watched)
    link = (page.locator("#set-password-link").text_content() or "").strip()
    assert link.startswith(f"{url}/set-password/")

    # The new user opens their link in a browser of their own.
    context = browser.new_context()
    try:
        theirs = context.new_page()
        theirs.goto(link)
        theirs.get_by_role("heading", name="Choose your password").wait_for()
        token = link.rstrip("/").rsplit("/", 1)[-1]
        assert token not in theirs.url  # the token left the address bar (and any Referer)
        assert axe_violations(theirs, url) == []
    finally:
        context.close()

    page.get_by_role("link", name="Go to r.patel's page", exact=True).click()
    page.get_by_role("heading", name="Ravi Patel").wait_for()
    check_page(page, url, watched)
    page.get_by_label("Reason (optional)").fill("joined by mistake")
    page.get_by_role("button", name="Deactivate r.patel").click()
    page.get_by_text("r.patel deactivated").wait_for()
    check_page(page, url, watched)
    assert User.objects.get(username="r.patel").is_active is False

    # A user with API tokens: the table with a revoke form per token.
    ApiToken.issue(kent_user, ["read:values", "write:returns"])
    ApiToken.issue(kent_user)
    page.goto(f"{url}/admin-users/{kent_user.pk}/")
    page.get_by_role("heading", name="API tokens").wait_for()
    assert page.get_by_role("button", name="Revoke").count() == 2
    check_page(page, url, watched)
