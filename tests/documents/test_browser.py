"""The library and partnerships in a real browser: the unit publishes the National Response
Plan template (a macro-enabled file first, refused with the reason and nothing stored), then
uploads a second version; a partner finds the OFFICIAL document but not an OFFICIAL-SENSITIVE
one; the Eastern coordinator reads their region's partnership coverage and adds a force to
their partnership. Every page passes axe-core (WCAG 2.2 AA) with no console error or CSP
violation."""

from __future__ import annotations

from typing import Any

import pytest

from msoic.documents.models import Document
from tests.browser.helpers import check_page, log_in, switch_user
from tests.conftest import PERSONA_PASSWORD
from tests.documents.conftest import DOCX, PDF, docm_bytes, publish
from tests.partnerships.conftest import make_partnership

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_publish_revise_and_download_by_marking(
    live_server: Any, watched: Any, personas: dict[str, Any]
) -> None:
    page, url = watched.page, live_server.url
    publish(personas["national"], title="Car wash problem profile", marking="official_sensitive")
    make_partnership(personas["national"], coordinator=personas["eastern"])

    log_in(page, url, personas["national"].username, PERSONA_PASSWORD)
    page.get_by_role("link", name="Documents", exact=True).first.click()
    page.wait_for_url("**/documents/")
    page.get_by_role("link", name="Publish a document", exact=True).click()
    page.wait_for_url("**/documents/new/")
    check_page(page, url, watched)
    page.get_by_label("Title").fill("National Response Plan template")
    page.get_by_label("Type").select_option("template")
    page.get_by_label("Audience").select_option("senior_leaders")
    page.get_by_label("Owner").select_option("national")
    page.get_by_label("Security classification").select_option("official")
    page.get_by_label("Publication date").fill("2023-06-01")
    page.get_by_label("File (PDF").set_input_files(
        {
            "name": "nrp-template.docm",
            "mimeType": "application/octet-stream",
            "buffer": docm_bytes(),
        }
    )
    page.get_by_role("button", name="Publish").click()
    page.get_by_text("There is a problem").wait_for()
    assert "macro-enabled Office file (.docm), which is refused" in page.content()
    assert not Document.objects.filter(title="National Response Plan template").exists()
    check_page(page, url, watched)
    page.get_by_label("File (PDF").set_input_files(
        {"name": "nrp-template.docx", "mimeType": "application/octet-stream", "buffer": DOCX}
    )
    page.get_by_role("button", name="Publish").click()
    page.get_by_text("National Response Plan template published (version 1)").wait_for()
    check_page(page, url, watched)
    page.get_by_role("link", name="Upload a new version", exact=True).click()
    page.get_by_label("Publication date of this version").fill("2023-09-01")
    page.get_by_label("What changed (optional)").fill("Regional contacts added")
    page.get_by_label("File (PDF").set_input_files(
        {"name": "nrp-template-v2.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="Upload").click()
    page.get_by_text("Version 2 uploaded; earlier versions are kept").wait_for()
    rows = page.get_by_role("row")
    assert "Regional contacts added" in rows.nth(1).text_content()
    assert "nrp-template.docx" in rows.nth(2).text_content()
    check_page(page, url, watched)

    # a partner sees the OFFICIAL template, not the OFFICIAL-SENSITIVE profile, and downloads
    switch_user(page, url, personas["partner"].username)
    page.get_by_role("link", name="Documents", exact=True).first.click()
    assert "Car wash problem profile" not in page.content()
    check_page(page, url, watched)
    page.get_by_role("link", name="National Response Plan template", exact=True).click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download nrp-template.docx (version 1)").click()
    assert download.value.suggested_filename == "nrp-template.docx"
    check_page(page, url, watched)

    # the Eastern coordinator reads their region's coverage
    switch_user(page, url, personas["eastern"].username)
    page.get_by_role("link", name="Partnerships", exact=True).first.click()
    page.get_by_text("2 of 7 forces are in at least one partnership today").wait_for()
    check_page(page, url, watched)
    # ... and adds Norfolk to their partnership
    page.get_by_role("link", name="Eastern Region Anti-Slavery Partnership", exact=True).click()
    page.get_by_role("link", name="Change the members", exact=True).click()
    page.wait_for_url("**/members/")
    check_page(page, url, watched)
    page.get_by_label("Member forces").select_option(["essex", "kent", "norfolk"])
    page.get_by_role("button", name="Save the members").click()
    page.get_by_text("Members of Eastern Region Anti-Slavery Partnership changed").wait_for()
    assert "Norfolk Constabulary" in page.content()
    check_page(page, url, watched)
    page.get_by_role("link", name="All partnerships", exact=True).click()
    page.get_by_text("3 of 7 forces are in at least one partnership today").wait_for()
