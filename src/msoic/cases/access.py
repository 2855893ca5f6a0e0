"""The register's access functions (investigations, people, cleanses and their worklists),
moved here unchanged from :mod:`msoic.accounts.access` so that the shared rules know no
feature app. The shared rules the cases modules use are re-exported, so ``access.<name>``
reads the same in every cases module."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from msoic.accounts.access import (
    can_open_cleanse,
    can_see_investigations_hub,
    can_see_register,
    get_or_404,
    is_national,
    nrm_picture_orgunits,
    register_forces_readable,
    register_forces_writable,
    role_of,
)
from msoic.accounts.models import Role
from msoic.cases.models import Cleanse, CleanseItem, Investigation, Person, PersonQuerySet

if TYPE_CHECKING:
    from msoic.accounts.models import User

__all__ = [
    "can_edit_investigation",
    "can_open_cleanse",
    "can_record_marker",
    "can_see_investigations_hub",
    "can_see_register",
    "can_work_cleanse_item",
    "cleanse_items_visible_to",
    "cleanses_visible_to",
    "get_cleanse_for_user",
    "get_cleanse_item_for_user",
    "get_investigation_for_user",
    "get_person_for_user",
    "investigations_visible_to",
    "is_national",
    "marker_people_visible_to",
    "nrm_picture_orgunits",
    "people_visible_to",
    "register_forces_readable",
    "register_forces_writable",
]


def investigations_visible_to(user: User) -> QuerySet[Investigation]:
    role = role_of(user)
    if role == Role.NATIONAL:
        return Investigation.objects.all()
    if role in (Role.REGIONAL, Role.FORCE):
        return Investigation.objects.filter(force__in=register_forces_readable(user))
    return Investigation.objects.none()


def get_investigation_for_user(user: User, pk: object) -> Investigation:
    """An investigation the user may read, or 404 and a ``denied`` audit row."""
    return get_or_404(
        investigations_visible_to(user).select_related("force__parent"),
        pk,
        audit_denied=user,
        message="No such investigation",
    )


def can_edit_investigation(user: User, investigation: Investigation) -> bool:
    return register_forces_writable(user).filter(pk=investigation.force_id).exists()


def people_visible_to(user: User) -> PersonQuerySet:
    role = role_of(user)
    if role == Role.NATIONAL:
        return Person.objects.all()
    if role in (Role.REGIONAL, Role.FORCE):
        return Person.objects.filter(force__in=register_forces_readable(user))
    return Person.objects.none()


def get_person_for_user(user: User, pk: object) -> Person:
    """A person the user may read, or 404 and a ``denied`` audit row."""
    return get_or_404(
        people_visible_to(user).select_related("investigation", "force"),
        pk,
        audit_denied=user,
        message="No such person",
    )


# --- data cleanse and PNC marker ----------------------------------------------------------


def cleanses_visible_to(user: User) -> QuerySet[Cleanse]:
    """Cleanses are the unit's campaigns: everyone who keeps or reads a register sees them
    (each only their forces' worklists and progress)."""
    return Cleanse.objects.all() if can_see_register(user) else Cleanse.objects.none()


def get_cleanse_for_user(user: User, pk: object) -> Cleanse:
    return get_or_404(cleanses_visible_to(user), pk, message="No such cleanse")


def cleanse_items_visible_to(user: User) -> QuerySet[CleanseItem]:
    if role_of(user) == Role.NATIONAL:
        return CleanseItem.objects.all()
    return CleanseItem.objects.filter(force__in=register_forces_readable(user))


def get_cleanse_item_for_user(user: User, pk: object) -> CleanseItem:
    """A worklist item the user may read, or 404 and a ``denied`` audit row."""
    return get_or_404(
        cleanse_items_visible_to(user).select_related("cleanse", "investigation", "force"),
        pk,
        audit_denied=user,
        message="No such worklist item",
    )


def can_work_cleanse_item(user: User, item: CleanseItem) -> bool:
    """Only the force's own users confirm, update or close the cases on its worklist."""
    return register_forces_writable(user).filter(pk=item.force_id).exists()


def marker_people_visible_to(user: User) -> PersonQuerySet:
    """Potential victims with a positive conclusive grounds decision (the PNC marker list)."""
    return people_visible_to(user).marker_eligible()


def can_record_marker(user: User, person: Person) -> bool:
    return register_forces_writable(user).filter(pk=person.force_id).exists()
