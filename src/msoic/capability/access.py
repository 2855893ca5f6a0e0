"""Who may see and record training and events (on the shared rules in
:mod:`msoic.accounts.access`).

- the unit (national) sees and manages every event;
- a regional coordinator manages the events their region owns, and sees those plus any
  event the forces of their region attended (with their forces' counts only);
- a force user sees the events their force attended, with their force's counts only;
- partners and administrators see none of these pages (partners get the figures through the
  metric engine and disclosure control).

No page shows an attendee key or anything about one person: counts only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q, QuerySet

from msoic.accounts.access import detail_orgunits, get_or_404, has_orgunit_role, role_of
from msoic.accounts.models import Role
from msoic.capability.models import Attendance, Event, Session, Survey
from msoic.orgunits.models import OrgUnit, OrgUnitKind

if TYPE_CHECKING:
    from msoic.accounts.models import User


def can_see_training(user: User) -> bool:
    return has_orgunit_role(user)


def event_owners(user: User) -> QuerySet[OrgUnit]:
    """The org units the user may create and manage events for: the unit the nation and
    every region, a coordinator their region."""
    role = role_of(user)
    if role == Role.NATIONAL:
        return OrgUnit.objects.filter(kind__in=[OrgUnitKind.NATIONAL, OrgUnitKind.REGION])
    if role == Role.REGIONAL and user.orgunit_id:
        return OrgUnit.objects.filter(pk=user.orgunit_id, kind=OrgUnitKind.REGION)
    return OrgUnit.objects.none()


def can_manage_event(user: User, event: Event) -> bool:
    """May the user add sessions to the event and import its attendance?"""
    return can_own(user, event.owner)


def can_own(user: User, owner: OrgUnit) -> bool:
    role = role_of(user)
    if role == Role.NATIONAL:
        return owner.kind in (OrgUnitKind.NATIONAL, OrgUnitKind.REGION)
    return (
        role == Role.REGIONAL and owner.kind == OrgUnitKind.REGION and owner.pk == user.orgunit_id
    )


def counted_forces(user: User) -> QuerySet[OrgUnit] | None:
    """Whose attendance the user may count on pages: None for the unit (everyone's), else the
    forces they read (a coordinator's region, a force user's own force)."""
    if role_of(user) == Role.NATIONAL:
        return None
    return detail_orgunits(user).filter(kind=OrgUnitKind.FORCE)


def scope_label(user: User) -> str:
    """Whose attendance the user's pages count, in words ("" for everyone's)."""
    role = role_of(user)
    if role == Role.FORCE:
        return "your force"
    if role == Role.REGIONAL:
        return "your region's forces"
    return ""


def events_visible_to(user: User) -> QuerySet[Event]:
    role = role_of(user)
    if role == Role.NATIONAL:
        return Event.objects.all()
    if role not in (Role.REGIONAL, Role.FORCE) or not user.orgunit_id:
        return Event.objects.none()
    forces = detail_orgunits(user).filter(kind=OrgUnitKind.FORCE)
    attended = Attendance.objects.filter(session__event=OuterRef("pk"), orgunit__in=forces)
    owned = Q(owner_id=user.orgunit_id) if role == Role.REGIONAL else Q(pk__in=[])
    return Event.objects.filter(owned | Q(Exists(attended)))


def get_event_for_user(user: User, pk: object) -> Event:
    """An event the user may see, or 404 (another region's is not revealed)."""
    return get_or_404(
        events_visible_to(user).select_related("owner"),
        pk,
        audit_denied=user,
        message="No such event",
    )


def get_session_for_user(user: User, pk: object) -> Session:
    """A session of an event the user may see, or 404."""
    return get_or_404(
        Session.objects.filter(event__in=events_visible_to(user)).select_related("event__owner"),
        pk,
        audit_denied=user,
        message="No such session",
    )


def get_survey_for_user(user: User, pk: object) -> Survey:
    """The feedback survey of an event the user may see, or 404. Its results are for anyone
    who sees the event; managing it (questions, invitations, closing) is for those who
    manage the event (:func:`can_manage_event`)."""
    return get_or_404(
        Survey.objects.filter(event__in=events_visible_to(user)).select_related("event__owner"),
        pk,
        audit_denied=user,
        message="No such survey",
    )
