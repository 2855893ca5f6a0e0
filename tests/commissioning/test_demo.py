"""The demo's commissioning reproduces the annual report from records: approved bids by
region (the report's table), awards within the £5,000,000 Terminus envelope, some spend,
and the 2024/25 allocations of £1.26 million (MS) and £2.97 million (OIC)."""

from __future__ import annotations

from datetime import date

import pytest

from msoic.commissioning.demo import build_commissioning_demo, load_targets
from msoic.commissioning.models import Bid, BidStatus, FundingAllocation, FundingEnvelope
from msoic.commissioning.summary import bids_by_region, positions

# The annual report's table, written out here (not read from the demo's own targets).
REPORT_APPROVED = {
    "Eastern": 30,
    "Yorkshire and Humber": 19,
    "North West": 18,
    "South West": 11,
    "South East": 11,
    "West Midlands": 10,
    "East Midlands": 6,
    "Wales": 6,
    "North East": 5,
    "London": 2,
}


@pytest.fixture
def built(national_analyst, kent_user, eastern_coordinator):
    report = build_commissioning_demo(national_analyst)
    envelope = FundingEnvelope.objects.get(name="Project Terminus", financial_year="FY2023-24")
    return report, envelope


def _approved_bids_by_region_are_the_reports_table(built):
    _, envelope = built
    rows = bids_by_region(envelope)
    assert {r.region: r.approved for r in rows} == REPORT_APPROVED
    assert [r.region for r in rows][:3] == ["Eastern", "Yorkshire and Humber", "North West"]
    assert sum(r.part_funded for r in rows) > 0 and sum(r.declined for r in rows) > 0
    assert Bid.objects.filter(status=BidStatus.SUBMITTED).count() == 0


def _the_envelope_is_five_million_with_awards_inside_it_and_some_spend(built):
    _, envelope = built
    assert envelope.amount_pence == 500_000_000
    assert envelope.source == "Home Office in-year funding"
    pos = positions([envelope])[envelope.pk]
    awarded = sum(b.amount_awarded_pence for b in Bid.objects.exclude(amount_awarded_pence=None))
    assert pos.committed == awarded
    assert 0 < pos.committed <= envelope.amount_pence
    assert 0 < pos.spent <= pos.committed
    for bid in Bid.objects.exclude(amount_awarded_pence=None):
        assert bid.spent() <= bid.amount_awarded_pence


def _own_accounts_bid_for_their_units(kent_user, eastern_coordinator):
    assert Bid.objects.filter(orgunit__code="kent", submitted_by=kent_user).exists()
    assert Bid.objects.filter(orgunit__code="eastern", submitted_by=eastern_coordinator).exists()


def _allocations_for_2024_25():
    found = {
        a.programme: (a.amount_pence, a.expires_on)
        for a in FundingAllocation.objects.filter(financial_year="FY2024-25")
    }
    assert found == {
        "ms": (126_000_000, date(2025, 3, 31)),
        "oic": (297_000_000, date(2025, 3, 31)),
    }


def test_demo_reproduces_the_report_from_records(built, kent_user, eastern_coordinator):
    """One build, every figure (the build takes seconds; it is made once here)."""
    _approved_bids_by_region_are_the_reports_table(built)
    _the_envelope_is_five_million_with_awards_inside_it_and_some_spend(built)
    _own_accounts_bid_for_their_units(kent_user, eastern_coordinator)
    _allocations_for_2024_25()


def test_targets_file_matches_the_report_and_the_build_is_idempotent(built, national_analyst):
    report, _ = built
    targets = load_targets()
    assert sum(v["approved"] for v in targets["bids_by_region"].values()) == 118
    bids = Bid.objects.count()
    again = build_commissioning_demo(national_analyst)
    assert not again.created and Bid.objects.count() == bids
    assert FundingEnvelope.objects.count() == 1 and FundingAllocation.objects.count() == 2
    assert "Eastern 30" in " ".join(report.lines())
