"""The benchmarking heatmap: one table per area, forces sorted by need, grades as text as
well as colour, filtered by region and area, scoped to the forces the viewer may see."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from msoic.assurance.models import Campaign
from tests.assurance.conftest import submitted_campaign

GRADES = {
    # Essex: two Red in leadership; Kent: one Red, two Amber; Cleveland: one Red, one Amber;
    # Suffolk (Eastern too): all Green. Investigations: Cleveland the only Red.
    "kent": {"LG1": "red", "LG2": "amber", "LG3": "amber"},
    "essex": {"LG1": "red", "LG4": "red"},
    "cleveland": {"LG5": "red", "LG6": "amber", "INV11": "red"},
    "suffolk": {},
}


@pytest.fixture
def campaign(national_analyst: Any) -> Campaign:
    return submitted_campaign(national_analyst, GRADES)


def results(user: Any, campaign: Campaign, **params: str) -> tuple[int, str]:
    client = Client()
    client.force_login(user)
    response = client.get(f"/assurance/campaigns/{campaign.pk}/results/", params)
    return response.status_code, response.content.decode()


def area_tables(html: str) -> dict[str, str]:
    """Area code -> its heatmap section's HTML."""
    parts = re.findall(
        r'<section class="msoic-heatmap-area" aria-labelledby="heatmap-([A-Z]+)-title">(.*?)</section>',
        html,
        re.S,
    )
    return dict(parts)


def force_order(section: str) -> list[str]:
    return re.findall(
        r'<th scope="row" class="govuk-table__header msoic-heatmap__force">([^<]+)</th>', section
    )


def test_one_table_per_area_with_forces_most_red_first(national_analyst, campaign):
    status, html = results(national_analyst, campaign)
    assert status == 200
    tables = area_tables(html)
    assert list(tables) == ["LG", "INT", "INV", "VC", "TR"]
    # Leadership: Essex (2 Red), then Cleveland and Kent (1 Red each: Kent has more Amber).
    assert force_order(tables["LG"]) == [
        "Essex Police",
        "Kent Police",
        "Cleveland Police",
        "Suffolk Constabulary",
    ]
    assert force_order(tables["INV"])[0] == "Cleveland Police"
    # Each area's columns are its own standards, by short reference with the title for
    # screen readers; the key lists them in words.
    assert 'aria-hidden="true">LG9</span><span class="govuk-visually-hidden">LG9 ' in tables["LG"]
    assert "INT1" not in tables["LG"]
    assert "<dt>LG1</dt><dd>Chief officer lead</dd>" in tables["LG"]


def test_every_grade_is_a_letter_and_a_word_not_colour_alone(national_analyst, campaign):
    _, html = results(national_analyst, campaign)
    essex = re.search(r"Essex Police</th>(.*?)</tr>", area_tables(html)["LG"], re.S)
    assert essex is not None
    cells = re.findall(
        r'msoic-grade--(\w+)"><span aria-hidden="true">(\w)</span>'
        r'<span class="govuk-visually-hidden">(\w+)</span>',
        essex.group(1),
    )
    assert cells[0] == ("red", "R", "Red")  # LG1
    assert cells[1] == ("green", "G", "Green")  # LG2
    assert cells[3] == ("red", "R", "Red")  # LG4
    counts = re.findall(r'msoic-heatmap__count">(\d+)</td>', essex.group(1))
    assert counts == ["2", "0"]  # Red, Amber


def test_filter_by_region_and_area(national_analyst, campaign):
    _, html = results(national_analyst, campaign, region="eastern", area="LG")
    tables = area_tables(html)
    assert list(tables) == ["LG"]
    assert "Cleveland Police" not in force_order(tables["LG"])
    assert force_order(tables["LG"]) == ["Essex Police", "Kent Police", "Suffolk Constabulary"]
    assert '<option value="eastern" selected>Eastern</option>' in html


def test_an_unknown_filter_is_refused_with_a_message_and_everything_shown(
    national_analyst, campaign
):
    status, html = results(national_analyst, campaign, area="XX")
    assert status == 200
    assert "Select an area from the list" in html
    assert list(area_tables(html)) == ["LG", "INT", "INV", "VC", "TR"]


def test_coordinator_sees_their_regions_forces_and_no_region_filter(eastern_coordinator, campaign):
    _, html = results(eastern_coordinator, campaign)
    assert set(force_order(area_tables(html)["LG"])) == {
        "Essex Police",
        "Kent Police",
        "Suffolk Constabulary",
    }
    assert "Cleveland" not in html
    assert 'name="region"' not in html  # one region: nothing to choose
    # Another region's code picks nobody: the filter never widens what they see.
    _, other = results(eastern_coordinator, campaign, region="north-east")
    assert "Select a region from the list" in other and "Cleveland" not in other


def test_force_user_gets_no_heatmap_only_their_grades(kent_user, campaign):
    _, html = results(kent_user, campaign)
    assert area_tables(html) == {}
    assert "Your grade" in html and "Essex" not in html
