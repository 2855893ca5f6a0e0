"""Intelligence logs in a real browser: a Kent user sends an extract on the web (a refused
one first, with its row and column shown and nothing stored, then a good one), and the unit
reviews a log from the queue. axe-core finds no WCAG 2.2 AA violation on any page, and no
console error or CSP violation happens."""

from __future__ import annotations

from typing import Any

import pytest

from msoic.intel.models import IntelLog
from tests.browser.helpers import check_page, log_in, switch_user
from tests.conftest import PERSONA_PASSWORD
from tests.intel.conftest import extract_csv, log_row

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_force_sends_an_extract_and_the_unit_reviews_a_log(
    live_server: Any, watched: Any, personas: dict[str, Any], settings: Any, tmp_path: Any
) -> None:
    settings.MSOIC_RUN_JOBS_INLINE = True
    bad = tmp_path / "bad.csv"
    bad.write_bytes(extract_csv([log_row("KT-1"), log_row("KT-2", handling_code="C")]))
    good = tmp_path / "kent-logs.csv"
    good.write_bytes(extract_csv([log_row("KT-1"), log_row("KT-2", route="air")]))

    page, url = watched.page, live_server.url
    log_in(page, url, personas["kent"].username, PERSONA_PASSWORD)
    page.get_by_role("link", name="Intelligence", exact=True).click()
    page.get_by_role("link", name="Send an extract").click()
    check_page(page, url, watched)
    page.get_by_label("Extract (CSV or XLSX)").set_input_files(str(bad))
    page.get_by_role("button", name="Send").click()
    page.get_by_text("bad.csv was not stored").wait_for()
    problem = page.get_by_role("row").filter(has_text="handling code C needs its conditions")
    assert "G (handling_conditions)" in problem.inner_text() and "3" in problem.inner_text()
    check_page(page, url, watched)
    assert not IntelLog.objects.exists()

    page.get_by_role("link", name="Send another extract").click()
    page.get_by_label("Extract (CSV or XLSX)").set_input_files(str(good))
    page.get_by_role("button", name="Send").click()
    page.get_by_text("Stored: 2 new").wait_for()
    check_page(page, url, watched)
    assert IntelLog.objects.filter(force__code="kent").count() == 2

    switch_user(page, url, personas["national"].username)
    page.goto(url + "/intelligence/")
    page.get_by_role("link", name="Review queue").click()
    page.get_by_role("heading", name="Review queue").wait_for()
    check_page(page, url, watched)
    page.get_by_role("link", name="Review KT-2").click()
    page.get_by_label("Disseminated to the NCA").check()
    page.get_by_label("Reason").fill("Air route facilitator known to the NCA")
    page.get_by_role("button", name="Record the outcome").click()
    page.get_by_text("There is a problem").wait_for()  # no recipient named
    check_page(page, url, watched)
    page.get_by_label("Disseminated to (the NCA").fill("NCA intelligence hub")
    page.get_by_role("button", name="Record the outcome").click()
    page.get_by_text("Review of KT-2 recorded").wait_for()
    check_page(page, url, watched)
    assert IntelLog.objects.get(reference="KT-2").outcome == "disseminated_nca"
    page.get_by_role("link", name="Intelligence dashboard").click()
    page.get_by_role("heading", name="Intelligence review").wait_for()
    check_page(page, url, watched)
