"""Drill-down in a real browser: selecting a force's bar opens that force's dashboard for
the same month and measure, under the Content-Security-Policy (no inline script), and the
page with linked bars still passes axe; keyboard users follow the table's links."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser.helpers import check_page, log_in, wait_for_charts
from tests.conftest import PERSONA_PASSWORD
from tests.dashboards.conftest import load_returns

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def returns(transactional_db):
    load_returns()


def test_selecting_a_force_bar_opens_that_forces_dashboard(
    live_server, watched, national_analyst, returns
):
    page = watched.page
    log_in(page, live_server.url, national_analyst.username, PERSONA_PASSWORD)
    page.goto(f"{live_server.url}/dashboards/ms/?period=2023-06&measure=ms_nrm_referrals")
    wait_for_charts(page)
    check_page(page, live_server.url, watched)  # linked bars: still no axe violation
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = false; })")
    bars = page.locator("#chart-forces-0 .mark-rect.role-mark path")
    assert bars.count() == 3  # Kent, Essex and Cleveland returned; the others say no return
    labels = page.locator("#chart-forces-0 .mark-text.role-mark text").evaluate_all(
        "texts => texts.map(t => t.textContent)"
    )
    assert labels.count("no return") == 40
    names = {"kent": "Kent Police", "essex": "Essex Police", "cleveland": "Cleveland Police"}
    bars.first.click()
    page.wait_for_url(lambda url: "orgunit=" in url)
    params = parse_qs(urlsplit(page.url).query)
    assert urlsplit(page.url).path == "/dashboards/ms/"
    assert params["period"] == ["2023-06"] and params["measure"] == ["ms_nrm_referrals"]
    force = params["orgunit"][0]
    assert page.locator(".govuk-caption-l").inner_text().startswith(names[force])
    assert watched.problems() == []


def test_keyboard_user_opens_a_region_from_the_table(
    live_server, watched, national_analyst, returns
):
    page = watched.page
    log_in(page, live_server.url, national_analyst.username, PERSONA_PASSWORD)
    page.goto(f"{live_server.url}/dashboards/oic/?period=2024-02")
    summary = page.locator("#regions-title ~ details summary")
    summary.focus()
    page.keyboard.press("Enter")
    link = page.locator("#regions-title ~ details table").get_by_role(
        "link", name="Eastern", exact=True
    )
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "orgunit=eastern" in url)
    assert urlsplit(page.url).path == "/dashboards/oic/"
    assert page.locator(".govuk-caption-l").inner_text().startswith("Eastern")
    assert watched.problems() == []
