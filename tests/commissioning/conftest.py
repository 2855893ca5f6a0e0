"""Commissioning fixtures: an envelope and an open window made through the actions, and a
helper to submit bids as a bidder would. Amounts are written in pounds, as people type
them, and handed to the actions as pence."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from msoic.commissioning import actions
from msoic.commissioning.models import Bid, BidWindow, FundingEnvelope
from msoic.metrics.money import parse_pounds
from msoic.orgunits.models import OrgUnit


def make_envelope(unit: Any, amount: str = "100000.00", name: str = "Terminus") -> FundingEnvelope:
    return actions.do_create_funding_envelope(
        actor=unit,
        name=name,
        source="Home Office in-year funding",
        amount=parse_pounds(amount),
        financial_year="FY2023-24",
        programme="oic",
        purpose="Land, air and sea activity",
    )


def make_window(unit: Any, envelope: FundingEnvelope) -> BidWindow:
    today = timezone.localdate()
    return actions.do_open_bid_window(
        envelope,
        actor=unit,
        title="Round 1",
        opens=today - timedelta(days=3),
        closes=today + timedelta(days=10),
    )


def make_bid(
    window: BidWindow, bidder: Any, amount: object = "40000.00", orgunit: str | None = None
) -> Bid:
    """``amount`` in pounds as text; anything else goes to the action as it is."""
    unit = OrgUnit.objects.get(code=orgunit) if orgunit else bidder.orgunit
    return actions.do_submit_bid(
        window,
        actor=bidder,
        orgunit=unit,
        title=f"Lorry checks ({unit.code})",
        purpose="Lorry checks at the ports with Border Force",
        activity_type="land",
        amount=parse_pounds(amount) if isinstance(amount, str) else amount,
        period_start=date(2023, 7, 1),
        period_end=date(2023, 9, 30),
    )


@pytest.fixture
def envelope(national_analyst: Any) -> FundingEnvelope:
    return make_envelope(national_analyst)


@pytest.fixture
def window(national_analyst: Any, envelope: FundingEnvelope) -> BidWindow:
    return make_window(national_analyst, envelope)
