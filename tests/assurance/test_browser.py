"""Benchmarking in a real browser: the unit opens a campaign, Kent grades and submits
(acknowledging Green without evidence), the Eastern coordinator challenges a grade, the unit
finalises and reads the national picture. Every page has no console error or CSP violation,
and axe-core finds no WCAG 2.2 AA violation."""

from __future__ import annotations

from typing import Any

import pytest

from msoic.assurance.models import Assessment
from tests.browser.helpers import check_page, log_in, switch_user
from tests.conftest import PERSONA_PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_benchmarking_end_to_end(live_server: Any, watched: Any, personas: dict[str, Any]) -> None:
    page, url = watched.page, live_server.url
    log_in(page, url, personas["national"].username, PERSONA_PASSWORD)
    page.get_by_role("link", name="Benchmarking", exact=True).first.click()
    page.get_by_role("button", name="Open a campaign").wait_for()
    check_page(page, url, watched)
    page.get_by_role("button", name="Open a campaign").click()
    page.get_by_label("Campaign name").fill("Benchmarking 2023/24")
    page.get_by_label("Deadline").fill("2024-03-31")
    page.get_by_label("Kent Police").check()
    page.get_by_label("Essex Police").check()
    check_page(page, url, watched)
    page.get_by_role("button", name="Open the campaign").click()
    page.get_by_text("Opened Benchmarking 2023/24 for 2 forces").wait_for()
    check_page(page, url, watched)

    switch_user(page, url, personas["kent"].username)
    kent = Assessment.objects.get(orgunit__code="kent")
    page.goto(f"{url}/assurance/assessments/{kent.pk}/")
    check_page(page, url, watched)
    for select in page.locator("select[name^='grade-']").all():
        select.select_option("green")
    page.get_by_role("button", name="Submit").click()
    page.get_by_text("I confirm the Green grades without evidence are right").wait_for()
    check_page(page, url, watched)
    page.get_by_label("I confirm the Green grades without evidence are right").check()
    page.get_by_role("button", name="Submit").click()
    page.get_by_text("Assessment submitted to your regional coordinator").wait_for()
    check_page(page, url, watched)

    switch_user(page, url, personas["eastern"].username)
    page.goto(f"{url}/assurance/assessments/{kent.pk}/")
    page.get_by_text("Challenge LG1").click()
    page.get_by_label("Agreed grade").first.select_option("amber")
    page.locator("#reason-" + str(kent.grades.get(standard__reference="LG1").standard_id)).fill(
        "No board minutes since May"
    )
    page.get_by_role("button", name="Record agreed grade").first.click()
    page.get_by_text("Agreed grade recorded for LG1").wait_for()
    check_page(page, url, watched)

    switch_user(page, url, personas["national"].username)
    page.goto(f"{url}/assurance/assessments/{kent.pk}/")
    page.get_by_role("button", name="Finalise and lock").click()
    page.get_by_text("Assessment finalised and locked").wait_for()
    page.goto(f"{url}/assurance/campaigns/{kent.campaign_id}/results/")
    page.get_by_text("National picture").wait_for()
    check_page(page, url, watched)
