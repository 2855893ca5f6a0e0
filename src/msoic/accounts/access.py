"""The one access layer: who may read or write data owned by which org unit.

Every view, command, export and API endpoint that touches org-unit-owned data asks here.
Rules:

- a force user reads and writes their own force; reads national aggregates;
- a regional coordinator reads their region and its forces; writes nothing of a force's
  returns (they review);
- a national analyst reads and writes everything, and approves;
- a partner reads national aggregates only;
- an administrator manages users and configuration and reads national aggregates only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from msoic.accounts.models import Role
from msoic.orgunits.models import OrgUnit, OrgUnitKind

if TYPE_CHECKING:
    from msoic.accounts.models import User
    from msoic.collection.models import ImportJob, Submission, SubmissionVersion


def _role(user: object) -> str | None:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return None
    return getattr(user, "role", None)


def is_national(user: object) -> bool:
    return _role(user) == Role.NATIONAL


def detail_orgunits(user: User) -> QuerySet[OrgUnit]:
    """Org units whose own (non-aggregate) figures and records the user may read."""
    role = _role(user)
    if role == Role.NATIONAL:
        return OrgUnit.objects.filter(
            kind__in=[OrgUnitKind.NATIONAL, OrgUnitKind.REGION, OrgUnitKind.FORCE]
        )
    if role == Role.REGIONAL and user.orgunit_id:
        return OrgUnit.objects.filter(Q(pk=user.orgunit_id) | Q(parent_id=user.orgunit_id))
    if role == Role.FORCE and user.orgunit_id:
        return OrgUnit.objects.filter(pk=user.orgunit_id)
    return OrgUnit.objects.none()


def can_read_orgunit(user: User, orgunit: OrgUnit) -> bool:
    """May the user see figures for this org unit (national aggregates count for all roles)?"""
    role = _role(user)
    if role is None:
        return False
    if orgunit.kind == OrgUnitKind.NATIONAL:
        return True
    if orgunit.kind == OrgUnitKind.PARTNER:
        return False
    if role == Role.NATIONAL:
        return True
    if role == Role.REGIONAL:
        return orgunit.pk == user.orgunit_id or orgunit.parent_id == user.orgunit_id
    if role == Role.FORCE:
        return orgunit.pk == user.orgunit_id
    return False


def can_break_down_by_orgunit(user: User, orgunit: OrgUnit) -> bool:
    """May the user see ``orgunit`` split into its regions or forces?"""
    role = _role(user)
    if role == Role.NATIONAL:
        return orgunit.kind in (OrgUnitKind.NATIONAL, OrgUnitKind.REGION)
    if role == Role.REGIONAL:
        return orgunit.kind == OrgUnitKind.REGION and orgunit.pk == user.orgunit_id
    return False


def can_write_orgunit(user: User, orgunit: OrgUnit) -> bool:
    """May the user submit returns for this org unit?"""
    role = _role(user)
    if orgunit.kind != OrgUnitKind.FORCE:
        return False
    if role == Role.NATIONAL:
        return True
    if role == Role.FORCE:
        return orgunit.pk == user.orgunit_id
    return False


def can_approve(user: User) -> bool:
    return _role(user) == Role.NATIONAL


def can_browse_audit(user: User) -> bool:
    return _role(user) == Role.NATIONAL


def can_see_completeness(user: User) -> bool:
    return _role(user) in {Role.NATIONAL, Role.REGIONAL, Role.FORCE}


def get_orgunit_for_user(user: User, code: str) -> OrgUnit:
    """The org unit with ``code`` if the user may read it; 404 if unknown, 403 if not theirs."""
    try:
        orgunit = OrgUnit.objects.select_related("parent").get(code=code)
    except OrgUnit.DoesNotExist as exc:
        raise Http404(f"No org unit {code!r}") from exc
    if not can_read_orgunit(user, orgunit):
        raise PermissionDenied(f"You may not see figures for {orgunit.name}")
    return orgunit


def submissions_visible_to(user: User) -> QuerySet[Submission]:
    from msoic.collection.models import Submission

    return Submission.objects.filter(orgunit__in=detail_orgunits(user))


def get_submission_for_user(user: User, pk: int) -> Submission:
    """A submission the user may see, or 404 (never reveals that another force's exists)."""
    try:
        return submissions_visible_to(user).select_related("orgunit", "current_version").get(pk=pk)
    except (ValueError, TypeError) as exc:
        raise Http404("No such return") from exc
    except Exception as exc:
        from msoic.collection.models import Submission

        if isinstance(exc, Submission.DoesNotExist):
            raise Http404("No such return") from exc
        raise


def writable_forces(user: User) -> QuerySet[OrgUnit]:
    role = _role(user)
    if role == Role.NATIONAL:
        return OrgUnit.objects.forces()
    if role == Role.FORCE and user.orgunit_id:
        return OrgUnit.objects.filter(pk=user.orgunit_id, kind=OrgUnitKind.FORCE)
    return OrgUnit.objects.none()


def get_import_job_for_user(user: User, pk: int) -> ImportJob:
    """An upload job, for its creator or a national user; 404 for anyone else."""
    from msoic.collection.models import ImportJob

    if _role(user) is None:
        raise Http404("No such upload")
    jobs = ImportJob.objects.select_related("created_by")
    if not is_national(user):
        jobs = jobs.filter(created_by_id=user.pk)
    try:
        return jobs.get(pk=pk)
    except (ValueError, TypeError, ImportJob.DoesNotExist) as exc:
        raise Http404("No such upload") from exc


def can_download_original(user: User, version: SubmissionVersion) -> bool:
    """May the user download the file a version came from (the user can see the version)?

    A force user's file holds only their own force's rows (the pipeline refuses a file with
    another force's), so whoever sees that force's return may have it. A file sent by anyone
    else (a national user, a command, the demo) may cover many forces: national users only."""
    if version.file_id is None or _role(user) is None:
        return False
    if is_national(user):
        return True
    uploader = version.submitted_by
    return (
        uploader is not None
        and uploader.role == Role.FORCE
        and uploader.orgunit_id == version.submission.orgunit_id
        and can_read_orgunit(user, version.submission.orgunit)
    )
