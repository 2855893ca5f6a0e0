"""Every change to referrals and SPOCs: one ``do_<verb>_<noun>`` each, atomic and audited.

- :func:`do_submit_referral`: a Human Tissue Authority user's proforma, checked whole (every
  problem named by field), routed to the force of the place of concern and its
  organ-harvesting SPOC (a ``collection`` row);
- :func:`do_acknowledge_referral`, :func:`do_assign_referral`,
  :func:`do_record_referral_outcome`: the force's steps (``alteration`` rows);
- :func:`do_escalate_overdue_referrals`: referrals not acknowledged within 48 hours go to
  the unit (run by ``msoic escalate_referrals`` and the worker's hourly task);
- :func:`do_reroute_referral`: the unit sends one not yet acknowledged to another force;
- :func:`do_add_spoc` and :func:`do_change_spoc`: a force's or a coordinator's SPOCs.

Times default to now; the demo and tests pass them (``at``, ``now``), so nothing sleeps.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from msoic.audit.log import record
from msoic.audit.models import AuditAction
from msoic.orgunits.models import OrgUnit
from msoic.referrals import access
from msoic.referrals.models import (
    PSEUDONYM,
    Outcome,
    Referral,
    Routing,
    Spoc,
    Status,
    Theme,
    overdue_filter,
)
from msoic.referrals.notify import escalated_message, on_commit_send, routed_message
from msoic.referrals.pathway import pathway
from msoic.referrals.routing import current_spoc, route

if TYPE_CHECKING:
    from msoic.accounts.models import User

SYSTEM = "msoic escalate_referrals"


def _local_date(at: datetime) -> date:
    return timezone.localtime(at).date()


def _check_proforma(
    *,
    clinician: str,
    hospital: str,
    concern_on: date | None,
    indicators: list[str],
    narrative: str,
    donor_ref: str,
    recipient_ref: str,
    today: date,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not clinician.strip():
        errors["clinician"] = "Give the referring clinician"
    if not hospital.strip():
        errors["hospital"] = "Give the hospital"
    if concern_on is None:
        errors["concern_on"] = "Give the date of the concern"
    elif concern_on > today:
        errors["concern_on"] = f"The date of the concern ({concern_on:%d %B %Y}) is in the future"
    elif concern_on.year < 2000:
        errors["concern_on"] = "The date of the concern must be in 2000 or later"
    known = dict(pathway().indicators)
    if not indicators:
        errors["indicators"] = "Tick at least one indicator observed"
    elif unknown := sorted(set(indicators) - set(known)):
        errors["indicators"] = f"Unknown indicator {', '.join(unknown)}"
    if not narrative.strip():
        errors["narrative"] = "Describe what was observed"
    if not donor_ref.strip() and not recipient_ref.strip():
        errors["donor_ref"] = "Give the donor's or the recipient's reference (or both)"
    for field, value, who in (
        ("donor_ref", donor_ref, "donor"),
        ("recipient_ref", recipient_ref, "recipient"),
    ):
        if value.strip() and not PSEUDONYM.match(value.strip()):
            errors[field] = (
                f"The {who}'s reference must be a reference, not a name: 3 to 40 letters, "
                "digits, dashes or slashes, with at least one digit"
            )
    return errors


@transaction.atomic
def do_submit_referral(
    *,
    actor: User,
    clinician: str,
    hospital: str,
    concern_on: date | None,
    indicators: list[str],
    narrative: str,
    donor_ref: str = "",
    recipient_ref: str = "",
    local_authority: str = "",
    force: str = "",
    at: datetime | None = None,
    notify: bool = True,
) -> Referral:
    """Store a referral from the Human Tissue Authority and route it; its SPOC is sent a
    message once it is stored (``notify``). Every problem is raised together (a
    ``ValidationError`` keyed by field); nothing is stored then."""
    if not access.is_referrer(actor):
        raise PermissionDenied("Only the Human Tissue Authority submits referrals")
    at = at or timezone.now()
    errors = _check_proforma(
        clinician=clinician,
        hospital=hospital,
        concern_on=concern_on,
        indicators=indicators,
        narrative=narrative,
        donor_ref=donor_ref,
        recipient_ref=recipient_ref,
        today=_local_date(at),
    )
    where = None
    try:
        where = route(local_authority, force, _local_date(at))
    except ValidationError as exc:
        errors.update({k: " ".join(v) for k, v in exc.message_dict.items()})
    if errors or where is None:
        raise ValidationError(errors)
    assert concern_on is not None and actor.orgunit is not None
    referral = Referral.objects.create(
        reference=f"new-{uuid.uuid4().hex[:16]}",
        referrer=actor.orgunit,
        submitted_by=actor,
        submitted_at=at,
        clinician=clinician.strip()[:120],
        hospital=hospital.strip()[:200],
        concern_on=concern_on,
        indicators=list(dict.fromkeys(indicators)),
        narrative=narrative.strip(),
        donor_ref=donor_ref.strip(),
        recipient_ref=recipient_ref.strip(),
        local_authority=where.local_authority,
        force=where.force,
        routing=where.routing,
        spoc=where.spoc,
    )
    referral.reference = f"HTA-{at.year}-{referral.pk:05d}"
    referral.save(update_fields=["reference"])
    record(
        actor=actor,
        action=AuditAction.COLLECTION,
        obj=referral,
        orgunit=where.force,
        detail={
            "step": "referrals.submit",
            "source": "form",
            "forces": [where.force.code],
            "people": referral.people,
            "reason": (
                f"routed by the local authority lookup ({where.local_authority.code})"
                if where.local_authority
                else "routed to the force the referrer chose"
            ),
            "theme": Theme.ORGAN_HARVESTING.value,
        },
    )
    if notify:
        on_commit_send(routed_message(referral), referral.reference)
    return referral


def _step(referral: Referral, actor: Any, step: str, before: str, **detail: Any) -> None:
    record(
        actor=actor,
        action=AuditAction.ALTERATION,
        obj=referral,
        orgunit=referral.force,
        detail={"step": step, "from": before, "to": referral.status, **detail},
    )


def _when(referral: Referral, at: datetime | None) -> datetime:
    at = at or timezone.now()
    if at < referral.submitted_at:
        raise ValidationError("That would be before the referral was submitted")
    return at


@transaction.atomic
def do_acknowledge_referral(
    referral: Referral, *, actor: User, at: datetime | None = None
) -> Referral:
    referral = Referral.objects.select_for_update().select_related("force").get(pk=referral.pk)
    if not access.can_work_referral(actor, referral):
        raise PermissionDenied("Only the force the referral was routed to acknowledges it")
    if referral.status != Status.SUBMITTED:
        raise ValidationError("The referral has already been acknowledged")
    before = referral.status
    referral.acknowledged_at = _when(referral, at)
    referral.acknowledged_by = actor
    referral.status = Status.ACKNOWLEDGED
    referral.save(update_fields=["acknowledged_at", "acknowledged_by", "status"])
    _step(referral, actor, "referrals.acknowledge", before)
    return referral


@transaction.atomic
def do_assign_referral(
    referral: Referral, assignee: User, *, actor: User, at: datetime | None = None
) -> Referral:
    referral = Referral.objects.select_for_update().select_related("force").get(pk=referral.pk)
    if not access.can_work_referral(actor, referral):
        raise PermissionDenied("Only the force the referral was routed to assigns it")
    if not access.can_assign(actor, referral):
        raise ValidationError(
            "Acknowledge the referral before assigning it; a closed one stays closed"
        )
    if not (
        assignee.is_active
        and access.role_of(assignee) == "force"
        and assignee.orgunit_id == referral.force_id
    ):
        raise ValidationError(f"{assignee.username} is not a user of {referral.force.name}")
    before = referral.status
    referral.assigned_to = assignee
    referral.assigned_at = _when(referral, at)
    referral.status = Status.ASSIGNED
    referral.save(update_fields=["assigned_to", "assigned_at", "status"])
    _step(referral, actor, "referrals.assign", before, user=assignee.username)
    return referral


@transaction.atomic
def do_record_referral_outcome(
    referral: Referral,
    *,
    actor: User,
    outcome: str,
    reference: str = "",
    note: str = "",
    at: datetime | None = None,
) -> Referral:
    """Close the referral: a crime recorded or a link to an investigation (each with its
    reference), or no crime (with the reason)."""
    referral = Referral.objects.select_for_update().select_related("force").get(pk=referral.pk)
    if not access.can_work_referral(actor, referral):
        raise PermissionDenied("Only the force the referral was routed to records its outcome")
    if not access.can_record_outcome(actor, referral):
        raise ValidationError("Acknowledge the referral first; a closed one stays closed")
    errors = {}
    if outcome not in Outcome.values:
        errors["outcome"] = "Choose an outcome"
    elif outcome in (Outcome.CRIME_RECORDED, Outcome.LINKED) and not reference.strip():
        what = (
            "crime reference" if outcome == Outcome.CRIME_RECORDED else "investigation's reference"
        )
        errors["reference"] = f"Give the {what}"
    elif outcome == Outcome.NO_CRIME and not note.strip():
        errors["note"] = "Say why no crime was recorded"
    if errors:
        raise ValidationError(errors)
    before = referral.status
    referral.outcome = outcome
    referral.outcome_reference = reference.strip()[:60]
    referral.outcome_note = note.strip()
    referral.outcome_at = _when(referral, at)
    referral.outcome_by = actor
    referral.status = Status.CLOSED
    referral.save(
        update_fields=[
            "outcome",
            "outcome_reference",
            "outcome_note",
            "outcome_at",
            "outcome_by",
            "status",
        ]
    )
    _step(
        referral,
        actor,
        "referrals.record_outcome",
        before,
        outcome=outcome,
        fields=["outcome", "outcome_reference", "outcome_note"],
    )
    return referral


@transaction.atomic
def do_escalate_overdue_referrals(
    *, now: datetime | None = None, actor: Any = SYSTEM, notify: bool = True
) -> list[Referral]:
    """Escalate to the unit every referral still awaiting acknowledgement 48 hours after it
    reached its force (its submission, or the unit's re-routing), once each. Returns those
    escalated now. The unit's address is sent one message listing them (``notify``)."""
    now = now or timezone.now()
    due = list(
        Referral.objects.select_for_update()
        .select_related("force")
        .filter(overdue_filter(now), escalated_at__isnull=True)
        .order_by("submitted_at", "pk")
    )
    for referral in due:
        referral.escalated_at = now
        referral.save(update_fields=["escalated_at"])
        record(
            actor=actor,
            action=AuditAction.ALTERATION,
            obj=referral,
            orgunit=referral.force,
            detail={
                "step": "referrals.escalate",
                "reason": "not acknowledged within 48 hours: escalated to the unit",
                "forces": [referral.force.code],
            },
        )
    if notify:
        on_commit_send(escalated_message(due), "escalation")
    return due


@transaction.atomic
def do_reroute_referral(
    referral: Referral,
    force: OrgUnit,
    *,
    actor: User,
    reason: str,
    at: datetime | None = None,
) -> Referral:
    """The unit sends a referral not yet acknowledged to another force (the lookup's force
    says the place is not theirs, or the referrer's choice was wrong): the new force's
    organ-harvesting SPOC, and 48 hours from now to acknowledge it."""
    referral = Referral.objects.select_for_update().select_related("force").get(pk=referral.pk)
    if not access.can_reroute(actor, referral):
        raise PermissionDenied("Only the unit re-routes a referral, before it is acknowledged")
    errors = {}
    if not force.is_force:
        errors["force"] = f"{force.name} is not a force"
    elif force.pk == referral.force_id:
        errors["force"] = f"The referral is already with {force.name}"
    if not reason.strip():
        errors["reason"] = "Say why the referral goes to another force"
    if errors:
        raise ValidationError(errors)
    at = _when(referral, at)
    before = referral.force
    referral.force = force
    referral.spoc = current_spoc(force, Theme.ORGAN_HARVESTING, _local_date(at))
    referral.routing = Routing.UNIT
    referral.rerouted_at = at
    referral.escalated_at = None
    referral.save(update_fields=["force", "spoc", "routing", "rerouted_at", "escalated_at"])
    record(
        actor=actor,
        action=AuditAction.ALTERATION,
        obj=referral,
        orgunit=force,
        detail={
            "step": "referrals.reroute",
            "forces": [before.code, force.code],
            "from": before.code,
            "to": force.code,
            "reason": reason.strip()[:500],
        },
    )
    on_commit_send(routed_message(referral), referral.reference)
    return referral


# --- SPOCs ------------------------------------------------------------------------------------


def _check_spoc(theme: str, name: str, starts_on: date | None, ends_on: date | None) -> None:
    errors = {}
    if theme not in Theme.values:
        errors["theme"] = "Choose a theme"
    if not name.strip():
        errors["name"] = "Give the SPOC's name"
    if starts_on is None:
        errors["starts_on"] = "Give the date the SPOC starts"
    elif ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = "The end date is before the start date"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def do_add_spoc(
    force: OrgUnit,
    *,
    actor: User,
    theme: str,
    name: str,
    starts_on: date | None,
    ends_on: date | None = None,
    role: str = "",
    email: str = "",
    phone: str = "",
) -> Spoc:
    if not access.spoc_forces_writable(actor).filter(pk=force.pk).exists():
        raise PermissionDenied(f"You may not keep the SPOCs of {force.name}")
    _check_spoc(theme, name, starts_on, ends_on)
    assert starts_on is not None
    spoc = Spoc.objects.create(
        force=force,
        theme=theme,
        name=name.strip()[:120],
        role=role.strip()[:120],
        email=email.strip()[:200],
        phone=phone.strip()[:40],
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=actor,
    )
    record(
        actor=actor,
        action=AuditAction.COLLECTION,
        obj=spoc,
        orgunit=force,
        detail={
            "step": "referrals.add_spoc",
            "theme": theme,
            "dates": [str(starts_on), str(ends_on) if ends_on else ""],
            "fields": ["name", "role", "email", "phone"],
        },
    )
    return spoc


@transaction.atomic
def do_change_spoc(spoc: Spoc, *, actor: User, **changes: Any) -> Spoc:
    """Change a SPOC's details or dates (ending one is giving it an end date)."""
    if not access.can_keep_spoc(actor, spoc):
        raise PermissionDenied(f"You may not keep the SPOCs of {spoc.force.name}")
    allowed = {"name", "role", "email", "phone", "starts_on", "ends_on"}
    if unknown := set(changes) - allowed:
        raise ValueError(f"cannot change {sorted(unknown)}")
    for field, value in changes.items():
        setattr(spoc, field, value.strip() if isinstance(value, str) else value)
    _check_spoc(spoc.theme, spoc.name, spoc.starts_on, spoc.ends_on)
    spoc.save()
    record(
        actor=actor,
        action=AuditAction.ALTERATION,
        obj=spoc,
        orgunit=spoc.force,
        detail={
            "step": "referrals.change_spoc",
            "theme": spoc.theme,
            "dates": [str(spoc.starts_on), str(spoc.ends_on) if spoc.ends_on else ""],
            "fields": sorted(changes),
        },
    )
    return spoc
