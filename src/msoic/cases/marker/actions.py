"""The PNC vulnerability marker: "record locally, think nationally".

A potential victim with a positive conclusive grounds decision should carry a
vulnerability marker on the Police National Computer. Each force works its marker
worklist (everyone eligible, with the dates the marker was requested and applied); the
unit sees coverage by force. Exporting the list is a disclosure of personal data
(pseudonymous references only) and is audited with its recipient.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from msoic.audit.log import record
from msoic.audit.models import AuditAction
from msoic.cases import access
from msoic.cases.consultation import Subjects, do_record_disclosure
from msoic.cases.models import Person
from msoic.orgunits.models import OrgUnit


def _locked(person: Person, actor: Any) -> Person:
    if not isinstance(actor, str) and not access.can_record_marker(actor, person):
        raise PermissionDenied("Only the force's own users record its PNC markers")
    current = Person.objects.select_for_update().select_related("force").get(pk=person.pk)
    if not current.is_marker_eligible:
        raise ValidationError(
            "Only a potential victim with a positive conclusive grounds decision gets the marker"
        )
    return current


def _save(person: Person, fields: list[str], step: str, actor: Any) -> Person:
    person.updated_at = timezone.now()
    person.save(update_fields=[*fields, "updated_at"])
    record(
        actor=actor,
        action=AuditAction.ALTERATION,
        obj=person,
        orgunit=person.force.code,
        detail={"step": step, "fields": fields},
    )
    return person


@transaction.atomic
def do_request_marker(person: Person, *, actor: Any, requested_on: date) -> Person:
    current = _locked(person, actor)
    if requested_on > timezone.localdate():
        raise ValidationError("The date requested cannot be in the future")
    if current.cg_decided_on and requested_on < current.cg_decided_on:
        raise ValidationError(
            "The marker is requested after the conclusive grounds decision "
            f"({current.cg_decided_on:%d %B %Y})"
        )
    if current.marker_applied_on and requested_on > current.marker_applied_on:
        raise ValidationError("The date requested cannot be after the date applied")
    current.marker_requested_on = requested_on
    return _save(current, ["marker_requested_on"], "cases.request_marker", actor)


@transaction.atomic
def do_apply_marker(person: Person, *, actor: Any, applied_on: date) -> Person:
    current = _locked(person, actor)
    if current.marker_requested_on is None:
        raise ValidationError("Record when the marker was requested before when it was applied")
    if applied_on > timezone.localdate():
        raise ValidationError("The date applied cannot be in the future")
    if applied_on < current.marker_requested_on:
        raise ValidationError(
            f"The date applied cannot be before the date requested "
            f"({current.marker_requested_on:%d %B %Y})"
        )
    current.marker_applied_on = applied_on
    return _save(current, ["marker_applied_on"], "cases.apply_marker", actor)


EXPORT_HEADER = [
    "Reference",
    "Force",
    "Crime reference",
    "Conclusive grounds decision",
    "Marker requested",
    "Marker applied",
]


def _export_people(people: QuerySet[Person]) -> list[Person]:
    return list(
        people.select_related("force", "investigation").order_by("force__name", "reference")
    )


def _rows(people: list[Person]) -> list[list[Any]]:
    return [
        [
            p.reference,
            p.force.name,
            p.investigation.crime_reference,
            p.cg_decided_on,
            p.marker_requested_on,
            p.marker_applied_on,
        ]
        for p in people
    ]


@transaction.atomic
def do_disclose_marker_list(
    people: QuerySet[Person], *, actor: Any, recipient: str, purpose: str, fmt: str
) -> list[list[Any]]:
    """The rows of the marker list for an export, after writing its disclosure row: the
    owning forces, the recipient and the references in the file (s.62)."""
    recipient = (recipient or "").strip()
    if not recipient:
        raise ValidationError("Say who the list is for (the recipient)")
    if not (purpose or "").strip():
        raise ValidationError("Say what the list is for (the purpose)")
    chosen = _export_people(people)
    do_record_disclosure(
        actor=actor,
        step="cases.export_marker_list",
        subjects=Subjects.of_people(chosen),
        recipient=recipient,
        purpose=purpose,
        object_type="cases.person",
        object_id="marker-list",
        format=fmt,
    )
    return _rows(chosen)


@dataclass
class Coverage:
    code: str
    name: str
    eligible: int
    requested: int
    applied: int

    @property
    def percent_requested(self) -> float | None:
        return round(100 * self.requested / self.eligible, 1) if self.eligible else None

    @property
    def percent_applied(self) -> float | None:
        return round(100 * self.applied / self.eligible, 1) if self.eligible else None


def coverage(forces: QuerySet[OrgUnit]) -> tuple[list[Coverage], Coverage]:
    """Eligible, requested and applied per force of ``forces`` (one query), and the total."""
    names = dict(forces.values_list("pk", "name"))
    codes = dict(forces.values_list("pk", "code"))
    rows = (
        Person.objects.marker_eligible()
        .filter(force_id__in=list(names))
        .values("force_id")
        .annotate(
            eligible=Count("pk"),
            requested=Count("pk", filter=Q(marker_requested_on__isnull=False)),
            applied=Count("pk", filter=Q(marker_applied_on__isnull=False)),
        )
    )
    out = [
        Coverage(
            codes[r["force_id"]], names[r["force_id"]], r["eligible"], r["requested"], r["applied"]
        )
        for r in rows
    ]
    out.sort(key=lambda c: c.name)
    total = Coverage(
        "total",
        "Total",
        sum(c.eligible for c in out),
        sum(c.requested for c in out),
        sum(c.applied for c in out),
    )
    return out, total


COVERAGE_HEADER = ["Force", "Eligible", "Requested", "Applied", "Requested (%)", "Applied (%)"]


def coverage_rows(rows: list[Coverage], total: Coverage) -> list[list[Any]]:
    return [
        [c.name, c.eligible, c.requested, c.applied, c.percent_requested, c.percent_applied]
        for c in [*rows, total]
    ]
