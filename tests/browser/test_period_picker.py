"""The one period picker in a real browser, used from the keyboard only: on a dashboard, a
quarter and then a year to a month are chosen; the page keeps each in its address as a code
and shows it in words; axe-core finds no WCAG 2.2 AA violation with the picker enhanced."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser.helpers import check_page, log_in
from tests.conftest import PERSONA_PASSWORD
from tests.dashboards.conftest import load_returns

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "img" / "period-picker.png"


def _press_until(page: Any, key: str, done: str, limit: int = 8) -> None:
    """Press ``key`` until the script ``done`` (about the focused element) is true."""
    for _ in range(limit):
        if page.evaluate(done):
            return
        page.keyboard.press(key)
    assert page.evaluate(done), f"{done} still false after {limit} presses of {key}"


def _submit_from_the_keyboard(page: Any) -> None:
    _press_until(page, "Tab", "document.activeElement.textContent.trim() === 'Show figures'")
    page.keyboard.press("Enter")


def _period(page: Any) -> str:
    return parse_qs(urlsplit(page.url).query)["period"][0]


def test_a_keyboard_user_picks_a_quarter_then_a_year_to_a_month(
    live_server: Any, watched: Any, national_analyst: Any, tmp_path: Path
) -> None:
    load_returns()  # March 2022 to February 2024
    page, url = watched.page, live_server.url
    log_in(page, url, national_analyst.username, PERSONA_PASSWORD)
    page.goto(f"{url}/dashboards/ms/")
    kind = page.get_by_label("Type of period")
    period = page.get_by_label("Period", exact=True)
    # Enhanced: a type of period first, the latest complete month chosen by default.
    assert kind.input_value() == "month" and period.input_value() == "2024-02"
    assert period.locator("option").first.inner_text() == "February 2024"

    kind.focus()
    page.keyboard.press("ArrowDown")  # Months -> Quarters
    assert kind.input_value() == "quarter"
    # No quarter ends in February 2024: the newest is chosen.
    assert period.input_value() == "FY2023-24-Q3"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_period"
    page.keyboard.press("ArrowDown")  # the quarter before
    assert period.input_value() == "FY2023-24-Q2"
    _submit_from_the_keyboard(page)
    page.wait_for_url("**period=FY2023-24-Q2**")
    assert _period(page) == "FY2023-24-Q2"
    page.get_by_text("Showing figures for July to September 2023 (Q2 2023/24)").wait_for()
    assert "Q2 2023/24" in page.locator("table.msoic-headline").inner_text()
    assert kind.input_value() == "quarter"  # the picker opens on what was chosen
    check_page(page, url, watched)

    kind.focus()
    _press_until(page, "ArrowDown", "document.activeElement.value === 'r12'")
    # The chosen quarter's end month is kept: the year to September 2023.
    assert period.input_value() == "R12-2023-09"
    assert period.locator("option:checked").inner_text() == "Year to September 2023"
    page.keyboard.press("Tab")
    _submit_from_the_keyboard(page)
    page.wait_for_url("**period=R12-2023-09**")
    page.get_by_text("Showing figures for Year to September 2023").wait_for()
    assert "Year to Sep 2023" in page.locator("table.msoic-headline").inner_text()

    shot = tmp_path / "period-picker.png"
    page.locator("form.msoic-picker").screenshot(path=str(shot))
    assert shot.stat().st_size > 5_000
    if os.environ.get("MSOIC_UPDATE_SCREENSHOTS") == "1":
        shutil.copyfile(shot, SCREENSHOT)
    check_page(page, url, watched)
