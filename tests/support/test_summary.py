"""Counts and outcomes by financial year, region, force and support type, and their exports."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from msoic.metrics.money import format_pounds
from msoic.support import access as support_access
from msoic.support.actions import do_add_financial_outcome
from msoic.support.summary import build_summary
from tests.support.conftest import make_operation

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged(national_analyst: Any) -> None:
    unit = national_analyst
    make_operation("kent", unit, types=("advice", "financial"), outcome="0.10")
    op = make_operation("essex", unit, types=("advice",), crime_type="ms")
    do_add_financial_outcome(op, actor=unit, kind="reparation", amount="0.20")
    make_operation("cleveland", unit, types=("victim_care",), provider="regional")
    make_operation("kent", unit, start=date(2022, 8, 1), types=("tactical",))


def _lines(lines: list[Any]) -> dict[str, tuple[int, int, int]]:
    return {line.key: (line.operations, line.outcomes, line.amount) for line in lines}


def test_summary_counts_by_region_type_and_year_with_exact_money(
    logged: None, national_analyst: Any
) -> None:
    summary = build_summary(support_access.supported_operations_visible_to(national_analyst), 2023)
    assert (summary.total, summary.outcomes, summary.amount) == (3, 2, 30)  # 10p + 20p exactly
    assert _lines(summary.years) == {"FY2022-23": (1, 0, 0), "FY2023-24": (3, 2, 30)}
    assert _lines(summary.by_region) == {"eastern": (2, 2, 30), "north-east": (1, 0, 0)}
    types = _lines(summary.by_support_type)
    # an outcome counts under each kind of support its operation had, as the operation does
    assert types["advice"] == (2, 2, 30) and types["financial"] == (1, 1, 10)
    assert types["tactical"] == (0, 0, 0) and types["victim_care"] == (1, 0, 0)
    assert _lines(summary.by_outcome)["reparation"] == (1, 1, 20)
    assert _lines(summary.by_crime_type) == {"ms": (1, 1, 20), "oic": (2, 1, 10), "both": (0, 0, 0)}
    assert _lines(summary.by_provider) == {"unit": (2, 2, 30), "regional": (1, 0, 0)}


def assert_tables_add_up_to_the_page_total(summary: Any) -> None:
    """Every table's financial outcomes and their value add up to the page's (support types
    excepted: an operation with two kinds of support counts under both); operations too,
    except by support type and by kind of outcome."""
    for dimension, lines, total, adds_up in summary.tables_with_totals():
        assert (total.operations, total.outcomes, total.amount) == (
            summary.total,
            summary.outcomes,
            summary.amount,
        ), dimension
        outcomes = sum(line.outcomes for line in lines)
        amount = sum(line.amount for line in lines)
        if dimension == "Support type":
            assert outcomes >= summary.outcomes and amount >= summary.amount
            continue
        assert (outcomes, amount) == (summary.outcomes, summary.amount), dimension
        if adds_up:
            assert sum(line.operations for line in lines) == summary.total, dimension


def test_every_table_carries_the_financial_outcomes_and_adds_up(
    logged: None, national_analyst: Any
) -> None:
    ops = support_access.supported_operations_visible_to(national_analyst)
    summary = build_summary(ops, 2023)
    assert summary.amount == 30 and summary.outcomes == 2
    assert_tables_add_up_to_the_page_total(summary)
    client = Client()
    client.force_login(national_analyst)
    html = client.get("/operations-supported/summary/?year=FY2023-24").content.decode()
    for slug in ("region", "force", "support-type", "crime-type", "given-by", "financial-outcome"):
        row = html.split(f'data-total="{slug}"', 1)[1].split("</tr>", 1)[0]
        cells = [c.split("<", 1)[0] for c in row.split('numeric">')[1:]]
        assert cells == ["3", "2", format_pounds(30)], slug


def test_summary_is_scoped_to_what_the_user_may_see(logged: None, kent_user: Any) -> None:
    summary = build_summary(support_access.supported_operations_visible_to(kent_user), 2023)
    assert summary.total == 1
    assert _lines(summary.by_force) == {"kent": (1, 1, 10)}
    page = Client()
    page.force_login(kent_user)
    text = page.get("/operations-supported/summary/?year=FY2023-24").content.decode()
    assert "Essex Police" not in text and "Cleveland Police" not in text


def test_summary_exports_are_exact_and_formula_safe(national_analyst: Any, logged: None) -> None:
    make_operation("kent", national_analyst, name="=HYPERLINK(1)")
    client = Client()
    client.force_login(national_analyst)
    csv_text = client.get("/operations-supported/summary.csv?year=FY2023-24").content.decode()
    assert "Financial outcome,reparation,Reparation order,1,1,0.20" in csv_text
    assert "Financial year,FY2023-24,2023/24,4,2,0.30" in csv_text
    data = client.get("/operations-supported/summary.xlsx?year=FY2023-24").content
    sheet = load_workbook(io.BytesIO(data)).active
    values = [row for row in sheet.iter_rows(values_only=True) if row and row[0] == "Region"]
    assert ("Region", "eastern", "Eastern", 3, 2, 0.3) in values


def test_bad_year_is_refused_with_a_message(logged: None, national_analyst: Any) -> None:
    client = Client()
    client.force_login(national_analyst)
    for bad, says in (
        ("2023-24", "is not a period"),
        ("2024-02", "is a month: choose a financial year"),
        ("FY2019-20", "There are no figures for 2019/20 here"),
    ):
        response = client.get("/operations-supported/summary/", {"year": bad})
        assert response.status_code == 400 and says in response.content.decode(), bad
    assert client.get("/operations-supported/summary.csv?year=2024-02").status_code == 404


def test_the_year_picker_offers_years_with_operations_in_words(
    logged: None, national_analyst: Any
) -> None:
    client = Client()
    client.force_login(national_analyst)
    html = client.get("/operations-supported/summary/", {"year": "FY2022-23"}).content.decode()
    picker = html[html.index('<select name="year"') : html.index("</select>")]
    assert 'value="FY2022-23" selected data-kind="fy" data-end="2023-03">2022/23</option>' in (
        picker
    )
    assert ">2023/24</option>" in picker and ">FY" not in picker
    assert "Counts and outcomes, financial year 2022/23</h1>" in html
    assert "summary.csv?year=FY2022-23" in html
    listed = client.get("/operations-supported/", {"year": "FY2022-23"}).content.decode()
    assert ">All years</option>" in listed
    assert 'value="FY2022-23" selected' in listed
    assert "1 operation<" in listed  # the one that started in 2022/23


def test_summary_query_count_does_not_grow_with_operations(
    national_analyst: Any, django_assert_max_num_queries: Any
) -> None:
    client = Client()
    client.force_login(national_analyst)
    for _ in range(3):
        make_operation("kent", national_analyst, outcome="5")
    client.get("/operations-supported/summary/")
    with CaptureQueriesContext(connection) as few:
        client.get("/operations-supported/summary/")
    for force in ("essex", "cleveland", "surrey", "durham", "sussex") * 4:
        make_operation(force, national_analyst, types=("advice", "tactical"), outcome="7.5")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/operations-supported/summary/")
