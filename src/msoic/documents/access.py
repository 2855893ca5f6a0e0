"""Who may see, download and publish documents (on the shared rules in
:mod:`msoic.accounts.access`).

The rule of the markings (Government Security Classifications):

- OFFICIAL documents: every signed-in role may list and download them (forces, regional
  coordinators, the unit, partners and administrators);
- OFFICIAL-SENSITIVE documents: police and unit users only (force users, regional
  coordinators, the unit). Partners and administrators never see them: not in the list,
  and a page or download asked for by its address answers 404 (with a ``denied`` audit
  row), as for a document that does not exist.

The unit publishes documents for the nation or any region; a regional coordinator for their
own region. Only the publisher's side adds versions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404

from msoic.accounts.access import get_or_404, has_orgunit_role, has_role, role_of
from msoic.accounts.models import Role
from msoic.documents.models import Document, Marking, Version
from msoic.orgunits.models import OrgUnit, OrgUnitKind

if TYPE_CHECKING:
    from msoic.accounts.models import User


def can_see_library(user: User) -> bool:
    return has_role(user)


def may_read_marking(user: User, marking: str) -> bool:
    """May the user download a document carrying ``marking``?"""
    if marking == Marking.OFFICIAL:
        return has_role(user)
    return has_orgunit_role(user)


def documents_visible_to(user: User) -> QuerySet[Document]:
    if not has_role(user):
        return Document.objects.none()
    if has_orgunit_role(user):
        return Document.objects.all()
    return Document.objects.filter(marking=Marking.OFFICIAL)


def document_owners(user: User) -> QuerySet[OrgUnit]:
    """Whom the user may publish documents for: the unit the nation and every region, a
    coordinator their region."""
    role = role_of(user)
    if role == Role.NATIONAL:
        return OrgUnit.objects.filter(kind__in=[OrgUnitKind.NATIONAL, OrgUnitKind.REGION])
    if role == Role.REGIONAL and user.orgunit_id:
        return OrgUnit.objects.filter(pk=user.orgunit_id, kind=OrgUnitKind.REGION)
    return OrgUnit.objects.none()


def can_own(user: User, owner: OrgUnit) -> bool:
    role = role_of(user)
    if role == Role.NATIONAL:
        return owner.kind in (OrgUnitKind.NATIONAL, OrgUnitKind.REGION)
    return (
        role == Role.REGIONAL and owner.kind == OrgUnitKind.REGION and owner.pk == user.orgunit_id
    )


def can_manage_document(user: User, document: Document) -> bool:
    """May the user upload a new version of the document?"""
    return can_own(user, document.owner)


def get_document_for_user(user: User, pk: object) -> Document:
    """A document the user may see, or 404 (an OFFICIAL-SENSITIVE one for a partner too)."""
    return get_or_404(
        documents_visible_to(user).select_related("owner"),
        pk,
        audit_denied=user,
        message="No such document",
    )


def get_version_for_user(user: User, document_pk: object, number: int) -> Version:
    """A version of a document the user may see, or 404."""
    document = get_document_for_user(user, document_pk)
    version = Version.objects.filter(document=document, number=number).first()
    if version is None:
        raise Http404("No such version")
    version.document = document
    return version
