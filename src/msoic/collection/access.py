"""Who may see and act on returns, their versions and upload jobs (on the shared rules in
:mod:`msoic.accounts.access`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404

from msoic.accounts.access import (
    can_read_orgunit,
    detail_orgunits,
    get_or_404,
    has_orgunit_role,
    is_national,
    role_of,
)
from msoic.accounts.models import Role
from msoic.collection.models import ImportJob, Submission, SubmissionVersion

if TYPE_CHECKING:
    from msoic.accounts.models import User


def can_approve(user: User) -> bool:
    return role_of(user) == Role.NATIONAL


def can_see_completeness(user: User) -> bool:
    return has_orgunit_role(user)


def submissions_visible_to(user: User) -> QuerySet[Submission]:
    return Submission.objects.filter(orgunit__in=detail_orgunits(user))


def get_submission_for_user(user: User, pk: object) -> Submission:
    """A submission the user may see, or 404 (never reveals that another force's exists)."""
    return get_or_404(
        submissions_visible_to(user).select_related("orgunit", "current_version"),
        pk,
        message="No such return",
    )


def get_import_job_for_user(user: User, pk: object) -> ImportJob:
    """An upload job, for its creator or a national user; 404 for anyone else."""
    if role_of(user) is None:
        raise Http404("No such upload")
    jobs = ImportJob.objects.select_related("created_by")
    if not is_national(user):
        jobs = jobs.filter(created_by_id=user.pk)
    return get_or_404(jobs, pk, message="No such upload")


def can_download_original(user: User, version: SubmissionVersion) -> bool:
    """May the user download the file a version came from (the user can see the version)?

    A force user's file holds only their own force's rows (the pipeline refuses a file with
    another force's), so whoever sees that force's return may have it. A file sent by anyone
    else (a national user, a command, the demo) may cover many forces: national users only."""
    if version.file_id is None or role_of(user) is None:
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
