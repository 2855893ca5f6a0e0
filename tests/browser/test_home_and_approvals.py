"""The home pages and the approval worklist in a real browser (issue 11 items 5 and 3):
axe-core finds no WCAG 2.2 AA violation, nothing errors, and the worklist approves the
returns ticked and goes from one return to the next. On the demo's data, each role's home
page says something sensible; with MSOIC_UPDATE_SCREENSHOTS=1 the test writes the README's
screenshots of them (docs/img/home-<role>.png)."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from msoic.collection.models import Submission
from msoic.collection.pipeline import import_file
from msoic.demo.config import load_config
from tests.browser.helpers import check_page, log_in, switch_user
from tests.conftest import PERSONA_PASSWORD, csv_bytes
from tests.demo_snapshot import load_demo

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
# Demo account -> (screenshot name, what its home page must say on the demo's data).
DEMO_HOMES = {
    "kent.demo": ("home-force", ["Your returns", "PNC vulnerability marker worklist"]),
    "eastern.demo": ("home-regional", ["Your region's returns", "waiting for your review"]),
    "national.demo": ("home-national", ["Awaiting your approval", "This year at a glance"]),
    "nca.demo": ("home-partner", ["Figures you can see", "Modern slavery dashboard"]),
    "admin.demo": ("home-admin", ["Administration", "Active accounts by role"]),
}


def test_each_roles_home_on_the_demo(live_server, watched, tmp_path, demo_snapshot):
    load_demo(demo_snapshot)  # the whole demo, as `msoic demo` builds it
    password = load_config().password
    page = watched.page
    for username, (shot_name, phrases) in DEMO_HOMES.items():
        if page.url.startswith(live_server.url) and "/login/" not in page.url:
            page.get_by_role("button", name="Log out").click()
        log_in(page, live_server.url, username, password)
        assert page.url == f"{live_server.url}/"
        assert page.get_by_role("heading", name="Home", level=1).is_visible()
        text = page.locator("main").inner_text()
        for phrase in phrases:
            assert phrase in text, (username, phrase)
        if username == "national.demo":
            glance = page.locator("table", has_text="Operations supported").inner_text()
            assert "Financial year 2023/24" in glance and "276" in glance  # the report's year
        check_page(page, live_server.url, watched)
        shot = tmp_path / f"{shot_name}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 20_000
        if os.environ.get("MSOIC_UPDATE_SCREENSHOTS") == "1":
            IMG.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(shot, IMG / f"{shot_name}.png")


@pytest.fixture
def waiting(national_analyst, kent_user):
    rows = [
        [f, m, "ms_arrests", "", 2, ""] for f in ("kent", "essex") for m in ("2024-01", "2024-02")
    ]
    rows[0][-1] = "a recount after an audit"
    assert import_file("jan-feb.csv", csv_bytes(rows), actor=national_analyst).ok


def test_the_unit_approves_from_the_worklist_and_goes_to_the_next(
    live_server, watched, national_analyst, kent_user, waiting
):
    page = watched.page
    log_in(page, live_server.url, national_analyst.username, PERSONA_PASSWORD)
    check_page(page, live_server.url, watched)  # the unit's home page
    page.get_by_role("link", name="Approvals", exact=True).click()
    page.wait_for_url("**/returns/approvals/")
    page.get_by_label("Period").select_option("2024-01")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**period=2024-01**")
    assert page.get_by_text("a recount after an audit").is_visible()
    check_page(page, live_server.url, watched)
    page.get_by_label("Approve Essex Police, Modern slavery monthly return, January 2024").check()
    page.get_by_label("Approve Kent Police, Modern slavery monthly return, January 2024").check()
    page.get_by_role("button", name="Approve the returns ticked").click()
    assert page.get_by_text("2 returns approved and locked").is_visible()
    assert Submission.objects.filter(locked=True, period="2024-01-01").count() == 2
    assert "period=2024-01" in page.url
    check_page(page, live_server.url, watched)

    page.get_by_role("link", name="Show all", exact=True).click()
    page.get_by_role("link", name="Essex Police", exact=True).click()
    check_page(page, live_server.url, watched)
    page.get_by_role("link", name=re.compile(r"^Next awaiting approval: ")).click()
    assert page.get_by_role("heading", name="Kent Police, February 2024").is_visible()
    page.get_by_role("button", name="Approve and lock").click()
    assert page.get_by_text("Return approved and locked").is_visible()
    # past the end of the list, "next" goes back to the first still waiting
    assert page.get_by_role(
        "link",
        name="Next awaiting approval: Essex Police, Modern slavery monthly return, February 2024",
    ).is_visible()
    check_page(page, live_server.url, watched)
    assert watched.problems() == []


def test_a_force_users_home_in_the_browser(live_server, watched, kent_user, national_analyst):
    page = watched.page
    log_in(page, live_server.url, kent_user.username, PERSONA_PASSWORD)
    assert page.get_by_role("heading", name="Your returns").is_visible()
    check_page(page, live_server.url, watched)
    page.get_by_role("link", name="Modern slavery dashboard", exact=True).click()
    page.wait_for_url("**/dashboards/ms/?orgunit=kent")
    switch_user(page, live_server.url, national_analyst.username)
    assert page.get_by_role("link", name="Home", exact=True).first.is_visible()
