"""The Operations hub, the intensifications overview and one operation's page, for each
persona: forces see their own returns and national totals; the unit sees every force and
region; partners see totals only."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from django.urls import reverse

from msoic.collection.pipeline import import_file
from msoic.operations.models import Operation
from tests.operations.conftest import make_operation, return_csv

pytestmark = pytest.mark.django_db


def _with_returns(unit) -> Operation:
    op = make_operation(unit)
    for force, n in (("kent", 5), ("essex", 7), ("cleveland", 2)):
        outcome = import_file(
            f"{force}.csv",
            return_csv(
                op,
                force,
                {"op_disruptions": n, "op_arrests": 1, "op_sites_visited": 10 * n},
                f"{force} highlight",
            ),
            actor=unit,
        )
        assert outcome.ok, outcome.lines()
    return op


def table_rows(html: str, heading_id: str) -> list[list[str]]:
    """The body rows' cell texts of the table after the heading with ``heading_id``."""
    table = html.split(f'id="{heading_id}"', 1)[1].split("<tbody", 1)[1].split("</tbody>", 1)[0]
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)
    ]


def _page(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_hub_lists_intensifications_and_keeps_a_block_for_other_sections(client, kent_user):
    html = _page(client, kent_user, reverse("operations"))
    assert reverse("operations-intensifications") in html
    assert 'href="/operations/"' in html  # the nav item


def test_unit_sees_totals_every_force_regions_completeness_and_highlights(client, national_analyst):
    op = _with_returns(national_analyst)
    html = _page(client, national_analyst, reverse("operations-detail", args=[op.pk]))
    assert "3 of 4 participating forces have returned" in html
    assert ">14<" in html  # disruptions across kent, essex, cleveland
    for name in ("Kent Police", "Essex Police", "Cleveland Police", "Surrey Police"):
        assert name in html
    # Region, returned of expected, disruptions, ..., arrests, ..., sites visited, ...
    assert table_rows(html, "by-region") == [
        ["Eastern", "2 of 2", "12", "–", "–", "2", "–", "120", "–"],
        ["North East", "1 of 1", "2", "–", "–", "1", "–", "20", "–"],
        ["South East", "0 of 1", "–", "–", "–", "–", "–", "–", "–"],
    ]
    by_force = {row[0]: row[1] for row in table_rows(html, "by-force")}
    assert by_force == {
        "Cleveland Police": "Returned",
        "Essex Police": "Returned",
        "Kent Police": "Returned",
        "Surrey Police": "Not returned",
    }
    assert "kent highlight" in html and "essex highlight" in html


def test_force_sees_its_own_row_and_the_national_totals_only(client, kent_user, national_analyst):
    op = _with_returns(national_analyst)
    html = _page(client, kent_user, reverse("operations-detail", args=[op.pk]))
    assert ">14<" in html
    assert "kent highlight" in html and "essex highlight" not in html
    assert "By region" not in html
    table = html.split('id="by-force"')[1]
    assert "Kent Police" in table and "Essex Police</th>" not in table


def test_coordinator_sees_the_regions_forces(client, eastern_coordinator, national_analyst):
    op = _with_returns(national_analyst)
    html = _page(client, eastern_coordinator, reverse("operations-detail", args=[op.pk]))
    assert "essex highlight" in html and "kent highlight" in html
    assert "cleveland highlight" not in html


def test_partner_sees_totals_without_forces(client, partner_user, national_analyst):
    op = _with_returns(national_analyst)
    html = _page(client, partner_user, reverse("operations-detail", args=[op.pk]))
    assert ">14<" in html
    assert "highlight" not in html and 'id="by-force"' not in html


def test_force_exports_hold_only_its_row(client, kent_user, national_analyst):
    op = _with_returns(national_analyst)
    client.force_login(kent_user)
    response = client.get(
        reverse("operations-detail", args=[op.pk]), {"table": "force", "format": "csv"}
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == ["Kent Police"]
    region = client.get(
        reverse("operations-detail", args=[op.pk]), {"table": "region", "format": "csv"}
    )
    assert region.status_code == 404


def test_overview_lists_a_years_operations_and_totals_by_year(
    client, national_analyst, django_assert_max_num_queries
):
    _with_returns(national_analyst)
    make_operation(national_analyst, number=40, start=date(2024, 6, 3))
    client.force_login(national_analyst)
    url = reverse("operations-intensifications")
    # The figures come from the metric engine: for the years' totals and for the year's
    # operations, each one query_many (the catalogue, the nation, its forces, the values).
    with django_assert_max_num_queries(25):  # the totals by year computed
        client.get(url, {"year": "FY2023-24"})
    with django_assert_max_num_queries(18):  # and then taken from the cache
        response = client.get(url, {"year": "FY2023-24"})
    html = response.content.decode()
    assert "AIDANT 33" in html and "AIDANT 40" not in html.split("Totals by year")[0]
    assert "3 of 4" in html
    response = client.get(url, {"table": "years", "format": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_unit_plans_an_operation_on_the_web(client, national_analyst, kent_user):
    client.force_login(national_analyst)
    response = client.post(
        reverse("operations-new"),
        {
            "series": "aidant",
            "number": "36",
            "theme": "Labour exploitation in the care sector",
            "exploitation_type": "labour",
            "sector": "Care",
            "start_date": "2024-03-04",
            "end_date": "2024-03-10",
            "lead_agency": "MSOIC Unit",
            "partner_agencies": "NCA\nUKVI",
            "forces": ["kent", "cumbria"],
            "activity_metrics": ["op_businesses_reached"],
        },
    )
    op = Operation.objects.get(series="AIDANT", number=36)
    assert response.status_code == 302 and response["Location"].endswith(f"/{op.pk}/")
    assert op.partner_agencies == ["NCA", "UKVI"]
    client.force_login(kent_user)
    assert client.get(reverse("operations-new")).status_code == 403


def test_form_errors_name_their_field(client, national_analyst):
    client.force_login(national_analyst)
    response = client.post(
        reverse("operations-new"),
        {
            "series": "AIDANT",
            "number": "1",
            "theme": "x",
            "start_date": "2024-03-04",
            "end_date": "2024-03-01",
            "lead_agency": "MSOIC Unit",
            "forces": ["kent"],
        },
    )
    assert response.status_code == 200
    assert "The operation cannot end before it starts" in response.content.decode()


def test_totals_by_year_follow_a_new_return_at_once(client, national_analyst):
    op = make_operation(national_analyst)
    client.force_login(national_analyst)
    url = reverse("operations-intensifications")
    before = client.get(url, {"table": "years", "format": "csv"}).content.decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(before)))[1][4] == ""
    import_file("kent.csv", return_csv(op, "kent", {"op_disruptions": 6}), actor=national_analyst)
    after = client.get(url, {"table": "years", "format": "csv"}).content.decode("utf-8-sig")
    row = list(csv.reader(io.StringIO(after)))[1]
    assert (row[0], row[3], row[4]) == ("FY2023-24", "1", "6")


def test_monthly_returns_hub_does_not_list_operation_returns(client, kent_user, national_analyst):
    make_operation(national_analyst)
    html = _page(client, kent_user, reverse("returns"))
    assert "Modern slavery monthly return" in html
    assert "AIDANT" not in html and "metric library" not in html


def test_the_year_picker_offers_years_with_operations_in_words(client, national_analyst):
    _with_returns(national_analyst)
    make_operation(national_analyst, number=40, start=date(2024, 6, 3))
    client.force_login(national_analyst)
    url = reverse("operations-intensifications")
    html = client.get(url, {"year": "FY2023-24"}).content.decode()
    picker = html[html.index('<select name="year"') : html.index("</select>")]
    assert 'value="FY2023-24" selected data-kind="fy" data-end="2024-03">2023/24</option>' in (
        picker
    )
    assert ">2024/25</option>" in picker and ">FY" not in picker
    assert "?year=FY2023-24&amp;format=csv" in html  # the download keeps the year's code
    refused = client.get(url, {"year": "FY2019-20"})
    assert refused.status_code == 400
    assert "There are no figures for 2019/20 here" in refused.content.decode()
    assert client.get(url, {"year": "2019-13", "format": "csv"}).status_code == 404
