"""A force works its cleanse worklist in a real browser: from the Investigations hub to the
worklist, a case confirmed still live with a note, back to a shorter worklist. No console
error or CSP violation, and axe finds no WCAG 2.2 AA violation on the pages."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from msoic.cases.cleanse.actions import do_open_cleanse
from msoic.cases.models import Review
from tests.browser.helpers import check_page, log_in
from tests.cases.cleanse_world import make_case
from tests.conftest import PERSONA_PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_force_confirms_a_case_from_its_cleanse_worklist(
    live_server: Any, watched: Any, kent_user: Any, national_analyst: Any
) -> None:
    old = timezone.localdate() - timedelta(days=400)
    for ref in ("46/0001/23", "46/0002/23"):
        make_case("kent", ref, old)
    make_case("essex", "42/0009/23", old)
    opened = do_open_cleanse(
        title="Winter cleanse",
        criteria={"stale_days": 180},
        deadline=timezone.localdate() + timedelta(days=21),
        actor=national_analyst,
    )
    page, url = watched.page, live_server.url
    log_in(page, url, kent_user.username, PERSONA_PASSWORD)
    page.goto(f"{url}/investigations/")
    page.get_by_role("link", name="Data cleanse", exact=True).click()
    page.wait_for_url("**/investigations/cleanse/")
    page.get_by_role("link", name="Winter cleanse", exact=True).click()
    page.get_by_role("link", name="Open your worklist", exact=True).wait_for()
    check_page(page, url, watched)
    page.get_by_role("link", name="Open your worklist", exact=True).click()
    page.get_by_text("2 outstanding cases").wait_for()
    assert page.get_by_text("42/0009/23").count() == 0
    check_page(page, url, watched)

    page.get_by_role("link", name="46/0001/23", exact=True).click()
    page.get_by_role("heading", name="Confirm it is still live").wait_for()
    check_page(page, url, watched)
    # without a note the page says what is missing
    page.get_by_role("button", name="Confirm still live").click()
    page.get_by_text("This field is required").wait_for()
    check_page(page, url, watched)
    page.get_by_label("Review note: why is the case still live?").fill(
        "Awaiting the CPS charging decision"
    )
    page.get_by_role("button", name="Confirm still live").click()
    page.get_by_text("46/0001/23 confirmed as still live").wait_for()
    page.get_by_text("1 outstanding case").wait_for()
    check_page(page, url, watched)
    assert Review.objects.get().note == "Awaiting the CPS charging decision"
    assert opened.items.get(investigation__crime_reference="46/0001/23").resolution == "confirmed"
