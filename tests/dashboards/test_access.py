"""Who may see which dashboard: every role, allowed and denied, pages and downloads."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.usefixtures("recent_returns_for_module")

MS = reverse("dashboard-ms")
OIC = reverse("dashboard-oic")


def download(block: str, fmt: str = "csv", dashboard: str = "ms") -> str:
    return reverse("dashboard-download", args=[dashboard, block, fmt])


def get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


# (persona, orgunit asked for, expected status) for both dashboards.
PAGE_CASES = [
    ("kent", "", 200),
    ("kent", "kent", 200),
    ("kent", "national", 200),
    ("kent", "essex", 403),
    ("kent", "eastern", 403),
    ("kent", "cleveland", 403),
    ("essex", "essex", 200),
    ("essex", "kent", 403),
    ("cleveland", "kent", 403),
    ("cleveland", "north-east", 403),
    ("eastern", "", 200),
    ("eastern", "eastern", 200),
    ("eastern", "kent", 200),
    ("eastern", "essex", 200),
    ("eastern", "national", 200),
    ("eastern", "cleveland", 403),
    ("eastern", "north-east", 403),
    ("national", "", 200),
    ("national", "eastern", 200),
    ("national", "north-east", 200),
    ("national", "cleveland", 200),
    ("national", "nca", 403),
    ("partner", "", 200),
    ("partner", "national", 200),
    ("partner", "eastern", 403),
    ("partner", "kent", 403),
    ("partner", "nca", 403),
    ("admin", "", 200),
    ("admin", "national", 200),
    ("admin", "eastern", 403),
    ("admin", "essex", 403),
    ("national", "no-such-force", 404),
]


@pytest.mark.parametrize("url", [MS, OIC])
@pytest.mark.parametrize(("persona", "orgunit", "status"), PAGE_CASES)
def test_dashboard_access_by_role(client, personas, url, persona, orgunit, status):
    params = {"orgunit": orgunit} if orgunit else {}
    response = get(client, personas[persona], url, **params)
    assert response.status_code == status


@pytest.mark.parametrize(
    ("persona", "orgunit", "status"),
    [c for c in PAGE_CASES if c[1]],  # the same rules for every download
)
def test_download_access_follows_the_page(client, personas, persona, orgunit, status):
    response = get(client, personas[persona], download("trend-ms_recorded_crimes"), orgunit=orgunit)
    assert response.status_code == status


@pytest.mark.parametrize(
    "url", [MS, OIC, download("headline"), download("headline", "xlsx", "oic")]
)
def test_anonymous_visitors_are_sent_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_force_user_starts_on_their_force_beside_the_nation(client, kent_user):
    response = get(client, kent_user, MS)
    scope = response.context["scope"]
    assert [u.code for u in scope.units] == ["kent", "national"]
    assert not scope.by_region and not scope.by_force
    html = response.content.decode()
    assert "Kent Police beside England and Wales" in html
    assert "by region" not in html and "by force" not in html


def test_force_user_has_no_breakdown_downloads(client, kent_user):
    for block in ("regions", "forces"):
        assert get(client, kent_user, download(block)).status_code == 403


def test_regional_coordinator_sees_their_region_split_by_force(client, eastern_coordinator):
    response = get(client, eastern_coordinator, MS)
    scope = response.context["scope"]
    assert scope.orgunit.code == "eastern"
    assert scope.by_force and not scope.by_region
    ids = [b.id for s in response.context["sections"] for b in s.blocks]
    assert "forces" in ids and "regions" not in ids
    forces = next(b for s in response.context["sections"] for b in s.blocks if b.id == "forces")
    codes = {row["code"] for row in forces.rows}
    assert {"kent", "essex"} <= codes and "cleveland" not in codes
    assert get(client, eastern_coordinator, download("regions")).status_code == 403
    assert get(client, eastern_coordinator, download("forces")).status_code == 200


def test_regional_coordinator_cannot_split_the_nation(client, eastern_coordinator):
    response = get(client, eastern_coordinator, MS, orgunit="national")
    assert not response.context["scope"].by_force
    assert (
        get(client, eastern_coordinator, download("forces"), orgunit="national").status_code == 403
    )


def test_regional_coordinator_sees_a_force_beside_its_region_and_the_nation(
    client, eastern_coordinator
):
    response = get(client, eastern_coordinator, MS, orgunit="essex")
    assert [u.code for u in response.context["scope"].units] == ["essex", "eastern", "national"]


def test_national_analyst_gets_region_and_force_breakdowns(client, national_analyst):
    response = get(client, national_analyst, MS)
    ids = [b.id for s in response.context["sections"] for b in s.blocks]
    assert "regions" in ids and "forces" in ids
    regions = next(b for s in response.context["sections"] for b in s.blocks if b.id == "regions")
    assert len(regions.rows) == 10
    # A region's page is split by its forces, not by regions.
    response = get(client, national_analyst, MS, orgunit="north-east")
    scope = response.context["scope"]
    assert scope.by_force and not scope.by_region
    assert [u.code for u in scope.units] == ["north-east", "national"]


@pytest.mark.parametrize("persona", ["partner", "admin"])
def test_partner_and_admin_see_national_figures_only(client, personas, persona):
    response = get(client, personas[persona], MS)
    scope = response.context["scope"]
    assert [u.code for u in scope.units] == ["national"]
    assert not scope.by_region and not scope.by_force
    assert [u.code for u in scope.choices] == ["national"]
    html = response.content.decode()
    assert 'name="orgunit"' not in html  # nothing to pick
    for block in ("regions", "forces"):
        assert get(client, personas[persona], download(block)).status_code == 403


def test_area_picker_lists_only_what_the_user_may_see(client, eastern_coordinator):
    response = get(client, eastern_coordinator, MS)
    codes = [u.code for u in response.context["scope"].choices]
    assert codes[0] == "national" and codes[1] == "eastern"
    assert "kent" in codes and "essex" in codes
    assert "cleveland" not in codes and "north-east" not in codes


def test_unknown_block_is_not_found(client, national_analyst):
    assert get(client, national_analyst, download("no-such-table")).status_code == 404
    assert get(client, national_analyst, "/dashboards/xx/data/headline.csv").status_code == 404


def test_dashboards_only_answer_get(client, national_analyst):
    client.force_login(national_analyst)
    assert client.post(MS).status_code == 405
