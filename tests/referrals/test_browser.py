"""The referral pathway in a real browser: the Human Tissue Authority makes a referral, Kent
Police acknowledges it and records the outcome, and the HTA sees the status; a referral
left unacknowledged for 48 hours reaches the unit's home page as escalated. Every page
passes axe-core (WCAG 2.2 AA) with no console error or CSP violation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.browser.helpers import check_page, log_in, switch_user
from tests.conftest import PERSONA_PASSWORD, _make
from tests.referrals.conftest import submit

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_referral_from_the_hta_to_the_force_and_back(
    live_server: Any, watched: Any, personas: dict[str, Any]
) -> None:
    hta = _make("hta.browser", "partner", "hta")
    kent = personas["kent"]
    page, url = watched.page, live_server.url
    # sent to Essex 49 hours ago and never acknowledged: the hourly run escalates it
    late = submit(hta, at=timezone.now() - timedelta(hours=49), local_authority="E07000071")
    call_command("escalate_referrals")

    # the HTA makes a referral about a place in Maidstone
    log_in(page, url, hta.username, PERSONA_PASSWORD)
    page.get_by_role("link", name="Referrals", exact=True).first.click()
    page.wait_for_url("**/referrals/")
    page.get_by_role("link", name="Make a referral", exact=True).click()
    page.wait_for_url("**/referrals/new/")
    check_page(page, url, watched)
    page.get_by_label("Referring clinician").fill("Dr C. Coordinator")
    page.get_by_label("Hospital").fill("Maidstone Hospital")
    page.get_by_label("Date of the concern").fill("2024-05-01")
    page.get_by_label("Payment to the donor was made, offered or mentioned").check()
    page.get_by_label("What was observed").fill("A donor was promised payment by a broker.")
    page.get_by_label("Donor's reference (not a name)").fill("D-2024-0500")
    page.get_by_role("button", name="Send the referral").click()
    # nothing chosen for the place: the form says what is missing, in an accessible page
    page.get_by_text("There is a problem").wait_for()
    check_page(page, url, watched)
    page.get_by_label("Local authority of the place of concern").select_option("E07000110")
    page.get_by_role("button", name="Send the referral").click()
    page.wait_for_url("**/referrals/*/")
    assert "sent to Kent Police" in page.content()
    reference = page.get_by_role("heading", level=1).text_content().removeprefix("Referral ")
    assert page.locator("[data-status]").text_content().strip() == "Awaiting acknowledgement"
    check_page(page, url, watched)

    # Kent Police acknowledges it and records a crime
    switch_user(page, url, kent.username)
    page.get_by_role("link", name="Referrals", exact=True).first.click()
    page.get_by_role("link", name=reference, exact=True).click()
    page.get_by_role("heading", name="Guidance for investigators").wait_for()
    check_page(page, url, watched)
    page.get_by_role("button", name="Acknowledge the referral").click()
    page.get_by_text(f"Referral {reference} acknowledged").wait_for()
    page.get_by_role("link", name="Record the outcome").click()
    page.wait_for_url("**/outcome/")
    page.get_by_label("Crime recorded").check()
    page.get_by_label("Crime reference or investigation reference").fill("46/50001/24")
    check_page(page, url, watched)
    page.get_by_role("button", name="Record the outcome").click()
    page.get_by_text(f"Outcome of {reference} recorded").wait_for()
    check_page(page, url, watched)

    # the HTA sees the outcome, not the force's crime reference
    switch_user(page, url, hta.username)
    page.get_by_role("link", name="Referrals", exact=True).first.click()
    page.get_by_role("link", name="Outcome recorded", exact=True).click()
    row = page.get_by_role("row").filter(has_text=reference)
    assert "Crime recorded" in row.text_content()
    row.get_by_role("link", name=reference).click()
    assert page.locator("[data-status]").text_content().strip() == "Crime recorded"
    assert "46/50001/24" not in page.content()
    check_page(page, url, watched)

    # the unit finds the escalated referral from its home page
    switch_user(page, url, personas["national"].username)
    escalated = page.locator("main a[href='/referrals/?show=escalated']")
    assert escalated.text_content().startswith("1 referral")
    escalated.click()
    page.wait_for_url("**show=escalated**")
    row = page.get_by_role("row").filter(has_text=late.reference)
    assert "Escalated" in row.text_content() and "Essex Police" in row.text_content()
    assert page.get_by_role("link", name=reference, exact=True).count() == 0  # acknowledged
    check_page(page, url, watched)
