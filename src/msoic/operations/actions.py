"""Every change to an operation record: ``do_<verb>_<noun>``, atomic, audited.

Only the unit (national users) creates and edits operations. Each change reloads the
catalogue so the operation's return dataset (participants, month, metrics) follows the
record, as a new catalogue revision. Returns themselves go through the collection
pipeline (:mod:`msoic.collection.actions`), never through here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from msoic.audit.log import record
from msoic.audit.models import AuditAction
from msoic.catalogue.loader import get_catalogue, load_catalogue
from msoic.catalogue.models import CatalogueRevision
from msoic.collection.models import Submission
from msoic.operations import access as operations_access
from msoic.operations.catalogue import activity_choices
from msoic.operations.models import SERIES_PATTERN, Operation
from msoic.orgunits.models import OrgUnit, OrgUnitKind


@dataclass
class OperationDetails:
    """What the unit types in to plan an operation."""

    series: str
    number: int
    theme: str
    start_date: date
    end_date: date
    lead_agency: str
    forces: list[str]  # force codes
    exploitation_type: str = ""
    sector: str = ""
    partner_agencies: list[str] = field(default_factory=list)
    activity_metrics: list[str] = field(default_factory=list)


def _require_unit(actor: Any) -> None:
    if not operations_access.can_manage_operations(actor):
        raise PermissionDenied("Only the unit plans and edits operations")


def _check(details: OperationDetails) -> tuple[list[OrgUnit], list[str]]:
    """The forces and activity metrics, or a ValidationError naming every problem."""
    errors: list[str] = []
    details.series = details.series.strip().upper()
    if not SERIES_PATTERN.match(details.series):
        errors.append("Series: capital letters and digits, e.g. AIDANT")
    if details.number is None or details.number < 1:
        errors.append("Number: a whole number of 1 or more")
    if not details.theme.strip():
        errors.append("Theme: say what the operation is about")
    if not details.lead_agency.strip():
        errors.append("Lead agency: name it")
    if details.end_date < details.start_date:
        errors.append("End date: on or after the start date")
    catalogue = get_catalogue()
    types = catalogue.breakdowns["exploitation_type"].options
    if details.exploitation_type and details.exploitation_type not in types:
        errors.append(f"Exploitation type: one of {', '.join(types)}")
    known = dict(activity_choices(catalogue))
    unknown = [m for m in details.activity_metrics if m not in known]
    if unknown:
        errors.append(f"Activity metrics: unknown {', '.join(unknown)}")
    codes = sorted({c.strip().lower() for c in details.forces if c.strip()})
    forces = list(OrgUnit.objects.filter(kind=OrgUnitKind.FORCE, code__in=codes))
    missing = sorted(set(codes) - {f.code for f in forces})
    if missing:
        errors.append(f"Participating forces: not forces: {', '.join(missing)}")
    if not codes:
        errors.append("Participating forces: choose at least one")
    if errors:
        raise ValidationError(errors)
    metrics = [m for m in known if m in set(details.activity_metrics)]
    return forces, metrics


def _detail(op: Operation) -> dict[str, Any]:
    return {
        "operation": op.name,
        "theme": op.theme,
        "dates": [op.start_date.isoformat(), op.end_date.isoformat()],
        "forces": sorted(op.forces.values_list("code", flat=True)),
        "activity_metrics": list(op.activity_metrics),
    }


def _lock_catalogue() -> None:
    """Serialise changes that regenerate the catalogue: without it, two operations saved at
    once could each load a revision missing the other's dataset (the later one winning)."""
    CatalogueRevision.objects.select_for_update().order_by("-pk").values("pk").first()


def do_create_operation(details: OperationDetails, *, actor: Any) -> Operation:
    _require_unit(actor)
    forces, metrics = _check(details)
    with transaction.atomic():
        _lock_catalogue()
        if Operation.objects.filter(series=details.series, number=details.number).exists():
            raise ValidationError(f"{details.series} {details.number} already exists")
        op = Operation.objects.create(
            series=details.series,
            number=details.number,
            theme=details.theme.strip(),
            exploitation_type=details.exploitation_type,
            sector=details.sector.strip(),
            start_date=details.start_date,
            end_date=details.end_date,
            lead_agency=details.lead_agency.strip(),
            partner_agencies=[p.strip() for p in details.partner_agencies if p.strip()],
            activity_metrics=metrics,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        op.forces.set(forces)
        record(
            actor=actor,
            action=AuditAction.ALTERATION,
            obj=op,
            detail={"step": "operations.create", **_detail(op)},
        )
        load_catalogue(actor=actor)
    return op


def do_update_operation(op: Operation, details: OperationDetails, *, actor: Any) -> Operation:
    """Change the record. Once forces have returned, the month cannot move and a force
    that has returned cannot be taken off the operation (its return would be orphaned)."""
    _require_unit(actor)
    forces, metrics = _check(details)
    with transaction.atomic():
        _lock_catalogue()
        op = Operation.objects.select_for_update().get(pk=op.pk)
        returned = set(
            Submission.objects.filter(
                dataset=op.dataset_code, current_version__isnull=False
            ).values_list("orgunit__code", flat=True)
        )
        errors = []
        if (details.series, details.number) != (op.series, op.number) and returned:
            errors.append("Series and number cannot change once forces have returned")
        if details.start_date.replace(day=1) != op.month and returned:
            errors.append("The operation's month cannot change once forces have returned")
        dropped = sorted(returned - {f.code for f in forces})
        if dropped:
            errors.append(f"These forces have returned and must stay: {', '.join(dropped)}")
        clash = (
            Operation.objects.filter(series=details.series, number=details.number)
            .exclude(pk=op.pk)
            .exists()
        )
        if clash:
            errors.append(f"{details.series} {details.number} already exists")
        if errors:
            raise ValidationError(errors)
        op.series, op.number = details.series, details.number
        op.theme = details.theme.strip()
        op.exploitation_type = details.exploitation_type
        op.sector = details.sector.strip()
        op.start_date, op.end_date = details.start_date, details.end_date
        op.lead_agency = details.lead_agency.strip()
        op.partner_agencies = [p.strip() for p in details.partner_agencies if p.strip()]
        op.activity_metrics = metrics
        op.updated_at = timezone.now()
        op.save()
        op.forces.set(forces)
        record(
            actor=actor,
            action=AuditAction.ALTERATION,
            obj=op,
            detail={"step": "operations.update", **_detail(op)},
        )
        load_catalogue(actor=actor)
    return op


def details_of(op: Operation) -> OperationDetails:
    return OperationDetails(
        series=op.series,
        number=op.number,
        theme=op.theme,
        start_date=op.start_date,
        end_date=op.end_date,
        lead_agency=op.lead_agency,
        forces=list(op.forces.values_list("code", flat=True)),
        exploitation_type=op.exploitation_type,
        sector=op.sector,
        partner_agencies=list(op.partner_agencies),
        activity_metrics=list(op.activity_metrics),
    )
