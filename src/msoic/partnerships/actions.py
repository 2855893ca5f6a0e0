"""Every change to partnerships: one ``do_<verb>_<noun>`` each, atomic and audited.

- :func:`do_create_partnership`: a partnership of a force or a region, its member forces
  and partner organisations (by name), cadence and coordinator;
- :func:`do_change_members`: the partnership's member forces and partner organisations,
  as they are now (membership has no dates: coverage follows the members recorded);
- :func:`do_record_meeting`: a meeting on a day, with how many people each member force
  sent and how many came from partner organisations.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from msoic.accounts.access import has_orgunit_role
from msoic.audit.log import record
from msoic.audit.models import AuditAction
from msoic.orgunits.models import OrgUnit, OrgUnitKind
from msoic.partnerships import access
from msoic.partnerships.models import (
    Cadence,
    Meeting,
    MeetingAttendance,
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
) -> bool:
    """Make the partnership's members ``forces`` and ``organisations``; False (and no audit
    row) when they already are. Refused whole: no force, or a member that is not a force.
    Meetings already recorded keep their attendance, whoever has left. Two people changing
    the members at once are taken one after the other (the partnership's row is locked)."""
    if not access.can_change_members(actor, partnership):
        raise PermissionDenied(f"You may not change the members of {partnership.name}")
    members = member_forces(forces)
    names = organisation_names(organisations)
    Partnership.objects.select_for_update().get(pk=partnership.pk)
    before_forces = set(partnership.forces.values_list("code", flat=True))
    before_names = list(partnership.organisations.values_list("name", flat=True))
    after_forces = {f.code for f in members}
    if after_forces == before_forces and set(names) == set(before_names):
        return False
    partnership.forces.set(members)
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
            "forces": sorted(after_forces ^ before_forces),
            "before": {"forces": sorted(before_forces), "organisations": sorted(before_names)},
            "changed": {"forces": sorted(after_forces), "organisations": names},
        },
    )
    return True


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
