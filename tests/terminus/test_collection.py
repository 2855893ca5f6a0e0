"""Quarterly money returns go through the one pipeline: CSV, the XLSX template, the web
form and the API; amounts are stored as exact pence; bad amounts and periods are refused
with file, sheet, row and column."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.test import Client
from openpyxl import load_workbook

from msoic.collection.models import Submission, Value
from msoic.collection.pipeline import import_file
from msoic.metrics import engine
from msoic.orgunits.models import OrgUnit
from tests.api.conftest import bearer
from tests.conftest import PERSONA_PASSWORD, csv_bytes, xlsx_bytes

Q1 = "FY2023-24-Q1"


def rows(force: str = "kent", period: str = Q1, cash: object = "£1,234.56") -> list[list]:
    return [
        [force, period, "terminus_lorry_stops", "", 120, ""],
        [force, period, "terminus_cash_seized", "", cash, ""],
        [force, period, "terminus_fines", "", "1,234", ""],
        [force, period, "terminus_drugs_value", "", "£1,234.5", ""],
    ]


def stored(metric: str, force: str = "kent", period: date = date(2023, 4, 1)) -> int:
    return Value.objects.get(
        metric=metric, orgunit__code=force, period=period, is_current=True
    ).value


@pytest.mark.django_db
def test_quarterly_csv_return_is_stored_at_the_quarter_start_in_pence(kent_user):
    outcome = import_file("q1.csv", csv_bytes(rows()), actor=kent_user)
    assert outcome.status == "accepted", outcome.lines()
    assert [s.period for s in outcome.submissions] == [Q1]
    sub = Submission.objects.get(dataset="terminus-quarterly", orgunit__code="kent")
    assert sub.period == date(2023, 4, 1)
    assert stored("terminus_lorry_stops") == 120
    assert stored("terminus_cash_seized") == 123456
    assert stored("terminus_fines") == 123400
    assert stored("terminus_drugs_value") == 123450


@pytest.mark.django_db
def test_xlsx_numeric_cells_are_converted_exactly(kent_user):
    data = xlsx_bytes(rows(cash=1234.56))
    outcome = import_file("q1.xlsx", data, actor=kent_user)
    assert outcome.status == "accepted", outcome.lines()
    assert stored("terminus_cash_seized") == 123456
    # the same figures as CSV are the same return: nothing changes
    again = import_file("q1.csv", csv_bytes(rows()), actor=kent_user)
    assert again.status == "unchanged", again.lines()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("cash", "says"),
    [
        ("1234.567", "fraction of a penny"),
        ("1e3", "scientific notation"),
        ("-10.00", "negative"),
    ],
)
def test_bad_amount_is_refused_naming_file_row_and_column(kent_user, cash, says):
    outcome = import_file("q1.csv", csv_bytes(rows(cash=cash)), actor=kent_user)
    assert outcome.status == "rejected"
    [problem] = outcome.errors
    assert problem.rule == "value_money"
    assert says in problem.message
    assert problem.location("q1.csv") == "q1.csv, row 3, column E"
    assert not Value.objects.exists()


@pytest.mark.django_db
def test_sub_penny_xlsx_cell_is_refused_with_its_sheet(kent_user):
    outcome = import_file("q1.xlsx", xlsx_bytes(rows(cash=1234.567)), actor=kent_user)
    [problem] = outcome.errors
    assert "fraction of a penny" in problem.message
    assert problem.location("q1.xlsx") == "q1.xlsx, sheet Return, row 3, column E"


@pytest.mark.django_db
def test_counts_in_a_quarterly_return_stay_whole_numbers(kent_user):
    data = csv_bytes([["kent", Q1, "terminus_lorry_stops", "", "12.5", ""]])
    [problem] = import_file("q1.csv", data, actor=kent_user).errors
    assert problem.rule == "value_whole_number" and "not a whole number" in problem.message


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("period", "says"),
    [
        ("2023-04", "returned quarterly: write the quarter like FY2024-25-Q1"),
        ("FY2023-24", "not a month written YYYY-MM"),
        ("FY2099-00-Q1", "the newest quarter that can be returned"),
    ],
)
def test_quarterly_return_needs_a_quarter_that_is_over(kent_user, period, says):
    data = csv_bytes([["kent", period, "terminus_lorry_stops", "", 5, ""]])
    outcome = import_file("q.csv", data, actor=kent_user)
    assert outcome.status == "rejected"
    assert any(says in p.message and p.column == "B" for p in outcome.errors), outcome.lines()


@pytest.mark.django_db
def test_monthly_return_refuses_a_quarter(kent_user):
    data = csv_bytes([["kent", Q1, "ms_arrests", "", 5, ""]])
    [problem] = import_file("m.csv", data, actor=kent_user).errors
    assert "returned monthly" in problem.message


@pytest.mark.django_db
def test_engine_sums_quarters_exactly_over_the_financial_year(kent_user, essex_user):
    quarters = ["FY2023-24-Q1", "FY2023-24-Q2", "FY2023-24-Q3", "FY2023-24-Q4"]
    for q in quarters:
        import_file(f"{q}.csv", csv_bytes(rows(period=q, cash="0.10")), actor=kent_user)
    import_file("e.csv", csv_bytes(rows("essex", quarters[0], "0.20")), actor=essex_user)
    national = OrgUnit.objects.get(kind="national")
    result = engine.query("terminus_cash_seized", national, "FY2023-24", by="region")
    assert result.value == 60  # 4 × 10p + 20p, exactly
    assert result.coverage.expected == 43 * 4 and result.coverage.received == 5
    kent = OrgUnit.objects.get(code="kent")
    assert engine.query("terminus_cash_seized", kent, "FY2023-24-Q1").value == 10
    assert engine.query("terminus_cash_seized", kent, "2023-04").value is None  # a month
    assert engine.query("terminus_lorry_stops", kent, "FY2023-24").coverage.complete


@pytest.mark.django_db
def test_template_web_form_and_pages_speak_quarters_and_pounds(client, kent_user):
    client.login(username="kent.user", password=PERSONA_PASSWORD)
    response = client.get(f"/returns/template/terminus-quarterly/kent/{Q1}.xlsx")
    assert response.status_code == 200
    assert "terminus-quarterly_kent_FY2023-24-Q1.xlsx" in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(response.content))
    ws = wb["Return"]
    header = next(r for r in range(1, 20) if ws.cell(row=r, column=1).value == "force")
    for r in range(header + 1, ws.max_row + 1):
        if ws.cell(row=r, column=3).value == "terminus_cash_seized":
            ws.cell(row=r, column=5).value = 46400.5
        elif ws.cell(row=r, column=3).value == "terminus_lorry_stops":
            ws.cell(row=r, column=5).value = 3007
    assert {ws.cell(row=r, column=2).value for r in range(header + 1, ws.max_row + 1)} == {Q1}
    buffer = io.BytesIO()
    wb.save(buffer)
    outcome = import_file("filled.xlsx", buffer.getvalue(), actor=kent_user)
    assert outcome.status == "accepted", outcome.lines()
    assert stored("terminus_cash_seized") == 4640050

    page = client.get(f"/returns/enter/terminus-quarterly/kent/{Q1}/")
    assert page.status_code == 200
    assert 'value="46400.50"' in page.content.decode()
    posted = client.post(
        f"/returns/enter/terminus-quarterly/kent/{Q1}/",
        {"v__terminus_cash_seized": "£46,400.75", "v__terminus_lorry_stops": "3007"},
    )
    assert posted.status_code == 302, posted.content.decode()[:2000]
    assert stored("terminus_cash_seized") == 4640075
    sub = Submission.objects.get(dataset="terminus-quarterly", orgunit__code="kent")
    detail = client.get(f"/returns/{sub.pk}/").content.decode()
    assert "£46,400.75" in detail and "Q1 2023/24" in detail
    bad = client.post(
        f"/returns/enter/terminus-quarterly/kent/{Q1}/",
        {"v__terminus_cash_seized": "46400.755"},
    )
    assert bad.status_code == 200 and "fraction of a penny" in bad.content.decode()
    assert client.get("/returns/enter/terminus-quarterly/kent/2023-04/").status_code == 404
    assert client.get("/returns/enter/terminus-quarterly/kent/FY2099-00-Q1/").status_code == 404

    hub = client.get("/returns/?to=2024-03").content.decode()
    assert "Q4 2023/24" in hub and "/returns/enter/terminus-quarterly/kent/FY2023-24-Q4/" in hub


@pytest.mark.django_db
def test_completeness_grid_of_a_quarterly_return_has_quarters(client, kent_user):
    import_file("q1.csv", csv_bytes(rows()), actor=kent_user)
    client.login(username="kent.user", password=PERSONA_PASSWORD)
    page = client.get("/returns/completeness/?dataset=terminus-quarterly&end=2024-03&months=12")
    text = page.content.decode()
    assert page.status_code == 200
    for label in ("Q1 2023/24", "Q2 2023/24", "Q3 2023/24", "Q4 2023/24"):
        assert label in text
    csv_export = client.get(
        "/returns/completeness/?dataset=terminus-quarterly&end=2024-03&months=12&format=csv"
    ).content.decode("utf-8-sig")
    assert "kent,Kent Police,FY2023-24-Q1" in csv_export.replace('"', "")


@pytest.mark.django_db
def test_api_takes_a_quarterly_return_and_lists_it_by_its_quarter(kent_user):
    client = Client(**bearer(kent_user))
    f = io.BytesIO(csv_bytes(rows()))
    f.name = "q1.csv"
    response = client.post("/api/v1/returns", {"file": f})
    assert response.status_code == 201, response.content
    listed = client.get("/api/v1/submissions?dataset=terminus-quarterly&period=FY2023-24").json()
    [item] = listed["submissions"]
    assert item["period"] == Q1 and item["deadline"] == "2023-07-15"
    values = client.get(
        "/api/v1/values?metric=terminus_cash_seized&orgunit=kent&period=FY2023-24"
    ).json()
    assert values["value"] == 123456


@pytest.mark.django_db
@pytest.mark.parametrize("end", ["2024-01", "2024-02", "2024-03"])
def test_completeness_end_month_picks_the_quarter_holding_it(client, kent_user, end):
    client.login(username="kent.user", password=PERSONA_PASSWORD)
    text = client.get(
        f"/returns/completeness/?dataset=terminus-quarterly&end={end}&months=12"
    ).content.decode()
    assert "Q1 2023/24" in text and "Q4 2023/24" in text
    assert "Q4 2022/23" not in text and "Q1 2024/25" not in text
