"""Bids: who may bid, decisions (once, with reasons), awards within the envelope, spend
within the award, and the audit rows each change writes."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from msoic.audit.models import AuditEvent
from msoic.commissioning import access as commissioning_access
from msoic.commissioning import actions
from msoic.commissioning.models import BidStatus, FundingAllocation
from msoic.orgunits.models import OrgUnit
from tests.commissioning.conftest import make_bid, make_envelope, make_window


def test_force_user_bids_for_own_force_and_region_is_recorded(window, kent_user):
    bid = make_bid(window, kent_user)
    assert bid.orgunit.code == "kent"
    assert bid.region.code == "eastern"
    assert bid.status == BidStatus.SUBMITTED
    row = AuditEvent.objects.get(object_type="commissioning.bid", object_id=str(bid.pk))
    assert row.action == "collection" and row.detail["step"] == "commissioning.submit_bid"


def test_force_user_cannot_bid_for_another_force(window, kent_user):
    with pytest.raises(PermissionDenied):
        make_bid(window, kent_user, orgunit="essex")


def test_regional_coordinator_bids_for_their_rocu(window, eastern_coordinator):
    bid = make_bid(window, eastern_coordinator)
    assert bid.orgunit.code == "eastern" and bid.region.code == "eastern"


def test_partner_cannot_bid(window, partner_user):
    with pytest.raises(PermissionDenied):
        make_bid(window, partner_user, orgunit="kent")


def test_bid_outside_the_window_is_refused(window, kent_user):
    with pytest.raises(ValidationError, match="open from"):
        actions.do_submit_bid(
            window,
            actor=kent_user,
            orgunit=kent_user.orgunit,
            title="Late",
            purpose="Late bid",
            activity_type="sea",
            amount=10_000,
            period_start=date(2023, 7, 1),
            period_end=date(2023, 7, 2),
            today=window.closes + timedelta(days=1),
        )


@pytest.mark.parametrize("amount", [Decimal("10.005"), Decimal("10.00"), 10.5, True])
def test_amounts_not_in_whole_pence_are_refused_by_the_action(window, kent_user, amount):
    """Pounds as a Decimal, a float or a flag: the action takes only whole pence."""
    with pytest.raises(ValidationError, match="not a whole number of pence"):
        make_bid(window, kent_user, amount=amount)


@pytest.mark.parametrize(("amount", "says"), [(0, "more than £0.00"), (10**15, "too large")])
def test_amounts_out_of_range_are_refused_by_the_action(window, kent_user, amount, says):
    with pytest.raises(ValidationError, match=says):
        make_bid(window, kent_user, amount=amount)


def test_approving_commits_the_amount_asked(window, kent_user, national_analyst, envelope):
    bid = make_bid(window, kent_user, amount="40000.00")
    actions.do_decide_bid(bid, actor=national_analyst, outcome="approved", reason="Good case")
    bid.refresh_from_db()
    assert bid.amount_awarded_pence == 4_000_000
    assert envelope.position().committed == 4_000_000
    assert envelope.position().uncommitted == 6_000_000
    row = AuditEvent.objects.filter(object_id=str(bid.pk), action="approve").get()
    assert row.detail["awarded"] == "40000.00"


def test_part_funding_needs_an_amount_below_the_ask(window, kent_user, national_analyst):
    bid = make_bid(window, kent_user, amount="40000.00")
    with pytest.raises(ValidationError, match="Give the amount"):
        actions.do_decide_bid(bid, actor=national_analyst, outcome="part_funded", reason="r")
    with pytest.raises(ValidationError, match="approve the bid instead"):
        actions.do_decide_bid(
            bid,
            actor=national_analyst,
            outcome="part_funded",
            reason="r",
            amount=4_000_000,
        )
    actions.do_decide_bid(
        bid, actor=national_analyst, outcome="part_funded", reason="r", amount=2_500_050
    )
    bid.refresh_from_db()
    assert bid.status == BidStatus.PART_FUNDED and bid.amount_awarded_pence == 2_500_050


def test_declining_commits_nothing_and_is_audited_as_rejected(
    window, kent_user, national_analyst, envelope
):
    bid = make_bid(window, kent_user)
    actions.do_decide_bid(bid, actor=national_analyst, outcome="declined", reason="Out of scope")
    bid.refresh_from_db()
    assert bid.amount_awarded_pence is None and bid.decision_reason == "Out of scope"
    assert envelope.position().committed == 0
    assert AuditEvent.objects.filter(object_id=str(bid.pk), action="reject").exists()


def test_a_decision_needs_a_reason(window, kent_user, national_analyst):
    bid = make_bid(window, kent_user)
    with pytest.raises(ValidationError, match="reason"):
        actions.do_decide_bid(bid, actor=national_analyst, outcome="approved", reason="  ")


def test_a_bid_decided_twice_is_refused(window, kent_user, national_analyst, envelope):
    bid = make_bid(window, kent_user, amount="10000.00")
    actions.do_decide_bid(bid, actor=national_analyst, outcome="declined", reason="No")
    with pytest.raises(ValidationError, match="already decided"):
        actions.do_decide_bid(bid, actor=national_analyst, outcome="approved", reason="Yes")
    bid.refresh_from_db()
    assert bid.status == BidStatus.DECLINED
    assert envelope.position().committed == 0


def test_only_the_unit_decides(window, kent_user, eastern_coordinator):
    bid = make_bid(window, kent_user)
    for who in (kent_user, eastern_coordinator):
        with pytest.raises(PermissionDenied):
            actions.do_decide_bid(bid, actor=who, outcome="approved", reason="mine")


def test_an_award_that_would_overdraw_the_envelope_is_refused(
    national_analyst, kent_user, essex_user
):
    envelope = make_envelope(national_analyst, amount="50000.00")
    window = make_window(national_analyst, envelope)
    first = make_bid(window, kent_user, amount="30000.00")
    second = make_bid(window, essex_user, amount="30000.00")
    actions.do_decide_bid(first, actor=national_analyst, outcome="approved", reason="ok")
    with pytest.raises(ValidationError, match=r"overdraw.*£20,000 is uncommitted"):
        actions.do_decide_bid(second, actor=national_analyst, outcome="approved", reason="ok")
    second.refresh_from_db()
    assert second.status == BidStatus.SUBMITTED
    # part-funding within what is left is fine, to the penny
    actions.do_decide_bid(
        second,
        actor=national_analyst,
        outcome="part_funded",
        reason="what is left",
        amount=2_000_000,
    )
    pos = envelope.position()
    assert pos.committed == 5_000_000 and pos.uncommitted == 0


def test_spend_within_the_award_and_not_beyond(window, kent_user, essex_user, national_analyst):
    bid = make_bid(window, kent_user, amount="1000.00")
    with pytest.raises(ValidationError, match="approved or part-funded"):
        actions.do_record_spend(bid, actor=kent_user, amount=100, spent_on=date(2023, 8, 1))
    actions.do_decide_bid(bid, actor=national_analyst, outcome="approved", reason="ok")
    actions.do_record_spend(
        bid, actor=kent_user, amount=60_000, spent_on=date(2023, 8, 1), note="fuel"
    )
    with pytest.raises(ValidationError, match=r"£400.01 would exceed the award: £400 of £1,000 is"):
        actions.do_record_spend(bid, actor=kent_user, amount=40_001, spent_on=date(2023, 8, 2))
    with pytest.raises(PermissionDenied):
        actions.do_record_spend(bid, actor=essex_user, amount=100, spent_on=date(2023, 8, 2))
    actions.do_record_spend(bid, actor=national_analyst, amount=40_000, spent_on=date(2023, 8, 3))
    assert bid.spent() == 100_000
    assert window.envelope.position().spent == 100_000


def test_force_sees_own_bids_coordinator_their_region_national_all(
    window, kent_user, essex_user, cleveland_user, eastern_coordinator, national_analyst
):
    kent = make_bid(window, kent_user)
    essex = make_bid(window, essex_user)
    cleveland = make_bid(window, cleveland_user)
    rocu = make_bid(window, eastern_coordinator)
    assert set(commissioning_access.bids_visible_to(kent_user)) == {kent}
    assert set(commissioning_access.bids_visible_to(eastern_coordinator)) == {kent, essex, rocu}
    assert set(commissioning_access.bids_visible_to(national_analyst)) == {
        kent,
        essex,
        cleveland,
        rocu,
    }


def test_allocation_is_set_then_replaced_with_the_old_figure_audited(national_analyst):
    actions.do_set_funding_allocation(
        actor=national_analyst,
        financial_year="FY2024-25",
        programme="ms",
        amount=126_000_000,
        source="Home Office",
        expires_on=date(2025, 3, 31),
    )
    actions.do_set_funding_allocation(
        actor=national_analyst,
        financial_year="FY2024-25",
        programme="ms",
        amount=130_000_000,
        source="Home Office",
        expires_on=date(2025, 3, 31),
    )
    allocation = FundingAllocation.objects.get()
    assert allocation.amount_pence == 130_000_000
    row = AuditEvent.objects.filter(object_type="commissioning.fundingallocation").first()
    assert row is not None and row.action == "alteration" and row.detail["before"] == "1260000.00"


@pytest.mark.parametrize(
    ("year", "expires", "says"),
    [
        ("2024", date(2025, 3, 31), "not a financial year"),
        ("FY2024-26", date(2025, 3, 31), "runs into the next year"),
        ("FY2024-25", date(2024, 3, 31), "expire before"),
    ],
)
def test_allocation_bad_year_or_expiry_is_refused(national_analyst, year, expires, says):
    with pytest.raises(ValidationError, match=says):
        actions.do_set_funding_allocation(
            actor=national_analyst,
            financial_year=year,
            programme="oic",
            amount=297_000_000,
            source="Home Office",
            expires_on=expires,
        )


def test_unit_may_record_a_paper_bid_for_a_force(window, national_analyst):
    bid = make_bid(window, national_analyst, orgunit="cleveland")
    assert bid.region.code == "north-east"
    with pytest.raises(ValidationError, match="force or a ROCU"):
        make_bid(window, national_analyst, orgunit="nca")
    assert OrgUnit.objects.get(code="nca").funding_bids.count() == 0
