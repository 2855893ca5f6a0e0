"""The returns pages in a real browser: no console error or CSP violation, axe-core finds
no WCAG 2.2 AA violation, and an upload's progress page updates itself through HTMX."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from msoic.collection.actions import do_approve_submission, do_create_import_job, run_import_job
from msoic.collection.models import Submission
from msoic.collection.pipeline import import_file
from tests.browser.helpers import axe_violations, check_page, log_in
from tests.conftest import PERSONA_PASSWORD, csv_bytes

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

BAD = csv_bytes(
    [
        ["kent", "2024-02", "ms_arrests", "", "12.5", ""],
        ["essex", "2024-02", "ms_arrests", "", 1, ""],
    ]
)
UNUSUAL = csv_bytes([["kent", "2024-02", "ms_charges", "", 80, ""]])


@pytest.fixture
def kent_returns(kent_user, national_analyst):
    """Kent's charges at a steady level for a year, two months approved."""
    for month in range(1, 13):
        outcome = import_file(
            f"2023-{month:02d}.csv",
            csv_bytes([["kent", f"2023-{month:02d}", "ms_charges", "", 3, ""]]),
            actor=kent_user,
            received_at=datetime(2023, month, 1, tzinfo=UTC),
        )
        assert outcome.ok
    for sub in Submission.objects.filter(period__lte="2023-02-01"):
        do_approve_submission(sub, actor=national_analyst)


def upload_through_the_form(page, base_url: str, tmp_path: Path) -> None:
    (tmp_path / "bad.csv").write_bytes(BAD)
    (tmp_path / "unusual.csv").write_bytes(UNUSUAL)
    page.goto(f"{base_url}/returns/upload/")
    page.get_by_label("Return files").set_input_files(
        [tmp_path / "bad.csv", tmp_path / "unusual.csv"]
    )
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_url("**/returns/jobs/*/")


def test_upload_errors_and_comments_in_the_browser(
    live_server, watched, settings, kent_user, kent_returns, tmp_path
):
    settings.MSOIC_RUN_JOBS_INLINE = True
    page = watched.page
    log_in(page, live_server.url, kent_user.username, PERSONA_PASSWORD)
    upload_through_the_form(page, live_server.url, tmp_path)
    assert page.get_by_role("link", name="bad.csv: 2 errors, not stored", exact=True).is_visible()
    assert page.get_by_text("12.5 is not a whole number").is_visible()
    assert axe_violations(page, live_server.url) == []

    page.get_by_label("Comment on row 2").fill("A trafficking ring charged in one operation")
    page.get_by_role("button", name="Submit with these comments").click()
    assert page.get_by_text("unusual.csv was accepted with your comments").is_visible()
    assert Submission.objects.get(period="2024-02-01").current_version.acknowledged_warnings
    assert watched.problems() == []


def test_progress_updates_without_reloading(live_server, watched, kent_user):
    page = watched.page
    log_in(page, live_server.url, kent_user.username, PERSONA_PASSWORD)
    job = do_create_import_job(
        [("feb.csv", csv_bytes([["kent", "2024-02", "ms_arrests", "", 2, ""]]))], actor=kent_user
    )
    page.goto(f"{live_server.url}/returns/jobs/{job.pk}/")
    assert page.get_by_text("Checked 0 of 1 file.").is_visible()
    assert axe_violations(page, live_server.url) == []
    page.evaluate("window.__notReloaded = true")
    run_import_job(job.pk)
    page.get_by_role("heading", name="Upload complete").wait_for(timeout=10_000)
    assert page.evaluate("window.__notReloaded") is True  # swapped in place by HTMX
    assert watched.problems() == []


@pytest.mark.parametrize(
    ("persona", "path"),
    [
        ("kent", "/returns/"),
        ("kent", "/returns/upload/"),
        ("kent", "/returns/enter/ms-monthly/kent/2024-01/"),
        ("kent", "/returns/completeness/?end=2023-12"),
        ("national", "/returns/?force=kent"),
        ("national", "/returns/completeness/?end=2023-12"),
        ("national", "/audit/?verify=1"),
        ("eastern", "/returns/completeness/?end=2023-12"),
    ],
)
def test_returns_pages_pass_axe(live_server, watched, personas, kent_returns, persona, path):
    page = watched.page
    log_in(page, live_server.url, personas[persona].username, PERSONA_PASSWORD)
    page.goto(live_server.url + path)
    check_page(page, live_server.url, watched)


def test_return_page_and_form_errors_pass_axe(live_server, watched, national_analyst, kent_returns):
    page = watched.page
    log_in(page, live_server.url, national_analyst.username, PERSONA_PASSWORD)
    sub = Submission.objects.get(period="2023-06-01")
    page.goto(f"{live_server.url}/returns/{sub.pk}/")
    assert axe_violations(page, live_server.url) == []
    page.goto(f"{live_server.url}/returns/enter/ms-monthly/kent/2023-06/")
    page.locator("#v__ms_arrests").fill("-2")
    page.locator("#v__ms_charges").fill("90")
    page.get_by_role("button", name="Save return").click()
    assert page.get_by_role(
        "link", name="Value must be a whole number of 0 or more: -2 is negative"
    ).is_visible()
    assert axe_violations(page, live_server.url) == []
    page.get_by_role(
        "link", name="Value must be a whole number of 0 or more: -2 is negative"
    ).click()
    assert page.evaluate("document.activeElement.id") == "v__ms_arrests"
    assert watched.problems() == []
