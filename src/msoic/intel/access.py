"""Who may see, send and review intelligence logs (on the shared rules of
:mod:`msoic.accounts.access`), scoped as for the investigation register:

- a force user sees and sends their own force's logs;
- a regional coordinator sees the logs of their region's forces (sends none);
- the unit (national) sees every log, sends for any force, and reviews;
- partners and administrators see no log (partners get figures through the engine and
  disclosure control).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from msoic.accounts.access import (
    detail_orgunits,
    get_or_404,
    has_orgunit_role,
    role_of,
    writable_forces,
)
from msoic.accounts.models import Role
from msoic.intel.models import IntelImport, IntelLog
from msoic.orgunits.models import OrgUnit, OrgUnitKind

if TYPE_CHECKING:
    from msoic.accounts.models import User


def can_see_intel(user: User) -> bool:
    return has_orgunit_role(user)


def can_review(user: User) -> bool:
    return role_of(user) == Role.NATIONAL


def readable_forces(user: User) -> QuerySet[OrgUnit]:
    if not can_see_intel(user):
        return OrgUnit.objects.none()
    return detail_orgunits(user).filter(kind=OrgUnitKind.FORCE)


def sending_forces(user: User) -> QuerySet[OrgUnit]:
    """Forces the user may send extracts for: their own force; the unit any force."""
    return writable_forces(user)


def can_send_for(user: User, force: OrgUnit) -> bool:
    return sending_forces(user).filter(pk=force.pk).exists()


def logs_visible_to(user: User) -> QuerySet[IntelLog]:
    role = role_of(user)
    if role == Role.NATIONAL:
        return IntelLog.objects.all()
    if role in (Role.REGIONAL, Role.FORCE):
        return IntelLog.objects.filter(force__in=readable_forces(user))
    return IntelLog.objects.none()


def force_ids_visible_to(user: User) -> list[int] | None:
    """The forces of :func:`logs_visible_to`, as ids (None: every force, for the unit), to
    scope what is read from the logs' tallies."""
    if role_of(user) == Role.NATIONAL:
        return None
    if role_of(user) in (Role.REGIONAL, Role.FORCE):
        return list(readable_forces(user).values_list("pk", flat=True))
    return []


def get_log_for_user(user: User, pk: object) -> IntelLog:
    """A log the user may see, or 404 (another force's is not revealed)."""
    return get_or_404(
        logs_visible_to(user).select_related("force"),
        pk,
        audit_denied=user,
        message="No such intelligence log",
    )


def imports_visible_to(user: User) -> QuerySet[IntelImport]:
    """Extracts the user sent, and (the unit) every extract; a force user sees their force's."""
    role = role_of(user)
    if role == Role.NATIONAL:
        return IntelImport.objects.all()
    if role == Role.FORCE and user.orgunit_id:
        return IntelImport.objects.filter(force_id=user.orgunit_id)
    return IntelImport.objects.none()


def get_import_for_user(user: User, pk: object) -> IntelImport:
    return get_or_404(
        imports_visible_to(user).select_related("force"),
        pk,
        audit_denied=user,
        message="No such extract",
    )
