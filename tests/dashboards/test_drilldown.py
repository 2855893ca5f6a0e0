"""Drill-down: a region's or force's row (and bar) opens that area's own dashboard for the
same month and measure, only for viewers who may open it; a bar without a return says so."""

from __future__ import annotations

import json
import re
from datetime import date
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from msoic.catalogue.loader import get_catalogue
from msoic.dashboards.blocks import DASHBOARDS, DashboardData
from msoic.dashboards.scope import resolve_scope
from msoic.orgunits.models import OrgUnit

pytestmark = pytest.mark.usefixtures("recent_returns_for_module")

MS = reverse("dashboard-ms")
OIC = reverse("dashboard-oic")
PICKED = {"period": "2024-02", "measure": "ms_recorded_crimes"}
ROW_LINK = re.compile(
    r'<th scope="row" class="govuk-table__header"><a class="govuk-link" href="([^"]+)">([^<]+)</a></th>'
)


def page(client: Any, user: Any, url: str = MS, **params: str) -> str:
    client.force_login(user)
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def row_links(html: str) -> dict[str, str]:
    """Area name -> the address its table row links to."""
    return {name: unescape(href) for href, name in ROW_LINK.findall(html)}


def query(href: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(href).query).items()}


def chart_specs(html: str) -> list[dict[str, Any]]:
    blocks = re.findall(r'<script id="[^"]+" type="application/json">(.*?)</script>', html, re.S)
    return [json.loads(b) for b in blocks]


def bar_hrefs(html: str) -> dict[str, str]:
    """Bar label -> its link, from the chart specs that carry Vega-Lite's href channel."""
    out = {}
    for spec in chart_specs(html):
        if spec.get("encoding", {}).get("href"):
            out.update({b["label"]: b["href"] for b in spec["data"]["values"] if "href" in b})
    return out


def test_national_user_gets_a_link_to_every_region_and_force_keeping_month_and_measure(
    client, national_analyst
):
    html = page(client, national_analyst, **PICKED)
    links = row_links(html)
    names = set(OrgUnit.objects.filter(kind__in=["region", "force"]).values_list("name", flat=True))
    assert set(links) == names  # every region and every force, each named once
    assert query(links["Eastern"]) == {"orgunit": "eastern", **PICKED}
    assert query(links["Kent Police"]) == {"orgunit": "kent", **PICKED}
    assert urlsplit(links["Kent Police"]).path == MS
    # The bars link to the same places as the rows.
    assert bar_hrefs(html) == links


def test_following_a_region_link_and_then_a_force_link_lands_on_their_dashboards(
    client, national_analyst
):
    html = page(client, national_analyst, OIC, period="2024-02")
    eastern = row_links(html)["Eastern"]
    assert urlsplit(eastern).path == OIC
    landed = client.get(eastern)
    assert landed.status_code == 200
    text = landed.content.decode()
    assert '<span class="govuk-caption-l">Eastern beside England and Wales</span>' in text
    assert re.search(r'<option value="2024-02"[^>]*selected[^>]*>', text)
    kent = row_links(text)["Kent Police"]
    assert query(kent)["orgunit"] == "kent"
    landed = client.get(kent)
    assert landed.status_code == 200
    assert '<span class="govuk-caption-l">Kent Police beside' in landed.content.decode()


def test_coordinator_gets_links_to_their_regions_forces_only(client, eastern_coordinator):
    html = page(client, eastern_coordinator, orgunit="eastern", **PICKED)
    links = row_links(html)
    own = set(OrgUnit.objects.filter(parent__code="eastern").values_list("name", flat=True))
    assert set(links) == own and "Kent Police" in own
    assert "Cleveland Police" not in html
    for href in links.values():
        assert client.get(href).status_code == 200
    assert bar_hrefs(html) == links
    # On the national page a coordinator sees no split of the nation: nothing to open.
    national = page(client, eastern_coordinator, orgunit="national", **PICKED)
    assert row_links(national) == {} and bar_hrefs(national) == {}


@pytest.mark.parametrize("persona", ["kent", "partner", "admin"])
def test_force_users_partners_and_admins_get_no_area_links(client, personas, persona):
    for url in (MS, OIC):
        html = page(client, personas[persona], url, period="2024-02")
        assert row_links(html) == {}
        assert bar_hrefs(html) == {}
        assert 'id="forces-title"' not in html and 'id="regions-title"' not in html


def test_a_row_the_viewer_may_not_open_is_not_linked(national_analyst, eastern_coordinator):
    """The links follow the access layer's picker, not the breakdown: a force missing from
    the viewer's choices is listed without a link (and without an href on its bar)."""
    scope = resolve_scope(eastern_coordinator, "eastern")
    scope.choices = [u for u in scope.choices if u.code != "essex"]
    data = DashboardData(
        DASHBOARDS["ms"], scope, date(2024, 2, 1), "ms_recorded_crimes", get_catalogue()
    )
    block = data.build("forces")
    by_code = {row["code"]: row for row in block.rows}
    assert by_code["essex"]["href"] is None
    assert by_code["kent"]["href"].endswith(
        "orgunit=kent&measure=ms_recorded_crimes&period=2024-02"
    )
    bars = {b["label"]: b for b in block.charts[0]["data"]["values"]}
    assert "href" not in bars["Essex Police"] and "href" in bars["Kent Police"]


def test_areas_without_a_return_say_no_return_in_the_table_and_on_the_bar(client, national_analyst):
    html = page(client, national_analyst, **PICKED)
    forces = html[html.index('id="forces-title"') :]
    row = re.search(r"Dyfed-Powys Police</a></th>(.*?)</tr>", forces, re.S)
    assert row is not None
    cells = re.findall(r'<td class="govuk-table__cell[^"]*">([^<]*)</td>', row.group(1))
    assert cells[1:3] == ["no return", "no return"]  # previous period, this period
    spec = next(s for s in chart_specs(html) if "each force of England" in s["description"])
    bars = {b["label"]: b for b in spec["data"]["values"]}
    assert bars["Dyfed-Powys Police"]["value"] is None
    assert bars["Dyfed-Powys Police"]["text"] == "no return"
    assert bars["Dyfed-Powys Police"]["at"] == 0  # drawn at zero, not left blank
    assert bars["Kent Police"]["text"].startswith(f"{bars['Kent Police']['value']:,}")
    assert bars["Kent Police"]["at"] == bars["Kent Police"]["value"]
