"""Every change to partnerships: one ``do_<verb>_<noun>`` each, atomic and audited.

- :func:`do_create_partnership`: a partnership of a force or a region, its member forces
  and partner organisations (by name), cadence and coordinator;
- :func:`do_change_members`: the partnership's member forces and partner organisations
  from a day on: a force added joins that day, a force removed was a member until the day
  before (:class:`Membership`), so past coverage stays as it was;
- :func:`do_change_details`: how often it meets, who coordinates it, and the day it ended
  (coverage counts its members only up to that day);
- :func:`do_record_meeting`: a meeting on a day, with how many people each member force
  sent and how many came from partner organisations.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from msoic.accounts.access import has_orgunit_role
from msoic.audit.log import record
from msoic.audit.models import AuditAction
from msoic.orgunits.models import OrgUnit, OrgUnitKind
from msoic.partnerships import access
from msoic.partnerships.models import (
    Cadence,
    Meeting,
    MeetingAttendance,
    Membership,
    PartnerOrganisation,
    Partnership,
)

if TYPE_CHECKING:
    from msoic.accounts.models import User


def member_forces(forces: Iterable[OrgUnit]) -> list[OrgUnit]:
    """The forces given, each once; refused unless every one is a force and there is one."""
    members = list({f.pk: f for f in forces}.values())
    not_forces = [f.name for f in members if f.kind != OrgUnitKind.FORCE]
    if not_forces:
        raise ValidationError(f"members must be forces: {', '.join(not_forces)} is not")
    if not members:
        raise ValidationError("a partnership needs at least one member force")
    return members


def organisation_names(organisations: Iterable[str]) -> list[str]:
    """Partner organisations' names, trimmed, each once, blanks left out, in order."""
    return sorted({n.strip()[:200] for n in organisations if n.strip()}, key=str.lower)


@transaction.atomic
def do_create_partnership(
    area: OrgUnit,
    *,
    actor: User,
    name: str,
    cadence: str,
    started_on: date,
    forces: Iterable[OrgUnit],
    organisations: Iterable[str] = (),
    coordinator: User | None = None,
) -> Partnership:
    if not access.partnership_areas(actor).filter(pk=area.pk).exists():
        raise PermissionDenied(f"You may not set up partnerships for {area.name}")
    if cadence not in Cadence.values:
        raise ValidationError(f"cadence must be one of {', '.join(Cadence.values)}")
    name = name.strip()
    if not name:
        raise ValidationError("give the partnership a name")
    if Partnership.objects.filter(name__iexact=name).exists():
        raise ValidationError(f"a partnership called {name!r} is already recorded")
    members = member_forces(forces)
    if coordinator is not None and not has_orgunit_role(coordinator):
        raise ValidationError("the coordinator must be a force, regional or unit user")
    names = organisation_names(organisations)
    partnership = Partnership.objects.create(
        name=name[:200],
        area=area,
        cadence=cadence,
        coordinator=coordinator,
        started_on=started_on,
    )
    partnership.forces.set(members)
    Membership.objects.bulk_create(
        Membership(partnership=partnership, force=f, joined_on=started_on) for f in members
    )
    PartnerOrganisation.objects.bulk_create(
        [PartnerOrganisation(partnership=partnership, name=n) for n in names]
    )
    record(
        actor=actor,
        action=AuditAction.ALTERATION,
        obj=partnership,
        orgunit=area,
        detail={
            "step": "partnerships.create",
            "changed": {
                "name": partnership.name,
                "cadence": cadence,
                "coordinator": coordinator.username if coordinator else "",
                "organisations": names,
            },
            "forces": sorted(f.code for f in members),
            "on": started_on.isoformat(),
        },
    )
    return partnership


@transaction.atomic
def do_change_members(
    partnership: Partnership,
    *,
    actor: User,
    forces: Iterable[OrgUnit],
    organisations: Iterable[str],
    on: date | None = None,
) -> bool:
    """Make the partnership's members ``forces`` and ``organisations`` from the day ``on``
    (today if not given): a force added joins that day, a force removed was a member until
    the day before. False (and no audit row) when they already are the members. Refused
    whole: no force, a member that is not a force, a day before the partnership started or
    after today, a force leaving before the day it joined or joining again before it left.
    Meetings already recorded keep their attendance, whoever has left. Two people changing
    the members at once are taken one after the other (the partnership's row is locked)."""
    if not access.can_change_members(actor, partnership):
        raise PermissionDenied(f"You may not change the members of {partnership.name}")
    members = member_forces(forces)
    names = organisation_names(organisations)
    today = timezone.localdate()
    on = on or today
    partnership.ended_on = (
        Partnership.objects.select_for_update().values_list("ended_on", flat=True)
    ).get(pk=partnership.pk)
    before_forces = {f.code: f for f in partnership.forces.all()}
    before_names = list(partnership.organisations.values_list("name", flat=True))
    after_forces = {f.code: f for f in members}
    added = [f for code, f in after_forces.items() if code not in before_forces]
    removed = [f for code, f in before_forces.items() if code not in after_forces]
    if not added and not removed and set(names) == set(before_names):
        return False
    if added or removed:
        _check_change_day(partnership, on, today, added, removed)
    partnership.forces.set(members)
    Membership.objects.filter(
        partnership=partnership, force__in=removed, left_on__isnull=True
    ).update(left_on=on - timedelta(days=1))
    Membership.objects.bulk_create(
        Membership(partnership=partnership, force=f, joined_on=on) for f in added
    )
    partnership.organisations.exclude(name__in=names).delete()
    PartnerOrganisation.objects.bulk_create(
        [
            PartnerOrganisation(partnership=partnership, name=n)
            for n in names
            if n not in before_names
        ]
    )
    record(
        actor=actor,
        action=AuditAction.ALTERATION,
        obj=partnership,
        orgunit=partnership.area,
        detail={
            "step": "partnerships.change_members",
            "forces": sorted(f.code for f in added + removed),
            "on": on.isoformat(),
            "before": {"forces": sorted(before_forces), "organisations": sorted(before_names)},
            "changed": {"forces": sorted(after_forces), "organisations": names},
        },
    )
    return True


@transaction.atomic
def do_change_details(
    partnership: Partnership,
    *,
    actor: User,
    cadence: str,
    coordinator: User | None,
    ended_on: date | None,
) -> bool:
    """Set how often the partnership meets, its coordinator and the day it ended (None: it
    goes on; an end entered by mistake can be taken away). False (and no audit row) when
    nothing changes. Refused whole: an unknown cadence, a coordinator who is not a force,
    regional or unit user, an end before the partnership started, before a force joined it
    or before a meeting already recorded, or an end still to come. Those who change the
    members change these (:func:`access.can_change_members`)."""
    if not access.can_change_members(actor, partnership):
        raise PermissionDenied(f"You may not change the details of {partnership.name}")
    locked = Partnership.objects.select_for_update().get(pk=partnership.pk)
    problems = []
    if cadence not in Cadence.values:
        problems.append(f"cadence must be one of {', '.join(Cadence.values)}")
    if coordinator is not None and not has_orgunit_role(coordinator):
        problems.append("the coordinator must be a force, regional or unit user")
    if ended_on is not None:
        problems += _end_problems(locked, ended_on)
    if problems:
        raise ValidationError(problems)
    before = {
        "cadence": locked.cadence,
        "coordinator": locked.coordinator.username if locked.coordinator else "",
        "ended_on": locked.ended_on.isoformat() if locked.ended_on else "",
    }
    after = {
        "cadence": cadence,
        "coordinator": coordinator.username if coordinator else "",
        "ended_on": ended_on.isoformat() if ended_on else "",
    }
    if before == after:
        return False
    locked.cadence, locked.coordinator, locked.ended_on = cadence, coordinator, ended_on
    locked.save(update_fields=["cadence", "coordinator", "ended_on"])
    partnership.cadence, partnership.coordinator, partnership.ended_on = (
        cadence,
        coordinator,
        ended_on,
    )
    changed = [k for k in after if after[k] != before[k]]
    record(
        actor=actor,
        action=AuditAction.ALTERATION,
        obj=partnership,
        orgunit=partnership.area,
        detail={
            "step": "partnerships.change_details",
            "before": {k: before[k] for k in changed},
            "changed": {k: after[k] for k in changed},
        },
    )
    return True


def _end_problems(partnership: Partnership, ended_on: date) -> list[str]:
    problems = []
    if ended_on < partnership.started_on:
        problems.append(
            f"{partnership.name} started on {partnership.started_on:%-d %B %Y}: it cannot "
            "end before that day"
        )
    if ended_on > timezone.localdate():
        problems.append("record the end on or after the day it happens, not before")
    last_met = partnership.meetings.aggregate(last=Max("date"))["last"]
    if last_met is not None and ended_on < last_met:
        problems.append(
            f"a meeting is recorded on {last_met:%-d %B %Y}: the partnership cannot end before it"
        )
    last_joined = partnership.memberships.aggregate(last=Max("joined_on"))["last"]
    if last_joined is not None and ended_on < last_joined:
        problems.append(
            f"a force joined on {last_joined:%-d %B %Y}: the partnership cannot end before it"
        )
    return problems


def _check_change_day(
    partnership: Partnership,
    on: date,
    today: date,
    added: list[OrgUnit],
    removed: list[OrgUnit],
) -> None:
    """Refuse a day on which the forces cannot join or leave (every problem at once)."""
    problems = []
    if on < partnership.started_on:
        problems.append(
            f"{partnership.name} started on {partnership.started_on:%-d %B %Y}: members "
            "cannot change before it"
        )
    if partnership.ended_on is not None and on > partnership.ended_on:
        problems.append(
            f"{partnership.name} ended on {partnership.ended_on:%-d %B %Y}: members cannot "
            "change after it"
        )
    if on > today:
        problems.append("the change cannot be from a day still to come")
    joined = dict(
        Membership.objects.filter(
            partnership=partnership, force__in=removed, left_on__isnull=True
        ).values_list("force_id", "joined_on")
    )
    problems += [
        f"{f.name} joined on {joined[f.pk]:%-d %B %Y}: it cannot leave on or before that day"
        for f in removed
        if f.pk in joined and on <= joined[f.pk]
    ]
    left = dict(
        Membership.objects.filter(partnership=partnership, force__in=added)
        .values_list("force_id")
        .annotate(last=Max("left_on"))
    )
    problems += [
        f"{f.name} was a member until {left[f.pk]:%-d %B %Y}: it cannot join again before "
        "the day after"
        for f in added
        if left.get(f.pk) is not None and on <= left[f.pk]
    ]
    if problems:
        raise ValidationError(problems)


@transaction.atomic
def do_record_meeting(
    partnership: Partnership,
    *,
    actor: User,
    on: date,
    counts: Mapping[OrgUnit, int],
    partner_attendees: int = 0,
    venue: str = "",
) -> Meeting:
    """A meeting with the people each member force sent (forces sending nobody may be left
    out); refused whole if a force is not a member or a count is negative."""
    if not access.can_manage_partnership(actor, partnership):
        raise PermissionDenied(f"You may not record meetings of {partnership.name}")
    if on < partnership.started_on:
        raise ValidationError(
            f"{partnership.name} started on {partnership.started_on:%d %B %Y}: a meeting "
            "cannot be before it"
        )
    # the end as stored now (someone may have ended it since the page was read)
    partnership.ended_on = (
        Partnership.objects.select_for_update().values_list("ended_on", flat=True)
    ).get(pk=partnership.pk)
    if partnership.ended_on is not None and on > partnership.ended_on:
        raise ValidationError(
            f"{partnership.name} ended on {partnership.ended_on:%d %B %Y}: a meeting "
            "cannot be after it"
        )
    members = set(partnership.forces.values_list("pk", flat=True))
    problems = [
        f"{f.name} is not a member of {partnership.name}" for f in counts if f.pk not in members
    ]
    problems += [f"{f.name}: a count cannot be negative" for f, n in counts.items() if n < 0]
    if partner_attendees < 0:
        problems.append("people from partner organisations cannot be negative")
    if not problems and not any(counts.values()) and not partner_attendees:
        problems.append("nobody attended: give how many people each force sent")
    if problems:
        raise ValidationError(problems)
    meeting = Meeting.objects.create(
        partnership=partnership,
        date=on,
        venue=venue.strip()[:200],
        partner_attendees=partner_attendees,
        recorded_by=actor,
    )
    MeetingAttendance.objects.bulk_create(
        [MeetingAttendance(meeting=meeting, force=f, people=n) for f, n in counts.items() if n]
    )
    record(
        actor=actor,
        action=AuditAction.ALTERATION,
        obj=partnership,
        orgunit=partnership.area,
        detail={
            "step": "partnerships.record_meeting",
            "on": on.isoformat(),
            "forces": sorted(f.code for f, n in counts.items() if n),
            "people_count": sum(counts.values()) + partner_attendees,
        },
    )
    return meeting
