"""Commissioning's lists and dashboards make the same number of queries for one envelope and
one bid as for three envelopes with bids from seven forces and a region, some decided: an
N+1 (a query per envelope, window, region or bid) fails here. The pins are exact, so a new
query is a decision, not an accident."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from msoic.accounts.actions import do_create_user
from msoic.commissioning import actions
from msoic.commissioning.models import FundingEnvelope
from tests.commissioning.conftest import make_bid, make_envelope, make_window
from tests.conftest import PERSONA_PASSWORD
from tests.query_counts import pinned_get

pytestmark = pytest.mark.django_db

MORE_FORCES = ("suffolk", "norfolk", "durham", "cumbria")


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def force_user(code: str) -> Any:
    user, _ = do_create_user(
        f"{code}.bidder",
        role="force",
        orgunit_code=code,
        password=PERSONA_PASSWORD,
        actor="tests",
        check_password=False,
    )
    return user


def first_envelope(personas: dict[str, Any]) -> FundingEnvelope:
    """One envelope, one window, one bid from Kent."""
    envelope = make_envelope(personas["national"], name="Envelope 0")
    make_bid(make_window(personas["national"], envelope), personas["kent"])
    return envelope


def grow(personas: dict[str, Any]) -> FundingEnvelope:
    """Two more envelopes; each window has bids from Kent, Essex, Cleveland, the Eastern
    region and other forces; two approved and one declined per envelope. The last one."""
    unit = personas["national"]
    bidders = [personas[p] for p in ("kent", "essex", "cleveland", "eastern")]
    bidders += [force_user(code) for code in MORE_FORCES]
    envelope = None
    for n in (1, 2):
        envelope = make_envelope(unit, name=f"Envelope {n}")
        window = make_window(unit, envelope)
        bids = [make_bid(window, bidder) for bidder in bidders]
        for bid in bids[:2]:
            actions.do_decide_bid(bid, actor=unit, outcome="approved", reason="Good case")
        actions.do_decide_bid(bids[2], actor=unit, outcome="declined", reason="Out of scope")
    assert envelope is not None
    return envelope


PAGES = [
    ("national", "/commissioning/", 13),
    ("eastern", "/commissioning/", 13),
    ("kent", "/commissioning/", 14),
    ("national", "/commissioning/bids/", 9),
    ("eastern", "/commissioning/bids/", 8),
    ("kent", "/commissioning/bids/", 9),
]


@pytest.mark.parametrize(("persona", "url", "queries"), PAGES)
def test_hub_and_bid_list_queries_do_not_grow_with_envelopes_and_bids(
    personas: dict[str, Any], persona: str, url: str, queries: int
) -> None:
    first_envelope(personas)
    c = client_for(personas[persona])
    pinned_get(c, url, queries)
    grow(personas)
    pinned_get(c, url, queries)


@pytest.mark.parametrize(("persona", "queries"), [("national", 13), ("eastern", 13), ("kent", 14)])
def test_envelope_page_queries_do_not_grow_with_bids_and_regions(
    personas: dict[str, Any], persona: str, queries: int
) -> None:
    small = first_envelope(personas)
    large = grow(personas)
    c = client_for(personas[persona])
    pinned_get(c, f"/commissioning/envelopes/{small.pk}/", queries)
    html = pinned_get(c, f"/commissioning/envelopes/{large.pk}/", queries).content.decode()
    assert "North East" in html and "Eastern" in html
