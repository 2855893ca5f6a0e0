"""Who may see and record anti-slavery partnerships (on the shared rules in
:mod:`msoic.accounts.access`).

- the unit sees and manages every partnership;
- a regional coordinator sees the partnerships of their region or its forces and those any
  of its forces belongs to, and manages those of their region and its forces;
- a force user sees the partnerships their force belongs to or that serve it;
- whoever is named a partnership's coordinator records its meetings;
- its members (forces and partner organisations) are changed by those who may set up a
  partnership for its area: the unit, and the coordinators of its region;
- partners and administrators see none of these pages (coverage reaches them through the
  metric engine).

Coverage (forces in at least one partnership) is shown for the forces the user reads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from msoic.accounts.access import detail_orgunits, get_or_404, has_orgunit_role, role_of
from msoic.accounts.models import Role
from msoic.orgunits.models import OrgUnit, OrgUnitKind
from msoic.partnerships.models import Partnership

if TYPE_CHECKING:
    from msoic.accounts.models import User


def can_see_partnerships(user: User) -> bool:
    return has_orgunit_role(user)


def covered_forces_scope(user: User) -> QuerySet[OrgUnit]:
    """The forces whose coverage the user's pages show."""
    return detail_orgunits(user).filter(kind=OrgUnitKind.FORCE)


def partnerships_visible_to(user: User) -> QuerySet[Partnership]:
    role = role_of(user)
    if role == Role.NATIONAL:
        return Partnership.objects.all()
    if role not in (Role.REGIONAL, Role.FORCE) or not user.orgunit_id:
        return Partnership.objects.none()
    mine = detail_orgunits(user)
    ids = Partnership.objects.filter(
        Q(area__in=mine) | Q(forces__in=mine) | Q(coordinator=user)
    ).values("pk")
    return Partnership.objects.filter(pk__in=ids)


def partnership_areas(user: User) -> QuerySet[OrgUnit]:
    """The forces and regions the user may set up partnerships for."""
    role = role_of(user)
    if role == Role.NATIONAL:
        return OrgUnit.objects.filter(kind__in=[OrgUnitKind.REGION, OrgUnitKind.FORCE])
    if role == Role.REGIONAL and user.orgunit_id:
        return detail_orgunits(user).filter(kind__in=[OrgUnitKind.REGION, OrgUnitKind.FORCE])
    return OrgUnit.objects.none()


def can_manage_partnership(user: User, partnership: Partnership) -> bool:
    """May the user record the partnership's meetings?"""
    role = role_of(user)
    if role is None:
        return False
    if partnership.coordinator_id is not None and partnership.coordinator_id == user.pk:
        return True
    if role == Role.NATIONAL:
        return True
    if role == Role.REGIONAL and user.orgunit_id:
        area = partnership.area
        return area.pk == user.orgunit_id or area.parent_id == user.orgunit_id
    return False


def can_change_members(user: User, partnership: Partnership) -> bool:
    """May the user change which forces and organisations belong to the partnership? Those
    who may set one up for its area (:func:`partnership_areas`): the unit, and a regional
    coordinator for their region and its forces. A named coordinator who is neither records
    meetings only. No query (the area is loaded with the partnership)."""
    role = role_of(user)
    if role == Role.NATIONAL:
        return True
    if role == Role.REGIONAL and user.orgunit_id:
        area = partnership.area
        return area.pk == user.orgunit_id or area.parent_id == user.orgunit_id
    return False


def get_partnership_for_user(user: User, pk: object) -> Partnership:
    return get_or_404(
        partnerships_visible_to(user).select_related("area", "coordinator"),
        pk,
        audit_denied=user,
        message="No such partnership",
    )
