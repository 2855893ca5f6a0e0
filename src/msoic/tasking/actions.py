"""Every change to a CCA tasking: one ``do_<verb>_<noun>`` each, atomic, audited.

Rules enforced here (views and the loader only call these):
- a threshold change needs a reason, a new value and an effective date; only the unit (or
  the tasking file, loaded by an administrator) changes one; the old value is kept;
- an org unit records its own progress (a force user their force, a coordinator their
  ROCU); the unit records anyone's; only the unit records that the NCA discharged a
  measure, and once discharged only the unit changes it again.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from msoic.audit.log import record
from msoic.audit.models import AuditAction
from msoic.tasking import access as tasking_access
from msoic.tasking.models import (
    Measure,
    MeasureProgress,
    ProgressUpdate,
    Status,
    TaskingVersion,
    ThresholdRevision,
)


def _label(actor: Any) -> str:
    if getattr(actor, "is_authenticated", False):
        return str(actor.get_username())
    return actor if isinstance(actor, str) else "system"


@transaction.atomic
def do_revise_threshold(
    measure: Measure,
    *,
    actor: Any,
    new_value: int,
    reason: str,
    effective_from: date,
    version: TaskingVersion | None = None,
) -> ThresholdRevision:
    """``actor`` is a national user, or a label (the loader) when a revised tasking file
    carries the change (then ``version`` says which)."""
    is_user = getattr(actor, "is_authenticated", False)
    if is_user and not tasking_access.can_manage_cca_tasking(actor):
        raise PermissionDenied("Only the unit revises a tasking threshold")
    if not is_user and version is None:
        raise PermissionDenied("A threshold change comes from the unit or a tasking version")
    measure = Measure.objects.select_for_update().get(pk=measure.pk)
    if measure.threshold is None:
        raise ValidationError(f"{measure.code} has no quantitative threshold to revise")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Say why the threshold changes: a change without a reason is refused")
    if isinstance(new_value, bool) or not isinstance(new_value, int) or new_value < 0:
        raise ValidationError("The threshold must be a whole number of at least 0")
    if new_value == measure.threshold:
        raise ValidationError(f"The threshold is already {new_value}")
    revision = ThresholdRevision.objects.create(
        measure=measure,
        version=version,
        old_value=measure.threshold,
        new_value=new_value,
        reason=reason,
        effective_from=effective_from,
        changed_by=actor if is_user else None,
        changed_by_label=_label(actor),
    )
    measure.threshold = new_value
    measure.save(update_fields=["threshold"])
    record(
        actor=actor,
        action=AuditAction.ALTERATION,
        obj=measure,
        detail={
            "step": "tasking.revise_threshold",
            "measure": measure.code,
            "from": revision.old_value,
            "to": new_value,
            "reason": reason,
            "effective_from": effective_from.isoformat(),
            "version": version.number if version else None,
        },
    )
    return revision


@transaction.atomic
def do_update_measure_progress(
    progress: MeasureProgress,
    *,
    actor: Any,
    status: str,
    on: date,
    evidence: str = "",
    commentary: str = "",
) -> ProgressUpdate:
    progress = (
        MeasureProgress.objects.select_for_update()
        .select_related("orgunit", "measure")
        .get(pk=progress.pk)
    )
    if not tasking_access.can_update_measure_progress(actor, progress):
        raise PermissionDenied("You may not record progress for this org unit")
    unit = tasking_access.can_manage_cca_tasking(actor)
    if status not in Status.values:
        raise ValidationError(f"Unknown status {status!r}")
    if status == Status.DISCHARGED and not unit:
        raise ValidationError("Only the unit records that the NCA discharged a measure")
    if progress.status == Status.DISCHARGED and not unit:
        raise ValidationError("This measure is discharged: only the unit can change it")
    if on > timezone.localdate():
        raise ValidationError("The date of an update cannot be in the future")
    evidence, commentary = evidence.strip(), commentary.strip()
    if status == progress.status and not evidence and not commentary:
        raise ValidationError("Change the status or add evidence or commentary")
    if status in (Status.MET, Status.DISCHARGED) and not (evidence or progress.evidence):
        raise ValidationError("Give the evidence that the measure is met")
    update = ProgressUpdate.objects.create(
        progress=progress,
        on=on,
        author=actor if getattr(actor, "is_authenticated", False) else None,
        status_from=progress.status,
        status_to=status,
        evidence=evidence,
        commentary=commentary,
    )
    progress.status = status
    if evidence:
        progress.evidence = evidence
    if commentary:
        progress.commentary = commentary
    if status != Status.DISCHARGED:
        progress.discharged_on = None
    elif update.status_from != Status.DISCHARGED:
        progress.discharged_on = on
    progress.updated_at = timezone.now()
    progress.save()
    record(
        actor=actor,
        action=AuditAction.APPROVE if status == Status.DISCHARGED else AuditAction.ALTERATION,
        obj=progress,
        orgunit=progress.orgunit,
        detail={
            "step": "tasking.update_progress",
            "measure": progress.measure.code,
            "from": update.status_from,
            "to": status,
            "on": on.isoformat(),
        },
    )
    return update
