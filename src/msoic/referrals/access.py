"""Who may see and act on referrals and SPOCs (on the shared rules in
:mod:`msoic.accounts.access`).

Referrals:

- the Human Tissue Authority's users submit referrals and see their authority's own
  referrals only, with their status and outcome (never the force's assignee, references
  or notes);
- a force user sees the referrals routed to their force, and acknowledges, assigns and
  records the outcome;
- a regional coordinator reads their region's forces' referrals; the unit reads every
  referral, and the escalated ones are theirs to chase;
- other partners and administrators see none.

SPOCs: a force keeps its own, a coordinator their region's forces', and the unit reads
them all (and the coverage). Partners and administrators see none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from msoic.accounts.access import detail_orgunits, get_or_404, has_orgunit_role, role_of
from msoic.accounts.models import Role
from msoic.orgunits.models import OrgUnit, OrgUnitKind
from msoic.referrals.models import HTA_CODE, Referral, Spoc, SpocQuerySet, Status

if TYPE_CHECKING:
    from msoic.accounts.models import User


def is_referrer(user: User) -> bool:
    """A user of the Human Tissue Authority (a partner whose org unit is the HTA)."""
    if role_of(user) != Role.PARTNER or user.orgunit_id is None:
        return False
    return bool(user.orgunit and user.orgunit.code == HTA_CODE)


def can_see_referrals(user: User) -> bool:
    return has_orgunit_role(user) or is_referrer(user)


def referrals_visible_to(user: User) -> QuerySet[Referral]:
    role = role_of(user)
    if role == Role.NATIONAL:
        return Referral.objects.all()
    if role in (Role.REGIONAL, Role.FORCE):
        return Referral.objects.filter(
            force__in=detail_orgunits(user).filter(kind=OrgUnitKind.FORCE)
        )
    if is_referrer(user):
        return Referral.objects.filter(referrer_id=user.orgunit_id)
    return Referral.objects.none()


def get_referral_for_user(user: User, pk: object) -> Referral:
    """A referral the user may see, or 404 (another force's is not revealed)."""
    return get_or_404(
        referrals_visible_to(user).select_related(
            "force", "local_authority", "spoc", "assigned_to", "referrer"
        ),
        pk,
        audit_denied=user,
        message="No such referral",
    )


def sees_force_internals(user: User) -> bool:
    """Police users see what the force did (assignee, references, notes); the referrer sees
    the status and the outcome only."""
    return has_orgunit_role(user)


def can_work_referral(user: User, referral: Referral) -> bool:
    """Acknowledge, assign and record the outcome: the force's own users."""
    return role_of(user) == Role.FORCE and referral.force_id == user.orgunit_id


def can_acknowledge(user: User, referral: Referral) -> bool:
    return can_work_referral(user, referral) and referral.status == Status.SUBMITTED


def can_assign(user: User, referral: Referral) -> bool:
    return can_work_referral(user, referral) and referral.status in (
        Status.ACKNOWLEDGED,
        Status.ASSIGNED,
    )


def can_record_outcome(user: User, referral: Referral) -> bool:
    return can_work_referral(user, referral) and referral.status in (
        Status.ACKNOWLEDGED,
        Status.ASSIGNED,
    )


def can_reroute(user: User, referral: Referral) -> bool:
    """The unit sends a referral not yet acknowledged to another force."""
    return role_of(user) == Role.NATIONAL and referral.status == Status.SUBMITTED


# --- SPOCs ------------------------------------------------------------------------------------


def can_see_spocs(user: User) -> bool:
    return has_orgunit_role(user)


def spoc_forces_readable(user: User) -> QuerySet[OrgUnit]:
    if not can_see_spocs(user):
        return OrgUnit.objects.none()
    return detail_orgunits(user).filter(kind=OrgUnitKind.FORCE)


def spoc_forces_writable(user: User) -> QuerySet[OrgUnit]:
    """A force user their own force; a coordinator their region's forces; the unit reads only."""
    if role_of(user) in (Role.FORCE, Role.REGIONAL):
        return detail_orgunits(user).filter(kind=OrgUnitKind.FORCE)
    return OrgUnit.objects.none()


def spocs_visible_to(user: User) -> SpocQuerySet:
    return Spoc.objects.filter(force__in=spoc_forces_readable(user))


def can_keep_spoc(user: User, spoc: Spoc) -> bool:
    return spoc_forces_writable(user).filter(pk=spoc.force_id).exists()


def get_spoc_for_user(user: User, pk: object) -> Spoc:
    return get_or_404(
        spocs_visible_to(user).select_related("force"),
        pk,
        audit_denied=user,
        message="No such SPOC",
    )
