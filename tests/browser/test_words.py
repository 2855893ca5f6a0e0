"""Returns in words, in a real browser (issue 11 item 9), as Kent's force user: an upload
with an error names the figure, sheet, row and column, and its error link leads to the file;
the stored return is named and linked with its next step; on the web form, following the
error summary's link puts the cursor in the box. axe-core (WCAG 2.2 AA) on each page, no
console error or CSP violation."""

from __future__ import annotations

from pathlib import Path

import pytest

from msoic.collection.models import Submission
from tests.browser.helpers import axe_violations, log_in
from tests.conftest import PERSONA_PASSWORD, csv_bytes, xlsx_bytes

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

FIGURE = "Live modern slavery investigations – criminal exploitation"


def test_an_upload_error_and_a_form_error_lead_to_the_figure(
    live_server, watched, settings, kent_user, tmp_path: Path
):
    settings.MSOIC_RUN_JOBS_INLINE = True
    page, url = watched.page, live_server.url
    log_in(page, url, kent_user.username, PERSONA_PASSWORD)

    (tmp_path / "bad.xlsx").write_bytes(
        xlsx_bytes(
            [
                ["kent", "2024-02", "ms_live_investigations", "", 4, ""],
                [
                    "kent",
                    "2024-02",
                    "ms_live_investigations",
                    "exploitation_type=criminal",
                    "x",
                    "",
                ],
            ],
            preamble=2,
        )
    )
    (tmp_path / "good.csv").write_bytes(csv_bytes([["kent", "2024-01", "ms_arrests", "", 2, ""]]))
    page.goto(f"{url}/returns/upload/")
    page.get_by_label("Return files").set_input_files(
        [tmp_path / "bad.xlsx", tmp_path / "good.csv"]
    )
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_url("**/returns/jobs/*/")
    assert axe_violations(page, url) == []

    page.get_by_role("link", name="bad.xlsx: 1 error, not stored", exact=True).click()
    assert page.url.endswith("#file-0")
    problem = page.locator("#file-0 tbody tr").first
    cells = [c.strip() for c in problem.locator("td").all_inner_texts()]
    assert cells[1:5] == ["Return", "5", FIGURE, "E"]  # sheet, row, figure, column
    assert "'x' is not a number" in cells[5]

    january = Submission.objects.get(orgunit__code="kent", period="2024-01-01")
    stored = page.get_by_role(
        "link", name="Modern slavery monthly return, Kent Police, January 2024", exact=True
    )
    assert stored.get_attribute("href") == f"/returns/{january.pk}/"
    assert page.get_by_text("Awaiting approval by the national team").is_visible()

    page.goto(f"{url}/returns/enter/ms-monthly/kent/2024-02/")
    page.get_by_label("Total investigations").fill("3")
    page.get_by_label("Exploitation type: Criminal exploitation").fill("x")
    page.get_by_role("button", name="Save return").click()
    link = page.locator(".govuk-error-summary__list a").first
    assert (link.inner_text() or "").startswith(f"{FIGURE}: ")
    assert axe_violations(page, url) == []
    link.click()
    box = "v__ms_live_investigations__exploitation_type__criminal"
    page.wait_for_function(f"document.activeElement && document.activeElement.id === '{box}'")
    assert page.locator(f"#{box}").input_value() == "x"
    assert not Submission.objects.filter(period="2024-02-01").exists()
    assert watched.problems() == []
