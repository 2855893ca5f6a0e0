"""The unit's journey in a real browser: CPS outcomes from the navigation, an extract refused
with its row and column then imported, a linkage run started (run in the request here, on
the worker in production), a candidate pair reviewed side by side and confirmed, and the
funnel. axe-core finds no WCAG 2.2 AA violation on any page, and no console error or CSP
violation happens."""

from __future__ import annotations

from typing import Any

import pytest

from msoic.cps.models import Link, LinkStatus
from tests.browser.helpers import check_page, log_in
from tests.conftest import PERSONA_PASSWORD
from tests.cps.conftest import case_row, extract_csv, synthetic, write_register

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_unit_imports_links_reviews_and_reads_the_funnel(
    live_server: Any, watched: Any, personas: dict[str, Any], settings: Any, tmp_path: Any
) -> None:
    settings.MSOIC_RUN_JOBS_INLINE = True
    data = synthetic(120, seed=1)  # a seed whose run leaves candidates for review
    write_register(data)
    bad = tmp_path / "cps-bad.csv"
    bad.write_bytes(extract_csv([*data.cases[:3], case_row(force="atlantis")]))
    good = tmp_path / "cps.csv"
    good.write_bytes(extract_csv(data.cases))

    page, url = watched.page, live_server.url
    log_in(page, url, personas["national"].username, PERSONA_PASSWORD)
    page.get_by_role("link", name="CPS outcomes", exact=True).click()
    page.get_by_text("No CPS cases yet.").wait_for()
    check_page(page, url, watched)

    page.get_by_role("link", name="Import a CPS extract").click()
    page.get_by_label("CPS case extract (CSV or XLSX)").set_input_files(str(bad))
    page.get_by_role("button", name="Import").click()
    page.get_by_text("cps-bad.csv, row 5, column B (force): unknown force").wait_for()
    check_page(page, url, watched)
    page.get_by_label("CPS case extract (CSV or XLSX)").set_input_files(str(good))
    page.get_by_role("button", name="Import").click()
    page.get_by_text(f"cps.csv: {len(data.cases)} cases, {len(data.cases)} new").wait_for()
    check_page(page, url, watched)

    page.get_by_role("link", name="Linkage runs").click()
    page.get_by_role("button", name="Start a linkage run").click()
    page.get_by_text("started on the worker").wait_for()
    check_page(page, url, watched)
    waiting = Link.objects.filter(status=LinkStatus.CLERICAL).count()
    assert waiting > 0 and Link.objects.filter(status=LinkStatus.AUTOMATIC).exists()

    page.get_by_role("link", name="review", exact=True).click()
    check_page(page, url, watched)
    first = Link.objects.filter(status=LinkStatus.CLERICAL).order_by("-probability", "pk")[0]
    page.get_by_role("link", name=first.case.urn).click()
    page.get_by_role("heading", name="Is this the same defendant?").wait_for()
    page.get_by_role("table").get_by_text(first.crime_reference).first.wait_for()
    check_page(page, url, watched)
    page.get_by_label("Confirm: the same defendant").check()
    page.get_by_role("button", name="Save decision").click()
    page.get_by_text(f"{first.case.urn} and {first.crime_reference}: confirmed").wait_for()
    first.refresh_from_db()
    assert first.status == LinkStatus.CONFIRMED

    page.goto(f"{url}/cps/funnel/?period=FY2022-23")
    page.get_by_role("heading", name="From investigation to conviction").wait_for()
    page.get_by_role("table", name="The funnel").wait_for()
    check_page(page, url, watched)
