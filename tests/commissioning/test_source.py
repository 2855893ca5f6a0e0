"""Approved bids, funding envelopes and allocations through the metric engine (the derived
source; a ROCU's bids are its region's own figures, the money the unit's), and the API's
scope: a force reads its own figure, not another force's."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from msoic.commissioning import actions
from msoic.commissioning.models import Bid, BidWindow
from msoic.commissioning.source import (
    ALLOCATION_MS,
    ALLOCATION_OIC,
    BIDS_APPROVED,
    COMMISSIONING_SOURCE,
    ENVELOPES,
)
from msoic.metrics import engine, sources
from msoic.metrics.money import parse_pounds
from msoic.orgunits.models import OrgUnit
from tests.api.conftest import bearer
from tests.commissioning.conftest import make_envelope

pytestmark = pytest.mark.django_db


def ou(code: str) -> OrgUnit:
    return OrgUnit.objects.get(code=code)


def value(metric: str, code: str, period: str) -> int | None:
    return engine.query(metric, ou(code), period).value


def bid(window: BidWindow, actor: Any, orgunit: str, submitted: date) -> Bid:
    return actions.do_submit_bid(
        window,
        actor=actor,
        orgunit=ou(orgunit),
        title=f"Lorry checks ({orgunit})",
        purpose="Lorry checks at the ports with Border Force",
        activity_type="land",
        amount=parse_pounds("20000.00"),
        period_start=date(2023, 7, 1),
        period_end=date(2023, 9, 30),
        today=submitted,
    )


def decide(b: Bid, unit: Any, outcome: str, on: date) -> None:
    amount = parse_pounds("10000.00") if outcome == "part_funded" else None
    actions.do_decide_bid(b, actor=unit, outcome=outcome, reason="r", amount=amount, today=on)


@pytest.fixture
def funding(personas: dict[str, Any]) -> None:
    """A £5,000,000 envelope for 2023/24; bids decided in June 2023: Kent approved twice,
    part-funded once; Essex approved; the Eastern ROCU approved; Cleveland declined; one
    Kent bid approved in April 2024; allocations for 2024/25."""
    unit = personas["national"]
    envelope = make_envelope(unit, amount="5000000.00")
    window = actions.do_open_bid_window(
        envelope, actor=unit, title="Round 1", opens=date(2023, 5, 1), closes=date(2024, 4, 30)
    )
    may = date(2023, 5, 10)
    june = date(2023, 6, 5)
    kent, essex, eastern, north = (
        personas["kent"],
        personas["essex"],
        personas["eastern"],
        personas["cleveland"],
    )
    for outcome in ("approved", "approved", "part_funded"):
        decide(bid(window, kent, "kent", may), unit, outcome, june)
    decide(bid(window, essex, "essex", may), unit, "approved", june)
    decide(bid(window, eastern, "eastern", may), unit, "approved", june)
    decide(bid(window, north, "cleveland", may), unit, "declined", june)
    bid(window, north, "cleveland", may)  # awaiting a decision
    decide(bid(window, kent, "kent", date(2024, 4, 2)), unit, "approved", date(2024, 4, 20))
    for programme, amount in (("ms", "1260000.00"), ("oic", "2970000.00")):
        actions.do_set_funding_allocation(
            actor=unit,
            financial_year="FY2024-25",
            programme=programme,
            amount=parse_pounds(amount),
            source="Home Office",
            expires_on=date(2025, 3, 31),
        )


def test_the_source_is_registered_and_covers_every_force():
    for metric in (BIDS_APPROVED, ENVELOPES, ALLOCATION_MS, ALLOCATION_OIC):
        assert sources.source_for(metric) is COMMISSIONING_SOURCE
    assert len(sources.coverage(BIDS_APPROVED)) == 43


@pytest.mark.parametrize(
    ("code", "period", "bids"),
    [
        ("national", "FY2023-24", 4),  # Kent 2, Essex, the Eastern ROCU
        ("eastern", "FY2023-24", 4),  # its forces and its ROCU
        ("kent", "FY2023-24", 2),  # part-funded is not approved in full
        ("essex", "FY2023-24", 1),
        ("north-east", "FY2023-24", 0),  # declined and undecided
        ("national", "2023-06", 4),
        ("national", "2023-05", 0),  # submitted then, decided in June
        ("national", "FY2024-25", 1),
    ],
)
def test_bids_approved_in_the_month_decided_under_the_bidder(funding, code, period, bids):
    assert value(BIDS_APPROVED, code, period) == bids


def test_a_rocus_bids_are_in_its_region_but_in_no_forces_row(funding):
    result = engine.query(BIDS_APPROVED, ou("eastern"), "FY2023-24", by="force")
    assert result.value == 4
    assert sum(r.value or 0 for r in result.rows) == 3
    assert result.coverage.complete


def test_the_money_is_the_units_counted_in_april_of_its_year(funding):
    assert value(ENVELOPES, "national", "FY2023-24") == 500_000_000
    assert value(ENVELOPES, "national", "2023-04") == 500_000_000
    assert value(ENVELOPES, "national", "FY2024-25") == 0
    assert value(ALLOCATION_MS, "national", "FY2024-25") == 126_000_000
    assert value(ALLOCATION_OIC, "national", "FY2024-25") == 297_000_000
    assert value(ALLOCATION_OIC, "national", "FY2023-24") == 0
    for code in ("eastern", "kent"):
        assert value(ENVELOPES, code, "FY2023-24") == 0
        assert value(ALLOCATION_MS, code, "FY2024-25") == 0


def test_a_force_reads_its_own_figure_and_not_another_forces(funding, personas):
    kent = Client(**bearer(personas["kent"]))
    ask = {"metric": BIDS_APPROVED, "period": "FY2023-24"}
    own = kent.get("/api/v1/values", {**ask, "orgunit": "kent"})
    assert own.status_code == 200 and own.json()["value"] == 2
    assert kent.get("/api/v1/values", {**ask, "orgunit": "essex"}).status_code == 403
