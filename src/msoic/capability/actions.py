"""Every change to training records: one ``do_<verb>_<noun>`` each, atomic and audited.

- :func:`do_create_event` and :func:`do_add_session`: the unit for the nation or any
  region, a regional coordinator for their region (alterations in the audit log);
- :func:`do_import_attendance`: a session's registration list (CSV or XLSX, read through
  the one bounded reading path, :mod:`msoic.collection.reading`) with the columns
  ``email``, ``force`` and ``role``. Every row is checked before anything is stored; any
  problem (an unknown force or role, a missing email, a person twice) refuses the whole
  file, naming file, row and column, and writes a ``reject`` row. An accepted list is
  stored in one transaction (a ``collection`` row). Each person is kept as their attendee
  key (:mod:`msoic.capability.keys`), never their email; importing the same list again
  stores nothing new; a person already recorded at the session with another force or role
  is corrected. A list adds to the session's attendance: nobody is removed by it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.text import slugify

from msoic.audit.log import record
from msoic.audit.models import AuditAction
from msoic.capability import access
from msoic.capability.keys import attendee_key, attendee_secret
from msoic.capability.models import (
    Attendance,
    AttendeeRole,
    DeliveredBy,
    Event,
    EventKind,
    Mode,
    Session,
)
from msoic.collection.reading import FileRejected, column_letter, open_workbook, read_file_rows
from msoic.orgunits.models import OrgUnit, OrgUnitKind

if TYPE_CHECKING:
    from msoic.accounts.models import User

COLUMNS = ("email", "force", "role")
EVENT_CODE = re.compile(r"[a-z0-9][a-z0-9-]{1,59}")


def _check_choice(value: str, choices: Any, what: str) -> None:
    if value not in choices.values:
        raise ValidationError(f"{what} must be one of {', '.join(choices.values)}")


@transaction.atomic
def do_create_event(owner: OrgUnit, *, actor: User, kind: str, title: str, code: str = "") -> Event:
    """A course or event owned by ``owner`` (the nation or a region), with its stable
    ``code`` (given, or made from the title and numbered when taken)."""
    if not access.can_own(actor, owner):
        raise PermissionDenied(f"You may not record events for {owner.name}")
    _check_choice(kind, EventKind, "kind")
    title = title.strip()
    if not title:
        raise ValidationError("give the event a title")
    code = _event_code(code.strip(), title)
    event = Event.objects.create(
        owner=owner, kind=kind, title=title[:200], code=code, created_by=actor
    )
    record(
        actor=actor,
        action=AuditAction.ALTERATION,
        obj=event,
        orgunit=owner,
        detail={
            "step": "capability.create_event",
            "changed": {"kind": kind, "title": title, "code": code},
        },
    )
    return event


def _event_code(given: str, title: str) -> str:
    """A given code, checked and refused when taken; or one made from the title."""
    taken = Event.objects.filter(code__startswith=given or slugify(title)[:50].strip("-"))
    if given:
        if not EVENT_CODE.fullmatch(given):
            raise ValidationError(
                "an event's code is 2 to 60 lower-case letters, digits and hyphens, "
                "starting with a letter or digit"
            )
        if taken.filter(code=given).exists():
            raise ValidationError(f"an event with the code {given!r} is already recorded")
        return given
    base = slugify(title)[:50].strip("-") or "event"
    used = set(taken.values_list("code", flat=True))
    code, n = base, 2
    while code in used:
        code, n = f"{base}-{n}", n + 1
    return code


@transaction.atomic
def do_add_session(
    event: Event,
    *,
    actor: User,
    on: date,
    mode: str,
    delivered_by: str,
    venue: str = "",
    audience: str = "",
) -> Session:
    """A session of ``event`` on a day: in person (at a venue) or online."""
    if not access.can_manage_event(actor, event):
        raise PermissionDenied(f"You may not add sessions to {event.title}")
    _check_choice(mode, Mode, "mode")
    _check_choice(delivered_by, DeliveredBy, "delivered by")
    if mode == Mode.IN_PERSON and not venue.strip():
        raise ValidationError("give the venue of a session held in person")
    session = Session.objects.create(
        event=event,
        date=on,
        mode=mode,
        venue=venue.strip()[:200] if mode == Mode.IN_PERSON else "",
        delivered_by=delivered_by,
        audience=audience.strip()[:200],
    )
    record(
        actor=actor,
        action=AuditAction.ALTERATION,
        obj=session,
        orgunit=event.owner,
        detail={
            "step": "capability.add_session",
            "training_event": event.pk,
            "on": on.isoformat(),
            "changed": {"mode": mode, "delivered_by": delivered_by},
        },
    )
    return session


# --- importing a registration list ---------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a list, and where: file, sheet (XLSX), row and column."""

    file: str
    message: str
    row: int | None = None
    column: str = ""  # "B (force)"
    sheet: str = ""

    @property
    def where(self) -> str:
        parts = [self.file]
        if self.sheet:
            parts.append(f"sheet {self.sheet}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        return ", ".join(parts)

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class ImportOutcome:
    filename: str
    status: str = "rejected"  # accepted | rejected
    new: int = 0
    unchanged: int = 0
    corrected: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def people(self) -> int:
        return self.new + self.unchanged + self.corrected


_ROLE_WORDS = {
    **{r.value: r.value for r in AttendeeRole},
    **{r.label.lower(): r.value for r in AttendeeRole},
    "police officer": AttendeeRole.OFFICER.value,
    "police staff": AttendeeRole.STAFF.value,
}


def _orgunits_by_word() -> dict[str, OrgUnit]:
    """Forces and partners by code and by name, lower-cased (one query)."""
    out: dict[str, OrgUnit] = {}
    for ou in OrgUnit.objects.filter(kind__in=[OrgUnitKind.FORCE, OrgUnitKind.PARTNER]):
        out[ou.code.lower()] = ou
        out[ou.name.lower()] = ou
    return out


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ("" if value is None else str(value))


def _check_rows(
    filename: str, rows: list[list[Any]], sheet: str
) -> tuple[list[tuple[str, OrgUnit, str]], list[Problem]]:
    """(key, org unit, role) for each person on the list, or every problem found."""
    problems: list[Problem] = []

    def problem(message: str, row: int | None = None, column: str = "") -> None:
        problems.append(Problem(filename, message, row, column, sheet))

    header_at = next((i for i, r in enumerate(rows) if r), None)
    if header_at is None:
        problem("the list is empty: give a header row (email, force, role) and a row a person")
        return [], problems
    header = [_text(c).lower() for c in rows[header_at]]
    index: dict[str, int] = {}
    for i, name in enumerate(header):
        if name in COLUMNS:
            if name in index:
                problem(f"the column {name!r} is given twice", header_at + 1, column_letter(i))
            index[name] = i
    missing = [c for c in COLUMNS if c not in index]
    if missing:
        problem(
            f"no column {', '.join(repr(m) for m in missing)} in the header row "
            "(the list needs email, force and role)",
            header_at + 1,
        )
        return [], problems
    where = {c: f"{column_letter(i)} ({c})" for c, i in index.items()}
    orgunits = _orgunits_by_word()
    secret = attendee_secret()
    people: list[tuple[str, OrgUnit, str]] = []
    first_row: dict[str, int] = {}
    for number, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        if not row:
            continue
        cells = {c: _text(row[i]) if i < len(row) else "" for c, i in index.items()}
        if not any(cells.values()):
            continue
        email, force_word, role_word = cells["email"], cells["force"], cells["role"]
        ok = True
        if not email:
            problem("no email: every person needs their work email", number, where["email"])
            ok = False
        elif "@" not in email or " " in email:
            problem(f"{email!r} is not an email address", number, where["email"])
            ok = False
        orgunit = orgunits.get(force_word.lower()) if force_word else None
        if not force_word:
            problem("no force or partner given", number, where["force"])
            ok = False
        elif orgunit is None:
            problem(
                f"unknown force or partner {force_word!r} (give its code or name)",
                number,
                where["force"],
            )
            ok = False
        role = _ROLE_WORDS.get(role_word.lower())
        if role is None:
            problem(
                f"unknown role {role_word!r} (officer, staff or partner)"
                if role_word
                else "no role given (officer, staff or partner)",
                number,
                where["role"],
            )
            ok = False
        elif orgunit is not None and (role == AttendeeRole.PARTNER) != (
            orgunit.kind == OrgUnitKind.PARTNER
        ):
            problem(
                f"role {role_word!r} does not fit {orgunit.name}: people from a partner "
                "agency are partners, people from a force officers or staff",
                number,
                where["role"],
            )
            ok = False
        if not ok or orgunit is None or role is None:
            continue
        key = attendee_key(email, secret)
        if key in first_row:
            problem(
                f"the same person is listed twice (as on row {first_row[key]})",
                number,
                where["email"],
            )
            continue
        first_row[key] = number
        people.append((key, orgunit, role))
    if not people and not problems:
        problem("the list has a header row but nobody on it")
    return people, problems


def read_list(filename: str, data: bytes) -> tuple[list[list[Any]], str]:
    """The list's rows through the bounded reading path, and the sheet read ("" for CSV)."""
    if filename.lower().endswith(".xlsx"):
        workbook = open_workbook(data)
        sheet = workbook.sheet_names[0]
        return workbook.rows(sheet), sheet
    return read_file_rows(filename, data), ""


def do_import_attendance(
    session: Session, filename: str, data: bytes, *, actor: User
) -> ImportOutcome:
    """Check the whole list, then store it at once or not at all (see the module's text)."""
    if not access.can_manage_event(actor, session.event):
        raise PermissionDenied(f"You may not record attendance at {session.event.title}")
    outcome = ImportOutcome(filename)
    digest = hashlib.sha256(data).hexdigest()
    try:
        rows, sheet = read_list(filename, data)
    except FileRejected as exc:
        outcome.problems.append(Problem(filename, exc.message, exc.row, exc.column, exc.sheet))
    else:
        people, outcome.problems = _check_rows(filename, rows, sheet)
    if outcome.problems:
        record(
            actor=actor,
            action=AuditAction.REJECT,
            obj=session,
            orgunit=session.event.owner,
            detail={
                "step": "capability.import_attendance",
                "file": filename,
                "file_sha256": digest,
                "errors": len(outcome.problems),
                "first": str(outcome.problems[0]),
            },
        )
        return outcome
    _store(session, people, outcome, actor=actor, digest=digest)
    return outcome


@transaction.atomic
def _store(
    session: Session,
    people: list[tuple[str, OrgUnit, str]],
    outcome: ImportOutcome,
    *,
    actor: User,
    digest: str,
) -> None:
    Session.objects.select_for_update().filter(pk=session.pk).first()  # one import at a time
    keys = [k for k, _, _ in people]
    existing = {
        a.attendee_key: a
        for a in Attendance.objects.filter(Q(session=session) & Q(attendee_key__in=keys))
    }
    new: list[Attendance] = []
    for key, orgunit, role in people:
        found = existing.get(key)
        if found is None:
            new.append(
                Attendance(
                    session=session, attendee_key=key, orgunit=orgunit, role=role, on=session.date
                )
            )
        elif found.orgunit_id != orgunit.pk or found.role != role:
            found.orgunit = orgunit
            found.role = role
            found.save(update_fields=["orgunit", "role"])
            outcome.corrected += 1
        else:
            outcome.unchanged += 1
    Attendance.objects.bulk_create(new, batch_size=1000)
    outcome.new = len(new)
    outcome.status = "accepted"
    record(
        actor=actor,
        action=AuditAction.COLLECTION,
        obj=session,
        orgunit=session.event.owner,
        detail={
            "step": "capability.import_attendance",
            "file": outcome.filename,
            "file_sha256": digest,
            "training_event": session.event_id,
            "people_count": outcome.people,
            "new": outcome.new,
            "corrected_count": outcome.corrected,
        },
    )
