"""Who may see and act on benchmarking assessments (on the shared rules in
:mod:`msoic.accounts.access`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from msoic.accounts.access import (
    can_write_orgunit,
    detail_orgunits,
    get_or_404,
    has_orgunit_role,
    role_of,
)
from msoic.accounts.models import Role
from msoic.assurance.models import Assessment

if TYPE_CHECKING:
    from msoic.accounts.models import User


def can_see_benchmarking(user: User) -> bool:
    return has_orgunit_role(user)


def assessments_visible_to(user: User) -> QuerySet[Assessment]:
    """Benchmarking assessments: a force its own, a coordinator their region's, national all."""
    return Assessment.objects.filter(orgunit__in=detail_orgunits(user))


def get_assessment_for_user(user: User, pk: object) -> Assessment:
    """An assessment the user may see, or 404 (never reveals that another force's exists)."""
    return get_or_404(
        assessments_visible_to(user).select_related("orgunit", "campaign__framework_version"),
        pk,
        message="No such assessment",
    )


def can_edit_assessment(user: User, assessment: Assessment) -> bool:
    """The force itself (or the unit) fills in a draft; nobody edits once submitted."""
    return assessment.is_editable and can_write_orgunit(user, assessment.orgunit)


def can_review_assessment(user: User, assessment: Assessment) -> bool:
    """The force's regional coordinator (or the unit) reviews a submitted assessment."""
    role = role_of(user)
    if role == Role.NATIONAL:
        return True
    return role == Role.REGIONAL and assessment.orgunit.parent_id == user.orgunit_id


def can_manage_benchmarking(user: User) -> bool:
    """Open campaigns, finalise assessments, run thematic interventions: the unit."""
    return role_of(user) == Role.NATIONAL
