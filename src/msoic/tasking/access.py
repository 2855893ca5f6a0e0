"""Who may see and update CCA tasking progress (on the shared rules in
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
from msoic.tasking.models import MeasureProgress

if TYPE_CHECKING:
    from msoic.accounts.models import User


def can_see_cca_tasking(user: User) -> bool:
    return has_orgunit_role(user)


def can_manage_cca_tasking(user: User) -> bool:
    """The unit revises thresholds and records that the NCA discharged a measure."""
    return role_of(user) == Role.NATIONAL


def measure_progress_visible_to(user: User) -> QuerySet[MeasureProgress]:
    """Progress rows (org unit x measure): a force its own, a coordinator their ROCU's and
    their forces', the unit every one."""
    if is_national(user):  # every row is a force's or a ROCU's: no join needed
        return MeasureProgress.objects.all()
    return MeasureProgress.objects.filter(orgunit__in=detail_orgunits(user))


def get_measure_progress_for_user(user: User, pk: object) -> MeasureProgress:
    """A progress row (status, evidence, commentary) the user may see, or 404."""
    return get_or_404(
        measure_progress_visible_to(user).select_related("orgunit__parent", "measure__tasking"),
        pk,
        message="No such tasking progress",
    )


def can_update_measure_progress(user: User, progress: MeasureProgress) -> bool:
    """The org unit itself (a force user their force, a coordinator their ROCU) or the unit."""
    role = role_of(user)
    if role == Role.NATIONAL:
        return True
    if role in (Role.FORCE, Role.REGIONAL):
        return bool(user.orgunit_id) and progress.orgunit_id == user.orgunit_id
    return False
