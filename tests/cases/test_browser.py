"""The register in a real browser: a Kent user records an investigation, adds a potential
victim and records the NRM referral and decisions; a coordinator opening it is asked why
first. Every page has no console error or CSP violation and no axe WCAG 2.2 AA violation."""

from __future__ import annotations

from typing import Any

import pytest

from msoic.audit.models import AuditEvent
from msoic.cases.models import Investigation, Person
from tests.browser.helpers import check_page, log_in
from tests.conftest import PERSONA_PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def record_event(page: Any, event: str, day: str, decision: str = "") -> None:
    page.get_by_role("link", name="Record a decision or event", exact=True).click()
    page.get_by_role("radio", name=event).wait_for()
    page.get_by_role("radio", name=event).check()
    page.get_by_label("Date").fill(day)
    if decision:
        page.get_by_label("Decision (reasonable or conclusive grounds)").select_option(
            label=decision
        )
    page.get_by_role("button", name="Record").click()
    page.get_by_text("Recorded for KENT-P000001").wait_for()


def test_record_an_investigation_a_victim_and_decisions(
    live_server: Any, watched: Any, kent_user: Any, eastern_coordinator: Any
) -> None:
    page, url = watched.page, live_server.url
    log_in(page, url, kent_user.username, PERSONA_PASSWORD)
    page.get_by_role("link", name="Investigations", exact=True).click()
    page.wait_for_url("**/investigations/")
    check_page(page, url, watched)
    page.get_by_role("link", name="The register", exact=True).click()
    page.wait_for_url("**/investigations/register/")
    check_page(page, url, watched)

    page.get_by_role("link", name="Record an investigation", exact=True).click()
    page.get_by_label("Crime reference").wait_for()
    page.get_by_label("Crime reference").fill("46/5555/24")
    page.get_by_label("Date opened").fill("2024-01-10")
    page.get_by_label("Labour exploitation").check()
    page.get_by_label("Criminal exploitation").check()
    page.get_by_role("button", name="Save").click()
    page.get_by_text("There is a problem").wait_for()
    check_page(page, url, watched)  # the error summary and messages are accessible too
    page.get_by_label("Primary exploitation type").select_option(label="Labour exploitation")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Investigation 46/5555/24 recorded").wait_for()
    check_page(page, url, watched)

    page.get_by_role("link", name="Add a person", exact=True).click()
    page.get_by_label("Potential victim").wait_for()
    page.get_by_label("Potential victim").check()
    page.get_by_label("Age group at exploitation").select_option(label="Adult (18 or over)")
    page.get_by_label("Gender").select_option(label="Female")
    page.get_by_label("Nationality").fill("Albania")
    check_page(page, url, watched)
    page.get_by_role("button", name="Add the person").click()
    page.get_by_text("KENT-P000001 added to the investigation").wait_for()
    check_page(page, url, watched)

    record_event(page, "NRM referral", "2024-01-12")
    record_event(page, "Reasonable grounds decision", "2024-01-16", "Positive")
    page.get_by_role("link", name="Record a decision or event", exact=True).click()
    page.get_by_role("radio", name="Conclusive grounds decision").wait_for()
    check_page(page, url, watched)
    page.get_by_role("link", name="Back", exact=True).click()
    page.get_by_text("Reasonable grounds decision").first.wait_for()
    record_event(page, "Conclusive grounds decision", "2024-05-02", "Positive")
    check_page(page, url, watched)
    person = Person.objects.get()
    assert (person.rg_decision, person.cg_decision, person.nationality) == (
        "positive",
        "positive",
        "AL",
    )

    page.get_by_role("button", name="Log out").click()
    log_in(page, url, eastern_coordinator.username, PERSONA_PASSWORD)
    investigation = Investigation.objects.get()
    page.goto(f"{url}/investigations/{investigation.pk}/")
    page.get_by_text("Why are you opening this record?").first.wait_for()
    check_page(page, url, watched)
    page.get_by_label("Safeguarding a potential victim").check()
    page.get_by_role("button", name="Open the record").click()
    page.get_by_role("heading", name="Investigation 46/5555/24").wait_for()
    check_page(page, url, watched)
    row = AuditEvent.objects.filter(action="consultation").order_by("-seq").first()
    assert row is not None and row.actor == eastern_coordinator
    assert row.justification == "Safeguarding a potential victim"
