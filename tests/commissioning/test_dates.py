"""When a year's funding allocations end, as a dated fact for reports."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from msoic.commissioning import actions
from msoic.metrics import dates
from msoic.metrics.money import parse_pounds

pytestmark = pytest.mark.django_db


def _allocate(unit: Any, programme: str, expires: date) -> None:
    actions.do_set_funding_allocation(
        actor=unit,
        financial_year="FY2024-25",
        programme=programme,
        amount=parse_pounds("1000000.00"),
        source="Home Office",
        expires_on=expires,
    )


def test_the_allocations_end_on_their_latest_expiry(national_analyst: Any) -> None:
    _allocate(national_analyst, "ms", date(2025, 3, 31))
    _allocate(national_analyst, "oic", date(2025, 2, 28))
    both = dates.fact("allocations_end", {"period": "FY2024-25"})
    assert (both.on, both.records, both.link) == (date(2025, 3, 31), 2, "/commissioning/")
    oic = dates.fact("allocations_end", {"period": "FY2024-25", "programme": "oic"})
    assert oic.on == date(2025, 2, 28) and "organised immigration crime" in oic.label


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, "allocations_end needs period= a financial year"),
        ({"period": "2024-05"}, "allocations are made for a financial year"),
        ({"period": "FY2024-25", "programme": "cps"}, "programme='cps' is not one of ms, oic"),
        ({"period": "FY2030-31"}, "no funding allocation for FY2030-31 is recorded"),
    ],
)
def test_a_bad_period_or_programme_is_refused(options: dict[str, str], message: str) -> None:
    with pytest.raises(dates.DateError, match=message):
        dates.fact("allocations_end", options)
