"""Who may see and log operations supported (on the shared rules in
:mod:`msoic.accounts.access`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from msoic.accounts.access import (
    detail_orgunits,
    get_or_404,
    has_orgunit_role,
    is_national,
    role_of,
)
from msoic.accounts.models import Role
from msoic.orgunits.models import OrgUnit, OrgUnitKind
from msoic.support.models import SupportedOperation

if TYPE_CHECKING:
    from msoic.accounts.models import User


def can_see_operations_supported(user: User) -> bool:
    return has_orgunit_role(user)


def supported_operations_visible_to(user: User) -> QuerySet[SupportedOperation]:
    """A force sees its own operations, a coordinator their region's forces', the unit all."""
    if is_national(user):  # every entry is a force's: no join needed
        return SupportedOperation.objects.all()
    forces = detail_orgunits(user).filter(kind=OrgUnitKind.FORCE)
    return SupportedOperation.objects.filter(force__in=forces)


def get_supported_operation_for_user(user: User, pk: object) -> SupportedOperation:
    """An operation supported that the user may see, or 404 (another force's is not revealed)."""
    return get_or_404(
        supported_operations_visible_to(user).select_related("force__parent"),
        pk,
        message="No such operation supported",
    )


def support_log_forces(user: User) -> QuerySet[OrgUnit]:
    """Forces whose operations the user may log support for: the unit any force, a regional
    coordinator the forces of their region; force users read their entries only."""
    role = role_of(user)
    if role == Role.NATIONAL:
        return OrgUnit.objects.forces()
    if role == Role.REGIONAL and user.orgunit_id:
        return OrgUnit.objects.forces().filter(parent_id=user.orgunit_id)
    return OrgUnit.objects.none()


def can_log_support_for(user: User, force: OrgUnit) -> bool:
    role = role_of(user)
    if force.kind != OrgUnitKind.FORCE:
        return False
    if role == Role.NATIONAL:
        return True
    return role == Role.REGIONAL and force.parent_id == user.orgunit_id
