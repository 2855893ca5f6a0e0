"""The Terminus page in a real browser: the national analyst opens it from the Operations
hub, reads the demo year's headlines and moves to a quarter; no console error or CSP
violation, and axe-core finds no WCAG 2.2 AA violation."""

from __future__ import annotations

from typing import Any

import pytest

from msoic.terminus.demo import build_terminus_demo
from tests.browser.helpers import check_page, log_in
from tests.conftest import PERSONA_PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_terminus_page_from_the_operations_hub(
    live_server: Any, watched: Any, personas: dict[str, Any]
) -> None:
    build_terminus_demo(personas["national"])
    page, url = watched.page, live_server.url
    log_in(page, url, personas["national"].username, PERSONA_PASSWORD)
    page.get_by_role("link", name="Operations", exact=True).first.click()
    page.wait_for_url("**/operations/")
    page.get_by_role("link", name="Project Terminus", exact=True).click()
    page.wait_for_url("**/operations/terminus/")
    page.get_by_label("Type of period").select_option("fy")
    page.get_by_label("Period", exact=True).select_option("FY2023-24")
    page.get_by_role("button", name="Show figures").click()
    page.wait_for_url("**period=FY2023-24**")
    headline = page.locator("#terminus-headline")
    headline.wait_for()
    for shown in ("3,007", "419", "355", "275", "£46,400", "£152,000", "£3,012,450"):
        assert headline.get_by_text(shown, exact=True).count() == 1, shown
    check_page(page, url, watched)
    page.get_by_role("link", name="Q2 2023/24", exact=True).click()
    page.wait_for_url("**period=FY2023-24-Q2**")
    page.get_by_role("heading", name="Project Terminus: England and Wales, Q2 2023/24").wait_for()
    check_page(page, url, watched)
