"""Every change to the library: one ``do_<verb>_<noun>`` each, atomic and audited.

- :func:`do_publish_document`: a new document and its first version (the unit for the
  nation or a region, a coordinator for their region);
- :func:`do_add_version`: a new version beside the old ones (never replacing them);
- :func:`do_download_version`: the file for a user allowed its marking, counted, with a
  ``disclosure`` audit row.

A file is checked (:mod:`msoic.documents.files`) before anything is written: a refused
file stores nothing and leaves a ``reject`` audit row naming the file and why.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max

from msoic.audit.log import record
from msoic.audit.models import AuditAction
from msoic.collection.reading import FileRejected
from msoic.documents import access
from msoic.documents.files import Checked, check_document_file
from msoic.documents.models import Audience, Document, DocumentKind, Marking, Version
from msoic.orgunits.models import OrgUnit

if TYPE_CHECKING:
    from msoic.accounts.models import User


def _check_choice(value: str, choices: Any, what: str) -> None:
    if value not in choices.values:
        raise ValidationError(f"{what} must be one of {', '.join(choices.values)}")


def _checked_file(
    file_name: str, data: bytes, *, actor: User, obj: Any, orgunit: OrgUnit
) -> Checked:
    """The file's type, or a ``reject`` audit row and :class:`FileRejected`."""
    try:
        return check_document_file(file_name, data)
    except FileRejected as exc:
        record(
            actor=actor,
            action=AuditAction.REJECT,
            obj=obj,
            object_type="" if obj is not None else "documents.document",
            orgunit=orgunit,
            detail={
                "step": "documents.check_file",
                "file": file_name[:255],
                "file_sha256": hashlib.sha256(data).hexdigest(),
                "reason": exc.message,
            },
        )
        raise


def do_publish_document(
    owner: OrgUnit,
    *,
    actor: User,
    title: str,
    kind: str,
    audience: str,
    marking: str,
    published_on: date,
    file_name: str,
    data: bytes,
    note: str = "",
) -> Document:
    """A document of ``owner`` with its first version; nothing stored if anything is wrong."""
    if not access.can_own(actor, owner):
        raise PermissionDenied(f"You may not publish documents for {owner.name}")
    _check_choice(kind, DocumentKind, "type")
    _check_choice(audience, Audience, "audience")
    _check_choice(marking, Marking, "marking")
    title = title.strip()
    if not title:
        raise ValidationError("give the document a title")
    checked = _checked_file(file_name, data, actor=actor, obj=None, orgunit=owner)
    with transaction.atomic():
        document = Document.objects.create(
            title=title[:200],
            kind=kind,
            audience=audience,
            owner=owner,
            marking=marking,
            published_on=published_on,
            created_by=actor,
        )
        _store_version(document, 1, checked, file_name, data, published_on, note, actor)
        record(
            actor=actor,
            action=AuditAction.ALTERATION,
            obj=document,
            orgunit=owner,
            detail={
                "step": "documents.publish",
                "changed": {
                    "title": document.title,
                    "kind": kind,
                    "audience": audience,
                    "marking": marking,
                },
                "published_on": published_on.isoformat(),
                "file": file_name[:255],
                "file_sha256": hashlib.sha256(data).hexdigest(),
                "version": 1,
            },
        )
    return document


def do_add_version(
    document: Document,
    *,
    actor: User,
    published_on: date,
    file_name: str,
    data: bytes,
    note: str = "",
    marking: str | None = None,
) -> Version:
    """The next version of ``document``: the old ones stay as they were. ``marking`` changes
    the document's marking from this version on (e.g. a guide made OFFICIAL)."""
    if not access.can_manage_document(actor, document):
        raise PermissionDenied(f"You may not add versions to {document.title}")
    if marking is not None:
        _check_choice(marking, Marking, "marking")
    checked = _checked_file(file_name, data, actor=actor, obj=document, orgunit=document.owner)
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=document.pk)
        last = locked.versions.aggregate(n=Max("number"), on=Max("published_on"))
        if last["on"] and published_on < last["on"]:
            raise ValidationError(
                f"version {last['n']} was published on {last['on']:%d %B %Y}: a new version "
                "cannot be published before it"
            )
        number = (last["n"] or 0) + 1
        version = _store_version(
            locked, number, checked, file_name, data, published_on, note, actor
        )
        changed: dict[str, Any] = {}
        if marking and marking != locked.marking:
            changed["marking"] = marking
            locked.marking = marking
            locked.save(update_fields=["marking"])
            document.marking = marking
        record(
            actor=actor,
            action=AuditAction.ALTERATION,
            obj=locked,
            orgunit=locked.owner,
            detail={
                "step": "documents.add_version",
                "version": number,
                "published_on": published_on.isoformat(),
                "file": file_name[:255],
                "file_sha256": version.sha256,
                **({"changed": changed} if changed else {}),
            },
        )
    return version


def _store_version(
    document: Document,
    number: int,
    checked: Checked,
    file_name: str,
    data: bytes,
    published_on: date,
    note: str,
    actor: User,
) -> Version:
    return Version.objects.create(
        document=document,
        number=number,
        published_on=published_on,
        note=note.strip()[:300],
        file_name=file_name[:255],
        file_kind=checked.kind,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        content=data,
        uploaded_by=actor,
    )


@transaction.atomic
def do_download_version(version: Version, *, actor: User) -> bytes:
    """The version's file for ``actor``, counted and audited; refused if the document's
    marking is not for them."""
    document = version.document
    if not access.may_read_marking(actor, document.marking):
        raise PermissionDenied(f"{document.get_marking_display()} documents are not for you")
    Version.objects.filter(pk=version.pk).update(downloads=F("downloads") + 1)
    record(
        actor=actor,
        action=AuditAction.DISCLOSURE,
        obj=document,
        orgunit=document.owner,
        recipient=getattr(actor, "username", ""),
        detail={
            "step": "documents.download",
            "version": version.number,
            "file": version.file_name,
            "file_sha256": version.sha256,
        },
    )
    return bytes(version.content)
