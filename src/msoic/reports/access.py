"""Who may do what with reports (on the shared rules in :mod:`msoic.accounts.access`).

- the unit (national users) edits templates, reads drafts, builds, approves and publishes;
- everyone signed in reads published reports (their figures of people went through
  disclosure control when they were published), in every format;
- nobody else sees a draft: another edition is a 404, as if it did not exist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from msoic.accounts.access import get_or_404, role_of
from msoic.accounts.models import Role
from msoic.reports.models import Build, Edition

if TYPE_CHECKING:
    from msoic.accounts.models import User


def can_manage_reports(user: User) -> bool:
    return role_of(user) == Role.NATIONAL


def can_read_reports(user: User) -> bool:
    return role_of(user) is not None


def editions_visible_to(user: User) -> QuerySet[Edition]:
    if can_manage_reports(user):
        return Edition.objects.all()
    if can_read_reports(user):
        return Edition.objects.filter(status=Edition.Status.PUBLISHED)
    return Edition.objects.none()


def get_edition_for_user(user: User, pk: object) -> Edition:
    return get_or_404(
        editions_visible_to(user).select_related("template"),
        pk,
        audit_denied=user,
        message="No such report",
    )


def get_build_for_user(user: User, pk: object) -> Build:
    builds = Build.objects.all() if can_manage_reports(user) else Build.objects.none()
    return get_or_404(
        builds.select_related("edition__template", "version"),
        pk,
        audit_denied=user,
        message="No such build",
    )
