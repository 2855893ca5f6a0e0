"""Who may see and do what with CPS cases and links (on the shared rules in
:mod:`msoic.accounts.access`).

- the unit (national) imports extracts, runs the linkage, reviews candidate pairs and sees
  every case;
- a force user sees the cases charged from their force (the owning force), a regional
  coordinator those of their region's forces, as they read the register;
- partners and administrators see no record: the funnel's figures reach them through the
  metric engine and disclosure control.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from msoic.accounts.access import detail_orgunits, get_or_404, has_orgunit_role, role_of
from msoic.accounts.models import Role
from msoic.cps.models import CpsCase, Link, LinkageRun, LinkStatus
from msoic.orgunits.models import OrgUnitKind

if TYPE_CHECKING:
    from msoic.accounts.models import User


def can_see_cases(user: User) -> bool:
    return has_orgunit_role(user)


def can_manage(user: User) -> bool:
    """Import extracts, run the linkage, review pairs: the unit's analysts."""
    return role_of(user) == Role.NATIONAL


def can_see_funnel(user: object) -> bool:
    """The funnel page: everyone signed in with a role (partners and administrators get its
    national figures through disclosure control)."""
    return role_of(user) is not None


def cases_visible_to(user: User) -> QuerySet[CpsCase]:
    role = role_of(user)
    if role == Role.NATIONAL:
        return CpsCase.objects.all()
    if role in (Role.REGIONAL, Role.FORCE):
        forces = detail_orgunits(user).filter(kind=OrgUnitKind.FORCE)
        return CpsCase.objects.filter(force__in=forces)
    return CpsCase.objects.none()


def get_case_for_user(user: User, pk: object) -> CpsCase:
    return get_or_404(
        cases_visible_to(user).select_related("force", "extract"),
        pk,
        audit_denied=user,
        message="No such CPS case",
    )


def review_queue(user: User) -> QuerySet[Link]:
    if not can_manage(user):
        return Link.objects.none()
    return Link.objects.filter(status=LinkStatus.CLERICAL)


def get_link_for_review(user: User, pk: object) -> Link:
    """A link the user may decide on (any status, so a decision can be seen and changed)."""
    links = Link.objects.all() if can_manage(user) else Link.objects.none()
    return get_or_404(
        links.select_related("case__force", "force"),
        pk,
        audit_denied=user,
        message="No such candidate pair",
    )


def get_run_for_user(user: User, pk: object) -> LinkageRun:
    """A linkage run the user may restart: the unit's (others are refused before this)."""
    runs = LinkageRun.objects.all() if can_manage(user) else LinkageRun.objects.none()
    return get_or_404(runs, pk, audit_denied=user, message="No such linkage run")
