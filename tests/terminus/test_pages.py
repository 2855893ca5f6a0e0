"""The Terminus page: headline panel, quarters and the split by region or force, with
downloads; who may see what."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from msoic.collection.pipeline import import_file
from tests.conftest import PERSONA_PASSWORD, csv_bytes

URL = "/operations/terminus/"
FY = "FY2023-24"


def quarter_rows(force: str, quarter: str, stops: int, cash: str) -> list[list]:
    return [
        [force, quarter, "terminus_lorry_stops", "", stops, ""],
        [force, quarter, "terminus_cash_seized", "", cash, ""],
    ]


@pytest.fixture
def returns(national_analyst):
    rows = []
    for q, stops, cash in (("Q1", 10, "100.50"), ("Q2", 20, "200.25"), ("Q3", 5, "0.25")):
        rows += quarter_rows("kent", f"{FY}-{q}", stops, cash)
    rows += quarter_rows("essex", f"{FY}-Q1", 7, "1,000")
    rows += quarter_rows("cleveland", f"{FY}-Q4", 3, "£3.00")
    outcome = import_file("terminus.csv", csv_bytes(rows), actor=national_analyst)
    assert outcome.status == "accepted", outcome.lines()


def login(client, user):
    client.login(username=user.username, password=PERSONA_PASSWORD)
    return client


def page(client, user, **params) -> str:
    response = login(client, user).get(URL, {"period": FY, **params})
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.mark.django_db
def test_national_panel_sums_every_force_exactly(client, returns, national_analyst):
    html = page(client, national_analyst)
    assert 'data-metric="terminus_lorry_stops">45<' in html
    assert 'data-metric="terminus_cash_seized">£1,304<' in html
    assert "Q4 2023/24" in html and "£3<" in html and "£3.00" not in html  # quarters
    assert "Eastern" in html and "North East" in html  # by region


@pytest.mark.django_db
def test_quarter_page_has_no_quarter_table(client, returns, national_analyst):
    html = page(client, national_analyst, period=f"{FY}-Q1")
    assert 'data-metric="terminus_cash_seized">£1,100.50<' in html
    assert "By quarter" not in html


@pytest.mark.django_db
def test_coordinator_sees_their_region_split_by_force(client, returns, eastern_coordinator):
    html = page(client, eastern_coordinator)
    assert 'data-metric="terminus_lorry_stops">42<' in html  # Kent 35 + Essex 7
    assert "By force" in html and "Kent" in html and "Essex" in html
    assert "Cleveland" not in html


@pytest.mark.django_db
def test_force_user_sees_own_force_without_a_split(client, returns, kent_user):
    html = page(client, kent_user)
    assert 'data-metric="terminus_lorry_stops">35<' in html
    assert "By force" not in html and "By region" not in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "orgunit", "status"),
    [
        ("kent", "essex", 403),
        ("essex", "kent", 403),
        ("cleveland", "eastern", 403),
        ("eastern", "cleveland", 403),
        ("eastern", "essex", 200),
        ("partner", "kent", 403),
        ("partner", "national", 200),
        ("partner", "nca", 403),
        ("national", "nowhere", 404),
        ("admin", "kent", 403),
    ],
)
def test_org_units_outside_the_users_scope_are_refused(client, personas, persona, orgunit, status):
    response = login(client, personas[persona]).get(URL, {"period": FY, "orgunit": orgunit})
    assert response.status_code == status


@pytest.mark.django_db
def test_partner_sees_national_totals_only(client, returns, partner_user):
    html = page(client, partner_user)
    assert 'data-metric="terminus_lorry_stops">45<' in html
    assert "By region" not in html and "Kent" not in html
    # a partner sends no returns: no link to a page it may not open
    assert 'href="/returns/"' not in html and "quarterly return" in html


@pytest.mark.django_db
def test_a_force_user_is_pointed_to_the_returns_page(client, returns, kent_user):
    assert 'href="/returns/"' in page(client, kent_user)


def test_signed_out_visitor_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["2024-01", "FY2023-25", "R12-2024-02"])
def test_a_period_that_is_not_a_year_or_quarter_is_an_error(client, national_analyst, bad):
    html = page(client, national_analyst, period=bad)
    assert "There is a problem" in html


@pytest.mark.django_db
def test_csv_and_xlsx_downloads_carry_exact_pounds(client, returns, national_analyst):
    login(client, national_analyst)
    response = client.get(URL, {"period": FY, "orgunit": "national", "format": "csv"})
    assert response["Content-Disposition"].endswith('terminus_national_FY2023-24.csv"')
    lines = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    cash = [r for r in lines if r["metric"] == "terminus_cash_seized"]
    assert cash[0] == {
        "period": FY,
        "orgunit": "national",
        "orgunit_name": cash[0]["orgunit_name"],
        "metric": "terminus_cash_seized",
        "label": "Cash seized (£)",
        "unit": "GBP",
        "value": "1304.00",
        "complete": "no",
    }
    assert {r["period"] for r in cash} == {FY, f"{FY}-Q1", f"{FY}-Q2", f"{FY}-Q3", f"{FY}-Q4"}
    response = client.get(URL, {"period": FY, "orgunit": "national", "format": "xlsx"})
    ws = load_workbook(io.BytesIO(response.content)).active
    values = [
        row for row in ws.iter_rows(values_only=True) if row and row[3] == "terminus_cash_seized"
    ]
    assert Decimal(str(values[0][6])) == Decimal("1304.00")


@pytest.mark.django_db
def test_page_query_count_does_not_grow_with_quarters_or_forces(
    client, returns, national_analyst, django_assert_max_num_queries
):
    login(client, national_analyst)
    client.get(URL, {"period": FY})  # warm the catalogue cache
    with django_assert_max_num_queries(24):
        year = client.get(URL, {"period": FY})
    with django_assert_max_num_queries(24):
        quarter = client.get(URL, {"period": f"{FY}-Q1"})
    assert year.status_code == quarter.status_code == 200


@pytest.mark.django_db
def test_without_a_choice_the_page_opens_on_the_newest_year_returned(
    client, returns, national_analyst
):
    """Returns stop in 2023/24 here: the page opens on that year, not an empty one to today."""
    response = login(client, national_analyst).get(URL)
    assert response.status_code == 200
    assert response.context["period"].code == FY


@pytest.mark.django_db
def test_the_period_picker_offers_years_and_quarters_in_words_and_keeps_the_choice(
    client, returns, national_analyst
):
    html = page(client, national_analyst, period=f"{FY}-Q2")
    picker = html[html.index('<select name="period"') : html.index("</select>")]
    assert ">July to September 2023 (Q2 2023/24)</option>" in picker
    assert ">2023/24</option>" in picker
    assert ">FY" not in picker  # codes only as the options' values
    assert 'value="FY2023-24-Q2" selected' in picker
    assert "period=FY2023-24-Q2" in html  # the downloads keep the chosen quarter's code


@pytest.mark.django_db
def test_a_quarter_after_the_newest_returned_is_not_offered(client, returns, national_analyst):
    html = page(client, national_analyst, period="FY2024-25-Q1")
    assert "There is a problem" in html
    assert "There are no figures for April to June 2024 (Q1 2024/25) here" in html
    assert "FY2024-25-Q1</option>" not in html
    assert 'rel="next"' not in page(client, national_analyst)  # no link to a year not offered


@pytest.mark.django_db
def test_a_download_for_a_period_not_offered_is_refused_not_swapped(
    client, returns, national_analyst
):
    login(client, national_analyst)
    response = client.get(URL, {"period": "FY2024-25", "format": "csv"})
    assert response.status_code == 400 and b"There are no figures for 2024/25" in response.content
