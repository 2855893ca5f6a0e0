"""An intensification in a real browser: the unit plans it from the Operations hub; Kent
enters its return on the web form (the collection pipeline's); the operation page shows
the totals, Kent's row and highlights. No console error or CSP violation, and axe-core
finds no WCAG 2.2 AA violation on any page."""

from __future__ import annotations

from typing import Any

import pytest

from msoic.operations.models import Operation
from tests.browser.helpers import check_page, log_in
from tests.conftest import PERSONA_PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_operation_planned_returned_and_totalled(
    live_server: Any, watched: Any, personas: dict[str, Any]
) -> None:
    page, url = watched.page, live_server.url
    log_in(page, url, personas["national"].username, PERSONA_PASSWORD)
    page.get_by_role("link", name="Operations", exact=True).click()
    page.wait_for_url("**/operations/")
    check_page(page, url, watched)
    page.get_by_role("link", name="Intensifications", exact=True).click()
    page.wait_for_url("**/operations/intensifications/")
    page.get_by_role("link", name="Plan an operation", exact=True).click()
    page.get_by_label("Theme").wait_for()
    check_page(page, url, watched)
    page.get_by_label("Number").fill("36")
    page.get_by_label("Theme").fill("Labour exploitation in the care sector")
    page.get_by_label("Exploitation type").select_option(label="Labour exploitation")
    page.get_by_label("Start date").fill("2024-02-19")
    page.get_by_label("End date").fill("2024-02-25")
    page.get_by_label("Lead agency").fill("MSOIC Unit and National Crime Agency")
    page.get_by_label("Kent Police").check()
    page.get_by_label("Essex Police").check()
    page.get_by_label("Businesses reached").check()
    page.get_by_role("button", name="Save").click()
    page.get_by_text("AIDANT 36 planned").wait_for()
    check_page(page, url, watched)
    op = Operation.objects.get(number=36)

    page.get_by_role("button", name="Log out").click()
    log_in(page, url, personas["kent"].username, PERSONA_PASSWORD)
    page.goto(f"{url}/operations/intensifications/{op.pk}/")
    page.get_by_role("link", name="Enter on the web for Kent Police", exact=True).click()
    page.wait_for_url(f"**/returns/enter/{op.dataset_code}/kent/2024-02/")
    check_page(page, url, watched)
    page.locator("#v__op_disruptions").fill("7")
    page.locator("#v__op_arrests").fill("2")
    page.locator("#v__op_businesses_reached").fill("140")
    page.locator("#c__op_highlights").fill(
        "Training for 140 care providers on exploitation indicators"
    )
    page.get_by_role("button", name="Save return").click()
    page.get_by_text("Return saved as version 1").wait_for()

    page.goto(f"{url}/operations/intensifications/{op.pk}/")
    page.get_by_text("1 of 2 participating forces have returned").wait_for()
    check_page(page, url, watched)
    assert page.get_by_text("Training for 140 care providers").is_visible()
    by_force = page.get_by_role("region", name="By force, and completeness of returns")
    assert "Returned" in by_force.inner_text() and "Essex" not in by_force.inner_text()
