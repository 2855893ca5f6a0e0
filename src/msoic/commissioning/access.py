"""Who may see and act on funding envelopes, bid windows and bids (on the shared rules in
:mod:`msoic.accounts.access`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from msoic.accounts.access import detail_orgunits, get_or_404, has_orgunit_role, role_of
from msoic.accounts.models import Role
from msoic.commissioning.models import Bid, BidWindow, FundingEnvelope
from msoic.orgunits.models import OrgUnit, OrgUnitKind

if TYPE_CHECKING:
    from msoic.accounts.models import User


def can_see_commissioning(user: User) -> bool:
    """Envelopes, positions and bid windows: the unit, coordinators and forces."""
    return has_orgunit_role(user)


def can_manage_commissioning(user: User) -> bool:
    """Open envelopes and windows, decide bids, set allocations: the unit's commissioning team."""
    return role_of(user) == Role.NATIONAL


def bidding_orgunit(user: User) -> OrgUnit | None:
    """The org unit a user bids for: a force user their force, a coordinator their ROCU."""
    role = role_of(user)
    if role == Role.FORCE and user.orgunit_id:
        return OrgUnit.objects.filter(pk=user.orgunit_id, kind=OrgUnitKind.FORCE).first()
    if role == Role.REGIONAL and user.orgunit_id:
        return OrgUnit.objects.filter(pk=user.orgunit_id, kind=OrgUnitKind.REGION).first()
    return None


def envelopes_visible_to(user: User) -> QuerySet[FundingEnvelope]:
    if can_see_commissioning(user):
        return FundingEnvelope.objects.all()
    return FundingEnvelope.objects.none()


def get_envelope_for_user(user: User, pk: object) -> FundingEnvelope:
    return get_or_404(envelopes_visible_to(user), pk, message="No such funding envelope")


def get_bid_window_for_user(user: User, pk: object) -> BidWindow:
    windows = BidWindow.objects.select_related("envelope").filter(
        envelope__in=envelopes_visible_to(user)
    )
    return get_or_404(windows, pk, message="No such bid window")


def bids_visible_to(user: User) -> QuerySet[Bid]:
    """National: every bid. A coordinator: their ROCU's and their forces' bids. A force: its
    own. Partners and administrators: none."""
    role = role_of(user)
    if role == Role.NATIONAL:
        return Bid.objects.all()
    if role in (Role.REGIONAL, Role.FORCE):
        return Bid.objects.filter(orgunit__in=detail_orgunits(user))
    return Bid.objects.none()


def get_bid_for_user(user: User, pk: object) -> Bid:
    """A bid the user may see, or 404 (never reveals that another force's bid exists)."""
    return get_or_404(
        bids_visible_to(user).select_related(
            "window__envelope", "orgunit", "region", "submitted_by", "decided_by"
        ),
        pk,
        message="No such bid",
    )


def can_record_spend(user: User, bid: Bid) -> bool:
    """The bidder (the force, or the ROCU's coordinator) or the unit reports spend."""
    if role_of(user) == Role.NATIONAL:
        return True
    own = bidding_orgunit(user)
    return own is not None and own.pk == bid.orgunit_id
