"""Every change to the investigation register: one ``do_<verb>_<noun>`` each, atomic,
checked by :mod:`msoic.cases.rules` and audited.

- Only a force's own users change its register (``access.register_forces_writable``); a
  system process (the demo, a management command) passes a label string as ``actor``.
- New records are audited as ``collection``, changes as ``alteration``; the row's detail
  names the step and the fields written, never their values (the register holds
  personal data; the audit log must not copy it).
- People get a pseudonymous reference (force prefix and a sequence number), never a name.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.functions import Length
from django.utils import timezone

from msoic.audit.log import record
from msoic.audit.models import AuditAction
from msoic.cases import access, rules
from msoic.cases.models import Category, Investigation, Person, Review, Status
from msoic.orgunits.models import OrgUnit, OrgUnitKind

REFERENCE_DIGITS = 6


def _is_system(actor: Any) -> bool:
    return isinstance(actor, str)


def _require_writer(actor: Any, force_id: int) -> None:
    if _is_system(actor):
        return
    if not access.register_forces_writable(actor).filter(pk=force_id).exists():
        raise PermissionDenied("Only the force's own users change its register")


def _audit(
    *,
    actor: Any,
    action: str,
    obj: Any,
    force_id: int,
    step: str,
    fields: list[str],
    extra: Mapping[str, Any] | None = None,
) -> None:
    force_code = OrgUnit.objects.filter(pk=force_id).values_list("code", flat=True).first()
    record(
        actor=actor,
        action=action,
        obj=obj,
        orgunit=force_code or "",
        detail={"step": step, "fields": sorted(fields), **(extra or {})},
    )


def _changed(instance: Any, values: Mapping[str, Any]) -> list[str]:
    return [name for name, value in values.items() if getattr(instance, name) != value]


# --- pseudonymous references ---------------------------------------------------------------


def reference_prefix(force: OrgUnit) -> str:
    """``KENT``, ``AVONANDS``…: the force code without punctuation, upper case."""
    letters = "".join(ch for ch in force.code.upper() if ch.isalnum())
    return letters[:8] or "FORCE"


def allocate_person_references(force: OrgUnit, count: int = 1) -> list[str]:
    """``count`` new references for people of ``force`` (``KENT-P000042``). Locks the force
    row so two requests cannot hand out the same number; call inside a transaction."""
    OrgUnit.objects.select_for_update().filter(pk=force.pk).first()
    prefix = f"{reference_prefix(force)}-P"
    last = (
        Person.objects.filter(reference__startswith=prefix)
        .annotate(n=Length("reference"))
        .order_by("-n", "-reference")
        .values_list("reference", flat=True)
        .first()
    )
    start = int(last[len(prefix) :]) + 1 if last and last[len(prefix) :].isdigit() else 1
    return [f"{prefix}{n:0{REFERENCE_DIGITS}d}" for n in range(start, start + count)]


# --- investigations --------------------------------------------------------------------------


@transaction.atomic
def do_create_investigation(force: OrgUnit, *, actor: Any, **fields: Any) -> Investigation:
    if force.kind != OrgUnitKind.FORCE:
        raise ValidationError("An investigation belongs to a force")
    _require_writer(actor, force.pk)
    checked = rules.check_investigation(fields, force_id=force.pk)
    checked.raise_if_any()
    now = timezone.now()
    investigation = Investigation.objects.create(
        force=force, created_at=now, updated_at=now, **checked.values
    )
    _audit(
        actor=actor,
        action=AuditAction.COLLECTION,
        obj=investigation,
        force_id=force.pk,
        step="cases.create_investigation",
        fields=[k for k, v in checked.values.items() if not rules.is_blank(v)],
    )
    return investigation


def _locked_investigation(investigation: Investigation) -> Investigation:
    return Investigation.objects.select_for_update().get(pk=investigation.pk)


def _update_investigation(
    investigation: Investigation, changes: Mapping[str, Any], *, actor: Any, step: str
) -> Investigation:
    _require_writer(actor, investigation.force_id)
    current = _locked_investigation(investigation)
    values = rules.merged(current, rules.INVESTIGATION_FIELDS, changes)
    if "closed_on" in changes and "status" not in changes:
        values.pop("status")  # derived again from the closed date
    checked = rules.check_investigation(values, force_id=current.force_id, pk=current.pk)
    checked.raise_if_any()
    changed = _changed(current, checked.values)
    if changed:
        for name in changed:
            setattr(current, name, checked.values[name])
        current.updated_at = timezone.now()
        current.save(update_fields=[*changed, "updated_at"])
        _audit(
            actor=actor,
            action=AuditAction.ALTERATION,
            obj=current,
            force_id=current.force_id,
            step=step,
            fields=changed,
        )
    return current


@transaction.atomic
def do_update_investigation(
    investigation: Investigation, *, actor: Any, **changes: Any
) -> Investigation:
    return _update_investigation(
        investigation, changes, actor=actor, step="cases.update_investigation"
    )


@transaction.atomic
def do_close_investigation(
    investigation: Investigation, *, actor: Any, closed_on: date, outcome: str
) -> Investigation:
    if investigation.status == Status.CLOSED:
        raise ValidationError("This investigation is already closed")
    return _update_investigation(
        investigation,
        {"closed_on": closed_on, "outcome": outcome, "status": Status.CLOSED},
        actor=actor,
        step="cases.close_investigation",
    )


@transaction.atomic
def do_review_investigation(
    investigation: Investigation, *, actor: Any, note: str, reviewed_on: date | None = None
) -> Review:
    """Confirm a live investigation is still live, with a note saying why."""
    _require_writer(actor, investigation.force_id)
    current = _locked_investigation(investigation)
    note = (note or "").strip()
    reviewed_on = reviewed_on or timezone.localdate()
    problems = []
    if current.status != Status.LIVE:
        problems.append(rules.Problem("", "Only a live investigation is confirmed as still live"))
    if not note:
        problems.append(rules.Problem("note", "Enter a review note saying why it is still live"))
    if reviewed_on > timezone.localdate():
        problems.append(rules.Problem("reviewed_on", "The review date cannot be in the future"))
    elif reviewed_on < current.opened_on:
        problems.append(
            rules.Problem("reviewed_on", "The review date cannot be before the date opened")
        )
    if problems:
        raise rules.RegisterRuleError(problems)
    review = Review.objects.create(
        investigation=current,
        reviewed_on=reviewed_on,
        note=note,
        reviewed_by=None if _is_system(actor) else actor,
    )
    if current.last_reviewed_on is None or current.last_reviewed_on < reviewed_on:
        current.last_reviewed_on = reviewed_on
        current.updated_at = timezone.now()
        current.save(update_fields=["last_reviewed_on", "updated_at"])
    _audit(
        actor=actor,
        action=AuditAction.ALTERATION,
        obj=current,
        force_id=current.force_id,
        step="cases.review_investigation",
        fields=["last_reviewed_on", "review"],
        extra={"review": review.pk},
    )
    return review


# --- people ----------------------------------------------------------------------------------


@transaction.atomic
def do_add_person(investigation: Investigation, *, actor: Any, **fields: Any) -> Person:
    _require_writer(actor, investigation.force_id)
    checked = rules.check_person(fields)
    checked.raise_if_any()
    force = investigation.force
    (reference,) = allocate_person_references(force)
    now = timezone.now()
    person = Person.objects.create(
        investigation=investigation,
        force_id=investigation.force_id,
        reference=reference,
        created_at=now,
        updated_at=now,
        **checked.values,
    )
    _audit(
        actor=actor,
        action=AuditAction.COLLECTION,
        obj=person,
        force_id=investigation.force_id,
        step="cases.add_person",
        fields=[k for k, v in checked.values.items() if not rules.is_blank(v)],
        extra={"investigation": investigation.pk},
    )
    return person


def _update_person(person: Person, changes: Mapping[str, Any], *, actor: Any, step: str) -> Person:
    _require_writer(actor, person.force_id)
    current = Person.objects.select_for_update().get(pk=person.pk)
    checked = rules.check_person(rules.merged(current, rules.PERSON_FIELDS, changes))
    checked.raise_if_any()
    changed = _changed(current, checked.values)
    if changed:
        for name in changed:
            setattr(current, name, checked.values[name])
        current.updated_at = timezone.now()
        current.save(update_fields=[*changed, "updated_at"])
        _audit(
            actor=actor,
            action=AuditAction.ALTERATION,
            obj=current,
            force_id=current.force_id,
            step=step,
            fields=changed,
            extra={"investigation": current.investigation_id},
        )
    return current


@transaction.atomic
def do_update_person(person: Person, *, actor: Any, **changes: Any) -> Person:
    return _update_person(person, changes, actor=actor, step="cases.update_person")


def _require_victim(person: Person, what: str) -> None:
    if person.category != Category.VICTIM:
        raise rules.RegisterRuleError(
            [rules.Problem("category", f"{what} is only recorded for a potential victim")]
        )


@transaction.atomic
def do_record_nrm_referral(
    person: Person, *, actor: Any, referred_on: date, by_police: bool = True
) -> Person:
    _require_victim(person, "An NRM referral")
    return _update_person(
        person,
        {"nrm_referred_on": referred_on, "nrm_referred_by_police": by_police},
        actor=actor,
        step="cases.record_nrm_referral",
    )


DECISION_STAGES = {"rg": "A reasonable grounds decision", "cg": "A conclusive grounds decision"}


@transaction.atomic
def do_record_decision(
    person: Person, *, actor: Any, stage: str, decision: str, decided_on: date
) -> Person:
    """An NRM decision: ``stage`` "rg" (reasonable grounds) or "cg" (conclusive grounds)."""
    if stage not in DECISION_STAGES:
        raise ValidationError(f'Decision stage "{stage}" is not rg or cg')
    _require_victim(person, DECISION_STAGES[stage])
    return _update_person(
        person,
        {f"{stage}_decision": decision, f"{stage}_decided_on": decided_on},
        actor=actor,
        step=f"cases.record_{stage}_decision",
    )


@transaction.atomic
def do_record_dtn(person: Person, *, actor: Any, reported_on: date) -> Person:
    """A Duty to Notify report: an adult potential victim who does not consent to the NRM."""
    _require_victim(person, "A Duty to Notify report")
    return _update_person(
        person, {"dtn_reported_on": reported_on}, actor=actor, step="cases.record_dtn"
    )


def _require_suspect(person: Person, what: str) -> None:
    if person.category != Category.SUSPECT:
        raise rules.RegisterRuleError(
            [rules.Problem("category", f"{what} is only recorded for a suspect")]
        )


@transaction.atomic
def do_record_arrest(person: Person, *, actor: Any, arrested_on: date) -> Person:
    _require_suspect(person, "An arrest")
    return _update_person(
        person, {"arrested_on": arrested_on}, actor=actor, step="cases.record_arrest"
    )


@transaction.atomic
def do_record_charge(person: Person, *, actor: Any, charged_on: date) -> Person:
    _require_suspect(person, "A charge")
    return _update_person(
        person, {"charged_on": charged_on}, actor=actor, step="cases.record_charge"
    )
