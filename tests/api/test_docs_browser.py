"""The API page in a real browser: no CSP violation or error, axe-core finds no WCAG 2.2 AA
violation, and its link to the JSON description works."""

from __future__ import annotations

import pytest

from msoic.api import service
from tests.browser.helpers import check_page, log_in
from tests.conftest import PERSONA_PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("persona", ["kent", "partner"])
def test_api_page_passes_axe_without_errors(live_server, watched, personas, persona):
    page = watched.page
    log_in(page, live_server.url, personas[persona].username, PERSONA_PASSWORD)
    page.goto(f"{live_server.url}/api/v1/docs/")
    assert page.get_by_role("heading", level=1).inner_text() == "MSOIC Insight API"
    # a section per operation of the generated document (seven: the page itself is none)
    assert page.locator("section h3 code").count() == len(service.endpoints()) == 7
    check_page(page, live_server.url, watched)


def test_api_page_link_to_the_json_description_works(live_server, watched, kent_user):
    page = watched.page
    log_in(page, live_server.url, kent_user.username, PERSONA_PASSWORD)
    page.goto(f"{live_server.url}/api/v1/docs/")
    with page.expect_response(lambda r: r.url.endswith("/api/v1/openapi.json")) as info:
        page.get_by_role("link", name="OpenAPI 3.1.0 JSON", exact=True).click()
    assert info.value.status == 200 and info.value.json()["openapi"] == "3.1.0"
