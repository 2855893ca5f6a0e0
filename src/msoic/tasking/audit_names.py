"""Names of CCA taskings, their versions, measures and progress in the audit log
(msoic.audit.names), linked to the tracker, the measure or the progress page. Named for the
unit's national users, who alone read the log; others keep the raw reference. One query a
kind of object."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse

from msoic.accounts.access import is_national
from msoic.audit.names import Named, namer
from msoic.tasking.models import Measure, MeasureProgress, Tasking, TaskingVersion

if TYPE_CHECKING:
    from msoic.accounts.models import User


def _ints(ids: list[str]) -> list[int]:
    return [int(i) for i in ids if i.isdigit()]


@namer("tasking.tasking")
def name_taskings(viewer: User, ids: list[str]) -> dict[str, Named]:
    if not is_national(viewer):
        return {}
    return {
        str(t.pk): Named(f"Tasking “{t.title}”", reverse("tasking-tracker", args=[t.pk]))
        for t in Tasking.objects.filter(pk__in=_ints(ids))
    }


@namer("tasking.taskingversion")
def name_tasking_versions(viewer: User, ids: list[str]) -> dict[str, Named]:
    if not is_national(viewer):
        return {}
    versions = TaskingVersion.objects.filter(pk__in=_ints(ids)).select_related("tasking")
    return {
        str(v.pk): Named(
            f"Version {v.number} of the tasking “{v.tasking.title}”",
            reverse("tasking-tracker", args=[v.tasking_id]),
        )
        for v in versions
    }


@namer("tasking.measure")
def name_measures(viewer: User, ids: list[str]) -> dict[str, Named]:
    if not is_national(viewer):
        return {}
    measures = Measure.objects.filter(pk__in=_ints(ids))
    return {
        str(m.pk): Named(f"Measure {m.code}: {m.title}", reverse("tasking-measure", args=[m.pk]))
        for m in measures
    }


@namer("tasking.measureprogress")
def name_progress(viewer: User, ids: list[str]) -> dict[str, Named]:
    if not is_national(viewer):
        return {}
    progress = MeasureProgress.objects.filter(pk__in=_ints(ids)).select_related(
        "measure", "orgunit"
    )
    return {
        str(p.pk): Named(
            f"Progress of {p.orgunit.name} on measure {p.measure.code}",
            reverse("tasking-progress", args=[p.pk]),
        )
        for p in progress
    }
