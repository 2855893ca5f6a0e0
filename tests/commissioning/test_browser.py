"""Commissioning in a real browser: the unit opens Commissioning from the navigation, reads
each envelope's position, opens the envelope (the approved-bids-by-region chart is drawn)
and part-funds a bid in pounds and pence. No console error or CSP violation, and axe-core
finds no WCAG 2.2 AA violation on any page."""

from __future__ import annotations

from typing import Any

import pytest

from msoic.commissioning import actions
from msoic.commissioning.models import Bid, BidStatus
from tests.browser.helpers import check_page, log_in, wait_for_charts
from tests.commissioning.conftest import make_bid, make_envelope, make_window
from tests.conftest import PERSONA_PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_unit_reads_the_position_and_part_funds_a_bid(
    live_server: Any, watched: Any, personas: dict[str, Any]
) -> None:
    unit = personas["national"]
    envelope = make_envelope(unit, amount="5000000.00", name="Project Terminus")
    window = make_window(unit, envelope)
    approved = make_bid(window, personas["kent"], amount="40000.00")
    actions.do_decide_bid(approved, actor=unit, outcome="approved", reason="Good case")
    waiting = make_bid(window, personas["essex"], amount="30000.00")

    page, url = watched.page, live_server.url
    log_in(page, url, unit.username, PERSONA_PASSWORD)
    page.get_by_role("link", name="Commissioning", exact=True).first.click()
    page.wait_for_url("**/commissioning/")
    page.get_by_text("£4,960,000", exact=True).first.wait_for()
    check_page(page, url, watched)

    page.get_by_role("link", name="Project Terminus", exact=True).click()
    page.wait_for_url(f"**/commissioning/envelopes/{envelope.pk}/")
    assert wait_for_charts(page) == 1
    check_page(page, url, watched)

    page.goto(f"{url}/commissioning/bids/{waiting.pk}/")
    page.get_by_label("Decision").select_option(label="Part-fund")
    page.get_by_label("Amount awarded if part-funded (£)").fill("£20,000.5")
    page.get_by_label("Reason").fill("Core activity only")
    page.get_by_role("button", name="Record the decision").click()
    page.get_by_text("Decision recorded").wait_for()
    check_page(page, url, watched)
    bid = Bid.objects.get(pk=waiting.pk)
    assert bid.status == BidStatus.PART_FUNDED and bid.amount_awarded_pence == 2_000_050
