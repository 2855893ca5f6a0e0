"""The national NRM statistics page in a real browser: the national analyst opens it from
the navigation, loads a release from the form and reads the series; the chart is drawn, no
console error or CSP violation, and axe-core finds no WCAG 2.2 AA violation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.helpers import check_page, log_in, wait_for_charts
from tests.conftest import PERSONA_PASSWORD
from tests.nrmstats.conftest import csv_of, responder_rows

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_load_a_release_and_read_the_series(
    live_server: Any, watched: Any, personas: dict[str, Any], tmp_path: Path
) -> None:
    release = tmp_path / "nrm-q2-2023.csv"
    release.write_bytes(
        csv_of(
            responder_rows(
                {
                    "Jan to Mar 2023": [1500, 1300, 1250, 270, 190],
                    "Apr to Jun 2023": [1470, 1000, 980, 200, 150],
                }
            )
        )
    )
    page, url = watched.page, live_server.url
    log_in(page, url, personas["national"].username, PERSONA_PASSWORD)
    page.get_by_role("link", name="NRM statistics", exact=True).click()
    page.wait_for_url("**/nrm-statistics/")
    check_page(page, url, watched)
    page.get_by_label("Publication", exact=True).fill("NRM statistics, Quarter 2 2023")
    page.get_by_label("Release date").fill("2023-08-03")
    page.get_by_label("The release's tables (.xlsx or .csv)").set_input_files(str(release))
    page.get_by_role("button", name="Load the release").click()
    page.wait_for_url("**/nrm-statistics/")
    page.locator("#nrm-quarters").wait_for()
    assert page.locator('tr[data-quarter="FY2023-24-Q1"] td[data-total]').inner_text() == "3,800"
    assert wait_for_charts(page) == 1
    check_page(page, url, watched)
