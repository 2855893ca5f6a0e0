"""Who may see and manage operations (intensifications), on the shared rules in
:mod:`msoic.accounts.access`.

Operation records are the unit's: every role may read them and their national totals;
only the unit creates and edits them. Figures by force follow ``detail_orgunits`` (a force
its own, a coordinator their region's forces); the split by region is for the unit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from msoic.accounts.access import detail_orgunits, get_or_404, has_role, role_of
from msoic.accounts.models import Role
from msoic.operations.models import Operation
from msoic.orgunits.models import OrgUnit, OrgUnitKind

if TYPE_CHECKING:
    from msoic.accounts.models import User


def can_see_operations(user: User) -> bool:
    return has_role(user)


def can_manage_operations(user: User) -> bool:
    return role_of(user) == Role.NATIONAL


def operations_visible_to(user: User) -> QuerySet[Operation]:
    if not has_role(user):
        return Operation.objects.none()
    return Operation.objects.all()


def get_operation_for_user(user: User, pk: object) -> Operation:
    return get_or_404(operations_visible_to(user), pk, message="No such operation")


def operation_forces_detail(user: User) -> QuerySet[OrgUnit]:
    """Forces whose own operation returns and figures the user may see."""
    return detail_orgunits(user).filter(kind=OrgUnitKind.FORCE)
