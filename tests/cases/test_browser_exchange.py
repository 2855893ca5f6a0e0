"""Import and HTCDS exchange in a real browser: a Kent user uploads a register workbook that
fails on its last row (every problem listed, nothing stored), then a good one; then exports
potential victims in HTCDS, naming the recipient. No console error or CSP violation, and
no axe WCAG 2.2 AA violation on any page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from msoic.audit.models import AuditAction, AuditEvent
from msoic.cases.models import Investigation, Person
from tests.browser.helpers import check_page, log_in
from tests.cases.test_import import GOOD_INVESTIGATIONS, GOOD_PEOPLE, workbook
from tests.conftest import PERSONA_PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_import_a_register_then_export_its_victims_in_htcds(
    live_server: Any, watched: Any, kent_user: Any, tmp_path: Path
) -> None:
    page, url = watched.page, live_server.url
    bad = tmp_path / "register-bad.xlsx"
    bad.write_bytes(
        workbook(
            GOOD_INVESTIGATIONS,
            [*GOOD_PEOPLE, ["46/2/24", "victim", "child", "male", "GB", "", "", "2024-03-01"]],
        )
    )
    good = tmp_path / "register.xlsx"
    good.write_bytes(workbook(GOOD_INVESTIGATIONS, GOOD_PEOPLE))

    log_in(page, url, kent_user.username, PERSONA_PASSWORD)
    page.get_by_role("link", name="Investigations", exact=True).click()
    page.wait_for_url("**/investigations/")
    page.get_by_role("link", name="Import your register", exact=True).click()
    page.wait_for_url("**/investigations/import/")
    check_page(page, url, watched)

    page.get_by_label("Register files").set_input_files(str(bad))
    page.get_by_role("button", name="Import and check").click()
    page.get_by_role("heading", name="register-bad.xlsx: not stored").wait_for()
    check_page(page, url, watched)
    assert page.get_by_role("cell", name="H (dtn_reported_on)").is_visible()
    assert not Investigation.objects.exists()

    page.get_by_label("Register files").set_input_files(str(good))
    page.get_by_role("button", name="Import and check").click()
    page.get_by_role("heading", name="register.xlsx: stored").wait_for()
    check_page(page, url, watched)
    assert Person.objects.filter(force__code="kent").count() == 3

    page.goto(f"{url}/investigations/htcds/")
    page.get_by_label("Who is the file for?").wait_for()
    check_page(page, url, watched)
    page.get_by_label("Who is the file for?").fill("Unseen UK, case team")
    page.get_by_label("What is it for?").fill("Support for two potential victims")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download").click()
    assert download.value.suggested_filename.startswith("htcds-kent-")
    event = AuditEvent.objects.get(action=AuditAction.DISCLOSURE)
    assert event.recipient == "Unseen UK, case team" and event.detail["people_count"] == 2
    assert event.justification == "Support for two potential victims"
