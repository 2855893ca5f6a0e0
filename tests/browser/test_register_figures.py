"""A DDE force's return in a real browser (issue 11 item 4): the Kent user, on direct data
entry for live investigations, opens February's return from the completeness grid; the
grid notes the register, the return's page shows the register's count "from the
investigation register" instead of "not given", and both pass axe-core at WCAG 2.2 AA."""

from __future__ import annotations

import pytest

from msoic.metrics.engine import query
from tests.browser.helpers import check_page, log_in
from tests.collection.test_register_figures import METRIC, kent_on_dde, ou  # noqa: F401
from tests.conftest import PERSONA_PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_dde_return_and_grid_show_the_register_figures(live_server, watched, kent_on_dde):  # noqa: F811
    page, url = watched.page, live_server.url
    log_in(page, url, "kent.user", PERSONA_PASSWORD)
    page.goto(f"{url}/returns/completeness/?dataset=ms-monthly&end=2024-02&months=3")
    note = page.locator(".msoic-grid__derived")
    assert note.inner_text() == (
        "Live modern slavery investigations: from the investigation register since Jan 2024"
    )
    check_page(page, url, watched)
    page.get_by_role("link", name="Kent Police February 2024").click()
    page.get_by_role("heading", name="Kent Police, February 2024").wait_for()
    live = page.get_by_role("row", name="Live modern slavery investigations", exact=False).first
    expected = query(METRIC, ou("kent"), "2024-02").value
    assert live.locator("[data-from-register]").inner_text().splitlines() == [
        str(expected),
        "from the investigation register",
    ]
    assert "not given" not in live.inner_text()
    check_page(page, url, watched)
