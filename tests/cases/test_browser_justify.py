"""The s.62 question before a case opens, in a real browser (issue 11 item 11): the question
is the page's heading, no reason is chosen beforehand, "Your reason" appears only when
"Another reason" is chosen (GOV.UK conditional reveal), an empty reason is an error linked
to the box, and one answer opens the investigation and the people on it. axe-core at WCAG
2.2 AA on every state. Persona: the Eastern coordinator opening a Kent case."""

from __future__ import annotations

from typing import Any

import pytest

from msoic.audit.models import AuditEvent
from msoic.cases import actions
from msoic.orgunits.models import OrgUnit
from tests.browser.helpers import check_page, log_in
from tests.conftest import PERSONA_PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_one_question_asked_once_for_the_case_with_your_reason_under_another(
    live_server: Any, watched: Any, kent_user: Any, eastern_coordinator: Any
) -> None:
    from datetime import date

    case = actions.do_create_investigation(
        OrgUnit.objects.get(code="kent"),
        actor=kent_user,
        crime_reference="46/7777/24",
        opened_on=date(2024, 1, 10),
        exploitation_types=["labour"],
    )
    person = actions.do_add_person(case, actor=kent_user, category="victim", age_group="adult")
    page, url = watched.page, live_server.url
    log_in(page, url, eastern_coordinator.username, PERSONA_PASSWORD)
    page.goto(f"{url}/investigations/{case.pk}/")
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == "Why are you opening this record?"
    group = page.get_by_role("group", name="Why are you opening this record?")
    assert group.is_visible()
    assert page.locator("input[type=radio]:checked").count() == 0
    box = page.get_by_label("Your reason")
    assert not box.is_visible()
    check_page(page, url, watched)

    page.get_by_label("Another reason").check()
    assert box.is_visible()
    assert page.get_by_label("Another reason").get_attribute("aria-controls") == "conditional-other"
    check_page(page, url, watched)
    page.get_by_label("Working on the investigation").check()
    assert not box.is_visible()

    page.get_by_label("Another reason").check()
    page.get_by_role("button", name="Open the record").click()
    page.get_by_role("link", name="Enter your reason for opening this record", exact=True).click()
    assert page.evaluate("document.activeElement.id") == "id_other"
    check_page(page, url, watched)
    box.fill("Joint visit with the ROCU")
    page.get_by_role("button", name="Open the record").click()
    page.get_by_role("heading", name="Investigation 46/7777/24").wait_for()

    # the people on it open without asking again, logged with the same reason
    page.goto(f"{url}/investigations/people/{person.pk}/")
    page.get_by_role("heading", name=person.reference).wait_for()
    assert "/justify/" not in page.url
    reasons = set(
        AuditEvent.objects.filter(action="consultation").values_list("justification", flat=True)
    )
    assert reasons == {"Joint visit with the ROCU"}
    check_page(page, url, watched)
