"""Who may see and act on peer reviews, their recommendations and the good practice
library (on the shared rules in :mod:`msoic.accounts.access`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from msoic.accounts.access import detail_orgunits, get_or_404, has_orgunit_role, role_of
from msoic.accounts.models import Role
from msoic.orgunits.models import OrgUnitKind
from msoic.peerreview.models import GoodPractice, PeerReview, Recommendation, Stage

if TYPE_CHECKING:
    from msoic.accounts.models import User


def can_manage_peer_reviews(user: User) -> bool:
    """The unit's peer review team (national users) schedules, writes, publishes, verifies."""
    return role_of(user) == Role.NATIONAL


def can_see_peer_reviews(user: User) -> bool:
    """Forces, coordinators and the unit use peer reviews (partners and admins do not)."""
    return has_orgunit_role(user)


def peer_reviews_visible_to(user: User) -> QuerySet[PeerReview]:
    """National: every review at every stage. Force and regional users: their forces'
    reviews once published. Partners and administrators: none."""
    role = role_of(user)
    if role == Role.NATIONAL:
        return PeerReview.objects.all()
    if role in (Role.FORCE, Role.REGIONAL):
        return PeerReview.objects.filter(
            force__in=detail_orgunits(user).filter(kind=OrgUnitKind.FORCE),
            stage=Stage.PUBLISHED,
        )
    return PeerReview.objects.none()


def get_peer_review_for_user(user: User, pk: object) -> PeerReview:
    return get_or_404(
        peer_reviews_visible_to(user).select_related("force__parent"),
        pk,
        message="No such peer review",
    )


def recommendations_visible_to(user: User) -> QuerySet[Recommendation]:
    return Recommendation.objects.filter(review__in=peer_reviews_visible_to(user))


def get_recommendation_for_user(user: User, pk: object) -> Recommendation:
    return get_or_404(
        recommendations_visible_to(user).select_related("review__force__parent"),
        pk,
        message="No such recommendation",
    )


def can_progress_recommendation(user: User, rec: Recommendation) -> bool:
    """The force that owns it, or the unit, may record progress (once the report is out)."""
    role = role_of(user)
    if not rec.review.is_published:
        return False
    if role == Role.NATIONAL:
        return True
    return role == Role.FORCE and user.orgunit_id == rec.review.force_id


def good_practice_visible_to(user: User) -> QuerySet[GoodPractice]:
    """The library: every published item for force, regional and national users; national
    users also see items not yet published to the library."""
    role = role_of(user)
    if role == Role.NATIONAL:
        return GoodPractice.objects.all()
    if role in (Role.FORCE, Role.REGIONAL):
        return GoodPractice.objects.filter(library_published=True)
    return GoodPractice.objects.none()


def get_good_practice_for_user(user: User, pk: object) -> GoodPractice:
    return get_or_404(
        good_practice_visible_to(user).select_related("review__force"),
        pk,
        message="No such good practice item",
    )
