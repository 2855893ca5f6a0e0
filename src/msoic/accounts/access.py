"""The shared access rules: which org units a user may see or act for, by role.

Every view, command, export and API endpoint that touches org-unit-owned data asks these
rules, directly or through its own app's access module (``msoic.<app>.access``), which holds
that app's ``*_visible_to(user)`` querysets and ``can_*`` checks built on them. This module
knows no feature app. The rules:

- a force user reads and writes their own force; reads national aggregates;
- a regional coordinator reads their region and its forces; writes nothing of a force's
  returns (they review);
- a national analyst reads and writes everything, and approves;
- a partner reads national aggregates only;
- an administrator manages users and configuration and reads national aggregates only.

A record asked for by primary key comes through :func:`get_or_404`: 404 when it is outside
the user's queryset (whether or not it exists), with an optional ``denied`` audit row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from msoic.accounts.models import Role
from msoic.audit.log import record_denied
from msoic.orgunits.models import OrgUnit, OrgUnitKind

if TYPE_CHECKING:
    from msoic.accounts.models import User

M = TypeVar("M", bound=Model)

# Roles that read record-level data of their forces (returns, registers, assessments...).
ORGUNIT_ROLES = frozenset({Role.NATIONAL, Role.REGIONAL, Role.FORCE})


def role_of(user: object) -> str | None:
    """The user's role, or None for anyone not signed in or no longer active."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return None
    return getattr(user, "role", None)


def is_national(user: object) -> bool:
    return role_of(user) == Role.NATIONAL


def get_or_404(
    queryset: QuerySet[M],
    pk: object,
    *,
    audit_denied: User | None = None,
    message: str | None = None,
) -> M:
    """The row of ``queryset`` with primary key ``pk``, or 404 (``message``, by default "No
    such <model>"): a malformed key and a row outside the queryset look the same as a row
    that does not exist, so another force's record is never revealed.

    With ``audit_denied=user`` a refusal also writes a ``denied`` audit row for that user
    (when authenticated) naming the model and the key asked for, whether or not such a row
    exists, so the log does not reveal it either; the audit log rate-limits these per user
    and counts the rest in a summary row."""
    model = queryset.model
    try:
        return queryset.get(pk=pk)
    except (ValueError, TypeError, ObjectDoesNotExist) as exc:
        if audit_denied is not None and audit_denied.is_authenticated:
            record_denied(
                actor=audit_denied,
                object_type=model._meta.label_lower,
                object_id=str(pk)[:64],
                orgunit=getattr(audit_denied, "orgunit", None),
                detail={"reason": "outside the user's scope"},
            )
        raise Http404(message or f"No such {model._meta.verbose_name}") from exc


def has_role(user: object) -> bool:
    """Signed in, active and given a role (any of them)."""
    return role_of(user) is not None


def has_orgunit_role(user: object) -> bool:
    """Force, regional and national users: the roles whose scope is a set of org units
    (partners and administrators see national aggregates only)."""
    return role_of(user) in ORGUNIT_ROLES


def detail_orgunits(user: User) -> QuerySet[OrgUnit]:
    """Org units whose own (non-aggregate) figures and records the user may read."""
    role = role_of(user)
    if role == Role.NATIONAL:
        return OrgUnit.objects.filter(
            kind__in=[OrgUnitKind.NATIONAL, OrgUnitKind.REGION, OrgUnitKind.FORCE]
        )
    if role == Role.REGIONAL and user.orgunit_id:
        return OrgUnit.objects.filter(Q(pk=user.orgunit_id) | Q(parent_id=user.orgunit_id))
    if role == Role.FORCE and user.orgunit_id:
        return OrgUnit.objects.filter(pk=user.orgunit_id)
    return OrgUnit.objects.none()


def can_read_orgunit(user: User, orgunit: OrgUnit) -> bool:
    """May the user see figures for this org unit (national aggregates count for all roles)?"""
    role = role_of(user)
    if role is None:
        return False
    if orgunit.kind == OrgUnitKind.NATIONAL:
        return True
    if orgunit.kind == OrgUnitKind.PARTNER:
        return False
    if role == Role.NATIONAL:
        return True
    if role == Role.REGIONAL:
        return orgunit.pk == user.orgunit_id or orgunit.parent_id == user.orgunit_id
    if role == Role.FORCE:
        return orgunit.pk == user.orgunit_id
    return False


def can_break_down_by_orgunit(user: User, orgunit: OrgUnit) -> bool:
    """May the user see ``orgunit`` split into its regions or forces?"""
    role = role_of(user)
    if role == Role.NATIONAL:
        return orgunit.kind in (OrgUnitKind.NATIONAL, OrgUnitKind.REGION)
    if role == Role.REGIONAL:
        return orgunit.kind == OrgUnitKind.REGION and orgunit.pk == user.orgunit_id
    return False


def can_write_orgunit(user: User, orgunit: OrgUnit) -> bool:
    """May the user submit returns for this org unit?"""
    role = role_of(user)
    if orgunit.kind != OrgUnitKind.FORCE:
        return False
    if role == Role.NATIONAL:
        return True
    if role == Role.FORCE:
        return orgunit.pk == user.orgunit_id
    return False


def get_orgunit_for_user(user: User, code: str) -> OrgUnit:
    """The org unit with ``code`` if the user may read it; 404 if unknown, 403 if not theirs."""
    try:
        orgunit = OrgUnit.objects.select_related("parent").get(code=code)
    except OrgUnit.DoesNotExist as exc:
        raise Http404(f"No org unit {code!r}") from exc
    if not can_read_orgunit(user, orgunit):
        raise PermissionDenied(f"You may not see figures for {orgunit.name}")
    return orgunit


def writable_forces(user: User) -> QuerySet[OrgUnit]:
    role = role_of(user)
    if role == Role.NATIONAL:
        return OrgUnit.objects.forces()
    if role == Role.FORCE and user.orgunit_id:
        return OrgUnit.objects.filter(pk=user.orgunit_id, kind=OrgUnitKind.FORCE)
    return OrgUnit.objects.none()


# --- Investigation register (msoic.cases): which forces' registers ---------------------
# Force users keep their own force's register; regional coordinators read their region's
# forces; the unit reads every force. Partners and administrators read no record-level
# data, only suppressed aggregates. The register's querysets live in msoic.cases.access.


def register_forces_readable(user: User) -> QuerySet[OrgUnit]:
    role = role_of(user)
    if role in (Role.NATIONAL, Role.REGIONAL, Role.FORCE):
        return detail_orgunits(user).filter(kind=OrgUnitKind.FORCE)
    return OrgUnit.objects.none()


def register_forces_writable(user: User) -> QuerySet[OrgUnit]:
    """Only a force's own users change its register."""
    if role_of(user) == Role.FORCE and user.orgunit_id:
        return OrgUnit.objects.filter(pk=user.orgunit_id, kind=OrgUnitKind.FORCE)
    return OrgUnit.objects.none()


def can_see_register(user: User) -> bool:
    return has_orgunit_role(user)


def can_see_investigations_hub(user: User) -> bool:
    """The Investigations hub: the register's users, and partners (who see only the
    suppressed NRM picture linked from it)."""
    return role_of(user) in {Role.NATIONAL, Role.REGIONAL, Role.FORCE, Role.PARTNER}


def can_open_cleanse(user: User) -> bool:
    return role_of(user) == Role.NATIONAL


def nrm_picture_orgunits(user: User) -> QuerySet[OrgUnit]:
    """Whose NRM picture the user may open: a force its own, a coordinator their region
    and its forces, the unit any; partners and administrators the nation (suppressed)."""
    role = role_of(user)
    if role in (Role.NATIONAL, Role.REGIONAL, Role.FORCE):
        units = detail_orgunits(user)
        return units.exclude(kind=OrgUnitKind.NATIONAL) if role != Role.NATIONAL else units
    if role in (Role.PARTNER, Role.ADMIN):
        return OrgUnit.objects.filter(kind=OrgUnitKind.NATIONAL)
    return OrgUnit.objects.none()


def nrm_suppressed_for(user: User) -> bool:
    """Small counts are withheld from anyone who reads no record-level data."""
    return not can_see_register(user)


# --- User management (msoic.accounts.views_admin) ---------------------------------------


def can_manage_users(user: object) -> bool:
    """Administrators, and only they, create and change accounts (and see nobody's data)."""
    return role_of(user) == Role.ADMIN
