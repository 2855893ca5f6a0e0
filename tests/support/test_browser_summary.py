"""The operations-supported summary in a real browser (issue 11 item 13): the tables by
support type, crime type and "given by" carry the financial outcomes, each ends with the
page's total, and the page passes axe-core at WCAG 2.2 AA. Persona: a national analyst."""

from __future__ import annotations

import pytest

from msoic.metrics.money import format_pounds
from msoic.support.actions import do_add_financial_outcome
from tests.browser.helpers import check_page, log_in
from tests.conftest import PERSONA_PASSWORD
from tests.support.conftest import make_operation

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_summary_tables_carry_the_money_and_end_with_the_total(
    live_server, watched, national_analyst
):
    make_operation("kent", national_analyst, types=("advice", "financial"), outcome="1000.50")
    essex = make_operation("essex", national_analyst, crime_type="ms", provider="regional")
    do_add_financial_outcome(essex, actor=national_analyst, kind="reparation", amount="250")
    page, url = watched.page, live_server.url
    log_in(page, url, national_analyst.username, PERSONA_PASSWORD)
    page.goto(f"{url}/operations-supported/summary/?year=FY2023-24")
    total_amount = format_pounds(125_050)  # as the page writes money
    assert page.locator('[data-figure="amount"]').inner_text() == total_amount
    crime = page.get_by_role("table", name="By crime type")
    assert crime.get_by_role("row", name="Modern slavery").inner_text().split("\t")[1:] == [
        "1",
        "1",
        format_pounds(25_000),
    ]
    for name in ("By support type", "By crime type", "By given by", "By region"):
        total = page.get_by_role("table", name=name).locator("tr[data-total]")
        assert total.inner_text().split("\t")[1:] == ["2", "2", total_amount], name
    check_page(page, url, watched)
