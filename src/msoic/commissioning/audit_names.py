"""Names of funding bids in the audit log (msoic.audit.names), linked to the bid, for those
the viewer may see. One query whatever the number of rows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse

from msoic.accounts.access import is_national
from msoic.audit.names import Named, namer
from msoic.commissioning import access as commissioning_access
from msoic.commissioning.models import BidWindow, FundingAllocation, FundingEnvelope, SpendReturn
from msoic.metrics.money import format_pounds
from msoic.metrics.periods import Period, PeriodError

if TYPE_CHECKING:
    from msoic.accounts.models import User


@namer("commissioning.bid")
def name_bids(viewer: User, ids: list[str]) -> dict[str, Named]:
    bids = (
        commissioning_access.bids_visible_to(viewer)
        .filter(pk__in=[int(i) for i in ids if i.isdigit()])
        .select_related("orgunit")
    )
    return {
        str(b.pk): Named(
            f"Bid “{b.title}”, {b.orgunit.name}", reverse("commissioning-bid", args=[b.pk])
        )
        for b in bids
    }


def _ints(ids: list[str]) -> list[int]:
    return [int(i) for i in ids if i.isdigit()]


def _year(code: str) -> str:
    """'FY2023-24' as 'financial year 2023/24'."""
    try:
        label = Period.parse(code).label
    except (PeriodError, ValueError):
        return code
    return label[:1].lower() + label[1:]


# Envelopes, windows, spend and allocations: named for the unit's national users, who alone
# read the log; others keep the raw reference.


@namer("commissioning.fundingenvelope")
def name_envelopes(viewer: User, ids: list[str]) -> dict[str, Named]:
    if not is_national(viewer):
        return {}
    return {
        str(e.pk): Named(
            f"Funding envelope “{e.name}”, {_year(e.financial_year)}",
            reverse("commissioning-envelope", args=[e.pk]),
        )
        for e in FundingEnvelope.objects.filter(pk__in=_ints(ids))
    }


@namer("commissioning.bidwindow")
def name_windows(viewer: User, ids: list[str]) -> dict[str, Named]:
    if not is_national(viewer):
        return {}
    windows = BidWindow.objects.filter(pk__in=_ints(ids)).select_related("envelope")
    return {
        str(w.pk): Named(
            f"Bid window “{w.title}” of {w.envelope.name}",
            reverse("commissioning-envelope", args=[w.envelope_id]),
        )
        for w in windows
    }


@namer("commissioning.spendreturn")
def name_spend(viewer: User, ids: list[str]) -> dict[str, Named]:
    if not is_national(viewer):
        return {}
    spend = SpendReturn.objects.filter(pk__in=_ints(ids)).select_related("bid__orgunit")
    return {
        str(s.pk): Named(
            f"Spend of {format_pounds(s.amount_pence)} on the bid “{s.bid.title}”, "
            f"{s.bid.orgunit.name}",
            reverse("commissioning-bid", args=[s.bid_id]),
        )
        for s in spend
    }


@namer("commissioning.fundingallocation")
def name_allocations(viewer: User, ids: list[str]) -> dict[str, Named]:
    if not is_national(viewer):
        return {}
    return {
        str(a.pk): Named(
            f"Funding allocation, {a.get_programme_display()}, {_year(a.financial_year)}"
        )
        for a in FundingAllocation.objects.filter(pk__in=_ints(ids))
    }
